"""The base-data API's request and response schemas, from the field tables (domain/fields.py).

A write answers with the same Chinese messages as the page and the importer: each field's rule,
then services/base_data.py for what needs the database; every reason at once, 422.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from enforcement.domain.errors import FieldError
from enforcement.domain.fields import (
    ENFORCER_FIELDS,
    ENTERPRISE_FIELDS,
    EQUIPMENT_FIELDS,
    INT32_MAX,
    Field,
)
from enforcement.models import Enforcer, Enterprise, Equipment
from enforcement.services import base_data
from enforcement.web.base import TableWriteSchema, schema_field
from enforcement.web.base import app_session as _session

# The API names a parent by its key where a page offers a picker and a spreadsheet a natural key.
ENTERPRISE_ID = Field(
    "enterprise_id", "所属企业", "integer", required=True, minimum=1, maximum=INT32_MAX
)
DEPARTMENT_ID = Field(
    "department_id", "所属执法部门", "integer", required=True, minimum=1, maximum=INT32_MAX
)


def _read(table: tuple[Field, ...], **extra: fields.Field) -> dict[str, fields.Field]:
    """The answer's fields: the id, the table's fields, the `*_label` of each coded one."""
    columns: dict[str, fields.Field] = {"id": fields.Integer()}
    for f in table:
        columns[f.name] = schema_field(f)
        if f.kind == "choice":
            columns[f"{f.name}_label"] = fields.String()
    return {**columns, **extra}


def _columns(table: tuple[Field, ...]) -> list[str]:
    """What FAB selects for a list or a detail: the id and the table's columns (tags is a
    collection, dumped by the schema)."""
    return ["id"] + [f.name for f in table if f.kind != "tags"]


def _key(record: Any) -> Any:
    return getattr(record, "id", None)


class EnterpriseWriteSchema(TableWriteSchema.of(Enterprise, ENTERPRISE_FIELDS)):  # type: ignore[misc]
    def check(self, values: dict[str, Any], instance: Any) -> list[FieldError]:
        return base_data.enterprise_errors(_session(), values, except_id=_key(instance))


ENTERPRISE_READ = _read(
    ENTERPRISE_FIELDS,
    region_name=fields.Function(lambda e: e.region.full_name if e.region else None),
)
EnterpriseReadSchema = Schema.from_dict(ENTERPRISE_READ, name="EnterpriseReadSchema")
ENTERPRISE_COLUMNS = _columns(ENTERPRISE_FIELDS)


class EquipmentWriteSchema(
    TableWriteSchema.of(Equipment, (ENTERPRISE_ID, *EQUIPMENT_FIELDS))  # type: ignore[misc]
):
    def check(self, values: dict[str, Any], instance: Any) -> list[FieldError]:
        if not values.get("enterprise_id"):
            return []
        error = base_data.enterprise_error(_session(), values["enterprise_id"])
        return [error] if error else []


EQUIPMENT_READ = _read((ENTERPRISE_ID, *EQUIPMENT_FIELDS))
EQUIPMENT_COLUMNS = _columns((ENTERPRISE_ID, *EQUIPMENT_FIELDS))


class EnforcerWriteSchema(
    TableWriteSchema.of(Enforcer, (*ENFORCER_FIELDS, DEPARTMENT_ID))  # type: ignore[misc]
):
    def check(self, values: dict[str, Any], instance: Any) -> list[FieldError]:
        if not values.get("department_id"):
            return []
        error = base_data.department_error(_session(), values["department_id"])
        return [error] if error else []


ENFORCER_COLUMNS = _columns((*ENFORCER_FIELDS, DEPARTMENT_ID))
ENFORCER_READ = {
    **_read((*ENFORCER_FIELDS, DEPARTMENT_ID)),
    "training_hours": fields.Float(),
}
