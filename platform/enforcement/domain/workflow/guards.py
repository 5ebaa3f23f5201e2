"""The guards of the transition table: plain functions of the facts returning None (allowed) or
a Chinese refusal reason; plus the 立案 time-limit check `open_case` makes before a case exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from enforcement.domain.workflow.facts import CaseFacts, PenaltyFacts
from enforcement.domain.workflow.limits import (
    add_days,
    late_payment_surcharge,
    limit_due,
    limits_for,
    rule_set_for,
)
from enforcement.domain.workflow.penalties import ONSITE_KINDS, PENALTY_KIND_BY_KEY

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


def due_date(facts: CaseFacts, key: str, start: dt.date) -> dt.date:
    """The last day of limit `key` (of the case's rule set) counted from `start`, on the case's
    calendar; a year the calendar does not cover raises `CalendarGap` (the caller reports it)."""
    return limit_due(limits_for(facts.filed_on)[key], start, facts.calendar)


def hearing_requested_in_time(facts: CaseFacts) -> str | None:
    limit = limits_for(facts.filed_on)["hearing_request"]
    if facts.notified_on is None:
        return "尚未告知当事人"
    due = due_date(facts, "hearing_request", facts.notified_on)
    if facts.today > due:
        return f"听证申请期限已于{due.isoformat()}届满（{limit.span}，{limit.source}）"
    return None


def party_period_over(facts: CaseFacts) -> str | None:
    """The decision waits until the party's 陈述申辩 / 听证申请 periods have run out."""
    if facts.notified_on is None:
        return "尚未告知当事人拟作出的行政处罚"
    limits = limits_for(facts.filed_on)
    keys = ["statement"] + (["hearing_request"] if facts.hearing_offered else [])
    for key in keys:
        limit = limits[key]
        due = due_date(facts, key, facts.notified_on)
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


def fine_unpaid(facts: CaseFacts) -> str | None:
    if not any(p.kind == "fine" and p.paid_on is None for p in facts.penalties):
        return "没有尚未缴纳的罚款"
    return None


def fulfilled(facts: CaseFacts) -> str | None:
    """结案 after execution: every fine (with its surcharge) paid, or enforcement applied for."""
    if facts.court_enforcement_on is not None:
        return None
    for penalty in facts.penalties:
        if penalty.kind != "fine" or penalty.amount is None:
            continue
        owed = penalty.amount + late_payment_surcharge(
            penalty.amount, payment_due_on(facts, penalty), penalty.paid_on or facts.today
        )
        if penalty.paid_amount < owed:
            return (
                f"罚款尚未缴清（应缴{owed}元，已缴{penalty.paid_amount}元），"
                "缴清或申请人民法院强制执行后方可结案"
            )
    return None


def payment_due_on(facts: CaseFacts, penalty: PenaltyFacts) -> dt.date | None:
    """The fine's due date, moved to the end of an approved 延期（分期）缴纳 (第六十六条)."""
    if penalty.due_on is None:
        return None
    if facts.deferred_until is not None and facts.deferred_until > penalty.due_on:
        return facts.deferred_until
    return penalty.due_on


def payment_overdue(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        due = payment_due_on(facts, penalty)
        if penalty.kind == "fine" and penalty.paid_on is None and due is not None:
            if facts.today > due:
                return None
    if facts.deferred_until is not None and facts.today <= facts.deferred_until:
        return f"已批准延期（分期）缴纳罚款至{facts.deferred_until.isoformat()}，期满前不能催告或申请强制执行"
    return "罚款缴纳期限尚未届满或已缴纳，不能催告或申请强制执行"


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
            f"先行调查取证后应在{limit.span}内补办立案手续（{limit.source}），"
            f"期限已于{due.isoformat()}届满"
        )
    return None


# ---- issue 10: legal-review.md findings 3–5 ---------------------------------------------------


def legal_review_needed(facts: CaseFacts) -> bool:
    """行政处罚法 第五十八条: heard cases (（四）) and the cases flagged under （一）–（三）."""
    return facts.heard or facts.legal_review_required


def _legal_review_current(facts: CaseFacts) -> bool:
    if facts.legal_reviewed_on is None:
        return False
    # A review before the hearing did not see what the hearing brought up.
    return facts.hearing_on is None or facts.legal_reviewed_on >= facts.hearing_on


def legal_review_done(facts: CaseFacts) -> str | None:
    if legal_review_needed(facts) and not _legal_review_current(facts):
        why = "经过听证的案件" if facts.heard else "本案已列为须法制审核的案件"
        return (
            f"{why}，作出决定前应当进行法制审核；未经法制审核或者审核未通过的，不得作出决定"
            "（行政处罚法第五十八条）"
        )
    return None


def legal_review_pending(facts: CaseFacts) -> str | None:
    if not legal_review_needed(facts):
        return "本案不属于行政处罚法第五十八条须法制审核的情形（可先标记须法制审核）"
    if _legal_review_current(facts):
        return "已完成法制审核"
    return None


def collective_discussion_done(facts: CaseFacts) -> str | None:
    if facts.collective_required and facts.collective_discussed_on is None:
        return (
            "情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定"
            "（行政处罚法第五十七条第二款）"
        )
    return None


def collective_discussion_pending(facts: CaseFacts) -> str | None:
    if not facts.collective_required:
        return "本案未列为须集体讨论的案件（可先标记情节复杂或重大违法）"
    if facts.collective_discussed_on is not None:
        return "已完成集体讨论"
    return None


def legal_review_not_flagged(facts: CaseFacts) -> str | None:
    if legal_review_needed(facts):
        return "本案已须法制审核"
    return None


def collective_not_flagged(facts: CaseFacts) -> str | None:
    if facts.collective_required:
        return "本案已列为须集体讨论"
    return None


def _heavier(now: tuple[PenaltyFacts, ...], before: tuple[PenaltyFacts, ...]) -> str | None:
    told = {p.kind: p.amount for p in before}
    for penalty in now:
        label = (
            PENALTY_KIND_BY_KEY[penalty.kind].label if penalty.kind in PENALTY_KIND_BY_KEY else ""
        )
        if penalty.kind not in told:
            return f"增加了告知时没有的“{label or penalty.kind}”"
        earlier = told[penalty.kind]
        if penalty.amount is not None and earlier is not None and penalty.amount > earlier:
            return f"“{label}”由{earlier}元提高到{penalty.amount}元"
    return None


def not_heavier_than_notified(facts: CaseFacts) -> str | None:
    """第四十五条: 行政机关不得因当事人陈述、申辩而给予更重的处罚."""
    if facts.notified_penalties is None:
        return None
    heavier = _heavier(facts.penalties, facts.notified_penalties)
    if heavier:
        return f"拟作出的处罚重于已告知的处罚（{heavier}）；不得因当事人陈述、申辩而给予更重的处罚（行政处罚法第四十五条）"
    return None


def hearing_date_noticed_in_time(facts: CaseFacts) -> str | None:
    """第六十四条（二）: the party is told the time and place 7 (working) days before."""
    if facts.step_date is None:
        return "请填写听证会日期"
    earliest = due_date(facts, "hearing_notice", facts.today)
    if facts.step_date < earliest:
        return (
            f"应当在举行听证的七个工作日前通知当事人（行政处罚法第六十四条（二）），"
            f"今天通知的，听证会最早于{earliest.isoformat()}举行"
        )
    return None


def hearing_held(facts: CaseFacts) -> str | None:
    if facts.hearing_on is None:
        return "尚未通知听证会的时间、地点（听证会通知书）"
    if facts.hearing_on > facts.today:
        return f"听证会定于{facts.hearing_on.isoformat()}举行，举行后方可作出决定"
    return None


def onsite_penalty_allowed(facts: CaseFacts) -> str | None:
    """第五十一条: 违法事实确凿并有法定依据，对公民处以二百元以下、对法人或者其他组织处以三千元以下
    罚款或者警告的行政处罚的，可以当场作出行政处罚决定."""
    if not facts.penalties:
        return "尚未登记拟作出的行政处罚（警告或罚款）"
    cap = Decimal("200") if facts.party_kind == "individual" else Decimal("3000")
    who = "个人二百元" if facts.party_kind == "individual" else "单位三千元"
    for penalty in facts.penalties:
        if penalty.kind not in ONSITE_KINDS:
            return "当场处罚只能是警告或罚款（行政处罚法第五十一条），请按一般程序办理"
    if facts.fine_total > cap:
        return f"罚款超过当场处罚限额（{who}以下，行政处罚法第五十一条），请按一般程序办理"
    return None


def appeal_period_end(facts: CaseFacts, *, roll: bool = True) -> dt.date | None:
    """When the 复议 (60 日) and 诉讼 (6 个月) periods have both run out, or the deferral ended.
    `roll=False`: without moving a holiday end (for an estimate where the calendar lacks the year)."""
    if facts.served_on is None:
        return None
    limits = limits_for(facts.filed_on)
    ends = [
        limit_due(limit, facts.served_on, facts.calendar)
        if roll
        else add_days(facts.served_on, limit.days, limit.day_kind)
        for limit in (limits["reconsideration"], limits["litigation"])
    ]
    end = max(ends)
    if facts.deferred_until is not None and facts.deferred_until > end:
        return facts.deferred_until
    return end


def reminder_served(facts: CaseFacts) -> str | None:
    """行政强制法 第五十四条: 催告书送达十日后当事人仍未履行义务的，方可申请."""
    if facts.reminder_served_on is None:
        return "申请人民法院强制执行前，应当书面催告当事人履行义务（行政强制法第五十四条），请先送达催告书"
    ready = due_date(facts, "enforcement_reminder", facts.reminder_served_on)
    if facts.today <= ready:
        return (
            f"催告书于{facts.reminder_served_on.isoformat()}送达，十个工作日后（{ready.isoformat()}之后）"
            "当事人仍未履行的，方可申请强制执行（行政强制法第五十四条、第六十九条）"
        )
    return None


def appeal_periods_over(facts: CaseFacts) -> str | None:
    end = appeal_period_end(facts)
    if end is None:
        return "尚未登记处罚决定书的送达日期"
    if facts.today <= end:
        return (
            f"当事人申请行政复议（60日）、提起行政诉讼（6个月）的期限至{end.isoformat()}届满，"
            "期满不复议、不起诉又不履行的，方可申请强制执行（行政强制法第五十三条）"
        )
    return None


def within_court_window(facts: CaseFacts) -> str | None:
    end = appeal_period_end(facts)
    if end is None:
        return "尚未登记处罚决定书的送达日期"
    window = limits_for(facts.filed_on)["court_window"]
    if facts.today <= add_days(end, window.days, window.day_kind):
        return None  # before the unmoved last day: no need of next year's calendar to say so
    last = due_date(facts, "court_window", end)
    if facts.today > last:
        return f"申请人民法院强制执行的期限（期限届满之日起三个月）已于{last.isoformat()}届满（行政强制法第五十三条）"
    return None


def deferral_date_valid(facts: CaseFacts) -> str | None:
    if facts.step_date is None:
        return "请填写延期（分期）缴纳的截止日期"
    if facts.step_date <= facts.today:
        return "延期（分期）缴纳的截止日期应晚于今天"
    if facts.deferred_until is not None and facts.step_date <= facts.deferred_until:
        return f"已批准延期至{facts.deferred_until.isoformat()}，新的截止日期应更晚"
    return None
