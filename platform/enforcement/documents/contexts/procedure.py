"""What the forms of the procedure's later steps read from the case record (先行登记保存 … 移送).

Each form starts from the case context (party, case, facts, legal basis, penalty, agency, remedy) and
adds its step: the decision it follows (文号, dates, fine, 加处罚款), the numbers of the forms it refers
to, and the law it applies. What the record does not hold yet (a hearing's time and place, the
evidence preserved, a deferral request …) stays blank for the inspector to fill.

Periods of ten days or less are printed as working days: 行政处罚法 第八十五条 ("二日""三日""五日""七日")
and 行政强制法 第六十九条 ("十日以内"). The articles are those of 行政处罚法 (2021) and 行政强制法 (2012);
each form's catalogue entry names the source and confidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.documents import FormSpec
from enforcement.documents.render import cn_date
from enforcement.models import Case, Document

PUNISH = "《中华人民共和国行政处罚法》"
COERCE = "《中华人民共和国行政强制法》"
TRANSFER_RULES = "《行政执法机关移送涉嫌犯罪案件的规定》"
RULE_18_FROM = dt.date(2026, 2, 1)  # 应急管理部令第18号 in force (research-2.md §1.1)
SURCHARGE_RATE = Decimal("0.03")  # 行政处罚法 第七十二条（一） / 行政强制法 第四十五条

# The law each form applies (printed; editable as 依据 before finalizing). None: the penalty's basis.
BASIS: dict[str, str | None] = {
    "evidence_preservation_approval": f"{PUNISH}第五十六条",
    "evidence_preservation_notice": f"{PUNISH}第五十六条",
    "evidence_disposal_approval": f"{PUNISH}第五十六条",
    "evidence_disposal_decision": f"{PUNISH}第五十六条",
    "statement_record": f"{PUNISH}第七条、第四十五条",
    "hearing_meeting_notice": f"{PUNISH}第六十四条",
    "hearing_record": f"{PUNISH}第六十四条",
    "hearing_report": f"{PUNISH}第六十五条",
    "collective_discussion": f"{PUNISH}第五十七条第二款",
    "legal_review_opinion": f"{PUNISH}第五十八条",
    "no_penalty_decision": f"{PUNISH}第三十三条第一款、第五十七条第一款第（二）项",
    "case_extension_approval": None,  # by the rule set of the 立案 date (below)
    "onsite_penalty_unit": None,
    "onsite_penalty_person": None,
    "fine_reminder": f"{COERCE}第三十五条、第四十五条、第五十四条",
    "enforcement_reminder": f"{COERCE}第五十四条",
    "additional_fine_decision": f"{PUNISH}第七十二条第一款第（一）项、{COERCE}第四十五条",
    "fine_deferral_approval": f"{PUNISH}第六十六条第二款",
    "fine_deferral_approval_letter": f"{PUNISH}第六十六条第二款",
    "enforcement_application": f"{COERCE}第五十三条、第五十四条、第五十五条；"
    f"{PUNISH}第七十二条第一款第（四）项",
    "transfer_approval": f"{PUNISH}第二十七条；{TRANSFER_RULES}第五条",
    "transfer_letter": f"{PUNISH}第二十七条；{TRANSFER_RULES}第三条、第六条",
}
# 法制审核 grounds, 行政处罚法 第五十八条第一款.
REVIEW_GROUNDS = (
    "（一）涉及重大公共利益的",
    "（二）直接关系当事人或者第三人重大权益，经过听证程序的",
    "（三）案件情况疑难复杂、涉及多个法律关系的",
    "（四）法律、法规规定应当进行法制审核的其他情形",
)
# What a 法制审核 looks at (国办发〔2018〕118号: 主体、权限、事实、证据、依据、程序、裁量、文书).
REVIEW_POINTS = (
    "执法主体是否合法，执法人员是否具备执法资格",
    "是否超越本机关法定权限",
    "违法事实是否清楚，证据是否确实充分",
    "适用法律、法规、规章是否准确",
    "程序是否合法（告知、陈述申辩、听证）",
    "行政裁量是否适当，是否符合裁量基准",
    "执法文书是否规范、齐备",
)
TRANSFER_MATERIALS = (  # 行政执法机关移送涉嫌犯罪案件的规定 第六条
    "涉嫌犯罪案件移送书",
    "涉嫌犯罪案件情况的调查报告",
    "涉案物品清单",
    "有关检验报告或者鉴定结论",
    "其他有关涉嫌犯罪的材料",
)
APPLICATION_MATERIALS = (  # 行政强制法 第五十五条
    "行政决定书及作出决定的事实、理由和依据",
    "当事人的意见及行政机关催告情况",
    "申请强制执行标的情况",
    "法律、行政法规规定的其他材料",
)


def money(amount: Decimal | None) -> str:
    return f"{amount:,.2f}元" if amount is not None else ""


def _numbers(session: Session, case: Case | None) -> dict[str, str]:
    """The 文号 of the case's latest final document of each form (the forms refer to them)."""
    if case is None:
        return {}
    rows = session.execute(
        select(Document.form_code, Document.number)
        .where(
            Document.subject_kind == "case",
            Document.subject_id == case.id,
            Document.status == "final",
            Document.number.is_not(None),
        )
        .order_by(Document.id)
    )
    return {code: number for code, number in rows}


