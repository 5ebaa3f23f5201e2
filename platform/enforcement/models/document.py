"""执法文书: generated documents (draft → final → superseded) and their gapless number counters;
documents a provincial system docked (their metadata: the file stays with the province)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db.policies import Audited, NotAudited, Public, RegionScoped, SoftDeleted
from enforcement.models.base_data import Department, Enterprise, _now
from enforcement.models.docking import Docked

DOCUMENT_STATUSES = {"draft": "草稿", "final": "已定稿", "superseded": "已被替代"}


class Document(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """One generated 文书. A final document is frozen: a correction is a new version (supersede).

    Only an admin soft-deletes one (never hard).
    """

    __audit_entity__ = "document"

    __tablename__ = "document"
    __table_args__ = (
        # No duplicate 文号: one serial per department, year and 文号 code.
        UniqueConstraint("department_id", "year", "number_code", "serial"),
        UniqueConstraint("verify_token", name="uq_document_verify_token"),
        Index("ix_document_subject", "subject_kind", "subject_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_code: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    subject_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[int | None] = mapped_column(Integer)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    # Scoping: the region of the enterprise (or of the issuing department when there is none).
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    number_code: Mapped[str | None] = mapped_column(String(16))
    serial: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft", index=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    sha256: Mapped[str | None] = mapped_column(String(64))
    file_path: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    finalized_by: Mapped[str | None] = mapped_column(String(128))
    finalized_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delete_reason: Mapped[str | None] = mapped_column(Text)
    # 扫码验真: the unguessable key of the public /verify/<token> page, drawn when finalized.
    verify_token: Mapped[str | None] = mapped_column(String(32))

    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return DOCUMENT_STATUSES.get(self.status, self.status)

    @property
    def party_name(self) -> str:
        return (self.content or {}).get("party", {}).get("name") or ""

    def __str__(self) -> str:
        return f"{self.title} {self.number or '（草稿）'}"


class DockedDocument(Docked, RegionScoped, SoftDeleted, Audited, Model):
    """A 文书 a provincial system docked: its kind, 文号, the file's SHA-256 and where the file is.

    Not a `Document`: the platform neither generated nor holds the file, so nothing of a generated
    document (numbering, editing, signatures, PDF download, 扫码验真, 案卷) applies. The case and
    inspection pages list it beside their own documents, with its file reference and hash.
    """

    __audit_entity__ = "docked_document"
    __tablename__ = "docked_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 文书种类 as the province named it (a catalogue code or name).
    form: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str | None] = mapped_column(String(300))
    number: Mapped[str | None] = mapped_column(String(64), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    file_url: Mapped[str] = mapped_column(String(1000), nullable=False)
    file_name: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")

    @property
    def display_title(self) -> str:
        return self.title or self.form

    @property
    def size_label(self) -> str:
        if self.size is None:
            return ""
        return (
            f"{self.size / 1024:.0f} KB"
            if self.size < 1024 * 1024
            else f"{self.size / 1048576:.1f} MB"
        )

    def __str__(self) -> str:
        return f"{self.display_title} {self.number or ''}".strip()


class DocumentCounter(Public, NotAudited, Model):
    """Last serial used per department, year and 文号 code; locked while a number is assigned.

    Public: read only by services/numbering.py while numbering; it names no party. Not audited:
    the document that takes the number is.
    """

    __tablename__ = "document_counter"
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    number_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class FrozenDocument(ValueError):
    """A final document was about to change in place."""


# What may still change on a final document: its stored file (written right after numbering), the
# superseded mark, and an admin's soft delete / restore. Everything else is frozen.
_MUTABLE_WHEN_FINAL = {
    "status",
    "sha256",
    "file_path",
    "updated_at",
    "deleted_at",
    "deleted_by",
    "delete_reason",
}


def _guard_final_documents(session: Any, _context: Any, _instances: Any) -> None:
    from sqlalchemy import inspect as sa_inspect

    for obj in session.dirty:
        if not isinstance(obj, Document):
            continue
        state = sa_inspect(obj)
        before = state.attrs.status.history
        # An unloaded (expired) status has no history: its current value is the committed one.
        was = before.deleted[0] if before.deleted else obj.status
        if was not in {"final", "superseded"}:
            continue
        changed = {
            attr.key
            for attr in state.attrs
            if attr.key not in _MUTABLE_WHEN_FINAL
            and attr.key not in {"enterprise", "department"}
            and attr.history.has_changes()
        }
        if changed or (was == "superseded" and obj.status != "superseded"):
            raise FrozenDocument("已定稿的文书不能修改，请作废后生成新版本")


def _install_guard() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "before_flush", _guard_final_documents):
        event.listen(Session, "before_flush", _guard_final_documents)


_install_guard()
