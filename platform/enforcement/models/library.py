"""执法资源库: entries (laws, rules, standards, documents, cases, learning files) and their files.

The full-text index of their text is not a model (services/library/index.py: an FTS5 table on
SQLite, a tsvector table on PostgreSQL, both named library_fts, created by migration 0018)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from enforcement.db.policies import (
    Audited,
    RegionScoped,
    SoftDeleted,
    ancestor_codes,
)
from enforcement.domain import library as rules
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models.base_data import _now


class _NationalOrAbove:
    """Read: national rows (region_code NULL), the actor's own region, its parents and its subtree.
    Write: the actor's subtree only, so a national row is written by national users alone."""

    region_code: Any

    @classmethod
    def read_clause(cls, jurisdiction: Jurisdiction) -> ColumnElement[bool]:
        return or_(
            cls.region_code.is_(None),
            cls.scope_clause(jurisdiction),  # type: ignore[attr-defined]
            cls.region_code.in_(ancestor_codes(jurisdiction)),
        )


class LibraryEntry(_NationalOrAbove, RegionScoped, SoftDeleted, Audited, Model):
    """One law, rule, standard, document, case or learning file of the library."""

    __audit_entity__ = "library_entry"
    __scope_refusal__ = "只能在本辖区的资源库中添加或修改条目"

    __tablename__ = "library_entry"
    __table_args__ = (
        Index("ix_library_entry_collection_status", "collection", "status"),
        # Covering what a search reads of every hit (scoping, soft delete, ranking, collection,
        # the title test): thousands of hits are read from the index, not from rows with full
        # texts (services/library/search.py names it for SQLite).
        Index(
            "ix_library_entry_rank",
            "id",
            "deleted_at",
            "region_code",
            "status",
            "effective_on",
            "collection",
            "title",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    number: Mapped[str | None] = mapped_column(String(120))  # 文号 or 标准号
    issuer: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="current")
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    effective_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # NULL: national (everyone reads it); else the province, city or county that added it.
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    key_item_sets: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)  # the full text, only where we have it
    source: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[str | None] = mapped_column(String(8))
    # The earlier version this one revises or replaces (its status is then 已修订 or 已废止).
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("library_entry.id"), index=True)
    # The seed's stable key (national catalogue rows), so a later seed updates instead of repeating.
    seed_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Normalized title, number, issuer, summary and body: what the benchmark's LIKE peer scans.
    search_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_by: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    supersedes: Mapped[LibraryEntry | None] = relationship(remote_side=[id], lazy="select")
    files: Mapped[list[LibraryFile]] = relationship(
        back_populates="entry", order_by="LibraryFile.id", lazy="select"
    )

    @property
    def collection_label(self) -> str:
        return rules.COLLECTIONS.get(self.collection, self.collection)

    @property
    def status_label(self) -> str:
        return rules.STATUSES.get(self.status, self.status)

    @property
    def has_full_text(self) -> bool:
        return bool(self.body and self.body.strip())

    def __str__(self) -> str:
        return self.title


class LibraryFile(_NationalOrAbove, RegionScoped, SoftDeleted, Audited, Model):
    """A file attached to an entry (PDF, DOCX, PPT, MP4), stored once by SHA-256 under
    DATA_DIR/library. It carries its entry's region so it is scoped exactly like the entry."""

    __audit_entity__ = "library_file"
    __scope_refusal__ = "只能在本辖区的资源库中上传文件"

    __tablename__ = "library_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("library_entry.id"), nullable=False, index=True
    )
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by: Mapped[str | None] = mapped_column(String(128))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    entry: Mapped[LibraryEntry] = relationship(back_populates="files", lazy="select")
