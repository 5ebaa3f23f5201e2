"""监督检查计划 and 专项执法任务: a plan for a region, its 双随机 draw, its break-down into tasks,
and single tasks (inside a plan or not). Rules in domain/planning.py; errors in services/workbench.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.unit_of_work import transaction, unit_of_work
from enforcement.domain import planning
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import AppUser, Department, Enforcer, Enterprise, Plan, Task
from enforcement.services.workbench import (
    WorkbenchError,
    acting_username,
    now,
    require,
    require_jurisdiction,
)

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
    require(
        planning.validate_plan(
            title=title, year=year, kind=kind, start=period_start, end=period_end
        )
    )
    require_jurisdiction(region_code)
    rule = rule or planning.SelectionRule(region_code=region_code)
    if rule.region_code is None:
        rule = planning.SelectionRule(**{**rule.__dict__, "region_code": region_code})
    else:
        require_jurisdiction(rule.region_code)
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
        created_by=acting_username(),
    )
    session.add(plan)
    session.flush()
    return plan


@transaction
def approve_plan(session: Session, plan: Plan) -> Plan:
    if plan.status != "draft":
        raise WorkbenchError("只有草稿状态的计划可以批准")
    refusal = approval_refusal_of(plan.created_by, "监督检查计划")
    if refusal:
        raise WorkbenchError(refusal)
    plan.status = "approved"
    plan.approved_by = acting_username()
    plan.approved_at = now()
    return plan


def four_eyes_required() -> bool:
    """APPROVAL_FOUR_EYES of the running app (True outside one: the safe default)."""
    from flask import current_app, has_app_context

    return bool(current_app.config.get("APPROVAL_FOUR_EYES", True)) if has_app_context() else True


def approval_refusal_of(author: str | None, noun: str, approver: str | None = None) -> str:
    """Why the acting user (or `approver`) may not approve what `author` compiled; "" if they may."""
    approver = approver if approver is not None else acting_username()
    return planning.approval_refusal(author, approver, four_eyes=four_eyes_required(), noun=noun)


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
        task = new_task(
            session,
            enterprise=enterprises[assignment.enterprise_id],
            enforcers=[enforcers[i] for i in assignment.inspector_ids],
            due_on=assignment.due_on,
            plan=plan,
        )
        created.append(task)
    return created, result.unassigned


def new_task(
    session: Session,
    *,
    enterprise: Enterprise,
    enforcers: Sequence[Enforcer],
    due_on: dt.date | None,
    plan: Plan | None = None,
    kind: str = "inspection",
    parent: Task | None = None,
) -> Task:
    """A validated task, inside the caller's unit: for break_down, create_task and re-inspections
    (the plan's status is the caller's to check)."""
    already = plan is not None and any(
        t.enterprise_id == enterprise.id and t.deleted_at is None and t.kind == kind
        for t in plan.tasks
    )
    require(
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
        created_by=acting_username(),
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
    return new_task(session, enterprise=enterprise, enforcers=enforcers, due_on=due_on, plan=plan)


def department_of_actor(session: Session) -> Department | None:
    """The caller's department (for a new plan's default region)."""
    username = acting_username()
    if not username:
        return None
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    return user.department if user is not None else None
