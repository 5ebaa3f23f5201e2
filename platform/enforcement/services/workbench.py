"""我的工作台 use cases: plan → tasks → scheme → inspection → hazards → rectification → re-inspection.

The only writer of workbench statuses: views and APIs call these functions. Each validates (rules in
domain/planning.py), acts as one unit of work (db/unit_of_work.py: the outermost call commits, a call
inside another unit joins it), and raises `WorkbenchError` (Chinese reasons) when refused, or
`ConflictError` when an inspection changed under the caller (optimistic locking on `version`).
Jurisdiction is the session's: another region's record is simply not found (models/scoping.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from enforcement.checklists.measures import basis_text
from enforcement.db.unit_of_work import in_unit_of_work, transaction, unit_of_work
from enforcement.domain import planning
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import (
    AnswerSet,
    Department,
    Enforcer,
    Enterprise,
    Hazard,
    Inspection,
    InspectionScheme,
    Plan,
    RectificationOrder,
    Task,
    task_enforcer,
)
from enforcement.models.scoping import UNSCOPED, current_actor
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists

# 整改复查: the re-inspection follows within 10 days of the deadline or of the completion report
# (安全生产违法行为行政处罚办法/15号令 整改复查条款, as summarised in research.md §4; confidence medium).
RECHECK_WITHIN_DAYS = 10

R = TypeVar("R")


class WorkbenchError(ValueError):
    """A refused step, with every reason in Chinese."""

    def __init__(self, reasons: str | Sequence[str]) -> None:
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__("；".join(self.reasons))


class ConflictError(WorkbenchError):
    """The inspection was saved by someone else since the caller loaded it."""


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _username() -> str | None:
    return current_actor().username


def _require(reasons: list[str]) -> None:
    if reasons:
        raise WorkbenchError(reasons)


def _in_jurisdiction(region_code: str | None) -> None:
    if not current_actor().jurisdiction.contains(region_code):
        raise WorkbenchError("所选行政区划不在您的管辖范围内")


# -- plain views of ORM rows for the pure rules ------------------------------------------------------


def inspector_of(enforcer: Enforcer) -> planning.Inspector:
    department = enforcer.department
    return planning.Inspector(
        id=enforcer.id,
        name=enforcer.name,
        certificate_no=enforcer.certificate_no,
        region_code=department.region_code if department is not None else None,
    )


def candidate_of(enterprise: Enterprise) -> planning.Candidate:
    return planning.Candidate(
        id=enterprise.id,
        region_code=enterprise.region_code,
        sector=enterprise.sector,
        tags=tuple(enterprise.tags),
        name=enterprise.name,
    )


# -- 监督检查计划 -------------------------------------------------------------------------------------


@transaction
def create_plan(
    session: Session,
    *,
    title: str,
    year: int,
    kind: str,
    period_start: dt.date,
    period_end: dt.date,
    region_code: str,
    department_id: int | None = None,
    item_set_ids: Iterable[str] = (),
    rule: planning.SelectionRule | None = None,
    seed: int | None = None,
    notes: str | None = None,
) -> Plan:
    """A draft plan for a region of the caller's jurisdiction."""
    _require(
        planning.validate_plan(
            title=title, year=year, kind=kind, start=period_start, end=period_end
        )
    )
    _in_jurisdiction(region_code)
    rule = rule or planning.SelectionRule(region_code=region_code)
    if rule.region_code is None:
        rule = planning.SelectionRule(**{**rule.__dict__, "region_code": region_code})
    else:
        _in_jurisdiction(rule.region_code)
    plan = Plan(
        title=title.strip(),
        year=year,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        region_code=region_code,
        department_id=department_id,
        item_set_ids=list(item_set_ids),
        selection_rule=rule.to_json(),
        random_seed=seed,
        notes=notes,
        status="draft",
        created_by=_username(),
    )
    session.add(plan)
    session.flush()
    return plan


@transaction
def approve_plan(session: Session, plan: Plan) -> Plan:
    if plan.status != "draft":
        raise WorkbenchError("只有草稿状态的计划可以批准")
    plan.status = "approved"
    plan.approved_by = _username()
    plan.approved_at = _now()
    return plan


def _candidates(session: Session, rule: planning.SelectionRule) -> list[planning.Candidate]:
    statement = select(Enterprise).where(Enterprise.status != "closed").order_by(Enterprise.id)
    if rule.region_code:
        low, high = Jurisdiction(rule.region_code).code_range  # type: ignore[misc]
        statement = statement.where(Enterprise.region_code.between(low, high))
    return [candidate_of(e) for e in session.scalars(statement)]


