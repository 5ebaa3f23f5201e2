"""现场检查 steps of WorkbenchView: start, the on-site page (phone first), autosave and submit
each checklist, participants and location, finish.

The on-site page reuses the generated checklist form (templates/enforcement/checklists/_form.html +
static/js/checklist-form.js); static/js/inspection.js only redirects its saves to the inspection
(version-checked) and autosaves.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, jsonify, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from enforcement.checklists.measures import MEASURE_LABELS
from enforcement.domain.fields import clean_record
from enforcement.domain.values import as_int64
from enforcement.models import AnswerSet, Inspection, Task
from enforcement.services import checklists, evidence, inspections
from enforcement.services.workbench import ConflictError, WorkbenchError
from enforcement.web.base import app_session, parse_float
from enforcement.web.inputs import error_list, json_body
from enforcement.web.workbench.schemas import SAVE_INPUT, participant_errors
from enforcement.web.workbench.steps.base import WorkbenchSteps


class InspectionSteps(WorkbenchSteps):
    """现场检查: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    @expose("/task/<int:pk>/start", methods=["POST"])
    @has_access
    def start(self, pk: int) -> Any:
        task = self._get(Task, pk)
        try:
            inspection = inspections.start_inspection(
                app_session(),
                task,
                latitude=parse_float(request.form.get("latitude")),
                longitude=parse_float(request.form.get("longitude")),
            )
        except WorkbenchError as exc:
            return self._refused(exc, "无法开始检查", back="TaskView.show", pk=pk)
        if task.kind == "recheck":
            return self._back("WorkbenchView.recheck", pk=task.id)
        return self._back("WorkbenchView.inspection", pk=inspection.id)

    def _form_data(
        self, inspection: Inspection, plugin_id: str, equipment: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        platform = checklists.platform_of()
        entry = next(
            (
                e
                for e in inspections.applicable_entries(platform, inspection.enterprise)
                if e.id == plugin_id
            ),
            None,
        )
        if entry is None:
            return None
        answer_set_id = (inspection.answer_set_ids or {}).get(plugin_id)
        answer_set = app_session().get(AnswerSet, answer_set_id) if answer_set_id else None
        # An inspection begun on an earlier version keeps its form (texts, choices, rules).
        compiled = checklists.recorded_compiled(app_session(), entry, answer_set)
        return {
            "mode": "fill",
            "plugin_id": entry.id,
            "version": compiled.version,
            "title": compiled.ui_schema.get("options", {}).get("title")
            or entry.declaration["title"],
            "schema_hash": compiled.sha256,
            "ui_schema": compiled.ui_schema,
            "answers_schema": compiled.answers_schema,
            "enterprise_id": inspection.enterprise_id,
            "equipment": equipment,
            "equipment_types": platform.registry.equipment_types,
            "measure_labels": MEASURE_LABELS,
            "draft": answer_set.answers if answer_set is not None else None,
            "submitted": answer_set is not None and answer_set.status == "submitted",
            "api_url": url_for(".answers", pk=inspection.id, plugin_id=entry.id),
            "evidence_url": url_for("ChecklistView.evidence"),
            "evidence_file_url": url_for("ChecklistView.evidence_file", sha256="0" * 64)[:-64],
            "evidence_max_bytes": int(
                current_app.config.get("EVIDENCE_MAX_BYTES", evidence.DEFAULT_MAX_BYTES)
            ),
        }

    @expose("/inspection/<int:pk>")
    @has_access
    def inspection(self, pk: int) -> Any:
        """The on-site page (phone first): checklist by checklist, participants, location, autosave."""
        inspection = self._get(Inspection, pk)
        scheme = inspections.scheme_of(app_session(), inspection.task)
        plugin_ids = scheme.plugin_ids if scheme else []
        current = request.args.get("plugin") or (plugin_ids[0] if plugin_ids else None)
        if current not in plugin_ids:
            current = plugin_ids[0] if plugin_ids else None
        facts = checklists.enterprise_facts(inspection.enterprise)
        equipment = [
            {"id": e["id"], "type": e["equipment_type"], "name": e["name"]}
            for e in facts["equipment"]
        ]
        form_data = self._form_data(inspection, current, equipment) if current else None
        platform = checklists.platform_of()
        tabs = []
        for plugin_id in plugin_ids:
            entry = platform.registry.get(plugin_id)
            answer_set_id = (inspection.answer_set_ids or {}).get(plugin_id)
            answer_set = app_session().get(AnswerSet, answer_set_id) if answer_set_id else None
            tabs.append(
                {
                    "id": plugin_id,
                    "title": entry.declaration["title"] if entry else plugin_id,
                    "state": answer_set.status if answer_set is not None else "none",
                }
            )
        return self.render_template(
            "enforcement/workbench/inspection.html",
            title=f"现场检查：{inspection.enterprise.name}",
            inspection=inspection,
            task=inspection.task,
            tabs=tabs,
            current=current,
            form_data=form_data,
            editable=inspection.status == "in_progress",
        )

    def _json_error(self, error: WorkbenchError) -> Any:
        status = 409 if isinstance(error, ConflictError) else 422
        return (
            jsonify(
                message=str(error),
                conflict=status == 409,
                errors=[{"path": "/", "message": reason} for reason in error.reasons],
            ),
            status,
        )

    @expose("/inspection/<int:pk>/answers/<plugin_id>", methods=["POST"])
    @has_access
    def answers(self, pk: int, plugin_id: str) -> Any:
        """Autosave / submit one checklist of the inspection: {"answers", "submit", "version"}."""
        inspection = self._get(Inspection, pk)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
            return jsonify(
                errors=[{"path": "/answers", "message": "请求应为 JSON，且包含 answers 对象"}]
            ), 400
        try:
            outcome = inspections.save_inspection(
                app_session(),
                checklists.platform_of(),
                inspection,
                version=body.get("version"),
                plugin_id=plugin_id,
                answers=body["answers"],
                submit=bool(body.get("submit")),
            )
        except WorkbenchError as exc:
            return self._json_error(exc)
        answer_set = outcome.answer_set
        payload = {
            "id": answer_set.id if answer_set else None,
            "status": answer_set.status if answer_set else None,
            "plugin_version": answer_set.plugin_version if answer_set else None,
            "schema_hash": answer_set.schema_hash if answer_set else None,
            "version": outcome.inspection.version,
            "suggestions": outcome.suggestions,
        }
        if outcome.errors:
            return jsonify(errors=outcome.errors, saved_as_draft=True, **payload), 422
        return jsonify(**payload), 201

    @expose("/inspection/<int:pk>/meta", methods=["POST"])
    @has_access
    def meta(self, pk: int) -> Any:
        """Participants, location and notes: {"version", "participants"?, "latitude"?, "longitude"?}."""
        inspection = self._get(Inspection, pk)
        body = json_body()
        values, errors = clean_record(SAVE_INPUT, body, partial=True)
        participants = body.get("participants")
        if participants is not None:
            errors += participant_errors(participants)
        if errors:
            return jsonify(
                message="；".join(e.message for e in errors), errors=error_list(errors)
            ), 422
        try:
            outcome = inspections.save_inspection(
                app_session(),
                checklists.platform_of(),
                inspection,
                version=values.get("version"),
                participants=participants,
                latitude=values.get("latitude"),
                longitude=values.get("longitude"),
                notes=body.get("notes") if isinstance(body.get("notes"), str) else None,
            )
        except WorkbenchError as exc:
            return self._json_error(exc)
        return jsonify(
            version=outcome.inspection.version, location=outcome.inspection.location_label
        ), 200

    @expose("/inspection/<int:pk>/finish", methods=["POST"])
    @has_access
    def finish(self, pk: int) -> Any:
        inspection = self._get(Inspection, pk)
        version = request.form.get("version", "")
        try:
            hazards = inspections.finish_inspection(
                app_session(),
                checklists.platform_of(),
                inspection,
                version=as_int64(version),
            )
        except WorkbenchError as exc:
            return self._refused(exc, "无法结束检查", back="WorkbenchView.inspection", pk=pk)
        flash(
            f"现场检查已完成，发现问题隐患 {len(hazards)} 处"
            if hazards
            else "现场检查已完成，未发现问题隐患",
            "success",
        )
        return self._back("WorkbenchView.hazards", pk=pk)
