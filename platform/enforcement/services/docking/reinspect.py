"""Re-inspections (复查) of a docked rectification order, done as a local re-inspection is done.

Locally (services/rectification.py) a re-inspection is a 复查 task of the inspection's team and
closes each open hazard of the order: rectified on its date, or left open for 立案查处 (the hazard
goes back to 待处理, services/cases.escalate_hazards). A docked re-inspection is the same: a done
复查 task (its date, its enforcers, its 复查意见 as the task's note, marked with the source) and the
order's open hazards moved by its result, in date order; the order's `recheck_task_id` is the last
one. The hazards' status changes go through the ORM, so the statistics listener
(services/statistics/maintain.py) moves their 重点事项情况 cells in the same flush, and 我的工作提醒
(services/reminders.py) drops a hazard closed this way, as for a local one.

An update re-applies them from scratch: what the order's previous re-inspections did to its hazards
is undone, then the re-inspections are applied again onto the same task rows (in date order), so
pushing the same re-inspections twice leaves every row as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.domain import planning
from enforcement.models import DockingRecord, Enforcer, Hazard, RectificationOrder, Task
from enforcement.services.docking import context as c


@dataclass
class Reinspection:
    inspected_on: dt.date
    passed: bool
    enforcers: list[Enforcer]
    note: str | None


def read(
    ctx: c.Context, base: str, data: dict[str, Any], issued: dt.date | None
) -> list[Reinspection]:
    """The order's re-inspections in date order; a problem at the path of each bad one (a date
    before the order was issued, an enforcer the source never pushed)."""
    out: list[tuple[int, Reinspection]] = []
    for index, check in enumerate(data.get("reinspections") or []):
        path = f"{base}/reinspections/{index}"
        day = c.day(ctx, f"{path}/inspected_on", check["inspected_on"])
        enforcers = c.enforcers(ctx, f"{path}/enforcer_ids", check.get("enforcer_ids") or [])
        if day is not None and issued is not None and day < issued:
            message = f"复查日期（{day.isoformat()}）早于指令书下达日期（{issued.isoformat()}）"
            ctx.refuse(f"{path}/inspected_on", message, "invalid_value")
            continue
        if day is not None:
            note = (check.get("note") or "").strip() or None
            out.append((index, Reinspection(day, bool(check["passed"]), enforcers, note)))
    return [r for _, r in sorted(out, key=lambda pair: (pair[1].inspected_on, pair[0]))]


def _tasks(ctx: c.Context, ids: list[int]) -> list[Task]:
    if not ids:
        return []
    statement = select(Task).where(Task.id.in_(ids)).execution_options(**{UNSCOPED: True})
    found = {t.id: t for t in ctx.session.scalars(statement)}
    return [found[i] for i in ids if i in found]


def apply(
    ctx: c.Context,
    order: RectificationOrder,
    hazards: list[Hazard],
    checks: list[Reinspection],
) -> None:
    """The order's hazards and 复查 tasks as `checks` leave them (`hazards`: the order's, live)."""
    session = ctx.session
    before = _tasks(ctx, list(order.reinspection_task_ids or []))
    mine = {t.id for t in before}
    parent = order.inspection.task if order.inspection is not None else None
    tasks: list[Task] = []
    for index, check in enumerate(checks):
        task = before[index] if index < len(before) else None
        if task is None:
            task = Task(kind="recheck", created_by=ctx.username, docking_source=ctx.source)
            session.add(task)
        task.enterprise_id, task.region_code = order.enterprise_id, order.region_code
        task.parent_id = parent.id if parent is not None else None
        task.due_on, task.status, task.note = check.inspected_on, "done", check.note
        task.enforcers = check.enforcers
        if task.deleted_at is not None:
            task.deleted_at = task.deleted_by = None
        tasks.append(task)
    for task in before[len(checks) :]:
        if task.deleted_at is None:
            task.deleted_at, task.deleted_by = c.now(), ctx.username
    session.flush()
    for hazard in hazards:
        # From the state before the previous re-inspections (a hazard they closed is under the
        # order again), computed in full before it is set: an unchanged outcome writes nothing.
        state = _state(hazard)
        if hazard.verified_by_task_id in mine and hazard.status != "escalated":
            state = ("rectifying", None, None, None)
        outcome = _outcome(
            state, [(t.id, ch.inspected_on, ch.passed) for t, ch in zip(tasks, checks, strict=True)]
        )
        _set(hazard, outcome)
    ids = [t.id for t in tasks]
    if ids or order.reinspection_task_ids:
        order.reinspection_task_ids = ids
    if ids:
        order.recheck_task_id = ids[-1]
    elif order.recheck_task_id in mine:
        order.recheck_task_id = None
    session.flush()


# A hazard's status, rectified_on, verified_by_task_id and verified_on.
State = tuple[str, dt.date | None, int | None, dt.date | None]


def _state(hazard: Hazard) -> State:
    return (hazard.status, hazard.rectified_on, hazard.verified_by_task_id, hazard.verified_on)


def _outcome(state: State, applied: list[tuple[int, dt.date, bool]]) -> State:
    """A hazard's state after the re-inspections (task id, date, passed), in date order."""
    for task_id, day, passed in applied:
        if state[0] not in planning.OPEN_HAZARD_STATUSES:
            break  # rectified, or escalated to a case: a later re-inspection leaves it
        if passed:
            state = ("rectified", day, task_id, day)
        else:
            # 逾期未整改：留待立案查处, as services/rectification.close_hazard leaves it.
            state = ("open", state[1], task_id, day)
    return state


