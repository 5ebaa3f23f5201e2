"""检查事项 pages: the plugin overview and its Excel export, bureau uploads (preview, publish, retire);
the field form and its evidence (现场检查表) come from checklists/fill.py, in the same view.

Uploaded plugins are not ORM-scoped (a bureau's plugin is read by its parents and children alike), so
their visibility is checked here.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from enforcement.checklists.compiler import SEVERITY_LABELS
from enforcement.checklists.measures import basis_text
from enforcement.db.acting import current_actor
from enforcement.models import ChecklistUpload, Region
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists as service
from enforcement.services.exporting import export_xlsx
from enforcement.web.base import CONFIDENCE_LABELS, XLSX
from enforcement.web.checklists.fill import FieldFormPages

SOURCE_LABELS = {"builtin": "内置", "folder": "目录", "uploaded": "上传", "package": "扩展包"}
STATUS_LABELS = ChecklistUpload.STATUS_LABELS
PLUGIN_MAX_BYTES = 1024 * 1024


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


class ChecklistView(FieldFormPages):
    """检查事项 (overview, export, upload, preview, publish, retire) and 现场检查表 (fill, evidence)."""

    route_base = "/checklists"
    default_view = "index"

    # -- helpers ---------------------------------------------------------------------------------

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
        may_publish = may_manage and service.may_publish(self._session(), platform, upload)
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
            can_publish=may_publish and upload.status == "draft" and self._can("can_publish"),
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
