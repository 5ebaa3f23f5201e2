"""检查事项草稿 API: /api/v1/checklist_draft/ — what the builder page uses; other tools can too.

Drafts are region-scoped by the session: another region's draft does not exist here (404). Every
refusal answers {"message", "errors": [{"path", "message"}]}: 422 (an invalid declaration, unchanged
content), 409 (a stale `version`), 403 (publishing for a region outside the caller's jurisdiction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_appbuilder.security.decorators import permission_name, protect
from sqlalchemy import select

from enforcement.db.acting import current_actor
from enforcement.domain.errors import Refused
from enforcement.models import ChecklistDraft, Enterprise
from enforcement.services import checklist_authoring as authoring
from enforcement.services import checklist_catalogue as catalogue
from enforcement.services import checklists
from enforcement.web.base import SharedParameters
from enforcement.web.errors import refused_response
from enforcement.web.inputs import to_id

LIST_LIMIT = 200


def _summary(draft: ChecklistDraft) -> dict[str, Any]:
    return {
        "id": draft.id,
        "plugin_id": draft.plugin_id,
        "title": draft.title,
        "version": draft.revision,
        "status": draft.status,
        "status_label": draft.status_label,
        "region_code": draft.region_code,
        "content_sha256": draft.content_sha256,
        "updated_by": draft.updated_by,
        "updated_at": draft.updated_at.isoformat() if draft.updated_at else None,
        "published_version": draft.published_version,
    }


class ChecklistDraftApi(SharedParameters, BaseApi):
    resource_name = "checklist_draft"
    allow_browser_login = True
    openapi_spec_tag = "Checklist drafts"

    def _session(self) -> Any:
        return self.appbuilder.session

    def _draft(self, pk: int) -> ChecklistDraft | None:
        """Scoped by the session: another region's draft is None, as is one that does not exist."""
        draft = self._session().get(ChecklistDraft, pk)
        return draft if draft is not None and authoring.visible_region(draft) else None

    def _missing(self) -> Any:
        return self.response(
            404, message="草稿不存在", errors=[{"path": "/", "message": "草稿不存在"}]
        )

    def _detail(self, draft: ChecklistDraft, status: int = 200) -> Any:
        platform = checklists.platform_of()
        return self.response(
            status,
            **_summary(draft),
            declaration=draft.declaration,
            errors=authoring.declaration_errors(platform, draft.declaration),
            needs_publishing=authoring.needs_publishing(platform, draft),
            review_reason=draft.review_reason,
            reviewed_by=draft.reviewed_by,
        )

    @staticmethod
    def _run(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except Refused as refused:
            return refused_response(refused)

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def list_drafts(self) -> Any:
        """Drafts of the caller's region (and of the regions below it), newest first.
        ---
        get:
          responses:
            200:
              description: the drafts
        """
        rows = self._session().scalars(
            select(ChecklistDraft).order_by(ChecklistDraft.id.desc()).limit(LIST_LIMIT)
        )
        result = [_summary(d) for d in rows if authoring.visible_region(d)]
        return self.response(200, result=result, count=len(result))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def create_draft(self) -> Any:
        """Keep a declaration as a draft: 201 with its id, also when invalid (its errors included).
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [declaration]
                  properties:
                    declaration: {type: object}
          responses:
            201:
              description: the draft, with the declaration's errors
        """
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("declaration"), dict):
            return self.response(
                422,
                message="请求应为 JSON，且包含 declaration 对象",
                errors=[{"path": "/declaration", "message": "请求应包含 declaration 对象"}],
            )

        def create() -> Any:
            draft = authoring.create_draft(self._session(), body["declaration"])
            return self._detail(draft, 201)

        return self._run(create)

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_draft(self, pk: int) -> Any:
        """A draft: its declaration, `version` (for PUT), errors and whether it needs publishing.
        ---
        get:
          parameters:
          - pk
          responses:
            200:
              description: the draft
            404:
              description: no such draft in the caller's region
        """
        draft = self._draft(pk)
        return self._missing() if draft is None else self._detail(draft)

    @expose("/<int:pk>", methods=["PUT"])
    @protect()
    @safe
    @permission_name("put")
    def update_draft(self, pk: int) -> Any:
        """Replace the declaration: {"declaration", "version"}; 409 when `version` is stale.
        ---
        put:
          parameters:
          - pk
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [declaration, version]
                  properties:
                    declaration: {type: object}
                    version: {type: integer}
          responses:
            200:
              description: the saved draft
            409:
              description: saved by someone else since `version`
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            body = {}

        def update() -> Any:
            saved = authoring.update_draft(
                self._session(), draft, body.get("declaration"), body.get("version")
            )
            return self._detail(saved)

        return self._run(update)

    @expose("/<int:pk>/errors", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def draft_errors(self, pk: int) -> Any:
        """The declaration's errors: the list `enforcement checklists validate` prints.
        ---
        get:
          parameters:
          - pk
          responses:
            200:
              description: "[{path, message}], empty when valid"
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        errors = authoring.declaration_errors(checklists.platform_of(), draft.declaration)
        return self.response(200, errors=errors, count=len(errors))

    @expose("/<int:pk>/diff", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def draft_diff(self, pk: int) -> Any:
        """Against the active version of the same plugin id: added, removed, changed, breaking.
        ---
        get:
          parameters:
          - pk
          responses:
            200:
              description: the diff
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        diff = authoring.draft_diff(self._session(), checklists.platform_of(), draft)
        return self.response(200, **diff)

    @expose("/<int:pk>/plugin.json", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def draft_file(self, pk: int) -> Any:
        """The declaration as a plugin.json file (the same file an upload takes).
        ---
        get:
          parameters:
          - pk
          responses:
            200:
              description: plugin.json
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        name = (draft.plugin_id or f"draft-{draft.id}") + ".json"
        return Response(
            authoring.plugin_json(draft),
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @expose("/<int:pk>/publish", methods=["POST"])
    @protect()
    @safe
    @permission_name("publish")
    def publish(self, pk: int) -> Any:
        """Publish: 200 with plugin id and version; 202 待审核 where the province approves first.
        ---
        post:
          parameters:
          - pk
          responses:
            200:
              description: published
            202:
              description: waiting for the province's approval (待审核)
            403:
              description: issued for a region outside the caller's jurisdiction
            422:
              description: the declaration's errors
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        return self._run(lambda: self._outcome(authoring.publish_draft, draft))

    def _outcome(self, action: Callable[..., authoring.Outcome], draft: ChecklistDraft) -> Any:
        outcome = action(self._session(), checklists.platform_of(), draft)
        if outcome.status == "pending":
            return self.response(
                202, status="pending", message="待审核", plugin_id=outcome.plugin_id
            )
        return self.response(
            200,
            status="published",
            message="已发布",
            plugin_id=outcome.plugin_id,
            version=outcome.version,
        )

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def approve(self, pk: int) -> Any:
        """The province approves a 待审核 draft (four-eyes: not its author): published.
        ---
        post:
          parameters:
          - pk
          responses:
            200:
              description: published
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        return self._run(lambda: self._outcome(authoring.approve, draft))

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    @permission_name("approve")
    def return_draft(self, pk: int) -> Any:
        """The province returns a 待审核 draft: {"reason"}.
        ---
        post:
          parameters:
          - pk
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    reason: {type: string}
          responses:
            200:
              description: returned
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        body = request.get_json(silent=True)
        reason = body.get("reason") if isinstance(body, dict) else None

        def give_back() -> Any:
            authoring.return_draft(self._session(), checklists.platform_of(), draft, reason)
            return self.response(200, status="returned", message="已退回")

        return self._run(give_back)

    @expose("/<int:pk>/dry_run", methods=["POST"])
    @protect()
    @safe
    @permission_name("get")
    def dry_run(self, pk: int) -> Any:
        """Try answers for an enterprise of the bureau: the server's errors and proposed measures.
        ---
        post:
          parameters:
          - pk
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    enterprise_id: {type: integer}
                    answers: {type: object}
          responses:
            200:
              description: "{errors, suggestions, applies}; nothing is saved"
        """
        draft = self._draft(pk)
        if draft is None:
            return self._missing()
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        enterprise_id = to_id(body.get("enterprise_id"))
        enterprise = self._session().get(Enterprise, enterprise_id) if enterprise_id else None
        if enterprise is None:
            return self.response(
                404,
                message="企业不存在",
                errors=[{"path": "/enterprise_id", "message": "企业不存在"}],
            )

        def run() -> Any:
            result = authoring.dry_run(
                self._session(), checklists.platform_of(), draft, enterprise, body.get("answers")
            )
            return self.response(200, **result)

        return self._run(run)

    @expose("/approval", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_approval(self) -> Any:
        """Whether the caller's province requires its approval before counties publish.
        ---
        get:
          responses:
            200:
              description: "{region, required}"
        """
        region = current_actor().jurisdiction.region_code
        if region is None:
            return self.response(200, region=None, required=False)
        province = authoring.province_of(region)
        required = authoring.approval_setting(self._session(), province)
        return self.response(200, region=province, required=required)

    @expose("/approval", methods=["PUT"])
    @protect()
    @safe
    @permission_name("approve")
    def put_approval(self) -> Any:
        """A province turns its approval on or off: {"required": true|false[, "region"]}.
        ---
        put:
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    required: {type: boolean}
                    region: {type: string}
          responses:
            200:
              description: the setting
        """
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        required = body.get("required")
        if not isinstance(required, bool):
            return self.response(
                422,
                message="required 应为 true 或 false",
                errors=[{"path": "/required", "message": "required 应为 true 或 false"}],
            )
        own = current_actor().jurisdiction.region_code
        region = body.get("region") or (authoring.province_of(own) if own else "")

        def save() -> Any:
            row = authoring.set_approval(self._session(), str(region), required)
            return self.response(200, region=row.region_code, required=row.required)

        return self._run(save)

    @expose("/laws", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def laws(self) -> Any:
        """The laws the platform knows (the library and the visible plugins' bases), to pick from.
        ---
        get:
          responses:
            200:
              description: "[{law, articles}]"
        """
        result = catalogue.known_laws(self._session(), checklists.platform_of())
        return self.response(200, result=result, count=len(result))
