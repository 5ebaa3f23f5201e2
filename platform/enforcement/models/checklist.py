"""Checklist plugins stored in the database (uploaded by bureaus), compiled schemas, answers, evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db.policies import Audited, NotAudited, ParentScoped, Public, RegionScoped
from enforcement.models.base_data import Enterprise, _now


class ChecklistUpload(Public, Audited, Model):
    """One version of a bureau's plugin.json, uploaded in the browser: draft → active → retired.

    Public to the session: a plugin of a parent region is used below it, so which uploads a bureau
    sees is decided by the checklist views and services/checklists.py from `scope_region`.
    """

    __audit_entity__ = "checklist_upload"

    __tablename__ = "checklist_upload"
    __table_args__ = (UniqueConstraint("plugin_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    # The issuing bureau's region: the plugin is visible in that subtree only (NULL: national).
    scope_region: Mapped[str | None] = mapped_column(String(6), index=True)
    declaration: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    filename: Mapped[str | None] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    uploaded_by: Mapped[str | None] = mapped_column(String(128))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    published_by: Mapped[str | None] = mapped_column(String(128))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    STATUS_LABELS = {"draft": "草稿", "active": "已发布", "retired": "已停用"}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)


class ChecklistOwner(Public, Audited, Model):
    """Which region owns an uploaded plugin id: the issuing region of its first upload (NULL: national).

    Every later version of the id must be issued for the same region, so another bureau can neither
    take the id over nor learn anything about it. Public to the session: never shown to users, only
    read by services/checklists.py, which answers a foreign id with one fixed refusal.
    """

    __audit_entity__ = "checklist_owner"

    __tablename__ = "checklist_owner"
    plugin_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class CompiledSchema(Public, NotAudited, Model):
    """A compiled answers + UI schema, kept by hash forever: old inspections render as they were.

    Public: derived from a plugin, no regional data. Not audited: content-addressed and never
    changed; the upload that produced it is audited.
    """

    __tablename__ = "compiled_schema"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(32), nullable=False)
    answers_schema: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    ui_schema: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AnswerSet(ParentScoped, Audited, Model):
    """The answers of one checklist for one enterprise, pinned to plugin id, version and schema hash."""

    __scope_parent__ = "enterprise"
    __audit_entity__ = "answer_set"

    __tablename__ = "answer_set"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id"), nullable=False, index=True
    )
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    plugin_version: Mapped[str] = mapped_column(String(32), nullable=False)
    schema_hash: Mapped[str] = mapped_column(ForeignKey("compiled_schema.sha256"), nullable=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")
    compiled: Mapped[CompiledSchema] = relationship()


class EvidenceFile(RegionScoped, NotAudited, Model):
    """A photo or document stored by content hash under DATA_DIR/evidence; served inside its region only.

    One row per (file, region): the bytes are stored once on disk, but every region whose inspectors
    uploaded them has its own row, so each reads the file and a region that never uploaded it does not.
    Not audited: content-addressed and never changed; the row records who uploaded it and when.
    """

    __tablename__ = "evidence_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The region of the enterprise the file was uploaded for.
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True, index=True)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[str | None] = mapped_column(String(128))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
