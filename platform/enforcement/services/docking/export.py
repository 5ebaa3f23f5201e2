"""Export: the changes of one record type since a cursor, tombstones included.

The change sequence is the audit log (db/audit.py): every change of an audited row writes its audit
row in the same transaction, with an increasing id. A cursor is the last audit id a page covered,
opaque to the client. Reading by id is safe under concurrent writes when no transaction can commit
a lower id after a higher one has become visible: on SQLite writers are serialized (BEGIN
IMMEDIATE), and on PostgreSQL the page first takes a SHARE lock on audit_log, which waits for the
transactions writing it to finish (and holds new ones back for the page's few milliseconds).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, cast, literal, select, text, union_all
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.bulk import batches
from enforcement.db.scoping import UNSCOPED
from enforcement.models import AuditLog, DockingRecord
from enforcement.services.docking import local_export, workflow
from enforcement.services.docking.kinds import KINDS
from enforcement.services.docking.push import content_hash

PAGE = 500
MAX_PAGE = 2000


class BadCursor(ValueError):
    """A cursor this platform did not issue."""


def encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"v1.{position}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, position = raw.split(".", 1)
        value = int(position)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor("游标无效：请使用上一页返回的 next，首次拉取不填 since") from None
    # Only what encode() gives: no other spelling of the same position is accepted.
    if version != "v1" or not 0 <= value < 2**63 or encode(value) != cursor:
        raise BadCursor("游标无效：请使用上一页返回的 next，首次拉取不填 since")
    return value


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    next: str
    more: bool


def _region(record_type: str, row: Any) -> str | None:
    if record_type == "equipment":
        return row.enterprise.region_code if row.enterprise else None
    if record_type == "enforcer":
        return row.department.region_code if row.department else None
    return row.region_code


def _changes(
    session: Session, record_type: str, since: int, limit: int
) -> list[tuple[int, str, str]]:
    """(audit id, origin, entity id) of the changes after `since`, in order: origin "local" for a
    row of the platform's own table (base data; workflow records made here), "docked" for a
    docking_record of a workflow type."""

    def own(entity: str) -> Select[Any]:
        return select(
            AuditLog.id.label("audit_id"),
            literal("local").label("origin"),
            AuditLog.entity_id.label("entity_id"),
        ).where(AuditLog.entity == entity, AuditLog.id > since)

    if record_type in KINDS:
        parts = [own(record_type)]
    else:
        parts = [
            select(
                AuditLog.id.label("audit_id"),
                literal("docked").label("origin"),
                AuditLog.entity_id.label("entity_id"),
            )
            .join(DockingRecord, cast(DockingRecord.id, String) == AuditLog.entity_id)
            .where(
                AuditLog.entity == "docking_record",
                AuditLog.id > since,
                DockingRecord.record_type == record_type,
            )
        ]
        if record_type in local_export.LOCAL:
            # A docked row's own audit rows come along too; export_page leaves them out (such a
            # row leaves through its docking_record).
            local = local_export.LOCAL[record_type]
            parts.append(own(local.entity))
            parts.extend(
                select(
                    AuditLog.id.label("audit_id"),
                    literal("local").label("origin"),
                    cast(n.record, String).label("entity_id"),
                )
                .join(n.key.table, cast(n.key, String) == AuditLog.entity_id)
                .where(AuditLog.entity == n.entity, AuditLog.id > since, n.record.is_not(None))
                for n in local.neighbours
            )
    if len(parts) == 1:
        statement = parts[0].order_by(AuditLog.id)
    else:
        merged = union_all(*parts).subquery()
        statement = select(merged.c.audit_id, merged.c.origin, merged.c.entity_id).order_by(
            merged.c.audit_id
        )
    rows = session.execute(statement.limit(limit).execution_options(**{UNSCOPED: True}))
    return [(i, o, e) for i, o, e in rows if e]


def _base_ids(session: Session, mappings: Any) -> dict[tuple[str, str, str], int]:
    """(source, type, external id) → local id of the base data these workflow records name."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for mapping in mappings:
        if mapping.data and not mapping.deleted:
            for kind, ident in workflow.references(mapping.record_type, mapping.data):
                if kind in KINDS:
                    wanted.setdefault((mapping.source, kind), set()).add(ident)
    found: dict[tuple[str, str, str], int] = {}
    for (source, kind), idents in wanted.items():
        for names in batches(sorted(idents)):
            rows = session.execute(
                select(DockingRecord.external_id, DockingRecord.local_id)
                .where(
                    DockingRecord.source == source,
                    DockingRecord.record_type == kind,
                    DockingRecord.external_id.in_(names),
                )
                .execution_options(**{UNSCOPED: True})
            )
            for external_id, local_id in rows:
                if local_id is not None:
                    found[(source, kind, external_id)] = local_id
    return found


