"""The figures of each report family, each one SQL GROUP BY on a given key.

Every function takes the query and the GROUP BY key (a child region's code prefix, or the enterprise
id at county level) and answers {key: {figure: value}}. The statements select ORM columns, so the
session scopes them to the actor's jurisdiction (db/scoping.py) like every other read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import String, and_, case, distinct, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from enforcement.domain import codes, planning
from enforcement.models import (
    Case,
    Department,
    Enforcer,
    Enterprise,
    EnterpriseTag,
    Hazard,
    Inspection,
    Penalty,
    Plan,
    RectificationOrder,
    Task,
    TrainingRecord,
    task_enforcer,
)
from enforcement.models.statistics import ALL_SECTORS, CELL_STATUSES, ItemCell, ItemRollup
from enforcement.services.statistics.core import By, Query, enterprise_filters, within

Figures = dict[Any, dict[str, Any]]


def _period(query: Query, column: Any, *, is_datetime: bool = False) -> list[Any]:
    out = []
    if query.start:
        out.append(
            column >= (dt.datetime.combine(query.start, dt.time()) if is_datetime else query.start)
        )
    if query.end:
        end = query.end + dt.timedelta(days=1)
        out.append(column < (dt.datetime.combine(end, dt.time()) if is_datetime else end))
    return out


def _inside(query: Query, column: Any) -> list[Any]:
    clause = within(query, column)
    return [] if clause is None else [clause]


def _collect(session: Session, statement: Any, names: list[str]) -> Figures:
    out: Figures = {}
    for key, *values in session.execute(statement):
        out[key] = {name: (value or 0) for name, value in zip(names, values, strict=True)}
    return out


def _merge(*parts: Figures) -> Figures:
    out: Figures = defaultdict(dict)
    for part in parts:
        for key, values in part.items():
            out[key].update(values)
    return dict(out)


# -- 企业基础信息 -------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = [("enterprises", "企业数")] + [
    (f"tag_{tag}", label) for tag, label in codes.TAGS.items()
]


def enterprise_base(session: Session, query: Query, by: By) -> Figures:
    key = by(Enterprise.region_code, Enterprise.id)
    where = [Enterprise.status == "operating", *_inside(query, Enterprise.region_code)]
    counted = _collect(
        session,
        enterprise_filters(query, select(key, func.count(Enterprise.id)).where(*where)).group_by(
            key
        ),
        ["enterprises"],
    )
    tagged = enterprise_filters(
        query,
        select(key, EnterpriseTag.tag, func.count(Enterprise.id))
        .join(EnterpriseTag, EnterpriseTag.enterprise_id == Enterprise.id)
        .where(*where),
    ).group_by(key, EnterpriseTag.tag)
    for group, tag, count in session.execute(tagged):
        counted.setdefault(group, {})[f"tag_{tag}"] = count
    return counted


# -- 重点事项情况 -------------------------------------------------------------------------------

CELL_FIGURES = [s for s in CELL_STATUSES if s != "unchecked"]
ITEM_COLUMNS = (
    [("checked", "已检查事项数")]
    + [(status, CELL_STATUSES[status]) for status in CELL_FIGURES]
    + [("remaining", "未消除违法数")]
)


def _cell_where(query: Query) -> list[Any]:
    where = [*_inside(query, ItemCell.region_code), *_period(query, ItemCell.checked_on)]
    if query.plugin:
        where.append(ItemCell.plugin_id == query.plugin)
    if query.item:
        where.append(ItemCell.item_id == query.item)
    if query.sector:
        where.append(ItemCell.sector == query.sector)
    if query.tag:
        tagged = select(EnterpriseTag.enterprise_id).where(EnterpriseTag.tag == query.tag)
        where.append(ItemCell.enterprise_id.in_(tagged))
    return where


def _by_status(rows: Any) -> Figures:
    out: Figures = {}
    for key, status, count in rows:
        values = out.setdefault(key, {})
        values[status] = values.get(status, 0) + int(count or 0)
    for values in out.values():
        values.update({s: values.get(s, 0) for s in CELL_FIGURES})
        values["checked"] = sum(values[s] for s in CELL_FIGURES)
        values["remaining"] = values.get("violation", 0) + values.get("rectifying", 0)
    return out


def key_items_from_cells(session: Session, query: Query, by: By) -> Figures:
    """The matrix cells counted per key and status (any filter, any level)."""
    key = by(ItemCell.region_code, ItemCell.enterprise_id)
    statement = (
        select(key, ItemCell.status, func.count())
        .where(*_cell_where(query))
        .group_by(key, ItemCell.status)
    )
    return _by_status(session.execute(statement))


def rollup_covers(query: Query) -> bool:
    """Whether the rollup holds the answer: it counts by region, sector, item and status only."""
    return query.level != "county" and not (query.tag or query.start or query.end)


def key_items_from_rollup(session: Session, query: Query) -> Figures:
    """The same counts read from the rollup: the child regions' rows of one parent."""
    statement = (
        select(ItemRollup.region_code, ItemRollup.status, func.sum(ItemRollup.cells))
        .where(ItemRollup.parent_code == query.region, *_rollup_filters(query))
        .group_by(ItemRollup.region_code, ItemRollup.status)
    )
    return _by_status(session.execute(statement))


