"""系统维护配置 pages of the base data: 执法对象, 设备台账, 执法人员 (and their training), 执法部门,
行政区划, 审计日志, and the 批量导入 page (upload .xlsx/.csv, see every rejected row, templates).
Jurisdiction is not handled here: the session scopes every query.

The labels, inputs and rules of enterprises, equipment, enforcers and trainings come from the field
tables (domain/fields.py), as the API's and the importer's do; the export headers are the labels.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import abort, current_app, request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from wtforms import Form

from enforcement.db.acting import current_actor
from enforcement.domain import codes
from enforcement.domain.fields import (
    ENFORCER_FIELDS,
    ENTERPRISE_FIELDS,
    EQUIPMENT_FIELDS,
    TRAINING_FIELDS,
    fields_by_name,
)
from enforcement.models import (
    AuditLog,
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.services import base_data
from enforcement.services.exporting import template_xlsx
from enforcement.services.importing import KINDS, ImportResult, import_file
from enforcement.web.base import XLSX, ChineseModelView, SoftDeleteInterface
from enforcement.web.base_data.forms import (
    choice_field,
    department_field,
    form_fields,
    labels,
    region_field,
)
from enforcement.web.base_data.region_tree import FILTER_ARG as REGION_FILTER_ARG
from enforcement.web.base_data.region_tree import region_tree

IMPORT_KINDS = KINDS  # what the importer reads, as the page offers it
IMPORT_SUFFIXES = {".xlsx", ".csv"}
ENTERPRISE = fields_by_name(ENTERPRISE_FIELDS)


class EquipmentView(ChineseModelView):
    route_base = "/equipment"
    datamodel = SoftDeleteInterface(Equipment)
    noun = "设备"
    # The detail with links to its QR label and its checks (web/verify/, 扫码验真).
    show_template = "enforcement/verify/equipment_show.html"
    label_columns = {
        **labels(EQUIPMENT_FIELDS),
        "enterprise": "所属企业",
        "enterprise.name": "所属企业",
        "enterprise.uscc": ENTERPRISE["uscc"].label,
        "created_at": "登记时间",
    }
    list_columns = ["name", "equipment_type_label", "enterprise", "serial_no", "location"]
    export_columns = [
        "enterprise.name",
        "enterprise.uscc",
        "equipment_type_label",
        "name",
        "serial_no",
        "location",
        "notes",
    ]
    show_columns = [
        "enterprise",
        "equipment_type_label",
        "name",
        "serial_no",
        "location",
        "capacity",
        "notes",
        "created_at",
    ]
    add_columns = [
        "enterprise",
        "equipment_type",
        "name",
        "serial_no",
        "location",
        "capacity",
        "notes",
    ]
    edit_columns = add_columns
    search_columns = ["name", "equipment_type", "enterprise", "serial_no", "location"]
    add_form_extra_fields = form_fields(EQUIPMENT_FIELDS)
    edit_form_extra_fields = add_form_extra_fields
    base_order = ("id", "asc")


class EnterpriseView(ChineseModelView):
    route_base = "/enterprise"
    datamodel = SoftDeleteInterface(Enterprise)
    noun = "执法对象"
    related_views = [EquipmentView]
    # The cascade page (its equipment) with a link to the enterprise's 执法档案 in 我的工作台.
    show_template = "enforcement/workbench/enterprise_show.html"
    label_columns = {
        **labels(ENTERPRISE_FIELDS),
        "region": "行政区划",
        "region.full_name": "行政区划",
        "created_at": "登记时间",
        "updated_at": "更新时间",
    }
    list_columns = ["name", "uscc", "region", "sector_label", "tags_label", "status_label"]
    export_columns = [
        "name",
        "uscc",
        "region_code",
        "region.full_name",
        "sector_label",
        "tags_label",
        "address",
        "scale_label",
        "status_label",
        "principal_name",
        "principal_phone",
        "contact_name",
        "contact_phone",
        "employees",
        "latitude",
        "longitude",
    ]
    show_fieldsets = [
        (
            "基本信息",
            {
                "fields": [
                    "name",
                    "uscc",
                    "region",
                    "address",
                    "sector_label",
                    "tags_label",
                    "scale_label",
                    "status_label",
                    "employees",
                    "latitude",
                    "longitude",
                ]
            },
        ),
        (
            "负责人与联系人",
            {"fields": ["principal_name", "principal_phone", "contact_name", "contact_phone"]},
        ),
        ("记录", {"fields": ["created_at", "updated_at"], "expanded": False}),
    ]
    add_columns = [
        "name",
        "uscc",
        "region",
        "address",
        "sector",
        "tags",
        "scale",
        "status",
        "principal_name",
        "principal_phone",
        "contact_name",
        "contact_phone",
        "employees",
        "latitude",
        "longitude",
    ]
    edit_columns = add_columns
    search_columns = [
        "name",
        "uscc",
        "address",
        "sector",
        "region_code",
        "principal_name",
        "status",
    ]
    # The page picks a region where the API and a spreadsheet give its code.
    add_form_extra_fields = {**form_fields(ENTERPRISE_FIELDS), "region": region_field()}
    edit_form_extra_fields = add_form_extra_fields
    refused_fields = {"region_code": "region"}
    base_order = ("name", "asc")
    list_template = "enforcement/enterprise_list.html"

    def render_template(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template:
            kwargs["region_tree"] = region_tree(
                self.datamodel.session,
                current_actor().jurisdiction,
                request.args.get(REGION_FILTER_ARG),
            )
            kwargs["region_filter_arg"] = REGION_FILTER_ARG
        return super().render_template(template, **kwargs)

    def check_form(self, form: Form, editing: Any) -> None:
        region = form.region.data
        values = {"uscc": form.uscc.data, "region_code": region.code if region else None}
        base_data.check_enterprise(self.datamodel.session, values, except_id=editing)


class TrainingRecordView(ChineseModelView):
    route_base = "/training"
    datamodel = SQLAInterface(TrainingRecord)
    noun = "培训记录"
    label_columns = {**labels(TRAINING_FIELDS), "enforcer": "执法人员"}
    list_columns = ["enforcer", "date", "course", "hours"]
    add_columns = ["enforcer", "date", "course", "hours"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["enforcer", "date", "course"]
    add_form_extra_fields = form_fields(TRAINING_FIELDS)
    edit_form_extra_fields = add_form_extra_fields
    base_order = ("date", "desc")


class EnforcerView(ChineseModelView):
    route_base = "/enforcer"
    datamodel = SoftDeleteInterface(Enforcer)
    noun = "执法人员"
    related_views = [TrainingRecordView]
    show_template = "appbuilder/general/model/show_cascade.html"
    label_columns = {
        **labels(ENFORCER_FIELDS),
        "department": "所属执法部门",
        "department.name": "所属执法部门",
        "department.region_code": "部门行政区划代码",
        "training_hours": "累计培训学时",
        "created_at": "登记时间",
    }
    list_columns = ["name", "certificate_no", "department", "position", "training_hours"]
    export_columns = [
        "name",
        "certificate_no",
        "department.name",
        "department.region_code",
        "position",
        "phone",
        "training_hours",
    ]
    show_columns = [
        "name",
        "certificate_no",
        "department",
        "position",
        "phone",
        "training_hours",
        "created_at",
    ]
    add_columns = ["name", "certificate_no", "department", "position", "phone"]
    edit_columns = add_columns
    search_columns = ["name", "certificate_no", "department", "position"]
    add_form_extra_fields = {**form_fields(ENFORCER_FIELDS), "department": department_field()}
    edit_form_extra_fields = add_form_extra_fields
    base_order = ("name", "asc")


class DepartmentView(ChineseModelView):
    route_base = "/department"
    datamodel = SQLAInterface(Department)
    noun = "执法部门"
    label_columns = {
        "name": "部门名称",
        "region": "行政区划",
        "region_code": "行政区划代码",
        "level": "层级",
        "level_label": "层级",
    }
    list_columns = ["name", "region", "level_label"]
    show_columns = list_columns
    add_columns = ["name", "region", "level"]
    edit_columns = add_columns
    search_columns = ["name", "region_code", "level"]
    add_form_extra_fields = {"level": choice_field("层级", codes.DEPARTMENT_LEVELS)}
    edit_form_extra_fields = add_form_extra_fields
    base_order = ("region_code", "asc")


class RegionView(ChineseModelView):
    route_base = "/region"
    datamodel = SQLAInterface(Region)
    noun = "行政区划"
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "code": "区划代码",
        "name": "名称",
        "full_name": "全称",
        "level": "级别",
        "parent_code": "上级代码",
    }
    list_columns = ["code", "full_name", "level", "parent_code"]
    show_columns = list_columns
    search_columns = ["code", "name", "full_name", "level"]
    base_order = ("code", "asc")
    # 省级/地级/县级, never `province`; a province has no parent: blank, never "None".
    formatters_columns = {
        "level": lambda value: codes.label(codes.REGION_LEVELS, value),
        "parent_code": lambda value: value or "",
    }


class AuditLogView(ChineseModelView):
    route_base = "/audit"
    datamodel = SQLAInterface(AuditLog)
    noun = "审计日志"
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "at": "时间",
        "username": "用户",
        "action": "操作",
        "action_label": "操作",
        "entity": "对象类型",
        "entity_id": "对象编号",
        "summary": "摘要",
        "old_values": "原值",
        "new_values": "新值",
        "reason": "原因",
        "remote_addr": "来源地址",
    }
    list_columns = ["at", "username", "action_label", "entity", "entity_id", "summary"]
    show_columns = [
        "at",
        "username",
        "action_label",
        "entity",
        "entity_id",
        "summary",
        "old_values",
        "new_values",
        "reason",
        "remote_addr",
    ]
    export_columns = show_columns
    search_columns = ["at", "username", "action", "entity", "entity_id", "summary"]
    base_order = ("id", "desc")


class ImportView(BaseView):
    """批量导入: pick a kind, upload .xlsx/.csv, see every rejected row; templates to download."""

    route_base = "/import"
    default_view = "index"

    def _page(
        self,
        result: ImportResult | None = None,
        error: str | None = None,
        kind: str = "enterprises",
        filename: str = "",
    ) -> Any:
        return self.render_template(
            "enforcement/import.html",
            kinds=IMPORT_KINDS,
            result=result,
            error=error,
            kind=kind,
            filename=filename,
            max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
        )

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self) -> Any:
        if request.method == "GET":
            return self._page()
        kind = request.form.get("kind", "")
        upload = request.files.get("file")
        if kind not in IMPORT_KINDS:
            return self._page(error="请选择导入类型", kind=kind)
        if upload is None or not upload.filename:
            return self._page(error="请选择要导入的文件", kind=kind)
        if Path(upload.filename).suffix.lower() not in IMPORT_SUFFIXES:
            return self._page(error="只支持 .xlsx 或 .csv 文件", kind=kind)
        result = import_file(
            self.appbuilder.session,
            kind,
            upload.read(),
            upload.filename,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
        )
        return self._page(result=result, kind=kind, filename=upload.filename)

    @expose("/template/<kind>.xlsx")
    @has_access
    def template(self, kind: str) -> Any:
        if kind not in IMPORT_KINDS:
            abort(404)
        return send_file(
            io.BytesIO(template_xlsx(kind)),
            mimetype=XLSX,
            as_attachment=True,
            download_name=f"{IMPORT_KINDS[kind]}导入模板.xlsx",
        )
