"""What the workbench API answers with, per resource (docs/api-workbench.md); the API's list and
detail columns follow from these fields."""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from enforcement.domain import planning
from enforcement.domain.errors import FieldError
from enforcement.domain.fields import INT32_MAX, Field, clean_record

PLAN_READ: dict[str, fields.Field] = {
    "id": fields.Integer(),
    "title": fields.String(),
    "year": fields.Integer(),
    "kind": fields.String(),
    "period_start": fields.Date(),
    "period_end": fields.Date(),
    "region_code": fields.String(),
    "status": fields.String(),
    "approved_by": fields.String(),
    "approved_at": fields.DateTime(),
    "item_set_ids": fields.List(fields.String()),
    "selection_rule": fields.Dict(),
    "random_seed": fields.Integer(),
    # The source system of a docked record (None: recorded on this platform).
    "docking_source": fields.String(allow_none=True),
}


TASK_READ: dict[str, fields.Field] = {
    "id": fields.Integer(),
    "plan_id": fields.Integer(),
    "enterprise_id": fields.Integer(),
    "region_code": fields.String(),
    "due_on": fields.Date(),
    "status": fields.String(),
    "kind": fields.String(),
    "parent_id": fields.Integer(),
    "enforcer_ids": fields.Function(lambda t: [e.id for e in t.enforcers]),
    # The source system of a docked record (None: recorded on this platform).
    "docking_source": fields.String(allow_none=True),
}


INSPECTION_READ: dict[str, fields.Field] = {
    "id": fields.Integer(),
    "task_id": fields.Integer(),
    "enterprise_id": fields.Integer(),
    "region_code": fields.String(),
    "status": fields.String(),
    "started_at": fields.DateTime(),
    "finished_at": fields.DateTime(),
    "latitude": fields.Float(),
    "longitude": fields.Float(),
    "participants": fields.List(fields.Dict()),
    "answer_set_id": fields.Integer(),
    "answer_set_ids": fields.Dict(),
    "version": fields.Integer(),
    # The source system of a docked record (None: recorded on this platform).
    "docking_source": fields.String(allow_none=True),
}


HAZARD_READ: dict[str, fields.Field] = {
    "id": fields.Integer(),
    "inspection_id": fields.Integer(),
    "enterprise_id": fields.Integer(),
    "region_code": fields.String(),
    "plugin_id": fields.String(),
    "plugin_version": fields.String(),
    "item_id": fields.String(),
    "item_code": fields.String(),
    "title": fields.String(),
    "equipment_id": fields.Integer(),
    "equipment_name": fields.String(),
    "description": fields.String(),
    "illegal_basis": fields.String(),
    "penalty_basis": fields.String(),
    "is_major": fields.Boolean(),
    "measure": fields.String(),
    "measure_confirmed": fields.Boolean(),
    "status": fields.String(),
    "deadline": fields.Date(),
    "rectified_on": fields.Date(),
    "verified_by_task_id": fields.Integer(),
    "verified_on": fields.Date(),
    "rectification_order_id": fields.Integer(),
    "case_id": fields.Integer(),
    # The source system of a docked record (None: recorded on this platform).
    "docking_source": fields.String(allow_none=True),
}


# -- what the workbench API and pages accept (domain/fields.py rules; lengths are the columns') --

DUE_ON = Field("due_on", "完成期限", "date", required=True)
DEADLINE = Field("deadline", "整改期限", "date")
ENTERPRISE_ID = Field(
    "enterprise_id", "企业", "integer", required=True, minimum=1, maximum=INT32_MAX
)
PLAN_ID = Field("plan_id", "监督检查计划", "integer", minimum=1, maximum=INT32_MAX)
VERSION = Field("version", "版本号", "integer", required=True, minimum=0, maximum=INT32_MAX)
SAVE_INPUT: tuple[Field, ...] = (
    VERSION,
    Field("plugin_id", "检查事项", max_length=120),
    Field("latitude", "纬度", "number", minimum=-90, maximum=90),
    Field("longitude", "经度", "number", minimum=-180, maximum=180),
)
PARTICIPANT_FIELDS: tuple[Field, ...] = (
    Field("name", "参加人员姓名", max_length=64),
    Field("position", "职务", max_length=64),
    Field("phone", "联系电话", max_length=32),
    Field("unit", "单位", max_length=200),
)
MEASURE_INPUT = Field(
    "measure", "处理措施", "choice", required=True, choices=planning.HAZARD_MEASURES
)
# A blank title is the service's to refuse, beside its other reasons (planning.validate_plan).
PLAN_TITLE = Field("title", "计划名称", max_length=200)
PLAN_YEAR = Field("year", "年度", "integer", required=True, minimum=2000, maximum=2100)
SAMPLE_SIZE = Field("sample_size", "双随机抽取企业数", "integer", minimum=1, maximum=100_000)
SEED = Field("seed", "随机种子", "integer", minimum=0, maximum=INT32_MAX)


def participant_errors(participants: Any) -> list[FieldError]:
    """现场检查参加人员: a list of {"name", "position", "phone", "unit"}, each text fitting."""
    if not isinstance(participants, list):
        return [FieldError("/participants", "参加人员应为列表")]
    if len(participants) > 100:
        return [FieldError("/participants", "参加人员不能超过100人")]
    errors: list[FieldError] = []
    for index, person in enumerate(participants):
        if not isinstance(person, dict):
            errors.append(FieldError(f"/participants/{index}", "每位参加人员应为对象"))
            continue
        _, invalid = clean_record(PARTICIPANT_FIELDS, person, partial=True)
        errors += [FieldError(f"/participants/{index}{e.path}", e.message) for e in invalid]
    return errors
