"""立案查处 REST API: /api/v1/case/ (list, detail) and POST /api/v1/case/<id>/transition.

Reads are FAB ModelRestApi over the scoped session (another jurisdiction's case: 404). The only
write is the transition, which calls services/cases.py: an illegal move answers 409 with the
domain's Chinese reason at /action; a stale `version` answers 409 at /version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect

from enforcement.domain import workflow
from enforcement.models import Case
from enforcement.services import cases as service
from enforcement.web.base import ContractApi, failure_warnings, read_schema
from enforcement.web.cases.schemas import CASE_READ, LIST_COLUMNS


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
          parameters:
          - pk
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    action: {type: string}
                    note: {type: string}
                    version: {type: integer}
                    "on": {type: string, format: date, description: "the date a step records (听证会日期, 延期缴纳截止日期)"}
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
        on = None
        if body.get("on") is not None:
            try:
                on = dt.date.fromisoformat(str(body["on"]))
            except ValueError:
                return self._error(422, "/on", "日期格式应为 年-月-日，如 2026-03-01")
        try:
            record = service.transition(
                session, case, action, note, expected_version=version, on=on
            )
        except service.StaleCase as exc:
            return self._error(409, "/version", exc.message)
        except workflow.IllegalTransition as exc:
            return self._error(409, "/action", exc.reason)
        # A bureau plugin that failed after the commit: the move stands, the caller is told.
        warnings = failure_warnings(session)
        return self.response(
            200,
            id=case.id,
            stage=case.stage,
            stage_label=case.stage_label,
            version=case.version,
            transition_id=record.id,
            **({"warnings": warnings} if warnings else {}),
        )
