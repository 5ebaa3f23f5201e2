"""A county's 重点事项情况 without filters, stored: read as one row, kept current by every writer.

Why. At county level the live path (items.py) reads every enterprise of the county with its cells
and counts the rows, the per-item table and the enterprises × items matrix in Python: at national
scale about as slow as the hand-written GROUP BY it must beat fivefold (bench/README.md,
statistics). Most county requests carry no filter (the drill from the city, the leader's own
county), so the unfiltered answer is kept ready: one row per county in `stat_county_answer`, read
in the request's session with one primary-key look-up limited to the actor's jurisdiction (`read`
says how), and unpickled. A filtered request (item set, sector, tag, item, period) is answered
live, as before.

What is stored (format `FORMAT`), in two columns: `payload`, the table's rows (one per operating
enterprise, by name and id) and total and the per-item rows without their titles — what the report
and the API answer; `matrix`, the matrix rows complete for the columns the active checklists had
when it was computed (`shown`; one shared dict per status and day), with the cells of items not
shown kept aside — what the page and the workbook add. Apart, because the matrix is nine tenths of
the bytes and of the unpickling, and most reads (the API, the drill's figures) do not show it. A
request whose columns are the same uses the
rows as they are (building them was a fifth of the read); after a checklist version is published
or retired, the rows are rebuilt for the new columns from the cells found — so publishing
invalidates nothing. The titles are added when the answer is read. The figures are computed by the
live path's own functions (items.county, core.county_rows), so the two cannot drift apart; tests
compare them after every kind of write.

Encoding: pickle (protocol 5) of dicts, lists, strings and integers, read by an unpickler that
refuses every global: such a payload can only ever yield those types, never call anything. Pickle
keeps the shared cell dicts shared (a few dozen objects instead of ~2,000) and loads in C; JSON of the
same answer was ~8× slower to load and ~4× larger (measured in bench/README.md).

Kept current, in the writer's own transaction:

* `maintain.refresh_cells` — every matrix cell change (an inspection finished, a hazard moving, a
  docked inspection recorded, an enterprise moved, deleted or changing sector) — recomputes the
  counties of the cells it touched;
* `maintain._after_flush` recomputes the county of an enterprise added, renamed, closed or reopened,
  moved (both counties) or deleted;
* a bulk insert of enterprises (`db/bulk.insert_rows`: the docking push's COPY) marks those
  counties' answers stale (`payload` NULL) instead: recomputing them there would cost the push a
  large share of its speed; a stale county is answered live until its next write or `fill_stale`.

Concurrency. Every writer takes the lock on the county's answer row within its transaction (the row
inserted first when missing: INSERT … ON CONFLICT DO NOTHING, which waits for another transaction's
uncommitted insert of it; then SELECT … FOR UPDATE, in region order), and only then recomputes.
Under READ COMMITTED the recomputing statement starts after the lock is granted, so its snapshot
holds every transaction that held the lock before; a writer coming later waits for this one to
commit, then recomputes itself. So the last committed answer always reflects every committed
write. On SQLite there is one writer at a time. A missing row, a stale one or one of another
format is answered live: the stored answer speeds a request up, it is never needed for one.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import zlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Connection, Select, String, bindparam, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.domain.jurisdiction import Jurisdiction, region_level
from enforcement.models import Enterprise
from enforcement.models.statistics import CountyAnswer
from enforcement.services import checklists
from enforcement.services.statistics import figures as f
from enforcement.services.statistics import items
from enforcement.services.statistics.core import Query, catalogue, county_rows, total_of

ANSWERS = CountyAnswer.__table__
# The layout of `payload`; a row of another format is answered live (and rewritten by its next
# write or `fill`).
FORMAT = 2
KEYS = [k for k, _ in f.ITEM_COLUMNS]
# Which keys of `compute`'s answer each column holds.
TABLE_PART = ("rows", "total", "by_item")
MATRIX_PART = ("shown", "matrix", "extra")


def unfiltered(query: Query) -> bool:
    """Whether the stored answer is this request's: a county, no filter (`q` is not read here)."""
    return query.level == "county" and not (
        query.plugin or query.sector or query.tag or query.item or query.start or query.end
    )


# -- computing and storing (the writer's side) ------------------------------------------------


