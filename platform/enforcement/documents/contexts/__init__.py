"""Context builders: the data dictionary of a form, built from the record it is about.

A builder takes ``(session, form, subject, department)`` and returns a plain dict (JSON-safe: it is
stored as the document's content and frozen at finalization). Builders are looked up by the
subject's kind (``enterprise``, ``inspection``, ``hazard``, ``rectification``, ``scheme``,
``case``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.documents import DocumentError, FormSpec
from enforcement.documents.contexts import coercion, procedure
from enforcement.documents.contexts.remedy import remedy_context
from enforcement.documents.render import cn_date
from enforcement.models import (
    Case,
    Department,
    Enforcer,
    Enterprise,
    Hazard,
    Inspection,
    InspectionScheme,
    RectificationOrder,
    Region,
    Task,
    case_hazard,
)

Builder = Callable[[Session, FormSpec, Any, Department | None], dict[str, Any]]
BUILDERS: dict[str, Builder] = {}

# 省级简称 by the first two digits of the region code (for the 机关简称 of the 文号).
PROVINCE_SHORT = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
    "53": "滇", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}  # fmt: skip

LAW = "《中华人民共和国安全生产法》"
# Defaults of the demo (a 粉尘涉爆 finding); every text is editable before finalizing.
DEMO_PROBLEM = "干式除尘系统未按规定采取防爆、泄爆、隔爆措施"
DEMO_VIOLATED = f"{LAW}第三十六条第一款"
DEMO_BASIS = f"{LAW}第九十九条第（二）项"
DEMO_PENALTY = "罚款人民币叁万元整（¥30,000.00）"
FORM_BASIS = {
    "inspection_plan": f"{LAW}第六十五条",
    "inspection_record": f"{LAW}第六十五条",
    "rectification_order": f"{LAW}第六十五条第一款第（二）项",
    "onsite_measures_decision": f"{LAW}第六十五条第一款第（三）项",
    "rectification_review": f"{LAW}第六十五条第一款第（三）项",
    "case_filing_approval": "《安全生产违法行为行政处罚办法》第二十三条",
    "inquiry_record": f"{LAW}第六十五条第一款第（一）项",
    "service_receipt": "《中华人民共和国行政处罚法》第六十一条",
    "case_file_cover": "《安全生产违法行为行政处罚办法》（立卷归档）",
    "case_file_contents": "《安全生产违法行为行政处罚办法》（立卷归档）",
}


def register_builder(kind: str) -> Callable[[Builder], Builder]:
    def decorator(function: Builder) -> Builder:
        BUILDERS[kind] = function
        return function

    return decorator


def agency_abbreviation(department: Department | None, session: Session | None = None) -> str:
    """机关简称: province 简称 + the first character of the department's own region (赣东 for 东湖区)."""
    if department is None or not department.region_code:
        return "部"
    code = department.region_code
    short = PROVINCE_SHORT.get(code[:2], "")
    if code.endswith("0000"):
        return short
    region = department.region or (session.get(Region, code) if session else None)
    name = region.name if region is not None else ""
    return short + (name[:1] if name else "")


def agency_context(session: Session, department: Department | None) -> dict[str, Any]:
    return {
        "agency": {
            "name": department.name if department else "应急管理部",
            "abbreviation": agency_abbreviation(department, session),
            "region_code": department.region_code if department else None,
        },
        "remedy": remedy_context(session, department.region_code if department else None),
    }


def party_context(enterprise: Enterprise | None) -> dict[str, Any]:
    if enterprise is None:
        return {"party": {}}
    return {
        "party": {
            "name": enterprise.name,
            "address": enterprise.address,
            "legal_rep": enterprise.principal_name,
            "position": "主要负责人",
            "phone": enterprise.principal_phone or enterprise.contact_phone,
            "uscc": enterprise.uscc,
        }
    }


def inspectors_context(
    session: Session, department: Department | None, chosen: list[Enforcer] | None = None
) -> list[dict[str, str]]:
    """Two inspectors with their 执法证号 (the law requires at least two)."""
    people = list(chosen or [])
    if len(people) < 2 and department is not None:
        people += [
            e
            for e in session.scalars(
                select(Enforcer)
                .where(Enforcer.department_id == department.id)
                .order_by(Enforcer.id)
            )
            if e not in people
        ][: 2 - len(people)]
    return [{"name": p.name, "certificate_no": p.certificate_no} for p in people[:2]]