def _inspectors(session: Session) -> list[planning.Inspector]:
    return [inspector_of(e) for e in session.scalars(select(Enforcer).order_by(Enforcer.id))]


def draw_plan(session: Session, plan: Plan) -> planning.DrawResult:
    """The 双随机 draw of the plan (its seed is recorded on first use, so it can be repeated)."""
    if plan.random_seed is None:
        with unit_of_work(session):
            plan.random_seed = planning.new_seed()
    rule = planning.SelectionRule.from_json(plan.selection_rule)
    return planning.draw(
        _candidates(session, rule),
        _inspectors(session),
        rule,
        plan.random_seed,
        (plan.period_start, plan.period_end),
    )


@transaction
def break_down(session: Session, plan: Plan) -> tuple[list[Task], dict[int, str]]:
    """Approved plan → one task per drawn enterprise; returns the tasks and the enterprises left out."""
    if plan.status != "approved":
        raise WorkbenchError("计划批准后才能分解为执法任务")
    result = draw_plan(session, plan)
    planned = {t.enterprise_id for t in plan.tasks if t.deleted_at is None}
    enforcers = {e.id: e for e in session.scalars(select(Enforcer))}
    enterprises = {
        e.id: e
        for e in session.scalars(
            select(Enterprise).where(
                Enterprise.id.in_([a.enterprise_id for a in result.assignments])
            )
        )
    }
    created = []
    for assignment in result.assignments:
        if assignment.enterprise_id in planned:
            continue
        task = _new_task(
            session,
            enterprise=enterprises[assignment.enterprise_id],
            enforcers=[enforcers[i] for i in assignment.inspector_ids],
            due_on=assignment.due_on,
            plan=plan,
        )
        created.append(task)
    return created, result.unassigned


def _new_task(
    session: Session,
    *,
    enterprise: Enterprise,
    enforcers: Sequence[Enforcer],
    due_on: dt.date | None,
    plan: Plan | None = None,
    kind: str = "inspection",
    parent: Task | None = None,
) -> Task:
    already = plan is not None and any(
        t.enterprise_id == enterprise.id and t.deleted_at is None and t.kind == kind
        for t in plan.tasks
    )
    _require(
        planning.validate_task(
            enterprise_region=enterprise.region_code,
            inspectors=[inspector_of(e) for e in enforcers],
            due_on=due_on,
            period=(plan.period_start, plan.period_end) if plan is not None else None,
            enterprise_id=enterprise.id,
            already_planned=already,
        )
    )
    assert due_on is not None
    task = Task(
        plan=plan,
        enterprise=enterprise,
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        due_on=due_on,
        kind=kind,
        parent=parent,
        status="pending",
        created_by=_username(),
    )
    task.enforcers = list(enforcers)
    session.add(task)
    session.flush()
    return task


@transaction
def create_task(
    session: Session,
    *,
    enterprise: Enterprise,
    enforcers: Sequence[Enforcer],
    due_on: dt.date | None,
    plan: Plan | None = None,
) -> Task:
    """A single 专项执法任务 (inside a plan or not); refused with Chinese reasons when a rule fails."""
    if plan is not None and plan.status != "approved":
        raise WorkbenchError("计划批准后才能下达执法任务")
    return _new_task(session, enterprise=enterprise, enforcers=enforcers, due_on=due_on, plan=plan)


# -- 现场检查方案 -------------------------------------------------------------------------------------


def scheme_of(session: Session, task: Task) -> InspectionScheme | None:
    return session.scalars(
        select(InspectionScheme)
        .where(InspectionScheme.task_id == task.id)
        .order_by(InspectionScheme.id.desc())
    ).first()


def applicable_entries(platform: Platform, enterprise: Enterprise) -> list[ChecklistEntry]:
    return checklists.applicable(platform, enterprise)


