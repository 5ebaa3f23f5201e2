"""Demo data of 我的工作台: a plan per pilot city, tasks (some overdue), inspections with answer sets,
hazards (some major, some rectified, some open past their deadline) and rectification orders.

Deterministic for a seed: the plan's 双随机 seed derives from it, dates are fixed in 2026. Idempotent:
a city whose demo plan exists is skipped. Everything goes through the workbench services (plans,
inspections, rectification), acting as the demo inspector and leader, so the demo is what the pages
would have produced; the caller's unit of work commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.acting import Actor, acting_as
from enforcement.demo.tables import PILOT_CITIES
from enforcement.domain import planning
from enforcement.domain.jurisdiction import NATIONAL
from enforcement.models import AnswerSet, Plan
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists, inspections, plans, rectification

YEAR = 2026
APPROVER = "demo_director"  # the bureau head who approves the demo plans
TASKS_PER_PLAN = 6
INSPECTED_PER_PLAN = 3


@contextmanager
def _acting(username: str) -> Iterator[None]:
    with acting_as(Actor(username, NATIONAL)):
        yield


def _answers(entry: ChecklistEntry, facts: dict[str, Any], fail: int) -> dict[str, Any]:
    """Every item answered; the first `fail` items that can be non-compliant are, with a description."""
    answers: dict[str, Any] = {}
    failing = 0
    for item in entry.declaration["items"]:
        options = item["answer"].get("enum") or [True]
        bad = "non_compliant" in options and failing < fail
        failing += int(bad)
        value = "non_compliant" if bad else options[0]
        unit = {"answer": value}
        if bad:
            unit["defect"] = "现场检查发现该项不符合要求，需整改"
        repeat = item.get("repeat")
        if repeat:
            pieces = [
                e for e in facts["equipment"] if e["equipment_type"] == repeat["equipment_type"]
            ]
            answers[item["id"]] = [{"equipment_id": e["id"], **unit} for e in pieces[:1]] + [
                {"equipment_id": e["id"], "answer": options[0]} for e in pieces[1:]
            ]
        else:
            answers[item["id"]] = unit
    return answers


def _inspect(session: Session, task: Any, plan: Plan, index: int, platform: Platform) -> None:
    inspector = "demo_inspector"
    with _acting(inspector):
        scheme = inspections.compile_scheme(
            session, platform, task, scheduled_on=plan.period_start + dt.timedelta(days=30 + index)
        )
    if not scheme.plugin_ids:
        return
    with _acting("demo_leader"):
        inspections.approve_scheme(session, scheme)
    with _acting(inspector):
        inspection = inspections.start_inspection(session, task)
        inspections.save_inspection(
            session,
            platform,
            inspection,
            version=inspection.version,
            participants=[
                {"name": task.enterprise.principal_name or "企业负责人", "position": "主要负责人"}
            ],
        )
        facts = checklists.enterprise_facts(task.enterprise)
        for plugin_id in scheme.plugin_ids:
            entry = platform.registry.get(plugin_id)
            inspections.save_inspection(
                session,
                platform,
                inspection,
                version=inspection.version,
                plugin_id=plugin_id,
                answers=_answers(entry, facts, fail=1 + index % 2),
            )
        # Demo answers are drafts of whole forms; marked submitted as an inspector would on site.
        for answer_set_id in inspection.answer_set_ids.values():
            answer_set = session.get(AnswerSet, answer_set_id)
            answer_set.status = "submitted"
            answer_set.submitted_at = dt.datetime(YEAR, 3, 1 + index, 10, 0)
        hazards = inspections.finish_inspection(
            session, platform, inspection, version=inspection.version
        )
        if not hazards:
            return
        issued = dt.date(YEAR, 3, 5 + index)
        deadlines = {
            h.id: issued + dt.timedelta(days=30 * (1 + n % 2)) for n, h in enumerate(hazards)
        }
        for hazard in hazards:
            if not hazard.is_major:
                rectification.confirm_measure(session, hazard, "deadline", deadlines[hazard.id])
        order = rectification.issue_rectification_order(
            session, inspection, deadlines=deadlines, issued_on=issued
        )
        if index == 0:  # reported complete, re-inspected: the first hazard rectified
            recheck = rectification.report_completion(
                session, order, on=issued + dt.timedelta(days=20)
            )
            if recheck is not None:
                first = rectification.recheck_hazards(session, recheck)[0]
                rectification.close_hazard(
                    session, first, recheck, on=issued + dt.timedelta(days=25)
                )
        # index 1, 2: left open past their deadlines (overdue; the re-inspection task appears on use)


def load_workbench_demo(session: Session, platform: Platform, seed: int = 2021) -> int:
    """Add the workbench demo (idempotent); returns the number of plans added."""
    added = 0
    for index, city in enumerate(PILOT_CITIES):
        region = f"{city.code}00"
        title = f"{YEAR}年度{city.short}市工贸行业监督检查计划（演示）"
        if session.scalar(select(Plan.id).where(Plan.title == title)) is not None:
            continue
        with _acting("demo_leader"):
            plan = plans.create_plan(
                session,
                title=title,
                year=YEAR,
                kind="annual",
                period_start=dt.date(YEAR, 1, 1),
                period_end=dt.date(YEAR, 12, 31),
                region_code=region,
                rule=planning.SelectionRule(region_code=region, sample_size=TASKS_PER_PLAN),
                seed=seed * 100 + index,
            )
        with _acting(APPROVER):  # 四眼原则: a plan is approved by someone other than its author
            plans.approve_plan(session, plan)
        with _acting("demo_leader"):
            tasks, _ = plans.break_down(session, plan)
        added += 1
        for number, task in enumerate(tasks[:INSPECTED_PER_PLAN]):
            _inspect(session, task, plan, number, platform)
    return added
