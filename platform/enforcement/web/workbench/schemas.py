"""What the workbench API answers with, per resource (docs/api-workbench.md); the API's list and
detail columns follow from these fields."""

from __future__ import annotations

from marshmallow import fields

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
    "rectification_order_id": fields.Integer(),
    "case_id": fields.Integer(),
}
