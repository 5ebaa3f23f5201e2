"""The workflow records of the spec written into the platform's own tables: first-class.

A docked inspection becomes a task, an inspection and one submitted answer set per checklist, so the
statistics listener (services/statistics/maintain.py) records its item results and moves the rollup
in the same flush, exactly as for a local inspection; a docked hazard is a `Hazard` (statistics,
reminders by its deadline); a plan a `Plan`; an order a `RectificationOrder` (its re-inspections
done as 复查 tasks that close its hazards: services/docking/reinspect.py); a case a `Case` with
its stage history as `CaseTransition` rows; a penalty a `Penalty`; a document's metadata a
`DockedDocument` (services/docking/documents.py). Every row carries `docking_source` (the person reads 数据来源 "<省>对接").

References use the source's own ids, resolved through `docking_record` (the docked or adopted row);
checklist ids, versions and item ids must name a checklist and an item of that version the caller
may see. A record that names anything unknown is refused with a code and the path of the reference.

The province's legal procedure is stored as it recorded it: its stage and history are not re-run
through the platform's transition guards (another system's history is a fact here). A docked case
is read-only on the platform afterwards (services/cases.py refuses local moves of it), so it never
bypasses the guards locally.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from enforcement.checklists.measures import bases_on, basis_text
from enforcement.db.scoping import UNSCOPED
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import (
    AnswerSet,
    Case,
    DockedDocument,
    Hazard,
    Inspection,
    Penalty,
    Plan,
    RectificationOrder,
    Task,
)
from enforcement.plugins import ChecklistEntry
from enforcement.services import checklists
from enforcement.services.docking import context as c
from enforcement.services.docking import reinspect
from enforcement.services.docking.documents import write_document
from enforcement.services.docking.procedure import write_case, write_penalty
from enforcement.services.statistics import maintain

# Record type → the platform's table it is written into.
MODELS: dict[str, type] = {
    "plan": Plan,
    "inspection": Inspection,
    "hazard": Hazard,
    "rectification": RectificationOrder,
    "case": Case,
    "penalty": Penalty,
    "document": DockedDocument,
}
# The order a mirror pushes them in: what is referred to before what refers to it.
WORKFLOW_ORDER: tuple[str, ...] = (
    "plan",
    "inspection",
    "hazard",
    "rectification",
    "case",
    "penalty",
    "document",
)
RESULTS = {"pass": "compliant", "fail": "non_compliant", "not_applicable": "not_applicable"}


def references(record_type: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(type, external id) of every record `data` refers to: looked up with the chunk's own keys."""
    out: list[tuple[str, str]] = []

    def one(key: str, kind: str, where: dict[str, Any] = data) -> None:
        if where.get(key) is not None:
            out.append((kind, str(where[key])))

    def many(key: str, kind: str, where: dict[str, Any] = data) -> None:
        out.extend((kind, str(v)) for v in where.get(key) or [])

    one("enterprise_id", "enterprise")
    one("plan_id", "plan")
    one("inspection_id", "inspection")
    one("case_id", "case")
    one("equipment_id", "equipment")
    many("enterprise_ids", "enterprise")
    many("enforcer_ids", "enforcer")
    many("hazard_ids", "hazard")
    for result in data.get("results") or []:
        one("equipment_id", "equipment", result)
    for check in data.get("reinspections") or []:
        many("enforcer_ids", "enforcer", check)
    return out


# -- 现场检查 ----------------------------------------------------------------------------------------


def relabel(data: dict[str, Any], lookup: Callable[[str, str], int | None]) -> dict[str, Any]:
    """`data` with its references to base data as this platform's ids (those its base-data export
    uses), so that a mirror resolves them against the base data it pulled; references to other
    workflow records keep the source's ids (the export's ids of those records)."""
    out = copy.deepcopy(data)

    def one(where: dict[str, Any], key: str, kind: str) -> None:
        if where.get(key) is not None:
            local = lookup(kind, str(where[key]))
            where[key] = str(local) if local is not None else where[key]

    def many(where: dict[str, Any], key: str, kind: str) -> None:
        if key in where:
            where[key] = [str(lookup(kind, str(v)) or v) for v in where[key]]

    one(out, "enterprise_id", "enterprise")
    one(out, "equipment_id", "equipment")
    many(out, "enterprise_ids", "enterprise")
    many(out, "enforcer_ids", "enforcer")
    for result in out.get("results") or []:
        one(result, "equipment_id", "equipment")
    for check in out.get("reinspections") or []:
        many(check, "enforcer_ids", "enforcer")
    return out


