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

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from enforcement.models import Enterprise, EnterpriseTag
from enforcement.models.statistics import CELL_STATUSES, ItemCell, ItemRollup
from enforcement.services.statistics import figures as f
from enforcement.services.statistics.core import Query, child_key

# Between the fields of the packed cells and between cells: a control character no item id,
# plugin id, status or date contains.
SEPARATOR = "\x1f"
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


@dataclass(frozen=True)
class Cells:
    """One enterprise's cells, column by column (the packed string split once)."""

    items: list[str]
    plugins: list[str]
    statuses: list[str]
    days: list[str]  # YYYY-MM-DD

    @classmethod
    def unpack(cls, packed: str | None) -> Cells:
        parts = packed.split(SEPARATOR) if packed else []
        return cls(parts[0::4], parts[1::4], parts[2::4], parts[3::4])

    def kept(self, query: Query) -> tuple[list[str], list[str]]:
        """(item ids, statuses) of the cells the query's item set, item and period keep."""
        if not (query.plugin or query.item or query.start or query.end):
            return self.items, self.statuses
        start = query.start.isoformat() if query.start else ""
        end = query.end.isoformat() if query.end else ""
        items: list[str] = []
        statuses: list[str] = []
        for item_id, plugin_id, status, day in zip(
            self.items, self.plugins, self.statuses, self.days, strict=True
        ):
            if query.plugin and plugin_id != query.plugin:
                continue
            if query.item and item_id != query.item:
                continue
            if (start and day < start) or (end and day > end):
                continue
            items.append(item_id)
            statuses.append(status)
        return items, statuses


@dataclass
class Enterprises:
    """The county's enterprises and their cells, as one statement read them."""

    # (id, name, operating, cells), by name and id.
    rows: list[tuple[int, str, bool, Cells]] = field(default_factory=list)

    @property
    def listed(self) -> list[tuple[int, str]]:
        """(id, name) of the operating ones: the county level's rows and the matrix's."""
        return [(i, name) for i, name, operating, _ in self.rows if operating]


def read_county(executor: Session | Connection, query: Query) -> Enterprises:
    """Every enterprise of the county matching the sector and tag filters (closed ones too: their
    cells count in the per-item table, as in the rollup), each with all of its cells.

    `executor`: the request's scoped session, or the writer's connection when the stored answer
    is recomputed (answers.py): the same statement either way."""
    statement = _county_statement(bool(query.sector), bool(query.tag))
    values = {"region": query.region, "sector": query.sector, "tag": query.tag}
    return Enterprises(
        [
            (enterprise_id, name, status == "operating", Cells.unpack(packed))
            for enterprise_id, name, status, packed in executor.execute(statement, values)
        ]
    )


@cache
def _county_statement(sector: bool, tag: bool) -> Select[Any]:
    """The county's statement for one set of filters, built once (building it cost as much as
    running it); the values are bound at execution."""
    region = bindparam("region", type_=String)
    packed = func.aggregate_strings(
        ItemCell.item_id
        + SEPARATOR
        + ItemCell.plugin_id
        + SEPARATOR
        + ItemCell.status
        + SEPARATOR
        + cast(ItemCell.checked_on, String),
        SEPARATOR,
    )
    statement = (
        select(Enterprise.id, Enterprise.name, Enterprise.status, packed)
        .select_from(Enterprise)
        # The cell's own region too (it follows its enterprise's, maintain.py): the cells of a
        # county are then one range of ix_stat_item_cell_region, read from the index alone.
        .outerjoin(
            ItemCell, and_(ItemCell.enterprise_id == Enterprise.id, ItemCell.region_code == region)
        )
        # Deleted ones are hidden by the session's criteria too; said here as well so that the
        # writer's bare connection (answers.py) reads what a request reads.
        .where(Enterprise.region_code == region, Enterprise.deleted_at.is_(None))
        .group_by(Enterprise.id, Enterprise.name, Enterprise.status)
        .order_by(Enterprise.name, Enterprise.id)
    )
    # As core.enterprise_filters, with bound values.
    if sector:
        statement = statement.where(Enterprise.sector == bindparam("sector", type_=String))
    if tag:
        tagged = select(EnterpriseTag.enterprise_id).where(
            EnterpriseTag.tag == bindparam("tag", type_=String)
        )
        statement = statement.where(Enterprise.id.in_(tagged))
    return statement


def _figures(counts: Mapping[str, int]) -> dict[str, int]:
    """As figures._by_status: the count per status, checked, remaining."""
    values = {s: counts.get(s, 0) for s in f.CELL_FIGURES}
    values["checked"] = sum(values.values())
    values["remaining"] = values["violation"] + values["rectifying"]
    return values


def county(
    executor: Session | Connection, query: Query
) -> tuple[Enterprises, f.Figures, list[dict[str, Any]]]:
    """At county level: the enterprises read once, {enterprise id: figures} of the operating ones
    and the per-item rows of the county (every enterprise's cells)."""
    read = read_county(executor, query)
    per_enterprise: f.Figures = {}
    pairs: list[tuple[str, str]] = []
    for enterprise_id, _, operating, cells in read.rows:
        items, statuses = cells.kept(query)
        pairs.extend(zip(items, statuses, strict=True))
        if operating and statuses:
            counts = {s: statuses.count(s) for s in f.CELL_FIGURES}
            per_enterprise[enterprise_id] = _figures(counts)
    by_item: dict[str, dict[str, int]] = {}
    for (item_id, status), count in Counter(pairs).items():
        by_item.setdefault(item_id, {})[status] = count
    return read, per_enterprise, _item_rows({k: _figures(v) for k, v in by_item.items()})


UNCHECKED = {"status": "unchecked", "label": CELL_STATUSES["unchecked"], "checked_on": ""}


class _Shared(dict[tuple[str, str], dict[str, str]]):
    """Cells of one status and day are equal: one shared (read-only) dict each."""

    def __missing__(self, key: tuple[str, str]) -> dict[str, str]:
        status, day = key
        cell = self[key] = {
            "status": status,
            "label": CELL_STATUSES.get(status, status),
            "checked_on": day,
        }
        return cell


def matrix_rows(read: Enterprises, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The matrix rows of the operating enterprises: one cell per item shown (未检查 if none)."""
    shared = _Shared()
    blank = dict.fromkeys((i["id"] for i in items), UNCHECKED)
    # Only the items shown (not a filtered-out or retired checklist's), in the order shown: when
    # every cell's item is shown, the cells go in as they are.
    every = set().union(*(cells.items for _, _, _, cells in read.rows)) <= blank.keys()
    out = []
    for enterprise_id, name, operating, cells in read.rows:
        if not operating:
            continue
        row = blank.copy()
        cell_of = map(shared.__getitem__, zip(cells.statuses, cells.days, strict=True))
        found = zip(cells.items, cell_of, strict=True)
        row.update(found if every else ((i, cell) for i, cell in found if i in blank))
        out.append({"enterprise_id": enterprise_id, "name": name, "cells": row})
    return out
