"""立案查处 REST API: /api/v1/case/ (list, detail) and POST /api/v1/case/<id>/transition.

Reads are FAB ModelRestApi over the scoped session (another jurisdiction's case: 404). The only
write is the transition, which calls services/cases.py: an illegal move answers 409 with the
domain's Chinese reason at /action; a stale `version` answers 409 at /version.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder import AppBuilder
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import fields

from enforcement.domain import workflow
from enforcement.models import Case
from enforcement.services import cases as service
from enforcement.web.api import ContractApi, read_schema

PENALTY_READ = read_schema(
    {
        "id": fields.Integer(),
        "kind": fields.String(),
        "kind_label": fields.String(),
        "amount": fields.Decimal(as_string=True, allow_none=True),
        "basis": fields.String(),
        "decision_no": fields.String(allow_none=True),
        "decided_on": fields.Date(allow_none=True),
        "served_on": fields.Date(allow_none=True),
        "due_on": fields.Date(allow_none=True),
        "paid_amount": fields.Decimal(as_string=True, allow_none=True),
        "paid_on": fields.Date(allow_none=True),
        "surcharge": fields.Decimal(as_string=True, allow_none=True),
    }
)

CASE_READ: dict[str, fields.Field] = {
    "id": fields.Integer(),
    "number": fields.String(),
    "title": fields.String(),
    "enterprise_id": fields.Integer(),
    "enterprise_name": fields.String(),
    "region_code": fields.String(),
    "stage": fields.String(),
    "stage_label": fields.String(),
    "source": fields.String(),
    "facts": fields.String(),
    "party_kind": fields.String(),
    "party_name": fields.String(allow_none=True),
    "discovered_on": fields.Date(),
    "evidence_taken_on": fields.Date(allow_none=True),
    "filed_on": fields.Date(),
    "notified_on": fields.Date(allow_none=True),
    "hearing_offered": fields.Boolean(),
    "hearing_requested_on": fields.Date(allow_none=True),
    "extensions": fields.Integer(),
    "closed_on": fields.Date(allow_none=True),
    "archived_on": fields.Date(allow_none=True),
    "rule_set": fields.String(),
    "version": fields.Integer(),
    "enforcer_ids": fields.Function(lambda c: [e.id for e in c.enforcers]),
    "penalties": fields.Function(lambda c: PENALTY_READ.dump(c.penalties, many=True)),
    "deadlines": fields.Function(
        lambda c: [
            {
                "key": d.key,
                "name": d.name,
                "due_on": d.due_on.isoformat(),
                "state": d.state,
                "rule_set": d.rule_set,
                "source": d.source,
                "confidence": d.confidence,
            }
            for d in service.case_deadlines(c)
        ]
    ),
}
LIST_COLUMNS = [
    "id",
    "number",
    "title",
    "enterprise_id",
    "region_code",
    "stage",
    "source",
    "party_kind",
    "filed_on",
    "version",
]


class CaseApi(ContractApi):
    resource_name = "case"
    datamodel = SQLAInterface(Case)
    include_route_methods = {"get", "get_list", "info", "transition"}
    openapi_spec_tag = "Case"
    list_columns = LIST_COLUMNS
    show_columns = LIST_COLUMNS
    list_model_schema = read_schema(
        {k: v for k, v in CASE_READ.items() if k not in ("penalties", "deadlines", "facts")}
    )
    show_model_schema = read_schema(CASE_READ)
    search_columns = ["number", "title", "region_code", "stage", "source", "filed_on"]
    order_columns = ["id", "number", "filed_on", "stage"]
    base_order = ("id", "desc")

    def _error(self, status: int, path: str, message: str) -> Any:
        return self.response(status, message=message, errors=[{"path": path, "message": message}])

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def transition(self, pk: int) -> Any:
        """Move a case by one action of the procedure table.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    action: {type: string}
                    note: {type: string}
                    version: {type: integer}
          responses:
            200:
              description: the new stage
            404:
              description: no such case in the caller's jurisdiction
            409:
              description: illegal move (Chinese reason at /action) or stale version
            422:
              description: malformed request
        """
        session = self.appbuilder.session
        case = session.get(Case, pk)
        if case is None:
            return self._error(404, "/", "案件不存在")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self._error(422, "/", "请求体应为 JSON 对象")
        action = body.get("action")
        note = body.get("note") or ""
        if not isinstance(action, str) or not action:
            return self._error(422, "/action", "请指定操作 action")
        if not isinstance(note, str):
            return self._error(422, "/note", "note 应为字符串")
        version = body.get("version")
        if version is not None and not isinstance(version, int):
            return self._error(422, "/version", "version 应为整数")
        try:
            record = service.transition(session, case, action, note, expected_version=version)
        except service.StaleCase as exc:
            return self._error(409, "/version", exc.message)
        except workflow.IllegalTransition as exc:
            return self._error(409, "/action", exc.reason)
        return self.response(
            200,
            id=case.id,
            stage=case.stage,
            stage_label=case.stage_label,
            version=case.version,
            transition_id=record.id,
        )


def register_case_apis(appbuilder: AppBuilder) -> None:
    appbuilder.add_api(CaseApi)