def _rollup_filters(query: Query) -> list[Any]:
    """The rollup rows of the query's sector (or all sectors), item set and item."""
    where = [ItemRollup.sector == (query.sector or ALL_SECTORS)]
    if query.plugin:
        where.append(ItemRollup.plugin_id == query.plugin)
    if query.item:
        where.append(ItemRollup.item_id == query.item)
    return where


def key_items_by_item(
    session: Session, query: Query, *, use_rollup: bool = True
) -> list[dict[str, Any]]:
    """Per item of the region: enterprises covered (checked cells) and violations remaining;
    from the region's own rollup rows when the filters allow, else from the cells."""
    if use_rollup and not (query.tag or query.start or query.end):
        statement = (
            select(ItemRollup.item_id, ItemRollup.status, func.sum(ItemRollup.cells))
            .where(ItemRollup.region_code == query.region, *_rollup_filters(query))
            .group_by(ItemRollup.item_id, ItemRollup.status)
        )
    else:
        statement = (
            select(ItemCell.item_id, ItemCell.status, func.count())
            .where(*_cell_where(query))
            .group_by(ItemCell.item_id, ItemCell.status)
        )
    counted = _by_status(session.execute(statement))
    # A rollup row whose cells all moved on counts 0: an item nobody checked is not listed.
    return [{"item_id": k} | v for k, v in sorted(counted.items()) if v["checked"]]


# -- 违法行为情况 and 执法处理措施 -------------------------------------------------------------------

VIOLATION_COLUMNS = [
    ("hazards", "违法行为（隐患）数"),
    ("major", "重大事故隐患数"),
    ("open", "未整改数"),
    ("rectified", "已整改数"),
    ("escalated", "已立案数"),
    ("rectification_rate", "整改率"),
    ("recurrences", "重复发生数"),
]
VIOLATION_RATIOS = {"rectification_rate": ("rectified", "hazards")}


def _hazard_where(query: Query) -> list[Any]:
    where = [
        *_inside(query, Hazard.region_code),
        *_period(query, Hazard.created_at, is_datetime=True),
    ]
    if query.plugin:
        where.append(Hazard.plugin_id == query.plugin)
    if query.item:
        where.append(Hazard.item_id == query.item)
    return where


def _recurrence() -> Any:
    """1 when the same item failed at the same enterprise at an earlier inspection."""
    earlier = aliased(Hazard)
    again = (
        select(earlier.id)
        .where(
            earlier.enterprise_id == Hazard.enterprise_id,
            earlier.item_id == Hazard.item_id,
            earlier.inspection_id < Hazard.inspection_id,
        )
        .exists()
    )
    return case((again, 1), else_=0)


