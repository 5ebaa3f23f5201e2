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
    deferred = getattr(case, "deferred_until", None)
    if due is not None and deferred is not None and deferred > due:
        due = deferred  # an approved deferral moves the day the surcharge starts (第六十六条)
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


def _on(case: Case | None, name: str) -> str:
    """A date of a procedure step the case records (the columns issue 10's procedure adds: read
    when present, so the forms fill in once they are merged)."""
    return cn_date(getattr(case, name, None)) if case is not None else ""


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
        "enforcement_served_on": _on(case, "reminder_served_on"),
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
            "time": _on(case, "hearing_on"),
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
            "time": _on(case, "collective_discussed_on"),
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
            "kind": "延期" if _on(case, "deferred_until") else "",
            "until": _on(case, "deferred_until"),
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


# What the inspector types on each of these forms before finalizing (path, label, kind), and what a
# final one may not leave blank; services/documents.py merges both into its tables.
_DECISION_PARTS = [
    ("decision.number", "处罚决定书文号", "text"),
    ("decision.date", "处罚决定日期", "text"),
    ("decision.served_on", "决定书送达日期", "text"),
    ("decision.fine", "罚款金额", "text"),
    ("decision.unpaid", "未缴罚款", "text"),
    ("decision.surcharge", "加处罚款", "text"),
    ("payment.bank", "缴款银行", "text"),
    ("payment.account", "账号", "text"),
]
_CONTACT = [
    ("contact.person", "联系人", "text"),
    ("contact.phone", "联系电话", "text"),
    ("contact.address", "机关地址", "text"),
]
_OBJECTS = ("preservation.objects", "先行登记保存的物品（名称、规格、数量）", "lines")
_HEARING = [
    ("hearing.time", "听证时间", "text"),
    ("hearing.place", "听证地点", "text"),
    ("hearing.chair", "听证主持人", "text"),
    ("hearing.members", "听证员", "text"),
    ("hearing.clerk", "记录员", "text"),
]
_ONSITE = [
    ("onsite.time", "违法时间", "text"),
    ("onsite.place", "违法地点", "text"),
    ("facts", "违法事实及证据", "lines"),
    ("violated", "违反条款", "text"),
    ("penalty", "处罚内容", "text"),
    ("onsite.collect", "缴纳方式（当场缴纳／银行缴纳）", "text"),
    ("payment.bank", "缴款银行", "text"),
    ("payment.account", "账号", "text"),
    ("remedy.court", "行政诉讼管辖法院", "text"),
]
_TRANSFER = [
    ("transfer.receiver", "接受移送机关", "text"),
    ("transfer.reason", "移送理由", "lines"),
]
EDITABLE: dict[str, list[tuple[str, str, str]]] = {
    "evidence_preservation_approval": [
        _OBJECTS,
        ("preservation.place", "保存地点", "text"),
        ("preservation.method", "保存方式", "text"),
        ("preservation.reason", "先行登记保存理由", "text"),
    ],
    "evidence_preservation_notice": [
        _OBJECTS,
        ("preservation.place", "保存地点", "text"),
        ("preservation.method", "保存方式", "text"),
    ],
    "evidence_disposal_approval": [
        _OBJECTS,
        ("preservation.date", "先行登记保存日期", "text"),
        ("refs.evidence_preservation_notice", "先行登记保存证据通知书文号", "text"),
        ("preservation.disposal", "处理意见", "lines"),
    ],
    "statement_record": [
        ("statement.time", "陈述申辩时间", "text"),
        ("statement.place", "地点", "text"),
        ("statement.person", "陈述申辩人", "text"),
        ("statement.position", "职务", "text"),
        ("statement.content", "陈述申辩内容", "lines"),
    ],
    "hearing_meeting_notice": [*_HEARING, *_CONTACT],
    "hearing_record": [
        *_HEARING,
        ("hearing.end", "听证结束时间", "text"),
        ("hearing.agent", "委托代理人", "text"),
        ("hearing.proceedings", "听证记录", "lines"),
    ],
    "hearing_report": [
        *_HEARING,
        ("hearing.agent", "委托代理人", "text"),
        ("hearing.proceedings", "听证会基本情况", "lines"),
        ("hearing.findings", "案件事实、证据认定", "lines"),
        ("hearing.opinion", "主持人处理意见及建议", "lines"),
    ],
    "collective_discussion": [
        ("meeting.time", "讨论时间", "text"),
        ("meeting.place", "地点", "text"),
        ("meeting.chair", "主持人", "text"),
        ("meeting.recorder", "记录人", "text"),
        ("meeting.attendees", "出席人员（姓名、职务）", "text"),
        ("meeting.discussion", "讨论记录", "lines"),
        ("meeting.conclusion", "结论性意见", "lines"),
    ],
    "legal_review_opinion": [
        ("review.submitted_on", "送审时间", "text"),
        ("review.ground", "法制审核情形", "text"),
        ("review.opinion", "审核意见", "lines"),
        ("review.reviewer", "审核人", "text"),
        ("review.qualification", "法律职业资格证书编号", "text"),
    ],
    "no_penalty_decision": [
        ("facts", "违法事实", "lines"),
        ("evidence", "证据", "lines"),
        ("violated", "违反条款", "text"),
        ("no_penalty.reason", "不予处罚的理由", "text"),
        ("no_penalty.education", "教育情况", "text"),
        ("remedy.court", "行政诉讼管辖法院", "text"),
    ],
    "case_extension_approval": [
        ("extension.reason", "延期理由", "lines"),
        ("extension.until", "申请延期至", "text"),
    ],
    "onsite_penalty_unit": _ONSITE,
    "onsite_penalty_person": [
        *_ONSITE,
        ("party.gender", "性别", "text"),
        ("party.age", "年龄", "text"),
        ("party.id_no", "身份证号", "text"),
        ("party.home", "住址", "text"),
    ],
    "fine_reminder": [*_DECISION_PARTS, *_CONTACT],
    "enforcement_reminder": [*_DECISION_PARTS, *_CONTACT],
    "additional_fine_decision": [*_DECISION_PARTS, ("remedy.court", "行政诉讼管辖法院", "text")],
    "fine_deferral_approval": [
        ("decision.number", "处罚决定书文号", "text"),
        ("deferral.applied_on", "申请日期", "text"),
        ("deferral.reason", "申请理由", "lines"),
        ("deferral.kind", "延期或分期", "text"),
        ("deferral.until", "延期至", "text"),
        ("deferral.installments", "分期安排", "text"),
    ],
    "enforcement_application": [
        *_DECISION_PARTS,
        ("remedy.court", "受理法院", "text"),
        ("enforcement_served_on", "催告书送达日期", "text"),
        ("refs.enforcement_reminder", "催告书文号", "text"),
        *_CONTACT,
    ],
    "transfer_approval": _TRANSFER,
    "transfer_letter": [*_TRANSFER, ("contact.person", "联系人", "text"),
                        ("contact.phone", "联系电话", "text")],
}  # fmt: skip
EDITABLE["evidence_disposal_decision"] = EDITABLE["evidence_disposal_approval"]
EDITABLE["fine_deferral_approval_letter"] = EDITABLE["fine_deferral_approval"]
REQUIRED_TO_FINALIZE: dict[str, tuple[str, ...]] = {
    "evidence_preservation_approval": ("preservation.objects",),
    "evidence_preservation_notice": ("preservation.objects", "preservation.place"),
    "evidence_disposal_approval": ("preservation.objects", "preservation.disposal"),
    "evidence_disposal_decision": ("preservation.objects", "preservation.disposal"),
    "statement_record": ("statement.content",),
    # 行政处罚法 第六十四条（二）: the notice names the time and the place
    "hearing_meeting_notice": ("hearing.time", "hearing.place", "hearing.chair"),
    "hearing_record": ("hearing.time", "hearing.place", "hearing.chair", "hearing.proceedings"),
    "hearing_report": ("hearing.opinion",),
    "collective_discussion": ("meeting.time", "meeting.attendees", "meeting.conclusion"),
    "legal_review_opinion": ("review.ground", "review.opinion", "review.reviewer"),
    "no_penalty_decision": ("facts", "violated", "no_penalty.reason"),
    "case_extension_approval": ("extension.reason", "extension.until"),
    # 第五十二条: 违法行为、种类和依据、罚款数额、时间、地点
    "onsite_penalty_unit": ("facts", "violated", "penalty", "onsite.time", "onsite.place"),
    "onsite_penalty_person": ("facts", "violated", "penalty", "onsite.time", "onsite.place"),
    "fine_reminder": ("decision.number", "decision.unpaid"),
    "enforcement_reminder": ("decision.number", "decision.unpaid"),
    "additional_fine_decision": ("decision.number", "decision.fine"),
    "fine_deferral_approval": ("decision.number", "deferral.reason"),
    "fine_deferral_approval_letter": ("decision.number", "deferral.kind"),
    "enforcement_application": ("decision.number", "decision.unpaid"),
    "transfer_approval": ("transfer.receiver", "transfer.reason"),
    "transfer_letter": ("transfer.receiver", "transfer.reason"),
}
# The order a case offers them in (after the forms the case desk already offers).
CASE_STEP_FORMS: tuple[str, ...] = (
    "evidence_preservation_approval",
    "evidence_preservation_notice",
    "evidence_disposal_approval",
    "evidence_disposal_decision",
    "statement_record",
    "hearing_meeting_notice",
    "hearing_record",
    "hearing_report",
    "legal_review_opinion",
    "collective_discussion",
    "case_extension_approval",
    "no_penalty_decision",
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "fine_deferral_approval",
    "fine_deferral_approval_letter",
    "fine_reminder",
    "additional_fine_decision",
    "enforcement_reminder",
    "enforcement_application",
    "transfer_approval",
    "transfer_letter",
)
