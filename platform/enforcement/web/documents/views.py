"""执法文书 pages: 我的工作台 → 执法文书 (list, generate, edit the free text, preview, finalize,
download), 执法资源库 → 文书模板 (the catalogue with blank PDF/DOCX), and 系统维护配置 →
文书管理（删除） (admin only: delete with a reason, list deleted, restore).

Jurisdiction is the session's: a document of another region does not exist here (404). Any page may
offer a "generate" button: ``url_for("DocumentView.new", form=<code>, subject="<kind>:<id>")``.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import or_, select

from enforcement.db.acting import current_actor
from enforcement.db.scoping import OutOfJurisdiction
from enforcement.db.unit_of_work import take_failures
from enforcement.documents import DocumentError, forms, get_form
from enforcement.models import Document, Enterprise
from enforcement.models.document import DOCUMENT_STATUSES, FrozenDocument
from enforcement.services import case_file, signatures
from enforcement.services import documents as service
from enforcement.services.docking import readonly
from enforcement.services.exporting import export_xlsx
from enforcement.web.base import CONFIDENCE_LABELS, XLSX, app_session

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LIST_LIMIT = 200
TEXT_MAX = 4000
SUBJECT_LABELS = {
    "enterprise": "执法对象",
    "inspection": "现场检查",
    "hazard": "隐患",
    "rectification": "整改指令",
    "plan": "检查计划",
    "case": "案件",
}
EXPORT_COLUMNS = [
    ("id", "编号"),
    ("title", "文书名称"),
    ("number", "文号"),
    ("party", "当事人"),
    ("status", "状态"),
    ("version", "版本"),
    ("created_by", "生成人"),
    ("created_at", "生成时间"),
    ("finalized_at", "定稿时间"),
    ("sha256", "SHA-256"),
]


def _pm() -> Any:
    from enforcement.services.checklists import platform_of

    return platform_of().pm


def _search(statement: Any, q: str) -> Any:
    if not q:
        return statement
    like = f"%{q}%"
    return statement.outerjoin(Enterprise, Enterprise.id == Document.enterprise_id).where(
        or_(Document.title.like(like), Document.number.like(like), Enterprise.name.like(like))
    )


def _download_name(document: Document, ext: str) -> str:
    return f"{document.title}_{document.number or f'草稿{document.id}'}.{ext}"


class _DocumentBase(BaseView):
    def _session(self) -> Any:  # a method, not a property: FAB inspects attributes at init
        return self.appbuilder.session

    def _document_or_404(self, document_id: int) -> Document:
        document = self._session().scalar(select(Document).where(Document.id == document_id))
        if document is None:
            abort(404)
        return document


class DocumentView(_DocumentBase):
    """我的工作台 → 执法文书."""

    route_base = "/documents"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self) -> Any:
        q = request.args.get("q", "").strip()
        status = request.args.get("status", "")
        statement = _search(select(Document), q)
        if status in DOCUMENT_STATUSES:
            statement = statement.where(Document.status == status)
        documents = (
            self._session().scalars(statement.order_by(Document.id.desc()).limit(LIST_LIMIT)).all()
        )
        return self.render_template(
            "enforcement/documents/index.html",
            documents=documents,
            q=q,
            status=status,
            statuses=DOCUMENT_STATUSES,
            implemented=[f for f in forms(_pm()).values() if f.implemented],
        )

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        q = request.args.get("q", "").strip()
        documents = self._session().scalars(_search(select(Document), q).order_by(Document.id))
        rows = [
            {
                "id": d.id,
                "title": d.title,
                "number": d.number,
                "party": d.party_name,
                "status": d.status_label,
                "version": d.version,
                "created_by": d.created_by,
                "created_at": d.created_at,
                "finalized_at": d.finalized_at,
                "sha256": d.sha256,
            }
            for d in documents
        ]
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M")
        return send_file(
            io.BytesIO(export_xlsx(EXPORT_COLUMNS, rows, sheet="执法文书")),
            mimetype=XLSX,
            as_attachment=True,
            download_name=f"执法文书_{stamp}.xlsx",
        )

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self) -> Any:
        """Generate a draft: ?form=<code>&subject=<kind>:<id> (GET confirms, POST creates)."""
        session = self._session()
        form_code = request.values.get("form", "")
        subject = request.values.get("subject", "")
        catalogue = forms(_pm())
        form = catalogue.get(form_code)
        errors: dict[str, str] = {}
        if form_code and (form is None or not form.implemented):
            errors["form"] = "请选择一种可生成的文书"
        label = ""
        if subject:
            try:
                kind, ident = service.parse_subject(subject)
            except DocumentError as exc:
                errors["subject"] = str(exc)
            else:
                if kind == "enterprise":
                    enterprise = session.scalar(select(Enterprise).where(Enterprise.id == ident))
                    if enterprise is None:
                        abort(404)
                    label = enterprise.name
                else:
                    label = f"{SUBJECT_LABELS.get(kind, kind)} {ident}"
        if request.method == "POST" and form is not None and subject and not errors:
            try:
                document = service.draft(
                    session, form.code, subject, current_actor().username, pm=_pm()
                )
            except (DocumentError, OutOfJurisdiction) as exc:
                errors["subject"] = str(exc)
            else:
                flash(f"已生成{document.title}草稿，请核对并编辑后定稿", "success")
                return redirect(url_for("DocumentView.edit", document_id=document.id))
        q = request.args.get("q", "").strip()
        enterprises = []
        if not subject:
            statement = select(Enterprise).order_by(Enterprise.name).limit(30)
            if q:
                statement = statement.where(
                    or_(Enterprise.name.like(f"%{q}%"), Enterprise.uscc.like(f"%{q}%"))
                )
            enterprises = session.scalars(statement).all()
        status = 422 if errors and request.method == "POST" else 200
        return (
            self.render_template(
                "enforcement/documents/new.html",
                form=form,
                form_code=form_code,
                subject=subject,
                subject_label=label,
                errors=errors,
                q=q,
                enterprises=enterprises,
                implemented=[f for f in catalogue.values() if f.implemented],
            ),
            status,
        )

    @expose("/<int:document_id>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        fields = service.editable_fields(document.form_code)
        values = {path: service.get_path(document.content, path) for path, _l, _k in fields}
        for path, kind in ((p, k) for p, _l, k in fields):
            if kind == "lines" and isinstance(values[path], list):
                values[path] = "\n".join(str(v) for v in values[path])
        errors: dict[str, str] = {}
        if request.method == "POST":
            if document.status != "draft":
                errors["_"] = "已定稿的文书不能修改，请作废后生成新版本"
            # Only the fields sent: a partial post never blanks the others.
            submitted = {p: request.form[p] for p, _l, _k in fields if p in request.form}
            for path, value in submitted.items():
                if len(value) > TEXT_MAX:
                    errors[path] = f"内容过长（最多{TEXT_MAX}字）"
            values.update(submitted)  # keep what was typed, also when it is refused
            if not errors:
                service.update_free_text(
                    self._session(), document, submitted, current_actor().username
                )
                if request.form.get("then") != "finalize":
                    flash("已保存", "success")
                    return redirect(url_for("DocumentView.edit", document_id=document.id))
                errors = service.blank_required(document)  # shown at the fields, draft kept
                if not errors:
                    return self._finalize(document)
        return (
            self.render_template(
                "enforcement/documents/edit.html",
                document=document,
                fields=fields,
                values=values,
                errors=errors,
                form=get_form(document.form_code, _pm()),
                signature_slots=signatures.slots_of(document),
                signed=signatures.active(self._session(), document),
            ),
            422 if errors else 200,
        )

    def _finalize(self, document: Document) -> Any:
        try:
            document = service.finalize(
                self._session(), document, current_actor().username, pm=_pm()
            )
        except (DocumentError, FrozenDocument) as exc:
            flash(str(exc), "danger")
        else:
            flash(f"已定稿：{document.number or document.title}", "success")
            if take_failures(self._session()):  # the PDF is rendered again at the first download
                flash("文书已定稿，PDF 暂未生成，下载时将重新生成", "warning")
        return redirect(url_for("DocumentView.edit", document_id=document.id))

    @expose("/<int:document_id>/finalize", methods=["POST"])
    @has_access
    def finalize(self, document_id: int) -> Any:
        return self._finalize(self._document_or_404(document_id))

    @expose("/<int:document_id>/supersede", methods=["POST"])
    @has_access
    def supersede(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        try:
            newer = service.supersede(self._session(), document, current_actor().username)
        except DocumentError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("DocumentView.edit", document_id=document.id))
        flash(f"已生成第{newer.version}版草稿，定稿后原文书作废", "success")
        return redirect(url_for("DocumentView.edit", document_id=newer.id))

    @expose("/<int:document_id>/preview")
    @has_access
    def preview(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        return service.preview_html(document, pm=_pm())

    @expose("/<int:document_id>/pdf")
    @has_access
    def pdf(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        try:
            data = service.render_pdf(document, pm=_pm())
        except DocumentError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("DocumentView.edit", document_id=document.id))
        return send_file(
            io.BytesIO(data),
            mimetype=PDF,
            as_attachment=request.args.get("inline") != "1",
            download_name=_download_name(document, "pdf"),
        )

    @expose("/<int:document_id>/docx")
    @has_access
    def docx(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        return send_file(
            io.BytesIO(service.render_docx(document, pm=_pm())),
            mimetype=DOCX,
            as_attachment=True,
            download_name=_download_name(document, "docx"),
        )

    @expose("/case-file/<int:case_id>.pdf")
    @has_access
    def case_file(self, case_id: int) -> Any:
        """案卷: the case's finalized documents in legal order behind a cover and contents."""
        from enforcement.models.case import Case

        case = self._session().get(Case, case_id)
        if case is None:
            abort(404)
        retention = request.args.get("retention", "定期30年")
        try:
            data = case_file.case_file_pdf(self._session(), case, retention=retention, pm=_pm())
        except DocumentError as exc:
            flash(str(exc), "danger")
            return redirect(f"/cases/{case_id}")
        return send_file(
            io.BytesIO(data),
            mimetype=PDF,
            as_attachment=True,
            download_name=f"案卷_{case.number}.pdf",
        )