def compute(connection: Connection, region: str, shown: list[str] | None = None) -> dict[str, Any]:
    """The county's unfiltered answer as the live path counts it (items.county on the writer's
    connection: its own uncommitted changes included).

    `shown`: the matrix's columns as the active checklists stand (default: the app's, when its
    platform is built). The matrix rows are then stored complete, 未检查 included, as a request
    shows them; the cells of items not shown are kept aside (`extra`), so that the rows can be
    rebuilt for other columns. Without columns, only the cells found are stored."""
    query = Query(region, "county")
    read, counted, by_item = items.county(connection, query)
    rows = county_rows(query, KEYS, counted, read.listed, {})
    shown = shown if shown is not None else _columns()
    blank = dict.fromkeys(shown or (), items.UNCHECKED)
    shared = items._Shared()
    matrix, extra = [], {}
    for enterprise_id, name, operating, cells in read.rows:
        if not operating:
            continue
        statuses = map(shared.__getitem__, zip(cells.statuses, cells.days, strict=True))
        found = dict(zip(cells.items, statuses, strict=True))
        if shown is not None:
            aside = {i: c for i, c in found.items() if i not in blank}
            if aside:
                extra[enterprise_id] = aside
            found = blank | {i: c for i, c in found.items() if i in blank}
        matrix.append({"enterprise_id": enterprise_id, "name": name, "cells": found})
    # `shown` first: pickle numbers each object at its first appearance, and the item ids, the
    # matrix's keys thousands of times over, then take the short (one-byte) back-references.
    return {
        "shown": shown,
        "rows": rows,
        "total": total_of(rows, tuple(KEYS), {}),
        "by_item": by_item,
        "matrix": matrix,
        "extra": extra,
    }


def _columns() -> list[str] | None:
    """The unfiltered matrix's item ids as the app's active checklists stand, or None (no app, or
    its plugin platform not built yet: building it here, inside a flush, would query the session)."""
    if not has_app_context():
        return None
    platform = current_app.extensions.get(checklists.EXTENSION)
    if platform is None:
        return None
    return [i["id"] for entry in catalogue(platform).values() for i in entry["items"]]


def _insert(connection: Connection) -> Any:
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(
        ANSWERS
    )


def _counties(codes: Iterable[str | None]) -> list[str]:
    out = set()
    for code in codes:
        try:
            if code and region_level(code) == "county":
                out.add(code)
        except ValueError:  # not a region code: nothing stored for it
            continue
    return sorted(out)


def refresh(connection: Connection, codes: Iterable[str | None]) -> list[str]:
    """Recompute and store these counties' answers (other codes ignored), after taking their rows'
    locks; returns the counties refreshed."""
    counties = _counties(codes)
    if not counties:
        return []
    now = dt.datetime.now().replace(microsecond=0)
    # The rows must exist to be locked: a missing one is inserted empty (payload NULL, answered
    # live) first; a concurrent insert of the same row makes this wait for that transaction.
    connection.execute(
        _insert(connection).on_conflict_do_nothing(index_elements=["region_code"]),
        [
            {"region_code": c, "format": FORMAT, "payload": None, "computed_at": now}
            for c in counties
        ],
    )
    connection.execute(
        select(ANSWERS.c.region_code)
        .where(ANSWERS.c.region_code.in_(counties))
        .order_by(ANSWERS.c.region_code)
        .with_for_update()
    ).all()
    # Computed only now that the locks are held: each statement's snapshot includes every writer
    # that held them before.
    rows = [
        {"county": c, **stored_columns(compute(connection, c)), "format": FORMAT, "at": now}
        for c in counties
    ]
    connection.execute(
        update(ANSWERS)
        .where(ANSWERS.c.region_code == bindparam("county"))
        .values(
            payload=bindparam("payload"),
            matrix=bindparam("matrix"),
            format=bindparam("format"),
            computed_at=bindparam("at"),
        ),
        rows,
    )
    return counties


def stored_columns(answer: dict[str, Any]) -> dict[str, bytes]:
    """`compute`'s answer as the row's two columns."""
    return {
        "payload": dumps({key: answer[key] for key in TABLE_PART}),
        "matrix": dumps({key: answer[key] for key in MATRIX_PART}),
    }


def invalidate(connection: Connection, codes: Iterable[str | None]) -> list[str]:
    """Mark these counties' answers stale (answered live until recomputed), locking their rows as
    `refresh` does: a recompute running at the same time finishes first or waits for this."""
    counties = _counties(codes)
    if not counties:
        return []
    now = dt.datetime.now().replace(microsecond=0)
    statement = _insert(connection)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["region_code"],
            set_={"payload": None, "matrix": None, "computed_at": now},
        ),
        [
            {"region_code": c, "format": FORMAT, "payload": None, "computed_at": now}
            for c in counties
        ],
    )
    return counties


