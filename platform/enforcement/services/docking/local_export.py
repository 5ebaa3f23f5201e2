"""Workflow records made on this platform itself, as the published spec's `data`.

A province that works on this platform directly is mirrored by the ministry through the same export
as a docked one: its local plans, inspections (with the item results of their submitted answer
sets), hazards, rectification orders, cases, penalties and finalized documents leave as records of their spec type, with the local id as
the record's id. References to base data use local ids (what the base-data export answers);
references to other workflow records use the id the export gives that record: the local id for a
local row, the source's id for a docked one (its `docking_record`). Docked rows are not read here:
they keep leaving from their `docking_record`, so nothing is exported twice.

Values are cut to the spec's lengths and codes outside its tables are left out, so that every
record validates against its schema (tests/integration/test_docking_export_local.py checks the
demo's records).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.bulk import batches
from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    AnswerSet,
    Case,
    CaseTransition,
    DockingRecord,
    Document,
    Hazard,
    Inspection,
    Penalty,
    Plan,
    RectificationOrder,
    Task,
    case_enforcer,
    case_hazard,
    task_enforcer,
)
from enforcement.services.docking import reinspect

# The platform's answers as the spec's results (services/statistics/maintain.answered_items reads
# compliant / non_compliant the same way); anything else (not yet answered) is not a result.
RESULTS = {"compliant": "pass", "non_compliant": "fail", "not_applicable": "not_applicable"}
INSPECTION_STATUSES = ("in_progress", "finished")
HAZARD_STATUSES = ("open", "rectifying", "rectified", "escalated")
MEASURES = ("immediate", "deadline", "on_site", "file_case")
PLAN_KINDS = ("annual", "quarterly", "special")
PLAN_STATUSES = ("draft", "approved")
PARTY_KINDS = ("unit", "individual")


def _unscoped(statement: Any) -> Any:
    return statement.execution_options(**{UNSCOPED: True})


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:limit] if text else None


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


@dataclass
class Refs:
    """The exported ids of the workflow records a page's rows name."""

    docked: dict[tuple[str, int], str]

    def ident(self, record_type: str, local_id: int | None) -> str | None:
        if local_id is None:
            return None
        return self.docked.get((record_type, local_id), str(local_id))


