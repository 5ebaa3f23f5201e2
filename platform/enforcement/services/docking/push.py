"""Push: a batch of records validated one by one and upserted by (source, type, external id).

A batch is answered `{"accepted", "unchanged", "rejected": [...]}`. Records are handled in chunks:
a chunk is flushed together, and when the database refuses it (a race with another writer) its
records are written again one SAVEPOINT each, so only the offending record is rejected. As the
outermost unit of work the push commits every chunk (`chunked`): a failure later in a large batch
keeps what was accepted. A dry run does the same work inside one SAVEPOINT that is rolled back.

A batch is known by (source, batch id, content hash): pushed again, it gets the stored answer and
changes nothing. The same batch id with other content is refused (409).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.scoping import UNSCOPED, OutOfJurisdiction
from enforcement.db.unit_of_work import chunked, unit_of_work
from enforcement.domain.errors import Conflict
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import DockingBatch, DockingRecord, Region
from enforcement.services import base_data
from enforcement.services.docking import spec
from enforcement.services.docking.kinds import KINDS, clean
from enforcement.services.docking.spec import Problem

log = logging.getLogger(__name__)

MAX_RECORDS = 10_000
CHUNK = 500
# What the export answers is pushable as it is: `hash` is checked, `origin` is informative.
ENVELOPE_KEYS = {"type", "id", "data", "deleted", "hash", "origin"}
SOURCE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
BATCH_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


def content_hash(data: Any) -> str:
    """The hash of a record's data as canonical JSON (key order and spacing do not count)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Summary:
    accepted: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    by_type: Counter[str] = field(default_factory=Counter)

    def reject(self, index: int, record: Any, problems: list[Problem]) -> None:
        kind = record.get("type") if isinstance(record, dict) else None
        ident = record.get("id") if isinstance(record, dict) else None
        self.rejected.append(
            {
                "index": index,
                "type": kind if isinstance(kind, str) else None,
                "id": str(ident) if isinstance(ident, str | int) else None,
                "errors": [p.as_dict() for p in problems],
            }
        )

    def answer(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "unchanged": self.unchanged, "rejected": self.rejected}


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


def _envelope(index: int, record: Any) -> tuple[Item | None, list[Problem]]:
    base = f"/records/{index}"
    if not isinstance(record, dict):
        return None, [Problem(base, "每条记录应为对象", "wrong_type")]
    problems = [
        Problem(
            f"{base}/{key}",
            f"记录中没有字段“{key}”，应为 type、id、data、deleted、hash、origin",
            "unknown_field",
        )
        for key in sorted(str(k) for k in record if k not in ENVELOPE_KEYS)
    ]
    record_type = record.get("type")
    if record_type not in KINDS and record_type not in spec.TYPES:
        choices = "、".join(spec.TYPES)
        problems.append(Problem(f"{base}/type", f"未知的记录类型，可选：{choices}", "unknown_type"))
    ident = record.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or not 0 < len(str(ident)) <= 64:
        problems.append(Problem(f"{base}/id", "记录 id 应为1-64个字符的文字或整数", "bad_id"))
    deleted = record.get("deleted", False)
    if not isinstance(deleted, bool):
        problems.append(Problem(f"{base}/deleted", "deleted 应为 true 或 false", "wrong_type"))
    data = record.get("data")
    if not deleted and not isinstance(data, dict):
        problems.append(Problem(f"{base}/data", "data 应为对象（记录内容）", "wrong_type"))
    if problems:
        return None, problems
    data = data if isinstance(data, dict) else {}
    values: dict[str, Any] = {}
    if not deleted:
        problems = spec.problems(record_type, data, f"{base}/data")
        if not problems and record_type in KINDS:
            values, errors = clean(KINDS[record_type].table, data)
            problems = [
                Problem(f"{base}/data{e.path}", e.message, _code(e.message)) for e in errors
            ]
        if problems:
            return None, problems
    digest = content_hash({"deleted": True} if deleted else data)
    claimed = record.get("hash")
    if claimed is not None and not deleted and claimed != digest:
        message = "hash 与 data 的内容不一致（按规范的规范化 JSON 计算 SHA-256）"
        return None, [Problem(f"{base}/hash", message, "hash_mismatch")]
    return Item(index, record, record_type, str(ident), deleted, data, values, digest), []


