"""Writing a chunk of validated records: upsert by (source, type, external id).

Records new to the platform are inserted in bulk, one executemany INSERT per table and chunk
(rows, tags, mappings, and their audit rows through db/audit.log_inserted, as a flush would log
them), in the order parents before children. Records already known are updated through the ORM
(the session's audit and column checks apply as everywhere). The province check is explicit here,
since a bulk INSERT passes no flush: every record's region is checked before anything is written.

A chunk runs in a SAVEPOINT. When the database refuses it (another writer took a USCC a moment ago),
its records are written again one SAVEPOINT each, so that only the offending record is rejected.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.audit import log_inserted
from enforcement.db.bulk import batches, insert_rows
from enforcement.db.scoping import UNSCOPED, OutOfJurisdiction
from enforcement.domain.errors import Refused
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import DockingRecord, EnterpriseTag, Region
from enforcement.services import base_data
from enforcement.services.docking import context as docking_context
from enforcement.services.docking import tombstone, workflow
from enforcement.services.docking.kinds import BASE_ORDER, KINDS, Kind, member_of
from enforcement.services.docking.spec import Problem

log = logging.getLogger(__name__)

Outcome = str | list[Problem]  # "accepted", "unchanged", or why not


@dataclass
class Item:
    """A record of the batch that passed the checks that need no database."""

    index: int
    raw: dict[str, Any]
    record_type: str
    external_id: str
    deleted: bool
    data: dict[str, Any]
    values: dict[str, Any]
    digest: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.record_type, self.external_id)


@dataclass
class New:
    """A base-data row to insert: its id once inserted."""

    kind: Kind
    values: dict[str, Any]
    parent: Any
    region_code: str
    external_id: str = ""
    id: int | None = None
    deleted_at: None = None


@dataclass
class Link:
    """What an accepted record's mapping must say once its row has an id."""

    item: Item
    mapping: DockingRecord | None
    region_code: str
    row: Any


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def allocate_ids(session: Session, table: Any, count: int) -> list[int]:
    """`count` new primary keys of `table` for an executemany INSERT that needs no RETURNING.

    PostgreSQL: taken from the column's sequence. SQLite: after the largest id, which is safe
    because the unit of work holds the database's write lock (BEGIN IMMEDIATE, db/engine.py).
    """
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.scalar(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        )
        return list(
            session.scalars(
                text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
                {"sequence": sequence, "count": count},
            )
        )
    top = session.scalar(select(func.max(table.c.id))) or 0
    return list(range(top + 1, top + count + 1))


class Regions:
    """Where the caller may place records: each code's answer asked once."""

    def __init__(self, session: Session, jurisdiction: Jurisdiction) -> None:
        self.session = session
        self.jurisdiction = jurisdiction
        self.check = base_data.RegionCheck(session, jurisdiction)
        self._answers: dict[tuple[str, bool], tuple[str, str] | None] = {}

    def _answer(self, code: str, county: bool) -> tuple[str, str] | None:
        if self.session.get(Region, code) is None:
            return f"行政区划代码“{code}”不存在", "unknown_region"
        if not self.jurisdiction.contains(code):
            return f"“{code}”不在本账号的管辖范围（本省）内，不能对接", "other_province"
        message = self.check.problem(code) if county else None
        return (message, "unknown_region") if message else None

    def problem(self, path: str, code: str | None, *, county: bool) -> Problem | None:
        if not code:
            return Problem(path, "无法确定该记录所在的行政区划", "unknown_region")
        if (code, county) not in self._answers:
            self._answers[(code, county)] = self._answer(code, county)
        answer = self._answers[(code, county)]
        return Problem(path, *answer) if answer else None