def _docked_ids(session: Session, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """(type, local id) → the source's id of the docked rows among `wanted`."""
    found: dict[tuple[str, int], str] = {}
    for record_type, ids in wanted.items():
        for chunk in batches(sorted(ids)):
            rows = session.execute(
                _unscoped(
                    select(DockingRecord.local_id, DockingRecord.external_id).where(
                        DockingRecord.record_type == record_type,
                        DockingRecord.local_id.in_(chunk),
                    )
                )
            )
            for local_id, external_id in rows:
                found[(record_type, local_id)] = external_id
    return found


# -- 现场检查 ----------------------------------------------------------------------------------------


def _teams(session: Session, task_ids: set[int]) -> dict[int, list[int]]:
    team: dict[int, list[int]] = {}
    for chunk in batches(sorted(task_ids)):
        for task_id, enforcer_id in session.execute(
            select(task_enforcer.c.task_id, task_enforcer.c.enforcer_id)
            .where(task_enforcer.c.task_id.in_(chunk))
            .order_by(task_enforcer.c.task_id, task_enforcer.c.enforcer_id)
        ):
            team.setdefault(task_id, []).append(enforcer_id)
    return team


def _inspections(session: Session, rows: list[Inspection]) -> list[dict[str, Any]]:
    tasks = {
        t.id: t
        for chunk in batches(sorted({r.task_id for r in rows}))
        for t in session.scalars(_unscoped(select(Task).where(Task.id.in_(chunk))))
    }
    team = _teams(session, set(tasks))
    set_ids = sorted(
        {int(i) for r in rows for i in (r.answer_set_ids or {}).values() if i is not None}
    )
    sets = {
        s.id: s
        for chunk in batches(set_ids)
        for s in session.scalars(_unscoped(select(AnswerSet).where(AnswerSet.id.in_(chunk))))
    }
    plans = {t.plan_id for t in tasks.values() if t.plan_id is not None}
    refs = Refs(_docked_ids(session, {"plan": plans}))
    out = []
    for row in rows:
        task = tasks.get(row.task_id)
        data: dict[str, Any] = {
            "enterprise_id": str(row.enterprise_id),
            "region_code": row.region_code,
            "status": row.status if row.status in INSPECTION_STATUSES else "in_progress",
            "started_at": _moment(row.started_at),
        }
        _put(data, "plan_id", refs.ident("plan", task.plan_id if task else None))
        _put(data, "finished_at", _moment(row.finished_at))
        if row.latitude is not None and row.longitude is not None:
            data["latitude"], data["longitude"] = row.latitude, row.longitude
        if task is not None and team.get(task.id):
            data["enforcer_ids"] = [str(i) for i in team[task.id][:20]]
        participants = []
        for person in (row.participants or [])[:100]:
            entry: dict[str, Any] = {}
            for key, limit in (("name", 64), ("position", 64), ("phone", 32), ("unit", 200)):
                _put(
                    entry, key, _text(person.get(key), limit) if isinstance(person, dict) else None
                )
            if entry:
                participants.append(entry)
        if participants:
            data["participants"] = participants
        data["results"] = _results(
            [sets[int(i)] for _, i in sorted((row.answer_set_ids or {}).items()) if int(i) in sets]
        )
        out.append(data)
    return out


def _results(answer_sets: list[AnswerSet]) -> list[dict[str, Any]]:
    """Per item (and per equipment where the item repeats) the result of the submitted sets."""
    out: list[dict[str, Any]] = []
    for answer_set in answer_sets:
        if answer_set.status != "submitted":
            continue
        for item_id, given in sorted((answer_set.answers or {}).items()):
            for entry in given if isinstance(given, list) else [given]:
                if not isinstance(entry, dict) or entry.get("answer") not in RESULTS:
                    continue
                result: dict[str, Any] = {
                    "checklist_id": answer_set.plugin_id,
                    "checklist_version": answer_set.plugin_version,
                    "item_id": item_id,
                    "result": RESULTS[entry["answer"]],
                }
                equipment = entry.get("equipment_id")
                if isinstance(equipment, int) and not isinstance(equipment, bool):
                    result["equipment_id"] = str(equipment)
                note = entry.get("note")
                _put(result, "note", _text(note, 2000) if isinstance(note, str) else None)
                out.append(result)
    return out[:5000]


# -- 问题隐患 ----------------------------------------------------------------------------------------


def _hazards(session: Session, rows: list[Hazard]) -> list[dict[str, Any]]:
    refs = Refs(_docked_ids(session, {"inspection": {r.inspection_id for r in rows}}))
    out = []
    for row in rows:
        data: dict[str, Any] = {
            "inspection_id": refs.ident("inspection", row.inspection_id),
            "enterprise_id": str(row.enterprise_id),
            "region_code": row.region_code,
            "plugin_id": row.plugin_id,
            "plugin_version": row.plugin_version,
            "item_id": row.item_id,
            "title": _text(row.title, 300) or row.item_id,
            "is_major": bool(row.is_major),
            "status": row.status if row.status in HAZARD_STATUSES else "open",
        }
        _put(data, "equipment_id", str(row.equipment_id) if row.equipment_id else None)
        _put(data, "description", _text(row.description, 4000))
        _put(data, "measure", row.measure if row.measure in MEASURES else None)
        _put(data, "deadline", _day(row.deadline))
        _put(data, "rectified_on", _day(row.rectified_on))
        out.append(data)
    return out


# -- 监督检查计划 -------------------------------------------------------------------------------------


def _plans(session: Session, rows: list[Plan]) -> list[dict[str, Any]]:
    enterprises: dict[int, list[int]] = {}
    for chunk in batches(sorted(r.id for r in rows)):
        for plan_id, enterprise_id in session.execute(
            _unscoped(
                select(Task.plan_id, Task.enterprise_id)
                .where(Task.plan_id.in_(chunk), Task.deleted_at.is_(None))
                .distinct()
                .order_by(Task.plan_id, Task.enterprise_id)
            )
        ):
            enterprises.setdefault(plan_id, []).append(enterprise_id)
    out = []
    for row in rows:
        data: dict[str, Any] = {
            "title": _text(row.title, 200) or str(row.id),
            "year": row.year,
            "kind": row.kind if row.kind in PLAN_KINDS else "special",
            "region_code": row.region_code,
            "status": row.status if row.status in PLAN_STATUSES else "draft",
        }
        _put(data, "period_start", _day(row.period_start))
        _put(data, "period_end", _day(row.period_end))
        _put(data, "approved_by", _text(row.approved_by, 128))
        if row.item_set_ids:
            data["item_set_ids"] = [str(i)[:120] for i in row.item_set_ids][:100]
        if enterprises.get(row.id):
            data["enterprise_ids"] = [str(i) for i in enterprises[row.id]]
        out.append(data)
    return out


# -- 整改指令 ----------------------------------------------------------------------------------------


def _rectifications(session: Session, rows: list[RectificationOrder]) -> list[dict[str, Any]]:
    named: dict[int, list[Hazard]] = {}
    for chunk in batches(sorted(r.id for r in rows)):
        for hazard in session.scalars(
            _unscoped(
                select(Hazard)
                .where(Hazard.rectification_order_id.in_(chunk))
                .order_by(Hazard.rectification_order_id, Hazard.id)
            )
        ):
            if hazard.rectification_order_id is not None:
                named.setdefault(hazard.rectification_order_id, []).append(hazard)
    wanted = {h.id for hs in named.values() for h in hs}
    refs = Refs(_docked_ids(session, {"hazard": wanted}))
    task_ids = {r.recheck_task_id for r in rows if r.recheck_task_id is not None}
    tasks = {
        t.id: t
        for chunk in batches(sorted(task_ids))
        for t in session.scalars(_unscoped(select(Task).where(Task.id.in_(chunk))))
    }
    teams = _teams(session, task_ids)
    out = []
    for row in rows:
        hazards = named.get(row.id, [])
        data: dict[str, Any] = {
            "enterprise_id": str(row.enterprise_id),
            "region_code": row.region_code,
            "hazard_ids": [refs.ident("hazard", h.id) for h in hazards][:200],
            "issued_on": _day(row.issued_on),
            # The spec requires a deadline; an order without one is due when it was issued.
            "deadline": _day(row.deadline or row.issued_on),
        }
        _put(data, "number", _text(row.number, 64))
        task = tasks.get(row.recheck_task_id) if row.recheck_task_id is not None else None
        check = reinspect.exported(row, task, hazards, teams.get(task.id, []) if task else [])
        if check is not None:
            data["reinspections"] = [check]
        out.append(data)
    return out


# -- 案件（含阶段记录）与行政处罚 ----------------------------------------------------------------------


def _pairs(
    session: Session, table: Any, key: str, value: str, ids: list[int]
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    left, right = table.c[key], table.c[value]
    for chunk in batches(sorted(ids)):
        for a, b in session.execute(
            select(left, right).where(left.in_(chunk)).order_by(left, right)
        ):
            out.setdefault(a, []).append(b)
    return out


def _cases(session: Session, rows: list[Case]) -> list[dict[str, Any]]:
    ids = [r.id for r in rows]
    team = _pairs(session, case_enforcer, "case_id", "enforcer_id", ids)
    named = _pairs(session, case_hazard, "case_id", "hazard_id", ids)
    history: dict[int, list[CaseTransition]] = {}
    for chunk in batches(sorted(ids)):
        for step in session.scalars(
            _unscoped(
                select(CaseTransition)
                .where(CaseTransition.case_id.in_(chunk))
                .order_by(CaseTransition.case_id, CaseTransition.id)
            )
        ):
            history.setdefault(step.case_id, []).append(step)
    refs = Refs(_docked_ids(session, {"hazard": {h for v in named.values() for h in v}}))
    out = []
    for row in rows:
        data: dict[str, Any] = {
            "title": _text(row.title, 300) or row.number,
            "enterprise_id": str(row.enterprise_id),
            "region_code": row.region_code,
            "stage": row.stage,
            "filed_on": _day(row.filed_on),
        }
        _put(data, "number", _text(row.number, 64))
        _put(data, "source", _text(row.source, 64))
        _put(data, "facts", _text(row.facts, 20000))
        _put(data, "party_kind", row.party_kind if row.party_kind in PARTY_KINDS else None)
        _put(data, "party_name", _text(row.party_name, 100))
        _put(data, "discovered_on", _day(row.discovered_on))
        _put(data, "closed_on", _day(row.closed_on))
        if named.get(row.id):
            data["hazard_ids"] = [refs.ident("hazard", h) for h in named[row.id]][:200]
        if team.get(row.id):
            data["enforcer_ids"] = [str(i) for i in team[row.id][:20]]
        steps = []
        for step in history.get(row.id, [])[:200]:
            entry: dict[str, Any] = {"stage": step.to_stage, "at": _moment(step.at)}
            _put(entry, "from_stage", step.from_stage)
            _put(entry, "by", _text(step.actor, 128))
            _put(entry, "note", _text(step.note, 2000))
            steps.append(entry)
        if steps:
            data["stage_history"] = steps
        out.append(data)
    return out


def _amount(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _penalties(session: Session, rows: list[Penalty]) -> list[dict[str, Any]]:
    refs = Refs(_docked_ids(session, {"case": {r.case_id for r in rows}}))
    out = []
    for row in rows:
        data: dict[str, Any] = {
            "case_id": refs.ident("case", row.case_id),
            "region_code": row.region_code,
            "kind": row.kind,
        }
        _put(data, "amount", _amount(row.amount))
        _put(data, "basis", _text(row.basis, 2000))
        _put(data, "decision_no", _text(row.decision_no, 64))
        _put(data, "decided_on", _day(row.decided_on))
        _put(data, "served_on", _day(row.served_on))
        _put(data, "due_on", _day(row.due_on))
        _put(data, "paid_amount", _amount(row.paid_amount))
        _put(data, "paid_on", _day(row.paid_on))
        out.append(data)
    return out


# -- 执法文书 ----------------------------------------------------------------------------------------

FileUrl = Callable[[int], str]
# Documents leave once finalized (their stored PDF hashed); drafts stay on the platform.
EXPORTED_DOCUMENTS = ("final", "superseded")


def _documents(session: Session, rows: list[Document], file_url: FileUrl) -> list[dict[str, Any]]:
    """A finalized document as the spec's document: the SHA-256 of its stored PDF and, as the file
    reference, the platform's own download of it (which asks the reader to sign in). A document of
    an order or a finding names the inspection it came from."""
    orders = {r.subject_id for r in rows if r.subject_kind == "rectification" and r.subject_id}
    hazards = {r.subject_id for r in rows if r.subject_kind == "hazard" and r.subject_id}
    inspection_of: dict[tuple[str, int], int] = {}
    for kind, model, ids in (
        ("rectification", RectificationOrder, orders),
        ("hazard", Hazard, hazards),
    ):
        for chunk in batches(sorted(ids)):
            for ident, inspection_id in session.execute(
                _unscoped(select(model.id, model.inspection_id).where(model.id.in_(chunk)))
            ):
                inspection_of[(kind, ident)] = inspection_id
    cases, inspections = set(), set()
    for row in rows:
        if row.subject_kind == "case" and row.subject_id:
            cases.add(row.subject_id)
        elif row.subject_kind == "inspection" and row.subject_id:
            inspections.add(row.subject_id)
        elif (row.subject_kind, row.subject_id) in inspection_of:
            inspections.add(inspection_of[(row.subject_kind, row.subject_id)])
    refs = Refs(_docked_ids(session, {"case": cases, "inspection": inspections}))
    out = []
    for row in rows:
        data: dict[str, Any] = {
            "form": _text(row.form_code, 64) or "document",
            "region_code": row.region_code,
            "sha256": row.sha256,
            "file": {
                "url": file_url(row.id)[:1000],
                "filename": f"{_text(row.number or row.title, 190) or row.id}.pdf",
                "content_type": "application/pdf",
            },
        }
        _put(data, "title", _text(row.title, 300))
        _put(data, "number", _text(row.number, 64))
        _put(data, "enterprise_id", str(row.enterprise_id) if row.enterprise_id else None)
        if row.subject_kind == "case":
            _put(data, "case_id", refs.ident("case", row.subject_id))
        elif row.subject_kind == "inspection":
            _put(data, "inspection_id", refs.ident("inspection", row.subject_id))
        else:
            inspection = inspection_of.get((row.subject_kind, row.subject_id or 0))
            _put(data, "inspection_id", refs.ident("inspection", inspection))
        _put(data, "issued_on", _day(row.finalized_at.date() if row.finalized_at else None))
        out.append(data)
    return out


def _no_build(_session: Session, _rows: list[Any]) -> list[dict[str, Any]]:
    raise TypeError("documents are exported through export(…, file_url=…)")


@dataclass(frozen=True)
class Neighbour:
    """A change of another table that changes a record's export: an audit row of `entity` whose
    entity id is `key`'s value names the record whose local id is `record` (same row)."""

    entity: str
    key: Any
    record: Any


@dataclass(frozen=True)
class LocalType:
    model: type
    build: Callable[[Session, list[Any]], list[dict[str, Any]]]
    neighbours: tuple[Neighbour, ...] = ()

    @property
    def entity(self) -> str:
        return str(self.model.__audit_entity__)  # type: ignore[attr-defined]


# Record type → its table, how a page of its local rows becomes the spec's data, and the changes
# elsewhere that change it: an inspection's task (team, plan) and latest answer set; a plan's tasks
# (its enterprises); an order's hazards; a case's transitions and linked hazards (a task's and a
# case's team are audited on the task and the case: `__audit_collections__`).
LOCAL: dict[str, LocalType] = {
    "plan": LocalType(Plan, _plans, (Neighbour("task", Task.id, Task.plan_id),)),
    "inspection": LocalType(
        Inspection,
        _inspections,
        (
            Neighbour("task", Inspection.task_id, Inspection.id),
            Neighbour("answer_set", Inspection.answer_set_id, Inspection.id),
        ),
    ),
    "hazard": LocalType(Hazard, _hazards),
    "rectification": LocalType(
        RectificationOrder,
        _rectifications,
        (
            Neighbour("hazard", Hazard.id, Hazard.rectification_order_id),
            # Its re-inspection: the 复查 task's team and 复查意见.
            Neighbour("task", RectificationOrder.recheck_task_id, RectificationOrder.id),
        ),
    ),
    "case": LocalType(
        Case,
        _cases,
        (
            Neighbour("case_transition", CaseTransition.id, CaseTransition.case_id),
            # A hazard linked to the case is marked with it (services/cases.py), audited there.
            Neighbour("hazard", Hazard.id, Hazard.case_id),
        ),
    ),
    "penalty": LocalType(Penalty, _penalties),
    "document": LocalType(Document, _no_build),
}


def _exported(row: Any) -> bool:
    if row.docking_source is not None:
        return False  # it leaves through its docking_record
    if isinstance(row, Document):
        return row.status in EXPORTED_DOCUMENTS and bool(row.sha256)
    return True


def rows(session: Session, record_type: str, ids: list[int]) -> dict[str, Any]:
    """Local id (as text) → the row, for the ids of a page; docked rows (and drafts of documents)
    left out."""
    model = LOCAL[record_type].model
    found: dict[str, Any] = {}
    for chunk in batches(sorted(set(ids))):
        for row in session.scalars(_unscoped(select(model).where(model.id.in_(chunk)))):
            if _exported(row):
                found[str(row.id)] = row
    return found


def export(
    session: Session, record_type: str, rows: list[Any], file_url: FileUrl | None = None
) -> list[dict[str, Any]]:
    """The spec's `data` of each of `rows` (live local rows of `record_type`), in order. Documents
    need `file_url` (the platform's download of a document id, built by the web layer)."""
    if record_type == "document":
        if file_url is None:
            raise ValueError("exporting documents needs the platform's download address")
        return _documents(session, rows, file_url)
    return LOCAL[record_type].build(session, rows)