def _code(message: str) -> str:
    if message.startswith("请填写"):
        return "missing"
    if "统一社会信用代码" in message:
        return "invalid_uscc"
    return "invalid_value"


class Regions:
    """Region codes the caller may place records in, asked once per code."""

    def __init__(self, session: Session, jurisdiction: Jurisdiction) -> None:
        self.session = session
        self.jurisdiction = jurisdiction
        self.check = base_data.RegionCheck(session, jurisdiction)
        self._exists: dict[str, bool] = {}

    def exists(self, code: str) -> bool:
        if code not in self._exists:
            self._exists[code] = self.session.get(Region, code) is not None
        return self._exists[code]

    def problem(self, path: str, code: str | None, *, county: bool) -> Problem | None:
        if not code:
            return Problem(path, "无法确定该记录所在的行政区划", "unknown_region")
        if not self.exists(code):
            return Problem(path, f"行政区划代码“{code}”不存在", "unknown_region")
        if not self.jurisdiction.contains(code):
            return Problem(
                path, f"“{code}”不在本账号的管辖范围（本省）内，不能对接", "other_province"
            )
        if county:
            message = self.check.problem(code)
            if message:
                return Problem(path, message, "unknown_region")
        return None


class Pusher:
    def __init__(self, session: Session, source: str, summary: Summary) -> None:
        self.session = session
        self.source = source
        self.summary = summary
        self.jurisdiction = current_actor().jurisdiction
        self.regions = Regions(session, self.jurisdiction)
        # (type, external id) → the local row, for references within the batch and later chunks.
        self.rows: dict[tuple[str, str], Any] = {}
        self.links: list[tuple[Item, DockingRecord | None, str, Any]] = []

    # -- lookups of a chunk ------------------------------------------------------------------

    def _mappings(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DockingRecord]:
        keys = list(set(keys))
        found: dict[tuple[str, str], DockingRecord] = {}
        for start in range(0, len(keys), 400):
            part = keys[start : start + 400]
            statement = select(DockingRecord).where(
                DockingRecord.source == self.source,
                tuple_(DockingRecord.record_type, DockingRecord.external_id).in_(part),
            )
            for record in self.session.scalars(statement.execution_options(**{UNSCOPED: True})):
                found[(record.record_type, record.external_id)] = record
        return found

    def _load_rows(self, mappings: dict[tuple[str, str], DockingRecord]) -> None:
        wanted: dict[str, list[int]] = {}
        for (kind, ext), mapping in mappings.items():
            if kind in KINDS and mapping.local_id is not None and (kind, ext) not in self.rows:
                wanted.setdefault(kind, []).append(mapping.local_id)
        for kind, ids in wanted.items():
            model = KINDS[kind].model
            rows = self.session.scalars(
                select(model).where(model.id.in_(ids)).execution_options(**{UNSCOPED: True})
            )
            by_id = {row.id: row for row in rows}
            for (k, ext), mapping in mappings.items():
                if k == kind and mapping.local_id in by_id:
                    self.rows[(k, ext)] = by_id[mapping.local_id]

    # -- one chunk ---------------------------------------------------------------------------

    def run_chunk(self, items: list[Item]) -> None:
        keys = [(i.record_type, i.external_id) for i in items]
        parents = [
            (KINDS[i.record_type].parent[1], str(i.data.get(KINDS[i.record_type].parent[0])))  # type: ignore[index]
            for i in items
            if i.record_type in KINDS and KINDS[i.record_type].parent and not i.deleted
        ]
        mappings = self._mappings(keys + parents)
        self._load_rows(mappings)
        outcomes: list[tuple[Item, str | list[Problem]]] = []
        try:
            with self.session.begin_nested():
                self.links = []
                outcomes = [(item, self._apply(item, mappings)) for item in items]
                self.session.flush()
                self._link(mappings)
                self.session.flush()
        except (IntegrityError, DataError, OutOfJurisdiction):
            log.warning("docking chunk refused by the database; record by record", exc_info=True)
            self.rows = {k: v for k, v in self.rows.items() if v in self.session}
            mappings = self._mappings(keys + parents)
            outcomes = [(item, self._apply_alone(item, mappings)) for item in items]
        for item, outcome in outcomes:
            if isinstance(outcome, list):
                self.summary.reject(item.index, item.raw, outcome)
            elif outcome == "unchanged":
                self.summary.unchanged += 1
                self.summary.by_type[item.record_type] += 1
            else:
                self.summary.accepted += 1
                self.summary.by_type[item.record_type] += 1

    def _apply_alone(
        self, item: Item, mappings: dict[tuple[str, str], DockingRecord]
    ) -> str | list[Problem]:
        try:
            with self.session.begin_nested():
                self.links = []
                outcome = self._apply(item, mappings)
                self.session.flush()
                self._link(mappings)
                self.session.flush()
            return outcome
        except OutOfJurisdiction as exc:
            return [Problem(f"/records/{item.index}", str(exc), "other_province")]
        except (IntegrityError, DataError):
            log.warning("docking record %s refused by the database", item.index, exc_info=True)
            self.rows = {k: v for k, v in self.rows.items() if v in self.session}
            return [
                Problem(
                    f"/records/{item.index}", "保存失败：与已有数据冲突或超出允许范围", "conflict"
                )
            ]

    def _apply(
        self, item: Item, mappings: dict[tuple[str, str], DockingRecord]
    ) -> str | list[Problem]:
        key = (item.record_type, item.external_id)
        base = f"/records/{item.index}"
        mapping = mappings.get(key)
        if mapping is not None and not self.jurisdiction.contains(mapping.region_code):
            return [Problem(f"{base}/id", "该记录属于其他省份（辖区），不能修改", "other_province")]
        if mapping is not None and mapping.content_hash == item.digest:
            return "unchanged"
        if item.record_type in KINDS:
            outcome = self._base_data(item, mapping, mappings)
        else:
            outcome = self._kept(item, mapping)
        if isinstance(outcome, list | str):
            return outcome
        mapping, region, row = outcome
        self.links.append((item, mapping, region, row))
        return "accepted"

    def _link(self, mappings: dict[tuple[str, str], DockingRecord]) -> None:
        """Once the chunk's rows have their ids: the mapping of each accepted record."""
        for item, mapping, region, row in self.links:
            key = (item.record_type, item.external_id)
            if mapping is None:
                mapping = DockingRecord(
                    source=self.source, record_type=item.record_type, external_id=item.external_id
                )
                self.session.add(mapping)
                mappings[key] = mapping
            mapping.region_code = region
            mapping.content_hash = item.digest
            mapping.deleted = item.deleted
            if item.record_type in KINDS:
                mapping.local_id = row.id
            else:
                mapping.data = None if item.deleted else item.data
        self.links = []

    def _kept(self, item: Item, mapping: DockingRecord | None) -> Any:
        """A workflow record of the spec: kept as received."""
        if item.deleted:  # nothing here to delete (a mirror starting empty): unchanged
            return "unchanged" if mapping is None else (mapping, mapping.region_code, None)
        code = item.data.get("region_code")
        problem = self.regions.problem(
            f"/records/{item.index}/data/region_code", code, county=False
        )
        if problem:
            return [problem]
        return mapping, code, None

    def _base_data(
        self,
        item: Item,
        mapping: DockingRecord | None,
        mappings: dict[tuple[str, str], DockingRecord],
    ) -> Any:
        kind = KINDS[item.record_type]
        key = (item.record_type, item.external_id)
        base = f"/records/{item.index}"
        row = self.rows.get(key)
        if item.deleted:
            if mapping is None or row is None:
                return "unchanged"  # nothing here to delete (a mirror starting empty)
            if kind.soft_deleted and row.deleted_at is None:
                row.deleted_at = _now()
                row.deleted_by = current_actor().username
            return mapping, mapping.region_code, row
        parent = None
        if kind.parent is not None:
            ref_key, parent_type = kind.parent
            parent = self.rows.get((parent_type, str(item.data[ref_key])))
            if parent is None or getattr(parent, "deleted_at", None) is not None:
                return [
                    Problem(
                        f"{base}/data/{ref_key}",
                        f"引用的记录（{parent_type} {item.data[ref_key]}）不存在：请先推送它",
                        "unknown_reference",
                    )
                ]
        region = kind.region_of(item.values, parent, row)
        problem = self.regions.problem(
            f"{base}/data/region_code" if kind.parent is None else f"{base}/data/{kind.parent[0]}",
            region,
            county=item.record_type == "enterprise",
        )
        if problem:
            return [problem]
        if row is None:
            row = kind.natural(self.session, item.values, parent)
            if row is not None:
                region_now = kind.region_of(
                    {}, getattr(row, kind.parent[1]) if kind.parent else None, row
                )
                if not self.jurisdiction.contains(region_now):
                    return [
                        Problem(
                            f"{base}/data",
                            "该记录已在其他辖区登记（如统一社会信用代码、执法证号），不能对接",
                            "conflict",
                        )
                    ]
        if row is None:
            row = kind.new(item.values, parent)
            self.session.add(row)
        else:
            kind.assign(row, item.values, parent)
        self.rows[key] = row
        return mapping, region, row


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


