"""Workbench REST API: /api/v1/plan/, /task/, /inspection/, /hazard/ (docs/api-workbench.md).

Reads are FAB ModelRestApi lists and details over the scoped session (another region's record: 404).
Writes go through the workbench services (plans, inspections, rectification) as explicit actions; refusals answer 422 (409 for an
inspection saved by someone else since the caller's version) with {"errors": [{"path", "message"}]}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_appbuilder.api import expose, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name, protect
from marshmallow import fields

from enforcement.domain.errors import FieldError
from enforcement.domain.fields import clean_record
from enforcement.models import Enforcer, Enterprise, Hazard, Inspection, Plan, Task
from enforcement.services import checklists, inspections, plans, rectification, workbench
from enforcement.services.workbench import ConflictError, WorkbenchError
from enforcement.web.base import ContractApi, SoftDeleteInterface, read_schema
from enforcement.web.inputs import clean_date, error_list, ids, json_body, to_id
from enforcement.web.workbench.schemas import (
    DEADLINE,
    DUE_ON,
    ENTERPRISE_ID,
    HAZARD_READ,
    INSPECTION_READ,
    MEASURE_INPUT,
    PLAN_ID,
    PLAN_READ,
    SAVE_INPUT,
    TASK_READ,
    participant_errors,
)


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
            errors=[{"path": e.path or path, "message": e.message} for e in error.errors],
        )

    def _missing(self) -> Any:
        return self.response(
            404, message="记录不存在", errors=[{"path": "/", "message": "记录不存在"}]
        )

    def _invalid(self, errors: list[FieldError]) -> Any:
        return self.response(
            422, message="；".join(e.message for e in errors), errors=error_list(errors)
        )


class PlanApi(WorkbenchApi):
    include_route_methods = WorkbenchApi.include_route_methods | {"approve", "breakdown"}
    resource_name = "plan"
    datamodel = SoftDeleteInterface(Plan)
    read_fields = PLAN_READ
    search_columns = ["title", "year", "kind", "status", "region_code", "docking_source"]
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
          parameters:
          - pk
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
          parameters:
          - pk
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
    search_columns = [
        "enterprise_id",
        "status",
        "kind",
        "due_on",
        "region_code",
        "plan_id",
        "docking_source",
    ]
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
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [enterprise_id, due_on]
                  properties:
                    enterprise_id: {type: integer}
                    enforcer_ids: {type: array, items: {type: integer}}
                    due_on: {type: string, format: date}
                    plan_id: {type: integer}
          responses:
            201:
              description: created
            422:
              description: a rule failed (two certified inspectors, due date in the plan period …)
        """
        body = json_body()
        session = self._session()
        values, errors = clean_record((ENTERPRISE_ID, PLAN_ID), body)
        try:
            due_on = clean_date(DUE_ON, body.get("due_on"), not_before=dt.date.today())
        except FieldError as exc:
            errors.append(exc)
        raw_ids = body.get("enforcer_ids") or []
        if not isinstance(raw_ids, list):
            errors.append(FieldError("/enforcer_ids", "执法人员应为编号列表"))
            raw_ids = []
        errors += [
            FieldError(f"/enforcer_ids/{n}", "执法人员编号应为正整数")
            for n, raw in enumerate(raw_ids)
            if to_id(raw) is None
        ]
        if errors:
            return self._invalid(errors)
        enterprise = session.get(Enterprise, values["enterprise_id"])
        if enterprise is None:
            return self._invalid([FieldError("/enterprise_id", "企业不存在或不在您的管辖范围内")])
        enforcers = [e for e in (session.get(Enforcer, i) for i in ids(raw_ids)) if e is not None]
        plan = session.get(Plan, values["plan_id"]) if values.get("plan_id") else None
        if values.get("plan_id") and plan is None:
            return self._invalid([FieldError("/plan_id", "计划不存在或不在您的管辖范围内")])
        try:
            task = plans.create_task(
                session,
                enterprise=enterprise,
                enforcers=enforcers,
                due_on=due_on,
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
    search_columns = ["enterprise_id", "task_id", "status", "region_code", "docking_source"]
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
          parameters:
          - pk
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [version]
                  properties:
                    version: {type: integer}
                    plugin_id: {type: string}
                    answers: {type: object}
                    submit: {type: boolean}
                    participants:
                      type: array
                      items:
                        type: object
                        properties:
                          name: {type: string}
                          position: {type: string}
                          phone: {type: string}
                          unit: {type: string}
                    latitude: {type: number}
                    longitude: {type: number}
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
        body = json_body()
        values, errors = clean_record(SAVE_INPUT, body, partial=True)
        if "version" not in body:
            errors.append(FieldError("/version", "请提供您读取时的版本号 version"))
        participants = body.get("participants")
        if participants is not None:
            errors += participant_errors(participants)
        answers = body.get("answers")
        if answers is not None and not isinstance(answers, dict):
            errors.append(FieldError("/answers", "answers 应为对象"))
        if errors:
            return self._invalid(errors)
        try:
            outcome = inspections.save_inspection(
                self._session(),
                checklists.platform_of(),
                inspection,
                version=values["version"],
                plugin_id=values.get("plugin_id"),
                answers=answers,
                submit=bool(body.get("submit")),
                participants=participants,
                latitude=values.get("latitude"),
                longitude=values.get("longitude"),
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
    search_columns = [
        "enterprise_id",
        "inspection_id",
        "status",
        "is_major",
        "region_code",
        "docking_source",
    ]
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
          parameters:
          - pk
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [measure]
                  properties:
                    measure: {type: string, enum: [immediate, deadline, on_site, file_case]}
                    deadline: {type: string, format: date}
          responses:
            200:
              description: confirmed
            422:
              description: refused, with Chinese reasons
        """
        hazard = self._session().get(Hazard, pk)
        if hazard is None:
            return self._missing()
        body = json_body()
        errors: list[FieldError] = []
        measure = deadline = None
        try:
            measure = MEASURE_INPUT.clean(body.get("measure"))
        except FieldError as exc:
            errors.append(exc)
        try:
            deadline = clean_date(DEADLINE, body.get("deadline"), not_before=dt.date.today())
        except FieldError as exc:
            errors.append(exc)
        if errors:
            return self._invalid(errors)
        try:
            rectification.confirm_measure(self._session(), hazard, measure, deadline)
        except workbench.WorkbenchError as exc:
            return self._refused(exc, "/measure")
        return self.response(200, result=self.show_model_schema.dump(hazard))
