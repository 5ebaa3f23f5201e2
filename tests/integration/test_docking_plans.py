"""A docked plan's enterprises get their tasks like a local plan's: one pending 检查 task each, due
at the end of the period; a docked inspection of the plan carries out that task; an enterprise
dropped from the plan loses its untouched task; the plan's tombstone waits for its inspections."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import DockingRecord, Task
from support.demo import DONGHU, db
from support.docking import YX01, base, inspection, result
from support.factories import acting
from support.web import push_batch

SOURCE = "jx-plan"


push = partial(push_batch, source=SOURCE)


def plan(enterprises: list[str], region: str = "360100") -> dict[str, Any]:
    return {
        "type": "plan",
        "id": "PL-1",
        "data": {
            "title": "2026年度对接计划",
            "year": 2026,
            "kind": "annual",
            "period_start": "2026-01-01",
            "period_end": "2026-11-30",
            "region_code": region,
            "status": "approved",
            "enterprise_ids": enterprises,
        },
    }


def plan_tasks(app: Any) -> dict[int, Task]:
    """Enterprise id → the plan's live task, as 东湖区 reads them."""
    with db(app) as session:
        plan_id = session.scalar(
            select(DockingRecord.local_id)
            .where(DockingRecord.source == SOURCE, DockingRecord.external_id == "PL-1")
            .execution_options(**{UNSCOPED: True})
        )
    with db(app) as session, acting("donghu", DONGHU):
        tasks = session.scalars(select(Task).where(Task.plan_id == plan_id)).all()
        session.expunge_all()
        return {t.enterprise_id: t for t in tasks}


def enterprise_of(app: Any, external_id: str) -> int:
    with db(app) as session:
        return int(
            session.scalar(
                select(DockingRecord.local_id)
                .where(DockingRecord.source == SOURCE, DockingRecord.external_id == external_id)
                .execution_options(**{UNSCOPED: True})
            )
        )


def test_a_docked_plans_enterprises_get_tasks_that_its_inspections_carry_out(app, client):
    push(client, [*base("P1"), *base("P2")])
    first, second = enterprise_of(app, "E-P1"), enterprise_of(app, "E-P2")
    assert push(client, [plan(["E-P1", "E-P2"])])["accepted"] == 1
    tasks = plan_tasks(app)
    assert sorted(tasks) == sorted([first, second])
    for task in tasks.values():
        assert (task.status, task.kind, task.due_on) == (
            "pending",
            "inspection",
            dt.date(2026, 11, 30),
        )
        assert task.docking_source == SOURCE

    done = inspection("P1", [result(YX01, "pass")], plan_id="PL-1")
    assert push(client, [done])["accepted"] == 1
    tasks = plan_tasks(app)
    assert sorted(tasks) == sorted([first, second])  # the plan's own task, no new one
    assert tasks[first].status == "done"

    # E-P2 leaves the plan: its untouched task goes; E-P1's (inspected) stays.
    assert push(client, [plan(["E-P1"])])["accepted"] == 1
    assert sorted(plan_tasks(app)) == [first]

    # An enterprise outside the plan's region is refused at its reference.
    answer = push(client, [plan(["E-P1"], region="360103")])
    [rejection] = answer["rejected"]
    assert [(e["path"], e["code"]) for e in rejection["errors"]] == [
        ("/records/0/data/enterprise_ids/0", "conflict")
    ]

    # The plan's tombstone waits for its inspection.
    refused = push(client, [{"type": "plan", "id": "PL-1", "deleted": True}])
    assert "1 次检查" in refused["rejected"][0]["errors"][0]["message"]
    tombstones = [
        {"type": "inspection", "id": "I-P1", "deleted": True},
        {"type": "plan", "id": "PL-1", "deleted": True},
    ]
    assert push(client, tombstones)["accepted"] == 2
    assert plan_tasks(app) == {}