def _base_records(
    session: Session, record_type: str, keys: list[str], jurisdiction: Any
) -> list[dict[str, Any]]:
    model = KINDS[record_type].model
    ids = [int(i) for i in keys if i.isdigit()]
    rows = {
        str(row.id): row
        for row in session.scalars(
            select(model).where(model.id.in_(ids)).execution_options(**{UNSCOPED: True})
        )
    }
    origins = {
        str(r.local_id): r
        for r in session.scalars(
            select(DockingRecord)
            .where(DockingRecord.record_type == record_type, DockingRecord.local_id.in_(ids))
            .execution_options(**{UNSCOPED: True})
        )
    }
    records: list[dict[str, Any]] = []
    for key in keys:
        row = rows.get(key)
        if row is None:
            if jurisdiction.is_national:
                records.append({"type": record_type, "id": key, "deleted": True})
            continue
        region = _region(record_type, row)
        # The ministry (a department without a region) is no province's data to mirror.
        if region is None or not jurisdiction.contains(region):
            continue
        record: dict[str, Any] = {"type": record_type, "id": key}
        if getattr(row, "deleted_at", None) is not None:
            record["deleted"] = True
        else:
            data = KINDS[record_type].export(row)
            record.update(data=data, hash=content_hash(data))
        origin = origins.get(key)
        if origin is not None:
            record["origin"] = {"source": origin.source, "id": origin.external_id}
        records.append(record)
    return records


def _docked_records(
    session: Session, record_type: str, keys: list[str], jurisdiction: Any
) -> dict[str, dict[str, Any]]:
    """docking_record id → the workflow record it keeps, as the source sent it (base data named
    by local ids)."""
    ids = [int(i) for i in keys if i.isdigit()]
    kept = {
        str(r.id): r
        for r in session.scalars(
            select(DockingRecord)
            .where(DockingRecord.id.in_(ids))
            .execution_options(**{UNSCOPED: True})
        )
    }
    local = _base_ids(session, kept.values())
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        mapping = kept.get(key)
        if mapping is None or not jurisdiction.contains(mapping.region_code):
            continue
        record: dict[str, Any] = {
            "type": record_type,
            "id": mapping.external_id,
            "origin": {"source": mapping.source, "id": mapping.external_id},
        }
        if mapping.deleted or mapping.data is None:
            record["deleted"] = True
        else:
            source = mapping.source
            data = workflow.relabel(mapping.data, lambda k, e, s=source: local.get((s, k, e)))
            record.update(data=data, hash=content_hash(data))
        out[key] = record
    return out


