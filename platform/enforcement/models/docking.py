"""数据对接: where a docked record came from, and the batches provinces pushed.

A pushed base-data record (department, enforcer, enterprise, equipment) lives in its own table like
a local one; its `DockingRecord` says which source system sent it under which id, and the content
hash of what was sent (replaying an unchanged record changes nothing). The workflow records of the
spec (plans to documents) are kept here as received, in `data`, and written into the platform's
own workflow tables too (services/docking/workflow.py), each marked `Docked.docking_source`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, object_session

from enforcement.db.policies import Audited, NotAudited, RegionScoped
from enforcement.models.base_data import Region


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class Docked:
    """A workflow record that may have come from a provincial system through docking.

    `docking_source` is the source system's id (None: recorded on this platform). A person reads
    "<省>对接" or "本平台录入" under 数据来源 (`docking_source_label`); the lists filter by the column.
    """

    docking_source: Mapped[str | None] = mapped_column(String(64))

    @property
    def docking_source_label(self) -> str:
        if not self.docking_source:
            return "本平台录入"
        region = str(getattr(self, "region_code", "") or "")
        session = object_session(self)
        province = session.get(Region, region[:2] + "0000") if session and region else None
        return f"{province.name if province else '省级系统'}对接"


class DockingRecord(RegionScoped, Audited, Model):
    """One record of a source system: (source, record_type, external_id) is its key."""

    __audit_entity__ = "docking_record"
    __tablename__ = "docking_record"
    __table_args__ = (
        UniqueConstraint("source", "record_type", "external_id"),
        Index("ix_docking_record_local", "record_type", "local_id"),
        Index("ix_docking_record_region_type", "region_code", "record_type"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64), nullable=False)
    record_type: Mapped[str] = mapped_column(String(32), nullable=False)
    external_id: Mapped[str] = mapped_column(String(64), nullable=False)
    # The record's own region (an enterprise's county, a department's region): who may see it.
    region_code: Mapped[str] = mapped_column(String(6), nullable=False)
    # The row in the platform's table for a base-data type; None for a record kept in `data`.
    local_id: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, nullable=False, default=_now, onupdate=_now
    )

    def __str__(self) -> str:
        return f"{self.source}/{self.record_type}/{self.external_id}"


class DockingBatch(RegionScoped, NotAudited, Model):
    """A pushed batch and the answer it got: a replay (same source, batch id and content hash)
    gets this answer again. Not audited: it is itself the log of pushes; what a push changed is
    audited on the records."""

    __tablename__ = "docking_batch"
    __table_args__ = (
        UniqueConstraint("source", "batch_id", "content_hash"),
        Index("ix_docking_batch_region_received", "region_code", "received_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64), nullable=False)
    batch_id: Mapped[str] = mapped_column(String(64), nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # The pushing account's jurisdiction (a province); None for a national account.
    region_code: Mapped[str | None] = mapped_column(String(6))
    username: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_now)
    records: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    accepted: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # {"accepted", "unchanged", "rejected": [...]} as answered, and records per type.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    by_type: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
