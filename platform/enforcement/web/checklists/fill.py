"""现场检查表: the field form an inspector fills for one enterprise, and the evidence files behind it.

The form itself is drawn in the browser (static/js/checklist-form.js) from the compiled UI schema and
answers schema embedded in the page as JSON; answers go to the checklist API
(POST /api/v1/checklist/<id>/answers). Evidence is stored by services/evidence.py. Jurisdiction is
the session's: an enterprise or evidence file of another region does not exist here (404).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from enforcement.checklists.measures import MEASURE_LABELS
from enforcement.db.acting import current_actor
from enforcement.domain import codes
from enforcement.models import AnswerSet, Enterprise
from enforcement.plugins import ChecklistEntry
from enforcement.services import checklists as service
from enforcement.services import evidence
from enforcement.web.inputs import to_id

PICKER_LIMIT = 50


class FieldFormPages(BaseView):
    """The 现场检查表 half of ChecklistView (fill, evidence); the class FAB registers is ChecklistView."""

    def _session(self) -> Any:  # a method, not a property: FAB inspects every attribute at init
        return self.appbuilder.session

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
        return int(current_app.config.get("EVIDENCE_MAX_BYTES", evidence.DEFAULT_MAX_BYTES))

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
        try:
            file = request.files.get("file")
            enterprise_id = request.form.get("enterprise_id", "")
        except RequestEntityTooLarge:
            return self._json_error(413, evidence.too_large_message(limit))
        if file is None or not file.filename:
            return self._json_error(422, "请选择要上传的文件")
        try:
            stored = evidence.store_evidence(
                self._session(),
                file.read(limit + 1),
                file.filename,
                to_id(enterprise_id),
                data_dir=current_app.config["DATA_DIR"],
                max_bytes=limit,
            )
        except evidence.EvidenceError as exc:
            status = (
                413
                if isinstance(exc, evidence.EvidenceTooLarge)
                else 404
                if isinstance(exc, evidence.UnknownEnterprise)
                else 422
            )
            return self._json_error(status, exc.message, exc.path)
        return jsonify(
            sha256=stored.sha256, size=stored.size, content_type=stored.content_type
        ), 201

    @expose("/evidence/<sha256>")
    @has_access
    def evidence_file(self, sha256: str) -> Any:
        """An evidence file, only when its row is visible (the session scopes it by region)."""
        found = evidence.find_evidence(self._session(), sha256, current_app.config["DATA_DIR"])
        if found is None:
            abort(404)
        row, path = found
        response = send_file(
            path,
            mimetype=row.content_type,
            download_name=f"{sha256[:12]}{evidence.EXTENSIONS.get(row.content_type, '')}",
        )
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response
