"""Evidence files behind checklist answers (photos, PDFs): recognised by their content, stored once
by SHA-256 under DATA_DIR/evidence, visible by the region of the enterprise they were taken at.

The bytes are shared, the rows are not: each region that uploads a file gets its own row
(sha256, region_code), so identical photos from two counties are readable in both and in no third.

The file is written before its row: a row never points at a missing file, and a file whose row was
rolled back is harmless (content-addressed, the next upload of the same bytes reuses it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import transaction
from enforcement.models import Enterprise, EvidenceFile
from enforcement.services.content_store import content_path, write_once

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ACCEPTED_TYPES = "JPEG、PNG、WebP 图片或 PDF 文件"
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EvidenceError(ValueError):
    """A refused upload: a Chinese message and the request field it concerns."""

    def __init__(self, message: str, path: str = "/file") -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class EvidenceTooLarge(EvidenceError):
    """Bigger than the configured limit."""


class UnknownEnterprise(EvidenceError):
    """No such enterprise in the user's jurisdiction (the session scopes it)."""


@dataclass(frozen=True)
class StoredEvidence:
    sha256: str
    size: int
    content_type: str


def too_large_message(max_bytes: int) -> str:
    return f"文件超过 {max_bytes / (1024 * 1024):g} MB，请压缩后重新上传"


def sniff_content_type(data: bytes) -> str | None:
    """The type the bytes really are (magic numbers), whatever the file name or header claims."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def evidence_path(data_dir: str | Path, sha256: str) -> Path:
    return content_path(data_dir, "evidence", sha256)


@transaction
def store_evidence(
    session: Session,
    data: bytes,
    filename: str,
    enterprise_id: int | None,
    *,
    data_dir: str | Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StoredEvidence:
    """Check the bytes (size, real type), then keep the file and its row for the enterprise.

    `data` may be one byte longer than `max_bytes` (a read bounded at limit + 1 tells "too large").
    """
    if len(data) > max_bytes:
        raise EvidenceTooLarge(too_large_message(max_bytes))
    if not data:
        raise EvidenceError("文件为空")
    content_type = sniff_content_type(data)
    if content_type is None:
        raise EvidenceError(
            f"文件类型不支持：只接受 {ACCEPTED_TYPES}（按文件内容识别，不看扩展名）"
        )
    enterprise = session.get(Enterprise, enterprise_id) if enterprise_id is not None else None
    if enterprise is None:
        raise UnknownEnterprise("企业不存在或不在您的管辖范围内", "/enterprise_id")
    sha = hashlib.sha256(data).hexdigest()
    write_once(evidence_path(data_dir, sha), data)
    # Scoped like any read: the enterprise, and with it this region's row, lies in the jurisdiction.
    if session.get(EvidenceFile, (sha, enterprise.region_code)) is None:
        try:
            with session.begin_nested():
                session.add(
                    EvidenceFile(
                        sha256=sha,
                        region_code=enterprise.region_code,
                        content_type=content_type,
                        size=len(data),
                        original_name=Path(filename).name[:200],
                        uploaded_by=current_actor().username,
                    )
                )
        except IntegrityError:
            pass  # a concurrent upload of the same bytes for this region stored the row first
    return StoredEvidence(sha, len(data), content_type)


def find_evidence(
    session: Session, sha256: str, data_dir: str | Path
) -> tuple[EvidenceFile, Path] | None:
    """A stored file and its row, only when a row of it is visible (the session scopes them by region):
    the actor's own region's upload, or the first of several below a city or province."""
    if not SHA256.match(sha256):
        return None
    row = session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.sha256 == sha256)
        .order_by(EvidenceFile.uploaded_at, EvidenceFile.region_code)
        .limit(1)
    ).first()
    path = evidence_path(data_dir, sha256)
    if row is None or not path.is_file():
        return None
    return row, path
