"""Base data: regions, departments, enterprises (执法对象) with their equipment, enforcers (执法人员)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db.policies import (
    Audited,
    NotAudited,
    ParentScoped,
    Public,
    RegionScoped,
    SoftDeleted,
)
from enforcement.domain import codes


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Region(Public, NotAudited, Model):
    """A GB/T 2260 division (province, city, county), loaded from a maintained package.

    Public: names of places are no secret. Not audited: loaded from the package at set-up, never
    edited by a user.
    """

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    full_name: Mapped[str] = mapped_column(String(160), nullable=False)
    level: Mapped[str] = mapped_column(String(10), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(
        String(6), ForeignKey("region.code"), index=True
    )

    def __str__(self) -> str:
        return self.full_name


class Department(RegionScoped, Audited, Model):
    """An 应急管理部门 at a level (部/省/市/县), attached to a region; its jurisdiction is the subtree."""

    # Everyone reads departments (an inspector may see the names of other bureaus); what they scope
    # is the people and documents under them. Writes are checked.
    __scope_public_reads__ = True
    __scope_refusal__ = "所选行政区划不在您的管辖范围内"
    __audit_entity__ = "department"
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("region_code", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    # NULL region: the ministry, whose jurisdiction is the whole country.
    region_code: Mapped[str | None] = mapped_column(
        String(6), ForeignKey("region.code"), index=True
    )
    level: Mapped[str] = mapped_column(String(10), nullable=False)
    region: Mapped[Region | None] = relationship()

    @property
    def level_label(self) -> str:
        return codes.label(codes.DEPARTMENT_LEVELS, self.level)

    def __str__(self) -> str:
        return self.name


class Enterprise(RegionScoped, SoftDeleted, Audited, Model):
    """执法对象: an industry-and-trade enterprise."""

    __scope_refusal__ = "所选行政区划不在您的管辖范围内（{region}）"
    __audit_entity__ = "enterprise"
    __audit_collections__ = {"tags": ("tag_links", "tag")}
    __tablename__ = "enterprise"
    # A county's enterprises by name, read from the index alone by 统计查询 (migration 0021).
    __table_args__ = (
        Index(
            "ix_enterprise_region_name",
            "region_code",
            "name",
            "id",
            "status",
            "sector",
            "deleted_at",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    uscc: Mapped[str] = mapped_column(String(18), nullable=False, unique=True)
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    region_code: Mapped[str] = mapped_column(String(6), ForeignKey("region.code"), nullable=False)
    sector: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    scale: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="operating")
    principal_name: Mapped[str | None] = mapped_column(String(64))
    principal_phone: Mapped[str | None] = mapped_column(String(32))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    employees: Mapped[int | None] = mapped_column(Integer)
    # The registered position (WGS-84, degrees), against which an inspection's position is read.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    region: Mapped[Region] = relationship(lazy="joined")
    tag_links: Mapped[list[EnterpriseTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="EnterpriseTag.tag"
    )
    equipment: Mapped[list[Equipment]] = relationship(
        back_populates="enterprise", order_by="Equipment.id"
    )

    @property
    def tags(self) -> list[str]:
        return [link.tag for link in self.tag_links]

    @tags.setter
    def tags(self, values: list[str]) -> None:
        wanted = [t for t in codes.TAGS if t in set(values or [])]
        kept = [link for link in self.tag_links if link.tag in wanted]
        have = {link.tag for link in kept}
        self.tag_links = kept + [EnterpriseTag(tag=t) for t in wanted if t not in have]

    @property
    def sector_label(self) -> str:
        return codes.label(codes.SECTORS, self.sector)

    @property
    def tags_label(self) -> str:
        return "、".join(codes.label(codes.TAGS, t) for t in self.tags)

    @property
    def scale_label(self) -> str:
        return codes.label(codes.SCALES, self.scale)

    @property
    def status_label(self) -> str:
        return codes.label(codes.ENTERPRISE_STATUSES, self.status)

    def __str__(self) -> str:
        return self.name


class EnterpriseTag(Public, NotAudited, Model):
    """A 工贸专项 tag of an enterprise (钢铁, 铝加工, 粉尘涉爆, 有限空间, 涉氨制冷): a row, so statistics GROUP BY it.

    Public: read only as its enterprise's `tag_links` (loaded after the scoped enterprise) or joined
    to the enterprise, whose criteria apply. Not audited: logged as the enterprise's `tags`.
    """

    __tablename__ = "enterprise_tag"
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class Equipment(ParentScoped, SoftDeleted, Audited, Model):
    """One piece of an enterprise's equipment register; drives the equipment-by-equipment checks."""

    __scope_parent__ = "enterprise"
    __audit_entity__ = "equipment"

    __tablename__ = "equipment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    equipment_type: Mapped[str] = mapped_column(String(48), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    serial_no: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    enterprise: Mapped[Enterprise] = relationship(back_populates="equipment", lazy="joined")

    @property
    def equipment_type_label(self) -> str:
        return codes.label(codes.EQUIPMENT_TYPES, self.equipment_type)

    def __str__(self) -> str:
        return f"{self.name}（{self.equipment_type_label}）"


class Enforcer(ParentScoped, SoftDeleted, Audited, Model):
    """执法人员, identified by a unique 执法证号."""

    __scope_parent__ = "department"
    __scope_refusal__ = "所选执法部门不在您的管辖范围内"
    __audit_entity__ = "enforcer"

    __tablename__ = "enforcer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    certificate_no: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id"), nullable=False, index=True
    )
    position: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    department: Mapped[Department] = relationship(lazy="joined")
    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="enforcer", order_by="TrainingRecord.date", cascade="all, delete-orphan"
    )

    @property
    def training_hours(self) -> float:
        return sum(t.hours for t in self.trainings)

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"


class TrainingRecord(ParentScoped, Audited, Model):
    """One training attended by an enforcer (date, course, hours): the source of the training rate."""

    __scope_parent__ = "enforcer"
    __audit_entity__ = "training_record"

    __tablename__ = "training_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enforcer_id: Mapped[int] = mapped_column(
        ForeignKey("enforcer.id", ondelete="CASCADE"), nullable=False, index=True
    )
    date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    course: Mapped[str] = mapped_column(String(200), nullable=False)
    hours: Mapped[float] = mapped_column(Float, nullable=False)

    enforcer: Mapped[Enforcer] = relationship(back_populates="trainings", lazy="joined")

    def __str__(self) -> str:
        return f"{self.date} {self.course}"
