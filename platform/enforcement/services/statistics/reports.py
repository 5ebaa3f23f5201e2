"""The seven report tables of 统计查询 and the drill to one enterprise's item matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.domain import codes
from enforcement.domain.jurisdiction import significant_prefix
from enforcement.models import Enterprise, Equipment
from enforcement.models.statistics import (
    CELL_STATUSES,
    NATION,
    ItemCell,
    ItemResult,
    RegionTarget,
)
from enforcement.plugins import Platform
from enforcement.services.statistics import answers, items
from enforcement.services.statistics import figures as f
from enforcement.services.statistics.core import (
    By,
    NotVisible,
    Query,
    Table,
    assemble,
    catalogue,
    children,
    region_info,
    table_columns,
)


def enterprise_base(session: Session, platform: Platform, query: Query) -> Table:
    return assemble(
        session, query, f.ENTERPRISE_COLUMNS, lambda by: f.enterprise_base(session, query, by)
    )


def key_items(session: Session, platform: Platform, query: Query, matrix: bool = False) -> Table:
    # One statement per request (services/statistics/items.py): the rows, the per-item table and,
    # at county level, the matrix are all counted from what it reads. An unfiltered county is
    # read as stored (services/statistics/answers.py). `matrix`: at county level, the
    # enterprises × items grid too, under extra["matrix"] (the page and the workbook show it).
    checklists = catalogue(platform)
    county = query.level == "county"
    stored = answers.read(session, query, matrix=matrix) if county else None
    if stored is not None:
        table = Table(
            region=region_info(session, query),
            columns=table_columns(f.ITEM_COLUMNS),
            rows=stored["rows"],
            total=stored["total"],
        )
        if matrix:
            table.extra["matrix"] = _grid(session, checklists, query, stored)
        by_item = stored["by_item"]
    elif county:
        read, counted, by_item = items.county(session, query)
        table = assemble(
            session, query, f.ITEM_COLUMNS, lambda by: counted, enterprises=read.listed
        )
        if matrix:
            table.extra["matrix"] = _grid(session, checklists, query, read)
    else:
        counted, by_item = items.counts(session, query)
        table = assemble(session, query, f.ITEM_COLUMNS, lambda by: counted)
    titles = _titles(checklists)
    table.extra["by_item"] = [
        row
        | {
            "code": titles.get(row["item_id"], ("", ""))[0],
            "title": titles.get(row["item_id"], ("", row["item_id"]))[1],
        }
        for row in by_item
    ]
    return table


def item_titles(platform: Platform) -> dict[str, tuple[str, str]]:
    """{item id: (code, title)} of the active checklists."""
    return _titles(catalogue(platform))


def _titles(checklists: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {i["id"]: (i["code"], i["title"]) for p in checklists.values() for i in p["items"]}


def violations(session: Session, platform: Platform, query: Query) -> Table:
    table = assemble(
        session,
        query,
        f.VIOLATION_COLUMNS,
        lambda by: f.violations(session, query, by),
        additive=tuple(k for k, _ in f.VIOLATION_COLUMNS if k not in f.VIOLATION_RATIOS),
        ratios=f.VIOLATION_RATIOS,
    )
    titles = {i["id"]: i["title"] for p in catalogue(platform).values() for i in p["items"]}
    by_item = f.violations_by(session, query, "item")
    for row in by_item:
        row["label"] = titles.get(row["key"], row["key"])
    table.extra["by_item"] = by_item
    table.extra["by_sector"] = f.violations_by(session, query, "sector")
    table.extra["by_severity"] = f.violations_by(session, query, "severity")
    return table


def measures(session: Session, platform: Platform, query: Query) -> Table:
    return assemble(session, query, f.MEASURE_COLUMNS, lambda by: f.measures(session, query, by))


def _declared(session: Session, query: Query, codes_: list[str]) -> dict[str, dict[str, int]]:
    """Each region's declared denominators for the year: its own declaration, else the sum of the
    county declarations inside it."""
    year = (query.end or dt.date.today()).year
    rows = session.scalars(select(RegionTarget).where(RegionTarget.year == year)).all()
    own = {r.region_code: r for r in rows}
    names = ("enforcers_expected", "enterprises_expected", "cases_expected")
    out: dict[str, dict[str, int]] = {}
    for code in codes_:
        if code in own:
            out[code] = {n: getattr(own[code], n) or 0 for n in names}
            continue
        prefix = "" if code == NATION else significant_prefix(code)
        inside = [r for c, r in own.items() if c.startswith(prefix) and not c.endswith("00")]
        out[code] = {n: sum(getattr(r, n) or 0 for r in inside) for n in names}
    return out


ACTIVITY_RATIOS = {
    "online_rate": ("cases", "cases_expected"),
    "plan_progress": ("tasks_done", "tasks"),
}


def activity(session: Session, platform: Platform, query: Query) -> Table:
    columns = f.ACTIVITY_COLUMNS + [
        ("cases", "线上办理案件数"),
        ("cases_expected", "应办案件数（申报）"),
        ("online_rate", "线上执法办案率"),
    ]

    def counted(by: By) -> f.Figures:
        return f._merge(f.activity(session, query, by), f.cases(session, query, by, ["cases"]))

    table = assemble(
        session,
        query,
        columns,
        counted,
        additive=("plans", "tasks", "tasks_done", "inspections", "cases", "cases_expected"),
        ratios=ACTIVITY_RATIOS,
    )
    _add_declared(session, query, table, ACTIVITY_RATIOS)
    # One inspector may work in two counties (a joint team): the total counts each person once.
    table.total["inspectors"] = f.inspectors_total(session, query)
    return table


def penalties(session: Session, platform: Platform, query: Query) -> Table:
    table = assemble(session, query, f.PENALTY_COLUMNS, lambda by: f.cases(session, query, by))
    table.extra["list"] = f.penalty_list(session, query)
    return table


SUMMARY_RATIOS = {
    "plan_progress": ("tasks_done", "tasks"),
    "entry_rate": ("entered", "expected"),
    "training_rate": ("trained", "enforcers"),
    "online_rate": ("cases", "cases_expected"),
}
SUMMARY_COLUMNS = [
    ("enterprises", "执法对象数"),
    ("enforcers", "执法人员数"),
    ("trained", "已培训执法人员数"),
    ("tasks", "执法任务数"),
    ("tasks_done", "已完成任务数"),
    ("plan_progress", "计划任务完成率"),
    ("inspections", "完成检查数"),
    ("hazards", "违法行为（隐患）数"),
    ("rectified", "已整改数"),
    ("cases", "立案数"),
    ("fines", "罚款金额（元）"),
    ("checked", "已检查重点事项数"),
    ("enterprises_expected", "应录入执法对象数"),
    ("enforcers_expected", "应录入执法人员数"),
    ("cases_expected", "应办案件数"),
    ("entry_rate", "执法人员和执法对象录入率"),
    ("training_rate", "执法人员培训率"),
    ("online_rate", "线上执法办案率"),
]


def region_summary(session: Session, platform: Platform, query: Query) -> Table:
    def counted(by: By) -> f.Figures:
        return f._merge(
            f.enterprise_base(session, query, by),
            f.enforcers(session, query, by),
            f.activity(session, query, by),
            f.violations(session, query, by),
            f.cases(session, query, by, ["cases", "fines"]),
            f.key_items_from_cells(session, query, by),
        )

    ratios = SUMMARY_RATIOS
    additive = tuple(k for k, _ in SUMMARY_COLUMNS if k not in ratios)
    table = assemble(session, query, SUMMARY_COLUMNS, counted, additive=additive, ratios=ratios)
    _add_declared(session, query, table, ratios)
    return table


def _add_declared(
    session: Session, query: Query, table: Table, ratios: dict[str, tuple[str, str]]
) -> None:
    """Fill the declared denominators per row (not at county level: per enterprise they mean
    nothing), sum them, and recompute the ratios."""
    wanted = {"enterprises_expected", "enforcers_expected", "cases_expected"}
    keys = {c["key"] for c in table.columns}
    if query.level == "county":
        return
    declared = _declared(session, query, [r["region_code"] for r in table.rows])
    for row in table.rows + [table.total]:
        if row is table.total:
            for name in wanted & keys:
                row[name] = sum(r.get(name) or 0 for r in table.rows)
        else:
            row.update({k: v for k, v in declared[row["region_code"]].items() if k in keys})
        if "entry_rate" in keys:
            row["entered"] = (row.get("enterprises") or 0) + (row.get("enforcers") or 0)
            row["expected"] = (row.get("enterprises_expected") or 0) + (
                row.get("enforcers_expected") or 0
            )
        for key, (low, high) in ratios.items():
            row[key] = round(row[low] / row[high], 4) if row.get(high) else None
        row.pop("entered", None)
        row.pop("expected", None)


REPORT_BUILDERS: dict[str, Callable[[Session, Platform, Query], Table]] = {
    "enterprise_base": enterprise_base,
    "key_items": key_items,
    "violations": violations,
    "measures": measures,
    "activity": activity,
    "penalties": penalties,
    "region_summary": region_summary,
}


def report(
    session: Session, platform: Platform, name: str, query: Query, *, matrix: bool = False
) -> Table:
    """One report's table. `matrix`: 重点事项情况 of a county also carries its enterprises × items
    grid (extra["matrix"]), for the page and the workbook; the API answers it at /matrix."""
    if name == "key_items":
        return key_items(session, platform, query, matrix)
    return REPORT_BUILDERS[name](session, platform, query)


# -- the enterprise list's matrix and one enterprise ----------------------------------------------


def matrix(session: Session, platform: Platform, query: Query) -> dict[str, Any]:
    """The county's enterprises × key items (plugin-filtered), one status per cell."""
    if query.level != "county":
        raise ValueError("matrix is per county")
    stored = answers.read(session, query, matrix=True)
    source = stored if stored is not None else items.read_county(session, query)
    return _grid(session, catalogue(platform), query, source)