@transaction
def compile_scheme(
    session: Session,
    platform: Platform,
    task: Task,
    *,
    plugin_ids: Sequence[str] | None = None,
    item_ids: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    scheduled_on: dt.date | None = None,
    schedule: str | None = None,
    team: str | None = None,
) -> InspectionScheme:
    """Compile (or revise the draft of) a task's scheme, preselected from the enterprise's tags/equipment."""
    entries = {e.id: e for e in applicable_entries(platform, task.enterprise)}
    planned = [p for p in (task.plan.item_set_ids if task.plan else []) if p in entries]
    # Preselected: the plan's item sets where it names them, else every applicable checklist.
    chosen = list(plugin_ids) if plugin_ids else planned or list(entries)
    reasons = [f"检查事项 {p} 不适用于该企业" for p in chosen if p not in entries]
    if not chosen:
        reasons.append("没有适用于该企业的检查事项：请核对企业的专项标签和设备台账")
    all_items = [i["id"] for p in chosen if p in entries for i in entries[p].declaration["items"]]
    items = [i for i in item_ids if i in all_items] if item_ids else all_items
    if item_ids and not items:
        reasons.append("请至少选择一项检查内容")
    methods = list(methods or planning.INSPECTION_METHODS)
    reasons += [f"未知的检查方式：{m}" for m in methods if m not in planning.INSPECTION_METHODS]
    if scheduled_on is not None and scheduled_on > task.due_on:
        reasons.append(f"检查日期不能晚于任务完成期限（{task.due_on}）")
    _require(reasons)
    scheme = scheme_of(session, task)
    if scheme is not None and scheme.status == "approved":
        raise WorkbenchError("检查方案已批准，不能再修改")
    if scheme is None:
        scheme = InspectionScheme(task_id=task.id, region_code=task.region_code)
        session.add(scheme)
    scheme.plugin_ids = chosen
    scheme.item_ids = items
    scheme.methods = methods
    scheme.scheduled_on = scheduled_on
    scheme.schedule = schedule
    scheme.team = team or task.enforcers_label
    scheme.status = "draft"
    scheme.compiled_by = _username()
    session.flush()
    return scheme


@transaction
def approve_scheme(session: Session, scheme: InspectionScheme) -> InspectionScheme:
    if scheme.status != "draft":
        raise WorkbenchError("只有草稿状态的检查方案可以批准")
    if scheme.compiled_by and scheme.compiled_by == _username():
        raise WorkbenchError("检查方案应由编制人以外的负责人审批")
    scheme.status = "approved"
    scheme.approved_by = _username()
    scheme.approved_at = _now()
    return scheme


# -- 现场检查 -----------------------------------------------------------------------------------------


def inspection_of(session: Session, task: Task) -> Inspection | None:
    return session.scalars(
        select(Inspection).where(Inspection.task_id == task.id).order_by(Inspection.id.desc())
    ).first()