# -- the batch -------------------------------------------------------------------------------------


class BatchConflict(Conflict):
    """The batch id was used before for other content."""


def _items(pusher: Pusher, records: Iterable[Any], summary: Summary) -> Iterator[list[Item]]:
    """The batch's valid records, in chunks; the invalid ones go to the summary at once."""
    seen: set[tuple[str, str]] = set()
    chunk: list[Item] = []
    count = 0
    for index, record in enumerate(records):
        count += 1
        if count > MAX_RECORDS:
            raise TooManyRecords(count)
        item, problems = _envelope(index, record)
        if item is not None:
            key = (item.record_type, item.external_id)
            if key in seen:
                item, problems = (
                    None,
                    [
                        Problem(
                            f"/records/{index}/id",
                            "同一批次中该类型的 id 重复",
                            "duplicate_in_batch",
                        )
                    ],
                )
            seen.add(key)
        if item is None:
            summary.reject(index, record, problems)
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class TooManyRecords(ValueError):
    def __init__(self, count: int) -> None:
        super().__init__(f"一个批次最多{MAX_RECORDS}条记录，请拆分后分批推送")
        self.count = count


def replayed(session: Session, source: str, batch_id: str, digest: str) -> dict[str, Any] | None:
    """The stored answer of the same batch pushed before; BatchConflict when the id was used for
    other content."""
    earlier = session.scalars(
        select(DockingBatch)
        .where(DockingBatch.source == source, DockingBatch.batch_id == batch_id)
        .execution_options(**{UNSCOPED: True})
    ).all()
    for batch in earlier:
        if batch.content_hash == digest:
            if not current_actor().jurisdiction.contains(batch.region_code) and batch.region_code:
                break
            return dict(batch.summary)
    if earlier:
        raise BatchConflict("批次号已用于内容不同的批次：请换一个批次号，或不填批次号")
    return None


