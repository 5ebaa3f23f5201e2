"""Checklist drafts built in the browser (检查事项编辑器) and each province's approval setting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db.policies import Audited, RegionScoped
from enforcement.models.base_data import _now


class ChecklistDraft(RegionScoped, Audited, Model):
    """A plugin declaration being built: saved as it goes (also when invalid), then published
    through the same path as an uploaded plugin.json.

    Region-scoped to the bureau that builds it (another region's draft does not exist for a user).
    `revision` is the optimistic lock of PUT; `content_sha256` identifies the content (without its
    version number), so "needs publishing" shows only when the content changed. The review columns
    (who approved or returned it, why, and the diff that was approved) are kept in the audit log.
    """

    __audit_entity__ = "checklist_draft"
    __scope_refusal__ = "该检查事项草稿不在您的管辖范围内"

    __tablename__ = "checklist_draft"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    plugin_id: Mapped[str | None] = mapped_column(String(120), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    declaration: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    content_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # draft → pending (待审核) → draft again when returned; published once a version is out.
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    submitted_by: Mapped[str | None] = mapped_column(String(128))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_version: Mapped[str | None] = mapped_column(String(32))
    published_sha256: Mapped[str | None] = mapped_column(String(64))
    published_upload_id: Mapped[int | None] = mapped_column(Integer)

    STATUS_LABELS = {
        "draft": "草稿",
        "pending": "待审核",
        "returned": "已退回",
        "published": "已发布",
    }

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)


class ChecklistApproval(RegionScoped, Audited, Model):
    """A province's rule: its cities and counties publish checklists only after its approval.

    One row per province (`region_code` ends in 0000); no row means no approval (the default).
    """

    __audit_entity__ = "checklist_approval"
    # Its counties read whether their province requires approval; only the province writes it.
    __scope_public_reads__ = True

    __tablename__ = "checklist_approval"
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