def fill(connection: Connection, codes: Iterable[str] | None = None, *, batch: int = 50) -> int:
    """Compute the answers of these counties (default: every county with an enterprise, and every
    stored one): after a migration, a bulk load, a docking push. Returns how many."""
    if codes is None:
        with_enterprises = connection.scalars(
            select(Enterprise.region_code).where(Enterprise.deleted_at.is_(None)).distinct()
        ).all()
        stored = connection.scalars(select(ANSWERS.c.region_code)).all()
        codes = [*with_enterprises, *stored]
    counties = _counties(codes)
    for start in range(0, len(counties), batch):
        refresh(connection, counties[start : start + batch])
    return len(counties)


def fill_stale(connection: Connection) -> int:
    """Compute the answers marked stale (a bulk insert of enterprises) or of another format: what
    a docking push leaves to be done after it committed. Returns how many."""
    stale = connection.scalars(
        select(ANSWERS.c.region_code).where(
            ANSWERS.c.payload.is_(None) | ANSWERS.c.matrix.is_(None) | (ANSWERS.c.format != FORMAT)
        )
    ).all()
    return fill(connection, stale)


def stored_table_exists(connection: Connection) -> bool:
    return inspect(connection).has_table(ANSWERS.name)


# -- reading (the request's side) -----------------------------------------------------------------


class _Plain(pickle.Unpickler):
    """Unpickles dicts, lists, strings, numbers, None and booleans only: any global is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"not a plain value: {module}.{name}")


def dumps(answer: dict[str, Any]) -> bytes:
    # zlib at its fastest level: a fifth of the bytes to fetch (PostgreSQL sends bytea as hex
    # text), and decompressing them costs less than the database's own TOAST decompression did.
    return zlib.compress(pickle.dumps(answer, protocol=5), 1)


def loads(payload: bytes) -> dict[str, Any]:
    return _Plain(io.BytesIO(zlib.decompress(payload))).load()  # type: ignore[no-any-return]


def read(session: Session, query: Query, *, matrix: bool = False) -> dict[str, Any] | None:
    """The stored answer of this request — the table part, and the matrix part too when `matrix`
    — or None (a filter, no row yet, stale, another format).

    In the request's session and transaction, limited to the actor's jurisdiction by the clause
    the model's own policy declares (`RegionScoped.read_clause`, what db/scoping.py adds to an ORM
    read); parse_query has answered 404 for a region outside already. A Core statement on the
    session's connection rather than an ORM one: the ORM's execution path cost ~0.5 ms of a ~2.3 ms
    request, the difference between 4.4× and 5–7× the GROUP BY (bench/README.md, statistics)."""
    if not unfiltered(query):
        return None
    statement = _read_statement(current_actor().jurisdiction, matrix)
    row = session.connection().execute(statement, {"region": query.region}).first()
    if row is None or any(part is None for part in row):
        return None
    answer = loads(row[0])
    if matrix:
        answer.update(loads(row[1]))
    return answer


@lru_cache(maxsize=4096)
def _read_statement(jurisdiction: Jurisdiction, matrix: bool) -> Select[Any]:
    """One statement per jurisdiction and part (one per county at most), built once: as
    db/scoping.py builds its criteria, a national actor none, any other the policy's clause."""
    columns = (ANSWERS.c.payload, ANSWERS.c.matrix) if matrix else (ANSWERS.c.payload,)
    statement = select(*columns).where(
        ANSWERS.c.region_code == bindparam("region", type_=String), ANSWERS.c.format == FORMAT
    )
    clause = None if jurisdiction.is_national else CountyAnswer.read_clause(jurisdiction)
    return statement if clause is None else statement.where(clause)


def matrix_rows(answer: dict[str, Any], shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored matrix rows with one cell per item shown (未检查 where none), as
    items.matrix_rows builds them from a live read: as stored when stored for these columns,
    else rebuilt from the cells found (a checklist published or retired since)."""
    rows: list[dict[str, Any]] = answer["matrix"]
    ids = [i["id"] for i in shown]
    if answer["shown"] == ids:
        return rows
    blank = dict.fromkeys(ids, items.UNCHECKED)
    extra = answer["extra"]
    for row in rows:
        found = {i: c for i, c in row["cells"].items() if c["status"] != "unchecked"}
        found.update(extra.get(row["enterprise_id"], {}))
        row["cells"] = blank | {i: c for i, c in found.items() if i in blank}
    return rows
