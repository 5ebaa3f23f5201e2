"""现场检查方案 and 现场检查: a task's scheme (compiled from the applicable checklists, approved by
someone other than its author), the on-site inspection saved as it goes, and the hazards derived from
its non-compliant answers when it is finished.

Two inspectors on one inspection: saves carry the `version` the caller loaded (optimistic locking);
losing it raises `ConflictError` saying who saved it and when, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from enforcement.checklists.measures import bases_on, basis_text
from enforcement.db.unit_of_work import in_unit_of_work, transaction, unit_of_work
from enforcement.domain import planning
from enforcement.domain.values import as_finite, as_int64
from enforcement.models import AnswerSet, Enterprise, Hazard, Inspection, InspectionScheme, Task
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists
from enforcement.services.plans import approval_refusal_of
from enforcement.services.workbench import (
    ConflictError,
    WorkbenchError,
    acting_username,
    now,
    require,
)

R = TypeVar("R")


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
    # An overdue task stays workable: a date after the due date is recorded late (late_label), not
    # refused (refusing forced inspectors to backdate the scheme).
    require(reasons)
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
    scheme.compiled_by = acting_username()
    session.flush()
    return scheme


@transaction
def approve_scheme(session: Session, scheme: InspectionScheme) -> InspectionScheme:
    if scheme.status != "draft":
        raise WorkbenchError("只有草稿状态的检查方案可以批准")
    refusal = approval_refusal_of(scheme.compiled_by, "检查方案")
    if refusal:
        raise WorkbenchError(refusal)
    scheme.status = "approved"
    scheme.approved_by = acting_username()
    scheme.approved_at = now()
    return scheme


# -- 现场检查 -----------------------------------------------------------------------------------------


def inspection_of(session: Session, task: Task) -> Inspection | None:
    return session.scalars(
        select(Inspection).where(Inspection.task_id == task.id).order_by(Inspection.id.desc())
    ).first()


def start_refusal(session: Session, task: Task) -> str:
    """Why the task's inspection cannot start yet ("" if it can): the page shows it before the tap."""
    if inspection_of(session, task) is not None:
        return ""
    if task.status in ("done", "cancelled"):
        return "该任务已结束，不能开始检查"
    if task.kind == "inspection":
        scheme = scheme_of(session, task)
        if scheme is None:
            return "请先编制现场检查方案，经负责人批准后开始现场检查"
        if scheme.status != "approved":
            return "现场检查方案待负责人审批，批准后才能开始现场检查"
    return ""


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
    refusal = start_refusal(session, task)
    if refusal:
        raise WorkbenchError(refusal)
    require(_location_reasons(latitude, longitude))
    inspection = Inspection(
        task_id=task.id,
        enterprise_id=task.enterprise_id,
        region_code=task.region_code,
        started_at=now(),
        latitude=latitude,
        longitude=longitude,
        participants=[],
        answer_set_ids={},
        status="in_progress",
        created_by=acting_username(),
        updated_by=acting_username(),
    )
    session.add(inspection)
    task.status = "in_progress"
    session.flush()
    return inspection


def _location_reasons(latitude: float | None, longitude: float | None) -> list[str]:
    if (latitude is None) != (longitude is None):
        return ["定位信息不完整（需同时有经度和纬度）"]
    if latitude is not None and (as_finite(latitude) is None or as_finite(longitude) is None):
        return ["定位信息应为数字"]
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


def refuse_docked(inspection: Inspection) -> None:
    """A docked inspection is recorded in its source system (services/docking/workflow.py): the
    province pushes its changes; here it is read, not continued."""
    if inspection.docking_source:
        raise WorkbenchError(
            f"该现场检查来自{inspection.docking_source_label}，由来源系统办理，此处只能查看"
        )


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
    refuse_docked(inspection)
    if as_int64(version) != inspection.version:
        raise ConflictError(conflict_message(inspection, version))
    reasons = []
    if participants is not None:
        reasons += _participant_reasons(participants)
    if latitude is not None or longitude is not None:
        reasons += _location_reasons(latitude, longitude)
    require(reasons)
    entry = _entry_for(session, platform, inspection, plugin_id) if answers is not None else None
    # Claim the row first: the UPDATE … WHERE version = :loaded fails for a concurrent writer.
    inspection.updated_by = acting_username()
    inspection.updated_at = now()
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
            platform,
            checklists.recorded_entry(platform, entry, answer_set),
            inspection.enterprise,
            answers,
            on=inspection.started_at.date(),
        )
    return outcome


@_inspection_transaction
def finish_inspection(
    session: Session, platform: Platform, inspection: Inspection, *, version: int | None
) -> list[Hazard]:
    """Close the on-site inspection: every checklist submitted, participants recorded; derive hazards."""
    if inspection.status != "in_progress":
        raise WorkbenchError("该现场检查已完成")
    refuse_docked(inspection)
    if as_int64(version) != inspection.version:
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
    require(reasons)
    hazards = derive_hazards(session, platform, inspection)
    inspection.status = "finished"
    inspection.finished_at = now()
    inspection.updated_by = acting_username()
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
        day = inspection.started_at.date() if inspection.started_at else None
        items = {i["id"]: bases_on(i, day) for i in entry.declaration["items"]}
        for suggestion in checklists.suggestions(
            platform, entry, inspection.enterprise, answer_set.answers, on=day
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
            # Recorded now, never recomputed: a later plugin version leaves this finding as it was.
            is_major = bool(suggestion.get("major"))
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