@dataclass
class Answers:
    entry: ChecklistEntry
    answers: dict[str, Any] = field(default_factory=dict)


def _answers(
    ctx: c.Context, base: str, data: dict[str, Any], enterprise: Any
) -> dict[str, Answers]:
    """Checklist id → its answers in the platform's shape (item id → answer, or per equipment a
    list of answers with the local equipment id)."""
    out: dict[str, Answers] = {}
    for index, result in enumerate(data.get("results") or []):
        path = f"{base}/results/{index}"
        plugin_id, version = result["checklist_id"], result["checklist_version"]
        known = out.get(plugin_id)
        if known is not None and known.entry.version != version:
            message = f"同一次检查中检查事项“{plugin_id}”只能有一个版本"
            ctx.refuse(f"{path}/checklist_version", message, "conflict")
            continue
        entry = known.entry if known is not None else c.entry(ctx, path, plugin_id, version)
        if entry is None:
            continue
        item = c.item(ctx, f"{path}/item_id", entry, result["item_id"])
        if item is None:
            continue
        answer: dict[str, Any] = {"answer": RESULTS[result["result"]]}
        if result.get("note"):
            answer["note"] = result["note"]
        sheet = out.setdefault(plugin_id, Answers(entry))
        if "repeat" in item:
            if result.get("equipment_id") is None:
                message = "该检查项逐设备检查，请填写设备（equipment_id）"
                ctx.refuse(f"{path}/equipment_id", message, "missing")
                continue
            equipment = c.equipment_of(
                ctx, f"{path}/equipment_id", result["equipment_id"], enterprise
            )
            if equipment is None:
                continue
            given = sheet.answers.setdefault(item["id"], [])
            if any(a["equipment_id"] == equipment.id for a in given):
                ctx.refuse(path, "同一检查项、同一设备的结果重复", "duplicate_in_batch")
                continue
            given.append({"equipment_id": equipment.id, **answer})
        else:
            if result.get("equipment_id") is not None:
                message = "该检查项不逐设备检查，不应填写设备"
                ctx.refuse(f"{path}/equipment_id", message, "invalid_value")
                continue
            if item["id"] in sheet.answers:
                ctx.refuse(path, "同一检查项的结果重复", "duplicate_in_batch")
                continue
            sheet.answers[item["id"]] = answer
    return out


def result_keys(session: Session, inspection_id: int) -> list[tuple[int, str]]:
    return [
        (enterprise_id, item_id)
        for enterprise_id, item_id in session.execute(
            select(maintain.RESULTS.c.enterprise_id, maintain.RESULTS.c.item_id).where(
                maintain.RESULTS.c.inspection_id == inspection_id
            )
        )
    ]


def rerecord(session: Session, inspection: Inspection, before: list[tuple[int, str]]) -> None:
    """An updated docked inspection: its item results again from its answer sets, and the cells
    they touched before or touch now recomputed (statistics' own functions, on the flush's
    connection: the same transaction as the update)."""
    connection = session.connection()
    connection.execute(
        delete(maintain.RESULTS).where(maintain.RESULTS.c.inspection_id == inspection.id)
    )
    keys = list(before)
    if inspection.status == "finished":
        keys += maintain.record_results(connection, inspection.id)
    maintain.refresh_cells(connection, keys)


