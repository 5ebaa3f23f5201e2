"""Keeps the statistics tables current in the same transaction as the write they follow.

An `after_flush` listener on every ORM session watches two kinds of change, whoever makes them
(services/inspections.py finishing an inspection, services/rectification.py and services/cases.py
moving a hazard): an inspection that became `finished` writes its `ItemResult` rows; either change
recomputes the touched matrix cells (`ItemCell`) and moves their counts in `ItemRollup` at the
county, city, province and nation rows. The statements are Core statements on the flush's own
connection: they commit or roll back with the change, and a county inspector's finding may update
its province's and the nation's counts without those rows being "written" by the inspector in the
scoping sense (db/scoping.py checks ORM objects only).

Then the stored answers (`CountyAnswer`, answers.py) of every county the change touched are
recomputed: the counties of the refreshed cells (where they were and where they are), and those of
an enterprise added, renamed, closed or reopened, moved or deleted (`LISTED_AS`). A bulk insert of
enterprises (db/bulk.insert_rows) marks its counties' answers stale instead (`_bulk_inserted`).

`rebuild(connection)` computes all these tables from the base tables (migration 0016 and bench).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, event, func, inspect, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from enforcement.db import bulk
from enforcement.db.bulk import batches
from enforcement.domain.jurisdiction import parent_code
from enforcement.models import AnswerSet, Enterprise, Hazard, Inspection
from enforcement.models.statistics import (
    ALL_SECTORS,
    CELL_RANK,
    HAZARD_TO_CELL,
    NATION,
    ItemCell,
    ItemResult,
    ItemRollup,
)
from enforcement.services.statistics import answers as county_answers

RESULTS = ItemResult.__table__
CELLS = ItemCell.__table__
ROLLUP = ItemRollup.__table__
HAZARDS = Hazard.__table__
ENTERPRISES = Enterprise.__table__
ANSWER_SETS = AnswerSet.__table__
INSPECTIONS = Inspection.__table__

Key = tuple[int, str]  # (enterprise id, item id)


def ancestry(code: str) -> list[tuple[str, str | None]]:
    """(region, its parent) from the code itself up to the nation: the rollup rows a cell counts in."""
    chain: list[tuple[str, str | None]] = []
    current: str | None = code
    while current:
        above = parent_code(current)
        chain.append((current, above or NATION))
        current = above
    chain.append((NATION, None))
    return chain


def answered_items(answers: dict[str, Any]) -> Iterable[tuple[str, int | None, bool]]:
    """(item id, equipment id, violation) of every compliant or non-compliant answer."""
    for item_id, given in (answers or {}).items():
        entries = given if isinstance(given, list) else [given]
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            answer = entry.get("answer")
            if answer in ("compliant", "non_compliant"):
                equipment = entry.get("equipment_id")
                yield (
                    item_id,
                    equipment if isinstance(equipment, int) else None,
                    (answer == "non_compliant"),
                )


def _upsert_rollup(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Add each row's `cells` to its key's count, created when missing (one executemany)."""
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(ROLLUP)
    statement = statement.on_conflict_do_update(
        index_elements=["region_code", "sector", "item_id", "status"],
        set_={"cells": ROLLUP.c.cells + statement.excluded.cells},
    )
    connection.execute(statement, rows)