def _removed(session: Session, record_type: str, keys: list[str], jurisdiction: Any) -> list[str]:
    """The local records among `keys` that are gone from their table (a withdrawn penalty is
    deleted, not marked): a tombstone each, where the audit row of the deletion places the record
    inside the caller's jurisdiction and says it was made here (not docked)."""
    ids = [int(k) for k in keys if k.isdigit()]
    if not ids:
        return []
    model = local_export.LOCAL[record_type].model
    present = {
        str(i)
        for chunk in batches(ids)
        for i in session.scalars(
            select(model.id).where(model.id.in_(chunk)).execution_options(**{UNSCOPED: True})
        )
    }
    gone = [k for k in keys if k.isdigit() and k not in present]
    removed = []
    for chunk in batches(gone):
        for entity_id, old in session.execute(
            select(AuditLog.entity_id, AuditLog.old_values).where(
                AuditLog.entity == local_export.LOCAL[record_type].entity,
                AuditLog.entity_id.in_(chunk),
                AuditLog.action == "delete",
            )
        ):
            region = (old or {}).get("region_code")
            docked = (old or {}).get("docking_source")
            if region and not docked and jurisdiction.contains(region) and entity_id not in removed:
                removed.append(entity_id)
    return [k for k in gone if k in removed]


def _local_records(
    session: Session,
    record_type: str,
    keys: list[str],
    jurisdiction: Any,
    file_url: local_export.FileUrl | None,
) -> dict[str, dict[str, Any]]:
    """Local id → the workflow record made on this platform (services/docking/local_export.py)."""
    rows = local_export.rows(session, record_type, [int(i) for i in keys if i.isdigit()])
    out: dict[str, dict[str, Any]] = {}
    live = []
    for key in keys:
        row = rows.get(key)
        # Absent: a docked row (it leaves through its docking_record).
        if row is None or not jurisdiction.contains(row.region_code):
            continue
        if getattr(row, "deleted_at", None) is not None:
            out[key] = {"type": record_type, "id": key, "deleted": True}
        else:
            live.append(row)
    for key in _removed(session, record_type, [k for k in keys if k not in rows], jurisdiction):
        out[key] = {"type": record_type, "id": key, "deleted": True}
    for row, data in zip(
        live, local_export.export(session, record_type, live, file_url), strict=True
    ):
        out[str(row.id)] = {
            "type": record_type,
            "id": str(row.id),
            "data": data,
            "hash": content_hash(data),
        }
    return out


def export_page(
    session: Session,
    record_type: str,
    since: str | None,
    limit: int = PAGE,
    file_url: local_export.FileUrl | None = None,
) -> Page:
    """The records of `record_type` changed after the cursor `since`, each once, in the order of
    its last change; soft-deleted (or removed) ones as tombstones. Only the caller's jurisdiction.
    Workflow records: those that arrived by docking and those made on this platform, merged.
    `file_url` gives the platform's download address of a local document (documents only)."""
    position = decode(since)
    limit = max(1, min(limit, MAX_PAGE))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_log IN SHARE MODE"))
    changes = _changes(session, record_type, position, limit)
    more = len(changes) >= limit
    if more and changes[0][0] != changes[-1][0]:
        # One audit row may name more than one record (a task with two inspections): a full page
        # ends before the last audit id, so that none of its records is cut off at the boundary.
        cut = changes[-1][0]
        changes = [c for c in changes if c[0] != cut]
    last: dict[tuple[str, str], int] = {}
    for audit_id, origin, entity_id in changes:
        last[(origin, entity_id)] = audit_id
    ordered = sorted(last, key=last.__getitem__)
    jurisdiction = current_actor().jurisdiction
    if record_type in KINDS:
        records = _base_records(session, record_type, [e for _, e in ordered], jurisdiction)
    else:
        found = {
            ("docked", k): r
            for k, r in _docked_records(
                session, record_type, [e for o, e in ordered if o == "docked"], jurisdiction
            ).items()
        }
        if record_type in local_export.LOCAL and (record_type != "document" or file_url):
            locals_ = [e for o, e in ordered if o == "local"]
            mine = _local_records(session, record_type, locals_, jurisdiction, file_url)
            found.update((("local", k), r) for k, r in mine.items())
        records = [found[key] for key in ordered if key in found]
    end = changes[-1][0] if changes else position
    return Page(records, encode(end), more)
