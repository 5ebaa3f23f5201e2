"""执法资源库 pages: the seven collections, search, an entry, adding entries and files, downloads.

Reads go through the scoped session (a county sees national entries, its province's, city's and its
own); adding is for the actor's own region only (services/library). 文书模板 lists the document
catalogue read-only and links to the blank forms of the 文书模板 page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from markupsafe import Markup, escape
from werkzeug.exceptions import RequestEntityTooLarge

from enforcement.db.acting import current_actor
from enforcement.documents import forms
from enforcement.domain import library as rules
from enforcement.domain.errors import Refused
from enforcement.models import LibraryEntry, Region
from enforcement.services import library as service
from enforcement.services.checklists import platform_of
from enforcement.web.base import app_session

FORM_FIELDS = (
    "collection",
    "title",
    "number",
    "issuer",
    "status",
    "published_on",
    "effective_on",
    "summary",
    "body",
    "source",
    "supersedes_id",
)


_BOOK_TITLE = re.compile(r"《[^》]{2,60}》")


def library_links(text: str | None) -> Markup:
    """A legal basis with each 《title》 linked to the library (the link resolves the citation when
    clicked, so rendering a checklist costs no query). A template filter for any area's pages."""
    out, last = [], 0
    text = text or ""
    for match in _BOOK_TITLE.finditer(text):
        out.append(escape(text[last : match.start()]))
        href = url_for("LibraryView.cite", law=match.group(0))
        out.append(
            Markup('<a class="library-cite" href="{}" title="在执法资源库中查看">{}</a>').format(
                href, match.group(0)
            )
        )
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filters_from(args: Any) -> service.Filters:
    """The list filters of a query string; unknown or malformed values do not narrow."""
    return service.Filters(
        q=(args.get("q") or "").strip()[:100],
        collection=args.get("collection") or "",
        issuer=(args.get("issuer") or "").strip()[:120],
        status=args.get("status") or "",
        key_item_set=args.get("set") or "",
        effective_from=_day(args.get("from")),
        effective_to=_day(args.get("to")),
        scope=args.get("scope") or "",
    )


def max_bytes() -> int:
    """The library's file limit, never above what the server accepts in one request."""
    limit = int(current_app.config.get("LIBRARY_MAX_BYTES", service.DEFAULT_MAX_BYTES))
    server = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(limit, int(server)) if server else limit