@transaction
def start_inspection(
    session: Session,
    task: Task,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Inspection:
    """Open the on-site inspection of a task (the running one when there is one)."""
    existing = inspection_of(session, task)
    if existing is not None:
        return existing
    if task.status in ("done", "cancelled"):
        raise WorkbenchError("该任务已结束，不能开始检查")
    if task.kind == "inspection":
        scheme = scheme_of(session, task)
        if scheme is None or scheme.status != "approved":
            raise WorkbenchError("现场检查方案经负责人批准后才能开始现场检查")
    _require(_location_reasons(latitude, longitude))
    inspection = Inspection(
        task_id=task.id,
        enterprise_id=task.enterprise_id,
        region_code=task.region_code,
        started_at=_now(),
        latitude=latitude,
        longitude=longitude,
        participants=[],
        answer_set_ids={},
        status="in_progress",
        created_by=_username(),
        updated_by=_username(),
    )
    session.add(inspection)
    task.status = "in_progress"
    session.flush()
    return inspection


def _location_reasons(latitude: float | None, longitude: float | None) -> list[str]:
    if (latitude is None) != (longitude is None):
        return ["定位信息不完整（需同时有经度和纬度）"]
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
        return ["定位信息超出有效范围"]
    return []


def _participant_reasons(participants: Sequence[dict[str, Any]]) -> list[str]:
    reasons = []
    for index, person in enumerate(participants, start=1):
        if not isinstance(person, dict) or not str(person.get("name", "")).strip():
            reasons.append(f"第 {index} 位在场人员请填写姓名")
    return reasons


def conflict_message(inspection: Inspection, version: int | None) -> str:
    who = inspection.updated_by or "其他执法人员"
    return (
        f"该现场检查已由 {who} 于 {inspection.updated_at} 保存（当前第 {inspection.version} 版，"
        f"您打开的是第 {version} 版）。为避免覆盖同事填写的内容，本次保存未生效："
        "请复制您的修改，刷新页面后再保存。"
    )


def _inspection_transaction(fn: Callable[..., R]) -> Callable[..., R]:
    """A unit of work on an inspection (session, platform, inspection, version=…): a save that lost
    the optimistic lock to a colleague's raises ConflictError saying who saved it and when."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        session: Session = args[0]
        inspection: Inspection = args[2] if len(args) > 2 else kwargs["inspection"]
        try:
            with unit_of_work(session):
                return fn(*args, **kwargs)
        except StaleDataError:
            if in_unit_of_work(
                session
            ):  # the caller's unit rolls back; the row is not readable yet
                raise ConflictError(
                    "该现场检查刚由其他执法人员保存，本次保存未生效：请复制您的修改，刷新页面后再保存。"
                ) from None
            session.refresh(inspection)
            raise ConflictError(conflict_message(inspection, kwargs.get("version"))) from None

    return wrapper


@dataclass
class SaveOutcome:
    inspection: Inspection
    errors: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    answer_set: AnswerSet | None = None


def _entry_for(
    session: Session, platform: Platform, inspection: Inspection, plugin_id: str
) -> ChecklistEntry:
    scheme = scheme_of(session, inspection.task)
    allowed = set(scheme.plugin_ids) if scheme is not None else None
    entries = {e.id: e for e in applicable_entries(platform, inspection.enterprise)}
    entry = entries.get(plugin_id)
    if entry is None or (allowed is not None and plugin_id not in allowed):
        raise WorkbenchError("该检查事项不在本次检查方案中，或不适用于此企业")
    return entry


@_inspection_transaction
def save_inspection(
    session: Session,
    platform: Platform,
    inspection: Inspection,
    *,
    version: int | None,
    plugin_id: str | None = None,
    answers: dict[str, Any] | None = None,
    submit: bool = False,
    participants: Sequence[dict[str, Any]] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    notes: str | None = None,
) -> SaveOutcome:
    """Save as it goes: answers of one checklist (draft, or submitted), participants, location.

    `version` is the version the caller loaded; a different current version is a conflict (two
    inspectors on one inspection) and nothing is written. A submission that fails validation is kept
    as a draft (nothing typed is lost) and its errors come back as JSON pointers.
    """
    if inspection.status != "in_progress":
        raise WorkbenchError("该现场检查已完成，不能再修改")
    if version is None or int(version) != inspection.version:
        raise ConflictError(conflict_message(inspection, version))
    reasons = []
    if participants is not None:
        reasons += _participant_reasons(participants)
    if latitude is not None or longitude is not None:
        reasons += _location_reasons(latitude, longitude)
    _require(reasons)
    entry = _entry_for(session, platform, inspection, plugin_id) if answers is not None else None
    # Claim the row first: the UPDATE … WHERE version = :loaded fails for a concurrent writer.
    inspection.updated_by = _username()
    inspection.updated_at = _now()
    if participants is not None:
        inspection.participants = [
            {k: str(p.get(k, "")).strip() for k in ("name", "position", "phone", "unit")}
            for p in participants
        ]
    if latitude is not None and longitude is not None:
        inspection.latitude, inspection.longitude = latitude, longitude
    if notes is not None:
        inspection.notes = notes
    session.flush()
    outcome = SaveOutcome(inspection)
    if entry is None:
        return outcome
    assert answers is not None
    existing_id = (inspection.answer_set_ids or {}).get(entry.id)
    existing = session.get(AnswerSet, existing_id) if existing_id else None
    result = checklists.save_answers(
        session, platform, inspection.enterprise, entry, answers, submit=submit, answer_set=existing
    )
    if result.errors:
        outcome.errors = result.errors
        result = checklists.save_answers(
            session,
            platform,
            inspection.enterprise,
            entry,
            answers,
            submit=False,
            answer_set=existing,
        )
    answer_set = result.answer_set
    assert answer_set is not None
    ids = dict(inspection.answer_set_ids or {})
    if ids.get(entry.id) != answer_set.id or inspection.answer_set_id != answer_set.id:
        ids[entry.id] = answer_set.id
        inspection.answer_set_ids = ids
        inspection.answer_set_id = answer_set.id
    outcome.answer_set = answer_set
    if submit and not outcome.errors:
        outcome.suggestions = checklists.suggestions(
            platform, entry, inspection.enterprise, answers
        )
    return outcome


@_inspection_transaction
def finish_inspection(
    session: Session, platform: Platform, inspection: Inspection, *, version: int | None
) -> list[Hazard]:
    """Close the on-site inspection: every checklist submitted, participants recorded; derive hazards."""
    if inspection.status != "in_progress":
        raise WorkbenchError("该现场检查已完成")
    if version is None or int(version) != inspection.version:
        raise ConflictError(conflict_message(inspection, version))
    reasons = []
    if not inspection.participants:
        reasons.append("请登记被检查单位的现场负责人等在场人员")
    task = inspection.task
    if task.kind == "inspection":
        scheme = scheme_of(session, task)
        for plugin_id in scheme.plugin_ids if scheme is not None else []:
            answer_set = _answer_set(session, inspection, plugin_id)
            if answer_set is None or answer_set.status != "submitted":
                entry = platform.registry.get(plugin_id)
                title = entry.declaration["title"] if entry is not None else plugin_id
                reasons.append(f"检查表“{title}”尚未提交")
    _require(reasons)
    hazards = derive_hazards(session, platform, inspection)
    inspection.status = "finished"
    inspection.finished_at = _now()
    inspection.updated_by = _username()
    if task.kind == "inspection":
        task.status = "done"
    return hazards


def _answer_set(session: Session, inspection: Inspection, plugin_id: str) -> AnswerSet | None:
    answer_set_id = (inspection.answer_set_ids or {}).get(plugin_id)
    return session.get(AnswerSet, answer_set_id) if answer_set_id else None


def _describe(answer: dict[str, Any]) -> str:
    parts = []
    problems = answer.get("problems")
    if isinstance(problems, list) and problems:
        parts.append("；".join(str(p) for p in problems))
    for key in ("defect", "description", "note"):
        if isinstance(answer.get(key), str) and answer[key].strip():
            parts.append(answer[key].strip())
    return "。".join(parts)


@transaction
def derive_hazards(session: Session, platform: Platform, inspection: Inspection) -> list[Hazard]:
    """Every non-compliant answer becomes a hazard with its bases and the suggested measure (idempotent)."""
    existing = {(h.item_id, h.equipment_id) for h in inspection.hazards}
    equipment_names = {e.id: e.name for e in inspection.enterprise.equipment}
    created = []
    for _plugin, answer_set_id in sorted((inspection.answer_set_ids or {}).items()):
        answer_set = session.get(AnswerSet, answer_set_id)
        if answer_set is None or answer_set.status != "submitted":
            continue
        entry = platform.registry.get(answer_set.plugin_id, answer_set.plugin_version)
        if entry is None:
            continue
        items = {i["id"]: i for i in entry.declaration["items"]}
        for suggestion in checklists.suggestions(
            platform, entry, inspection.enterprise, answer_set.answers
        ):
            key = (suggestion["item_id"], suggestion.get("equipment_id"))
            if key in existing:
                continue
            item = items[suggestion["item_id"]]
            given = answer_set.answers.get(item["id"])
            answer = (
                next(
                    (a for a in given if a.get("equipment_id") == suggestion.get("equipment_id")),
                    {},
                )
                if isinstance(given, list)
                else given or {}
            )
            is_major = item.get("severity") == "major"
            hazard = Hazard(
                inspection=inspection,  # through the relationship: inspection.hazards stays current
                inspection_id=inspection.id,
                enterprise_id=inspection.enterprise_id,
                region_code=inspection.region_code,
                plugin_id=entry.id,
                plugin_version=entry.version,
                item_id=item["id"],
                item_code=item.get("code"),
                title=item["title"][:300],
                equipment_id=suggestion.get("equipment_id"),
                equipment_name=equipment_names.get(suggestion.get("equipment_id")),
                description=_describe(answer) or item.get("content"),
                illegal_basis="；".join(basis_text(b) for b in item.get("legal_basis", [])),
                penalty_basis=basis_text(item.get("penalty_basis", {})),
                is_major=is_major,
                suggestion={k: v for k, v in suggestion.items() if k not in ("title",)},
                measure=planning.measure_from_suggestion(
                    suggestion.get("measures") or [], is_major
                ),
                measure_confirmed=False,
                status="open",
            )
            session.add(hazard)
            existing.add(key)
            created.append(hazard)
    session.flush()
    return created


# -- 问题隐患 and 整改复查 ------------------------------------------------------------------------------


@transaction
def confirm_measure(
    session: Session, hazard: Hazard, measure: str, deadline: dt.date | None = None
) -> Hazard:
    """The inspector confirms (or changes) the proposed measure of a hazard."""
    reasons = []
    if measure not in planning.HAZARD_MEASURES:
        reasons.append("处理措施应为责令立即整改、责令限期整改、现场处理措施或立案查处")
    if hazard.status not in planning.OPEN_HAZARD_STATUSES:
        reasons.append(f"该隐患已{hazard.status_label}，不能再修改处理措施")
    if hazard.rectification_order_id is not None and measure != hazard.measure:
        reasons.append("已下达整改指令书的隐患不能再改变处理措施")
    if measure == "deadline" and deadline is None and hazard.deadline is None:
        reasons.append("责令限期整改须填写整改期限")
    _require(reasons)
    hazard.measure = measure
    hazard.measure_confirmed = True
    if deadline is not None:
        hazard.deadline = deadline
    return hazard


PROVISIONAL_ORDER_NUMBER = "（待定稿）整改指令第{id}号"


@transaction
def issue_rectification_order(
    session: Session,
    inspection: Inspection,
    *,
    deadlines: dict[int, dt.date | None] | None = None,
    issued_on: dt.date | None = None,
) -> RectificationOrder:
    """责令限期整改指令书 for the inspection's open hazards not yet on an order; a deadline per hazard."""
    issued_on = issued_on or dt.date.today()
    deadlines = deadlines or {}
    hazards = [
        h
        for h in inspection.hazards
        if h.status in planning.OPEN_HAZARD_STATUSES and h.rectification_order_id is None
    ]
    resolved: list[tuple[Hazard, dt.date | None]] = []
    for hazard in hazards:
        deadline = deadlines.get(hazard.id, hazard.deadline)
        if hazard.measure == "immediate" and deadline is None:
            deadline = issued_on  # 责令立即整改: due the day the order is served
        resolved.append((hazard, deadline))
    _require(
        planning.validate_rectification(
            [(h.measure or "deadline", d) for h, d in resolved], issued_on
        )
    )
    dated = [d for _, d in resolved if d is not None]
    order = RectificationOrder(
        inspection_id=inspection.id,
        enterprise_id=inspection.enterprise_id,
        region_code=inspection.region_code,
        # The official 文号 comes from the gapless counter when its 责令限期整改指令书 is
        # finalized (services/documents.finalize); until then a provisional, unique label.
        number=f"（待定稿）{secrets.token_hex(6)}",
        issued_on=issued_on,
        deadline=max(dated) if dated else None,
        issued_by=_username(),
    )
    session.add(order)
    session.flush()
    order.number = PROVISIONAL_ORDER_NUMBER.format(id=order.id)
    for hazard, deadline in resolved:
        hazard.deadline = deadline
        hazard.rectification_order = order  # order.hazards stays current within the unit
        hazard.rectification_order_id = order.id
        hazard.status = "rectifying"
    return order


@transaction
def report_completion(
    session: Session, order: RectificationOrder, *, on: dt.date | None = None
) -> Task | None:
    """The enterprise reports the rectification complete: the re-inspection task appears now."""
    on = on or dt.date.today()
    if on < order.issued_on:
        raise WorkbenchError("整改完成日期不能早于指令书下达日期")
    order.completion_reported_on = on
    return generate_recheck(session, order, today=on)


@transaction
def generate_recheck(
    session: Session, order: RectificationOrder, *, today: dt.date | None = None
) -> Task | None:
    """A 复查 task for the same inspectors once the deadline passed or completion was reported."""
    today = today or dt.date.today()
    if order.recheck_task_id is not None:
        return order.recheck_task
    if not planning.recheck_due(order.deadline, order.completion_reported_on, today):
        return None
    if not any(h.status in planning.OPEN_HAZARD_STATUSES for h in order.hazards):
        return None
    parent = order.inspection.task
    start = order.completion_reported_on or order.deadline or today
    # The same inspectors, including any a county user cannot list (e.g. the city's, on a joint team).
    enforcer_ids = session.scalars(
        select(task_enforcer.c.enforcer_id).where(task_enforcer.c.task_id == parent.id)
    ).all()
    same_team = session.scalars(
        select(Enforcer)
        .where(Enforcer.id.in_(enforcer_ids))
        .order_by(Enforcer.id)
        .execution_options(**{UNSCOPED: True})
    ).all()
    task = _new_task(
        session,
        enterprise=order.enterprise,
        enforcers=same_team,
        due_on=max(start, today) + dt.timedelta(days=RECHECK_WITHIN_DAYS),
        kind="recheck",
        parent=parent,
    )
    order.recheck_task = task
    order.recheck_task_id = task.id
    return task


def generate_due_rechecks(session: Session, *, today: dt.date | None = None) -> list[Task]:
    """Re-inspection tasks for every visible order whose deadline has passed (idempotent)."""
    today = today or dt.date.today()
    due = select(RectificationOrder).where(
        RectificationOrder.recheck_task_id.is_(None),
        or_(
            RectificationOrder.deadline < today,
            RectificationOrder.completion_reported_on.is_not(None),
        ),
    )
    created: list[Task] = []
    if not session.scalars(due).first():
        return created  # the usual case: a list page opens no write transaction
    with unit_of_work(session):
        # Read again under the lock: two lists opened at once would each create the task.
        orders = session.scalars(
            due.with_for_update(of=RectificationOrder).execution_options(populate_existing=True)
        ).all()
        for order in orders:
            task = generate_recheck(session, order, today=today)
            if task is not None:
                created.append(task)
    return created


def order_of_recheck(session: Session, task: Task) -> RectificationOrder | None:
    return session.scalars(
        select(RectificationOrder).where(RectificationOrder.recheck_task_id == task.id)
    ).first()


def recheck_hazards(session: Session, task: Task) -> list[Hazard]:
    """The hazards a re-inspection works on: the order's hazards still open (plus the ones it closed)."""
    order = order_of_recheck(session, task)
    if order is None:
        return []
    return [
        h
        for h in order.hazards
        if h.status in planning.OPEN_HAZARD_STATUSES or h.verified_by_task_id == task.id
    ]


@transaction
def close_hazard(
    session: Session,
    hazard: Hazard,
    task: Task,
    *,
    rectified: bool = True,
    on: dt.date | None = None,
) -> Hazard:
    """On re-inspection: rectified, or confirmed not rectified (it stays open for a case)."""
    order = hazard.rectification_order
    reasons = []
    if task.kind != "recheck" or order is None or order.recheck_task_id != task.id:
        reasons.append("只能在该隐患整改指令书对应的复查任务中确认整改情况")
    if hazard.status not in planning.OPEN_HAZARD_STATUSES:
        reasons.append(f"该隐患已{hazard.status_label}")
    _require(reasons)
    on = on or dt.date.today()
    if rectified:
        hazard.status = "rectified"
        hazard.rectified_on = on
    else:
        hazard.status = "open"  # 逾期未整改：留待立案查处 (services/cases.escalate_hazards)
    hazard.verified_by_task_id = task.id
    task.status = "in_progress" if task.status == "pending" else task.status
    session.flush()
    remaining = [
        h
        for h in recheck_hazards(session, task)
        if h.status in planning.OPEN_HAZARD_STATUSES and h.verified_by_task_id != task.id
    ]
    if not remaining:
        task.status = "done"
    return hazard


# -- 企业执法档案 --------------------------------------------------------------------------------------


def enterprise_history(session: Session, enterprise: Enterprise) -> dict[str, list[Any]]:
    """Every task, inspection, hazard, order, case and penalty of an enterprise, newest first."""
    from enforcement.models.case import Case, Penalty

    def rows(model: Any, order: Any) -> list[Any]:
        return list(
            session.scalars(
                select(model).where(model.enterprise_id == enterprise.id).order_by(order.desc())
            )
        )

    return {
        "tasks": rows(Task, Task.due_on),
        "inspections": rows(Inspection, Inspection.started_at),
        "hazards": rows(Hazard, Hazard.id),
        "orders": rows(RectificationOrder, RectificationOrder.issued_on),
        "cases": rows(Case, Case.filed_on),
        "penalties": list(
            session.scalars(
                select(Penalty)
                .join(Case, Penalty.case_id == Case.id)
                .where(Case.enterprise_id == enterprise.id)
                .order_by(Penalty.id.desc())
            )
        ),
    }


def department_of_actor(session: Session) -> Department | None:
    """The caller's department (for a new plan's default region)."""
    from enforcement.models import AppUser

    username = _username()
    if not username:
        return None
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    return user.department if user is not None else None
