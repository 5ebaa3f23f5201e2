"""A pushed deletion (tombstone) of a docked workflow record: the row is soft-deleted.

A soft-deleted inspection, hazard, rectification order, case or penalty is hidden from every scoped
read (lists, detail pages, the REST API, reminders) and leaves the statistics (services/statistics/
maintain.py drops a deleted inspection's item results and recounts its cells). A docked
inspection's task, made for it by docking, goes with it; so do a docked plan's pending tasks.

A record that live records still name is not deleted: the tombstone is refused (`conflict`) until
the province has deleted those first (hazards before their inspection, penalties before their case,
inspections before their plan), so that nothing on the platform points at a record that is gone.
A record pushed again after its tombstone comes back (the same row, restored).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    Case,
    DockedDocument,
    Document,
    Hazard,
    Inspection,
    Penalty,
    RectificationOrder,
    Task,
    case_hazard,
)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _count(session: Session, statement: Any) -> int:
    return int(session.scalar(statement.execution_options(**{UNSCOPED: True})) or 0)


def _live(model: Any, *where: Any) -> Any:
    return select(func.count()).select_from(model).where(*where, model.deleted_at.is_(None))


def _documents(record_type: str, row: Any) -> list[Any]:
    """The documents of a case or an inspection: generated here, or docked."""
    if record_type not in ("inspection", "case"):
        return []
    docked = DockedDocument.case_id if record_type == "case" else DockedDocument.inspection_id
    return [
        _live(Document, Document.subject_kind == record_type, Document.subject_id == row.id),
        _live(DockedDocument, docked == row.id),
    ]


def dependents(session: Session, record_type: str, row: Any) -> str | None:
    """Why `row` cannot be deleted yet (the live records that still name it), or None."""
    checks: list[tuple[str, Any]] = []
    if record_type == "plan":
        tasks = select(Task.id).where(Task.plan_id == row.id).scalar_subquery()
        checks.append(("次检查", _live(Inspection, Inspection.task_id.in_(tasks))))
    elif record_type == "inspection":
        checks += [
            ("条隐患", _live(Hazard, Hazard.inspection_id == row.id)),
            ("份整改指令", _live(RectificationOrder, RectificationOrder.inspection_id == row.id)),
        ]
    elif record_type == "hazard":
        order = row.rectification_order_id
        if order is not None:
            checks.append(("份整改指令", _live(RectificationOrder, RectificationOrder.id == order)))
        cases = select(case_hazard.c.case_id).where(case_hazard.c.hazard_id == row.id)
        checks.append(("件案件", _live(Case, Case.id.in_(cases.scalar_subquery()))))
    elif record_type == "case":
        checks.append(("项行政处罚", _live(Penalty, Penalty.case_id == row.id)))
    counts = [(label, _count(session, statement)) for label, statement in checks]
    papers = sum(_count(session, statement) for statement in _documents(record_type, row))
    named = [f"{count} {label}" for label, count in [*counts, ("份文书", papers)] if count]
    if not named:
        return None
    return f"仍有 {'、'.join(named)}引用该记录：请先推送它们的删除记录"


def _source_named(row: Any, source: str) -> str:
    """The source as the audit log's reader knows it: 江西省对接（来源系统 jx-…）."""
    label = getattr(row, "docking_source_label", None) or "数据对接"
    return f"{label}（来源系统 {source}）"


@contextmanager
def reason(session: Session, text: str) -> Iterator[None]:
    """The audit rows of the flush inside say why (db/audit.py reads `audit_reason`)."""
    session.info["audit_reason"] = text
    try:
        yield
        session.flush()
    finally:
        session.info.pop("audit_reason", None)


def _belonging(session: Session, record_type: str, row: Any) -> list[Any]:
    """Rows that exist only for `row`: a docked inspection's task, a docked plan's pending tasks."""
    if record_type == "plan":
        return list(
            session.scalars(
                select(Task)
                .where(
                    Task.plan_id == row.id,
                    Task.docking_source.is_not(None),
                    Task.status == "pending",
                    Task.deleted_at.is_(None),
                )
                .execution_options(**{UNSCOPED: True})
            )
        )
    if record_type != "inspection" or row.task_id is None:
        return []
    task = session.scalars(
        select(Task).where(Task.id == row.task_id).execution_options(**{UNSCOPED: True})
    ).first()
    others = _count(
        session, _live(Inspection, Inspection.task_id == row.task_id, Inspection.id != row.id)
    )
    if task is None or task.docking_source is None or others:
        return []
    return [task]


def bury(session: Session, record_type: str, row: Any, username: str | None, source: str) -> None:
    """Soft-delete `row` (and what belongs to it), audited with the docking source as the reason."""
    if getattr(row, "deleted_at", None) is not None:
        return
    with reason(session, f"{_source_named(row, source)}推送删除"):
        for each in [row, *_belonging(session, record_type, row)]:
            if each.deleted_at is None:
                each.deleted_at, each.deleted_by = _now(), username


def revive(session: Session, record_type: str, row: Any, source: str) -> None:
    """A record pushed again after its tombstone: the same row, restored (the writer then updates
    it)."""
    if getattr(row, "deleted_at", None) is None:
        return
    task = None
    if record_type == "inspection":
        task = session.scalars(
            select(Task).where(Task.id == row.task_id).execution_options(**{UNSCOPED: True})
        ).first()
    with reason(session, f"{_source_named(row, source)}重新推送"):
        for each in (row, task):
            if each is not None and each.deleted_at is not None:
                each.deleted_at, each.deleted_by = None, None


# Record types whose tombstone soft-deletes the row (a plan too; a document, once it is a row).
BURIED = {"plan", "inspection", "hazard", "rectification", "case", "penalty", "document"}
