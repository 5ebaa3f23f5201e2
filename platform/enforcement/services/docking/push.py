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

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import chunked, unit_of_work
from enforcement.domain.errors import Conflict
from enforcement.models import DockingBatch
from enforcement.services.docking import spec
from enforcement.services.docking.kinds import KINDS, clean
from enforcement.services.docking.spec import Problem
from enforcement.services.docking.upsert import Item, Pusher

log = logging.getLogger(__name__)

MAX_RECORDS = 10_000
# Records per SAVEPOINT and commit: fewer commits, each holding SQLite's write lock briefly.
CHUNK = 1000
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

    def count(self, item: Item, outcome: str | list[Problem]) -> None:
        if isinstance(outcome, list):
            self.reject(item.index, item.raw, outcome)
            return
        if outcome == "unchanged":
            self.unchanged += 1
        else:
            self.accepted += 1
        self.by_type[item.record_type] += 1

    def answer(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "unchanged": self.unchanged, "rejected": self.rejected}


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
    if not isinstance(record_type, str) or record_type not in spec.TYPES:
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


class BatchConflict(Conflict):
    """The batch id was used before for other content."""


def _items(records: Iterable[Any], summary: Summary) -> Iterator[list[Item]]:
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


# After this many new rows in a batch, PostgreSQL's statistics of the tables are refreshed.
ANALYZE_AFTER = 1000


def refresh_statistics(session: Session, inserted: dict[str, int]) -> None:
    """PostgreSQL plans the next batch's lookups (by external id, by USCC) from the tables'
    statistics; until autovacuum has analyzed a table that grew from nothing, it believes it tiny
    and filters instead of using the whole index, and every chunk scans all the rows pushed so far.
    A batch that inserted many rows refreshes them (ANALYZE samples; it blocks no reader or writer)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in sorted(name for name, count in inserted.items() if count >= ANALYZE_AFTER):
        # Only while the batch is a fair part of the table: once the planner knows it large, a
        # batch more changes no plan (autovacuum keeps up), and ANALYZE was a tenth of a push.
        known = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)"),
            {"table": table},
        )
        if known is None or known < 0 or inserted[table] >= 0.5 * known:
            session.execute(text(f"ANALYZE {table}"))  # names of our own tables, not input


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
            pusher = Pusher(session, source)
            if dry_run:
                savepoint = session.begin_nested()
                try:
                    for chunk in _items(records, summary):
                        for item, outcome in pusher.run_chunk(chunk):
                            summary.count(item, outcome)
                finally:
                    savepoint.rollback()
            else:
                # Committed chunk by chunk: what was accepted stays if a later chunk fails.
                for chunk in chunked(session, _items(records, summary), size=1):
                    for item, outcome in pusher.run_chunk(chunk):
                        summary.count(item, outcome)
                refresh_statistics(session, pusher.inserted)
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
