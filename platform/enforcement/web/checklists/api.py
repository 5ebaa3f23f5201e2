"""Checklist API: /api/v1/checklist/ — declarations, compiled schemas, answers (CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect

from enforcement.db.acting import current_actor
from enforcement.models import Enterprise
from enforcement.services import checklists as service
from enforcement.web.base import SharedParameters
from enforcement.web.inputs import to_id


class ChecklistApi(SharedParameters, BaseApi):
    resource_name = "checklist"
    allow_browser_login = True
    openapi_spec_tag = "Checklists"

    def _entry(self, plugin_id: str) -> Any:
        version = request.args.get("version")
        entry = service.platform_of().registry.get(plugin_id, version)
        if entry is None or not entry.visible_to(current_actor().jurisdiction):
            return None
        return entry

    def _not_found(self) -> Any:
        return self.response(
            404,
            message="检查事项插件不存在",
            errors=[{"path": "/", "message": "检查事项插件不存在"}],
        )

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def list_checklists(self) -> Any:
        """Active checklists visible in the caller's jurisdiction.
        ---
        get:
          responses:
            200:
              description: list of checklists
        """
        jurisdiction = current_actor().jurisdiction
        entries = [
            e
            for e in service.platform_of().registry.active().values()
            if e.visible_to(jurisdiction)
        ]
        result = [
            {
                "id": e.id,
                "version": e.version,
                "title": e.declaration["title"],
                "source": e.source,
                "status": e.status,
                "scope": e.scope_region,
                "items": len(e.declaration["items"]),
                "schema_hash": e.compiled.sha256,
            }
            for e in entries
        ]
        return self.response(200, result=result, count=len(result))

    @expose("/<plugin_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_declaration(self, plugin_id: str) -> Any:
        """The declaration (plugin.json) of a checklist; ?version= for an older one.
        ---
        get:
          parameters:
          - plugin_id
          - plugin_version
          responses:
            200:
              description: the declaration
        """
        entry = self._entry(plugin_id)
        return self._not_found() if entry is None else self.response(200, result=entry.declaration)

    @expose("/<plugin_id>/schema", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_schema(self, plugin_id: str) -> Any:
        """The compiled answers schema.
        ---
        get:
          parameters:
          - plugin_id
          - plugin_version
          responses:
            200:
              description: JSON Schema of the answers
        """
        entry = self._entry(plugin_id)
        if entry is None:
            return self._not_found()
        return self.response(
            200, result=entry.compiled.answers_schema, sha256=entry.compiled.sha256
        )

    @expose("/<plugin_id>/uischema", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_uischema(self, plugin_id: str) -> Any:
        """The compiled UI schema (JSON Forms style).
        ---
        get:
          parameters:
          - plugin_id
          - plugin_version
          responses:
            200:
              description: UI schema
        """
        entry = self._entry(plugin_id)
        if entry is None:
            return self._not_found()
        return self.response(200, result=entry.compiled.ui_schema, sha256=entry.compiled.sha256)

    @expose("/<plugin_id>/answers", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def post_answers(self, plugin_id: str) -> Any:
        """Save (draft) or submit answers for an enterprise: {"enterprise_id", "answers", "submit"}.
        ---
        post:
          parameters:
          - plugin_id
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [enterprise_id, answers]
                  properties:
                    enterprise_id: {type: integer}
                    answers: {type: object}
                    submit: {type: boolean}
          responses:
            201:
              description: saved
            422:
              description: errors per field, as JSON pointers
        """
        entry = self._entry(plugin_id)
        body = request.get_json(silent=True)
        if entry is None:
            return self._not_found()
        if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
            return self.response(
                400, errors=[{"path": "/answers", "message": "请求应为 JSON，且包含 answers 对象"}]
            )
        session = self.appbuilder.session
        enterprise_id = to_id(body.get("enterprise_id"))
        # scoped: another region's enterprise is None, as is one that does not exist
        enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
        if enterprise is None:
            return self.response(404, errors=[{"path": "/enterprise_id", "message": "企业不存在"}])
        platform = service.platform_of()
        if entry not in service.applicable(platform, enterprise):
            return self.response(422, errors=[{"path": "/", "message": "该检查事项不适用于此企业"}])
        result = service.save_answers(
            session, platform, enterprise, entry, body["answers"], submit=bool(body.get("submit"))
        )
        if result.errors:
            return self.response(422, errors=result.errors)
        answer_set = result.answer_set
        assert answer_set is not None
        return self.response(
            201,
            id=answer_set.id,
            status=answer_set.status,
            plugin_id=answer_set.plugin_id,
            plugin_version=answer_set.plugin_version,
            schema_hash=answer_set.schema_hash,
            suggestions=service.suggestions(platform, entry, enterprise, body["answers"])
            if body.get("submit")
            else [],
        )