class Pusher:
    def __init__(self, session: Session, source: str) -> None:
        self.session = session
        self.source = source
        self.jurisdiction = current_actor().jurisdiction
        self.regions = Regions(session, self.jurisdiction)
        # (type, external id) → its row (stored, or New), for references in later records.
        self.rows: dict[tuple[str, str], Any] = {}
        # (type, unique key such as the USCC) → a row an unmapped record adopts.
        self.natural: dict[tuple[str, str], Any] = {}
        self.links: list[Link] = []
        self.new: list[New] = []
        self.deferred: list[tuple[Any, str, New]] = []
        # The checklist plugins (docked inspections name checklist items), loaded when first needed.
        self.platform: Any = None
        # Rows inserted per table (what refresh_statistics reads).
        self.inserted: Counter[str] = Counter()

    # -- lookups of a chunk ------------------------------------------------------------------

    def _mappings(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DockingRecord]:
        """The stored mappings of these keys: one IN per type, on the unique index (a row-value
        IN would scan the table on both engines)."""
        by_type: dict[str, set[str]] = {}
        for record_type, external_id in keys:
            by_type.setdefault(record_type, set()).add(external_id)
        found: dict[tuple[str, str], DockingRecord] = {}
        for record_type, ids in by_type.items():
            wanted = sorted(ids)
            for batch in batches(wanted, 1000):
                where = (
                    DockingRecord.source == self.source,
                    DockingRecord.record_type == record_type,
                    member_of(self.session, DockingRecord.external_id, batch),
                )
                # The ids first (a plain row query): records new to the platform, the bulk of a
                # first push, cost no ORM load.
                ids = list(
                    self.session.scalars(
                        select(DockingRecord.id).where(*where).execution_options(**{UNSCOPED: True})
                    )
                )
                if not ids:
                    continue
                statement = select(DockingRecord).where(DockingRecord.id.in_(ids))
                for record in self.session.scalars(statement.execution_options(**{UNSCOPED: True})):
                    found[(record.record_type, record.external_id)] = record
        return found

    def _load_rows(self, mappings: dict[tuple[str, str], DockingRecord]) -> None:
        wanted: dict[str, list[int]] = {}
        for (name, ext), mapping in mappings.items():
            known = name in KINDS or name in workflow.MODELS
            if known and mapping.local_id is not None and (name, ext) not in self.rows:
                wanted.setdefault(name, []).append(mapping.local_id)
        for name, ids in wanted.items():
            model = KINDS[name].model if name in KINDS else workflow.MODELS[name]
            statement = select(model).where(model.id.in_(ids))
            by_id = {
                r.id: r
                for r in self.session.scalars(statement.execution_options(**{UNSCOPED: True}))
            }
            for (kind, ext), mapping in mappings.items():
                if kind == name and mapping.local_id in by_id:
                    self.rows[(kind, ext)] = by_id[mapping.local_id]

    def _prefetch(self, items: list[Item], mappings: dict[tuple[str, str], DockingRecord]) -> None:
        """The stored rows unmapped records may adopt, by unique key: one query per kind."""
        for name, kind in KINDS.items():
            wanted = [
                i.values
                for i in items
                if i.record_type == name and not i.deleted and i.key not in mappings
            ]
            if wanted and kind.unique:
                for key, row in kind.prefetch(self.session, wanted).items():
                    self.natural.setdefault((name, key), row)

    # -- a chunk -------------------------------------------------------------------------------

    def run_chunk(self, items: list[Item]) -> list[tuple[Item, Outcome]]:
        parents = [
            (KINDS[i.record_type].parent[1], str(i.data.get(KINDS[i.record_type].parent[0])))  # type: ignore[index]
            for i in items
            if i.record_type in KINDS and KINDS[i.record_type].parent and not i.deleted
        ]
        parents += [
            key
            for i in items
            if i.record_type in workflow.MODELS and not i.deleted
            for key in workflow.references(i.record_type, i.data)
        ]
        keys = [i.key for i in items]
        mappings = self._mappings(keys + parents)
        self._load_rows(mappings)
        self._prefetch(items, mappings)
        rows, natural = dict(self.rows), dict(self.natural)
        try:
            with self.session.begin_nested(), self.session.no_autoflush:
                return self._run(items, mappings)
        except (IntegrityError, DataError, OutOfJurisdiction, Refused):
            log.warning("docking chunk refused by the database; record by record", exc_info=True)
        self.rows, self.natural = rows, natural
        mappings = self._mappings(keys + parents)
        self._load_rows(mappings)
        return [(item, self._alone(item, mappings)) for item in items]

    def _run(
        self, items: list[Item], mappings: dict[tuple[str, str], DockingRecord]
    ) -> list[tuple[Item, Outcome]]:
        """Base data first (inserted in bulk: the workflow records of the chunk may name it),
        then the workflow records one by one, in the order of the batch."""
        outcomes: dict[int, Outcome] = {}
        for item in items:
            if item.record_type in KINDS:
                outcomes[item.index] = self._apply(item, mappings)
        self._write(mappings)
        rest = [item for item in items if item.record_type not in KINDS]
        if rest:
            for item in rest:
                outcomes[item.index] = self._apply(item, mappings)
            self._write(mappings)
        return [(item, outcomes[item.index]) for item in items]

    def _alone(self, item: Item, mappings: dict[tuple[str, str], DockingRecord]) -> Outcome:
        rows, natural = dict(self.rows), dict(self.natural)
        try:
            with self.session.begin_nested(), self.session.no_autoflush:
                [(_, outcome)] = self._run([item], mappings)
            if isinstance(outcome, list):
                # Refused before anything was written: what the record would have set is undone.
                self.rows, self.natural = rows, natural
            return outcome
        except OutOfJurisdiction as exc:
            problem = Problem(f"/records/{item.index}", str(exc), "other_province")
        except (IntegrityError, DataError, Refused):
            log.warning("docking record %s refused by the database", item.index, exc_info=True)
            message = "保存失败：与已有数据冲突或超出允许范围"
            problem = Problem(f"/records/{item.index}", message, "conflict")
        self.rows, self.natural = rows, natural
        self.new, self.links, self.deferred = [], [], []
        return [problem]

    def _write(self, mappings: dict[tuple[str, str], DockingRecord]) -> None:
        """Insert the new rows (parents first), then the mappings; flush the updates."""
        try:
            self._insert_new()
            for row, column, parent in self.deferred:
                setattr(row, column, parent.id)
            self.session.flush()
            self._link(mappings)
            self.session.flush()
        finally:
            self.new, self.links, self.deferred = [], [], []

    def _insert_new(self) -> None:
        now = _now()
        for name in BASE_ORDER:
            todo = [n for n in self.new if n.kind.name == name]
            if not todo:
                continue
            kind = todo[0].kind
            ids = allocate_ids(self.session, kind.model.__table__, len(todo))
            columns, tags = [], []
            for new, ident in zip(todo, ids, strict=True):
                new.id = ident
                parent_id = new.parent.id if new.parent is not None else None
                columns.append(kind.insert_values(new.values, parent_id, ident, now))
                tags += [{"enterprise_id": ident, "tag": t} for t in new.values.get("tags") or []]
            insert_rows(self.session.connection(), kind.model.__table__, columns)
            self.inserted[kind.model.__tablename__] += len(columns)
            if tags:
                insert_rows(self.session.connection(), EnterpriseTag.__table__, tags)
            logged = [
                {**c, "tags": n.values.get("tags") or []} if name == "enterprise" else c
                for c, n in zip(columns, todo, strict=True)
            ]
            # The record's mapping is named in its own audit row (the mapping row is not logged
            # again: one audit row per record, the export reads the record's).
            summaries = [
                f"{kind.summary(c)}（对接 {self.source}/{n.external_id}）"
                for c, n in zip(columns, todo, strict=True)
            ]
            log_inserted(self.session, kind.model, logged, summaries)

    def _link(self, mappings: dict[tuple[str, str], DockingRecord]) -> None:
        """Each accepted record's mapping: new ones in one INSERT, known ones updated."""
        inserts = []
        logged = []  # the mappings whose creation is not already in their record's audit row
        for link in self.links:
            item = link.item
            local_id = getattr(link.row, "id", None)
            data = None if item.deleted or item.record_type in KINDS else item.data
            if link.mapping is None:
                inserts.append(
                    {
                        "source": self.source,
                        "record_type": item.record_type,
                        "external_id": item.external_id,
                        "region_code": link.region_code,
                        "local_id": local_id,
                        "content_hash": item.digest,
                        "data": data,
                        "deleted": item.deleted,
                        "created_at": _now(),
                        "updated_at": _now(),
                    }
                )
                logged.append(not isinstance(link.row, New))
                continue
            mapping = link.mapping
            mapping.region_code = link.region_code
            mapping.content_hash = item.digest
            mapping.deleted = item.deleted
            mapping.local_id = local_id
            mapping.data = data
        if inserts:
            table = DockingRecord.__table__
            ids = allocate_ids(self.session, table, len(inserts))
            for row, ident in zip(inserts, ids, strict=True):
                row["id"] = ident
            insert_rows(self.session.connection(), table, inserts)
            self.inserted[table.name] += len(inserts)
            audited = [row for row, log in zip(inserts, logged, strict=True) if log]
            summaries = [f"{r['source']}/{r['record_type']}/{r['external_id']}" for r in audited]
            log_inserted(self.session, DockingRecord, audited, summaries)

    # -- one record ------------------------------------------------------------------------------

    def _apply(self, item: Item, mappings: dict[tuple[str, str], DockingRecord]) -> Outcome:
        mapping = mappings.get(item.key)
        if mapping is not None and not self.jurisdiction.contains(mapping.region_code):
            path = f"/records/{item.index}/id"
            return [Problem(path, "该记录属于其他省份（辖区），不能修改", "other_province")]
        unchanged = mapping is not None and mapping.content_hash == item.digest
        if unchanged and not self._unwritten(item, mapping):
            return "unchanged"
        if item.record_type in KINDS:
            outcome = self._base_data(item, mapping)
        else:
            outcome = self._kept(item, mapping)
        if isinstance(outcome, list | str):
            return outcome
        self.links.append(outcome)
        return "accepted"

    @staticmethod
    def _unwritten(item: Item, mapping: DockingRecord) -> bool:
        """A workflow record kept only as received before its type got a table (documents before
        migration 0022): pushed again unchanged, it is written now."""
        return (
            not item.deleted
            and mapping.local_id is None
            and not mapping.deleted
            and item.record_type in workflow.WRITERS
        )

    def _kept(self, item: Item, mapping: DockingRecord | None) -> Link | Outcome:
        """A workflow record of the spec: written into the platform's table (services/docking/
        workflow.py) where the type has one, and kept as received for the export."""
        row = self.rows.get(item.key)
        if item.deleted:  # nothing here to delete (a mirror starting empty): unchanged
            if mapping is None:
                return "unchanged"
            if row is not None and hasattr(row, "deleted_at") and row.deleted_at is None:
                why = tombstone.dependents(self.session, item.record_type, row)
                if why is not None:
                    return [Problem(f"/records/{item.index}/id", why, "conflict")]
                username = current_actor().username
                tombstone.bury(self.session, item.record_type, row, username, self.source)
            return Link(item, mapping, mapping.region_code, row)
        writer = workflow.WRITERS.get(item.record_type)
        if writer is None:
            code = item.data.get("region_code")
            path = f"/records/{item.index}/data/region_code"
            problem = self.regions.problem(path, code, county=False)
            return [problem] if problem else Link(item, mapping, code, None)
        context = docking_context.Context(
            self.session,
            self.source,
            item.external_id,
            self.jurisdiction,
            current_actor().username,
            resolve=lambda kind, ident: self.rows.get((kind, ident)),
            region_problem=lambda path, code: self.regions.problem(path, code, county=False),
            platform=self.platform,
        )
        written = writer(context, f"/records/{item.index}/data", item.data, row)
        self.platform = context.platform
        if context.problems or written is None:
            return context.problems or [
                Problem(f"/records/{item.index}", "记录无法写入", "invalid_value")
            ]
        # Pushed again after its tombstone: the same row comes back (once the record is valid).
        tombstone.revive(self.session, item.record_type, written, self.source)
        self.rows[item.key] = written
        return Link(item, mapping, written.region_code, written)

    def _base_data(self, item: Item, mapping: DockingRecord | None) -> Link | Outcome:
        kind = KINDS[item.record_type]
        base = f"/records/{item.index}"
        row = self.rows.get(item.key)
        if item.deleted:
            if mapping is None or row is None or isinstance(row, New):
                return "unchanged"  # nothing here to delete (a mirror starting empty)
            if kind.soft_deleted and row.deleted_at is None:
                row.deleted_at = _now()
                row.deleted_by = current_actor().username
            return Link(item, mapping, mapping.region_code, row)
        parent = None
        if kind.parent is not None:
            ref_key, parent_type = kind.parent
            parent = self.rows.get((parent_type, str(item.data[ref_key])))
            if parent is None or getattr(parent, "deleted_at", None) is not None:
                message = f"引用的记录（{parent_type} {item.data[ref_key]}）不存在：请先推送它"
                return [Problem(f"{base}/data/{ref_key}", message, "unknown_reference")]
        region = kind.region_of(item.values, parent, None if isinstance(row, New) else row)
        where = f"{base}/data/{kind.parent[0] if kind.parent else 'region_code'}"
        problem = self.regions.problem(where, region, county=item.record_type == "enterprise")
        if problem:
            return [problem]
        if row is None:
            row = (
                self.natural.get((item.record_type, item.values.get(kind.unique)))
                if kind.unique
                else kind.natural(self.session, item.values, parent)
            )
            if isinstance(row, New):
                message = "同一批次中另一条记录已登记该代码（统一社会信用代码或执法证号）"
                return [Problem(f"{base}/data/{kind.unique}", message, "duplicate_in_batch")]
            if row is not None and not self.jurisdiction.contains(
                kind.region_of({}, getattr(row, kind.parent[1]) if kind.parent else None, row)
            ):
                message = "该记录已在其他辖区登记（如统一社会信用代码、执法证号），不能对接"
                return [Problem(f"{base}/data", message, "conflict")]
        if row is None:
            row = New(kind, item.values, parent, region, item.external_id)
            self.new.append(row)
            if kind.unique:
                self.natural[(item.record_type, item.values.get(kind.unique))] = row
        elif isinstance(row, New):
            return [Problem(f"{base}/id", "同一批次中该类型的 id 重复", "duplicate_in_batch")]
        else:
            known = parent.id if parent is not None and parent.id is not None else None
            kind.assign(row, item.values, known)
            if isinstance(parent, New) and parent.id is None and kind.foreign_key:
                self.deferred.append((row, kind.foreign_key, parent))
        self.rows[item.key] = row
        return Link(item, mapping, region, row)
