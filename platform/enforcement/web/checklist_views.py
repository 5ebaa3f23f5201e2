"""检查事项 pages: the plugin overview and its Excel export, bureau uploads (preview, publish, retire),
the field form an inspector fills for one enterprise, and the evidence files behind it.

The form itself is drawn in the browser (static/js/checklist-form.js) from the compiled UI schema and
answers schema embedded in the page as JSON; answers go to the checklist API
(POST /api/v1/checklist/<id>/answers). Jurisdiction is the session's: an enterprise or evidence file
of another region does not exist here (404). Uploaded plugins are not ORM-scoped (a bureau's plugin
is read by its parents and children alike), so their visibility is checked here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from enforcement.checklists.compiler import SEVERITY_LABELS
from enforcement.checklists.measures import MEASURE_LABELS, basis_text
from enforcement.domain import codes
from enforcement.models import AnswerSet, ChecklistUpload, Enterprise, EvidenceFile, Region
from enforcement.models.scoping import UNSCOPED, current_actor
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists as service
from enforcement.services.exporting import export_xlsx

SOURCE_LABELS = {"builtin": "内置", "folder": "目录", "uploaded": "上传", "package": "扩展包"}
STATUS_LABELS = ChecklistUpload.STATUS_LABELS
CONFIDENCE_LABELS = {"high": "高", "medium": "中", "low": "低"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PLUGIN_MAX_BYTES = 1024 * 1024
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = "JPEG、PNG、WebP 图片或 PDF 文件"
SHA256 = re.compile(r"^[0-9a-f]{64}$")
PICKER_LIMIT = 50

ITEM_COLUMNS: list[tuple[str, str]] = [
    ("plugin_id", "插件编号"),
    ("plugin_title", "检查表"),
    ("version", "版本"),
    ("code", "事项编号"),
    ("item_id", "事项标识"),
    ("title", "检查事项"),
    ("severity", "隐患等级"),
    ("equipment", "逐设备类型"),
    ("legal", "法律依据"),
    ("penalty", "处罚依据"),
    ("confidence", "可信度"),
    ("content", "检查内容"),
    ("method", "检查方法"),
]


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


def _entry_of(upload: ChecklistUpload) -> ChecklistEntry:
    """The registry's view of an upload (also of a draft, which the registry does not hold)."""
    return ChecklistEntry(
        upload.declaration, "uploaded", f"upload:{upload.id}", status=upload.status
    )


def _legal_text(item: dict[str, Any]) -> str:
    return "；".join(basis_text(basis) for basis in item.get("legal_basis", []))


def _item_row(
    entry: ChecklistEntry, item: dict[str, Any], equipment_types: dict[str, str]
) -> dict[str, Any]:
    repeat = item.get("repeat")
    row = {
        "plugin_id": entry.id,
        "plugin_title": entry.declaration["title"],
        "version": entry.version,
        "code": item.get("code") or "",
        "item_id": item["id"],
        "title": item["title"],
        "severity": SEVERITY_LABELS.get(item["severity"], item["severity"]),
        "major": item["severity"] == "major",
        "equipment": equipment_types.get(repeat["equipment_type"], repeat["equipment_type"])
        if repeat
        else "",
        "legal": _legal_text(item),
        "penalty": basis_text(item.get("penalty_basis", {})),
        "confidence": CONFIDENCE_LABELS.get(
            item.get("x-confidence", ""), item.get("x-confidence", "")
        ),
        "content": item["content"],
        "method": item["method"],
    }
    row["search"] = " ".join(
        str(row[key])
        for key in (
            "plugin_id",
            "plugin_title",
            "code",
            "item_id",
            "title",
            "severity",
            "equipment",
            "legal",
            "confidence",
        )
    ).casefold()
    return row


