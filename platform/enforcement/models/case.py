"""立案查处: cases, their append-only stage history, penalties; links to enforcers and hazards.

A case's `stage` is written by `services/cases.py` only (the domain table decides). `version` is an
optimistic lock (SQLAlchemy `version_id_col`): two people moving the same case cannot both win.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from enforcement.db.policies import Audited, RegionScoped, SoftDeleted
from enforcement.db.scoping import UNSCOPED
from enforcement.domain import workflow
from enforcement.models.base_data import Enforcer, Enterprise, _now
from enforcement.models.docking import Docked

case_enforcer = Table(
    "case_enforcer",
    Model.metadata,
    Column("case_id", ForeignKey("case.id", ondelete="CASCADE"), primary_key=True),
    Column("enforcer_id", ForeignKey("enforcer.id"), primary_key=True, index=True),
)

case_hazard = Table(
    "case_hazard",
    Model.metadata,
    Column("case_id", ForeignKey("case.id", ondelete="CASCADE"), primary_key=True),
    Column("hazard_id", ForeignKey("hazard.id"), primary_key=True, index=True),
)

CASE_SOURCES: dict[str, str] = {
    "hazard": "检查发现隐患",
    "inspection": "现场检查",
    "complaint": "投诉举报",
    "referral": "上级交办/移送",
    "accident": "事故调查",
    "other": "其他",
}


class Case(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """One 行政处罚 case (一般程序) against an enterprise (单位) or a person in it (个人)."""

    __audit_entity__ = "case"
    # A new team is a change of the case (and of its export: services/docking).
    __audit_collections__ = {"enforcers": ("enforcers", "id")}
    __tablename__ = "case"
    __table_args__ = (Index("ix_case_region_stage", "region_code", "stage"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    # Copied from the enterprise: the one indexed column jurisdiction scoping filters on.
    region_code: Mapped[str] = mapped_column(String(6), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False, default="filed")
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="inspection")
    facts: Mapped[str] = mapped_column(Text, nullable=False, default="")
    party_kind: Mapped[str] = mapped_column(String(12), nullable=False, default="unit")
    party_name: Mapped[str | None] = mapped_column(String(100))
    discovered_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    evidence_taken_on: Mapped[dt.date | None] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_offered: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hearing_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    court_enforcement_on: Mapped[dt.date | None] = mapped_column(Date)
    # Issue 10 (legal-review.md findings 1–5): the steps the law requires, each recorded.
    procedure: Mapped[str] = mapped_column(String(12), nullable=False, default="general")
    legal_review_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    legal_reviewed_on: Mapped[dt.date | None] = mapped_column(Date)
    collective_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    collective_discussed_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_noticed_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_on: Mapped[dt.date | None] = mapped_column(Date)
    # The penalties as first told to the party (JSON [{kind, amount}]): 第四十五条 compares with it.
    notified_penalties: Mapped[str | None] = mapped_column(Text)
    reminder_served_on: Mapped[dt.date | None] = mapped_column(Date)
    deferred_until: Mapped[dt.date | None] = mapped_column(Date)
    transferred_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    archived_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    enforcers: Mapped[list[Enforcer]] = relationship(
        secondary=case_enforcer, order_by="Enforcer.id", lazy="selectin"
    )
    transitions: Mapped[list[CaseTransition]] = relationship(
        back_populates="case", order_by="CaseTransition.id"
    )
    penalties: Mapped[list[Penalty]] = relationship(
        back_populates="case", order_by="Penalty.id", lazy="selectin"
    )

    @property
    def stage_label(self) -> str:
        return workflow.STAGE_LABELS[workflow.Stage(self.stage)]

    @property
    def source_label(self) -> str:
        return CASE_SOURCES.get(self.source, self.source)

    @property
    def party_kind_label(self) -> str:
        return workflow.PARTY_KINDS.get(self.party_kind, self.party_kind)

    @property
    def enterprise_name(self) -> str:
        return self.enterprise.name if self.enterprise is not None else ""

    @property
    def team(self) -> list[Enforcer]:
        """The whole team, also members a county user cannot list (the city's inspector on a joint
        team): the scoped `enforcers` would drop them, and the two-inspector guard with them."""
        session = object_session(self)
        if session is None or self.id is None:
            return list(self.enforcers)
        return list(
            session.scalars(
                select(Enforcer)
                .join(case_enforcer, case_enforcer.c.enforcer_id == Enforcer.id)
                .where(case_enforcer.c.case_id == self.id)
                .order_by(Enforcer.id)
                .execution_options(**{UNSCOPED: True})
            )
        )

    @property
    def inspectors_label(self) -> str:
        return "、".join(e.name for e in self.team)

    @property
    def fine_total(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.penalties if p.kind == "fine"), Decimal(0))

    @property
    def rule_set(self) -> str:
        return workflow.rule_set_for(self.filed_on).name

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseTransition(Docked, RegionScoped, Audited, Model):
    """One recorded move of a case: who, when, from which stage by which action to which, why."""

    __audit_entity__ = "case_transition"
    __tablename__ = "case_transition"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), nullable=False, index=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    from_stage: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    to_stage: Mapped[str] = mapped_column(String(16), nullable=False)
    actor: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_now)
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="transitions")

    @property
    def action_label(self) -> str:
        if self.action == "open":
            return "立案"
        if self.action == "docked":  # a stage the source system recorded (services/docking)
            return "对接记录"
        return workflow.ACTION_LABELS.get(self.action, self.action)

    @property
    def from_label(self) -> str:
        return workflow.STAGE_LABELS[workflow.Stage(self.from_stage)] if self.from_stage else "—"

    @property
    def to_label(self) -> str:
        return workflow.STAGE_LABELS[workflow.Stage(self.to_stage)]

    def __str__(self) -> str:
        return f"{self.from_label} → {self.to_label}（{self.action_label}）"


class Penalty(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """行政处罚: kind, amount, basis; then the decision (文号, date), service, due date and payment."""

    __audit_entity__ = "penalty"
    __tablename__ = "penalty"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), nullable=False, index=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    basis: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decision_no: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    served_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    surcharge: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    case: Mapped[Case] = relationship(back_populates="penalties")

    @property
    def kind_label(self) -> str:
        return workflow.PENALTY_KIND_LABELS.get(self.kind, self.kind)

    def __str__(self) -> str:
        amount = f" {self.amount}元" if self.amount is not None else ""
        return f"{self.kind_label}{amount}"


@event.listens_for(CaseTransition, "before_update")
@event.listens_for(CaseTransition, "before_delete")
def _append_only(_mapper: object, _connection: object, target: CaseTransition) -> None:
    raise PermissionError(f"案件流转记录只能追加，不能修改或删除（#{target.id}）")