def violations(session: Session, query: Query, by: By) -> Figures:
    key = by(Hazard.region_code, Hazard.enterprise_id)
    opened = Hazard.status.in_(planning.OPEN_HAZARD_STATUSES)
    statement = select(
        key,
        func.count(Hazard.id),
        func.sum(case((Hazard.is_major.is_(True), 1), else_=0)),
        func.sum(case((opened, 1), else_=0)),
        func.sum(case((Hazard.status == "rectified", 1), else_=0)),
        func.sum(case((Hazard.status == "escalated", 1), else_=0)),
        func.sum(_recurrence()),
    ).where(*_hazard_where(query))
    statement = enterprise_filters(query, statement, Hazard.enterprise_id).group_by(key)
    names = ["hazards", "major", "open", "rectified", "escalated", "recurrences"]
    return _collect(session, statement, names)


def violations_by(session: Session, query: Query, dimension: str) -> list[dict[str, Any]]:
    """The same figures by item, sector or severity within the asked region."""
    key: Any = {
        "item": Hazard.item_id,
        "sector": Enterprise.sector,
        "severity": Hazard.is_major,
    }[dimension]
    statement = select(
        key,
        func.count(Hazard.id),
        func.sum(case((Hazard.status == "rectified", 1), else_=0)),
        func.sum(_recurrence()),
    ).where(*_hazard_where(query))
    statement = statement.join(Enterprise, Enterprise.id == Hazard.enterprise_id)
    statement = enterprise_filters(query, statement).group_by(key).order_by(key)
    out = []
    for value, hazards, rectified, recurrences in session.execute(statement):
        if dimension == "sector":
            label = codes.label(codes.SECTORS, value)
        elif dimension == "severity":
            label = "重大事故隐患" if value else "一般隐患"
        else:
            label = value
        out.append(
            {
                "key": str(value),
                "label": label,
                "hazards": hazards,
                "rectified": rectified or 0,
                "rectification_rate": round((rectified or 0) / hazards, 4) if hazards else None,
                "recurrences": recurrences or 0,
            }
        )
    return out


MEASURE_COLUMNS = [(m, label) for m, label in planning.HAZARD_MEASURES.items()] + [
    ("orders", "整改指令书"),
    ("cases", "立案数"),
    ("penalties", "行政处罚数"),
]


def measures(session: Session, query: Query, by: By) -> Figures:
    key = by(Hazard.region_code, Hazard.enterprise_id)
    statement = select(
        key,
        *(
            func.sum(
                case((and_(Hazard.measure == m, Hazard.measure_confirmed.is_(True)), 1), else_=0)
            )
            for m in planning.HAZARD_MEASURES
        ),
    ).where(*_hazard_where(query))
    statement = enterprise_filters(query, statement, Hazard.enterprise_id).group_by(key)
    by_hazard = _collect(session, statement, list(planning.HAZARD_MEASURES))
    order_key = by(RectificationOrder.region_code, RectificationOrder.enterprise_id)
    orders = select(order_key, func.count(RectificationOrder.id)).where(
        *_inside(query, RectificationOrder.region_code),
        *_period(query, RectificationOrder.issued_on),
    )
    orders = enterprise_filters(query, orders, RectificationOrder.enterprise_id).group_by(order_key)
    return _merge(
        by_hazard,
        _collect(session, orders, ["orders"]),
        cases(session, query, by, ["cases", "penalties"]),
    )


# -- 执法活动统计 and 行政处罚 ----------------------------------------------------------------------

ACTIVITY_COLUMNS = [
    ("plans", "检查计划数"),
    ("tasks", "执法任务数"),
    ("tasks_done", "已完成任务数"),
    ("plan_progress", "计划任务完成率"),
    ("inspections", "完成检查数"),
    ("inspectors", "参与检查执法人员数"),
]


