"""问题隐患 and 整改复查: the inspector confirms each hazard's measure, issues the 责令限期整改指令书 for
the open ones, and the re-inspection task follows the deadline or the enterprise's completion report;
the re-inspection closes each hazard as rectified, or leaves it open for 立案查处 (services/cases.py).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import transaction, unit_of_work
from enforcement.domain import planning
from enforcement.models import Enforcer, Hazard, Inspection, RectificationOrder, Task, task_enforcer
from enforcement.services.plans import new_task
from enforcement.services.workbench import (
    ConflictError,
    WorkbenchError,
    acting_username,
    require,
)

# 整改复查: the re-inspection follows within 10 days of the deadline or of the completion report
# (安全生产违法行为行政处罚办法/15号令 整改复查条款, as summarised in research.md §4; confidence medium).
RECHECK_WITHIN_DAYS = 10


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
    require(reasons)
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
    require(
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
        issued_by=acting_username(),
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
    if order.docking_source:
        raise WorkbenchError(f"该整改指令书为{order.docking_source_label}数据，在本平台只读")
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
    if order.docking_source:
        return None  # the source system re-inspects; its re-inspections arrive with the order
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
    task = new_task(
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
        RectificationOrder.docking_source.is_(None),
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
    if hazard.docking_source or task.docking_source:
        reasons.append("对接数据在本平台只读：复查结果由来源系统对接")
    on = on or dt.date.today()
    if order is not None and on < order.issued_on:
        reasons.append(f"复查日期不能早于整改指令书的签发日期（{order.issued_on.isoformat()}）")
    if on > dt.date.today():
        reasons.append("复查日期不能晚于今天")
    require(reasons)
    if rectified:
        hazard.status = "rectified"
        hazard.rectified_on = on
    else:
        hazard.status = "open"  # 逾期未整改：留待立案查处 (services/cases.escalate_hazards)
    hazard.verified_by_task_id = task.id
    hazard.verified_on = on
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


# 复查意见: as long as a docked re-inspection's (the docking spec's `note`).
RECHECK_OPINION_MAX = 2000


@transaction
def record_recheck_opinion(
    session: Session, task: Task, opinion: str, *, loaded: str | None = None
) -> Task:
    """The re-inspection's 复查意见 (audited on the task: who, when, what it said before).
    `loaded`: the opinion as the form showed it; saved over by someone since, the new one is
    refused (ConflictError) rather than written over theirs."""
    # A form sends its line breaks as CRLF: kept, and compared, as LF.
    opinion = _lines(opinion)
    if loaded is not None:
        # Read again under the row's lock (SQLite: the unit's write lock), so that two saves at
        # once see each other: the second finds the first's opinion, not the one it loaded.
        session.refresh(task, ["note"], with_for_update=True)
    if loaded is not None and _lines(loaded) != _lines(task.note):
        raise ConflictError(
            "复查意见已被其他人修改，为避免覆盖未予保存：请查看上方当前的复查意见，"
            "再将您的内容合并后保存"
        )
    reasons = []
    if task.kind != "recheck":
        reasons.append("只有复查任务有复查意见")
    if task.docking_source:
        reasons.append("对接数据在本平台只读：复查意见由来源系统对接")
    if len(opinion) > RECHECK_OPINION_MAX:
        reasons.append(f"复查意见不能超过{RECHECK_OPINION_MAX}字（现有{len(opinion)}字）")
    require(reasons)
    task.note = opinion or None
    return task


def _lines(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()