def _grid(
    session: Session,
    checklists: dict[str, dict[str, Any]],
    query: Query,
    source: dict[str, Any] | items.Enterprises,
) -> dict[str, Any]:
    """The matrix of the checklists' items shown, its rows from the county's stored answer or
    from a live read of its enterprises."""
    shown = _shown(checklists, query)
    if isinstance(source, items.Enterprises):
        rows = items.matrix_rows(source, shown)
    else:
        rows = answers.matrix_rows(source, shown)
    return {"region": region_info(session, query), "items": shown, "rows": rows}


def _shown(checklists: dict[str, dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The matrix's columns: the active checklists' items, of the item set and item asked for."""
    return [
        i | {"plugin_id": pid}
        for pid, p in checklists.items()
        if not query.plugin or pid == query.plugin
        for i in p["items"]
        if not query.item or i["id"] == query.item
    ]


def _cell(cell: ItemCell | None) -> dict[str, Any]:
    if cell is None:
        return {"status": "unchecked", "label": CELL_STATUSES["unchecked"], "checked_on": ""}
    return {
        "status": cell.status,
        "label": cell.status_label,
        "checked_on": cell.checked_on.isoformat(),
    }


def enterprise_detail(session: Session, platform: Platform, enterprise_id: int) -> dict[str, Any]:
    """One enterprise's items (and per equipment where the item repeats); NotVisible outside."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotVisible(str(enterprise_id))
    cells = {
        c.item_id: c
        for c in session.scalars(select(ItemCell).where(ItemCell.enterprise_id == enterprise_id))
    }
    latest: dict[tuple[str, int | None], ItemResult] = {}
    for result in session.scalars(
        select(ItemResult)
        .where(ItemResult.enterprise_id == enterprise_id)
        .order_by(ItemResult.checked_on, ItemResult.inspection_id)
    ):
        latest[(result.item_id, result.equipment_id)] = result
    names = {
        e.id: e.name
        for e in session.scalars(select(Equipment).where(Equipment.enterprise_id == enterprise_id))
    }
    items = []
    for pid, plugin in catalogue(platform).items():
        for item in plugin["items"]:
            per_equipment = [
                {
                    "equipment": names.get(equipment_id, "") if equipment_id else "",
                    "result": "发现违法" if r.violation else "合格",
                    "checked_on": r.checked_on.isoformat(),
                }
                for (item_id, equipment_id), r in latest.items()
                if item_id == item["id"] and equipment_id is not None
            ]
            items.append(
                item
                | {
                    "plugin_id": pid,
                    "plugin": plugin["title"],
                    "cell": _cell(cells.get(item["id"])),
                }
                | {"equipment": per_equipment}
            )
    return {
        "enterprise": {
            "id": enterprise.id,
            "name": enterprise.name,
            "region_code": enterprise.region_code,
            "region": enterprise.region.full_name if enterprise.region else "",
            "sector": codes.label(codes.SECTORS, enterprise.sector),
            "tags": enterprise.tags_label,
        },
        "items": items,
    }


__all__ = ["children", "enterprise_detail", "matrix", "report", "REPORT_BUILDERS"]
