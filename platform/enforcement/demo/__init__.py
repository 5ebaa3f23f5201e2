"""Demo data set for the five pilot cities of 应急厅函〔2021〕259号 (南昌、成都、贵阳、铜川、银川).

`load_demo` adds, as one unit of work, the base data (`base_data.py`: departments, enforcers,
enterprises, equipment, logins), the workbench demo (`workbench.py`: plans, tasks, inspections,
hazards, rectification orders) and the demo cases (`cases.py`), everything through the services, so
the demo is what the pages would have produced. Reproducible for a seed and idempotent: a second
call adds nothing.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import transaction
from enforcement.demo.base_data import DemoDataError, DemoSummary, load_base_data, plan_demo
from enforcement.demo.cases import load_case_demo
from enforcement.demo.tables import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_USERS,
    GENERIC_BRANDS,
    PILOT_CITIES,
    PROFILES,
    DemoAccount,
    PilotCity,
    SectorProfile,
)
from enforcement.demo.workbench import load_workbench_demo
from enforcement.models import AppUser, Enforcer, task_enforcer
from enforcement.plugins import Platform, get_plugin_manager

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "GENERIC_BRANDS",
    "PILOT_CITIES",
    "PROFILES",
    "DemoAccount",
    "DemoDataError",
    "DemoSummary",
    "PilotCity",
    "SectorProfile",
    "load_demo",
    "plan_demo",
]


def _platform() -> Platform:
    """The app's plugins when there is an app; the built-ins alone for a bare session (tests, scripts)."""
    if has_app_context():
        from enforcement.services.checklists import platform_of

        return platform_of(current_app)
    return get_plugin_manager()


@transaction
def load_demo(
    session: Session, seed: int = 2021, *, platform: Platform | None = None
) -> DemoSummary:
    """Add the demo data set of the five pilot cities (idempotent); returns the base data added.

    `platform`: the checklists inspected and the plugins told of each case transition (default: the
    app's, or the built-ins without an app)."""
    summary = load_base_data(session, seed)
    platform = platform or _platform()
    load_workbench_demo(session, platform, seed)
    load_case_demo(session, platform.pm, seed)
    _link_users_to_enforcers(session)
    return summary


def _link_users_to_enforcers(session: Session) -> None:
    """Each demo login with a department acts as that department's busiest inspector, so that
    我的工作提醒 shows real work when the account is tried (idempotent)."""
    busiest: dict[int, int] = {}  # department id → enforcer id
    rows = session.execute(
        select(Enforcer.department_id, Enforcer.id, func.count(task_enforcer.c.task_id))
        .outerjoin(task_enforcer, task_enforcer.c.enforcer_id == Enforcer.id)
        .group_by(Enforcer.department_id, Enforcer.id)
        .order_by(Enforcer.department_id, func.count(task_enforcer.c.task_id).desc(), Enforcer.id)
        .execution_options(**{UNSCOPED: True})
    )
    for department_id, enforcer_id, _ in rows:
        busiest.setdefault(department_id, enforcer_id)
    taken = set(
        session.scalars(select(AppUser.enforcer_id).where(AppUser.enforcer_id.is_not(None)))
    )
    for user in session.scalars(select(AppUser).where(AppUser.enforcer_id.is_(None))):
        enforcer_id = busiest.get(user.department_id) if user.department_id else None
        role_names = {role.name for role in user.roles}
        if enforcer_id and enforcer_id not in taken and role_names & {"inspector", "leader"}:
            user.enforcer_id = enforcer_id
            taken.add(enforcer_id)
