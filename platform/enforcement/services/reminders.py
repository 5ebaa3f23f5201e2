"""我的工作提醒: gather the work due — cases' statutory clocks, tasks' due dates, hazards'
rectification deadlines — for one user, and bucket it with `domain/reminders.py`.

Scope: the session is jurisdiction-scoped (db/scoping.py), so a county inspector gets the
county's work and a leader the jurisdiction's. Owners ("mine"): the users acting as one of the
inspectors on the task / case / inspection team (`AppUser.enforcer`), plus whoever created or
moved it; `mine_only` keeps just those. Extension point: a new kind of work item is one more `_<kind>_items` function
added to `COLLECTORS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from enforcement.domain import reminders, workflow
from enforcement.domain.planning import OPEN_HAZARD_STATUSES
from enforcement.models import (
    AppUser,
    Case,
    CaseTransition,
    Hazard,
    Inspection,
    InspectionScheme,
    Plan,
    Task,
)
from enforcement.services.calendar import working_calendar
from enforcement.services.cases import case_facts

OPEN_CASE_STAGES = [
    s.value for s in workflow.Stage if s not in (workflow.Stage.ARCHIVED, workflow.Stage.WITHDRAWN)
]


def _team_users(session: Session) -> dict[int, str]:
    """执法人员 id → the username of the user acting as that inspector."""
    rows = session.execute(
        select(AppUser.enforcer_id, AppUser.username).where(AppUser.enforcer_id.is_not(None))
    )
    return {enforcer_id: username for enforcer_id, username in rows}


def _owners(team_users: dict[int, str], enforcers: Iterable[Any], *others: str | None) -> tuple:
    names = {team_users[e.id] for e in enforcers if e.id in team_users} | set(others)
    return tuple(sorted(name for name in names if name))


def _case_items(
    session: Session, today: dt.date, team_users: dict[int, str]
) -> Iterable[reminders.WorkItem]:
    cases = list(session.scalars(select(Case).where(Case.stage.in_(OPEN_CASE_STAGES))))
    if not cases:
        return []
    actors: dict[int, set[str]] = {}
    for case_id, actor in session.execute(
        select(CaseTransition.case_id, CaseTransition.actor).where(
            CaseTransition.case_id.in_([c.id for c in cases])
        )
    ):
        if actor:
            actors.setdefault(case_id, set()).add(actor)
    items = []
    calendar = working_calendar(session)  # the guards' calendar, read once for all cases
    for case in cases:
        owners = _owners(team_users, case.enforcers, case.created_by, *actors.get(case.id, ()))
        for deadline in workflow.deadlines(case_facts(case, today=today, calendar=calendar), today):
            if not deadline.open:
                continue
            items.append(
                reminders.WorkItem(
                    kind="case",
                    title=f"{case.number} {deadline.name}",
                    due_on=deadline.due_on,
                    owners=owners,
                    url=f"/cases/{case.id}",
                    # The clock's legal source and its confidence stay in domain/workflow (and the
                    # admin's views): an inspector reads what is due, for whom.
                    detail=case.enterprise_name,
                    region_code=case.region_code,
                )
            )
        if case.stage == workflow.Stage.CLOSED.value:
            # 结案 → 归档 has no statutory days; remind a week after closing (practice, not law).
            items.append(
                reminders.WorkItem(
                    kind="case",
                    title=f"{case.number} 立卷归档",
                    due_on=(case.closed_on or today) + dt.timedelta(days=7),
                    owners=owners,
                    url=f"/cases/{case.id}",
                    detail=case.enterprise_name,
                    region_code=case.region_code,
                )
            )
    return items


def _task_items(
    session: Session, today: dt.date, team_users: dict[int, str]
) -> Iterable[reminders.WorkItem]:
    tasks = session.scalars(select(Task).where(Task.status.in_(["pending", "in_progress"])))
    return [
        reminders.WorkItem(
            kind="task",
            title=str(task),
            due_on=task.due_on,
            owners=_owners(team_users, task.enforcers, task.created_by),
            url=f"/task/show/{task.id}",
            detail=task.enforcers_label,
            region_code=task.region_code,
        )
        for task in tasks
    ]


def _hazard_items(
    session: Session, today: dt.date, team_users: dict[int, str]
) -> Iterable[reminders.WorkItem]:
    hazards = session.scalars(
        select(Hazard)
        .where(Hazard.status.in_(list(OPEN_HAZARD_STATUSES)), Hazard.deadline.is_not(None))
        # the team of each hazard's inspection, in two queries instead of two per hazard
        .options(selectinload(Hazard.inspection).joinedload(Inspection.task))
    )
    return [
        reminders.WorkItem(
            kind="hazard",
            title=f"{hazard.title}（{hazard.enterprise.name if hazard.enterprise else ''}）",
            due_on=hazard.deadline,
            owners=_owners(
                team_users, hazard.inspection.task.enforcers if hazard.inspection else ()
            ),
            url=f"/hazard/show/{hazard.id}",
            detail="整改期限届满后10日内复查",
            region_code=hazard.region_code,
        )
        for hazard in hazards
    ]


COLLECTORS: list[Callable[[Session, dt.date, dict[int, str]], Iterable[reminders.WorkItem]]] = [
    _case_items,
    _task_items,
    _hazard_items,
]


def work_items(session: Session, today: dt.date) -> list[reminders.WorkItem]:
    items: list[reminders.WorkItem] = []
    team_users = _team_users(session)
    for collect in COLLECTORS:
        items += list(collect(session, today, team_users))
    return items


def reminders_for(
    session: Session,
    user: Any,
    today: dt.date | None = None,
    *,
    soon_days: int = reminders.DEFAULT_SOON_DAYS,
    mine_only: bool = False,
) -> reminders.Bucketed:
    """The user's work (their jurisdiction's, through the scoped session), bucketed by due date."""
    today = today or dt.date.today()
    items = work_items(session, today)
    username = getattr(user, "username", user)
    if mine_only and username:
        items = reminders.for_owner(items, username)
    return reminders.bucket(items, today, soon_days)


# -- 待审批: what waits for this user's approval (issue 11) -------------------------------------------
# Kinds of approval and who may give them: the web layer passes the kinds the user's permissions
# allow ("plan", "scheme": the WorkbenchView approve permissions; "case": a leader on the case desk).
APPROVAL_KINDS: dict[str, str] = {
    "plan": "监督检查计划",
    "scheme": "现场检查方案",
    "case": "案件审查",
}


@dataclass(frozen=True)
class Approval:
    kind: str
    title: str
    url: str
    author: str  # the author's name and post (never the login)
    since: dt.date
    own: bool  # compiled by the user: shown, but approving it is someone else's (四眼原则)

    @property
    def kind_label(self) -> str:
        return APPROVAL_KINDS.get(self.kind, self.kind)


def people_labels(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """login → "姓名（职务）" for display: the inspector's record where the user acts as one, else
    the account's name; the jobs' login reads 系统, any other login without an account 未登记人员."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    labels = {}
    for user in session.scalars(select(AppUser).where(AppUser.username.in_(wanted))):
        enforcer = user.enforcer
        if enforcer is not None:
            labels[user.username] = (
                f"{enforcer.name}（{enforcer.position}）" if enforcer.position else enforcer.name
            )
        else:
            labels[user.username] = f"{user.last_name or ''}{user.first_name or ''}" or "—"
    return {u: labels.get(u, "系统" if u == "system" else "未登记人员") for u in wanted}


