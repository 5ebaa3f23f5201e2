"""我的工作台: plans, tasks, on-site schemes, inspections, hazards, rectification orders.

Every table carries `region_code` (the enterprise's county, or the plan's region) so jurisdiction
scoping is one indexed BETWEEN (RegionScoped, db/policies.py). Statuses are changed by the workbench
services only (services/plans.py, inspections.py, rectification.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship
from sqlalchemy.sql.elements import ColumnElement

from enforcement.db.policies import Audited, RegionScoped, SoftDeleted, ancestor_codes
from enforcement.db.scoping import UNSCOPED
from enforcement.domain import planning
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models.base_data import Department, Enforcer, Enterprise, Equipment, _now
from enforcement.models.checklist import AnswerSet
from enforcement.models.docking import Docked

task_enforcer = Table(
    "task_enforcer",
    Model.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("enforcer_id", ForeignKey("enforcer.id"), primary_key=True, index=True),
)


class Plan(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """监督检查计划: a leader's yearly/quarterly/special plan for their jurisdiction."""

    __audit_entity__ = "plan"

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    period_start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    period_end: Mapped[dt.date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="annual")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft", index=True)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    item_set_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    selection_rule: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    random_seed: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    department: Mapped[Department | None] = relationship(lazy="joined")
    tasks: Mapped[list[Task]] = relationship(back_populates="plan", order_by="Task.due_on")

    @classmethod
    def read_clause(cls, jurisdiction: Jurisdiction) -> ColumnElement[bool]:
        # A plan of a parent region (the city's plan seen from a county) is read by the bureaus
        # under it: its tasks are theirs. Writing a plan still needs its region inside.
        return or_(
            cls.scope_clause(jurisdiction), cls.region_code.in_(ancestor_codes(jurisdiction))
        )

    @property
    def kind_label(self) -> str:
        return planning.label(planning.PLAN_KINDS, self.kind)

    @property
    def status_label(self) -> str:
        return planning.label(planning.PLAN_STATUSES, self.status)

    @property
    def period_label(self) -> str:
        return f"{self.period_start} 至 {self.period_end}"

    @property
    def task_count(self) -> int:
        return len([t for t in self.tasks if t.deleted_at is None])

    def __str__(self) -> str:
        return self.title


class Task(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """执法任务: one enterprise, two or more certified inspectors, a due date; 检查 or 复查."""

    __audit_entity__ = "task"
    # A new team is a change of the task (and of its inspection's export: services/docking).
    __audit_collections__ = {"enforcers": ("enforcers", "id")}

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_region_due", "region_code", "due_on"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    region_code: Mapped[str] = mapped_column(String(6), nullable=False)
    due_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="inspection")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    # 复查意见 of a 复查 task (a docked re-inspection carries one: services/docking/reinspect.py).
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    plan: Mapped[Plan | None] = relationship(back_populates="tasks")
    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    enforcers: Mapped[list[Enforcer]] = relationship(
        secondary=task_enforcer, order_by="Enforcer.id", lazy="selectin"
    )
    parent: Mapped[Task | None] = relationship(remote_side="Task.id")

    @property
    def kind_label(self) -> str:
        return planning.label(planning.TASK_KINDS, self.kind)

    @property
    def status_label(self) -> str:
        return planning.label(planning.TASK_STATUSES, self.status)

    @property
    def team(self) -> list[tuple[str, str]]:
        """(name, 执法证号) of the whole team, also members a county user cannot list (city staff)."""
        session = object_session(self)
        if session is None or self.id is None:
            return [(e.name, e.certificate_no) for e in self.enforcers]
        rows = session.execute(
            select(Enforcer.name, Enforcer.certificate_no)
            .join(task_enforcer, task_enforcer.c.enforcer_id == Enforcer.id)
            .where(task_enforcer.c.task_id == self.id)
            .order_by(Enforcer.id)
            .execution_options(**{UNSCOPED: True})
        )
        return [(name, number) for name, number in rows]

    @property
    def enforcers_label(self) -> str:
        return "、".join(f"{name}（{number}）" for name, number in self.team)

    @property
    def is_overdue(self) -> bool:
        return self.status in ("pending", "in_progress") and self.due_on < dt.date.today()

    @property
    def overdue_label(self) -> str:
        return "已逾期" if self.is_overdue else ""

    def __str__(self) -> str:
        name = self.enterprise.name if self.enterprise is not None else self.enterprise_id
        return f"{self.kind_label}任务 #{self.id} {name}"


class InspectionScheme(RegionScoped, Audited, Model):
    """现场检查方案: item sets and items, method, schedule, team; compiled by an inspector, approved by a leader."""

    __audit_entity__ = "inspection_scheme"
    __tablename__ = "inspection_scheme"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), nullable=False, index=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    plugin_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    item_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    methods: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    scheduled_on: Mapped[dt.date | None] = mapped_column(Date)
    schedule: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    compiled_by: Mapped[str | None] = mapped_column(String(128))
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    task: Mapped[Task] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return planning.label(planning.SCHEME_STATUSES, self.status)

    @property
    def methods_label(self) -> str:
        return "、".join(planning.label(planning.INSPECTION_METHODS, m) for m in self.methods)

    @property
    def enterprise_name(self) -> str:
        return self.task.enterprise.name if self.task and self.task.enterprise else ""

    @property
    def late_label(self) -> str:
        return planning.late_label(self.task.due_on if self.task else None, self.scheduled_on)

    def __str__(self) -> str:
        return f"现场检查方案 #{self.id}（{self.enterprise_name}）"


