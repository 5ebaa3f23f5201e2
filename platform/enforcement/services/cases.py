"""立案查处 use cases: the ONLY code that changes a case's stage.

Each function validates (the domain table in `domain/workflow/` decides), acts as one unit of work
(db/unit_of_work.py: the outermost call commits, a call inside another unit joins it), and raises
`CaseError` (Chinese reasons, with the field they belong to) when refused. A stale `version` (someone
else moved or edited the case since the page was loaded) raises `StaleCase`. Once a transition is
committed the pluggy hook `case_transitioned` is called; a failing plugin is logged and reported
(`take_failures`), the transition stays saved.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, ParamSpec, TypeVar

import pluggy
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import after_commit, unit_of_work
from enforcement.domain import workflow
from enforcement.domain.errors import Conflict, FieldError, Refused
from enforcement.domain.values import as_int64
from enforcement.domain.workflow import CaseFacts, Stage
from enforcement.domain.workflow import IllegalTransition as IllegalTransition  # what a move raises
from enforcement.models import (
    AppUser,
    Case,
    CaseTransition,
    Enforcer,
    Enterprise,
    Hazard,
    Penalty,
    case_hazard,
)
from enforcement.models.case import CASE_SOURCES
from enforcement.services import numbering
from enforcement.services.case_facts import _penalty_facts as _penalty_facts_of
from enforcement.services.case_facts import case_deadlines as case_deadlines
from enforcement.services.case_facts import case_facts as case_facts
from enforcement.services.case_facts import notified_snapshot, payment_due

# Which record may be changed in which stage (after 告知 the proposal is frozen: the party was told it).
PROPOSAL_STAGES = {Stage.FILED, Stage.INVESTIGATION, Stage.REVIEW}
DECISION_STAGES = {Stage.NOTICE, Stage.HEARING, Stage.DECISION}
SERVICE_STAGES = {Stage.DECISION, Stage.SERVICE}
PAYMENT_STAGES = {Stage.SERVICE, Stage.EXECUTION}
LEADER_ROLES = {"leader", "admin"}

P = ParamSpec("P")
R = TypeVar("R")


class CaseError(Refused):
    """A refused case operation: a Chinese message at `field` ("" for the case as a whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__([FieldError(f"/{field}" if field else "", message)])
        self.message = message
        self.field = field


class StaleCase(CaseError, Conflict):
    """The case changed since the caller read it (optimistic lock): 409."""


def _username(actor: str | None) -> str | None:
    return actor if actor is not None else current_actor().username


def is_leader(session: Session, username: str | None) -> bool:
    """Leaders (负责人) and admins approve; the CLI / demo loader acts as the system."""
    if username in (None, "system"):
        return username == "system"
    user = session.scalar(select(AppUser).where(AppUser.username == username))
    return user is not None and any(role.name in LEADER_ROLES for role in user.roles)


def allowed_actions(
    session: Session, case: Case, username: str | None = None, today: dt.date | None = None
) -> list[workflow.Transition]:
    if case.docking_source:  # handled in the source system: read-only here (_touch)
        return []
    facts = case_facts(case, today=today, actor_is_leader=is_leader(session, _username(username)))
    return workflow.allowed_actions(case.stage, facts)


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and as_int64(expected_version) != case.version:
        raise StaleCase(
            f"该案件已被他人修改（当前版本 {case.version}，您看到的是版本 {expected_version}），"
            "请刷新页面后重试",
            "version",
        )


def _case_transaction(fn: Callable[P, R]) -> Callable[P, R]:
    """A unit of work whose lost optimistic lock is a `StaleCase`: the flush at the end runs the
    version check inside whichever unit the call is part of, the commit (when outermost) after it."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session: Session = args[0]  # type: ignore[assignment]
        try:
            with unit_of_work(session):
                result = fn(*args, **kwargs)
                session.flush()
                return result
        except StaleDataError:
            raise StaleCase(
                "该案件刚被他人修改，您的操作未保存，请刷新页面后重试", "version"
            ) from None

    return wrapper


def _refuse_docked(case: Case) -> None:
    if case.docking_source:
        # Its procedure was recorded by a provincial system and stored as recorded (services/
        # docking/workflow.py), not through this platform's guards: it is not moved on here.
        raise CaseError(f"该案件来自{case.docking_source_label}，由来源系统办理，此处只能查看")


def _touch(case: Case, actor: str | None) -> None:
    _refuse_docked(case)
    # Every write goes through the case row, so its version guards penalties and payments too.
    case.updated_by = actor
    case.updated_at = dt.datetime.now().replace(microsecond=0)


def _distinct_inspectors(inspectors: Iterable[Enforcer]) -> list[Enforcer]:
    seen: dict[int, Enforcer] = {}
    for enforcer in inspectors:
        if enforcer is not None and enforcer.id not in seen:
            seen[enforcer.id] = enforcer
    return list(seen.values())


@_case_transaction
def open_case(
    session: Session,
    enterprise: Enterprise,
    inspectors: Sequence[Enforcer],
    *,
    source: str,
    facts: str,
    hazards: Sequence[Any] = (),
    discovered_on: dt.date,
    evidence_taken_on: dt.date | None = None,
    filed_on: dt.date | None = None,
    title: str | None = None,
    party_kind: str = "unit",
    party_name: str | None = None,
    actor: str | None = None,
    at: dt.datetime | None = None,
    legal_review_required: bool = False,
    collective_required: bool = False,
) -> Case:
    """立案: a new case in stage 立案 with ≥2 certified inspectors, filed within the limit."""
    actor = _username(actor)
    filed_on = filed_on or dt.date.today()
    team = _distinct_inspectors(inspectors)
    if source not in CASE_SOURCES:
        raise CaseError(f"未知的案件来源：{source}", "source")
    if party_kind not in workflow.PARTY_KINDS:
        raise CaseError("当事人类型应为单位或个人", "party_kind")
    if party_kind == "individual" and not (party_name or "").strip():
        raise CaseError("当事人为个人时应填写姓名", "party_name")
    reason = workflow.two_certified_inspectors(
        CaseFacts(
            today=filed_on,
            filed_on=filed_on,
            inspector_certificates=tuple(e.certificate_no or "" for e in team),
        )
    )
    if reason:
        raise CaseError(reason, "inspectors")
    if discovered_on > filed_on:
        raise CaseError("发现日期不能晚于立案日期", "discovered_on")
    reason = workflow.filing_refusal(evidence_taken_on, filed_on)
    if reason:
        raise CaseError(reason, "evidence_taken_on")
    if len((facts or "").strip()) < 4:
        raise CaseError("请填写案情摘要", "facts")
    for hazard in hazards:
        if hazard.enterprise_id != enterprise.id:
            raise CaseError("所选隐患不属于该企业", "hazards")
    number = numbering.draw_case_number(session, enterprise.region_code, actor, filed_on.year)
    if number is None:
        raise CaseError("该企业所在地区没有可以立案的执法部门，请先在基础数据中设立", "enterprise")
    case = Case(
        number=number,
        title=title or f"{enterprise.name}涉嫌安全生产违法案",
        enterprise=enterprise,
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        stage=Stage.FILED.value,
        source=source,
        facts=facts.strip(),
        party_kind=party_kind,
        party_name=(party_name or "").strip() or None,
        discovered_on=discovered_on,
        evidence_taken_on=evidence_taken_on,
        filed_on=filed_on,
        hearing_offered=False,
        extensions=0,
        procedure="general",
        legal_review_required=legal_review_required,
        collective_required=collective_required,
        created_by=actor,
        updated_by=actor,
    )
    case.enforcers = team
    session.add(case)
    session.flush()
    session.add(
        CaseTransition(
            case_id=case.id,
            region_code=case.region_code,
            from_stage=None,
            action="open",
            to_stage=Stage.FILED.value,
            actor=actor,
            at=at or dt.datetime.now().replace(microsecond=0),
            note=f"立案（{case.source_label}）",
        )
    )
    _link_hazards(session, case, hazards)
    return case


def _link_hazards(session: Session, case: Case, hazards: Sequence[Any]) -> None:
    for hazard in hazards:
        session.execute(case_hazard.insert().values(case_id=case.id, hazard_id=hazard.id))
        # The workbench's Hazard has a status and a case_id slot: mark it escalated.
        if hasattr(hazard, "status"):
            hazard.status = "escalated"
        if hasattr(hazard, "case_id"):
            hazard.case_id = case.id


def case_hazards(session: Session, case: Case) -> list[Any]:
    return list(
        session.scalars(
            select(Hazard)
            .join(case_hazard, case_hazard.c.hazard_id == Hazard.id)
            .where(case_hazard.c.case_id == case.id)
            .order_by(Hazard.id)
        )
    )


@_case_transaction
def escalate_hazards(
    session: Session,
    hazards: Sequence[Any],
    inspectors: Sequence[Enforcer],
    note: str,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
) -> Case:
    """立案查处 from unrectified hazards of one enterprise: opens the case, marks them escalated."""
    if not hazards:
        raise CaseError("请选择要立案查处的隐患", "hazards")
    enterprise_ids = {h.enterprise_id for h in hazards}
    if len(enterprise_ids) != 1:
        raise CaseError("一个案件只能针对同一企业的隐患", "hazards")
    already = [h for h in hazards if getattr(h, "status", None) == "escalated"]
    if already:
        raise CaseError(f"隐患已立案查处：{already[0]}", "hazards")
    enterprise = hazards[0].enterprise
    today = today or dt.date.today()
    lines = "；".join(f"{h.title}（{h.illegal_basis or '违法依据待补充'}）" for h in hazards)
    facts = f"{note.strip()}。涉及隐患：{lines}" if note.strip() else f"涉及隐患：{lines}"
    discovered = min(
        (h.created_at.date() for h in hazards if getattr(h, "created_at", None)), default=today
    )
    return open_case(
        session,
        enterprise,
        inspectors,
        source="hazard",
        facts=facts,
        hazards=hazards,
        discovered_on=min(discovered, today),
        filed_on=today,
        actor=actor,
    )


def _plugin_manager(pm: pluggy.PluginManager | None) -> pluggy.PluginManager:
    """The given plugin manager, else the app's: never a silently skipped hook."""
    if pm is not None:
        return pm
    from flask import current_app, has_app_context

    if not has_app_context():
        raise RuntimeError("没有应用上下文时移动案件须传入插件管理器（pm=…）")
    from enforcement.services.checklists import platform_of

    return platform_of(current_app).pm


@_case_transaction
def transition(
    session: Session,
    case: Case,
    action: str,
    note: str = "",
    actor: str | None = None,
    *,
    expected_version: int | None = None,
    today: dt.date | None = None,
    at: dt.datetime | None = None,
    leader: bool | None = None,
    pm: pluggy.PluginManager | None = None,
    on: dt.date | None = None,
) -> CaseTransition:
    """Move the case by `action` if the domain allows it; record who, when, why; once committed,
    call the `case_transitioned` hook of `pm` (default: the app's plugins).

    `leader` overrides the role lookup (the demo loader acts as named demo users without accounts).
    `on` is the date a step records where its row asks for one (听证会日期, 延期缴纳截止日期).
    """
    hook = _plugin_manager(pm).hook
    actor = _username(actor)
    today = today or dt.date.today()
    note = (note or "").strip()
    _refuse_docked(case)
    _check_version(case, expected_version)
    approver = is_leader(session, actor) if leader is None else leader
    facts = case_facts(case, today=today, note=note, actor_is_leader=approver, step_date=on)
    source = Stage(case.stage)
    target = workflow.next_stage(source, action, facts)  # raises IllegalTransition
    _apply_effects(case, action, target, today, on)
    case.stage = target.value
    _touch(case, actor)
    record = CaseTransition(
        case_id=case.id,
        region_code=case.region_code,
        from_stage=source.value,
        action=action,
        to_stage=target.value,
        actor=actor,
        at=at or dt.datetime.now().replace(microsecond=0),
        note=note or None,
    )
    session.add(record)
    after_commit(
        session,
        "case_transitioned",
        functools.partial(
            hook.case_transitioned,
            case=case,
            action=action,
            source=source.value,
            target=target.value,
            actor=actor or "",
        ),
    )
    return record


def _apply_effects(
    case: Case, action: str, target: Stage, today: dt.date, on: dt.date | None = None
) -> None:
    """What an action records on the case besides its stage (dates that start or stop clocks)."""
    if action in ("notify", "notify_hearing"):
        case.notified_on = today
        case.hearing_offered = action == "notify_hearing"
        case.hearing_requested_on = None
        if case.notified_penalties is None:  # the first notice binds (第四十五条)
            case.notified_penalties = notified_snapshot(case)
    elif action == "request_hearing":
        case.hearing_requested_on = today
    elif action == "extend":
        case.extensions = (case.extensions or 0) + 1
    elif action == "enforce":
        case.court_enforcement_on = today
    elif action == "reconsider":
        case.notified_on = None
        case.hearing_offered = False
        case.hearing_requested_on = None
        case.hearing_noticed_on = None
        case.hearing_on = None
    elif action == "require_legal_review":
        case.legal_review_required = True
    elif action == "require_collective":
        case.collective_required = True
    elif action == "legal_review":
        case.legal_reviewed_on = today
    elif action == "collective_discussion":
        case.collective_discussed_on = today
    elif action == "schedule_hearing":
        case.hearing_noticed_on = today
        case.hearing_on = on
    elif action == "onsite_penalty":
        case.procedure = "simple"
    elif action == "serve_reminder":
        case.reminder_served_on = today
    elif action == "defer_payment":
        case.deferred_until = on
    elif action == "transfer":
        case.transferred_on = today
    if target == Stage.CLOSED:
        case.closed_on = today
    elif target == Stage.ARCHIVED:
        case.archived_on = today


def _require_stage(case: Case, stages: set[Stage], what: str) -> None:
    if Stage(case.stage) not in stages:
        allowed = "、".join(s.label for s in workflow.MAIN_LINE if s in stages)
        raise CaseError(f"案件处于“{case.stage_label}”阶段，不能{what}（可在{allowed}阶段办理）")


def _money(value: Any, field: str, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise CaseError("请填写金额", field)
        return None
    try:
        amount = Decimal(str(value)).quantize(workflow.CENT)
    except (InvalidOperation, ValueError):
        raise CaseError("金额格式不正确", field) from None
    if not amount.is_finite():  # Decimal("NaN") quantizes to NaN, and NaN <= 0 raises
        raise CaseError("金额格式不正确", field)
    if amount <= 0:
        raise CaseError("金额应大于0", field)
    if amount >= Decimal("1000000000000"):
        raise CaseError("金额过大", field)
    return amount


@_case_transaction
def record_penalty(
    session: Session,
    case: Case,
    *,
    kind: str,
    amount: Any = None,
    basis: str,
    penalty: Penalty | None = None,
    actor: str | None = None,
    expected_version: int | None = None,
) -> Penalty:
    """Propose (or change) a penalty before the party is notified: kind, amount, legal basis."""
    actor = _username(actor)
    _check_version(case, expected_version)
    _require_stage(case, PROPOSAL_STAGES, "登记或修改拟处罚内容")
    kind_row = workflow.PENALTY_KIND_BY_KEY.get(kind)
    if kind_row is None:
        raise CaseError("请选择处罚种类", "kind")
    value = _money(amount, "amount", required=kind_row.monetary)
    if not kind_row.monetary:
        value = None
    if len((basis or "").strip()) < 4:
        raise CaseError("请填写处罚依据（法律条款）", "basis")
    if penalty is None:
        penalty = Penalty(case_id=case.id, region_code=case.region_code, created_by=actor, basis="")
        case.penalties.append(penalty)
    penalty.kind = kind
    penalty.amount = value
    penalty.basis = basis.strip()
    _touch(case, actor)
    return penalty


@_case_transaction
def remove_penalty(
    session: Session,
    case: Case,
    penalty: Penalty,
    *,
    actor: str | None = None,
    expected_version: int | None = None,
) -> None:
    """A proposal withdrawn before 告知 (the audit log keeps it)."""
    actor = _username(actor)
    _check_version(case, expected_version)
    _require_stage(case, PROPOSAL_STAGES, "撤回拟处罚内容")
    case.penalties.remove(penalty)
    session.delete(penalty)
    _touch(case, actor)


@_case_transaction
def record_decision(
    session: Session,
    case: Case,
    *,
    decision_no: str,
    decided_on: dt.date,
    served_on: dt.date | None = None,
    actor: str | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Case:
    """The 处罚决定书 (one per case): 文号 and date; then its service, which starts the 15 days."""
    actor = _username(actor)
    today = today or dt.date.today()
    _check_version(case, expected_version)
    if not case.penalties:
        raise CaseError("尚未登记处罚内容", "decision_no")
    if served_on is None or Stage(case.stage) in DECISION_STAGES:
        _require_stage(case, DECISION_STAGES | SERVICE_STAGES, "登记处罚决定")
    else:
        _require_stage(case, SERVICE_STAGES, "登记送达")
    if not (decision_no or "").strip():
        raise CaseError("请填写处罚决定书文号", "decision_no")
    if decided_on is None:
        raise CaseError("请填写决定日期", "decided_on")
    if decided_on > today:
        raise CaseError("决定日期不能晚于今天", "decided_on")
    if decided_on < case.filed_on:
        raise CaseError("决定日期不能早于立案日期", "decided_on")
    if served_on is not None:
        if served_on < decided_on:
            raise CaseError("送达日期不能早于决定日期", "served_on")
        if served_on > today:
            raise CaseError("送达日期不能晚于今天", "served_on")
    for penalty in case.penalties:
        penalty.decision_no = decision_no.strip()
        penalty.decided_on = decided_on
        penalty.served_on = served_on
        penalty.due_on = (
            payment_due(session, served_on, case.filed_on)
            if served_on is not None and penalty.kind == "fine"
            else None
        )
    _touch(case, actor)
    return case


@_case_transaction
def record_payment(
    session: Session,
    penalty: Penalty,
    *,
    paid_amount: Any,
    paid_on: dt.date,
    actor: str | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Penalty:
    """罚款缴纳: the amount paid so far and the date; the 加处罚款 owed is computed, capped at the fine."""
    actor = _username(actor)
    today = today or dt.date.today()
    case = penalty.case
    _check_version(case, expected_version)
    _require_stage(case, PAYMENT_STAGES, "登记缴款")
    if penalty.kind != "fine" or penalty.amount is None:
        raise CaseError("只有罚款需要登记缴款", "paid_amount")
    amount = _money(paid_amount, "paid_amount", required=True)
    if paid_on is None:
        raise CaseError("请填写缴款日期", "paid_on")
    if penalty.served_on is not None and paid_on < penalty.served_on:
        raise CaseError("缴款日期不能早于送达日期", "paid_on")
    if paid_on > today:
        raise CaseError("缴款日期不能晚于今天", "paid_on")
    rate = workflow.rule_set_for(case.filed_on).surcharge_rate
    due = workflow.payment_due_on(case_facts(case, today=today), _penalty_facts_of(penalty))
    surcharge = workflow.late_payment_surcharge(penalty.amount, due, paid_on, rate)
    assert amount is not None
    if amount > penalty.amount + surcharge:
        raise CaseError(f"缴款金额超过应缴金额（{penalty.amount + surcharge}元）", "paid_amount")
    penalty.paid_amount = amount
    penalty.paid_on = paid_on
    penalty.surcharge = surcharge
    _touch(case, actor)
    return penalty


@_case_transaction
def update_case_facts(
    session: Session,
    case: Case,
    *,
    facts: str,
    actor: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """The 违法事实及证据 summary, while the case is being investigated."""
    actor = _username(actor)
    _check_version(case, expected_version)
    _require_stage(case, PROPOSAL_STAGES, "修改案情")
    if len((facts or "").strip()) < 4:
        raise CaseError("请填写案情摘要", "facts")
    case.facts = facts.strip()
    _touch(case, actor)
    return case
