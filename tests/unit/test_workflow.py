"""The 立案查处 procedure table, its guards and the statutory clocks (pure domain, fixed clock)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from enforcement.domain import workflow as wf
from enforcement.domain.workflow import CaseFacts, IllegalTransition, PenaltyFacts, Stage
from support.case_facts import (
    CAL,
    FILED,
    FILED_OLD,
    TODAY,
    D,
    decided,
    fine,
    green,
    refused,
)

# Written by hand from the procedure (research.md §4), independent of the table.
ALLOWED: set[tuple[str, str]] = {
    ("filed", "investigate"),
    ("filed", "withdraw"),
    ("filed", "onsite_penalty"),
    ("filed", "require_legal_review"),
    ("filed", "require_collective"),
    ("investigation", "transfer"),
    ("investigation", "require_legal_review"),
    ("investigation", "require_collective"),
    ("review", "transfer"),
    ("review", "require_legal_review"),
    ("review", "require_collective"),
    ("review", "legal_review"),
    ("review", "collective_discussion"),
    ("notice", "legal_review"),
    ("notice", "collective_discussion"),
    ("hearing", "schedule_hearing"),
    ("hearing", "legal_review"),
    ("hearing", "collective_discussion"),
    ("execution", "defer_payment"),
    ("execution", "serve_reminder"),
    ("transferred", "archive"),
    ("investigation", "submit"),
    ("investigation", "extend"),
    ("investigation", "withdraw"),
    ("review", "notify"),
    ("review", "notify_hearing"),
    ("review", "return"),
    ("review", "no_penalty"),
    ("review", "extend"),
    ("review", "withdraw"),
    ("notice", "request_hearing"),
    ("notice", "reconsider"),
    ("notice", "decide"),
    ("notice", "extend"),
    ("hearing", "decide"),
    ("hearing", "reconsider"),
    ("hearing", "extend"),
    ("decision", "serve"),
    ("service", "execute"),
    ("execution", "enforce"),
    ("execution", "close"),
    ("closed", "archive"),
    ("withdrawn", "archive"),
}
ALL_ACTIONS = sorted({a for _, a in ALLOWED} | {"open", "delete", "reopen"})


def test_every_row_of_the_transition_table_moves_to_its_target():
    for row in wf.TRANSITIONS:
        facts = green(row.stage)
        if row.action == "close":
            paid = replace(facts.penalties[0], paid_amount=Decimal("30000"), paid_on=D(2026, 3, 15))
            facts = replace(facts, penalties=(paid,))
        if row.action == "notify":
            facts = replace(facts, penalties=(PenaltyFacts("warning", None, "第九十九条"),))
        if row.action == "extend":
            facts = replace(facts, filed_on=FILED_OLD)
        if row.action == "request_hearing":
            facts = replace(facts, today=D(2026, 3, 11))
        if (row.stage, row.action) == (Stage.NOTICE, "decide"):
            facts = replace(facts, today=D(2026, 3, 18))  # after 5 working days from 03-10
        if row.action == "onsite_penalty":
            facts = replace(facts, penalties=(fine("2000"),))
        if row.action in ("legal_review", "collective_discussion"):
            facts = replace(
                facts, legal_review_required=True, collective_required=True, legal_reviewed_on=None
            )
        if row.action == "schedule_hearing":
            facts = replace(facts, step_date=D(2026, 3, 31))
        if row.action == "defer_payment":
            facts = replace(facts, step_date=D(2026, 4, 30))
        if row.action == "enforce":  # after the reminder, the 复议/诉讼 periods, inside 3 months
            facts = replace(facts, reminder_served_on=D(2026, 9, 2), today=D(2026, 9, 21))
        assert wf.next_stage(row.stage, row.action, facts) == row.target, row


def test_the_table_has_exactly_the_hand_written_moves():
    assert {(r.stage.value, r.action) for r in wf.TRANSITIONS} == ALLOWED


def test_every_pair_not_in_the_allowed_set_is_refused_with_the_allowed_actions():
    for stage, action in itertools.product(Stage, ALL_ACTIONS):
        if (stage.value, action) in ALLOWED:
            continue
        with pytest.raises(IllegalTransition) as refused:
            wf.next_stage(stage, action, green(stage))
        assert stage.label in refused.value.reason
        for row in wf.rows_from(stage):
            assert row.label in refused.value.reason


def test_archived_is_terminal():
    assert wf.rows_from(Stage.ARCHIVED) == []
    with pytest.raises(IllegalTransition, match="无（已终结）"):
        wf.next_stage(Stage.ARCHIVED, "close", green(Stage.ARCHIVED))


def test_a_case_needs_two_certified_inspectors():
    facts = replace(green(Stage.FILED), inspector_certificates=("36010201", " "))
    assert "两名以上" in refused(Stage.FILED, "investigate", facts)
    same_twice = replace(facts, inspector_certificates=("36010201", "36010201"))
    assert "两名以上" in refused(Stage.FILED, "investigate", same_twice)


def test_review_needs_the_facts_and_a_recorded_penalty():
    facts = green(Stage.INVESTIGATION)
    assert "违法事实" in refused(Stage.INVESTIGATION, "submit", replace(facts, facts=""))
    assert "尚未登记" in refused(Stage.INVESTIGATION, "submit", replace(facts, penalties=()))
    no_amount = replace(facts, penalties=(PenaltyFacts("fine", None, "第九十九条"),))
    assert "金额" in refused(Stage.INVESTIGATION, "submit", no_amount)
    no_basis = replace(facts, penalties=(PenaltyFacts("warning", None, ""),))
    assert "处罚依据" in refused(Stage.INVESTIGATION, "submit", no_basis)


def test_a_penalty_is_recorded_before_the_decision():
    assert "尚未登记" in refused(
        Stage.HEARING, "decide", replace(green(Stage.HEARING), penalties=())
    )


def test_the_decision_number_is_recorded_before_the_decision():
    facts = replace(green(Stage.HEARING), penalties=(fine(),))
    assert "文号" in refused(Stage.HEARING, "decide", facts)


def test_hearing_rights_are_offered_when_a_units_fine_reaches_50000():
    facts = replace(green(Stage.REVIEW), penalties=(fine("50000"),))
    assert "听证" in refused(Stage.REVIEW, "notify", facts)
    below = replace(facts, penalties=(fine("49999.99"),))
    assert wf.next_stage(Stage.REVIEW, "notify", below) == Stage.NOTICE


def test_hearing_rights_are_offered_when_an_individuals_fine_reaches_20000():
    person = replace(green(Stage.REVIEW), party_kind="individual", penalties=(fine("20000"),))
    assert "听证" in refused(Stage.REVIEW, "notify", person)
    unit = replace(person, party_kind="unit")
    assert wf.next_stage(Stage.REVIEW, "notify", unit) == Stage.NOTICE


def test_suspension_and_revocation_always_give_hearing_rights_a_warning_never():
    for kind in ("suspension", "license_revocation", "closure"):
        facts = replace(green(Stage.REVIEW), penalties=(PenaltyFacts(kind, None, "第一百零二条"),))
        assert wf.hearing_right(facts), kind
    warning = replace(green(Stage.REVIEW), penalties=(PenaltyFacts("warning", None, "第九十九条"),))
    assert not wf.hearing_right(warning)


def test_a_decision_without_offered_hearing_rights_is_refused():
    facts = replace(green(Stage.NOTICE), hearing_offered=False, penalties=(decided(fine("80000")),))
    assert "听证" in refused(Stage.NOTICE, "decide", facts)


def test_a_hearing_request_after_the_period_is_refused():
    # Law changed (finding 2): 5 working days from Tue 03-10 end Tue 03-17, not Sun 03-15.
    facts = replace(green(Stage.NOTICE), today=D(2026, 3, 18))
    assert "届满" in refused(Stage.NOTICE, "request_hearing", facts)
    assert wf.next_stage(Stage.NOTICE, "request_hearing", replace(facts, today=D(2026, 3, 17)))


def test_hearing_request_needs_offered_rights():
    facts = replace(green(Stage.NOTICE), hearing_offered=False, today=D(2026, 3, 11))
    assert "听证" in refused(Stage.NOTICE, "request_hearing", facts)


def test_the_decision_waits_for_the_partys_statement_period():
    facts = replace(green(Stage.NOTICE), hearing_offered=False, penalties=(decided(fine()),))
    early = replace(facts, today=D(2026, 3, 13))  # 陈述申辩 3 日 from 03-10 ends 03-13
    assert "期满后" in refused(Stage.NOTICE, "decide", early)
    assert wf.next_stage(Stage.NOTICE, "decide", replace(facts, today=D(2026, 3, 14)))


def test_the_decision_is_served_before_execution():
    facts = replace(green(Stage.DECISION), penalties=(decided(fine()),))
    assert "送达日期" in refused(Stage.DECISION, "serve", facts)
    assert "送达日期" in refused(Stage.SERVICE, "execute", facts)


def test_a_case_closes_only_when_paid_or_enforced():
    facts = green(Stage.EXECUTION)
    assert "尚未缴清" in refused(Stage.EXECUTION, "close", facts)
    late = replace(
        facts.penalties[0], paid_amount=Decimal("30000"), paid_on=D(2026, 3, 18)
    )  # 2 days late: 1800 surcharge owed too
    assert "尚未缴清" in refused(Stage.EXECUTION, "close", replace(facts, penalties=(late,)))
    full = replace(late, paid_amount=Decimal("31800"))
    assert wf.next_stage(Stage.EXECUTION, "close", replace(facts, penalties=(full,)))
    enforced = replace(facts, court_enforcement_on=D(2026, 3, 19))
    assert wf.next_stage(Stage.EXECUTION, "close", enforced) == Stage.CLOSED


def test_court_enforcement_only_after_the_payment_period():
    facts = replace(green(Stage.EXECUTION), today=D(2026, 3, 16))
    assert "尚未届满" in refused(Stage.EXECUTION, "enforce", facts)


def test_withdrawal_and_refusals_need_a_reason():
    facts = replace(green(Stage.FILED), note=" ")
    assert "理由" in refused(Stage.FILED, "withdraw", facts)
    assert "理由" in refused(Stage.REVIEW, "return", replace(green(Stage.REVIEW), note=""))


def test_approvals_are_a_leaders():
    facts = replace(green(Stage.REVIEW), actor_is_leader=False)
    assert "负责人" in refused(Stage.REVIEW, "notify_hearing", facts)
    assert "负责人" in refused(
        Stage.FILED, "withdraw", replace(green(Stage.FILED), actor_is_leader=False)
    )


def test_extensions_follow_the_rule_set():
    old = replace(green(Stage.INVESTIGATION), filed_on=FILED_OLD)
    assert wf.next_stage(Stage.INVESTIGATION, "extend", old) == Stage.INVESTIGATION
    assert "没有可再批准" in refused(Stage.INVESTIGATION, "extend", replace(old, extensions=2))
    assert "没有可再批准" in refused(Stage.INVESTIGATION, "extend", green(Stage.INVESTIGATION))


def test_allowed_actions_lists_the_rows_whose_guards_pass():
    facts = replace(green(Stage.REVIEW), note="", penalties=(fine("60000"),))
    actions = {row.action for row in wf.allowed_actions(Stage.REVIEW, facts)}
    flags = {"require_legal_review", "require_collective"}
    assert actions == {"notify_hearing", "return", "no_penalty", "withdraw", "transfer"} | flags
    clerk = replace(facts, actor_is_leader=False)
    assert {row.action for row in wf.allowed_actions(Stage.REVIEW, clerk)} == {"return"} | flags


def test_explain_says_why_each_move_not_offered_is_refused():
    leader = replace(green(Stage.REVIEW), note="", penalties=(fine("60000"),))
    reasons = {row.action: reason for row, reason in wf.explain(Stage.REVIEW, leader)}
    offered = {row.action for row in wf.allowed_actions(Stage.REVIEW, leader)}
    # Every move from the stage is either offered or explained, never both.
    assert offered | set(reasons) == {row.action for row in wf.rows_from(Stage.REVIEW)}
    assert offered.isdisjoint(reasons)
    assert set(reasons) == {"notify", "extend", "legal_review", "collective_discussion"}
    assert "没有可再批准" in reasons["extend"]
    assert reasons["notify"] == wf.hearing_rights_offered(leader)


def test_explain_judges_a_note_requiring_move_as_if_noted():
    clerk = replace(green(Stage.REVIEW), note="", actor_is_leader=False)
    reasons = {row.action: reason for row, reason in wf.explain(Stage.REVIEW, clerk)}
    assert "return" not in reasons  # offered: the page asks for the note with the move
    assert reasons["withdraw"] == "此操作须由负责人审批"  # not "请填写理由"
    assert all("理由" not in reason for reason in reasons.values())


def test_explain_is_empty_when_every_move_is_offered():
    assert wf.explain(Stage.FILED, replace(green(Stage.FILED), penalties=(fine("2000"),))) == []
    assert wf.explain(Stage.ARCHIVED, green(Stage.FILED)) == []


# ---- limits -------------------------------------------------------------------------------------


def test_limits_are_chosen_by_the_filing_date_18_from_2026_02_01():
    assert wf.rule_set_for(D(2026, 1, 31)).name == "15号令"
    assert wf.rule_set_for(D(2026, 2, 1)).name == "18号令"
    assert wf.limits_for(D(2026, 1, 31))["decision"].days == 30
    assert wf.limits_for(D(2026, 2, 1))["decision"].days == 90
    # Law changed (finding 1): 5 working days for every case filed from 2021-07-15.
    assert wf.limits_for(D(2021, 7, 14))["hearing_request"].days == 3
    assert wf.limits_for(D(2026, 1, 31))["hearing_request"].days == 5
    assert wf.limits_for(D(2026, 1, 31))["hearing_request"].day_kind == wf.WORKING
    assert wf.limits_for(D(2026, 2, 1))["hearing_request"].days == 5


def test_every_limit_has_a_source_a_confidence_and_both_rule_sets_are_complete():
    for limit in wf.LIMITS:
        assert limit.source and limit.confidence in ("high", "medium", "low"), limit
        assert limit.start_event in wf.EVENT_LABELS
    for filed in (FILED_OLD, FILED):
        assert {"filing", "decision", "service", "payment", "hearing_request"} <= set(
            wf.limits_for(filed)
        )


def test_filing_must_follow_evidence_taking_within_5_days():
    assert wf.filing_refusal(D(2026, 3, 1), D(2026, 3, 6)) is None
    assert "5日内补办立案" in (wf.filing_refusal(D(2026, 3, 1), D(2026, 3, 7)) or "")
    assert wf.filing_refusal(None, D(2026, 3, 7)) is None


def test_surcharge_is_3_percent_a_day_capped_at_the_fine():
    due = D(2026, 3, 16)
    assert wf.late_payment_surcharge(Decimal("10000"), due, due) == Decimal("0.00")
    assert wf.late_payment_surcharge(Decimal("10000"), due, D(2026, 3, 18)) == Decimal("600.00")
    assert wf.late_payment_surcharge(Decimal("10000"), due, D(2026, 5, 1)) == Decimal("10000.00")
    assert wf.late_payment_surcharge(Decimal("10000"), due, D(2026, 4, 18)) == Decimal("9900.00")


def test_deadlines_for_a_fixed_clock():
    facts = CaseFacts(
        today=TODAY,
        filed_on=D(2025, 12, 1),
        evidence_taken_on=D(2025, 11, 28),
        penalties=(fine(),),
        calendar=CAL,
    )
    by_key = {d.key: d for d in wf.deadlines(facts, D(2025, 12, 29))}
    assert by_key["filing"].state == wf.DONE
    assert by_key["decision"].due_on == D(2025, 12, 31)
    assert by_key["decision"].state == wf.DUE_SOON
    assert {d.key: d for d in wf.deadlines(facts, D(2026, 1, 1))}["decision"].state == wf.OVERDUE
    assert {d.key: d for d in wf.deadlines(facts, D(2025, 12, 10))}["decision"].state == wf.OK
    extended = replace(facts, extensions=1)
    assert {d.key: d for d in wf.deadlines(extended, D(2026, 1, 1))}["decision"].due_on == D(
        2026, 3, 1
    )
    served = replace(
        facts, penalties=(replace(decided(fine(), D(2025, 12, 20)), served_on=D(2025, 12, 22)),)
    )
    by_key = {d.key: d for d in wf.deadlines(served, D(2026, 1, 8))}
    assert by_key["payment"].due_on == D(2026, 1, 6) and by_key["payment"].state == wf.OVERDUE
    assert by_key["service"].state == wf.DONE


def test_working_days_skip_weekends():
    assert wf.add_days(D(2026, 3, 6), 1, wf.WORKING, CAL) == D(2026, 3, 9)  # Friday → Monday
    assert wf.add_days(D(2026, 3, 6), 1, wf.CALENDAR) == D(2026, 3, 7)


def test_the_workflow_doc_lists_every_row_and_limit():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text("utf-8")
    assert doc == wf.render_markdown(), (
        "docs/workflow.md is generated: python -m enforcement.domain.workflow"
    )
    for row in wf.TRANSITIONS:
        assert f"`{row.action}`" in doc
    for limit in wf.LIMITS:
        assert limit.source in doc


def test_the_partys_statement_period_is_no_longer_due_once_a_hearing_is_requested_or_decided():
    """Found by the phone walk: an archived case still showed 陈述、申辩期限 as 即将到期."""
    notified = dt.date(2026, 3, 2)
    facts = CaseFacts(
        today=notified,
        filed_on=dt.date(2026, 3, 1),
        notified_on=notified,
        hearing_offered=True,
        calendar=CAL,
    )
    states = {d.key: d.state for d in wf.deadlines(facts, notified)}
    assert states["statement"] == wf.DUE_SOON
    requested = replace(facts, hearing_requested_on=notified)
    states = {d.key: d.state for d in wf.deadlines(requested, notified)}
    assert states["statement"] == wf.DONE
    later = notified + dt.timedelta(days=10)
    states = {d.key: d.state for d in wf.deadlines(replace(requested, today=later), later)}
    assert states["statement"] == wf.LAPSED
