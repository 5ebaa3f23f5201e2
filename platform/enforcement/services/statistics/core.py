"""The shared query core of 统计查询: parameters, the drill levels, child-region grouping, the answer.

A report is asked for one region (`000000` the nation) and answers one row per child region (per
enterprise at county level). Jurisdiction is the one the session enforces (db/scoping.py): every
ORM statement here is scoped by it, and a region outside the actor's jurisdiction is refused as
absent (`NotVisible`, a 404), decided by the same `Jurisdiction.contains` the policies use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from enforcement.db.acting import current_actor
from enforcement.domain import codes
from enforcement.domain.errors import FieldError, Refused
from enforcement.domain.jurisdiction import region_level
from enforcement.models import Enterprise, Region
from enforcement.models.statistics import NATION
from enforcement.plugins import Platform

REPORTS: dict[str, str] = {
    "enterprise_base": "企业基础信息",
    "key_items": "重点事项情况",
    "violations": "违法行为情况",
    "measures": "执法处理措施",
    "activity": "执法活动统计",
    "penalties": "行政处罚查询",
    "region_summary": "地区汇总情况",
}
LEVELS: dict[str, str] = {
    "nation": "全国",
    "province": "省级",
    "city": "市级",
    "county": "县级",
}
CHILD_LEVEL = {"nation": "province", "province": "city", "city": "county", "county": "enterprise"}
# Significant digits of a child region's code at each level: the GROUP BY key.
CHILD_DIGITS = {"nation": 2, "province": 4, "city": 6}


class NotVisible(LookupError):
    """The region lies outside the actor's jurisdiction: answered as absent (404)."""


@dataclass(frozen=True)
class Query:
    """One report request, validated: what every report and every drill link is built from."""

    region: str
    level: str
    start: dt.date | None = None
    end: dt.date | None = None
    plugin: str = ""
    sector: str = ""
    tag: str = ""
    item: str = ""
    q: str = ""

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this request (blank filters left out), with `changes` applied."""
        query = replace(self, **changes) if changes else self
        out = {
            "region": query.region,
            "from": query.start.isoformat() if query.start else "",
            "to": query.end.isoformat() if query.end else "",
            "plugin": query.plugin,
            "sector": query.sector,
            "tag": query.tag,
            "item": query.item,
            "q": query.q,
        }
        return {key: value for key, value in out.items() if value}

    @property
    def filters(self) -> dict[str, str]:
        """The active filters, without the region: what drill links carry along."""
        return {k: v for k, v in self.params().items() if k != "region"}


@dataclass
class Table:
    """A report's answer: the region asked for, the columns, one row per child, the total."""

    region: dict[str, str]
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    as_of: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "region": self.region,
            "columns": self.columns,
            "rows": self.rows,
            "total": self.total,
            "as_of": self.as_of.isoformat(),
        }
        out.update(self.extra)
        return out


def catalogue(platform: Platform) -> dict[str, dict[str, Any]]:
    """The active checklists: {plugin id: {title, items: [{id, code, title}]}}, in id order.

    Kept on the registry until its active versions change (a publish or a retirement): every
    report request asks for it, and building it is most of a rollup request's Python time.
    """
    active = platform.registry.active()
    key = tuple(sorted((plugin_id, entry.version) for plugin_id, entry in active.items()))
    cached = getattr(platform.registry, "_statistics_catalogue", None)
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    out = _catalogue(active)
    platform.registry._statistics_catalogue = (key, out)  # type: ignore[attr-defined]
    return out