def _set(hazard: Hazard, state: State) -> None:
    if state != _state(hazard):
        hazard.status, hazard.rectified_on, hazard.verified_by_task_id, hazard.verified_on = state


def reapply(ctx: c.Context, hazard: Hazard, state: State) -> None:
    """A docked hazard pushed again (`state`: what its record carries) after its docked order's
    re-inspections: they still apply to it, as when the order is pushed again."""
    order = (
        ctx.unscoped_get(RectificationOrder, hazard.rectification_order_id)
        if hazard.rectification_order_id is not None
        else None
    )
    ids = list(order.reinspection_task_ids or []) if order is not None else []
    record = (
        ctx.session.scalars(
            select(DockingRecord)
            .where(
                DockingRecord.record_type == "rectification",
                DockingRecord.local_id == order.id,
                DockingRecord.deleted.is_(False),
            )
            .execution_options(**{UNSCOPED: True})
        ).first()
        if order is not None and order.docking_source and ids
        else None
    )
    given = (record.data or {}).get("reinspections") or [] if record is not None else []
    checks = sorted(
        (dt.date.fromisoformat(check["inspected_on"]), index, bool(check["passed"]))
        for index, check in enumerate(given)
    )
    if len(checks) == len(ids):
        state = _outcome(state, [(i, day, ok) for i, (day, _, ok) in zip(ids, checks, strict=True)])
    _set(hazard, state)


def exported(
    row: RectificationOrder, task: Task | None, hazards: list[Hazard], team: list[int]
) -> dict[str, Any] | None:
    """A local re-inspection (services/rectification.close_hazard) as the spec's: once it has
    decided every hazard of the order; passed when it found them all rectified. Its date is the
    latest day it decided a hazard on (rectified or not); for a hazard found not rectified before
    that day was kept (migration 0027), the day its task was last changed. Never before the order
    (the spec refuses that; the local form checks it since)."""
    if task is None or task.deleted_at is not None or not hazards:
        return None
    checked = [h for h in hazards if h.verified_by_task_id == task.id]
    if not checked or any(
        h.status in planning.OPEN_HAZARD_STATUSES and h.verified_by_task_id != task.id
        for h in hazards
    ):
        return None
    passed = all(h.status == "rectified" for h in checked)
    days = [h.verified_on or h.rectified_on for h in checked]
    known = [d for d in days if d is not None]
    day = max(known) if len(known) == len(days) else (task.updated_at or task.created_at).date()
    out: dict[str, Any] = {
        "inspected_on": max(day, row.issued_on).isoformat(),
        "passed": passed,
    }
    if team:
        out["enforcer_ids"] = [str(e) for e in team][:20]
    note = (task.note or "").strip()[:2000]
    if note:
        out["note"] = note
    return out