class LibraryView(BaseView):
    """执法资源库: 法律法规, 部门规章, 安全标准, 相关文件, 典型执法案例, 学习资料下载, 文书模板."""

    route_base = "/library"
    default_view = "index"

    def _can(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(permission, self.class_permission_name))

    def _region_name(self, code: str | None) -> str:
        if not code:
            return "全国"
        region = app_session().get(Region, code)
        return region.full_name if region is not None else code

    @expose("/")
    @has_access
    @permission_name("show")
    def index(self) -> Any:
        filters = filters_from(request.args)
        try:
            page = max(0, int(request.args.get("page", 0)))
        except ValueError:
            page = 0
        session = app_session()
        templates = []
        result = service.Page(0)
        if filters.collection == "templates":
            templates = [
                f
                for f in forms(platform_of().pm).values()
                if not filters.q or filters.q in f.name or filters.q in f.stage
            ]
        else:
            result = service.search(session, filters, page=page)
        return self.render_template(
            "enforcement/library/index.html",
            filters=filters,
            result=result,
            templates=templates,
            page=page,
            pages=max(1, -(-result.count // service.PAGE_SIZE)),
            counts=service.collection_counts(session),
            issuers=service.issuers(session),
            collections=rules.COLLECTIONS,
            statuses=rules.STATUSES,
            sets=rules.KEY_ITEM_SETS,
            can_add=self._can("can_add"),
        )

    @expose("/<int:entry_id>")
    @has_access
    @permission_name("show")
    def detail(self, entry_id: int) -> Any:
        entry = service.get_entry(app_session(), entry_id)
        if entry is None:
            abort(404)
        return self._detail_page(entry)

    def _detail_page(self, entry: LibraryEntry, upload_error: str | None = None) -> Any:
        session = app_session()
        declarations = [e.declaration for e in platform_of().registry.active().values()]
        return self.render_template(
            "enforcement/library/detail.html",
            entry=entry,
            files=[f for f in entry.files if f.deleted_at is None],
            older=service.get_entry(session, entry.supersedes_id) if entry.supersedes_id else None,
            later=service.later_versions(session, entry),
            citing=service.citing_items(entry, declarations),
            region_name=self._region_name(entry.region_code),
            sets=rules.KEY_ITEM_SETS,
            confidence=rules.CONFIDENCE,
            q=(request.args.get("q") or "")[:100],
            highlight=rules.highlight,
            can_upload=self._can("can_add") and self._writable(entry),
            max_mb=max_bytes() // (1024 * 1024),
            accepted=rules.ACCEPTED_LABEL,
            upload_error=upload_error,
        )

    @staticmethod
    def _writable(entry: LibraryEntry) -> bool:
        jurisdiction = current_actor().jurisdiction
        return jurisdiction.is_national or (
            entry.region_code is not None and jurisdiction.contains(entry.region_code)
        )

    @expose("/new/", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def new(self) -> Any:
        return self._entry_form(None, {"collection": request.args.get("collection", "laws")})

    @expose("/<int:entry_id>/edit", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def edit(self, entry_id: int) -> Any:
        """Change an entry of the user's own region (status 已废止, a corrected date, …)."""
        entry = service.get_entry(app_session(), entry_id)
        if entry is None or not self._writable(entry):
            abort(404)
        values = {key: getattr(entry, key) for key in FORM_FIELDS}
        values["key_item_sets"] = list(entry.key_item_sets)
        return self._entry_form(entry, values)

    def _entry_form(self, entry: LibraryEntry | None, values: dict[str, Any]) -> Any:
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            values = {key: request.form.get(key, "") for key in FORM_FIELDS}
            values["key_item_sets"] = request.form.getlist("key_item_sets")
            try:
                saved = service.save_entry(app_session(), values, entry)
            except Refused as refused:
                app_session().rollback()
                errors = refused.by_field(FORM_FIELDS + ("key_item_sets",))
            else:
                flash(f"{'已保存' if entry else '已添加'}：{saved.title}", "success")
                return redirect(url_for(".detail", entry_id=saved.id))
        region = entry.region_code if entry else current_actor().jurisdiction.region_code
        page = self.render_template(
            "enforcement/library/new.html",
            entry=entry,
            values=values,
            errors=errors,
            collections={k: rules.COLLECTIONS[k] for k in rules.STORED_COLLECTIONS},
            statuses=rules.STATUSES,
            sets=rules.KEY_ITEM_SETS,
            region_name=self._region_name(region),
        )
        return page, (422 if errors else 200)

    @expose("/import/", methods=["GET", "POST"])
    @has_access
    @permission_name("add")
    def catalogue_import(self) -> Any:
        """Bulk import of a catalogue (.xlsx/.csv) into the user's region; every bad cell listed."""
        outcome, error, status = None, None, 200
        if request.method == "POST":
            try:
                file = request.files.get("file")
            except RequestEntityTooLarge:
                file, error, status = None, "文件过大，请拆分后重新导入", 413
            if error is None and (file is None or not file.filename):
                error, status = "请选择要导入的 .xlsx 或 .csv 文件", 422
            elif error is None:
                assert file is not None
                try:
                    outcome = service.import_catalogue(app_session(), file.read(), file.filename)
                except Refused as refused:
                    error, status = "；".join(refused.messages), 422
                else:
                    status = 422 if outcome.errors and not outcome.added else 200
        page = self.render_template(
            "enforcement/library/import.html",
            outcome=outcome,
            error=error,
            headers=list(service.HEADERS),
            region_name=self._region_name(current_actor().jurisdiction.region_code),
        )
        return page, status

    @expose("/<int:entry_id>/upload", methods=["POST"])
    @has_access
    @permission_name("add")
    def upload(self, entry_id: int) -> Any:
        session = app_session()
        entry = service.get_entry(session, entry_id)
        if entry is None:
            abort(404)
        limit = max_bytes()
        try:
            file = request.files.get("file")
        except RequestEntityTooLarge:
            too_large = f"文件超过 {limit / (1024 * 1024):g} MB，请压缩或拆分后重新上传"
            return self._upload_refused(entry, too_large, 413)
        if file is None or not file.filename:
            return self._upload_refused(entry, "请选择要上传的文件", 422)
        data = file.read(limit + 1)
        try:
            service.add_file(
                session,
                entry,
                file.filename,
                data,
                data_dir=current_app.config["DATA_DIR"],
                max_bytes=limit,
            )
        except Refused as refused:
            status = 413 if len(data) > limit else 422
            return self._upload_refused(entry, "；".join(refused.messages), status)
        flash(f"已上传：{file.filename}", "success")
        return redirect(url_for(".detail", entry_id=entry.id))

    def _upload_refused(self, entry: LibraryEntry, message: str, status: int) -> Any:
        return self._detail_page(entry, upload_error=message), status

    @expose("/file/<int:file_id>")
    @has_access
    @permission_name("show")
    def file(self, file_id: int) -> Any:
        """The file with its type and name; conditional, so a video answers range requests."""
        found = service.find_file(app_session(), file_id, current_app.config["DATA_DIR"])
        if found is None:
            abort(404)
        row, path = found
        inline = row.content_type in ("application/pdf", "video/mp4")
        response = send_file(
            path,
            mimetype=row.content_type,
            as_attachment=not inline,
            download_name=row.filename,
            conditional=True,
            etag=row.sha256,
            max_age=3600,
        )
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response

    @expose("/cite/")
    @has_access
    @permission_name("show")
    def cite(self) -> Any:
        """A citation (《粉尘防爆安全规程》(GB 15577-2018)) → its entry, or a search for it."""
        citation = (request.args.get("law") or "").strip()[:300]
        entry = service.find_cited(app_session(), citation) if citation else None
        if entry is not None:
            return redirect(url_for(".detail", entry_id=entry.id))
        flash("资源库中尚未收录该依据，以下为搜索结果", "info")
        return redirect(url_for(".index", q=" ".join(rules.words(citation))[:100]))