def decision_part(case: Case | None, today: dt.date) -> dict[str, Any]:
    """The 行政处罚决定 a step of 执行 follows: 文号, dates, fine, paid, 加处罚款 so far."""
    penalties = list(case.penalties) if case is not None else []
    main = next((p for p in penalties if p.decision_no), penalties[0] if penalties else None)
    fines = [p for p in penalties if p.kind == "fine" and p.amount]
    fine = sum((p.amount for p in fines), Decimal(0)) if fines else None
    paid = sum((p.paid_amount or Decimal(0) for p in fines), Decimal(0))
    due = main.due_on if main is not None else None
    surcharge = None
    if fine is not None:
        stored = [p.surcharge for p in fines if p.surcharge is not None]
        if stored:
            surcharge = sum(stored, Decimal(0))
        elif due is not None and today > due:
            # 3% of the fine a day from the day after the due date, never more than the fine
            surcharge = min(
                fine, (fine * SURCHARGE_RATE * (today - due).days).quantize(Decimal("0.01"))
            )
    return {
        "decision": {
            "number": main.decision_no if main is not None else "",
            "date": cn_date(main.decided_on) if main is not None else "",
            "served_on": cn_date(main.served_on) if main is not None else "",
            "due_on": cn_date(due),
            "surcharge_from": cn_date(due + dt.timedelta(days=1)) if due else "",
            "fine": money(fine),
            "paid": money(paid) if fines else "",
            "unpaid": money(fine - paid) if fine is not None else "",
            "surcharge": money(surcharge),
            "surcharge_until": cn_date(today) if surcharge is not None else "",
        }
    }


def _extension(case: Case | None) -> dict[str, Any]:
    """案件延期: the 办案期限 of the rule set in force on the 立案 date (limits.py has the same rows)."""
    if case is not None and case.filed_on < RULE_18_FROM:
        steps = (30, 90, 180)
        limit = steps[min(case.extensions, 2)]
        return {
            "basis": "《安全生产违法行为行政处罚办法》（国家安全监管总局令第15号）第三十一条",
            "rule": "自立案之日起30日内作出行政处罚决定；由于客观原因不能完成的，经本机关负责人同意，"
            "可以延长，但不得超过90日；特殊情况需进一步延长的，经上一级部门批准，可延长至180日",
            "count": str(case.extensions),
            "limit_days": str(limit),
            "current_end": cn_date(case.filed_on + dt.timedelta(days=limit)),
        }
    end = cn_date(case.filed_on + dt.timedelta(days=90)) if case is not None else ""
    return {
        # 18号令's own article was not retrieved (research-2.md §1.1): the law's default is printed
        "basis": f"{PUNISH}第六十条",
        "rule": "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定。"
        "法律、法规、规章另有规定的，从其规定",
        "count": str(case.extensions) if case is not None else "",
        "limit_days": "90",
        "current_end": end,
    }


