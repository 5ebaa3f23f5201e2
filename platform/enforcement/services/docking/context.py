"""What writing one docked workflow record needs (services/docking/workflow.py): the references
resolved through `docking_record`, the checklist items named, dates and times, the region check.
Every refusal is a `Problem` with the path of the field and a stable code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import Enforcer
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists
from enforcement.services.docking.spec import Problem

CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Context:
    """What writing one workflow record needs: the session, who pushes, how to resolve ids."""

    session: Session
    source: str
    external_id: str
    jurisdiction: Jurisdiction
    username: str | None
    # (type, external id) → the local row (an ORM row, or a base-data row inserted in bulk: its
    # `id` and `region_code` are set).
    resolve: Callable[[str, str], Any]
    region_problem: Callable[[str, str | None], Problem | None]
    platform: Platform | None = None
    problems: list[Problem] = field(default_factory=list)

    def ref(self, path: str, kind: str, ident: Any, label: str) -> Any:
        """The local row a reference names; a problem at `path` when the source never pushed it."""
        if ident is None:
            return None
        row = self.resolve(kind, str(ident))
        if row is None or getattr(row, "deleted_at", None) is not None:
            message = f"引用的{label}（{kind} {ident}）不存在：请先推送它"
            self.problems.append(Problem(path, message, "unknown_reference"))
            return None
        return row

    def refuse(self, path: str, message: str, code: str = "invalid_value") -> None:
        self.problems.append(Problem(path, message, code))

    def checklists(self) -> Platform:
        if self.platform is None:
            self.platform = checklists.platform_of()
        return self.platform

    def unscoped_get(self, model: type, ident: int) -> Any:
        statement = select(model).where(model.id == ident)  # type: ignore[attr-defined]
        return self.session.scalars(statement.execution_options(**{UNSCOPED: True})).first()


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def day(ctx: Context, path: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        ctx.refuse(path, "日期无效", "bad_format")
        return None


def moment(ctx: Context, path: str, value: Any) -> dt.datetime | None:
    """A time as Beijing time without zone (how the platform stores times)."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace(" ", "T"))
    except ValueError:
        ctx.refuse(path, "时间无效", "bad_format")
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(CHINA).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def region(ctx: Context, base: str, data: dict[str, Any], enterprise: Any) -> str | None:
    """The record's region: its enterprise's county (checked against the region it states)."""
    problem = ctx.region_problem(f"{base}/region_code", data.get("region_code"))
    if problem is not None:
        ctx.problems.append(problem)
        return None
    if enterprise is None:
        return str(data["region_code"])
    if enterprise.region_code != data.get("region_code"):
        message = f"行政区划代码与企业所在地（{enterprise.region_code}）不一致"
        ctx.refuse(f"{base}/region_code", message, "conflict")
        return None
    return str(enterprise.region_code)


def entry(ctx: Context, path: str, plugin_id: str, version: str) -> ChecklistEntry | None:
    registry = ctx.checklists().registry
    entry = registry.get(plugin_id, version)
    if entry is None or not entry.visible_to(ctx.jurisdiction):
        known = any(e.id == plugin_id for e in registry.all() if e.visible_to(ctx.jurisdiction))
        where, message = (
            (f"{path}/checklist_version", f"检查事项“{plugin_id}”没有版本 {version}")
            if known
            else (f"{path}/checklist_id", f"检查事项“{plugin_id}”不存在")
        )
        ctx.refuse(where, message, "unknown_checklist")
        return None
    return entry


def item(ctx: Context, path: str, entry: ChecklistEntry, item_id: str) -> dict[str, Any] | None:
    for item in entry.declaration["items"]:
        if item["id"] == item_id:
            return dict(item)
    message = f"检查项“{item_id}”不在检查事项“{entry.id}”的 {entry.version} 版中"
    ctx.refuse(path, message, "not_in_checklist")
    return None


def equipment_of(ctx: Context, path: str, ident: Any, enterprise: Any) -> Any:
    equipment = ctx.ref(path, "equipment", ident, "设备")
    if equipment is None or enterprise is None:
        return None
    owner = getattr(equipment, "enterprise_id", None)
    if owner is None:  # inserted in bulk in this chunk: its parent row
        owner = getattr(getattr(equipment, "parent", None), "id", None)
    if owner != enterprise.id:
        ctx.refuse(path, "该设备不属于本记录的企业", "unknown_reference")
        return None
    return equipment


def enforcers(ctx: Context, base: str, idents: list[Any]) -> list[Enforcer]:
    rows = []
    for index, ident in enumerate(idents or []):
        row = ctx.ref(f"{base}/{index}", "enforcer", ident, "执法人员")
        if row is not None:
            rows.append(row)
    return [ctx.unscoped_get(Enforcer, row.id) for row in rows]
