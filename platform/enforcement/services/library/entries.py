"""Adding and changing library entries, their row of the full-text index, and their files.

A province, city or county adds entries for its own region (the actor's region, never chosen by the
form); national users add national entries. Files are checked by content and size, stored once by
SHA-256 under DATA_DIR/library, and carry their entry's region so they are scoped alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import unit_of_work
from enforcement.domain import library as rules
from enforcement.domain.errors import FieldError, Refused
from enforcement.models import LibraryEntry, LibraryFile
from enforcement.services.content_store import content_path, write_once
from enforcement.services.library.index import index_for

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
FIELDS = (
    "collection",
    "title",
    "number",
    "issuer",
    "status",
    "published_on",
    "effective_on",
    "key_item_sets",
    "summary",
    "body",
    "source",
    "supersedes_id",
)
LIMITS = {"title": 200, "number": 120, "issuer": 120}


def _date(value: Any, path: str, errors: list[FieldError]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(FieldError(path, "请按 年-月-日 填写有效日期，例如 2024-01-01"))
        return None


def clean(session: Session, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field checked at once; Refused with each message at its field."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for key in ("title", "number", "issuer", "summary", "body", "source"):
        text = str(values.get(key) or "").strip()
        if key in LIMITS and len(text) > LIMITS[key]:
            errors.append(FieldError(f"/{key}", f"不能超过 {LIMITS[key]} 个字"))
        out[key] = text or None
    if not out["title"]:
        errors.append(FieldError("/title", "请填写标题"))
    collection = values.get("collection") or ""
    if collection not in rules.STORED_COLLECTIONS:
        errors.append(FieldError("/collection", "请选择栏目"))
    out["collection"] = collection
    status = values.get("status") or "current"
    if status not in rules.STATUSES:
        errors.append(FieldError("/status", "状态应为 现行有效、已修订 或 已废止"))
    out["status"] = status
    out["published_on"] = _date(values.get("published_on"), "/published_on", errors)
    out["effective_on"] = _date(values.get("effective_on"), "/effective_on", errors)
    sets = values.get("key_item_sets") or []
    if isinstance(sets, str):
        sets = [s for s in sets.replace("，", ",").split(",") if s.strip()]
    unknown = [s for s in sets if s not in rules.KEY_ITEM_SETS]
    if unknown:
        errors.append(FieldError("/key_item_sets", "重点事项类别不存在：" + "、".join(unknown)))
    out["key_item_sets"] = [s for s in rules.KEY_ITEM_SETS if s in sets]
    supersedes = values.get("supersedes_id")
    out["supersedes_id"] = None
    if supersedes not in (None, ""):
        try:
            target = session.get(LibraryEntry, int(supersedes))
        except (TypeError, ValueError):
            target = None
        if target is None:
            errors.append(FieldError("/supersedes_id", "被修订或替代的条目不存在"))
        else:
            out["supersedes_id"] = target.id
    if errors:
        raise Refused(errors)
    return out


def index_entry(session: Session, entry: LibraryEntry) -> None:
    """Rewrite the entry's row of the full-text index and its scan text (inside the caller's unit
    of work, so the index changes with the entry or not at all)."""
    session.flush()
    index_for(session).write(
        session, entry.id, entry.title, [entry.number, entry.issuer], [entry.summary, entry.body]
    )
    entry.search_text = rules.search_text(
        entry.title, entry.number, entry.issuer, entry.summary, entry.body
    )


def save_entry(
    session: Session, values: Mapping[str, Any], entry: LibraryEntry | None = None
) -> LibraryEntry:
    """Add an entry in the actor's region (national for national users), or change one; the entry
    it supersedes is marked 已修订 unless already 已废止."""
    with unit_of_work(session):
        data = clean(session, values)
        if entry is None:
            actor = current_actor()
            entry = LibraryEntry(
                region_code=actor.jurisdiction.region_code, created_by=actor.username
            )
            session.add(entry)
        for key, value in data.items():
            setattr(entry, key, value)
        if data["supersedes_id"] is not None:
            if data["supersedes_id"] == entry.id:
                raise Refused(FieldError("/supersedes_id", "不能选择条目本身"))
            older = session.get(LibraryEntry, data["supersedes_id"])
            if older is not None and older.status == "current":
                older.status = "revised"
        index_entry(session, entry)
        return entry


def reindex(session: Session) -> int:
    """Rebuild every entry's row of the index (after a change of the token rules, e.g. a newer
    jieba dictionary); returns the count."""
    with unit_of_work(session):
        entries = list(session.scalars(select(LibraryEntry)))
        for entry in entries:
            index_entry(session, entry)
        return len(entries)


# -- files -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    id: int
    sha256: str
    size: int


def file_path(data_dir: str | Path, sha256: str) -> Path:
    return content_path(data_dir, "library", sha256)


def add_file(
    session: Session,
    entry: LibraryEntry,
    filename: str,
    data: bytes,
    *,
    data_dir: str | Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> StoredFile:
    """Check the bytes (size, real type against the name), keep them, attach them to the entry."""
    name = Path(filename or "").name[:200]
    if not name:
        raise Refused(FieldError("/file", "请选择要上传的文件"))
    problem = rules.upload_problem(name, data, max_bytes)
    if problem:
        raise Refused(FieldError("/file", problem))
    with unit_of_work(session):
        sha = hashlib.sha256(data).hexdigest()
        write_once(file_path(data_dir, sha), data)
        row = LibraryFile(
            entry_id=entry.id,
            region_code=entry.region_code,
            sha256=sha,
            filename=name,
            content_type=rules.content_type(name),
            size=len(data),
            uploaded_by=current_actor().username,
        )
        session.add(row)
        session.flush()
        return StoredFile(row.id, sha, len(data))


def find_file(
    session: Session, file_id: int, data_dir: str | Path
) -> tuple[LibraryFile, Path] | None:
    """A visible file row and its bytes on disk, or None."""
    row = session.scalars(select(LibraryFile).where(LibraryFile.id == file_id)).first()
    if row is None:
        return None
    path = file_path(data_dir, row.sha256)
    return (row, path) if path.is_file() else None


# -- who cites an entry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citing:
    checklist: str
    code: str
    title: str
    citation: str


def _citations(item: Mapping[str, Any]) -> Iterable[str]:
    for key in ("legal_basis", "penalty_basis"):
        basis = item.get(key)
        for part in basis if isinstance(basis, list) else [basis]:
            if isinstance(part, Mapping) and part.get("law"):
                yield str(part["law"]) + str(part.get("article") or "")
            elif isinstance(part, str):
                yield part


def citing_items(entry: LibraryEntry, declarations: Iterable[Mapping[str, Any]]) -> list[Citing]:
    """The checklist items (of the given plugin declarations) whose legal or penalty basis names it."""
    keys = rules.entry_keys(entry.title, entry.number)
    found: list[Citing] = []
    for declaration in declarations:
        for item in declaration.get("items", []):
            for citation in _citations(item):
                if rules.cite_keys(citation) & keys:
                    found.append(
                        Citing(
                            str(declaration.get("title", "")),
                            str(item.get("code", "")),
                            str(item.get("title", "")),
                            citation,
                        )
                    )
                    break
    return found
