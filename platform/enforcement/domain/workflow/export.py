"""The procedure as data for others: `enforcement workflow show --json` prints `workflow_data()`,
`schemas/workflow.schema.json` validates it, and docs/workflow.md is rendered from it."""

from __future__ import annotations

from typing import Any

from enforcement.domain.workflow.limits import EVENT_LABELS, LIMITS, RULE_SETS, Limit
from enforcement.domain.workflow.penalties import PENALTY_KINDS
from enforcement.domain.workflow.stages import MAIN_LINE, Stage
from enforcement.domain.workflow.transitions import TRANSITIONS, Transition

GUARD_RULES: dict[str, str] = {
    "two_certified_inspectors": "两名以上持执法证号的执法人员承办（15号令第二十四条；行政处罚法第四十二条）",
    "facts_recorded": "已填写违法事实及证据摘要",
    "penalty_recorded": "已登记拟处罚的种类、金额（罚款/没收）和处罚依据",
    "hearing_rights_offered": "达到听证标准（单位罚款≥5万元、个人≥2万元，或责令停产停业、吊销许可证、关闭等）时已告知听证权利",
    "hearing_offered_to_party": "已告知听证权利",
    "hearing_requested_in_time": "在听证申请期限内提出",
    "party_period_over": "陈述申辩（及听证申请）期限已届满，或当事人已申请听证",
    "decision_recorded": "已登记处罚决定书文号和决定日期",
    "served_recorded": "已登记送达日期（不早于决定日期）",
    "fulfilled": "罚款及加处罚款已缴清，或已申请人民法院强制执行",
    "payment_overdue": "罚款缴纳期限（批准延期、分期的，至其截止日期）已届满且未缴纳",
    "note_given": "填写理由",
    "leader_approves": "负责人（leader 角色）操作，即审批",
    "extension_available": "适用规则尚有可批准的延期",
    "undecided": "尚未作出处罚决定",
    "legal_review_done": "经过听证或已列为须法制审核的案件，已完成法制审核（听证后）（行政处罚法第五十八条）",
    "legal_review_pending": "须法制审核且尚未完成（听证后）",
    "legal_review_not_flagged": "尚未列为须法制审核",
    "collective_discussion_done": "已列为情节复杂或重大违法的案件，已经负责人集体讨论（第五十七条第二款）",
    "collective_discussion_pending": "须集体讨论且尚未讨论",
    "collective_not_flagged": "尚未列为须集体讨论",
    "not_heavier_than_notified": "不重于首次告知的处罚（不增加种类、不提高金额；第四十五条）",
    "hearing_date_noticed_in_time": "听证会日期在通知之日起七个工作日之后（第六十四条（二）、第八十五条）",
    "hearing_held": "听证会已通知并已举行",
    "onsite_penalty_allowed": "仅警告或罚款，罚款单位≤3000元、个人≤200元（第五十一条）",
    "fine_unpaid": "有尚未缴纳的罚款",
    "deferral_date_valid": "延期（分期）缴纳截止日期晚于今天及已批准的日期",
    "reminder_served": "催告书已送达满十个工作日（行政强制法第五十四条、第六十九条）",
    "appeal_periods_over": "复议（60日）、诉讼（6个月）期限已届满（最后一日为节假日的顺延至其后第一个工作日），延期（分期）缴纳的自其期限结束（第五十三条；行政处罚法第七十二条）",
    "within_court_window": "在上述期限届满之日起三个月内（行政强制法第五十三条）",
}


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _limit(limit: Limit) -> dict[str, Any]:
    return {
        "key": limit.key,
        "name": limit.name,
        "rule_set": limit.rule_set,
        "days": limit.days if limit.kind != "months" else None,
        "months": limit.days if limit.kind == "months" else None,
        "kind": limit.kind,
        "start_event": limit.start_event,
        "start_event_label": EVENT_LABELS[limit.start_event],
        "done_event": limit.done_event,
        "waiting_period": limit.minimum,
        "ends_on_working_day": limit.ends_on_working_day,
        "applies_from": _day(limit.applies_from),
        "applies_until": _day(limit.applies_until),
        "source": limit.source,
        "confidence": limit.confidence,
        "to_verify": limit.to_verify,
    }


def _transition(row: Transition) -> dict[str, Any]:
    return {
        "stage": row.stage.value,
        "action": row.action,
        "label": row.label,
        "target": row.target.value,
        "guards": row.guard_names,
        "approved_by": row.approved_by or None,
        "needs_note": row.needs_note,
        "needs_date": row.needs_date or None,
        "form": row.form,
        "form_person": row.form_person,
        "source": row.source or None,
    }


def workflow_data() -> dict[str, Any]:
    """Rule sets, stages, transitions and limits, in table order (stable for diffs)."""
    return {
        "rule_sets": [
            {
                "name": r.name,
                "title": r.title,
                "applies_from": _day(r.applies_from),
                "applies_until": _day(r.applies_until),
                "verified": r.verified,
                "decision_extensions": [
                    {"total_days": d, "approved_by": who, "source": src, "confidence": conf}
                    for d, who, src, conf in r.decision_extensions
                ],
                "hearing_threshold_unit": str(r.hearing_threshold_unit),
                "hearing_threshold_individual": str(r.hearing_threshold_individual),
                "hearing_threshold_source": r.hearing_threshold_source,
                "surcharge_rate": str(r.surcharge_rate),
                "surcharge_source": r.surcharge_source,
            }
            for r in RULE_SETS
        ],
        "stages": [{"key": s.value, "label": s.label, "main_line": s in MAIN_LINE} for s in Stage],
        "transitions": [_transition(row) for row in TRANSITIONS],
        "guards": [{"name": name, "rule": rule} for name, rule in GUARD_RULES.items()],
        "limits": [_limit(limit) for limit in LIMITS],
        "penalty_kinds": [
            {
                "key": k.key,
                "label": k.label,
                "monetary": k.monetary,
                "hearing": k.hearing,
                "source": k.source,
                "confidence": k.confidence,
            }
            for k in PENALTY_KINDS
        ],
    }
