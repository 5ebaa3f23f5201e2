"""电子签名: on-screen signatures (or refusals, 拒签) on the signature blocks of a 执法文书."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db.policies import Audited, ParentScoped, SoftDeleted
from enforcement.models.base_data import _now
from enforcement.models.document import Document


class DocumentSignature(ParentScoped, SoftDeleted, Audited, Model):
    """One signature block of one document: a PNG with its SHA-256, or a refusal with a witness.

    Seen and written through its document (same jurisdiction). Collected on the draft; a new
    signature of the same block replaces the old one by soft delete (the audit log keeps both);
    finalizing copies the active ones into the frozen content (services/signatures.py).
    """

    __scope_parent__ = "document"
    __audit_entity__ = "document_signature"
    __tablename__ = "document_signature"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    signer_name: Mapped[str] = mapped_column(String(64), nullable=False)
    refused: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    witness_name: Mapped[str | None] = mapped_column(String(64))
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_now)
    captured_by: Mapped[str | None] = mapped_column(String(128))
    device: Mapped[str | None] = mapped_column(String(300))

    document: Mapped[Document] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"签名 {self.signer_name}（{'拒签' if self.refused else self.role}）"