class ChecklistView(BaseView):
    """检查事项 (overview, export, upload, preview, publish, retire) and 现场检查表 (fill, evidence)."""

    route_base = "/checklists"
    default_view = "index"

    # -- helpers ---------------------------------------------------------------------------------

    def _session(self) -> Any:  # a method, not a property: FAB inspects every attribute at init
        return self.appbuilder.session

    def _can(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(permission, self.class_permission_name))

    def _region_names(self, region_codes: set[str]) -> dict[str, str]:
        if not region_codes:
            return {}
        rows = self._session().execute(
            select(Region.code, Region.full_name).where(Region.code.in_(region_codes))
        )
        return {code: name for code, name in rows}

    def _draft_uploads(self) -> list[ChecklistUpload]:
        """Drafts issued for a region inside the user's jurisdiction (national drafts: national users)."""
        jurisdiction = current_actor().jurisdiction
        query = (
            select(ChecklistUpload)
            .where(ChecklistUpload.status == "draft")
            .order_by(ChecklistUpload.id)
        )
        if jurisdiction.denied:
            return []
        if not jurisdiction.is_national:
            low, high = jurisdiction.code_range  # type: ignore[misc]
            query = query.where(ChecklistUpload.scope_region.between(low, high))
        return list(self._session().scalars(query))

    def _upload_or_404(self, upload_id: int) -> ChecklistUpload:
        """An upload the user may see: drafts inside the jurisdiction, published ones where visible."""
        upload = self._session().get(ChecklistUpload, upload_id)
        jurisdiction = current_actor().jurisdiction
        if upload is None or jurisdiction.denied:
            abort(404)
        if upload.status == "draft":
            visible = jurisdiction.is_national or jurisdiction.contains(upload.scope_region)
        else:
            visible = _entry_of(upload).visible_to(jurisdiction)
        if not visible:
            abort(404)
        return upload

    @staticmethod
    def _may_manage(upload: ChecklistUpload) -> bool:
        """Publishing and retiring: the issuing region must lie inside the user's jurisdiction."""
        jurisdiction = current_actor().jurisdiction
        return jurisdiction.is_national or jurisdiction.contains(upload.scope_region)

    def _active_items(self, platform: Platform, query: str = "") -> list[dict[str, Any]]:
        jurisdiction = current_actor().jurisdiction
        needle = query.strip().casefold()
        rows = []
        for entry in platform.registry.active().values():
            if not entry.visible_to(jurisdiction):
                continue
            for item in entry.declaration["items"]:
                row = _item_row(entry, item, platform.registry.equipment_types)
                if not needle or all(part in row["search"] for part in needle.split()):
                    rows.append(row)
        return rows

    # -- 检查事项 overview and export -------------------------------------------------------------

    @expose("/")
    @has_access
    def index(self) -> Any:
        """Every plugin version the user may see, and the items of the active ones (searchable)."""
        platform = service.platform_of()
        jurisdiction = current_actor().jurisdiction
        entries = service.visible_entries(platform, jurisdiction)
        drafts = self._draft_uploads()
        names = self._region_names(
            {e.scope_region for e in entries if e.scope_region}
            | {d.scope_region for d in drafts if d.scope_region}
        )
        active = platform.registry.active()
        versions = []
        for entry in entries:
            upload_id = (
                int(entry.location.split(":", 1)[1])
                if entry.location.startswith("upload:")
                else None
            )
            versions.append(
                {
                    "id": entry.id,
                    "version": entry.version,
                    "title": entry.declaration["title"],
                    "source": SOURCE_LABELS.get(entry.source, entry.source),
                    "status": entry.status,
                    "status_label": STATUS_LABELS.get(entry.status, entry.status),
                    "current": active.get(entry.id) is entry,
                    "scope": names.get(entry.scope_region, entry.scope_region)
                    if entry.scope_region
                    else "全国",
                    "item_count": len(entry.declaration["items"]),
                    "hooks": platform.hook_names(entry),
                    "upload_id": upload_id,
                }
            )
        for draft in drafts:
            versions.append(
                {
                    "id": draft.plugin_id,
                    "version": draft.version,
                    "title": draft.title,
                    "source": SOURCE_LABELS["uploaded"],
                    "status": draft.status,
                    "status_label": draft.status_label,
                    "current": False,
                    "scope": names.get(draft.scope_region, draft.scope_region)
                    if draft.scope_region
                    else "全国",
                    "item_count": len(draft.declaration.get("items", [])),
                    "hooks": [],
                    "upload_id": draft.id,
                }
            )
        query = request.args.get("q", "")
        return self.render_template(
            "enforcement/checklists/index.html",
            title="检查事项",
            versions=versions,
            items=self._active_items(platform, query),
            q=query,
            can_upload=self._can("can_upload"),
            load_errors=platform.registry.errors if jurisdiction.is_national else [],
        )

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        """The items of the active checklists (same ?q= filter as the page) as an .xlsx file."""
        rows = self._active_items(service.platform_of(), request.args.get("q", ""))
        data = export_xlsx(ITEM_COLUMNS, rows, sheet="检查事项")
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M")
        return send_file(
            io.BytesIO(data),
            mimetype=XLSX,
            as_attachment=True,
            download_name=f"检查事项_{stamp}.xlsx",
        )

    # -- bureau plugins: upload, preview, publish, retire ------------------------------------------

    @expose("/upload/", methods=["GET", "POST"])
    @has_access
    def upload(self) -> Any:
        """Upload a bureau's plugin.json: every error at once (nothing kept), else a draft to preview."""
        if request.method == "GET":
            return self._upload_page()
        try:
            file = request.files.get("file")
        except RequestEntityTooLarge:
            return self._upload_page(
                error="文件超过 1 MB：检查事项插件应为不超过 1 MB 的 JSON 文件", status=413
            )
        if file is None or not file.filename:
            return self._upload_page(error="请选择要上传的 plugin.json 文件")
        filename = Path(file.filename).name[:200]
        if Path(filename).suffix.lower() != ".json":
            return self._upload_page(
                error="只支持 .json 文件（检查事项插件 plugin.json）", filename=filename
            )
        raw = file.read(PLUGIN_MAX_BYTES + 1)
        if len(raw) > PLUGIN_MAX_BYTES:
            return self._upload_page(
                error="文件超过 1 MB：检查事项插件应为不超过 1 MB 的 JSON 文件",
                filename=filename,
                status=413,
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return self._upload_page(
                error="文件不是 UTF-8 编码的文本，请以 UTF-8 保存后重新上传", filename=filename
            )
        result = service.upload_plugin(self._session(), service.platform_of(), text, filename)
        if result.errors:
            return self._upload_page(errors=result.errors, filename=filename, status=422)
        assert result.upload is not None
        flash(
            f"已上传草稿：{result.upload.title}（版本 {result.upload.version}），请预览确认后发布",
            "success",
        )
        return redirect(url_for(".preview", upload_id=result.upload.id))

    def _upload_page(self, *, status: int = 200, **kwargs: Any) -> Any:
        kwargs.setdefault("errors", [])
        kwargs.setdefault("error", None)
        kwargs.setdefault("filename", "")
        page = self.render_template(
            "enforcement/checklists/upload.html",
            title="上传检查事项插件",
            max_mb=PLUGIN_MAX_BYTES // (1024 * 1024),
            **kwargs,
        )
        return page, status

    @expose("/preview/<int:upload_id>")
    @has_access
    def preview(self, upload_id: int) -> Any:
        """The generated form exactly as an inspector gets it (a demonstration: nothing is saved)."""
        upload = self._upload_or_404(upload_id)
        entry = _entry_of(upload)
        platform = service.platform_of()
        equipment_types = {
            **platform.registry.equipment_types,
            **{t["id"]: t["title"] for t in upload.declaration.get("equipment_types", [])},
        }
        demo_types = sorted(
            {
                item["repeat"]["equipment_type"]
                for item in upload.declaration["items"]
                if "repeat" in item
            }
        )
        equipment = [
            {
                "id": index + 1,
                "type": type_id,
                "name": f"示例设备：{equipment_types.get(type_id, type_id)}",
            }
            for index, type_id in enumerate(demo_types)
        ]
        names = self._region_names({upload.scope_region} if upload.scope_region else set())
        may_manage = self._may_manage(upload)
        return self.render_template(
            "enforcement/checklists/preview.html",
            title=f"预览：{upload.title}",
            upload=upload,
            declaration=upload.declaration,
            scope=names.get(upload.scope_region, upload.scope_region)
            if upload.scope_region
            else "全国",
            items=[_item_row(entry, item, equipment_types) for item in upload.declaration["items"]],
            form_data=self._form_data(entry, "preview", equipment, equipment_types),
            can_publish=may_manage and upload.status == "draft" and self._can("can_publish"),
            can_retire=may_manage and upload.status == "active" and self._can("can_retire"),
        )

    @expose("/publish/<int:upload_id>", methods=["POST"])
    @has_access
    def publish(self, upload_id: int) -> Any:
        upload = self._upload_or_404(upload_id)
        if not self._may_manage(upload):
            abort(403)
        try:
            service.publish(self._session(), service.platform_of(), upload)
        except ValueError as exc:
            flash(f"无法发布：{exc}", "danger")
        else:
            flash(
                f"已发布：{upload.title}（版本 {upload.version}），辖区执法人员现在即可使用",
                "success",
            )
        return redirect(url_for(".preview", upload_id=upload.id))

    @expose("/retire/<int:upload_id>", methods=["POST"])
    @has_access
    def retire(self, upload_id: int) -> Any:
        upload = self._upload_or_404(upload_id)
        if not self._may_manage(upload):
            abort(403)
        try:
            service.retire(self._session(), service.platform_of(), upload)
        except ValueError as exc:
            flash(f"无法停用：{exc}", "danger")
        else:
            flash(
                f"已停用：{upload.title}（版本 {upload.version}），新的检查不再使用该版本，已有检查记录不受影响",
                "success",
            )
        return redirect(url_for(".preview", upload_id=upload.id))

    # -- 现场检查表 ---------------------------------------------------------------------------------

    def _form_data(
        self,
        entry: ChecklistEntry,
        mode: str,
        equipment: list[dict[str, Any]],
        equipment_types: dict[str, str],
        enterprise_id: int | None = None,
        draft: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """What checklist-form.js renders: embedded as JSON, never as script."""
        compiled = entry.compiled
        return {
            "mode": mode,
            "plugin_id": entry.id,
            "version": entry.version,
            "title": entry.declaration["title"],
            "schema_hash": compiled.sha256,
            "ui_schema": compiled.ui_schema,
            "answers_schema": compiled.answers_schema,
            "enterprise_id": enterprise_id,
            "equipment": equipment,
            "equipment_types": equipment_types,
            "measure_labels": MEASURE_LABELS,
            "draft": draft,
            "api_url": f"/api/v1/checklist/{entry.id}/answers",
            "evidence_url": url_for(".evidence"),
            "evidence_file_url": url_for(".evidence_file", sha256="0" * 64)[:-64],
            "evidence_max_bytes": self._evidence_max(),
        }

    @staticmethod
    def _evidence_max() -> int:
        return int(current_app.config.get("EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES))

    @expose("/fill/")
    @expose("/fill/<int:enterprise_id>")
    @has_access
    def fill(self, enterprise_id: int | None = None) -> Any:
        """现场检查表: pick an enterprise, then one of its applicable checklists, and fill it in."""
        if enterprise_id is None:
            return self._enterprise_picker()
        enterprise = self._session().get(
            Enterprise, enterprise_id
        )  # scoped: another region's → None
        if enterprise is None:
            abort(404)
        platform = service.platform_of()
        entries = service.applicable(platform, enterprise)
        wanted = request.args.get("plugin")
        entry = next((e for e in entries if e.id == wanted), None) if wanted else None
        if wanted and entry is None:
            flash(
                "所选检查事项不适用于该企业（或不在您的辖区发布），已显示第一个适用的检查表",
                "warning",
            )
        entry = entry or (entries[0] if entries else None)
        facts = service.enterprise_facts(enterprise)
        equipment = [
            {"id": e["id"], "type": e["equipment_type"], "name": e["name"]}
            for e in facts["equipment"]
        ]
        form_data = latest = None
        if entry is not None:
            latest = (
                self._session()
                .scalars(
                    select(AnswerSet)
                    .where(
                        AnswerSet.enterprise_id == enterprise.id, AnswerSet.plugin_id == entry.id
                    )
                    .order_by(AnswerSet.id.desc())
                    .limit(1)
                )
                .first()
            )
            resume = (
                latest is not None
                and latest.status == "draft"
                and latest.schema_hash == entry.compiled.sha256
                and latest.created_by == current_actor().username
            )
            form_data = self._form_data(
                entry,
                "fill",
                equipment,
                platform.registry.equipment_types,
                enterprise_id=enterprise.id,
                draft=latest.answers if resume and latest is not None else None,
            )
        return self.render_template(
            "enforcement/checklists/fill.html",
            title=f"现场检查表：{enterprise.name}",
            enterprise=enterprise,
            region_name=enterprise.region.full_name
            if enterprise.region
            else enterprise.region_code,
            tags=[codes.label(codes.TAGS, t) for t in enterprise.tags],
            entries=entries,
            entry=entry,
            latest=latest,
            form_data=form_data,
        )

    def _enterprise_picker(self) -> Any:
        query = request.args.get("q", "").strip()
        statement = select(Enterprise).order_by(Enterprise.name).limit(PICKER_LIMIT + 1)
        if query:
            like = f"%{query}%"
            statement = statement.where(
                or_(
                    Enterprise.name.like(like),
                    Enterprise.uscc.like(like),
                    Enterprise.address.like(like),
                )
            )
        found = list(self._session().scalars(statement))
        return self.render_template(
            "enforcement/checklists/pick.html",
            title="现场检查表",
            enterprises=found[:PICKER_LIMIT],
            more=len(found) > PICKER_LIMIT,
            q=query,
            tag_labels=codes.TAGS,
        )

    # -- evidence ----------------------------------------------------------------------------------

    @staticmethod
    def _json_error(status: int, message: str, path: str = "/file") -> Any:
        return jsonify(message=message, errors=[{"path": path, "message": message}]), status

    @expose("/evidence/", methods=["POST"])
    @has_access
    def evidence(self) -> Any:
        """Store a photo or document by its SHA-256 for an enterprise the user can see."""
        limit = self._evidence_max()
        limit_text = f"文件超过 {limit / (1024 * 1024):g} MB，请压缩后重新上传"
        try:
            file = request.files.get("file")
            enterprise_id = request.form.get("enterprise_id", "")
        except RequestEntityTooLarge:
            return self._json_error(413, limit_text)
        if file is None or not file.filename:
            return self._json_error(422, "请选择要上传的文件")
        data = file.read(limit + 1)
        if len(data) > limit:
            return self._json_error(413, limit_text)
        if not data:
            return self._json_error(422, "文件为空")
        content_type = sniff_content_type(data)
        if content_type is None:
            return self._json_error(
                422, f"文件类型不支持：只接受 {EVIDENCE_TYPES}（按文件内容识别，不看扩展名）"
            )
        enterprise = (
            self._session().get(Enterprise, int(enterprise_id)) if enterprise_id.isdigit() else None
        )
        if enterprise is None:
            return self._json_error(404, "企业不存在或不在您的管辖范围内", "/enterprise_id")
        sha = hashlib.sha256(data).hexdigest()
        self._store(sha, data)
        row = self._session().get(EvidenceFile, sha, execution_options={UNSCOPED: True})
        if row is None:
            self._session().add(
                EvidenceFile(
                    sha256=sha,
                    content_type=content_type,
                    size=len(data),
                    original_name=Path(file.filename).name[:200],
                    region_code=enterprise.region_code,
                    uploaded_by=current_actor().username,
                )
            )
            self._session().commit()
        return jsonify(sha256=sha, size=len(data), content_type=content_type), 201

    @staticmethod
    def _path(sha: str) -> Path:
        return Path(current_app.config["DATA_DIR"]) / "evidence" / sha[:2] / sha

    def _store(self, sha: str, data: bytes) -> None:
        """Content-addressed and written atomically: the same file twice is stored once."""
        path = self._path(sha)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @expose("/evidence/<sha256>")
    @has_access
    def evidence_file(self, sha256: str) -> Any:
        """An evidence file, only when its row is visible (the session scopes it by region)."""
        if not SHA256.match(sha256):
            abort(404)
        row = self._session().get(EvidenceFile, sha256)
        path = self._path(sha256)
        if row is None or not path.is_file():
            abort(404)
        extension = {
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
            "application/pdf": ".pdf",
        }
        response = send_file(
            path,
            mimetype=row.content_type,
            download_name=f"{sha256[:12]}{extension.get(row.content_type, '')}",
        )
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response