def push_batch(
    session: Session,
    source: str,
    records: Iterable[Any],
    *,
    digest: str,
    batch_id: str | None = None,
    dry_run: bool = False,
) -> tuple[dict[str, Any], bool]:
    """Validate and upsert the records; (the answer, whether it is the replay of a stored batch).

    `digest` is the SHA-256 of the batch's content as received (the caller hashes the body).
    """
    batch_id = batch_id or digest
    earlier = replayed(session, source, batch_id, digest)
    if earlier is not None:
        return earlier, True
    summary = Summary()
    actor = current_actor()
    session.info["audit_reason"] = f"数据对接 {source} 批次 {batch_id}"
    try:
        with unit_of_work(session):
            pusher = Pusher(session, source, summary)
            if dry_run:
                savepoint = session.begin_nested()
                try:
                    for chunk in _items(pusher, records, summary):
                        pusher.run_chunk(chunk)
                finally:
                    savepoint.rollback()
            else:
                # Committed chunk by chunk: what was accepted stays if a later chunk fails.
                for chunk in chunked(session, _items(pusher, records, summary), size=1):
                    pusher.run_chunk(chunk)
                summary.rejected.sort(key=lambda r: r["index"])
                answer = summary.answer()
                session.add(
                    DockingBatch(
                        source=source,
                        batch_id=batch_id,
                        content_hash=digest,
                        region_code=actor.jurisdiction.region_code,
                        username=actor.username,
                        records=summary.accepted + summary.unchanged + len(summary.rejected),
                        accepted=summary.accepted,
                        unchanged=summary.unchanged,
                        rejected=len(summary.rejected),
                        summary=answer,
                        by_type=dict(summary.by_type),
                    )
                )
    finally:
        session.info.pop("audit_reason", None)
    summary.rejected.sort(key=lambda r: r["index"])
    return summary.answer(), False