class Inspection(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """现场检查: the answers of the scheme's checklists, participants, time and place.

    `version` is an optimistic lock: a save carries the version it started from, and a save over a
    newer version is refused with a Chinese message instead of silently overwriting a colleague.
    """

    __audit_entity__ = "inspection"
    __tablename__ = "inspection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), nullable=False, index=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="in_progress")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    # The latest saved answer set; `answer_set_ids` maps every checklist of the scheme to its set.
    answer_set_id: Mapped[int | None] = mapped_column(ForeignKey("answer_set.id"), index=True)
    answer_set_ids: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(128))
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    task: Mapped[Task] = relationship(lazy="joined")
    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    answer_set: Mapped[AnswerSet | None] = relationship()
    hazards: Mapped[list[Hazard]] = relationship(back_populates="inspection", order_by="Hazard.id")

    @property
    def status_label(self) -> str:
        return planning.label(planning.INSPECTION_STATUSES, self.status)

    @property
    def late_label(self) -> str:
        started = self.started_at.date() if self.started_at else None
        return planning.late_label(self.task.due_on if self.task else None, started)

    @property
    def participants_label(self) -> str:
        return "、".join(
            "".join([p.get("name", ""), f"（{p['position']}）" if p.get("position") else ""])
            for p in self.participants or []
        )

    @property
    def location_label(self) -> str:
        if self.latitude is None or self.longitude is None:
            return "未获取"
        return f"{self.latitude:.5f}, {self.longitude:.5f}"

    def __str__(self) -> str:
        name = self.enterprise.name if self.enterprise is not None else self.enterprise_id
        return f"现场检查 #{self.id} {name}"


class Hazard(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """问题隐患: a failed item (per equipment where it repeats) with its bases and confirmed measure."""

    __audit_entity__ = "hazard"
    __tablename__ = "hazard"
    __table_args__ = (Index("ix_hazard_region_status", "region_code", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id"), nullable=False, index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    region_code: Mapped[str] = mapped_column(String(6), nullable=False)
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False)
    plugin_version: Mapped[str] = mapped_column(String(32), nullable=False)
    item_id: Mapped[str] = mapped_column(String(160), nullable=False, index=True)
    item_code: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    equipment_id: Mapped[int | None] = mapped_column(ForeignKey("equipment.id"))
    equipment_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    illegal_basis: Mapped[str | None] = mapped_column(Text)
    penalty_basis: Mapped[str | None] = mapped_column(Text)
    is_major: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    measure: Mapped[str | None] = mapped_column(String(16))
    measure_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    rectified_on: Mapped[dt.date | None] = mapped_column(Date)
    # The re-inspection that decided it (复查), and its date, whatever it found.
    verified_by_task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    rectification_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("rectification_order.id"), index=True
    )
    # Link slot for the case procedure (services/cases.escalate_hazards sets it; no FK: 0004 owns `case`).
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    inspection: Mapped[Inspection] = relationship(back_populates="hazards")
    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    equipment: Mapped[Equipment | None] = relationship()
    rectification_order: Mapped[RectificationOrder | None] = relationship(
        back_populates="hazards", foreign_keys=[rectification_order_id]
    )

    @property
    def status_label(self) -> str:
        return planning.label(planning.HAZARD_STATUSES, self.status)

    @property
    def measure_label(self) -> str:
        return planning.label(planning.HAZARD_MEASURES, self.measure)

    @property
    def major_label(self) -> str:
        return "重大事故隐患" if self.is_major else "一般隐患"

    @property
    def major_basis(self) -> str:
        """The article of the yardstick the finding met, as recorded with it (none: 一般隐患)."""
        if not self.is_major:
            return ""
        return (self.suggestion or {}).get("major_basis") or "（记录时未载明判定依据）"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in planning.OPEN_HAZARD_STATUSES
            and self.deadline is not None
            and self.deadline < dt.date.today()
        )

    @property
    def overdue_label(self) -> str:
        return "逾期未整改" if self.is_overdue else ""

    def __str__(self) -> str:
        where = f"（{self.equipment_name}）" if self.equipment_name else ""
        return f"{self.title}{where}"


class RectificationOrder(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """责令限期整改指令书: the hazards of an inspection with their deadlines; completion reported later."""

    __audit_entity__ = "rectification_order"
    __tablename__ = "rectification_order"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id"), nullable=False, index=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    issued_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    completion_reported_on: Mapped[dt.date | None] = mapped_column(Date)
    recheck_task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    # A docked order's re-inspections (复查 tasks), in date order; the last is `recheck_task_id`.
    reinspection_task_ids: Mapped[list[int] | None] = mapped_column(JSON)
    issued_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    inspection: Mapped[Inspection] = relationship()
    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    hazards: Mapped[list[Hazard]] = relationship(
        back_populates="rectification_order",
        foreign_keys="Hazard.rectification_order_id",
        order_by="Hazard.id",
    )
    recheck_task: Mapped[Task | None] = relationship(foreign_keys=[recheck_task_id])

    @property
    def status_label(self) -> str:
        if self.hazards and all(
            h.status not in planning.OPEN_HAZARD_STATUSES for h in self.hazards
        ):
            return "已复查"
        if self.completion_reported_on is not None:
            return "企业已报告整改完成"
        if self.deadline is not None and self.deadline < dt.date.today():
            return "已逾期待复查"
        return "整改中"

    @property
    def hazard_count(self) -> int:
        return len(self.hazards)

    def __str__(self) -> str:
        return self.number
