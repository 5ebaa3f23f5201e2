"""Plain factory functions: new records made through the services, as the people who make them.

Each takes the session first and returns the saved record. The people acting are the demo's:
the city leader `nanchang` plans and approves, the inspector `donghu` compiles schemes and inspects,
the system creates enterprises and tasks (they are base data and dispatch, not under test here).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from enforcement.db.acting import Actor, acting_as
from enforcement.db.scoping import UNSCOPED
from enforcement.domain import planning
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.domain.uscc import make_uscc
from enforcement.models import (
    Case,
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Hazard,
    Inspection,
    Plan,
    Task,
)
from support.answers import file_ref, holds, valid_value
from support.demo import DEMO_PASSWORD, DONGHU, INSPECTOR, LEADER, NANCHANG, enforcers_in

CONFINED_SPACE = "confined_space"  # the built-in 有限空间 checklist: four items, one per space
_serial = itertools.count(1)


@contextmanager
def acting(username: str | None, region_code: str | None) -> Iterator[None]:
    """Run as a user whose jurisdiction is region_code (None: the whole country)."""
    with acting_as(Actor(username, Jurisdiction(region_code))):
        yield


def as_system() -> Any:
    return acting("system", None)


def as_leader() -> Any:
    return acting(LEADER, NANCHANG)


def as_inspector() -> Any:
    return acting(INSPECTOR, DONGHU)


def new_uscc(region_code: str) -> str:
    """A valid 统一社会信用代码 of the region, unique in the test process."""
    return make_uscc("9", "1", region_code, f"T{next(_serial):07d}")


def enterprise(
    session: Any,
    region_code: str = DONGHU,
    name: str | None = None,
    *,
    tags: Sequence[str] = (),
    **extra: Any,
) -> Enterprise:
    made = Enterprise(
        name=name or f"测试企业{next(_serial)}有限公司",
        uscc=new_uscc(region_code),
        region_code=region_code,
        sector=extra.pop("sector", "machinery"),
        address=extra.pop("address", "测试路1号"),
        **extra,
    )
    made.tags = list(tags)
    session.add(made)
    session.commit()
    return made


def equipment(
    session: Any,
    owner: Enterprise,
    name: str = "测试污水井",
    equipment_type: str = CONFINED_SPACE,
) -> Equipment:
    made = Equipment(enterprise_id=owner.id, equipment_type=equipment_type, name=name)
    session.add(made)
    session.commit()
    return made


def confined_enterprise(session: Any, region_code: str = DONGHU) -> tuple[Enterprise, list[int]]:
    """An enterprise tagged 有限空间 with two confined spaces (污水井1, 污水井2): (it, their ids)."""
    made = enterprise(session, region_code, tags=[CONFINED_SPACE])
    pieces = [equipment(session, made, f"污水井{n}") for n in (1, 2)]
    return made, [p.id for p in pieces]


def plan(
    session: Any,
    *,
    title: str = "2026年度东湖区有限空间专项检查计划",
    region_code: str = DONGHU,
    item_set_ids: Sequence[str] = (CONFINED_SPACE,),
    rule: planning.SelectionRule | None = None,
    seed: int | None = 20260101,
    approve: bool = True,
) -> Plan:
    """A 2026 special plan of the leader, approved unless approve=False."""
    from enforcement.services import plans

    with as_leader():
        made = plans.create_plan(
            session,
            title=title,
            year=2026,
            kind="special",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            region_code=region_code,
            item_set_ids=list(item_set_ids),
            rule=rule,
            seed=seed,
        )
    if approve:
        with acting("jiangxi", "360000"):  # 四眼原则: approved by a leader other than its author
            plans.approve_plan(session, made)
    return made


def task(
    session: Any,
    target: Enterprise,
    *,
    enforcers: Sequence[Enforcer] | None = None,
    due_on: dt.date = dt.date(2026, 12, 20),
    in_plan: Plan | None = None,
) -> Task:
    """A task for the enterprise; the team defaults to the first two 执法人员 of its county."""
    from enforcement.services import plans

    with as_system():
        team = (
            list(enforcers)
            if enforcers is not None
            else enforcers_in(session, target.region_code)[:2]
        )
        return plans.create_task(
            session, enterprise=target, enforcers=team, due_on=due_on, plan=in_plan
        )


def inspection(
    session: Any, platform: Any, of_task: Task, *, plugin_ids: Sequence[str] | None = None
) -> Inspection:
    """The task's scheme compiled by the inspector and approved by the leader; the inspection begun."""
    from enforcement.services import inspections

    with as_inspector():
        scheme = inspections.compile_scheme(
            session, platform, of_task, plugin_ids=list(plugin_ids) if plugin_ids else None
        )
    with as_leader():
        inspections.approve_scheme(session, scheme)
    with as_inspector():
        return inspections.start_inspection(session, of_task, latitude=28.68, longitude=115.9)