def _review_ground(case: Case | None) -> str:
    if case is not None and case.hearing_requested_on is not None:
        return REVIEW_GROUNDS[1]
    return ""


def _people(context: dict[str, Any]) -> tuple[str, str]:
    names = [p.get("name") or "" for p in context.get("inspectors") or []]
    return (names[0] if names else "", names[1] if len(names) > 1 else "")


def _step(context: dict[str, Any], case: Case | None, numbers: dict[str, str]) -> dict[str, Any]:
    """Every part a form of this module may read; each template prints its own."""
    first, second = _people(context)
    notified = cn_date(case.notified_on) if case is not None else ""
    requested = cn_date(case.hearing_requested_on) if case is not None else ""
    return {
        "refs": {
            "penalty_notice": numbers.get("penalty_notice", ""),
            "hearing_notice": numbers.get("hearing_notice", ""),
            "evidence_preservation_notice": numbers.get("evidence_preservation_notice", ""),
            "fine_reminder": numbers.get("fine_reminder", ""),
            "enforcement_reminder": numbers.get("enforcement_reminder", ""),
        },
        "notified_on": notified,
        "enforcement_served_on": "",  # the 催告书's service: a 送达回执 the case does not link yet
        "preservation": {
            "objects": "",
            "place": "",
            "method": "",
            "reason": "证据可能灭失或者以后难以取得",
            "date": "",
            "disposal": "",
        },
        "statement": {"time": "", "place": "", "person": "", "position": "", "content": ""},
        "hearing": {
            "requested_on": requested,
            "time": "",
            "end": "",
            "place": "",
            "chair": "",
            "members": "",
            "clerk": "",
            "agent": "",
            "investigators": "、".join(n for n in (first, second) if n),
            "public": "公开",
            "proceedings": "",
            "findings": "",
            "opinion": "",
        },
        "meeting": {
            "time": "",
            "place": "",
            "chair": "",
            "attendees": "",
            "recorder": "",
            "reporter": first,
            "discussion": "",
            "conclusion": "",
        },
        "review": {
            "ground": _review_ground(case),
            "points": list(REVIEW_POINTS),
            "submitted_on": "",
            "reviewer": "",
            "qualification": "",
            "opinion": "",
        },
        "no_penalty": {"reason": "", "education": ""},
        "onsite": {"time": "", "place": "", "collect": ""},
        "deferral": {
            "applied_on": "",
            "reason": "",
            "kind": "",
            "until": "",
            "installments": "",
        },
        "transfer": {
            "receiver": "",
            "reason": "",
            "materials": list(TRANSFER_MATERIALS),
        },
        "application": {"materials": list(APPLICATION_MATERIALS), "subject": ""},
        "handler": {"first": first, "second": second},
    }


def complete(session: Session, form: FormSpec, context: dict[str, Any]) -> dict[str, Any]:
    """The context of one of this module's forms, completed from its case (others unchanged)."""
    if form.code not in BASIS:
        return context
    record = context.get("record") or {}
    case = session.get(Case, record["id"]) if record.get("kind") == "case" else None
    today = dt.date.today()
    context.update(_step(context, case, _numbers(session, case)))
    context.update(decision_part(case, today))
    context["extension"] = _extension(case)
    context["case_basis"] = context.get("legal_basis") or ""  # the penalty's own basis
    basis = BASIS[form.code]
    if form.code == "case_extension_approval":
        basis = context["extension"]["basis"]
    if basis is not None:
        context["legal_basis"] = basis
    for extra in EXTRAS.get(form.code, ()):
        extra(context, case)
    return context


def _onsite(context: dict[str, Any], case: Case | None) -> None:
    # 行政处罚法 第五十二条: the decision states 时间、地点; the place of the check by default
    context["onsite"]["place"] = context.get("party", {}).get("address") or ""
    context["procedure_basis"] = f"{PUNISH}第五十一条、第五十二条"


EXTRAS: dict[str, tuple[Callable[[dict[str, Any], Case | None], None], ...]] = {
    "onsite_penalty_unit": (_onsite,),
    "onsite_penalty_person": (_onsite,),
}