def approval_queue(session: Session, username: str | None, kinds: Iterable[str]) -> list[Approval]:
    """Plans and schemes in draft, cases in 案件审查, within the jurisdiction (the scoped session),
    oldest first; what the user compiled is marked `own` (four-eyes: another person approves)."""
    kinds = set(kinds)
    rows: list[tuple[str, str, str, str | None, dt.datetime | dt.date]] = []
    if "plan" in kinds:
        for plan in session.scalars(select(Plan).where(Plan.status == "draft")):
            rows.append(
                ("plan", plan.title, f"/plan/show/{plan.id}", plan.created_by, plan.created_at)
            )
    if "scheme" in kinds:
        for scheme in session.scalars(
            select(InspectionScheme).where(InspectionScheme.status == "draft")
        ):
            title = f"{scheme.enterprise_name} 现场检查方案"
            rows.append(
                (
                    "scheme",
                    title,
                    f"/scheme/show/{scheme.id}",
                    scheme.compiled_by,
                    scheme.created_at,
                )
            )
    if "case" in kinds:
        for case in session.scalars(select(Case).where(Case.stage == workflow.Stage.REVIEW.value)):
            title = f"{case.number} {case.enterprise_name}"
            rows.append(("case", title, f"/cases/{case.id}", case.created_by, case.updated_at))
    names = people_labels(session, (r[3] for r in rows))
    queue = [
        Approval(
            kind=kind,
            title=title,
            url=url,
            author=names.get(author or "", "—"),
            since=when.date() if isinstance(when, dt.datetime) else when,
            own=bool(username) and author == username,
        )
        for kind, title, url, author, when in rows
    ]
    return sorted(queue, key=lambda a: (a.own, a.since, a.kind, a.title))
