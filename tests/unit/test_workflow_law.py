"""legal-review.md findings 0–5 (issue 10): each rule of the procedure as a named test, on the
State Council's 2025/2026 holiday arrangement (pure domain, fixed clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from enforcement.domain import workflow as wf
from enforcement.domain.calendar import WorkingCalendar
from enforcement.domain.workflow import PenaltyFacts, Stage
from support.case_facts import CAL, D, decided, fine, green, refused

# ---- finding 0: 18号令 is a rule set by filing date, its own figures marked to verify ----------


def test_rule_set_is_chosen_by_filing_date_and_18_figures_are_marked_to_verify():
    assert wf.rule_set_for(D(2026, 1, 31)).name == wf.RULE_15
    eighteen = wf.rule_set_for(D(2026, 2, 1))
    assert eighteen.name == wf.RULE_18 and not eighteen.verified
    own = [row for row in wf.LIMITS if row.rule_set == wf.RULE_18 and row.to_verify]
    assert own and all("待核实" in row.source or "未取得" in row.source for row in own)


# ---- finding 1: 5-day hearing request for every case filed from 2021-07-15 --------------------


def test_hearing_request_period_is_five_working_days_for_cases_filed_from_2021_07_15():
    for filed in (D(2021, 7, 15), D(2025, 12, 1), D(2026, 3, 2)):
        limit = wf.limits_for(filed)["hearing_request"]
        assert (limit.days, limit.day_kind) == (5, wf.WORKING), filed
    assert wf.limits_for(D(2021, 7, 14))["hearing_request"].days == 3


def test_hearing_request_allowed_on_fifth_working_day_under_15_rule_set():
    # Filed under 15号令 (before 2026-02-01): the platform used to refuse on day 4.
    facts = replace(green(Stage.NOTICE, D(2025, 12, 1)), notified_on=D(2025, 12, 8))
    assert wf.next_stage(Stage.NOTICE, "request_hearing", replace(facts, today=D(2025, 12, 15)))
    assert "届满" in refused(Stage.NOTICE, "request_hearing", replace(facts, today=D(2025, 12, 16)))


# ---- finding 2: working days on the holiday calendar ------------------------------------------


def test_hearing_request_allowed_on_fifth_working_day_over_national_day():
    # Told on Tue 2025-09-30; 10-01..10-08 off, Sat 10-11 worked: 9, 10, 11(Sat), 13, 14.
    facts = replace(
        green(Stage.NOTICE, D(2025, 9, 1)), notified_on=D(2025, 9, 30), today=D(2025, 10, 14)
    )
    assert wf.next_stage(Stage.NOTICE, "request_hearing", facts) == Stage.HEARING
    late = replace(facts, today=D(2025, 10, 15))
    assert "2025-10-14" in refused(Stage.NOTICE, "request_hearing", late)


def test_statement_period_runs_three_working_days_over_spring_festival():
    # Told Fri 2026-02-13; Sat 02-14 worked, 02-15..02-23 off: 14, 24, 25.
    facts = replace(
        green(Stage.NOTICE),
        notified_on=D(2026, 2, 13),
        hearing_offered=False,
        penalties=(decided(fine(), D(2026, 3, 12)),),
    )
    assert "2026-02-25" in refused(Stage.NOTICE, "decide", replace(facts, today=D(2026, 2, 25)))
    assert wf.next_stage(Stage.NOTICE, "decide", replace(facts, today=D(2026, 3, 12)))


def test_the_five_short_periods_are_working_days_with_source_and_start_event():
    for filed in (D(2025, 12, 1), D(2026, 3, 2)):
        limits = wf.limits_for(filed)
        expect = {
            "statement": 3,
            "hearing_request": 5,
            "service": 7,
            "onsite_deposit": 2,
            "enforcement_reminder": 10,
        }
        for key, days in expect.items():
            assert (limits[key].days, limits[key].day_kind) == (days, wf.WORKING), key
        for key in ("payment", "reconsideration"):
            assert limits[key].day_kind == wf.CALENDAR
        assert (limits["litigation"].days, limits["litigation"].day_kind) == (6, wf.MONTHS)
        assert (limits["court_window"].days, limits["court_window"].day_kind) == (3, wf.MONTHS)
    for limit in wf.LIMITS:
        assert limit.kind in ("working", "calendar", "months")
        assert limit.start_event in wf.EVENT_LABELS and limit.source and limit.confidence


def test_a_working_day_period_in_a_year_the_calendar_lacks_is_refused_not_guessed():
    facts = replace(green(Stage.NOTICE), calendar=WorkingCalendar.build({2025: ([], [], "x")}))
    reason = refused(Stage.NOTICE, "request_hearing", replace(facts, today=D(2026, 3, 11)))
    assert "缺少2026年" in reason and "calendar load" in reason


def test_a_clock_in_a_missing_year_is_estimated_with_a_warning():
    facts = replace(green(Stage.NOTICE), calendar=WorkingCalendar.build({2025: ([], [], "x")}))
    statement = {d.key: d for d in wf.deadlines(facts, D(2026, 3, 11))}["statement"]
    assert "缺少2026年" in statement.warning and statement.due_on == D(2026, 3, 13)


# ---- finding 3: court enforcement --------------------------------------------------------------


def executing(**changes: object) -> wf.CaseFacts:
    served = replace(decided(fine()), served_on=D(2026, 3, 1), due_on=D(2026, 3, 16))
    base = replace(green(Stage.EXECUTION), penalties=(served,))
    return replace(base, **changes)


def test_court_enforcement_refused_without_a_served_reminder():
    facts = executing(today=D(2026, 9, 21))
    assert "催告书" in refused(Stage.EXECUTION, "enforce", facts)


def test_court_enforcement_refused_before_the_reminder_has_run_ten_working_days():
    # Served Wed 2026-09-16; 09-25..09-27 and 10-01..10-07 off, Sun 09-20 worked:
    # 17, 18, 20, 21, 22, 23, 24, 28, 29, 30 → allowed from 10-01 on, i.e. the next day.
    facts = executing(reminder_served_on=D(2026, 9, 16), today=D(2026, 9, 30))
    assert "十个工作日" in refused(Stage.EXECUTION, "enforce", facts)
    assert wf.next_stage(Stage.EXECUTION, "enforce", replace(facts, today=D(2026, 10, 8)))


def test_court_enforcement_refused_while_reconsideration_or_litigation_can_still_be_brought():
    facts = executing(reminder_served_on=D(2026, 4, 1), today=D(2026, 8, 31))
    assert "行政诉讼" in refused(Stage.EXECUTION, "enforce", facts)  # 6 months from 03-01


def test_court_enforcement_refused_after_the_three_month_window():
    facts = executing(reminder_served_on=D(2026, 9, 2), today=D(2026, 12, 2))
    assert "三个月" in refused(Stage.EXECUTION, "enforce", facts)
    assert wf.next_stage(Stage.EXECUTION, "enforce", replace(facts, today=D(2026, 12, 1)))


def test_deferred_payment_moves_the_payment_and_court_clocks():
    facts = executing(deferred_until=D(2026, 10, 31), today=D(2026, 10, 20))
    assert "延期" in refused(Stage.EXECUTION, "serve_reminder", facts)
    assert wf.appeal_period_end(facts) == D(2026, 10, 31)
    after = replace(facts, today=D(2026, 11, 2))
    assert wf.next_stage(Stage.EXECUTION, "serve_reminder", after) == Stage.EXECUTION
    # 3-month window from the deferral's end (行政处罚法 第七十二条第二款), not from 09-01.
    late = replace(after, reminder_served_on=D(2026, 11, 2), today=D(2027, 1, 30))
    assert wf.next_stage(Stage.EXECUTION, "enforce", late) == Stage.EXECUTION
    undeferred = replace(late, deferred_until=None)
    assert "三个月" in refused(Stage.EXECUTION, "enforce", undeferred)
    payment = {d.key: d for d in wf.deadlines(facts, facts.today)}["payment"]
    assert payment.due_on == D(2026, 10, 31)


def test_a_payment_period_ending_on_a_holiday_ends_on_the_next_working_day():
    facts = executing(today=D(2026, 9, 20))
    facts = replace(facts, penalties=(replace(facts.penalties[0], served_on=D(2026, 9, 16)),))
    payment = {d.key: d for d in wf.deadlines(facts, facts.today)}["payment"]
    assert payment.due_on == D(
        2026, 10, 8
    )  # 15 日 end on 10-01, 国庆; 10-08 is the first working day
    assert wf.limits_for(facts.filed_on)["payment"].ends_on_working_day


def test_the_agency_s_own_calendar_day_limits_are_not_moved_off_rest_days():
    limits = wf.limits_for(D(2026, 3, 1))
    assert not limits["decision"].ends_on_working_day
    saturday = wf.limit_due(limits["decision"], D(2026, 3, 1), days=90)
    assert saturday == D(2026, 5, 30) and saturday.weekday() == 5


def test_a_payment_ending_in_a_year_the_calendar_lacks_is_shown_unmoved_with_a_warning():
    facts = executing(today=D(2026, 12, 21))
    facts = replace(
        facts,
        penalties=(replace(facts.penalties[0], served_on=D(2026, 12, 20)),),
        calendar=WorkingCalendar.build({2026: ([], [], "x")}),
    )
    payment = {d.key: d for d in wf.deadlines(facts, facts.today)}["payment"]
    assert payment.due_on == D(2027, 1, 4) and "未按节假日顺延" in payment.warning


def test_surcharge_runs_from_the_deferred_due_date():
    facts = executing(deferred_until=D(2026, 4, 30), today=D(2026, 4, 30))
    paid = replace(facts.penalties[0], paid_amount=Decimal("30000"), paid_on=D(2026, 4, 30))
    assert wf.next_stage(Stage.EXECUTION, "close", replace(facts, penalties=(paid,)))


# ---- finding 4: 法制审核 and 集体讨论 -------------------------------------------------------------


def test_heard_case_cannot_be_decided_without_legal_review():
    facts = replace(green(Stage.HEARING), legal_reviewed_on=None)
    assert "法制审核" in refused(Stage.HEARING, "decide", facts)


def test_legal_review_before_the_hearing_does_not_count():
    facts = replace(green(Stage.HEARING), legal_reviewed_on=D(2026, 3, 16))  # hearing 03-17
    assert "第五十八条" in refused(Stage.HEARING, "decide", facts)


def test_flagged_case_cannot_be_decided_without_legal_review():
    facts = replace(green(Stage.NOTICE), today=D(2026, 3, 18), legal_review_required=True)
    assert "法制审核" in refused(Stage.NOTICE, "decide", facts)
    reviewed = replace(facts, legal_reviewed_on=D(2026, 3, 18))
    assert wf.next_stage(Stage.NOTICE, "decide", reviewed) == Stage.DECISION


def test_complex_or_major_case_cannot_be_decided_without_collective_discussion():
    facts = replace(green(Stage.NOTICE), today=D(2026, 3, 18), collective_required=True)
    assert "集体讨论" in refused(Stage.NOTICE, "decide", facts)
    assert wf.next_stage(
        Stage.NOTICE, "decide", replace(facts, collective_discussed_on=D(2026, 3, 17))
    )


def test_legal_review_and_collective_discussion_are_recorded_steps_with_their_forms():
    rows = {(r.stage, r.action): r for r in wf.TRANSITIONS}
    for stage in (Stage.REVIEW, Stage.NOTICE, Stage.HEARING):
        assert rows[(stage, "legal_review")].form == "legal_review_opinion"
        assert rows[(stage, "collective_discussion")].form == "collective_discussion"


# ---- finding 5: the smaller points --------------------------------------------------------------


def test_hearing_meeting_is_noticed_seven_working_days_before():
    facts = replace(green(Stage.HEARING), today=D(2026, 9, 28))
    # From Mon 09-28: 29, 30, 08 (10-01..07 off), 09, 10(Sat worked), 12, 13.
    early = replace(facts, step_date=D(2026, 10, 12))
    assert "七个工作日" in refused(Stage.HEARING, "schedule_hearing", early)
    ok = replace(facts, step_date=D(2026, 10, 13))
    assert wf.next_stage(Stage.HEARING, "schedule_hearing", ok) == Stage.HEARING


def test_heard_case_is_decided_only_after_the_hearing_is_held():
    facts = replace(green(Stage.HEARING), hearing_on=D(2026, 3, 25))
    assert "举行后" in refused(Stage.HEARING, "decide", facts)


def test_no_heavier_penalty_after_statement_and_defence():
    told = (PenaltyFacts("fine", Decimal("30000")),)
    facts = replace(green(Stage.REVIEW), notified_penalties=told, penalties=(fine("40000"),))
    assert "第四十五条" in refused(Stage.REVIEW, "notify", facts)
    added = (fine(), PenaltyFacts("suspension", None, "第一百零二条"))
    assert "第四十五条" in refused(Stage.REVIEW, "notify_hearing", replace(facts, penalties=added))
    lighter = replace(facts, penalties=(fine("20000"),))
    assert wf.next_stage(Stage.REVIEW, "notify", lighter) == Stage.NOTICE


@pytest.mark.parametrize(
    ("party", "amount", "allowed"),
    [
        ("unit", "3000", True),
        ("unit", "3000.01", False),
        ("individual", "200", True),
        ("individual", "201", False),
    ],
)
def test_onsite_penalty_only_up_to_3000_for_a_unit_and_200_for_a_person(party, amount, allowed):
    facts = replace(green(Stage.FILED), party_kind=party, penalties=(fine(amount),))
    if allowed:
        assert wf.next_stage(Stage.FILED, "onsite_penalty", facts) == Stage.DECISION
    else:
        assert "第五十一条" in refused(Stage.FILED, "onsite_penalty", facts)


def test_onsite_penalty_is_only_a_warning_or_a_fine():
    facts = replace(green(Stage.FILED), penalties=(PenaltyFacts("suspension", None, "第一百条"),))
    assert "警告或罚款" in refused(Stage.FILED, "onsite_penalty", facts)


def test_suspected_crime_is_transferred_to_the_judicial_organs():
    facts = green(Stage.INVESTIGATION)
    assert wf.next_stage(Stage.INVESTIGATION, "transfer", facts) == Stage.TRANSFERRED
    row = wf.row_for(Stage.REVIEW, "transfer")
    assert row is not None and row.form == "transfer_approval" and "第二十七条" in row.source


def test_no_penalty_decision_is_a_step_with_its_form():
    row = wf.row_for(Stage.REVIEW, "no_penalty")
    assert row is not None and row.form == "no_penalty_decision"


def test_penalty_kinds_include_qualification_downgrade_activity_and_employment_restriction():
    for key in ("qualification_downgrade", "activity_restriction", "employment_restriction"):
        kind = wf.PENALTY_KIND_BY_KEY[key]
        facts = replace(green(Stage.REVIEW), penalties=(PenaltyFacts(key, None, "第九十九条"),))
        assert kind.hearing == "always" and wf.hearing_right(facts)
        assert "第九条" in kind.source


def test_every_new_row_cites_its_source_and_names_a_catalogued_form():
    import json
    from pathlib import Path

    catalogue = Path(wf.__file__).parents[2] / "documents" / "catalogue.json"
    codes = {f["code"] for f in json.loads(catalogue.read_text("utf-8"))["forms"]}
    for row in wf.TRANSITIONS:
        assert row.form is None or row.form in codes, row
        assert row.form_person is None or row.form_person in codes, row
    onsite = wf.row_for(Stage.FILED, "onsite_penalty")
    assert onsite is not None and onsite.form_for("individual") == "onsite_penalty_person"
    assert onsite.form_for("unit") == "onsite_penalty_unit"
    new = {
        "onsite_penalty",
        "transfer",
        "legal_review",
        "collective_discussion",
        "schedule_hearing",
        "defer_payment",
        "serve_reminder",
        "enforce",
        "require_legal_review",
        "require_collective",
    }
    for row in wf.TRANSITIONS:
        if row.action in new:
            assert row.source, row


def test_ten_working_days_of_the_reminder_count_over_national_day():
    assert CAL.add_working_days(D(2026, 9, 16), 10) == D(2026, 9, 30)
    assert dt.date(2026, 10, 10) in CAL.workdays


def test_an_appeal_period_ending_on_national_day_runs_to_the_next_working_day():
    # Served 2026-04-01: 6 months end on 10-01 (国庆), so the party may sue until 10-08.
    served = replace(decided(fine()), served_on=D(2026, 4, 1), due_on=D(2026, 4, 16))
    facts = executing(penalties=(served,), reminder_served_on=D(2026, 9, 1), today=D(2026, 10, 8))
    assert "2026-10-08" in refused(Stage.EXECUTION, "enforce", facts)
    assert wf.next_stage(Stage.EXECUTION, "enforce", replace(facts, today=D(2026, 10, 9)))


def test_the_court_window_clock_warns_when_the_appeal_periods_end_in_a_missing_year():
    served = replace(decided(fine()), served_on=D(2026, 9, 1), due_on=D(2026, 9, 16))
    facts = executing(penalties=(served,), today=D(2026, 10, 1))
    window = {d.key: d for d in wf.deadlines(facts, facts.today)}["court_window"]
    assert window.started_on == D(2027, 3, 1) and "缺少2027年" in window.warning