def _cell_status(
    connection: Connection, keys: list[Key], soft_deletes: bool = True
) -> dict[Key, tuple[str, dt.date, str]]:
    """The current (status, day, plugin) of each cell from its latest inspection's results and
    hazards; a cell never checked is absent (未检查)."""
    latest: dict[Key, tuple[int, dt.date, str]] = {}
    for chunk in batches(keys):
        ranked = select(
            RESULTS.c.enterprise_id,
            RESULTS.c.item_id,
            RESULTS.c.inspection_id,
            RESULTS.c.checked_on,
            RESULTS.c.plugin_id,
            func.row_number()
            .over(
                partition_by=(RESULTS.c.enterprise_id, RESULTS.c.item_id),
                order_by=(RESULTS.c.checked_on.desc(), RESULTS.c.inspection_id.desc()),
            )
            .label("rank"),
        ).where(tuple_(RESULTS.c.enterprise_id, RESULTS.c.item_id).in_(chunk))
        ranked = ranked.subquery()
        for enterprise_id, item_id, inspection_id, day, plugin in connection.execute(
            select(
                ranked.c.enterprise_id,
                ranked.c.item_id,
                ranked.c.inspection_id,
                ranked.c.checked_on,
                ranked.c.plugin_id,
            ).where(ranked.c.rank == 1)
        ):
            latest[(enterprise_id, item_id)] = (inspection_id, day, plugin)
    checked = sorted(
        {(inspection_id, item_id) for (_, item_id), (inspection_id, _, _) in latest.items()}
    )
    violated: set[tuple[int, str]] = set()
    hazard_statuses: dict[tuple[int, str], list[str]] = defaultdict(list)
    for chunk in batches(checked):
        violated.update(
            connection.execute(
                select(RESULTS.c.inspection_id, RESULTS.c.item_id)
                .where(
                    tuple_(RESULTS.c.inspection_id, RESULTS.c.item_id).in_(chunk),
                    RESULTS.c.violation.is_(True),
                )
                .distinct()
            ).tuples()
        )
        for inspection_id, item_id, status in connection.execute(
            select(HAZARDS.c.inspection_id, HAZARDS.c.item_id, HAZARDS.c.status).where(
                tuple_(HAZARDS.c.inspection_id, HAZARDS.c.item_id).in_(chunk),
                *([HAZARDS.c.deleted_at.is_(None)] if soft_deletes else []),
            )
        ):
            hazard_statuses[(inspection_id, item_id)].append(status)
    out: dict[Key, tuple[str, dt.date, str]] = {}
    for (enterprise_id, item_id), (inspection_id, day, plugin) in latest.items():
        if (inspection_id, item_id) not in violated:
            out[(enterprise_id, item_id)] = ("compliant", day, plugin)
            continue
        statuses = hazard_statuses.get((inspection_id, item_id), [])
        cell = [HAZARD_TO_CELL.get(s, "violation") for s in statuses] or ["violation"]
        out[(enterprise_id, item_id)] = (max(cell, key=CELL_RANK.__getitem__), day, plugin)
    return out


def refresh_cells(
    connection: Connection,
    keys: Iterable[Key],
    counties: Iterable[str] = (),
    *,
    answers: bool = True,
    soft_deletes: bool = True,
) -> None:
    """Recompute these cells and move their rollup counts from the old status to the new; then
    the stored answers (answers.py) of the counties the cells were and are in, and of `counties`.

    A few set-wise statements for all the keys of a flush (an inspection touches dozens of cells,
    each counted at four levels and two sector rows), not a handful per cell."""
    touched = set(counties)
    _refresh_cells(connection, sorted(set(keys)), touched, soft_deletes)
    if answers:
        county_answers.refresh(connection, touched)


def _refresh_cells(
    connection: Connection, keys: list[Key], counties: set[str], soft_deletes: bool = True
) -> None:
    if not keys:
        return
    # The enterprises' rows locked first, in id order (PostgreSQL; SQLite runs one writer at a
    # time): two inspections of one enterprise finished at once would otherwise both find its
    # cell missing and both insert it. The second waits here and then reads the first's cell.
    enterprise_ids = sorted({enterprise_id for enterprise_id, _ in keys})
    owners = {
        row.id: row
        for row in connection.execute(
            select(
                ENTERPRISES.c.id,
                ENTERPRISES.c.region_code,
                ENTERPRISES.c.sector,
                ENTERPRISES.c.deleted_at,
            )
            .where(ENTERPRISES.c.id.in_(enterprise_ids))
            .order_by(ENTERPRISES.c.id)
            .with_for_update()
        )
    }
    wanted = _cell_status(connection, keys, soft_deletes)
    old_cells: dict[Key, Any] = {}
    for chunk in batches(keys):
        for row in connection.execute(
            select(
                CELLS.c.enterprise_id,
                CELLS.c.item_id,
                CELLS.c.status,
                CELLS.c.region_code,
                CELLS.c.sector,
                CELLS.c.plugin_id,
            ).where(tuple_(CELLS.c.enterprise_id, CELLS.c.item_id).in_(chunk))
        ):
            old_cells[(row.enterprise_id, row.item_id)] = row
    now = dt.datetime.now().replace(microsecond=0)
    touched: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    added: list[dict[str, Any]] = []
    deltas: dict[tuple[str, str, str, str], int] = defaultdict(int)
    # parent and plugin of a rollup row, by its key (region, sector, item, status)
    described: dict[tuple[str, str, str, str], tuple[str | None, str]] = {}

    def count(
        region_code: str, sector: str, item_id: str, status: str, plugin: str, by: int
    ) -> None:
        for region, above in ancestry(region_code):
            for each_sector in (sector, ALL_SECTORS):
                key = (region, each_sector, item_id, status)
                deltas[key] += by
                described.setdefault(key, (above, plugin))

    for enterprise_id, item_id in keys:
        old = old_cells.get((enterprise_id, item_id))
        new = wanted.get((enterprise_id, item_id))
        owner = owners[enterprise_id]
        counties.add(owner.region_code)
        if old is not None:
            counties.add(old.region_code)
        if owner.deleted_at is not None:  # a deleted enterprise leaves the reports
            new = None
        same_place = old is not None and (old.region_code, old.sector) == (
            owner.region_code,
            owner.sector,
        )
        key = {"cell_enterprise": enterprise_id, "cell_item": item_id}
        if old is not None and new is not None and old.status == new[0] and same_place:
            touched.append({**key, "day": new[1], "at": now})
            continue
        if old is not None:
            removed.append(key)
            count(old.region_code, old.sector, item_id, old.status, old.plugin_id, -1)
        if new is None:
            continue
        status, day, plugin = new
        added.append(
            {
                "enterprise_id": enterprise_id,
                "item_id": item_id,
                "region_code": owner.region_code,
                "sector": owner.sector,
                "plugin_id": plugin,
                "status": status,
                "checked_on": day,
                "updated_at": now,
            }
        )
        count(owner.region_code, owner.sector, item_id, status, plugin, +1)
    the_cell = (CELLS.c.enterprise_id == bindparam("cell_enterprise")) & (
        CELLS.c.item_id == bindparam("cell_item")
    )
    if touched:
        connection.execute(
            update(CELLS)
            .where(the_cell)
            .values(checked_on=bindparam("day"), updated_at=bindparam("at")),
            touched,
        )
    if removed:
        connection.execute(delete(CELLS).where(the_cell), removed)
    if added:
        connection.execute(CELLS.insert(), added)
    _upsert_rollup(
        connection,
        [
            {
                "region_code": region,
                "parent_code": described[key][0],
                "sector": sector,
                "item_id": item_id,
                "status": status,
                "plugin_id": described[key][1],
                "cells": change,
            }
            # in key order: concurrent flushes take the rollup rows' locks in the same order
            for key, change in sorted(deltas.items(), key=lambda kv: kv[0])
            if change
            for region, sector, item_id, status in [key]
        ],
    )


