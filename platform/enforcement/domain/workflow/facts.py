"""What the guards and clocks look at: the case record as plain, frozen facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


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
    def paid_on(self) -> dt.date | None:
        fines = [p for p in self.penalties if p.kind == "fine"]
        if not fines or any(p.paid_on is None for p in fines):
            return None
        return max(p.paid_on for p in fines if p.paid_on is not None)
