"""The guards of the transition table: plain functions of the facts returning None (allowed) or
a Chinese refusal reason; plus the 立案 time-limit check `open_case` makes before a case exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from enforcement.domain.workflow.facts import CaseFacts
from enforcement.domain.workflow.limits import (
    add_days,
    late_payment_surcharge,
    limits_for,
    rule_set_for,
)
from enforcement.domain.workflow.penalties import PENALTY_KIND_BY_KEY

Guard = Callable[[CaseFacts], str | None]


def hearing_right(facts: CaseFacts) -> bool:
    """行政处罚法(2021) 第六十三条: the penalties that give the party a right to a hearing."""
    rules = rule_set_for(facts.filed_on)
    threshold = (
        rules.hearing_threshold_unit
        if facts.party_kind == "unit"
        else rules.hearing_threshold_individual
    )
    for penalty in facts.penalties:
        kind = PENALTY_KIND_BY_KEY.get(penalty.kind)
        if kind is None:
            continue
        if kind.hearing == "always":
            return True
        if kind.hearing == "amount" and (penalty.amount or Decimal(0)) >= threshold:
            return True
    return False


def two_certified_inspectors(facts: CaseFacts) -> str | None:
    certified = {c.strip() for c in facts.inspector_certificates if c and c.strip()}
    if len(certified) < 2:
        return "案件应由两名以上持有执法证的执法人员承办（15号令第二十四条）"
    return None


def facts_recorded(facts: CaseFacts) -> str | None:
    if len(facts.facts.strip()) < 10:
        return "请先填写违法事实及证据摘要（不少于10个字）"
    return None


def penalty_recorded(facts: CaseFacts) -> str | None:
    if not facts.penalties:
        return "尚未登记拟作出的行政处罚（种类、金额、依据）"
    for penalty in facts.penalties:
        kind = PENALTY_KIND_BY_KEY.get(penalty.kind)
        label = kind.label if kind else penalty.kind
        if kind is None:
            return f"未知的处罚种类：{penalty.kind}"
        if kind.monetary and (penalty.amount is None or penalty.amount <= 0):
            return f"“{label}”应登记金额"
        if not penalty.basis.strip():
            return f"“{label}”应登记处罚依据"
    return None


def hearing_rights_offered(facts: CaseFacts) -> str | None:
    if hearing_right(facts) and not facts.hearing_offered:
        return (
            "拟作出的处罚达到听证标准（较大数额罚款、责令停产停业、吊销许可证等），"
            "应当告知当事人有要求听证的权利（行政处罚法第六十三条）"
        )
    return None


def hearing_offered_to_party(facts: CaseFacts) -> str | None:
    if not facts.hearing_offered:
        return "未告知听证权利，或拟作出的处罚不属于听证范围"
    return None


def hearing_requested_in_time(facts: CaseFacts) -> str | None:
    limit = limits_for(facts.filed_on)["hearing_request"]
    if facts.notified_on is None:
        return "尚未告知当事人"
    due = add_days(facts.notified_on, limit.days, limit.day_kind)
    if facts.today > due:
        return f"听证申请期限已于{due.isoformat()}届满（{limit.days}日，{limit.source}）"
    return None


def party_period_over(facts: CaseFacts) -> str | None:
    """The decision waits until the party's 陈述申辩 / 听证申请 periods have run out."""
    if facts.notified_on is None:
        return "尚未告知当事人拟作出的行政处罚"
    limits = limits_for(facts.filed_on)
    keys = ["statement"] + (["hearing_request"] if facts.hearing_offered else [])
    for key in keys:
        limit = limits[key]
        due = add_days(facts.notified_on, limit.days, limit.day_kind)
        if facts.today <= due and facts.hearing_requested_on is None:
            return f"当事人的{limit.name}至{due.isoformat()}届满，期满后方可作出处罚决定"
    return None


def decision_recorded(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        if not penalty.decision_no.strip() or penalty.decided_on is None:
            return "请先登记处罚决定书文号和决定日期"
        if penalty.decided_on > facts.today:
            return "决定日期不能晚于今天"
    return None


def served_recorded(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        if penalty.served_on is None:
            return "请先登记处罚决定书的送达日期"
        if penalty.decided_on is not None and penalty.served_on < penalty.decided_on:
            return "送达日期不能早于决定日期"
    return None


def fulfilled(facts: CaseFacts) -> str | None:
    """结案 after execution: every fine (with its surcharge) paid, or enforcement applied for."""
    if facts.court_enforcement_on is not None:
        return None
    for penalty in facts.penalties:
        if penalty.kind != "fine" or penalty.amount is None:
            continue
        owed = penalty.amount + late_payment_surcharge(
            penalty.amount, penalty.due_on, penalty.paid_on or facts.today
        )
        if penalty.paid_amount < owed:
            return (
                f"罚款尚未缴清（应缴{owed}元，已缴{penalty.paid_amount}元），"
                "缴清或申请人民法院强制执行后方可结案"
            )
    return None


def payment_overdue(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        if penalty.kind == "fine" and penalty.paid_on is None and penalty.due_on is not None:
            if facts.today > penalty.due_on:
                return None
    return "罚款缴纳期限尚未届满或已缴纳，不能申请强制执行"


def note_given(facts: CaseFacts) -> str | None:
    if len(facts.note.strip()) < 2:
        return "请填写理由"
    return None


def leader_approves(facts: CaseFacts) -> str | None:
    if not facts.actor_is_leader:
        return "此操作须由负责人审批"
    return None


def extension_available(facts: CaseFacts) -> str | None:
    rules = rule_set_for(facts.filed_on)
    if facts.extensions >= len(rules.decision_extensions):
        return f"{rules.name}没有可再批准的延期"
    return None


def undecided(facts: CaseFacts) -> str | None:
    if facts.decided_on is not None:
        return "已作出处罚决定，不能再撤销立案"
    return None


def filing_refusal(evidence_taken_on: dt.date | None, filed_on: dt.date) -> str | None:
    """立案 within the limit after on-the-spot evidence taking (the open_case check)."""
    if evidence_taken_on is None:
        return None
    if filed_on < evidence_taken_on:
        return "立案日期不能早于先行调查取证日期"
    limit = limits_for(filed_on)["filing"]
    due = add_days(evidence_taken_on, limit.days, limit.day_kind)
    if filed_on > due:
        return (
            f"先行调查取证后应在{limit.days}日内补办立案手续（{limit.source}），"
            f"期限已于{due.isoformat()}届满"
        )
    return None
