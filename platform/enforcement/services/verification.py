"""扫码验真: every finalized 执法文书 carries a QR code to a public page that answers three things —
its 文号, whether it is still in force, and the SHA-256 of its PDF — and nothing else.

The page is keyed by an unguessable token (128 random bits), never by the document's id, so the
numbers of other documents cannot be walked. The lookup runs without a user (no jurisdiction):
this module is the only code that reads a document unscoped for the public, and it returns only
the three fields.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.models import Document

TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
DEFAULT_BASE_URL = "http://127.0.0.1:8080/"
STATUS_IN_FORCE = "有效"
STATUS_SUPERSEDED = "已被新版本替代，不再有效"
STATUS_WITHDRAWN = "已撤销，不再有效"


@dataclass(frozen=True)
class Verification:
    number: str
    status: str
    in_force: bool
    sha256: str


def new_token() -> str:
    return secrets.token_urlsafe(16)  # 22 characters of [A-Za-z0-9_-]


def base_url() -> str:
    """PUBLIC_BASE_URL, else the host the current request came to, else the default address."""
    from flask import current_app, has_app_context, has_request_context, request

    configured = current_app.config.get("PUBLIC_BASE_URL") if has_app_context() else None
    if configured:
        return configured.rstrip("/") + "/"
    if has_request_context():
        return request.host_url
    return DEFAULT_BASE_URL


def public_url(token: str, base: str | None = None) -> str:
    return (base or base_url()).rstrip("/") + f"/verify/{token}"


def verification_of(document: Document) -> dict[str, Any]:
    """The frozen ``verification`` part of a document's content (the QR code is drawn from it)."""
    return {"url": public_url(document.verify_token)} if document.verify_token else {}


def lookup(session: Session, token: str) -> Verification | None:
    """The public answer for a token; None for anything that is not a finalized document's token."""
    if not TOKEN.fullmatch(token or ""):
        return None
    document = session.scalar(
        select(Document)
        .where(Document.verify_token == token, Document.status.in_(["final", "superseded"]))
        .execution_options(**{UNSCOPED: True})
    )
    if document is None:
        return None
    if document.deleted_at is not None:
        status = STATUS_WITHDRAWN
    elif document.status == "superseded":
        status = STATUS_SUPERSEDED
    else:
        status = STATUS_IN_FORCE
    return Verification(
        number=document.number or "（本文书不编文号）",
        status=status,
        in_force=status == STATUS_IN_FORCE,
        sha256=document.sha256 or "",
    )
