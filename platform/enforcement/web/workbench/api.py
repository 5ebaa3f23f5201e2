"""Workbench REST API: /api/v1/plan/, /task/, /inspection/, /hazard/ (docs/api-workbench.md).

Reads are FAB ModelRestApi lists and details over the scoped session (another region's record: 404).
Writes go through the workbench services (plans, inspections, rectification) as explicit actions; refusals answer 422 (409 for an
inspection saved by someone else since the caller's version) with {"errors": [{"path", "message"}]}.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import fields

from enforcement.models import Enforcer, Enterprise, Hazard, Inspection, Plan, Task
from enforcement.services import checklists, inspections, plans, rectification
from enforcement.services.workbench import ConflictError, WorkbenchError
from enforcement.web.base import ContractApi, SoftDeleteInterface, parse_date, read_schema
from enforcement.web.workbench.schemas import HAZARD_READ, INSPECTION_READ, PLAN_READ, TASK_READ


class WorkbenchApi(ContractApi):
    include_route_methods = {"get", "get_list", "info"}
    openapi_spec_tag = "Workbench"
    # What a list or a detail answers with, per resource; the columns and schemas follow from it.
    read_fields: dict[str, fields.Field] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # FAB queries list/show columns on the model; a Function field is computed, not a column.
        cls.list_columns = [
            name
            for name, field in cls.read_fields.items()
            if not isinstance(field, fields.Function)
        ]
        cls.show_columns = cls.list_columns
        cls.list_model_schema = read_schema(cls.read_fields)
        cls.show_model_schema = read_schema(cls.read_fields)

    def _session(self) -> Any:
        return self.appbuilder.session

    def _refused(self, error: WorkbenchError, path: str = "/") -> Any:
        status = 409 if isinstance(error, ConflictError) else 422
        return self.response(
            status,
            message=str(error),
            errors=[{"path": path, "message": reason} for reason in error.reasons],
        )

    def _missing(self) -> Any:
        return self.response(
            404, message="记录不存在", errors=[{"path": "/", "message": "记录不存在"}]
        )

    def _body(self) -> dict[str, Any]:
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}


class PlanApi(WorkbenchApi):
    include_route_methods = WorkbenchApi.include_route_methods | {"approve", "breakdown"}
    resource_name = "plan"
    datamodel = SoftDeleteInterface(Plan)
    read_fields = PLAN_READ
    search_columns = ["title", "year", "kind", "status", "region_code"]
    order_columns = ["id", "year", "title"]
    base_order = ("id", "desc")

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def approve(self, pk: int) -> Any:
        """Approve a draft plan.
        ---
        post:
          responses:
            200:
              description: approved
            422:
              description: refused, with Chinese reasons
        """
        plan = self._session().get(Plan, pk)
        if plan is None:
            return self._missing()
        try:
            plans.approve_plan(self._session(), plan)
        except WorkbenchError as exc:
            return self._refused(exc, "/status")
        return self.response(200, id=plan.id, status=plan.status)

    @expose("/<int:pk>/breakdown", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def breakdown(self, pk: int) -> Any:
        """双随机 draw and task breakdown of an approved plan (reproducible from the recorded seed).
        ---
        post:
          responses:
            200:
              description: the created task ids, the seed and the enterprises left out
        """
        plan = self._session().get(Plan, pk)
        if plan is None:
            return self._missing()
        try:
            created, unassigned = plans.break_down(self._session(), plan)
        except WorkbenchError as exc:
            return self._refused(exc, "/status")
        return self.response(
            200,
            seed=plan.random_seed,
            task_ids=[t.id for t in created],
            unassigned={str(k): v for k, v in unassigned.items()},
        )


class TaskApi(WorkbenchApi):
    include_route_methods = WorkbenchApi.include_route_methods | {"create"}
    resource_name = "task"
    datamodel = SoftDeleteInterface(Task)
    read_fields = TASK_READ
    search_columns = ["enterprise_id", "status", "kind", "due_on", "region_code", "plan_id"]
    order_columns = ["id", "due_on"]
    base_order = ("due_on", "asc")

    @expose("/", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def create(self) -> Any:
        """A task: {"enterprise_id", "enforcer_ids": [≥2 certified], "due_on", "plan_id"?}.
        ---
        post:
          responses:
            201:
              description: created
            422:
              description: a rule failed (two certified inspectors, due date in the plan period …)
        """
        body = self._body()
        session = self._session()
        enterprise = session.get(Enterprise, body.get("enterprise_id") or 0)
        if enterprise is None:
            return self.response(
                422,
                errors=[{"path": "/enterprise_id", "message": "企业不存在或不在您的管辖范围内"}],
            )
        ids = [i for i in body.get("enforcer_ids") or [] if isinstance(i, int)]
        enforcers = [e for e in (session.get(Enforcer, i) for i in ids) if e is not None]
        plan = session.get(Plan, body["plan_id"]) if body.get("plan_id") else None
        try:
            task = plans.create_task(
                session,
                enterprise=enterprise,
                enforcers=enforcers,
                due_on=parse_date(body.get("due_on")),
                plan=plan,
            )
        except WorkbenchError as exc:
            return self._refused(exc)
        return self.response(201, id=task.id, result=self.show_model_schema.dump(task))


class InspectionApi(WorkbenchApi):
    include_route_methods = WorkbenchApi.include_route_methods | {"save"}
    resource_name = "inspection"
    datamodel = SQLAInterface(Inspection)
    read_fields = INSPECTION_READ
    search_columns = ["enterprise_id", "task_id", "status", "region_code"]
    order_columns = ["id", "started_at"]
    base_order = ("id", "desc")

    @expose("/<int:pk>/save", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def save(self, pk: int) -> Any:
        """Save as it goes: {"version", "plugin_id"?, "answers"?, "submit"?, "participants"?,
        "latitude"?, "longitude"?}. A stale version answers 409.
        ---
        post:
          responses:
            200:
              description: saved; the new version
            409:
              description: saved by someone else since the given version
            422:
              description: errors as JSON pointers (a failed submission is kept as a draft)
        """
        inspection = self._session().get(Inspection, pk)
        if inspection is None:
            return self._missing()
        body = self._body()
        answers = body.get("answers")
        try:
            outcome = inspections.save_inspection(
                self._session(),
                checklists.platform_of(),
                inspection,
                version=body.get("version"),
                plugin_id=body.get("plugin_id"),
                answers=answers if isinstance(answers, dict) else None,
                submit=bool(body.get("submit")),
                participants=body.get("participants")
                if isinstance(body.get("participants"), list)
                else None,
                latitude=body.get("latitude"),
                longitude=body.get("longitude"),
            )
        except WorkbenchError as exc:
            return self._refused(exc)
        if outcome.errors:
            return self.response(422, errors=outcome.errors, version=inspection.version)
        return self.response(200, version=inspection.version, suggestions=outcome.suggestions)


class HazardApi(WorkbenchApi):
    include_route_methods = WorkbenchApi.include_route_methods | {"measure"}
    resource_name = "hazard"
    datamodel = SQLAInterface(Hazard)
    read_fields = HAZARD_READ
    search_columns = ["enterprise_id", "inspection_id", "status", "is_major", "region_code"]
    order_columns = ["id", "deadline"]
    base_order = ("id", "desc")

    @expose("/<int:pk>/measure", methods=["POST"])
    @protect()
    @safe
    @permission_name("post")
    def measure(self, pk: int) -> Any:
        """Confirm a hazard's measure: {"measure": immediate|deadline|on_site|file_case, "deadline"?}.
        ---
        post:
          responses:
            200:
              description: confirmed
            422:
              description: refused, with Chinese reasons
        """
        hazard = self._session().get(Hazard, pk)
        if hazard is None:
            return self._missing()
        body = self._body()
        try:
            rectification.confirm_measure(
                self._session(),
                hazard,
                str(body.get("measure", "")),
                parse_date(body.get("deadline")),
            )
        except WorkbenchError as exc:
            return self._refused(exc, "/measure")
        return self.response(200, result=self.show_model_schema.dump(hazard))