def record_results(connection: Connection, inspection_id: int) -> list[Key]:
    """Write the inspection's item results (once) and return the cells they touch."""
    if connection.scalar(select(func.count()).where(RESULTS.c.inspection_id == inspection_id)):
        return []
    row = connection.execute(
        select(
            INSPECTIONS.c.enterprise_id,
            INSPECTIONS.c.region_code,
            INSPECTIONS.c.started_at,
            INSPECTIONS.c.answer_set_ids,
        ).where(INSPECTIONS.c.id == inspection_id)
    ).one()
    ids = [int(i) for i in (row.answer_set_ids or {}).values()]
    if not ids:
        return []
    day = row.started_at.date() if row.started_at else dt.date.today()
    results: list[dict[str, Any]] = []
    for plugin_id, answers, status in connection.execute(
        select(ANSWER_SETS.c.plugin_id, ANSWER_SETS.c.answers, ANSWER_SETS.c.status).where(
            ANSWER_SETS.c.id.in_(ids)
        )
    ):
        if status != "submitted":
            continue
        for item_id, equipment_id, violation in answered_items(answers):
            results.append(
                {
                    "inspection_id": inspection_id,
                    "enterprise_id": row.enterprise_id,
                    "region_code": row.region_code,
                    "plugin_id": plugin_id,
                    "item_id": item_id,
                    "equipment_id": equipment_id,
                    "checked_on": day,
                    "violation": violation,
                }
            )
    if results:
        connection.execute(RESULTS.insert(), results)
    return [(row.enterprise_id, r["item_id"]) for r in results]


def _changed(obj: object, attribute: str) -> bool:
    return bool(inspect(obj).attrs[attribute].history.added)


def _after_flush(session: Session, _context: object) -> None:
    changed = list(session.new) + list(session.dirty)
    # A soft-deleted inspection (a docked tombstone) leaves the reports; restored, it returns.
    undone = [
        obj.id
        for obj in session.dirty
        if isinstance(obj, Inspection)
        and obj.deleted_at is not None
        and _changed(obj, "deleted_at")
    ]
    finished = [
        obj
        for obj in changed
        if isinstance(obj, Inspection)
        and obj.status == "finished"
        and obj.deleted_at is None
        and (_changed(obj, "status") or _changed(obj, "deleted_at"))
    ]
    hazards = [
        obj
        for obj in changed
        if isinstance(obj, Hazard) and (_changed(obj, "status") or _changed(obj, "deleted_at"))
    ]
    # An enterprise that moved, changed sector or was deleted: its cells follow it.
    moved = [
        obj.id
        for obj in session.dirty
        if isinstance(obj, Enterprise)
        and any(_changed(obj, a) for a in ("region_code", "sector", "deleted_at"))
    ]
    counties = _listing_changed(session)
    if not finished and not hazards and not moved and not undone and not counties:
        return
    connection = session.connection()
    keys: list[Key] = []
    if undone:
        where = RESULTS.c.inspection_id.in_(undone)
        keys.extend(
            connection.execute(
                select(RESULTS.c.enterprise_id, RESULTS.c.item_id).where(where).distinct()
            ).tuples()
        )
        connection.execute(delete(RESULTS).where(where))
    for inspection in finished:
        keys.extend(record_results(connection, inspection.id))
    keys.extend((h.enterprise_id, h.item_id) for h in hazards if h.enterprise_id is not None)
    if moved:
        keys.extend(
            connection.execute(
                select(RESULTS.c.enterprise_id, RESULTS.c.item_id)
                .where(RESULTS.c.enterprise_id.in_(moved))
                .distinct()
            ).tuples()
        )
    refresh_cells(connection, keys, counties)