class DocumentTemplateView(BaseView):
    """执法资源库 → 文书模板: the catalogue, every form downloadable blank."""

    route_base = "/document-templates"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self) -> Any:
        q = request.args.get("q", "").strip()
        catalogue = list(forms(_pm()).values())
        if q:
            catalogue = [
                f for f in catalogue if q in f.name or q in f.stage or q in (f.number_code or "")
            ]
        return self.render_template(
            "enforcement/documents/templates.html",
            catalogue=catalogue,
            q=q,
            confidence=CONFIDENCE_LABELS,
        )

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        columns = [
            ("order", "序号"),
            ("name", "文书名称"),
            ("stage", "环节"),
            ("number_code", "文号代字"),
            ("to_enterprise", "送达当事人"),
            ("implemented", "可生成"),
            ("source", "来源"),
            ("confidence", "可信度"),
        ]
        rows = [
            {
                "order": f.order,
                "name": f.name,
                "stage": f.stage,
                "number_code": f.number_code,
                "to_enterprise": "是" if f.to_enterprise else "否",
                "implemented": "是" if f.implemented else "仅空白模板",
                "source": f.source,
                "confidence": CONFIDENCE_LABELS.get(f.confidence, f.confidence),
            }
            for f in forms(_pm()).values()
        ]
        return send_file(
            io.BytesIO(export_xlsx(columns, rows, sheet="文书模板")),
            mimetype=XLSX,
            as_attachment=True,
            download_name="文书模板目录.xlsx",
        )

    @expose("/blank/<code>.<fmt>")
    @has_access
    def blank(self, code: str, fmt: str) -> Any:
        if fmt not in {"pdf", "docx"}:
            abort(404)
        try:
            form = get_form(code, _pm())
        except DocumentError:
            abort(404)
        try:
            data = service.blank(code, fmt, pm=_pm())
        except DocumentError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("DocumentTemplateView.index"))
        return send_file(
            io.BytesIO(data),
            mimetype=PDF if fmt == "pdf" else DOCX,
            as_attachment=True,
            download_name=f"{form.name}（空白）.{fmt}",
        )


