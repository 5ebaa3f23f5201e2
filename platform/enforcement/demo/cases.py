"""Demo cases (立案查处): ~20 cases in the pilot cities' counties, in every stage, some overdue.

Deterministic for a seed: counties, enterprises, amounts and dates come from one
`random.Random(seed)` and a fixed anchor date; everything goes through services/cases.py (the
same guards as the pages), so the history is what users would have produced. Idempotent: nothing is
added when demo cases exist. A few open hazards of the workbench demo are escalated to cases. The
caller's unit of work commits; the plugins of `pm` hear of each transition once it has.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pluggy
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.domain.planning import OPEN_HAZARD_STATUSES
from enforcement.domain.workflow import late_payment_surcharge
from enforcement.models import Case, Department, Enforcer, Enterprise, Hazard
from enforcement.services import cases as service
from enforcement.services.calendar import working_calendar

ANCHOR = dt.date(2026, 11, 20)  # the demo's "today": later dates were not yet reached
MARK = "（演示）"
INSPECTOR, LEADER = "demo_inspector", "demo_leader"
# Counties that the integration tests and the demo accounts look at come first.
FIRST_COUNTIES = ("360102", "510104")
# The stage each demo case is driven to (20 cases).
TARGETS: tuple[str, ...] = (
    "investigation", "execution", "filed", "review", "notice", "hearing", "decision", "service",
    "execution", "execution", "closed", "closed_no_penalty", "archived", "archived", "withdrawn",
    "investigation", "investigation", "review", "notice", "filed",
)  # fmt: skip
ORDER = ["filed", "investigation", "review", "notice", "decision", "service", "execution"]
FACTS = (
    "现场检查发现粉尘涉爆除尘系统未按规定设置泄爆、隔爆装置，且未定期清理积尘。",
    "现场检查发现有限空间作业未执行“先通风、再检测、后作业”，未安排监护人员。",
    "现场检查发现铝加工深井铸造区域未设置紧急排放和应急储存设施。",
    "现场检查发现钢铁企业煤气区域未设置固定式一氧化碳监测报警装置。",
    "现场检查发现企业主要负责人未组织制定并实施本单位安全生产教育和培训计划。",
)
BASES = (
    "《安全生产法》第九十九条第（二）项",
    "《安全生产法》第一百零二条",
    "《安全生产法》第九十四条第一款",
    "《安全生产法》第一百零一条第（三）项",
)
FINES = ("8000", "20000", "30000", "45000", "50000", "60000", "80000")


def _unscoped(statement):  # noqa: ANN001, ANN202 - a SQLAlchemy Select
    return statement.execution_options(**{UNSCOPED: True})


def _teams(session: Session) -> dict[str, list[Enforcer]]:
    """Certified enforcers of each county department, two or more."""
    teams: dict[str, list[Enforcer]] = {}
    rows = session.execute(
        _unscoped(
            select(Enforcer, Department.region_code)
            .join(Department, Enforcer.department_id == Department.id)
            .where(Department.level == "county", Enforcer.deleted_at.is_(None))
            .order_by(Enforcer.id)
        )
    ).all()
    for enforcer, region in rows:
        teams.setdefault(region, []).append(enforcer)
    return {region: team for region, team in teams.items() if len(team) >= 2}


def _enterprises(session: Session, regions: list[str]) -> dict[str, list[Enterprise]]:
    out: dict[str, list[Enterprise]] = {}
    for enterprise in session.scalars(
        _unscoped(
            select(Enterprise)
            .where(Enterprise.region_code.in_(regions), Enterprise.deleted_at.is_(None))
            .order_by(Enterprise.id)
        )
    ):
        out.setdefault(enterprise.region_code, []).append(enterprise)
    return out


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def _move(
    session: Session,
    pm: pluggy.PluginManager,
    case: Case,
    action: str,
    day: dt.date,
    note: str = "",
    on: dt.date | None = None,
) -> None:
    approver = action in (
        "notify",
        "notify_hearing",
        "decide",
        "no_penalty",
        "withdraw",
        "enforce",
        "legal_review",
    )
    service.transition(
        session,
        case,
        action,
        note,
        actor=LEADER if approver else INSPECTOR,
        today=day,
        at=_at(day, 15 if approver else 10),
        leader=approver,
        pm=pm,
        on=on,
    )


def _drive(
    session: Session,
    pm: pluggy.PluginManager,
    case: Case,
    target: str,
    rng: random.Random,
    filed: dt.date,
) -> None:
    """Take a freshly filed case along the procedure to `target`, dating each step."""
    if target == "withdrawn":
        _move(
            session,
            pm,
            case,
            "withdraw",
            filed + dt.timedelta(days=3),
            "经核查不属于本机关管辖，撤销立案",
        )
        return
    if target == "filed":
        return
    _move(session, pm, case, "investigate", filed + dt.timedelta(days=1), "询问笔录、现场勘验")
    if target == "investigation":
        return
    fine = Decimal(rng.choice(FINES)) if target != "hearing" else Decimal("60000")
    service.record_penalty(
        session, case, kind="fine", amount=fine, basis=rng.choice(BASES), actor=INSPECTOR
    )
    if rng.random() < 0.3:
        service.record_penalty(
            session, case, kind="warning", basis="《安全生产法》第九十九条", actor=INSPECTOR
        )
    _move(session, pm, case, "submit", filed + dt.timedelta(days=10), "调查终结，证据确凿")
    if target == "review":
        return
    if target == "closed_no_penalty":
        _move(
            session,
            pm,
            case,
            "no_penalty",
            filed + dt.timedelta(days=14),
            "初次违法且危害后果轻微并及时改正（行政处罚法第三十三条）",
        )
        return
    hearing = fine >= Decimal("50000")
    notified = filed + dt.timedelta(days=15)
    _move(session, pm, case, "notify_hearing" if hearing else "notify", notified)
    if target == "notice":
        return
    calendar = working_calendar(session)
    # The party's periods (5 working days) have run, whatever holidays fall in between.
    decided = max(filed + dt.timedelta(days=24), calendar.add_working_days(notified, 6))
    if target == "hearing" or (hearing and rng.random() < 0.5):
        requested = notified + dt.timedelta(days=2)
        _move(session, pm, case, "request_hearing", requested, "当事人书面申请听证")
        if target == "hearing":
            return
        # 第六十四条（二）: noticed 7 working days ahead; 第五十八条: 法制审核 after the hearing.
        held = calendar.add_working_days(requested, 7)
        _move(session, pm, case, "schedule_hearing", requested, on=held)
        _move(session, pm, case, "legal_review", held, "法制审核通过：事实清楚，证据充分")
        decided = max(decided, held + dt.timedelta(days=1))
    number = case.number.replace("应急立", "应急罚")
    service.record_decision(session, case, decision_no=number, decided_on=decided, today=decided)
    _move(session, pm, case, "decide", decided, "经集体讨论决定")
    if target == "decision":
        return
    served = decided + dt.timedelta(days=rng.randint(1, 6))
    service.record_decision(
        session, case, decision_no=number, decided_on=decided, served_on=served, today=served
    )
    _move(session, pm, case, "serve", served, "直接送达，当事人签收")
    if target == "service":
        return
    _move(session, pm, case, "execute", served + dt.timedelta(days=1))
    if target == "execution":
        return  # unpaid: the payment clock runs (overdue when old enough)
    paid_on = served + dt.timedelta(days=rng.randint(3, 20))  # some late: with 加处罚款
    for penalty in case.penalties:
        if penalty.kind == "fine" and penalty.amount is not None:
            owed = penalty.amount + late_payment_surcharge(penalty.amount, penalty.due_on, paid_on)
            service.record_payment(
                session, penalty, paid_amount=owed, paid_on=paid_on, today=paid_on
            )
    _move(session, pm, case, "close", paid_on + dt.timedelta(days=1), "罚款已缴清")
    if target == "archived":
        _move(session, pm, case, "archive", paid_on + dt.timedelta(days=5))


def _filed_on(target: str, index: int, rng: random.Random) -> dt.date:
    if target in ("filed", "investigation", "review"):
        days = rng.randint(5, 120)  # some beyond the 90-day decision limit: overdue
    else:
        days = rng.randint(60, 280)
    if index in (3, 12):  # two cases filed under 15号令 (before 2026-02-01)
        return dt.date(2026, 1, 5) + dt.timedelta(days=index)
    return ANCHOR - dt.timedelta(days=days)


def _escalate(session: Session, teams: dict[str, list[Enforcer]]) -> int:
    """Escalate a few open, overdue workbench hazards (if the workbench demo made any)."""
    hazards = session.scalars(
        _unscoped(
            select(Hazard)
            .where(
                Hazard.status.in_(list(OPEN_HAZARD_STATUSES)),
                Hazard.deadline.is_not(None),
                Hazard.deadline < ANCHOR,
            )
            .order_by(Hazard.id)
        )
    ).all()
    done, used = 0, set()
    for hazard in hazards:
        if done >= 2 or hazard.enterprise_id in used or hazard.region_code not in teams:
            continue
        used.add(hazard.enterprise_id)
        service.escalate_hazards(
            session,
            [hazard],
            teams[hazard.region_code][:2],
            f"复查发现逾期未整改{MARK}",
            actor=INSPECTOR,
            today=max(hazard.deadline, ANCHOR - dt.timedelta(days=3)),
        )
        done += 1
    return done


def load_case_demo(session: Session, pm: pluggy.PluginManager, seed: int = 2021) -> int:
    """Add the demo cases (idempotent); returns how many were added."""
    exists = session.scalar(
        _unscoped(select(func.count()).select_from(Case).where(Case.title.like(f"%{MARK}")))
    )
    if exists:
        return 0
    rng = random.Random(seed * 7 + 4)
    teams = _teams(session)
    if not teams:
        return 0
    counties = [c for c in FIRST_COUNTIES if c in teams]
    others = sorted(c for c in teams if c not in counties)
    counties += rng.sample(others, k=min(len(others), len(TARGETS)))
    enterprises = _enterprises(session, counties)
    counties = [c for c in counties if enterprises.get(c)]
    added = 0
    for index, target in enumerate(TARGETS):
        county = counties[index % len(counties)] if index >= 4 else counties[index % 2]
        enterprise = enterprises[county][rng.randrange(len(enterprises[county]))]
        filed = _filed_on(target, index, rng)
        case = service.open_case(
            session,
            enterprise,
            teams[county][:2],
            source=rng.choice(["inspection", "hazard", "complaint"]),
            facts=rng.choice(FACTS),
            discovered_on=filed - dt.timedelta(days=2),
            evidence_taken_on=filed - dt.timedelta(days=2) if index % 3 == 0 else None,
            filed_on=filed,
            title=f"{enterprise.name}涉嫌安全生产违法案{MARK}",
            actor=INSPECTOR,
            at=_at(filed, 9),
        )
        _drive(session, pm, case, target, rng, filed)
        added += 1
    added += _escalate(session, teams)
    return added
