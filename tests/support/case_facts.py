"""Case facts for the procedure's unit tests, written by hand: a fixed clock, the State Council's
holiday tables for 2025 and 2026, and facts under which every guard from a stage passes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from enforcement.domain import workflow as wf
from enforcement.domain.calendar import WorkingCalendar
from enforcement.domain.workflow import CaseFacts, IllegalTransition, PenaltyFacts, Stage

D = dt.date
FILED = D(2026, 3, 2)  # 18号令 applies
FILED_OLD = D(2025, 12, 1)  # 15号令 applies
TODAY = D(2026, 3, 20)


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# The State Council's 放假安排 for 2025 and 2026, written by hand from the notices (国办发明电
# 〔2024〕12号, 〔2025〕7号), independent of the `chinesecalendar` package the platform reads.
HOLIDAYS: dict[int, tuple[list[dt.date], list[dt.date], str]] = {
    2025: (
        [
            D(2025, 1, 1),
            *_span(D(2025, 1, 28), D(2025, 2, 4)),
            *_span(D(2025, 4, 4), D(2025, 4, 6)),
            *_span(D(2025, 5, 1), D(2025, 5, 5)),
            *_span(D(2025, 5, 31), D(2025, 6, 2)),
            *_span(D(2025, 10, 1), D(2025, 10, 8)),
        ],
        [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
        "国办发明电〔2024〕12号",
    ),
    2026: (
        [
            *_span(D(2026, 1, 1), D(2026, 1, 3)),
            *_span(D(2026, 2, 15), D(2026, 2, 23)),
            *_span(D(2026, 4, 4), D(2026, 4, 6)),
            *_span(D(2026, 5, 1), D(2026, 5, 5)),
            *_span(D(2026, 6, 19), D(2026, 6, 21)),
            *_span(D(2026, 9, 25), D(2026, 9, 27)),
            *_span(D(2026, 10, 1), D(2026, 10, 7)),
        ],
        [
            D(2026, 1, 4),
            D(2026, 2, 14),
            D(2026, 2, 28),
            D(2026, 5, 9),
            D(2026, 9, 20),
            D(2026, 10, 10),
        ],
        "国办发明电〔2025〕7号",
    ),
}
CAL = WorkingCalendar.build(HOLIDAYS)


def fine(amount: str = "30000", **extra: object) -> PenaltyFacts:
    return PenaltyFacts(
        kind="fine", amount=Decimal(amount), basis="《安全生产法》第九十九条", **extra
    )


def decided(p: PenaltyFacts, on: dt.date = D(2026, 3, 12)) -> PenaltyFacts:
    return replace(p, decision_no="（东湖区）应急罚〔2026〕1号", decided_on=on)


def green(stage: Stage, filed_on: dt.date = FILED) -> CaseFacts:
    """Facts under which every guard of every row from `stage` passes."""
    base = CaseFacts(
        today=TODAY,
        filed_on=filed_on,
        inspector_certificates=("36010201", "36010202"),
        facts="现场检查发现除尘系统未按规定设置泄爆装置。",
        evidence_taken_on=filed_on - dt.timedelta(days=1),
        penalties=(fine(),),
        note="经负责人集体讨论同意",
        actor_is_leader=True,
        calendar=CAL,
    )
    if stage == Stage.NOTICE:
        return replace(
            base,
            notified_on=D(2026, 3, 10),
            hearing_offered=True,
            today=D(2026, 3, 12),
            penalties=(decided(fine(), D(2026, 3, 12)),),
        )
    if stage == Stage.HEARING:
        return replace(
            base,
            notified_on=D(2026, 3, 5),
            hearing_offered=True,
            hearing_requested_on=D(2026, 3, 6),
            hearing_noticed_on=D(2026, 3, 6),
            hearing_on=D(2026, 3, 17),
            legal_reviewed_on=D(2026, 3, 18),  # 第五十八条: after the hearing
            penalties=(decided(fine()),),
        )
    if stage in (Stage.DECISION, Stage.SERVICE):
        return replace(base, penalties=(replace(decided(fine()), served_on=D(2026, 3, 13)),))
    if stage == Stage.EXECUTION:
        served = replace(decided(fine()), served_on=D(2026, 3, 1), due_on=D(2026, 3, 16))
        return replace(base, penalties=(served,))
    return base


def refused(stage: Stage, action: str, facts: CaseFacts) -> str:
    with pytest.raises(IllegalTransition) as caught:
        wf.next_stage(stage, action, facts)
    return caught.value.reason