def write_inspection(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    enterprise = ctx.ref(f"{base}/enterprise_id", "enterprise", data["enterprise_id"], "企业")
    plan = ctx.ref(f"{base}/plan_id", "plan", data.get("plan_id"), "计划")
    enforcers = c.enforcers(ctx, f"{base}/enforcer_ids", data.get("enforcer_ids") or [])
    started = c.moment(ctx, f"{base}/started_at", data["started_at"])
    finished = c.moment(ctx, f"{base}/finished_at", data.get("finished_at"))
    sheets = _answers(ctx, base, data, enterprise)
    region = c.region(ctx, base, data, enterprise) if enterprise is not None else None
    if ctx.problems or enterprise is None or region is None or started is None:
        return None
    session = ctx.session
    status = data["status"]
    if row is None:
        task = _planned_task(ctx, plan, enterprise) or Task(
            enterprise_id=enterprise.id,
            region_code=region,
            kind="inspection",
            created_by=ctx.username,
            docking_source=ctx.source,
        )
        session.add(task)
        before: list[tuple[int, str]] = []
    else:
        task = row.task
        before = result_keys(session, row.id)
    task.plan_id = plan.id if plan is not None else None
    task.enterprise_id, task.region_code = enterprise.id, region
    task.due_on = started.date()
    task.status = "done" if status == "finished" else "in_progress"
    task.enforcers = enforcers
    # One submitted answer set per checklist, pinned to the version the province checked against.
    known = dict(row.answer_set_ids or {}) if row is not None else {}
    ids: dict[str, int] = {}
    for plugin_id, sheet in sorted(sheets.items()):
        compiled = checklists.store_compiled(session, sheet.entry.compiled)
        answer_set = session.get(AnswerSet, known[plugin_id]) if plugin_id in known else None
        if answer_set is None:
            answer_set = AnswerSet(enterprise_id=enterprise.id, created_by=ctx.username)
            session.add(answer_set)
        answer_set.enterprise_id = enterprise.id
        answer_set.plugin_id, answer_set.plugin_version = plugin_id, sheet.entry.version
        answer_set.schema_hash = compiled.sha256
        answer_set.answers = sheet.answers
        answer_set.status = "submitted"
        answer_set.submitted_at = finished or started
        session.flush()
        ids[plugin_id] = answer_set.id
    inspection = row if row is not None else Inspection(docking_source=ctx.source)
    inspection.task = task
    inspection.enterprise_id, inspection.region_code = enterprise.id, region
    inspection.started_at, inspection.finished_at = started, finished
    inspection.latitude, inspection.longitude = data.get("latitude"), data.get("longitude")
    inspection.participants = [
        {k: str(p.get(k, "")).strip() for k in ("name", "position", "phone", "unit")}
        for p in data.get("participants") or []
    ]
    inspection.answer_set_ids = ids
    inspection.answer_set_id = ids[max(ids)] if ids else None
    inspection.updated_by = ctx.username
    if row is None:
        inspection.created_by = ctx.username
        session.add(inspection)
    # Set last: the statistics listener records the results when the status becomes finished.
    inspection.status = status
    session.flush()
    if row is not None:
        rerecord(session, inspection, before)
    return inspection


# -- 问题隐患 ----------------------------------------------------------------------------------------


def write_hazard(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    inspection = ctx.ref(f"{base}/inspection_id", "inspection", data["inspection_id"], "检查")
    enterprise = ctx.ref(f"{base}/enterprise_id", "enterprise", data["enterprise_id"], "企业")
    if (
        inspection is not None
        and enterprise is not None
        and inspection.enterprise_id != enterprise.id
    ):
        ctx.refuse(f"{base}/enterprise_id", "企业与所属检查的被检查企业不一致", "conflict")
    entry = c.entry(ctx, base, data["plugin_id"], data["plugin_version"])
    item = c.item(ctx, f"{base}/item_id", entry, data["item_id"]) if entry is not None else None
    equipment = (
        c.equipment_of(ctx, f"{base}/equipment_id", data["equipment_id"], enterprise)
        if data.get("equipment_id") is not None
        else None
    )
    deadline = c.day(ctx, f"{base}/deadline", data.get("deadline"))
    rectified = c.day(ctx, f"{base}/rectified_on", data.get("rectified_on"))
    region = c.region(ctx, base, data, enterprise) if enterprise is not None else None
    if ctx.problems or inspection is None or item is None or entry is None or region is None:
        return None
    session = ctx.session
    day = inspection.started_at.date() if inspection.started_at else None
    item = bases_on(item, day)
    before = (row.enterprise_id, row.item_id) if row is not None else None
    hazard = row if row is not None else Hazard(docking_source=ctx.source)
    hazard.inspection_id, hazard.enterprise_id, hazard.region_code = (
        inspection.id,
        inspection.enterprise_id,
        region,
    )
    hazard.plugin_id, hazard.plugin_version = entry.id, entry.version
    hazard.item_id, hazard.item_code = item["id"], item.get("code")
    hazard.title = data["title"][:300]
    hazard.equipment_id = equipment.id if equipment is not None else None
    hazard.equipment_name = getattr(equipment, "name", None) or (
        equipment.values.get("name")
        if equipment is not None and hasattr(equipment, "values")
        else None
    )
    hazard.description = data.get("description")
    hazard.illegal_basis = "；".join(basis_text(b) for b in item.get("legal_basis", []))
    hazard.penalty_basis = basis_text(item.get("penalty_basis", {}))
    hazard.is_major = bool(data["is_major"])
    hazard.measure = data.get("measure")
    hazard.measure_confirmed = data.get("measure") is not None
    hazard.deadline = deadline
    if row is None:
        # Found when the province's inspection was made, not when the record arrived here.
        hazard.created_at = inspection.finished_at or inspection.started_at
        session.add(hazard)
        hazard.status, hazard.rectified_on = data["status"], rectified
    else:
        # Its docked order's re-inspections still apply (services/docking/reinspect.py).
        reinspect.reapply(ctx, hazard, (data["status"], rectified, None, None))
    session.flush()
    if before is not None and before != (hazard.enterprise_id, hazard.item_id):
        # The listener follows the hazard's new item; the cell it left is recomputed here.
        maintain.refresh_cells(session.connection(), [before])
    return hazard


# -- 整改指令 ----------------------------------------------------------------------------------------


def write_rectification(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    enterprise = ctx.ref(f"{base}/enterprise_id", "enterprise", data["enterprise_id"], "企业")
    hazards = [
        ctx.ref(f"{base}/hazard_ids/{i}", "hazard", ident, "隐患")
        for i, ident in enumerate(data["hazard_ids"])
    ]
    for index, hazard in enumerate(hazards):
        if hazard is not None and enterprise is not None and hazard.enterprise_id != enterprise.id:
            ctx.refuse(f"{base}/hazard_ids/{index}", "该隐患不属于本指令书的企业", "conflict")
    issued = c.day(ctx, f"{base}/issued_on", data["issued_on"])
    deadline = c.day(ctx, f"{base}/deadline", data["deadline"])
    checks = reinspect.read(ctx, base, data, issued)
    region = c.region(ctx, base, data, enterprise) if enterprise is not None else None
    found = [h for h in hazards if h is not None]
    if ctx.problems or region is None or issued is None or not found:
        if not found and not ctx.problems:
            ctx.refuse(f"{base}/hazard_ids", "请至少列出一项隐患", "missing")
        return None
    order = row if row is not None else RectificationOrder(docking_source=ctx.source)
    order.inspection_id = found[0].inspection_id
    order.enterprise_id, order.region_code = enterprise.id, region
    order.number = data.get("number") or f"对接 {ctx.source} {ctx.external_id}"[:64]
    order.issued_on, order.deadline = issued, deadline
    order.issued_by = ctx.username
    if row is None:
        ctx.session.add(order)
    ctx.session.flush()
    for hazard in found:
        hazard.rectification_order_id = order.id
    # Its re-inspections do what a local one does (services/docking/reinspect.py).
    reinspect.apply(ctx, order, found, checks)
    return order


# -- 监督检查计划 -------------------------------------------------------------------------------------


def _plan_tasks(ctx: c.Context, plan: Plan, enterprises: list[Any]) -> None:
    """A docked plan's tasks, as a local plan has them: one 检查 task per enterprise it lists, due at
    the end of its period, 待检查 until a docked inspection takes it. An enterprise no longer listed
    loses its task while nothing was done on it (soft-deleted); a task already inspected stays."""
    session = ctx.session
    tasks = session.scalars(
        select(Task)
        .where(
            Task.plan_id == plan.id, Task.docking_source == ctx.source, Task.kind == "inspection"
        )
        .execution_options(**{UNSCOPED: True})
    ).all()
    wanted = {e.id: e for e in enterprises}
    have: dict[int, Task] = {}
    for task in tasks:
        if task.deleted_at is None:
            have.setdefault(task.enterprise_id, task)
    for enterprise_id, task in have.items():
        if enterprise_id not in wanted and task.status == "pending" and not _inspected(ctx, task):
            task.deleted_at, task.deleted_by = c.now(), ctx.username
    for enterprise_id, enterprise in wanted.items():
        task = have.get(enterprise_id)
        if task is None:
            task = Task(
                plan_id=plan.id,
                enterprise_id=enterprise_id,
                region_code=enterprise.region_code,
                kind="inspection",
                status="pending",
                created_by=ctx.username,
                docking_source=ctx.source,
            )
            session.add(task)
        if task.status == "pending":
            task.due_on = plan.period_end


def _inspected(ctx: c.Context, task: Task) -> bool:
    statement = select(Inspection.id).where(Inspection.task_id == task.id)
    return ctx.session.scalars(statement.execution_options(**{UNSCOPED: True})).first() is not None


def _planned_task(ctx: c.Context, plan: Any, enterprise: Any) -> Task | None:
    """The pending task a docked plan holds for the enterprise (what a docked inspection of the plan
    carries out), if any."""
    if plan is None:
        return None
    statement = (
        select(Task)
        .where(
            Task.plan_id == plan.id,
            Task.enterprise_id == enterprise.id,
            Task.docking_source == ctx.source,
            Task.status == "pending",
            Task.deleted_at.is_(None),
        )
        .order_by(Task.id)
    )
    for task in ctx.session.scalars(statement.execution_options(**{UNSCOPED: True})):
        if not _inspected(ctx, task):
            return task
    return None


def write_plan(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    enterprises = []
    for index, ident in enumerate(data.get("enterprise_ids") or []):
        found = ctx.ref(f"{base}/enterprise_ids/{index}", "enterprise", ident, "企业")
        if found is not None and not Jurisdiction(data["region_code"]).contains(found.region_code):
            message = f"企业不在计划的行政区划（{data['region_code']}）内"
            ctx.refuse(f"{base}/enterprise_ids/{index}", message, "conflict")
        elif found is not None:
            enterprises.append(found)
    year = int(data["year"])
    start = c.day(ctx, f"{base}/period_start", data.get("period_start")) or dt.date(year, 1, 1)
    end = c.day(ctx, f"{base}/period_end", data.get("period_end")) or dt.date(year, 12, 31)
    if end < start:
        ctx.refuse(f"{base}/period_end", "截止日期早于起始日期", "invalid_value")
    region = c.region(ctx, base, data, None)
    for index, plugin_id in enumerate(data.get("item_set_ids") or []):
        registry = ctx.checklists().registry
        if not any(e.id == plugin_id for e in registry.all() if e.visible_to(ctx.jurisdiction)):
            message = f"检查事项“{plugin_id}”不存在"
            ctx.refuse(f"{base}/item_set_ids/{index}", message, "unknown_checklist")
    if ctx.problems or region is None:
        return None
    plan = row if row is not None else Plan(docking_source=ctx.source, created_by=ctx.username)
    plan.title, plan.year, plan.kind = data["title"], year, data["kind"]
    plan.period_start, plan.period_end = start, end
    plan.region_code, plan.status = region, data["status"]
    plan.approved_by = data.get("approved_by")
    plan.item_set_ids = list(data.get("item_set_ids") or [])
    if row is None:
        ctx.session.add(plan)
    ctx.session.flush()
    _plan_tasks(ctx, plan, enterprises)
    ctx.session.flush()
    return plan


WRITERS: dict[str, Callable[[c.Context, str, dict[str, Any], Any], Any]] = {
    "plan": write_plan,
    "inspection": write_inspection,
    "hazard": write_hazard,
    "rectification": write_rectification,
    "case": write_case,
    "penalty": write_penalty,
    "document": write_document,
}