def common_context(
    session: Session,
    form: FormSpec,
    enterprise: Enterprise | None,
    department: Department | None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    today = today or dt.date.today()
    return {
        **agency_context(session, department),
        **party_context(enterprise),
        "inspectors": inspectors_context(session, department),
        "date": cn_date(today),
        "legal_basis": FORM_BASIS.get(form.code, DEMO_BASIS),
        "contact": {"address": "", "person": "", "phone": "", "postcode": ""},
    }


def sample_texts(form: FormSpec, enterprise: Enterprise | None, today: dt.date) -> dict[str, Any]:
    """Editable free text pre-filled for a finding on an enterprise (the demo's dust finding)."""
    name = enterprise.name if enterprise else ""
    deadline = cn_date(today + dt.timedelta(days=30))
    case_name = f"{name}未采取措施消除事故隐患案"
    return {
        "inspection": {
            "date": cn_date(today),
            "start": f"{cn_date(today)}9时00分",
            "end": f"{today.month}月{today.day}日11时30分",
            "place": "生产车间、除尘系统",
        },
        "items": "粉尘防爆重点事项\n有限空间作业安全\n主要负责人履职情况",
        "methods": "查阅资料、现场检查、询问有关人员",
        "author": "",
        "situation": "检查了企业粉尘防爆、有限空间作业等重点事项。",
        "findings": DEMO_PROBLEM,
        "problems": DEMO_PROBLEM,
        "deadlines": [{"numbers": "1", "date": deadline}],
        "measures": "责令暂时停止使用干式除尘系统",
        "original": {"date": cn_date(today), "title": "责令限期整改指令书", "number": ""},
        "opinion": "经复查，你单位已按要求完成整改。",
        "case": {
            "name": case_name,
            "cause": "未采取措施消除事故隐患",
            "source": "监督检查",
            "filed_on": cn_date(today),
            "summary": f"{cn_date(today)}现场检查时发现：{DEMO_PROBLEM}。以上行为涉嫌违反了{DEMO_VIOLATED}的规定。",
            "decision_number": "",
            "closed_on": "",
        },
        "handler_opinion": "建议立案调查。",
        "inquiry": {
            "start": f"{cn_date(today)}14时00分",
            "end": "15时00分",
            "place": name,
            "subject": f"{name}除尘系统安全",
        },
        "interviewee": {
            "name": enterprise.principal_name if enterprise else "",
            "position": "主要负责人",
        },
        "questions_answers": "问：您的职务是什么？\n答：我是公司主要负责人。",
        "facts": DEMO_PROBLEM,
        "evidence": "现场检查记录\n询问笔录\n现场照片",
        "violated": DEMO_VIOLATED,
        "penalty": DEMO_PENALTY,
        "discretion": "首次违法，积极配合调查，按一般情节裁量。",
        "proposal": f"建议给予{DEMO_PENALTY}的行政处罚。",
        "payment": {"bank": "", "account": ""},
        "served": [],
        "service": {"method": "直接送达"},
        "execution": "罚款已缴纳，隐患已整改。",
        "closing_reason": "处罚决定已执行完毕。",
        "archive": {"retention": "定期30年"},
        "documents": [],
    }


@register_builder("enterprise")
def enterprise_context(
    session: Session, form: FormSpec, subject: Any, department: Department | None
) -> dict[str, Any]:
    enterprise = subject if isinstance(subject, Enterprise) else session.get(Enterprise, subject)
    if enterprise is None:
        raise DocumentError("执法对象不存在或不在您的管辖范围内")
    today = dt.date.today()
    legal = {"legal_basis": DEMO_BASIS} if form.code not in FORM_BASIS else {}
    return {
        **common_context(session, form, enterprise, department, today),
        **sample_texts(form, enterprise, today),
        **legal,
    }


def build_context(
    session: Session, form: FormSpec, kind: str, subject: Any, department: Department | None
) -> dict[str, Any]:
    builder = BUILDERS.get(kind)
    if builder is None:
        raise DocumentError(f"不能从“{kind}”生成文书")
    # the forms of the procedure's later steps and of 行政强制 add what the case record knows of them
    context = builder(session, form, subject, department)
    return coercion.complete(session, form, procedure.complete(session, form, context))


# Workbench and case records ------------------------------------------------------------------------
# Each starts from the enterprise context and overwrites what the record knows.


def _enforcers_of(record: Any) -> list[Any]:
    task = getattr(record, "task", None)
    return list(getattr(task, "enforcers", None) or [])


def _hazard_lines(hazards: list[Any]) -> list[str]:
    lines = []
    for hazard in hazards:
        where = f"（{hazard.equipment_name}）" if getattr(hazard, "equipment_name", None) else ""
        detail = f"：{hazard.description}" if getattr(hazard, "description", None) else ""
        lines.append(f"{hazard.title}{where}{detail}")
    return lines


def _deadlines(hazards: list[Any], fallback: dt.date | None = None) -> list[dict[str, str]]:
    """Item numbers grouped by deadline: the form pairs "第1、3项问题于…前" per date."""
    groups: dict[dt.date, list[str]] = {}
    for index, hazard in enumerate(hazards, 1):
        when = getattr(hazard, "deadline", None) or fallback
        if when is not None:
            groups.setdefault(when, []).append(str(index))
    return [{"numbers": "、".join(v), "date": cn_date(k)} for k, v in sorted(groups.items())]


def _basis(hazards: list[Any], attribute: str) -> str:
    seen: list[str] = []
    for hazard in hazards:
        for part in (getattr(hazard, attribute, None) or "").split("；"):
            if part and part not in seen:
                seen.append(part)
    return "；".join(seen)


def _with_record(
    session: Session,
    form: FormSpec,
    enterprise: Enterprise | None,
    department: Department | None,
    kind: str,
    record: Any,
    hazards: list[Any],
    enforcers: list[Any],
) -> dict[str, Any]:
    if enterprise is None:
        context = common_context(session, form, None, department)
        context.update(sample_texts(form, None, dt.date.today()))
    else:
        context = enterprise_context(session, form, enterprise, department)
    context["record"] = {
        "kind": kind,
        "id": record.id,
        "enterprise_id": enterprise.id if enterprise is not None else None,
        "region_code": getattr(record, "region_code", None)
        or (enterprise.region_code if enterprise is not None else None),
    }
    if enforcers:
        context["inspectors"] = inspectors_context(session, department, enforcers)
    if hazards:
        lines = _hazard_lines(hazards)
        context.update(problems=lines, findings=lines, facts=lines)
        violated = _basis(hazards, "illegal_basis")
        penalty_basis = _basis(hazards, "penalty_basis")
        if violated:
            context["violated"] = violated
        if penalty_basis and form.code not in FORM_BASIS:
            context["legal_basis"] = penalty_basis
        context["deadlines"] = _deadlines(hazards) or context.get("deadlines", [])
        measures = [h.measure_label for h in hazards if getattr(h, "measure", None)]
        if measures:
            context["measures"] = list(dict.fromkeys(measures))
    return context


def _load(session: Session, model: type, subject: Any) -> Any:
    record = subject if isinstance(subject, model) else session.get(model, subject)
    if record is None:
        raise DocumentError("记录不存在或不在您的管辖范围内")
    return record


@register_builder("inspection")
def inspection_context(
    session: Session, form: FormSpec, subject: Any, department: Department | None
) -> dict[str, Any]:
    inspection = _load(session, Inspection, subject)
    context = _with_record(
        session, form, inspection.enterprise, department, "inspection", inspection,
        list(inspection.hazards), _enforcers_of(inspection),
    )  # fmt: skip
    started, finished = inspection.started_at, inspection.finished_at
    context["inspection"] = {
        **context.get("inspection", {}),
        "date": cn_date(started),
        "start": f"{cn_date(started)}{started.hour}时{started.minute:02d}分",
        "end": (
            f"{finished.month}月{finished.day}日{finished.hour}时{finished.minute:02d}分"
            if finished
            else ""
        ),
        "place": inspection.enterprise.address if inspection.enterprise else "",
    }
    context["situation"] = inspection.notes or context.get("situation")
    if not inspection.hazards:
        context["findings"] = ""
    return context


@register_builder("hazard")
def hazard_context(
    session: Session, form: FormSpec, subject: Any, department: Department | None
) -> dict[str, Any]:
    hazard = _load(session, Hazard, subject)
    inspection = hazard.inspection
    return _with_record(
        session, form, hazard.enterprise, department, "hazard", hazard, [hazard],
        _enforcers_of(inspection) if inspection is not None else [],
    )  # fmt: skip


@register_builder("rectification")
def rectification_context(
    session: Session, form: FormSpec, subject: Any, department: Department | None
) -> dict[str, Any]:
    order = _load(session, RectificationOrder, subject)
    inspection = order.inspection
    context = _with_record(
        session, form, order.enterprise, department, "rectification", order,
        list(order.hazards), _enforcers_of(inspection) if inspection is not None else [],
    )  # fmt: skip
    if not context.get("deadlines") and order.deadline:
        context["deadlines"] = _deadlines(list(order.hazards), order.deadline)
    # for the 整改复查意见书: the order it reviews, and its re-inspection's 复查意见 when written
    context["original"] = {
        "date": cn_date(order.issued_on),
        "title": "责令限期整改指令书",
        "number": order.number,
    }
    recheck = session.get(Task, order.recheck_task_id) if order.recheck_task_id else None
    if recheck is not None and recheck.note:
        context["opinion"] = recheck.note
    return context


@register_builder("scheme")
def scheme_context(
    session: Session, form: FormSpec, subject: Any, department: Department | None
) -> dict[str, Any]:
    scheme = _load(session, InspectionScheme, subject)
    task = scheme.task
    context = _with_record(
        session, form, task.enterprise if task else None, department, "scheme", scheme, [],
        _enforcers_of(scheme),
    )  # fmt: skip
    context["items"] = list(scheme.item_ids or []) or context.get("items")
    context["methods"] = scheme.methods_label or context.get("methods")
    if scheme.scheduled_on:
        context["inspection"] = {
            **context.get("inspection", {}),
            "start": cn_date(scheme.scheduled_on),
        }
    context["author"] = scheme.compiled_by or ""
    return context


def _money(amount: Any) -> str:
    return f"{amount:,.2f}元" if amount is not None else ""


# Case documents (立案 → 告知 → 决定 → 送达 → 结案, 案卷).
@register_builder("case")
def case_context(
    session: Session, form: FormSpec, subject: Any, department: Department | None
) -> dict[str, Any]:
    case = subject if isinstance(subject, Case) else session.get(Case, subject)
    if case is None:
        raise DocumentError("案件不存在或不在您的管辖范围内")
    hazards = list(
        session.scalars(
            select(Hazard)
            .join(case_hazard, case_hazard.c.hazard_id == Hazard.id)
            .where(case_hazard.c.case_id == case.id)
            .order_by(Hazard.id)
        )
    )
    context = _with_record(
        session, form, case.enterprise, department, "case", case, hazards,
        list(case.enforcers),
    )  # fmt: skip
    if case.party_kind == "individual" and case.party_name:
        context["party"] = {"name": case.party_name, "employer": case.enterprise_name}
    penalties = list(case.penalties)
    penalty_text = "；".join(f"{p.kind_label}{_money(p.amount)}" for p in penalties) or context.get(
        "penalty"
    )
    decision_numbers = [p.decision_no for p in penalties if p.decision_no]
    context["case"] = {
        **context.get("case", {}),
        "name": case.title,
        "cause": case.title,
        "number": case.number,
        "source": case.source_label,
        "filed_on": cn_date(case.filed_on),
        "closed_on": cn_date(case.closed_on),
        "summary": case.facts or context.get("case", {}).get("summary"),
        "decision_number": decision_numbers[0] if decision_numbers else "",
        "result": penalty_text,
    }
    if case.facts:
        context["facts"] = case.facts
    context["penalty"] = penalty_text
    context["proposal"] = f"建议给予{penalty_text}的行政处罚。"
    basis = "；".join(dict.fromkeys(p.basis for p in penalties if p.basis))
    if basis and form.code not in FORM_BASIS:
        context["legal_basis"] = basis
    paid = [p for p in penalties if p.paid_on]
    if paid:
        context["execution"] = "；".join(
            f"{p.kind_label}已于{cn_date(p.paid_on)}履行{_money(p.paid_amount)}" for p in paid
        )
    return context