class DocumentAdminView(_DocumentBase):
    """系统维护配置 → 文书管理（删除）: admin only (no other role is granted these permissions)."""

    route_base = "/document-admin"
    default_view = "index"

    @expose("/")
    @has_access
    def index(self) -> Any:
        q = request.args.get("q", "").strip()
        documents = (
            self._session()
            .scalars(_search(select(Document), q).order_by(Document.id.desc()).limit(LIST_LIMIT))
            .all()
        )
        return self.render_template(
            "enforcement/documents/admin.html",
            documents=documents,
            deleted=service.deleted_documents(self._session()),
            q=q,
            errors={},
        )

    @expose("/delete/<int:document_id>", methods=["POST"])
    @has_access
    def delete(self, document_id: int) -> Any:
        document = self._document_or_404(document_id)
        reason = request.form.get("reason", "").strip()
        try:
            service.delete(self._session(), document, reason, current_actor().username)
        except PermissionError:
            abort(403)
        except DocumentError as exc:
            flash(f"{document.title}：{exc}", "danger")
            return redirect(url_for("DocumentAdminView.index"))
        flash(f"已删除：{document.title} {document.number or ''}", "success")
        return redirect(url_for("DocumentAdminView.index"))

    @expose("/restore/<int:document_id>", methods=["POST"])
    @has_access
    def restore(self, document_id: int) -> Any:
        document = service.get_deleted(self._session(), document_id)
        if document is None:
            abort(404)
        try:
            service.restore(self._session(), document, current_actor().username)
        except PermissionError:
            abort(403)
        flash(f"已恢复：{document.title} {document.number or ''}", "success")
        return redirect(url_for("DocumentAdminView.index"))


def document_panel(kind: str, subject_id: int) -> dict[str, Any]:
    """For a step's page: its documents (newest version first) and the forms it can generate.

    A Jinja global (web/registry.py), so other areas' templates show the panel without importing this.
    """
    catalogue = forms(_pm())
    documents = service.documents_of(app_session(), kind, subject_id)
    offered = [catalogue[c] for c in service.STEP_FORMS.get(kind, ()) if c in catalogue]
    # A docked subject is read-only: its documents come from the source system.
    read_only = readonly.refusal(app_session(), kind, subject_id)
    return {
        "kind": kind,
        "subject": f"{kind}:{subject_id}",
        "documents": sorted(documents, key=lambda d: d.id, reverse=True),
        "forms": offered,
        "can_generate": read_only is None and _can("can_new"),
        "read_only": read_only,
        "can_case_file": kind == "case" and _can("can_case_file"),
    }


def _can(permission: str) -> bool:
    return bool(current_app.appbuilder.sm.has_access(permission, "DocumentView"))
