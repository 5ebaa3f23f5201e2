"""REST API of the base data under /api/v1/ (CONTRACT.md). Same session, so the same jurisdiction
scoping as the pages."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.models.sqla.interface import SQLAInterface
from marshmallow import fields

from enforcement.models import Department, Enforcer, Enterprise, Equipment, Region
from enforcement.web.base import ContractApi, SoftDeleteInterface, read_schema
from enforcement.web.base_data.schemas import (
    ENFORCER_COLUMNS,
    ENFORCER_READ,
    ENTERPRISE_COLUMNS,
    ENTERPRISE_READ,
    EQUIPMENT_COLUMNS,
    EQUIPMENT_READ,
    EnforcerWriteSchema,
    EnterpriseReadSchema,
    EnterpriseWriteSchema,
    EquipmentWriteSchema,
)


class EnterpriseApi(ContractApi):
    resource_name = "enterprise"
    datamodel = SoftDeleteInterface(Enterprise)
    list_columns = ENTERPRISE_COLUMNS
    show_columns = ENTERPRISE_COLUMNS
    # The list's and the record's schemas are schemas of their own: the OpenAPI document
    # registers each under its own name (one schema under two names breaks its references).
    list_model_schema = read_schema(ENTERPRISE_READ)
    show_model_schema = EnterpriseReadSchema()
    add_model_schema = EnterpriseWriteSchema()
    edit_model_schema = EnterpriseWriteSchema(partial=True)
    search_columns = ["name", "uscc", "region_code", "sector", "status", "address"]
    order_columns = ["name", "uscc", "region_code", "id"]
    base_order = ("id", "asc")


class EquipmentApi(ContractApi):
    resource_name = "equipment"
    datamodel = SoftDeleteInterface(Equipment)
    list_columns = EQUIPMENT_COLUMNS
    show_columns = list_columns
    list_model_schema = read_schema(EQUIPMENT_READ)
    show_model_schema = read_schema(EQUIPMENT_READ)
    add_model_schema = EquipmentWriteSchema()
    edit_model_schema = EquipmentWriteSchema(partial=True)
    search_columns = ["enterprise_id", "equipment_type", "name"]
    base_order = ("id", "asc")


class EnforcerApi(ContractApi):
    resource_name = "enforcer"
    datamodel = SoftDeleteInterface(Enforcer)
    list_columns = ENFORCER_COLUMNS
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
    show_model_schema = read_schema({c: fields.String() for c in list_columns})
    search_columns = ["code", "name", "level", "parent_code"]
    base_order = ("code", "asc")

    def get_headless(self, pk: Any, **kwargs: Any) -> Any:
        # The key is a 6-digit text code: a number in the path is compared as text (PostgreSQL
        # refuses varchar = integer), and anything else simply does not exist.
        return super().get_headless(str(pk), **kwargs)


DEPARTMENT_READ = {
    "id": fields.Integer(),
    "name": fields.String(),
    "region_code": fields.String(),
    "level": fields.String(),
}


class DepartmentApi(ContractApi):
    resource_name = "department"
    datamodel = SQLAInterface(Department)
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "name", "region_code", "level"]
    show_columns = list_columns
    list_model_schema = read_schema(DEPARTMENT_READ)
    show_model_schema = read_schema(DEPARTMENT_READ)
    search_columns = ["name", "region_code", "level"]
    base_order = ("id", "asc")
