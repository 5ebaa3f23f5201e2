"""REST API under /api/v1/ (CONTRACT.md). Same session, so the same jurisdiction scoping as pages."""

from __future__ import annotations

from typing import Any

from flask_appbuilder import AppBuilder
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select

from enforcement.domain import codes
from enforcement.domain.uscc import USCCError, normalize_uscc
from enforcement.models import Department, Enforcer, Enterprise, Equipment, Region
from enforcement.models.scoping import UNSCOPED, current_actor
from enforcement.web.views import SoftDeleteInterface


def errors_from_messages(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages → [{"path": "/json/pointer", "message": "…"}]."""
    if isinstance(messages, str):
        return [{"path": prefix or "/", "message": messages}]
    if isinstance(messages, list):
        out: list[dict[str, str]] = []
        for message in messages:
            out += errors_from_messages(message, prefix)
        return out
    out = []
    for key, value in messages.items():
        out += errors_from_messages(value, f"{prefix}/{key}")
    return out


class ContractApi(ModelRestApi):
    """Validation failures answer {"errors": [{"path", "message"}]} as CONTRACT.md says."""

    allow_browser_login = True
    page_size = 50
    max_page_size = 500

    def _merge_update_item(self, model_item: Any, data: dict[str, Any]) -> dict[str, Any]:
        # Edit schemas load partially into the instance: nothing to merge (FAB's merge dumps every column).
        return data

    def response_422(self, message: Any = None) -> Any:
        errors = errors_from_messages(message or "无法处理该记录")
        return self.response(422, errors=errors, message=message)

    def response_400(self, message: Any = None) -> Any:
        errors = errors_from_messages(message or "请求参数不正确")
        return self.response(400, errors=errors, message=message)


class ModelWriteSchema(Schema):
    """A plain marshmallow schema that loads into a new or given model instance."""

    model: type

    def load(self, data: Any, *, instance: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        values = super().load(data, **kwargs)
        obj = instance if instance is not None else self.model()
        for key, value in values.items():
            setattr(obj, key, value)
        return obj


def _session() -> Any:
    from flask import current_app

    return current_app.appbuilder.session


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


class EnterpriseApi(ContractApi):
    resource_name = "enterprise"
    datamodel = SoftDeleteInterface(Enterprise)
    list_columns = ENTERPRISE_COLUMNS
    show_columns = ENTERPRISE_COLUMNS
    list_model_schema = EnterpriseReadSchema()
    show_model_schema = EnterpriseReadSchema()
    add_model_schema = EnterpriseWriteSchema()
    edit_model_schema = EnterpriseWriteSchema(partial=True)
    search_columns = ["name", "uscc", "region_code", "sector", "status", "address"]
    order_columns = ["name", "uscc", "region_code", "id"]
    base_order = ("id", "asc")


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


def read_schema(columns: dict[str, fields.Field]) -> Schema:
    """An explicit output schema: FAB's generated ones drop foreign-key columns clients rely on."""
    return Schema.from_dict(columns)()


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


class EquipmentApi(ContractApi):
    resource_name = "equipment"
    datamodel = SoftDeleteInterface(Equipment)
    list_columns = [
        "id",
        "enterprise_id",
        "equipment_type",
        "name",
        "serial_no",
        "location",
        "capacity",
        "notes",
    ]
    show_columns = list_columns
    list_model_schema = read_schema(EQUIPMENT_READ)
    show_model_schema = read_schema(EQUIPMENT_READ)
    add_model_schema = EquipmentWriteSchema()
    edit_model_schema = EquipmentWriteSchema(partial=True)
    search_columns = ["enterprise_id", "equipment_type", "name"]
    base_order = ("id", "asc")


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


class EnforcerApi(ContractApi):
    resource_name = "enforcer"
    datamodel = SoftDeleteInterface(Enforcer)
    list_columns = ["id", "name", "certificate_no", "department_id", "position", "phone"]
    show_columns = list_columns
    list_model_schema = read_schema(ENFORCER_READ)
    show_model_schema = read_schema(ENFORCER_READ)
    add_model_schema = EnforcerWriteSchema()
    edit_model_schema = EnforcerWriteSchema(partial=True)
    search_columns = ["name", "certificate_no", "department_id"]
    base_order = ("id", "asc")


class RegionApi(ContractApi):
    resource_name = "region"
    datamodel = SQLAInterface(Region)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["code", "name", "full_name", "level", "parent_code"]
    show_columns = list_columns
    list_model_schema = read_schema({c: fields.String() for c in list_columns})
    show_model_schema = list_model_schema
    search_columns = ["code", "name", "level", "parent_code"]
    base_order = ("code", "asc")


class DepartmentApi(ContractApi):
    resource_name = "department"
    datamodel = SQLAInterface(Department)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "name", "region_code", "level"]
    show_columns = list_columns
    list_model_schema = read_schema(
        {
            "id": fields.Integer(),
            "name": fields.String(),
            "region_code": fields.String(),
            "level": fields.String(),
        }
    )
    show_model_schema = list_model_schema
    search_columns = ["name", "region_code", "level"]
    base_order = ("id", "asc")


def register_apis(appbuilder: AppBuilder) -> None:
    from enforcement.web.checklist_api import ChecklistApi

    for api in (RegionApi, DepartmentApi, EnterpriseApi, EquipmentApi, EnforcerApi, ChecklistApi):
        appbuilder.add_api(api)