def activity(session: Session, query: Query, by: By) -> Figures:
    key = by(Plan.region_code, None)
    plans = select(key, func.count(Plan.id)).where(
        *_inside(query, Plan.region_code), Plan.status == "approved"
    )
    if query.start:
        plans = plans.where(Plan.period_end >= query.start)
    if query.end:
        plans = plans.where(Plan.period_start <= query.end)
    task_key = by(Task.region_code, Task.enterprise_id)
    # Cancelled tasks are no longer part of the plan's work.
    tasks = select(
        task_key,
        func.count(Task.id),
        func.sum(case((Task.status == "done", 1), else_=0)),
    ).where(
        *_inside(query, Task.region_code),
        *_period(query, Task.due_on),
        Task.status != "cancelled",
    )
    tasks = enterprise_filters(query, tasks, Task.enterprise_id)
    done = [
        Inspection.status == "finished",
        *_inside(query, Inspection.region_code),
        *_period(query, Inspection.started_at, is_datetime=True),
    ]
    inspection_key = by(Inspection.region_code, Inspection.enterprise_id)
    inspections = enterprise_filters(
        query,
        select(inspection_key, func.count(Inspection.id)).where(*done),
        Inspection.enterprise_id,
    )
    inspectors = enterprise_filters(
        query,
        select(inspection_key, func.count(distinct(task_enforcer.c.enforcer_id)))
        .select_from(Inspection)
        .join(task_enforcer, task_enforcer.c.task_id == Inspection.task_id)
        .where(*done),
        Inspection.enterprise_id,
    )
    return _merge(
        _collect(session, plans.group_by(key), ["plans"]) if key is not None else {},
        _collect(session, tasks.group_by(task_key), ["tasks", "tasks_done"]),
        _collect(session, inspections.group_by(inspection_key), ["inspections"]),
        _collect(session, inspectors.group_by(inspection_key), ["inspectors"]),
    )


def inspectors_total(session: Session, query: Query) -> int:
    """Distinct inspectors of the finished inspections in the whole asked region."""
    statement = enterprise_filters(
        query,
        select(func.count(distinct(task_enforcer.c.enforcer_id)))
        .select_from(Inspection)
        .join(task_enforcer, task_enforcer.c.task_id == Inspection.task_id)
        .where(
            Inspection.status == "finished",
            *_inside(query, Inspection.region_code),
            *_period(query, Inspection.started_at, is_datetime=True),
        ),
        Inspection.enterprise_id,
    )
    return int(session.scalar(statement) or 0)


PENALTY_COLUMNS = [
    ("cases", "立案数"),
    ("penalties", "行政处罚数"),
    ("fines", "罚款金额（元）"),
    ("paid", "已缴纳金额（元）"),
]


def cases(session: Session, query: Query, by: By, names: list[str] | None = None) -> Figures:
    key = by(Case.region_code, Case.enterprise_id)
    names = names or [k for k, _ in PENALTY_COLUMNS]
    filed = enterprise_filters(
        query,
        select(key, func.count(Case.id)).where(
            *_inside(query, Case.region_code), *_period(query, Case.filed_on)
        ),
        Case.enterprise_id,
    ).group_by(key)
    penalty_key = by(Penalty.region_code, Case.enterprise_id)
    decided = (
        select(
            penalty_key,
            func.count(Penalty.id),
            func.sum(case((Penalty.kind == "fine", Penalty.amount), else_=0)),
            func.sum(func.coalesce(Penalty.paid_amount, 0)),
        )
        .join(Case, Case.id == Penalty.case_id)
        .where(
            Penalty.decided_on.is_not(None),
            *_inside(query, Penalty.region_code),
            *_period(query, Penalty.decided_on),
        )
    )
    decided = enterprise_filters(query, decided, Case.enterprise_id).group_by(penalty_key)
    out = _merge(
        _collect(session, filed, ["cases"]),
        _collect(session, decided, ["penalties", "fines", "paid"]),
    )
    for values in out.values():
        for money in ("fines", "paid"):
            if money in values:
                values[money] = float(values[money] or 0)
    return {k: {n: v.get(n, 0) for n in names if n in v} for k, v in out.items()}


