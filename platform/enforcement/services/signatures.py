"""电子签名: signatures captured on screen (or a refusal, 拒签) on a draft 执法文书's signature blocks.

Rules (docs/DECISIONS.md "电子签名"):

* signatures are collected on the **draft**; finalizing copies the active ones into the document's
  frozen content (the PDF prints them), after which nothing here accepts a change: a correction is a
  new version, signed again;
* a block holds at most one active signature; signing it again, or withdrawing it, retires the old
  row by soft delete (never a hard delete), and the audit log records every row;
* only the enterprise's person (``party``) may refuse, and a refusal names a witness;
* each PNG is checked (a real PNG, bounded size, something drawn) and kept with its SHA-256, the
  time, who captured it and on which device.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import transaction
from enforcement.domain import signatures as rules
from enforcement.domain.errors import FieldError, Refused
from enforcement.models import Document, DocumentSignature

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URL_PREFIX = "data:image/png;base64,"


def _username(actor: Any) -> str | None:
    if actor is None:
        return current_actor().username
    return actor if isinstance(actor, str) else getattr(actor, "username", None)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def slots_of(document: Document) -> tuple[rules.Slot, ...]:
    return rules.slots(document.form_code)


def active(session: Session, document: Document) -> dict[str, DocumentSignature]:
    """The signature (or refusal) each block holds now: the newest row not retired."""
    rows = session.scalars(
        select(DocumentSignature)
        .where(DocumentSignature.document_id == document.id)
        .order_by(DocumentSignature.id)
    )
    return {row.role: row for row in rows}


def png_from_data_url(value: str) -> bytes:
    """A canvas's ``toDataURL("image/png")`` → the PNG bytes (Refused when it is anything else)."""
    value = (value or "").strip()
    if not value.startswith(DATA_URL_PREFIX):
        raise Refused(FieldError("/image", "请在签名框内签名"))
    try:
        return base64.b64decode(value[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise Refused(FieldError("/image", "签名图像无法识别，请重新签名")) from None


def check_png(data: bytes) -> None:
    """A PNG of bounded size with at least one drawn (non-transparent, non-white) pixel."""
    if not data.startswith(PNG_MAGIC):
        raise Refused(FieldError("/image", "签名图像无法识别，请重新签名"))
    if len(data) > rules.PNG_MAX_BYTES:
        raise Refused(FieldError("/image", "签名图像过大，请清除后重新签名"))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > rules.PNG_MAX_SIDE:
                raise Refused(FieldError("/image", "签名图像过大，请清除后重新签名"))
            image.load()
            ink = image.convert("LA")
    except (UnidentifiedImageError, OSError, ValueError):
        raise Refused(FieldError("/image", "签名图像无法识别，请重新签名")) from None
    luminance, alpha = ink.split()
    # Ink: a pixel that is both visible and darker than paper.
    drawn = Image.eval(alpha, lambda a: 255 if a > 32 else 0)
    dark = Image.eval(luminance, lambda v: 255 if v < 200 else 0)
    from PIL import ImageChops

    if ImageChops.multiply(drawn, dark).getbbox() is None:
        raise Refused(FieldError("/image", "签名框是空白的，请签名后再保存"))


def _block(document: Document, role: str) -> rules.Slot:
    if document.status != "draft":
        raise Refused(FieldError("", "文书已定稿，签名已固定；需要更正时请生成新版本后重新签名"))
    slot = rules.slot(document.form_code, role)
    if slot is None:
        raise Refused(FieldError("/role", "该文书没有这个签名栏"))
    return slot


def _name(value: str | None, path: str, message: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise Refused(FieldError(path, message))
    if len(name) > rules.NAME_MAX:
        raise Refused(FieldError(path, f"姓名过长（最多{rules.NAME_MAX}字）"))
    return name


def officer_name(document: Document, role: str) -> str:
    """The name the document prints for an officer's block ("" for the party or when unnamed)."""
    if role not in rules.INSPECTORS:
        return ""
    people = (document.content or {}).get("inspectors") or []
    index = rules.INSPECTORS.index(role)
    person = people[index] if index < len(people) else None
    return " ".join(str((person or {}).get("name") or "").split())


def _retire(session: Session, document: Document, role: str, username: str | None) -> None:
    previous = active(session, document).get(role)
    if previous is not None:
        previous.deleted_at = _now()
        previous.deleted_by = username
        session.flush()  # one active row per block, also within a larger unit


@transaction
def sign(
    session: Session,
    document: Document,
    role: str,
    signer_name: str,
    png: bytes,
    actor: Any = None,
    *,
    device: str | None = None,
) -> DocumentSignature:
    """Keep a signature drawn on screen for one block of a draft (replacing the block's old one)."""
    _block(document, role)
    name = _name(signer_name, "/signer_name", "请填写签名人姓名")
    named = officer_name(document, role)
    if named and name != named:  # an officer's block is that officer's, as the paper names him
        raise Refused(FieldError("/signer_name", f"该栏应由本文书所列执法人员{named}签名"))
    check_png(png)
    username = _username(actor)
    _retire(session, document, role, username)
    signature = DocumentSignature(
        document_id=document.id,
        role=role,
        signer_name=name,
        refused=False,
        image=png,
        sha256=hashlib.sha256(png).hexdigest(),
        signed_at=_now(),
        captured_by=username,
        device=(device or "")[: rules.DEVICE_MAX] or None,
    )
    session.add(signature)
    session.flush()
    return signature


@transaction
def refuse(
    session: Session,
    document: Document,
    role: str,
    witness_name: str,
    actor: Any = None,
    *,
    signer_name: str = "",
    device: str | None = None,
) -> DocumentSignature:
    """Record that the party refused to sign (拒签), with the witness who saw it."""
    slot = _block(document, role)
    if not slot.may_refuse:
        raise Refused(FieldError("/role", "执法人员不能拒签：请签名，或不出具本文书"))
    witness = _name(witness_name, "/witness_name", "拒签时请填写见证人姓名")
    name = " ".join((signer_name or "").split())[: rules.NAME_MAX] or slot.label
    username = _username(actor)
    _retire(session, document, role, username)
    signature = DocumentSignature(
        document_id=document.id,
        role=role,
        signer_name=name,
        refused=True,
        witness_name=witness,
        signed_at=_now(),
        captured_by=username,
        device=(device or "")[: rules.DEVICE_MAX] or None,
    )
    session.add(signature)
    session.flush()
    return signature


@transaction
def withdraw(session: Session, document: Document, role: str, actor: Any = None) -> None:
    """Clear a block of a draft (soft delete: the audit log keeps what it held)."""
    _block(document, role)
    if active(session, document).get(role) is None:
        raise Refused(FieldError("/role", "该签名栏尚未签名"))
    _retire(session, document, role, _username(actor))


def printable(signature: DocumentSignature) -> dict[str, Any]:
    """What the templates print for one block (see documents/templates/_layout.html)."""
    when = signature.signed_at
    return {
        "name": signature.signer_name,
        "refused": signature.refused,
        "witness": signature.witness_name or "",
        "image": DATA_URL_PREFIX + base64.b64encode(signature.image).decode("ascii")
        if signature.image
        else "",
        "sha256": signature.sha256 or "",
        "date": f"{when.year}年{when.month}月{when.day}日" if when else "",
    }


def for_rendering(session: Session, document: Document) -> dict[str, dict[str, Any]]:
    """{role: printable} of the active signatures of a document."""
    return {role: printable(row) for role, row in active(session, document).items()}
