"""Views of the four menus. Jurisdiction is not handled here: the session scopes every query."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import current_app, g, send_file, url_for
from flask_appbuilder import AppBuilder, BaseView, IndexView, ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from sqlalchemy import func, select
from wtforms.validators import DataRequired, Length, Optional, Regexp

from enforcement.domain import codes
from enforcement.models import (
    AuditLog,
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.models.scoping import OutOfJurisdiction, check_writable, current_actor
from enforcement.services.exporting import export_xlsx
from enforcement.web.forms import (
    ValidUSCC,
    choice_field,
    department_field,
    region_field,
    tags_field,
)
from enforcement.web.widgets import LeanListWidget

PHONE = Regexp(r"^[0-9+\-() ]{5,32}$", message="电话号码格式不正确")


class SoftDeleteInterface(SQLAInterface):
    """A delete marks the row (who, when); the audit log keeps the old values; an admin can restore."""

    def delete(self, item: Any, commit: bool = True) -> None:
        item.deleted_at = dt.datetime.now().replace(microsecond=0)
        item.deleted_by = current_actor().username
        self.session.add(item)
        if commit:
            self.session.commit()

    def delete_all(self, items: list[Any]) -> None:
        for item in items:
            self.delete(item, commit=False)
        self.session.commit()


class ChineseModelView(ModelView):
    """A ModelView titled in Chinese from one noun, 50 rows a page, with an Excel export."""

    noun = "记录"
    list_template = "enforcement/list.html"
    list_widget = LeanListWidget
    page_size = 50
    export_columns: list[str] | None = None

    def __init__(self, **kwargs: Any) -> None:
        self.list_title = (
            self.list_title if "list_title" in type(self).__dict__ else f"{self.noun}列表"
        )
        self.show_title = f"{self.noun}详情"
        self.add_title = f"新增{self.noun}"
        self.edit_title = f"编辑{self.noun}"
        super().__init__(**kwargs)
        # FAB offers every list column for sorting; a Python property (a *_label) cannot be sorted
        # in SQL and would answer 500.
        self.order_columns = [
            column
            for column in self.order_columns
            if not isinstance(getattr(self.datamodel.obj, column, None), property)
        ]

    def render_template(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("export_url", url_for(f"{self.endpoint}.export"))
        return super().render_template(template, **kwargs)

    def _check_jurisdiction(self, item: Any) -> None:
        try:
            check_writable(item, self.datamodel.session, current_actor().jurisdiction)
        except OutOfJurisdiction as exc:
            raise ValueError(str(exc)) from None

    def pre_add(self, item: Any) -> None:
        self._check_jurisdiction(item)

    def pre_update(self, item: Any) -> None:
        self._check_jurisdiction(item)

    def export_rows(self, items: list[Any], columns: list[str]) -> list[dict[str, Any]]:
        rows = []
        for item in items:
            row = {}
            for column in columns:
                value: Any = item
                for part in column.split("."):
                    value = getattr(value, part, None) if value is not None else None
                row[column] = (
                    value
                    if isinstance(value, str | int | float | list | dt.date | None)
                    else str(value)
                )
            rows.append(row)
        return rows

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        """The current list (same search filters and order) as an .xlsx file."""
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        limit = current_app.config.get("EXPORT_MAX_ROWS", 100000)
        _, items = self.datamodel.query(
            self._filters, order_column, order_direction, page=0, page_size=limit
        )
        columns = self.export_columns or self.list_columns
        headers = [(c, str(self.label_columns.get(c, c))) for c in columns]
        data = export_xlsx(headers, self.export_rows(items, columns), sheet=self.noun)
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M")
        return send_file(
            io.BytesIO(data),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=f"{self.noun}_{stamp}.xlsx",
        )


class EquipmentView(ChineseModelView):
    route_base = "/equipment"
    datamodel = SoftDeleteInterface(Equipment)
    noun = "设备"
    label_columns = {
        "enterprise": "所属企业",
        "enterprise.name": "所属企业",
        "enterprise.uscc": "统一社会信用代码",
        "equipment_type": "设备类型",
        "equipment_type_label": "设备类型",
        "name": "设备名称",
        "serial_no": "设备编号",
        "location": "安装位置",
        "capacity": "容量/规格",
        "notes": "备注",
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
    add_form_extra_fields = {"equipment_type": choice_field("设备类型", codes.EQUIPMENT_TYPES)}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"name": [DataRequired(message="请填写设备名称"), Length(max=120)]}
    base_order = ("id", "asc")


class EnterpriseView(ChineseModelView):
    route_base = "/enterprise"
    datamodel = SoftDeleteInterface(Enterprise)
    noun = "执法对象"
    related_views = [EquipmentView]
    show_template = "appbuilder/general/model/show_cascade.html"
    label_columns = {
        "name": "企业名称",
        "uscc": "统一社会信用代码",
        "address": "地址",
        "region": "行政区划",
        "region_code": "行政区划代码",
        "region.full_name": "行政区划",
        "sector": "行业类别",
        "sector_label": "行业类别",
        "tags": "专项标签",
        "tags_label": "专项标签",
        "scale": "企业规模",
        "scale_label": "企业规模",
        "status": "经营状态",
        "status_label": "经营状态",
        "principal_name": "主要负责人",
        "principal_phone": "主要负责人电话",
        "contact_name": "联系人",
        "contact_phone": "联系电话",
        "employees": "从业人数",
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
    add_form_extra_fields = {
        "region": region_field(),
        "sector": choice_field("行业类别", codes.SECTORS),
        "tags": tags_field(),
        "scale": choice_field("企业规模", codes.SCALES, required=False),
        "status": choice_field("经营状态", codes.ENTERPRISE_STATUSES),
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {
        "name": [DataRequired(message="请填写企业名称"), Length(max=200)],
        "uscc": [DataRequired(message="请填写统一社会信用代码"), ValidUSCC()],
        "address": [DataRequired(message="请填写企业地址"), Length(max=300)],
        "principal_phone": [Optional(), PHONE],
        "contact_phone": [Optional(), PHONE],
    }
    description_columns = {
        "uscc": "18位，由市场监管部门核发；系统按 GB 32100-2015 校验",
        "tags": "决定适用的专项检查事项：钢铁、铝加工（深井铸造）、粉尘涉爆、有限空间、涉氨制冷",
    }
    base_order = ("name", "asc")


class TrainingRecordView(ChineseModelView):
    route_base = "/training"
    datamodel = SQLAInterface(TrainingRecord)
    noun = "培训记录"
    label_columns = {
        "enforcer": "执法人员",
        "date": "培训日期",
        "course": "培训课程",
        "hours": "学时",
    }
    list_columns = ["enforcer", "date", "course", "hours"]
    add_columns = ["enforcer", "date", "course", "hours"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["enforcer", "date", "course"]
    validators_columns = {
        "course": [DataRequired(message="请填写培训课程")],
        "hours": [DataRequired(message="请填写学时")],
    }
    base_order = ("date", "desc")


class EnforcerView(ChineseModelView):
    route_base = "/enforcer"
    datamodel = SoftDeleteInterface(Enforcer)
    noun = "执法人员"
    related_views = [TrainingRecordView]
    show_template = "appbuilder/general/model/show_cascade.html"
    label_columns = {
        "name": "姓名",
        "certificate_no": "执法证号",
        "department": "所属执法部门",
        "department.name": "所属执法部门",
        "department.region_code": "部门行政区划代码",
        "position": "职务",
        "phone": "联系电话",
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
    add_form_extra_fields = {"department": department_field()}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {
        "name": [DataRequired(message="请填写姓名")],
        "certificate_no": [
            DataRequired(message="请填写执法证号"),
            Regexp(r"^[0-9A-Za-z\-]{6,32}$", message="执法证号应为6-32位数字或字母"),
        ],
        "phone": [Optional(), PHONE],
    }
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


class HomeView(IndexView):
    index_template = "enforcement/home.html"

    @expose("/")
    def index(self) -> Any:
        counts: dict[str, int] = {}
        if g.user is not None and g.user.is_authenticated:
            session = self.appbuilder.session
            for key, model in (
                ("enterprises", Enterprise),
                ("equipment", Equipment),
                ("enforcers", Enforcer),
            ):
                counts[key] = session.scalar(select(func.count()).select_from(model)) or 0
        return self.render_template(self.index_template, appbuilder=self.appbuilder, counts=counts)


class SectionView(BaseView):
    """Landing pages of the menus whose functions arrive in later releases: say so plainly."""

    route_base = "/section"
    default_view = "statistics"
    SECTIONS = {
        "statistics": (
            "统计查询",
            [
                "重点事项检查统计",
                "隐患排查治理统计",
                "执法处罚统计",
                "执法人员培训率",
                "企业信息录入率",
                "线上办案率",
                "区域下钻",
                "Excel 导出",
            ],
        ),
        "library": (
            "执法资源库",
            ["法律法规", "部门规章", "标准规范", "典型案例", "学习资料", "文书模板"],
        ),
    }

    def _render(self, key: str) -> Any:
        title, items = self.SECTIONS[key]
        return self.render_template("enforcement/section.html", title=title, items=items)

    @expose("/statistics/")
    @has_access
    def statistics(self) -> Any:
        return self._render("statistics")

    @expose("/library/")
    @has_access
    def library(self) -> Any:
        return self._render("library")


def register_views(appbuilder: AppBuilder) -> None:
    """Every view and menu entry, in the order of the notice's four menus."""
    from enforcement.web.api import register_apis
    from enforcement.web.checklist_views import ChecklistView
    from enforcement.web.importing import ImportView
    from enforcement.web.reminder_views import RemindersView
    from enforcement.web.workbench_views import register_workbench_views

    appbuilder.add_view(RemindersView, "我的工作提醒", category="我的工作台", icon="fa-bell")
    appbuilder.add_view(
        SectionView,
        "统计概览",
        href="/section/statistics/",
        category="统计查询",
        icon="fa-bar-chart",
    )
    appbuilder.add_link(
        "资源库概览", href="/section/library/", category="执法资源库", icon="fa-book"
    )
    maintenance = "系统维护配置"
    appbuilder.add_view(EnterpriseView, "执法对象", category=maintenance, icon="fa-industry")
    appbuilder.add_view(EquipmentView, "设备台账", category=maintenance, icon="fa-cogs")
    appbuilder.add_view(ChecklistView, "检查事项", category=maintenance, icon="fa-list-alt")
    appbuilder.add_view(EnforcerView, "执法人员", category=maintenance, icon="fa-id-card")
    appbuilder.add_view_no_menu(TrainingRecordView)
    appbuilder.add_view(ImportView, "批量导入", category=maintenance, icon="fa-upload")
    appbuilder.add_view(DepartmentView, "执法部门", category=maintenance, icon="fa-sitemap")
    appbuilder.add_view(RegionView, "行政区划", category=maintenance, icon="fa-map")
    appbuilder.add_view(AuditLogView, "审计日志", category=maintenance, icon="fa-history")
    register_apis(appbuilder)
    register_workbench_views(appbuilder)
    appbuilder.add_link(  # an ad-hoc check of any enterprise, outside a planned task
        "现场检查表", href="/checklists/fill/", category="我的工作台", icon="fa-check-square-o"
    )
    from enforcement.web.document_views import register_document_views

    register_document_views(appbuilder)
    from enforcement.web.case_views import register_case_views

    register_case_views(appbuilder)