def penalty_list(session: Session, query: Query, limit: int = 200) -> list[dict[str, Any]]:
    """The decided penalties of the region, newest first, searched by enterprise, basis or 文号."""
    from enforcement.domain import workflow

    statement = (
        select(Penalty, Case.number, Enterprise.name, Enterprise.id)
        .join(Case, Case.id == Penalty.case_id)
        .join(Enterprise, Enterprise.id == Case.enterprise_id)
        .where(*_inside(query, Penalty.region_code), *_period(query, Penalty.decided_on))
    )
    statement = enterprise_filters(query, statement)
    if query.q:
        like = f"%{query.q}%"
        statement = statement.where(
            Enterprise.name.like(like) | Penalty.basis.like(like) | Penalty.decision_no.like(like)
        )
    statement = statement.order_by(Penalty.decided_on.desc().nulls_last(), Penalty.id.desc())
    out = []
    for penalty, number, name, enterprise_id in session.execute(statement.limit(limit)):
        out.append(
            {
                "case_number": number,
                "enterprise_id": enterprise_id,
                "enterprise": name,
                "kind": workflow.PENALTY_KIND_LABELS.get(penalty.kind, penalty.kind),
                "amount": float(penalty.amount) if penalty.amount is not None else None,
                "basis": penalty.basis,
                "decision_no": penalty.decision_no or "",
                "decided_on": penalty.decided_on.isoformat() if penalty.decided_on else "",
                "region_code": penalty.region_code,
            }
        )
    return out


# -- 地区汇总 --------------------------------------------------------------------------------------


def enforcers(session: Session, query: Query, by: By) -> Figures:
    """Registered enforcers, and those trained in the period (the year of `to` by default)."""
    key = by(Department.region_code, None)
    if key is None:
        return {}
    year = (query.end or dt.date.today()).year
    start = query.start or dt.date(year, 1, 1)
    end = query.end or dt.date(year, 12, 31)
    registered = (
        select(key, func.count(Enforcer.id))
        .join(Department, Department.id == Enforcer.department_id)
        .where(*_inside(query, Department.region_code), Department.region_code.is_not(None))
        .group_by(key)
    )
    trained_ids = select(TrainingRecord.enforcer_id).where(
        TrainingRecord.date >= start, TrainingRecord.date <= end
    )
    trained = (
        select(key, func.count(Enforcer.id))
        .join(Department, Department.id == Enforcer.department_id)
        .where(
            *_inside(query, Department.region_code),
            Department.region_code.is_not(None),
            Enforcer.id.in_(trained_ids),
        )
        .group_by(key)
    )
    return _merge(
        _collect(session, registered, ["enforcers"]), _collect(session, trained, ["trained"])
    )


# Inline constants of a GROUP BY expression (see core.child_key).
ONE, SEVEN = literal_column("1"), literal_column("7")


def trend(session: Session, query: Query) -> list[dict[str, Any]]:
    """Finished inspections and hazards found per month in the asked region (the line chart)."""
    month = func.substr(func.cast(Inspection.started_at, String), ONE, SEVEN)
    inspections = enterprise_filters(
        query,
        select(month, func.count(Inspection.id)).where(
            Inspection.status == "finished",
            *_inside(query, Inspection.region_code),
            *_period(query, Inspection.started_at, is_datetime=True),
        ),
        Inspection.enterprise_id,
    ).group_by(month)
    found = func.substr(func.cast(Hazard.created_at, String), ONE, SEVEN)
    hazards = enterprise_filters(
        query,
        select(found, func.count(Hazard.id)).where(*_hazard_where(query)),
        Hazard.enterprise_id,
    ).group_by(found)
    out: dict[str, dict[str, Any]] = {}
    for name, statement in (("inspections", inspections), ("hazards", hazards)):
        for key, count in session.execute(statement):
            out.setdefault(str(key), {"month": str(key), "inspections": 0, "hazards": 0})[name] = (
                count
            )
    return [out[k] for k in sorted(out)]
