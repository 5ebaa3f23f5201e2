"""电子签名 pages of a draft 执法文书: the signature blocks, a signature pad per block (npm
``signature_pad``, served from node_modules: no CDN), a refusal (拒签) with its witness, and clearing
a block. Everything is refused once the document is final (services/signatures.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from enforcement.db.acting import current_actor
from enforcement.domain.errors import Refused
from enforcement.models import Document
from enforcement.services import signatures as service

PAD_PACKAGE = Path("signature_pad") / "dist" / "signature_pad.umd.min.js"
# A canvas's PNG as a data URL: bounded before it is decoded (the PNG itself by the service).
DATA_URL_MAX = 420 * 1024


def _pad_script() -> Path:
    """node_modules/signature_pad of the checkout (`make setup`), else of the working directory."""
    here = Path(__file__).resolve().parents[4]
    candidates = [here / "node_modules" / PAD_PACKAGE, Path.cwd() / "node_modules" / PAD_PACKAGE]
    return next((c for c in candidates if c.is_file()), candidates[0])


class DocumentSignatureView(BaseView):
    """执法文书 → 电子签名 (a draft's signature blocks)."""

    route_base = "/document-signatures"
    default_view = "index"

    def _session(self) -> Any:
        return self.appbuilder.session

    def _document_or_404(self, document_id: int) -> Document:
        document = self._session().scalar(select(Document).where(Document.id == document_id))
        if document is None or not service.slots_of(document):
            abort(404)
        return document

    def _page(self, document: Document, errors: dict[str, str], typed: dict[str, str]) -> Any:
        current = service.active(self._session(), document)
        blocks = [
            {
                "slot": slot,
                "signature": current.get(slot.role),
                "printed": service.printable(current[slot.role]) if slot.role in current else None,
                "default_name": _default_name(document, slot.role),
            }
            for slot in service.slots_of(document)
        ]
        return (
            self.render_template(
                "enforcement/documents/signatures.html",
                document=document,
                blocks=blocks,
                errors=errors,
                typed=typed,
            ),
            422 if errors else 200,
        )

    @expose("/<int:document_id>/")
    @has_access
    def index(self, document_id: int) -> Any:
        return self._page(self._document_or_404(document_id), {}, {})

    @expose("/<int:document_id>/sign/<role>", methods=["GET", "POST"])
    @has_access
    def sign(self, document_id: int, role: str) -> Any:
        document = self._document_or_404(document_id)
        slot = next((s for s in service.slots_of(document) if s.role == role), None)
        if slot is None:
            abort(404)
        errors: dict[str, str] = {}
        name = request.form.get("signer_name", _default_name(document, role))
        if request.method == "POST":
            image = request.form.get("image", "")
            try:
                if len(image) > DATA_URL_MAX:
                    raise Refused("签名图像过大，请清除后重新签名", "/image")
                service.sign(
                    self._session(),
                    document,
                    role,
                    name,
                    service.png_from_data_url(image),
                    current_actor().username,
                    device=request.user_agent.string,
                )
            except Refused as refused:
                errors = {e.field or "_": e.message for e in refused.errors}
            else:
                flash(f"已保存{slot.label}的签名", "success")
                return redirect(url_for("DocumentSignatureView.index", document_id=document.id))
        return (
            self.render_template(
                "enforcement/documents/sign.html",
                document=document,
                slot=slot,
                name=name,
                errors=errors,
            ),
            422 if errors else 200,
        )

    @expose("/<int:document_id>/refuse", methods=["POST"])
    @has_access
    def refuse(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        typed = {k: request.form.get(k, "") for k in ("witness_name", "signer_name")}
        try:
            service.refuse(
                self._session(),
                document,
                request.form.get("role", service.rules.PARTY),
                typed["witness_name"],
                current_actor().username,
                signer_name=typed["signer_name"],
                device=request.user_agent.string,
            )
        except Refused as refused:
            return self._page(document, {e.field or "_": e.message for e in refused.errors}, typed)
        flash("已记录拒签及见证人", "success")
        return redirect(url_for("DocumentSignatureView.index", document_id=document.id))

    @expose("/<int:document_id>/withdraw/<role>", methods=["POST"])
    @has_access
    def withdraw(self, document_id: int, role: str) -> Any:
        document = self._document_or_404(document_id)
        try:
            service.withdraw(self._session(), document, role, current_actor().username)
        except Refused as refused:
            return self._page(document, {"_": str(refused)}, {})
        flash("已清除该签名栏（记录保留在审计日志中）", "success")
        return redirect(url_for("DocumentSignatureView.index", document_id=document.id))

    @expose("/signature_pad.js")
    def pad_script(self) -> Any:
        """The npm package's UMD build (public, like any static file)."""
        path = _pad_script()
        if not path.is_file():
            abort(404)
        return send_file(path, mimetype="text/javascript", max_age=3600)


def _default_name(document: Document, role: str) -> str:
    """The name the document already carries for a block (officers; the interviewee, receiver)."""
    content = document.content or {}
    if role.startswith("inspector"):
        index = int(role[-1]) - 1
        people = content.get("inspectors") or []
        return (people[index] or {}).get("name", "") if index < len(people) else ""
    if document.form_code == "inquiry_record":
        return (content.get("interviewee") or {}).get("name") or ""
    if document.form_code == "service_receipt":
        return (content.get("service") or {}).get("receiver") or ""
    return (content.get("party") or {}).get("legal_rep") or ""
