"""重点事项情况 as a request reads it: one statement per table, whatever the level.

Above the county, the child regions' counts and the region's per-item counts come in one UNION ALL
(from the rollup, or from the cells when a tag or a period asks for them). At county level one
statement reads every enterprise of the county with its matrix cells packed into one string
(`aggregate_strings`: string_agg / group_concat), and the rows, the per-item table and the matrix
are all counted from it: a county holds a few hundred enterprises and a few thousand cells, and
per result row the ORM costs more than the database does, so one row per enterprise is most of the
saving (bench/README.md, statistics).

The statements select ORM columns, so the session scopes them like every other read
(db/scoping.py). The generic functions of `figures` (key_items_from_cells, key_items_from_rollup,
key_items_by_item) answer the same figures one GROUP BY at a time; tests compare the two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from enforcement.models import Enterprise
from enforcement.models.statistics import CELL_STATUSES, ItemCell, ItemRollup
from enforcement.services.statistics import figures as f
from enforcement.services.statistics.core import Query, child_key, enterprise_filters

# Separators of the packed cells: control characters no item id, plugin id or status contains.
FIELD = "\x1f"
CELL = "\x1e"
CHILD, ITEM = literal_column("'c'"), literal_column("'i'")


def counts(session: Session, query: Query) -> tuple[f.Figures, list[dict[str, Any]]]:
    """Above the county: {child key: {status: n, checked, remaining}} and the per-item rows of
    `figures.key_items_by_item`, in one statement."""
    if query.level == "county":
        raise ValueError("per county, read county()")
    if f.rollup_covers(query):
        where = f._rollup_filters(query)
        total = func.sum(ItemRollup.cells)
        children = (
            select(CHILD, ItemRollup.region_code, ItemRollup.status, total)
            .where(ItemRollup.parent_code == query.region, *where)
            .group_by(ItemRollup.region_code, ItemRollup.status)
        )
        items = (
            select(ITEM, ItemRollup.item_id, ItemRollup.status, total)
            .where(ItemRollup.region_code == query.region, *where)
            .group_by(ItemRollup.item_id, ItemRollup.status)
        )
    else:
        where = f._cell_where(query)
        key = child_key(query, ItemCell.region_code)
        children = (
            select(CHILD, key, ItemCell.status, func.count())
            .where(*where)
            .group_by(key, ItemCell.status)
        )
        items = (
            select(ITEM, ItemCell.item_id, ItemCell.status, func.count())
            .where(*where)
            .group_by(ItemCell.item_id, ItemCell.status)
        )
    by_child: list[tuple[str, str, int]] = []
    by_item: list[tuple[str, str, int]] = []
    for kind, key_, status, count in session.execute(union_all(children, items)):
        (by_child if kind == "c" else by_item).append((key_, status, count))
    return f._by_status(by_child), _item_rows(f._by_status(by_item))


def _item_rows(counted: f.Figures) -> list[dict[str, Any]]:
    # As figures.key_items_by_item: an item whose cells all moved on (0 checked) is not listed.
    return [{"item_id": k} | v for k, v in sorted(counted.items()) if v["checked"]]


@dataclass
class Enterprises:
    """The county's enterprises and their cells, as one statement read them."""

    # (id, name, operating, [(item id, plugin id, status, day as YYYY-MM-DD)]), by name and id.
    rows: list[tuple[int, str, bool, list[list[str]]]] = field(default_factory=list)

    @property
    def listed(self) -> list[tuple[int, str]]:
        """(id, name) of the operating ones: the county level's rows and the matrix's."""
        return [(i, name) for i, name, operating, _ in self.rows if operating]


def read_county(session: Session, query: Query) -> Enterprises:
    """Every enterprise of the county matching the sector and tag filters (closed ones too: their
    cells count in the per-item table, as in the rollup), each with all of its cells."""
    packed = func.aggregate_strings(
        ItemCell.item_id
        + FIELD
        + ItemCell.plugin_id
        + FIELD
        + ItemCell.status
        + FIELD
        + cast(ItemCell.checked_on, String),
        CELL,
    )
    statement = (
        select(Enterprise.id, Enterprise.name, Enterprise.status, packed)
        .select_from(Enterprise)
        .outerjoin(ItemCell, ItemCell.enterprise_id == Enterprise.id)
        .where(Enterprise.region_code == query.region)
        .group_by(Enterprise.id, Enterprise.name, Enterprise.status)
        .order_by(Enterprise.name, Enterprise.id)
    )
    out = Enterprises()
    for enterprise_id, name, status, cells in session.execute(enterprise_filters(query, statement)):
        unpacked = [cell.split(FIELD) for cell in cells.split(CELL)] if cells else []
        out.rows.append((enterprise_id, name, status == "operating", unpacked))
    return out


def _counted(query: Query, cells: Iterable[list[str]]) -> Iterable[tuple[str, str]]:
    """(item id, status) of the cells the query's item set, item and period keep."""
    start = query.start.isoformat() if query.start else ""
    end = query.end.isoformat() if query.end else ""
    for item_id, plugin_id, status, day in cells:
        if query.plugin and plugin_id != query.plugin:
            continue
        if query.item and item_id != query.item:
            continue
        if (start and day < start) or (end and day > end):
            continue
        yield item_id, status


def county(session: Session, query: Query) -> tuple[Enterprises, f.Figures, list[dict[str, Any]]]:
    """At county level: the enterprises read once, {enterprise id: figures} of the operating ones
    and the per-item rows of the county (every enterprise's cells)."""
    read = read_county(session, query)
    by_enterprise: list[tuple[int, str, int]] = []
    by_item: list[tuple[str, str, int]] = []
    for enterprise_id, _, operating, cells in read.rows:
        for item_id, status in _counted(query, cells):
            by_item.append((item_id, status, 1))
            if operating:
                by_enterprise.append((enterprise_id, status, 1))
    return read, f._by_status(by_enterprise), _item_rows(f._by_status(by_item))


UNCHECKED = {"status": "unchecked", "label": CELL_STATUSES["unchecked"], "checked_on": ""}


def matrix_rows(read: Enterprises, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The matrix rows of the operating enterprises: one cell per item shown (未检查 if none)."""
    # Cells of one status and day are equal: one shared (read-only) dict each.
    shared: dict[tuple[str, str], dict[str, str]] = {}
    wanted = [i["id"] for i in items]
    out = []
    for enterprise_id, name, operating, cells in read.rows:
        if not operating:
            continue
        found: dict[str, dict[str, str]] = {}
        for item_id, _, status, day in cells:
            cell = shared.get((status, day))
            if cell is None:
                label = CELL_STATUSES.get(status, status)
                cell = shared[(status, day)] = {"status": status, "label": label, "checked_on": day}
            found[item_id] = cell
        out.append(
            {
                "enterprise_id": enterprise_id,
                "name": name,
                "cells": {i: found.get(i, UNCHECKED) for i in wanted},
            }
        )
    return out
