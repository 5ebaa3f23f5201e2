"""Audit trail: every create/update/delete of audited records, with old and new values.

Captured from the ORM session (one place), so forms, the REST API, imports and the CLI are all
logged the same way. Rows are written on the same connection inside the same transaction:
a rolled-back change leaves no audit row, a committed one always has its row.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from enforcement.models import (
    AnswerSet,
    AppUser,
    AuditLog,
    Case,
    CaseTransition,
    ChecklistUpload,
    Department,
    Document,
    Enforcer,
    Enterprise,
    Equipment,
    Hazard,
    Inspection,
    InspectionScheme,
    Penalty,
    Plan,
    RectificationOrder,
    Task,
    TrainingRecord,
)
from enforcement.models.scoping import UNSCOPED, current_actor

AUDITED: dict[type, str] = {
    Enterprise: "enterprise",
    Equipment: "equipment",
    Enforcer: "enforcer",
    TrainingRecord: "training_record",
    Department: "department",
    AppUser: "user",
    ChecklistUpload: "checklist_upload",
    AnswerSet: "answer_set",
    Plan: "plan",
    Task: "task",
    InspectionScheme: "inspection_scheme",
    Inspection: "inspection",
    Hazard: "hazard",
    RectificationOrder: "rectification_order",
    Document: "document",
    Case: "case",
    CaseTransition: "case_transition",
    Penalty: "penalty",
}
SECRET_COLUMNS = {"password"}
NOISE_COLUMNS = {"updated_at", "changed_on", "last_login", "login_count", "fail_login_count"}

_PENDING = "enforcement_audit_pending"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _columns(obj: object) -> list[str]:
    return [
        c.key
        for c in inspect(obj).mapper.column_attrs
        if c.key not in SECRET_COLUMNS and c.key not in NOISE_COLUMNS
    ]


def snapshot(obj: object) -> dict[str, Any]:
    values = {key: _plain(getattr(obj, key)) for key in _columns(obj)}
    if isinstance(obj, Enterprise):
        values["tags"] = obj.tags
    return values


def _changes(obj: object) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in _columns(obj):
        history = state.attrs[key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if _plain(before) != _plain(after):
                old[key], new[key] = _plain(before), _plain(after)
    if isinstance(obj, Enterprise):
        history = state.attrs["tag_links"].history
        if history.has_changes():
            old["tags"] = sorted(
                [link.tag for link in history.unchanged] + [link.tag for link in history.deleted]
            )
            new["tags"] = obj.tags
            if old["tags"] == sorted(new["tags"]):
                del old["tags"], new["tags"]
    return old, new


def _before_flush(session: Session, flush_context: Any, _instances: object) -> None:
    # Kept on this flush only: a flush that fails (and is rolled back) leaves no stale entries.
    pending = flush_context.attributes.setdefault(_PENDING, [])
    # A changed tag collection marks its enterprise dirty too, so tags are audited on the enterprise.
    for obj in session.dirty:
        entity = AUDITED.get(type(obj))
        if entity is None:
            continue
        old, new = _changes(obj)
        if not new and not old:
            continue
        action = "update"
        if "deleted_at" in new:
            action = "delete" if new["deleted_at"] else "restore"
        pending.append((action, entity, obj, old, new))
    for obj in session.deleted:
        entity = AUDITED.get(type(obj))
        if entity is not None:
            pending.append(("delete", entity, obj, snapshot(obj), None))
    for obj in session.new:
        entity = AUDITED.get(type(obj))
        if entity is not None:
            pending.append(("create", entity, obj, None, None))


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = flush_context.attributes.pop(_PENDING, [])
    if not pending:
        return
    actor = current_actor()
    rows = []
    for action, entity, obj, old, new in pending:
        if action == "create":
            new = snapshot(obj)
        # New rows have no identity key yet inside after_flush; their primary key is set though.
        ident = inspect(obj).mapper.primary_key_from_instance(obj)
        rows.append(
            {
                "at": dt.datetime.now().replace(microsecond=0),
                "username": actor.username,
                "action": action,
                "entity": entity,
                "entity_id": "/".join(str(part) for part in ident),
                "summary": str(obj)[:300],
                "old_values": old,
                "new_values": new,
                "reason": session.info.get("audit_reason"),
                "remote_addr": actor.remote_addr,
            }
        )
    session.connection().execute(insert(AuditLog), rows)


def record_event(
    session: Session,
    action: str,
    *,
    username: str | None,
    summary: str,
    remote_addr: str | None = None,
    entity: str | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """Log an event that is not a row change (a login, a failed login, an import)."""
    session.add(
        AuditLog(
            username=username,
            action=action,
            entity=entity,
            summary=summary[:300],
            new_values=values,
            remote_addr=remote_addr,
        )
    )


def install_audit(session_factory: object) -> None:
    if not event.contains(session_factory, "before_flush", _before_flush):
        event.listen(session_factory, "before_flush", _before_flush)
        event.listen(session_factory, "after_flush", _after_flush)


def display_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """How a record's "who" reads on a page: the inspector's name with the login
    ("郭德明（donghu）") when the user acts as one 执法人员, otherwise the login alone."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    rows = session.execute(
        select(AppUser.username, Enforcer.name)
        .join(Enforcer, AppUser.enforcer_id == Enforcer.id)
        .where(AppUser.username.in_(wanted))
        .execution_options(**{UNSCOPED: True})
    )
    names = {username: f"{name}（{username}）" for username, name in rows}
    return {username: names.get(username, username) for username in wanted}
