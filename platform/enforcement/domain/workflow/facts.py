"""What the guards and clocks look at: the case record as plain, frozen facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from enforcement.domain.calendar import EMPTY, WorkingCalendar


@dataclass(frozen=True)
class PenaltyFacts:
    kind: str
    amount: Decimal | None = None
    basis: str = ""
    decision_no: str = ""
    decided_on: dt.date | None = None
    served_on: dt.date | None = None
    due_on: dt.date | None = None
    paid_amount: Decimal = Decimal("0")
    paid_on: dt.date | None = None


@dataclass(frozen=True)
class CaseFacts:
    """Everything a guard may look at, read from the record by the services layer."""

    today: dt.date
    filed_on: dt.date
    party_kind: str = "unit"
    inspector_certificates: tuple[str, ...] = ()
    facts: str = ""
    discovered_on: dt.date | None = None
    evidence_taken_on: dt.date | None = None
    notified_on: dt.date | None = None
    hearing_offered: bool = False
    hearing_requested_on: dt.date | None = None
    extensions: int = 0
    court_enforcement_on: dt.date | None = None
    penalties: tuple[PenaltyFacts, ...] = ()
    note: str = ""
    actor_is_leader: bool = False
    # Issue 10 (legal-review.md findings 1–5).
    calendar: WorkingCalendar = (
        EMPTY  # holidays and 调休 (services/calendar.py); EMPTY covers no year
    )
    procedure: str = "general"  # "simple": 当场处罚 (行政处罚法 第五十一条)
    legal_review_required: bool = False  # flagged: 第五十八条（一）至（三）
    legal_reviewed_on: dt.date | None = None
    collective_required: bool = False  # flagged: 第五十七条第二款
    collective_discussed_on: dt.date | None = None
    hearing_noticed_on: dt.date | None = None
    hearing_on: dt.date | None = None  # the hearing's date (听证会)
    notified_penalties: tuple[PenaltyFacts, ...] | None = None  # as first told to the party
    reminder_served_on: dt.date | None = None  # 催告书
    deferred_until: dt.date | None = None  # 延期（分期）缴纳罚款 approved until
    step_date: dt.date | None = None  # the date a step records (hearing date, deferral end)

    # Aggregates over the penalties (a case may combine 警告 + 罚款 …).
    @property
    def fine_total(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.penalties if p.kind == "fine"), Decimal(0))

    def _all(self, attribute: str) -> dt.date | None:
        values = [getattr(p, attribute) for p in self.penalties]
        if not values or any(v is None for v in values):
            return None
        return max(values)

    @property
    def decided_on(self) -> dt.date | None:
        return self._all("decided_on")

    @property
    def served_on(self) -> dt.date | None:
        return self._all("served_on")

    @property
    def heard(self) -> bool:
        return self.hearing_requested_on is not None

    @property
    def collected_on(self) -> dt.date | None:
        """当场收缴: a 简易程序 fine paid to the inspector on the spot."""
        return self.paid_on if self.procedure == "simple" else None

    @property
    def paid_on(self) -> dt.date | None:
        fines = [p for p in self.penalties if p.kind == "fine"]
        if not fines or any(p.paid_on is None for p in fines):
            return None
        return max(p.paid_on for p in fines if p.paid_on is not None)