def answers_for(
    declaration: dict[str, Any],
    equipment_ids: list[int],
    failing: dict[str, set[int | None]],
    given: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A complete submission: everything compliant except the (item, equipment) pairs in `failing`;
    a failing item's follow-ups are drawn at random unless `given[item_id]` names them."""
    rng = random.Random(7)

    def entry(item: dict[str, Any], equipment_id: int | None) -> dict[str, Any]:
        out: dict[str, Any] = {} if equipment_id is None else {"equipment_id": equipment_id}
        if equipment_id not in failing.get(item["id"], set()):
            out["answer"] = "compliant"
            return out
        out["answer"] = "non_compliant"
        for follow_up in item.get("follow_ups", []):
            if holds(follow_up["when"], "non_compliant"):
                out[follow_up["id"]] = valid_value(follow_up["answer"], rng)
        asked = {f["id"] for f in item.get("follow_ups", [])}  # an earlier version may ask less
        out.update((k, v) for k, v in (given or {}).get(item["id"], {}).items() if k in asked)
        evidence: dict[str, list[str]] = {}
        for rule in item.get("evidence", []):
            if rule["min"]:
                evidence.setdefault(rule["kind"], []).extend(
                    file_ref(rng) for _ in range(rule["min"])
                )
        out["evidence"] = evidence
        return out

    answers: dict[str, Any] = {}
    for item in declaration["items"]:
        if "repeat" in item:
            answers[item["id"]] = [entry(item, i) for i in equipment_ids]
        else:
            answers[item["id"]] = entry(item, None)
    return answers


# A 重大事故隐患 under 10号令 第十三条（二）, and a sign missing where poisoning is a risk (not major alone).
MAJOR_YX01 = {
    "confined_space.yx01": {"problems": ["作业方案未经审批擅自作业"], "toxic_risk": True},
    "confined_space.yx02": {"problem_type": "未设置安全警示标志", "toxic_risk": True},
}


@dataclass(frozen=True)
class Walk:
    """The ids of a plan walked to a finished inspection with two hazards."""

    plan_id: int
    task_id: int
    scheme_id: int
    inspection_id: int
    hazard_ids: list[int]
    enterprise_id: int
    pieces: list[int]  # the enterprise's two confined spaces


def hazards(session: Any, platform: Any, region_code: str = DONGHU) -> Walk:
    """Plan → task → scheme → inspection on a new 有限空间 enterprise, finished with two hazards.

    YX-01 fails (a major hazard, the whole enterprise: an operation without approval where poisoning
    is a risk, 10号令 第十三条（二）), YX-02 fails for the first confined space (a general hazard:
    第十三条（一） needs YX-04 to fail too).
    """
    from enforcement.services import inspections, plans

    with as_system():
        target, pieces = confined_enterprise(session, region_code)
    made_plan = plan(
        session, region_code=region_code, rule=planning.SelectionRule(tags=(CONFINED_SPACE,))
    )
    with as_leader():
        tasks, _ = plans.break_down(session, made_plan)
    made_task = next(t for t in tasks if t.enterprise_id == target.id)
    begun = inspection(session, platform, made_task)
    with as_inspector():
        inspections.save_inspection(
            session,
            platform,
            begun,
            version=begun.version,
            participants=[{"name": "王安全", "position": "安全部长"}],
        )
        declaration = platform.registry.get(CONFINED_SPACE).declaration
        failing = {"confined_space.yx01": {None}, "confined_space.yx02": {pieces[0]}}
        outcome = inspections.save_inspection(
            session,
            platform,
            begun,
            version=begun.version,
            plugin_id=CONFINED_SPACE,
            answers=answers_for(declaration, pieces, failing, MAJOR_YX01),
            submit=True,
        )
        assert outcome.errors == []
        found: list[Hazard] = inspections.finish_inspection(
            session, platform, begun, version=begun.version
        )
    scheme = inspections.scheme_of(session, made_task)
    return Walk(
        plan_id=made_plan.id,
        task_id=made_task.id,
        scheme_id=scheme.id,
        inspection_id=begun.id,
        hazard_ids=[h.id for h in found],
        enterprise_id=target.id,
        pieces=pieces,
    )


def order(session: Any, walk: Walk, *, deadline: dt.date, issued_on: dt.date | None = None) -> Any:
    """The walk's hazards all to be rectified by `deadline`, on one 责令限期整改指令书 issued on
    `issued_on` (default today): the order."""
    from enforcement.models import Inspection
    from enforcement.services import rectification

    for hazard_id in walk.hazard_ids:
        rectification.confirm_measure(session, session.get(Hazard, hazard_id), "deadline", deadline)
    return rectification.issue_rectification_order(
        session, session.get(Inspection, walk.inspection_id), issued_on=issued_on
    )


def case(
    session: Any,
    region_code: str = DONGHU,
    *,
    target: Enterprise | None = None,
    enforcers: Sequence[Enforcer] | None = None,
    filed_on: dt.date = dt.date(2026, 3, 2),
    facts: str = "现场检查发现除尘系统未设置泄爆装置，积尘未清理。",
    actor: str = INSPECTOR,
) -> Case:
    """A case filed on a new enterprise (evidence taken the day before), by `actor`."""
    from enforcement.services import cases

    target = target or enterprise(session, region_code)
    team = list(enforcers) if enforcers is not None else enforcers_in(session, region_code)[:2]
    return cases.open_case(
        session,
        target,
        team,
        source="inspection",
        facts=facts,
        discovered_on=filed_on - dt.timedelta(days=1),
        evidence_taken_on=filed_on - dt.timedelta(days=1),
        filed_on=filed_on,
        actor=actor,
    )


def account_of(app: Any, username: str, region_code: str, role: str = "leader") -> None:
    """An account with `role` in the demo department of exactly `region_code`, created once."""
    with app.app_context():
        session = app.appbuilder.session
        sm = app.appbuilder.sm
        if sm.find_user(username=username) is not None:
            return
        department = session.scalars(
            select(Department)
            .where(Department.region_code == region_code)
            .execution_options(**{UNSCOPED: True})
        ).first()
        assert department is not None, region_code
        user = sm.add_user(
            username,
            username,
            "",
            f"{username}@example.invalid",
            sm.find_role(role),
            DEMO_PASSWORD,
        )
        user.department_id = department.id
        session.commit()