def _catalogue(active: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for plugin_id, entry in sorted(active.items()):
        out[plugin_id] = {
            "title": entry.declaration["title"],
            "items": [
                # No code (a bureau's plugin may have none): the title alone, never the id.
                {"id": i["id"], "code": i.get("code") or "", "title": i["title"]}
                for i in entry.declaration["items"]
            ],
        }
    return out


def _day(args: Mapping[str, str], key: str, label: str, errors: list[FieldError]) -> dt.date | None:
    value = (args.get(key) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(FieldError(f"/{key}", f"{label}应为日期，格式如 2026-01-31"))
        return None


def parse_query(session: Session, platform: Platform, args: Mapping[str, str]) -> Query:
    """The request's parameters checked; Refused (400) with a Chinese message per bad parameter,
    NotVisible (404) for a region outside the jurisdiction."""
    errors: list[FieldError] = []
    jurisdiction = current_actor().jurisdiction
    region = (args.get("region") or "").strip() or (jurisdiction.region_code or NATION)
    level = "nation"
    if region != NATION:
        try:
            level = region_level(region)
        except ValueError:
            errors.append(FieldError("/region", "行政区划代码应为6位数字（全国为 000000）"))
        else:
            if region not in regions(session).names:
                errors.append(FieldError("/region", f"行政区划代码不存在：{region}"))
    start = _day(args, "from", "开始日期", errors)
    end = _day(args, "to", "结束日期", errors)
    if start and end and start > end:
        errors.append(FieldError("/to", "结束日期不能早于开始日期"))
    plugin = (args.get("plugin") or "").strip()
    item = (args.get("item") or "").strip()
    # Only a request naming a checklist or an item needs the catalogue (most name neither).
    known = catalogue(platform) if plugin or item else {}
    if plugin and plugin not in known:
        errors.append(FieldError("/plugin", f"检查事项类别不存在：{plugin}"))
    sector = (args.get("sector") or "").strip()
    if sector and sector not in codes.SECTORS:
        errors.append(FieldError("/sector", f"行业不存在：{sector}"))
    tag = (args.get("tag") or "").strip()
    if tag and tag not in codes.TAGS:
        errors.append(FieldError("/tag", f"专项类别不存在：{tag}"))
    items = {i["id"] for entry in known.values() for i in entry["items"]}
    if item and item not in items:
        errors.append(FieldError("/item", f"检查事项不存在：{item}"))
    q = (args.get("q") or "").strip()[:100]
    if errors:
        raise Refused(errors)
    visible = jurisdiction.is_national if region == NATION else jurisdiction.contains(region)
    if not visible:
        raise NotVisible(region)
    return Query(region, level, start, end, plugin, sector, tag, item, q)


def region_info(session: Session, query: Query) -> dict[str, str]:
    if query.region == NATION:
        return {"code": NATION, "name": "全国", "level": "nation"}
    name = regions(session).full_names.get(query.region, query.region)
    return {"code": query.region, "name": name, "level": query.level}


class By:
    """Builds a report's GROUP BY key from a table's region and enterprise columns: the child
    region's significant digits, or the enterprise id at county level (None: not per enterprise)."""

    def __init__(self, query: Query) -> None:
        self.query = query

    def __call__(self, region_column: Any, enterprise_column: Any) -> Any:
        if self.query.level == "county":
            return enterprise_column
        return child_key(self.query, region_column)


def child_key(query: Query, column: Any) -> Any:
    """The GROUP BY expression naming a row's child region (its code's significant digits)."""
    # Constants inline, not bound: PostgreSQL matches a SELECT expression to its GROUP BY only
    # when both read the same, and two bound parameters are two different placeholders.
    return func.substr(column, literal_column("1"), literal_column(str(CHILD_DIGITS[query.level])))


def child_code(query: Query, key: str) -> str:
    return str(key).ljust(6, "0")


def within(query: Query, column: Any) -> ColumnElement[bool] | None:
    """Rows in the asked region's subtree (None: the nation)."""
    if query.region == NATION:
        return None
    digits = {"province": 2, "city": 4, "county": 6}[query.level]
    prefix = query.region[:digits]
    return column.between(prefix.ljust(6, "0"), prefix.ljust(6, "9"))


def children(session: Session, query: Query) -> list[tuple[str, str]]:
    """(code, name) of the asked region's child regions, in code order."""
    return regions(session).children.get(query.region, [])


@dataclass(frozen=True)
class Regions:
    names: dict[str, str]
    full_names: dict[str, str]
    children: dict[str, list[tuple[str, str]]]


# By the database's URL (an immutable, hashable value: rendering it as text cost a tenth of a
# stored county's request).
_REGIONS: dict[Any, Regions] = {}


def regions(session: Session) -> Regions:
    """The GB/T 2260 table, read once per process and database (read again while it is empty):
    it is loaded at set-up from the package, never edited by a user, and every report asks for it."""
    key = session.get_bind().url
    cached = _REGIONS.get(key)
    if cached is not None and cached.names:
        return cached
    rows = session.execute(
        select(
            Region.code, Region.name, Region.full_name, Region.level, Region.parent_code
        ).order_by(Region.code)
    ).all()
    kids: dict[str, list[tuple[str, str]]] = {}
    for code, name, _, level, parent in rows:
        kids.setdefault(NATION if level == "province" else parent or NATION, []).append(
            (code, name)
        )
    made = Regions(
        names={r.code: r.name for r in rows},
        full_names={r.code: r.full_name for r in rows},
        children=kids,
    )
    _REGIONS[key] = made
    return made


def enterprises_in(session: Session, query: Query) -> list[tuple[int, str]]:
    """(id, name) of the county's active enterprises matching the filters: the county level's rows."""
    statement = select(Enterprise.id, Enterprise.name).where(
        Enterprise.region_code == query.region, Enterprise.status == "operating"
    )
    statement = enterprise_filters(query, statement)
    return [(i, n) for i, n in session.execute(statement.order_by(Enterprise.name, Enterprise.id))]


def enterprise_filters(query: Query, statement: Any, enterprise_id: Any = None) -> Any:
    """Add the sector and tag filters on the enterprise (joined through `enterprise_id` if given)."""
    from enforcement.models import EnterpriseTag

    if enterprise_id is not None and (query.sector or query.tag):
        statement = statement.join(Enterprise, Enterprise.id == enterprise_id)
    if query.sector:
        statement = statement.where(Enterprise.sector == query.sector)
    if query.tag:
        tagged = select(EnterpriseTag.enterprise_id).where(EnterpriseTag.tag == query.tag)
        statement = statement.where(Enterprise.id.in_(tagged))
    return statement


def assemble(
    session: Session,
    query: Query,
    columns: list[tuple[str, str]],
    figures: Callable[[By], dict[Any, dict[str, Any]]],
    *,
    additive: tuple[str, ...] | None = None,
    ratios: Mapping[str, tuple[str, str]] | None = None,
    enterprises: list[tuple[int, str]] | None = None,
) -> Table:
    """The table of a report whose figures are counted per group key.

    `figures(by)` runs the report's GROUP BY on the key `by` builds (the child-region prefix, or the
    enterprise id at county level) and answers {key: {figure: value}}. Rows are the child regions (all of them,
    zeros included) or the county's enterprises; the total sums the additive figures and
    recomputes each ratio (numerator, denominator) from the summed figures. `enterprises`: the
    county's rows when the caller has read them already (else `enterprises_in`).
    """
    keys = [k for k, _ in columns]
    ratios = ratios or {}
    rows: list[dict[str, Any]] = []
    if query.level == "county":
        listed = enterprises if enterprises is not None else enterprises_in(session, query)
        rows = county_rows(query, keys, figures(By(query)), listed, ratios)
    else:
        counted = {child_code(query, k): v for k, v in figures(By(query)).items()}
        for code, name in children(session, query):
            rows.append(
                {"region_code": code, "region_name": name}
                | _row(keys, counted.get(code, {}), ratios)
            )
    return Table(
        region=region_info(session, query),
        columns=table_columns(columns),
        rows=rows,
        total=total_of(rows, tuple(keys) if additive is None else additive, ratios),
    )


def table_columns(columns: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"key": k, "label": label} for k, label in columns]


def county_rows(
    query: Query,
    keys: list[str],
    counted: Mapping[Any, Mapping[str, Any]],
    listed: list[tuple[int, str]],
    ratios: Mapping[str, tuple[str, str]],
) -> list[dict[str, Any]]:
    """The county level's rows: one per listed enterprise (id, name), its figures or zeros."""
    rows = []
    for enterprise_id, name in listed:
        values = counted.get(enterprise_id) or counted.get(str(enterprise_id)) or {}
        rows.append(
            {"region_code": query.region, "region_name": name, "enterprise_id": enterprise_id}
            | _row(keys, values, ratios)
        )
    return rows


def total_of(
    rows: list[dict[str, Any]], additive: tuple[str, ...], ratios: Mapping[str, tuple[str, str]]
) -> dict[str, Any]:
    """The sum of the additive figures, each ratio recomputed from the sums."""
    total = {k: sum(r[k] or 0 for r in rows) for k in additive}
    return total | _ratios(total, ratios)


def _ratios(values: Mapping[str, Any], ratios: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (numerator, denominator) in ratios.items():
        low, high = values.get(numerator) or 0, values.get(denominator) or 0
        out[key] = round(low / high, 4) if high else None
    return out


def _row(
    keys: list[str], values: Mapping[str, Any], ratios: Mapping[str, tuple[str, str]]
) -> dict[str, Any]:
    row = {k: values.get(k, 0) for k in keys if k not in ratios}
    return row | _ratios(row | dict(values), ratios) if ratios else row
