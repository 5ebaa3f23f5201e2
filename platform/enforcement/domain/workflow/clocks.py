"""The statutory clocks of a case: every limit that has started, its due date and its state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from enforcement.domain.calendar import CalendarGap, WorkingCalendar
from enforcement.domain.workflow.facts import CaseFacts
from enforcement.domain.workflow.guards import appeal_period_end, payment_overdue
from enforcement.domain.workflow.limits import (
    WORKING,
    Limit,
    add_days,
    limit_due,
    limits_for,
    rule_set_for,
)

OK, DUE_SOON, OVERDUE, DONE, LATE, LAPSED = "ok", "due_soon", "overdue", "done", "late", "lapsed"
DEADLINE_STATE_LABELS = {
    OK: "期限内",
    DUE_SOON: "即将到期",
    OVERDUE: "已逾期",
    DONE: "按期完成",
    LATE: "逾期完成",
    LAPSED: "已届满",
}


@dataclass(frozen=True)
class Deadline:
    key: str
    name: str
    start_event: str
    started_on: dt.date
    due_on: dt.date
    state: str
    source: str
    confidence: str
    rule_set: str
    days: int
    day_kind: str
    # Set when the calendar lacks a year the period crosses: the due date is then a weekends-only
    # estimate and the page says so (never a silent guess).
    warning: str = ""

    @property
    def state_label(self) -> str:
        return DEADLINE_STATE_LABELS[self.state]

    @property
    def open(self) -> bool:
        return self.state in (OK, DUE_SOON, OVERDUE)


def decision_days(facts: CaseFacts) -> int:
    """The decision limit after the extensions approved so far."""
    limit = limits_for(facts.filed_on)["decision"]
    steps = rule_set_for(facts.filed_on).decision_extensions
    if facts.extensions and steps:
        return steps[min(facts.extensions, len(steps)) - 1][0]
    return limit.days


def _done_on(facts: CaseFacts, limit: Limit) -> dt.date | None:
    if limit.done_event is None:
        return None
    return getattr(facts, limit.done_event)


def _start(facts: CaseFacts, limit: Limit) -> dt.date | None:
    if limit.key == "court_window":
        # Only once the fine is overdue: the window of 行政强制法 第五十三条.
        if payment_overdue(facts) is not None:
            return None
        return appeal_period_end(facts)
    return getattr(facts, limit.start_event)


def _estimate(start: dt.date, days: int, calendar: WorkingCalendar) -> dt.date:
    """Weekends only, for a year the calendar lacks; flagged by the caller."""
    years = frozenset(range(start.year, start.year + 2)) | calendar.years
    return WorkingCalendar(calendar.holidays, calendar.workdays, years).add_working_days(
        start, days
    )


def deadlines(facts: CaseFacts, today: dt.date, soon_days: int = 3) -> list[Deadline]:
    """Every clock that has started for this case, with its due date and state on `today`."""
    out: list[Deadline] = []
    for limit in limits_for(facts.filed_on).values():
        if limit.minimum:
            continue  # a waiting period guards the next step; nobody can be late on it
        warning = ""
        try:
            started = _start(facts, limit)
        except CalendarGap as gap:  # the appeal periods end in a year the calendar lacks
            started = appeal_period_end(facts, roll=False)
            warning = gap.messages[0] + "；起算日未按节假日顺延，仅供参考"
        if started is None:
            continue
        if limit.key == "hearing_request" and not facts.hearing_offered:
            continue
        if limit.key == "payment" and facts.fine_total <= 0:
            continue
        days = decision_days(facts) if limit.key == "decision" else limit.days
        try:
            due = limit_due(limit, started, facts.calendar, days)
        except CalendarGap as gap:
            if limit.day_kind == WORKING:
                due = _estimate(started, days, facts.calendar)
                warning = gap.messages[0] + "；到期日按周末估算，仅供参考"
            else:  # the count is exact; only the move off a rest day is unknown
                due = add_days(started, days, limit.day_kind)
                warning = gap.messages[0] + "；到期日未按节假日顺延，仅供参考"
        if limit.key == "payment" and facts.deferred_until and facts.deferred_until > due:
            due = facts.deferred_until  # 延期（分期）缴纳 moves the payment clock (第六十六条)
        done = _done_on(facts, limit)
        if done is not None:
            state = DONE if done <= due else LATE
        elif (
            limit.lapses
            and limit.start_event == "notified_on"
            and (facts.decided_on or facts.hearing_requested_on)
        ):
            # The party's period no longer runs once a hearing was asked for or the decision made.
            state = LAPSED if today > due else DONE
        elif limit.lapses:
            state = LAPSED if today > due else (DUE_SOON if (due - today).days <= soon_days else OK)
        elif today > due:
            state = OVERDUE
        elif (due - today).days <= soon_days:
            state = DUE_SOON
        else:
            state = OK
        out.append(
            Deadline(
                limit.key,
                limit.name,
                limit.start_event,
                started,
                due,
                state,
                limit.source,
                limit.confidence,
                limit.rule_set,
                days,
                limit.day_kind,
                warning,
            )
        )
    return sorted(out, key=lambda d: (d.due_on, d.key))
