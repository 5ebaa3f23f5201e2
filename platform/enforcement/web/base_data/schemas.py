"""The base-data API's request and response schemas: what a client may write, and what it reads."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select

from enforcement.domain import codes
from enforcement.domain.uscc import USCCError, normalize_uscc
from enforcement.models import Department, Enforcer, Enterprise, Equipment, Region
from enforcement.models.scoping import UNSCOPED, current_actor
from enforcement.web.base import ModelWriteSchema
from enforcement.web.base import app_session as _session


def _check_region(code: str) -> None:
    region = _session().get(Region, code)
    if region is None or region.level == "province":
        raise ValidationError("行政区划代码不存在，或是省级代码（应填写区县代码）")
    if not current_actor().jurisdiction.contains(code):
        raise ValidationError("该行政区划不在您的管辖范围内")


class EnterpriseWriteSchema(ModelWriteSchema):
    model = Enterprise
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    uscc = fields.String(required=True)
    region_code = fields.String(required=True)
    sector = fields.String(required=True, validate=validate.OneOf(list(codes.SECTORS)))
    tags = fields.List(fields.String(validate=validate.OneOf(list(codes.TAGS))))
    address = fields.String(required=True, validate=validate.Length(max=300))
    scale = fields.String(allow_none=True, validate=validate.OneOf(list(codes.SCALES)))
    status = fields.String(validate=validate.OneOf(list(codes.ENTERPRISE_STATUSES)))
    principal_name = fields.String(allow_none=True)
    principal_phone = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    employees = fields.Integer(allow_none=True, validate=validate.Range(min=0))

    @validates("uscc")
    def _uscc(self, value: str, **_: Any) -> None:
        try:
            normalize_uscc(value)
        except USCCError as exc:
            raise ValidationError(str(exc)) from None

    @validates("region_code")
    def _region(self, value: str, **_: Any) -> None:
        _check_region(value)

    def load(self, data: Any, *, instance: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        obj = super().load(data, instance=instance, **kwargs)
        obj.uscc = normalize_uscc(obj.uscc)
        existing = _session().scalar(
            select(Enterprise.id)
            .where(Enterprise.uscc == obj.uscc)
            .execution_options(**{UNSCOPED: True})
        )
        if existing is not None and existing != obj.id:
            raise ValidationError({"uscc": ["该统一社会信用代码已登记，请勿重复录入"]})
        return obj


class EnterpriseReadSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    region_code = fields.String()
    region_name = fields.Function(lambda e: e.region.full_name if e.region else None)
    sector = fields.String()
    sector_label = fields.String()
    tags = fields.List(fields.String())
    address = fields.String()
    scale = fields.String()
    status = fields.String()
    principal_name = fields.String()
    principal_phone = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    employees = fields.Integer()


ENTERPRISE_COLUMNS = [
    "id",
    "name",
    "uscc",
    "region_code",
    "sector",
    "address",
    "scale",
    "status",
    "principal_name",
    "principal_phone",
    "contact_name",
    "contact_phone",
    "employees",
]


class EquipmentWriteSchema(ModelWriteSchema):
    model = Equipment
    enterprise_id = fields.Integer(required=True)
    equipment_type = fields.String(
        required=True, validate=validate.OneOf(list(codes.EQUIPMENT_TYPES))
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    serial_no = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    capacity = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)

    @validates("enterprise_id")
    def _enterprise(self, value: int, **_: Any) -> None:
        if (
            _session().get(Enterprise, value) is None
        ):  # scoped: another region's enterprise is absent
            raise ValidationError("企业不存在")


EQUIPMENT_READ = {
    "id": fields.Integer(),
    "enterprise_id": fields.Integer(),
    "equipment_type": fields.String(),
    "equipment_type_label": fields.String(),
    "name": fields.String(),
    "serial_no": fields.String(),
    "location": fields.String(),
    "capacity": fields.Float(),
    "notes": fields.String(),
}


class EnforcerWriteSchema(ModelWriteSchema):
    model = Enforcer
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    certificate_no = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9A-Za-z\-]{6,32}$", error="执法证号应为6-32位数字或字母"),
    )
    department_id = fields.Integer(required=True)
    position = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)

    @validates("department_id")
    def _department(self, value: int, **_: Any) -> None:
        department = _session().get(Department, value)
        if department is None or not current_actor().jurisdiction.contains(department.region_code):
            raise ValidationError("执法部门不存在或不在您的管辖范围内")


ENFORCER_READ = {
    "id": fields.Integer(),
    "name": fields.String(),
    "certificate_no": fields.String(),
    "department_id": fields.Integer(),
    "position": fields.String(),
    "phone": fields.String(),
    "training_hours": fields.Float(),
}
