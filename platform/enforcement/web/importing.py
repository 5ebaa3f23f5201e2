"""批量导入 page: pick a kind, upload .xlsx/.csv, see every rejected row; templates to download."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import abort, current_app, request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from enforcement.services.exporting import template_xlsx
from enforcement.services.importing import ImportResult, import_file

KINDS = {
    "enterprises": "执法对象（企业）",
    "equipment": "设备台账",
    "enforcers": "执法人员及培训记录",
}
ALLOWED_SUFFIXES = {".xlsx", ".csv"}


class ImportView(BaseView):
    route_base = "/import"
    default_view = "index"

    def _page(
        self,
        result: ImportResult | None = None,
        error: str | None = None,
        kind: str = "enterprises",
        filename: str = "",
    ) -> Any:
        return self.render_template(
            "enforcement/import.html",
            kinds=KINDS,
            result=result,
            error=error,
            kind=kind,
            filename=filename,
            max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
        )

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self) -> Any:
        if request.method == "GET":
            return self._page()
        kind = request.form.get("kind", "")
        upload = request.files.get("file")
        if kind not in KINDS:
            return self._page(error="请选择导入类型", kind=kind)
        if upload is None or not upload.filename:
            return self._page(error="请选择要导入的文件", kind=kind)
        if Path(upload.filename).suffix.lower() not in ALLOWED_SUFFIXES:
            return self._page(error="只支持 .xlsx 或 .csv 文件", kind=kind)
        result = import_file(
            self.appbuilder.session,
            kind,
            upload.read(),
            upload.filename,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
        )
        return self._page(result=result, kind=kind, filename=upload.filename)

    @expose("/template/<kind>.xlsx")
    @has_access
    def template(self, kind: str) -> Any:
        if kind not in KINDS:
            abort(404)
        return send_file(
            io.BytesIO(template_xlsx(kind)),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=f"{KINDS[kind]}导入模板.xlsx",
        )