# What a county's stored answer shows of an enterprise besides its cells (answers.py): whether it
# is listed (operating, not deleted), its name, its county.
LISTED_AS = ("name", "status", "region_code", "deleted_at")


def _listing_changed(session: Session) -> set[str]:
    """The counties whose list of enterprises this flush changed: an enterprise added, removed,
    renamed, closed or reopened, deleted, or moved (the county it left too)."""
    counties: set[str] = set()
    for obj in [*session.new, *session.deleted]:
        if isinstance(obj, Enterprise):
            counties.add(obj.region_code)
    for obj in session.dirty:
        if not isinstance(obj, Enterprise):
            continue
        state = inspect(obj)
        histories = [state.attrs[a].history for a in LISTED_AS]
        if any(h.added or h.deleted for h in histories):
            region = state.attrs.region_code.history
            counties.update([obj.region_code, *region.deleted])
    return counties


def _bulk_inserted(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Enterprises inserted in bulk (the docking push's COPY, no flush): their counties' stored
    answers are marked stale in the same transaction (answers.py says why not recomputed)."""
    if table.name == ENTERPRISES.name:
        county_answers.invalidate(connection, {row.get("region_code") for row in rows})


def install() -> None:
    """Listen on every ORM session (idempotent): the web app's, the CLI's, the demo loader's; and
    on bulk inserts (db/bulk.py)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
    bulk.on_inserted(_bulk_inserted)


def rebuild(connection: Connection) -> int:
    """Compute results, cells, rollup and the stored county answers from the base tables (after a
    migration or a bulk load)."""
    connection.execute(delete(ROLLUP))
    connection.execute(delete(CELLS))
    connection.execute(delete(RESULTS))
    keys: set[Key] = set()
    # Migration 0016 rebuilds before 0022 gave inspections and hazards their soft delete.
    soft_deletes = "deleted_at" in {c["name"] for c in inspect(connection).get_columns("hazard")}
    live = [INSPECTIONS.c.deleted_at.is_(None)] if soft_deletes else []
    finished = connection.scalars(
        select(INSPECTIONS.c.id).where(INSPECTIONS.c.status == "finished", *live).order_by("id")
    ).all()
    for inspection_id in finished:
        keys.update(record_results(connection, inspection_id))
    refresh_cells(connection, keys, answers=False, soft_deletes=soft_deletes)
    # Migration 0016 runs this before the answers' table exists (migration 0026 fills it).
    if county_answers.stored_table_exists(connection):
        county_answers.fill(connection)
    return len(keys)


def recount(connection: Connection) -> None:
    """Rebuild the rollup from the cells: one GROUP BY, summed up the ancestry (bulk loads, bench)."""
    connection.execute(delete(ROLLUP))
    totals: dict[tuple[str, str | None, str, str, str, str], int] = defaultdict(int)
    columns = (CELLS.c.region_code, CELLS.c.sector, CELLS.c.item_id, CELLS.c.status)
    grouped = connection.execute(
        select(*columns, CELLS.c.plugin_id, func.count()).group_by(*columns, CELLS.c.plugin_id)
    )
    for code, sector, item_id, status, plugin, count in grouped:
        for region, above in ancestry(code):
            for counted in (sector, ALL_SECTORS):
                totals[(region, above, counted, item_id, status, plugin)] += count
    rows = [
        {
            "region_code": region,
            "parent_code": above,
            "sector": sector,
            "item_id": item_id,
            "status": status,
            "plugin_id": plugin,
            "cells": count,
        }
        for (region, above, sector, item_id, status, plugin), count in totals.items()
    ]
    for batch in batches(rows, 5000):
        connection.execute(ROLLUP.insert(), batch)
