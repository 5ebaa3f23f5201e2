"""The case record as the domain sees it (`CaseFacts`), on the working-day calendar of
`services/calendar.py`: guards, clocks and reminders all read the same facts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy.orm import Session, object_session

from enforcement.domain import workflow
from enforcement.domain.calendar import CalendarGap, WorkingCalendar
from enforcement.domain.workflow import CaseFacts, PenaltyFacts
from enforcement.models import Case, Penalty
from enforcement.services.calendar import working_calendar


def _penalty_facts(penalty: Penalty) -> PenaltyFacts:
    return PenaltyFacts(
        kind=penalty.kind,
        amount=penalty.amount,
        basis=penalty.basis or "",
        decision_no=penalty.decision_no or "",
        decided_on=penalty.decided_on,
        served_on=penalty.served_on,
        due_on=penalty.due_on,
        paid_amount=penalty.paid_amount or Decimal(0),
        paid_on=penalty.paid_on,
    )


def notified_snapshot(case: Case) -> str:
    """The penalties as told to the party (第四十五条 compares later proposals with them)."""
    return json.dumps(
        [
            {"kind": p.kind, "amount": str(p.amount) if p.amount is not None else None}
            for p in case.penalties
        ],
        ensure_ascii=False,
    )


def _notified(case: Case) -> tuple[PenaltyFacts, ...] | None:
    if not case.notified_penalties:
        return None
    return tuple(
        PenaltyFacts(kind=p["kind"], amount=Decimal(p["amount"]) if p["amount"] else None)
        for p in json.loads(case.notified_penalties)
    )


def case_calendar(case: Case | None = None, session: Session | None = None) -> WorkingCalendar:
    if session is None and case is not None:
        session = object_session(case)
    return working_calendar(session)


def case_facts(
    case: Case,
    *,
    today: dt.date | None = None,
    note: str = "",
    actor_is_leader: bool = False,
    step_date: dt.date | None = None,
    calendar: WorkingCalendar | None = None,
) -> CaseFacts:
    """The record, as the domain sees it."""
    return CaseFacts(
        today=today or dt.date.today(),
        filed_on=case.filed_on,
        party_kind=case.party_kind,
        inspector_certificates=tuple(e.certificate_no or "" for e in case.team),
        facts=case.facts or "",
        discovered_on=case.discovered_on,
        evidence_taken_on=case.evidence_taken_on,
        notified_on=case.notified_on,
        hearing_offered=bool(case.hearing_offered),
        hearing_requested_on=case.hearing_requested_on,
        extensions=case.extensions or 0,
        court_enforcement_on=case.court_enforcement_on,
        penalties=tuple(_penalty_facts(p) for p in case.penalties),
        note=note,
        actor_is_leader=actor_is_leader,
        calendar=calendar if calendar is not None else case_calendar(case),
        procedure=case.procedure or "general",
        legal_review_required=bool(case.legal_review_required),
        legal_reviewed_on=case.legal_reviewed_on,
        collective_required=bool(case.collective_required),
        collective_discussed_on=case.collective_discussed_on,
        hearing_noticed_on=case.hearing_noticed_on,
        hearing_on=case.hearing_on,
        notified_penalties=_notified(case),
        reminder_served_on=case.reminder_served_on,
        deferred_until=case.deferred_until,
        step_date=step_date,
    )


def case_deadlines(
    case: Case, today: dt.date | None = None, calendar: WorkingCalendar | None = None
) -> list[workflow.Deadline]:
    today = today or dt.date.today()
    return workflow.deadlines(case_facts(case, today=today, calendar=calendar), today)


def payment_due(session: Session, served_on: dt.date, filed_on: dt.date) -> dt.date:
    """缴纳罚款 by: 15 日 from service, a last day on a rest day moved to the next working day. A year
    the calendar lacks keeps the exact count unmoved: the case page's clock says it is unmoved."""
    limit = workflow.limits_for(filed_on)["payment"]
    try:
        return workflow.limit_due(limit, served_on, working_calendar(session))
    except CalendarGap:
        return workflow.add_days(served_on, limit.days, limit.day_kind)
