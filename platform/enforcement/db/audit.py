"""Audit trail: every create/update/delete of a model declared `Audited`, with old and new values.

Captured from the ORM session (one place), so forms, the REST API, imports and the CLI are all
logged the same way. Rows are written on the same connection inside the same transaction:
a rolled-back change leaves no audit row, a committed one always has its row. The rows go to the
one `AuditTrail` model; a flushed object whose class declares no audit policy raises
`UndeclaredPolicy` (db/policies.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.bulk import insert_rows
from enforcement.db.policies import audit_entity, audit_trail

SECRET_COLUMNS = {"password"}
NOISE_COLUMNS = {"updated_at", "changed_on", "last_login", "login_count", "fail_login_count"}

_PENDING = "enforcement_audit_pending"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):  # a file (e.g. a signature's PNG) is logged by size and hash
        return {"bytes": len(value), "sha256": hashlib.sha256(value).hexdigest()}
    return value


def _columns(obj: object) -> list[str]:
    return [
        c.key
        for c in inspect(obj).mapper.column_attrs
        if c.key not in SECRET_COLUMNS and c.key not in NOISE_COLUMNS
    ]


def _collections(obj: object) -> dict[str, tuple[str, str]]:
    return getattr(type(obj), "__audit_collections__", {})


def snapshot(obj: object) -> dict[str, Any]:
    values = {key: _plain(getattr(obj, key)) for key in _columns(obj)}
    for name, (relationship, attribute) in _collections(obj).items():
        values[name] = [getattr(member, attribute) for member in getattr(obj, relationship)]
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
    for name, (relationship, attribute) in _collections(obj).items():
        history = state.attrs[relationship].history
        if history.has_changes():
            old[name] = sorted(
                [getattr(member, attribute) for member in history.unchanged]
                + [getattr(member, attribute) for member in history.deleted]
            )
            new[name] = [getattr(member, attribute) for member in getattr(obj, relationship)]
            if old[name] == sorted(new[name]):
                del old[name], new[name]
    return old, new


def _before_flush(session: Session, flush_context: Any, _instances: object) -> None:
    # Kept on this flush only: a flush that fails (and is rolled back) leaves no stale entries.
    pending = flush_context.attributes.setdefault(_PENDING, [])
    # A changed collection (an enterprise's tags) marks its owner dirty too: audited on the owner.
    for obj in session.dirty:
        entity = audit_entity(type(obj))
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
        entity = audit_entity(type(obj))
        if entity is not None:
            pending.append(("delete", entity, obj, snapshot(obj), None))
    for obj in session.new:
        entity = audit_entity(type(obj))
        if entity is not None:
            pending.append(("create", entity, obj, None, None))


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = flush_context.attributes.pop(_PENDING, [])
    if pending:
        _write(session, pending)


def _write(session: Session, pending: list[tuple[str, str, Any, Any, Any]]) -> None:
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
    session.connection().execute(insert(audit_trail()), rows)


def log_inserted(
    session: Session, model: type, rows: list[dict[str, Any]], summaries: list[str]
) -> None:
    """The audit rows of records a bulk job inserted itself (one executemany, not a flush), with
    the values a flush would have logged: `rows` hold every column inserted (the primary key
    included) and, under their logged names, the collections of `__audit_collections__`."""
    entity = audit_entity(model)
    if entity is None or not rows:
        return
    mapper = inspect(model)
    keys = [c.key for c in mapper.column_attrs if c.key not in SECRET_COLUMNS | NOISE_COLUMNS]
    keys += list(getattr(model, "__audit_collections__", {}))
    (primary,) = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
    actor = current_actor()
    at = dt.datetime.now().replace(microsecond=0)
    reason = session.info.get("audit_reason")
    insert_rows(
        session.connection(),
        audit_trail().__table__,
        [
            {
                "at": at,
                "username": actor.username,
                "action": "create",
                "entity": entity,
                "entity_id": str(row[primary]),
                "summary": summary[:300],
                "old_values": None,
                "new_values": {key: _plain(row.get(key)) for key in keys},
                "reason": reason,
                "remote_addr": actor.remote_addr,
            }
            for row, summary in zip(rows, summaries, strict=True)
        ],
    )


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
        audit_trail()(
            username=username,
            action=action,
            entity=entity,
            summary=summary[:300],
            new_values=values,
            remote_addr=remote_addr,
        )
    )


def install_audit(session_factory: object) -> None:
    """Attach the audit listeners to a Session class or sessionmaker (idempotent)."""
    if not event.contains(session_factory, "before_flush", _before_flush):
        event.listen(session_factory, "before_flush", _before_flush)
        event.listen(session_factory, "after_flush", _after_flush)
