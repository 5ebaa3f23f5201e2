"""我的工作台 pages: 监督检查计划, 执法任务, 现场检查方案, 现场检查, 问题隐患, 整改复查, 企业执法档案.

Lists (search, Excel export, detail) are ChineseModelViews over scoped models; every step that changes a
status is a POST to `WorkbenchView`, which calls the workbench services (services/plans.py, inspections.py, rectification.py). Its steps live one module each
in workbench/steps/ and are combined here.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_appbuilder.models.sqla.interface import SQLAInterface

from enforcement.domain import planning
from enforcement.models import Hazard, Inspection, InspectionScheme, Plan, RectificationOrder, Task
from enforcement.services import inspections
from enforcement.services.plans import approval_refusal_of
from enforcement.web.base import ChineseModelView, SoftDeleteInterface
from enforcement.web.workbench.formatting import (
    checklist_titles,
    item_titles,
    person,
    selection_label,
    text,
)
from enforcement.web.workbench.steps.hazards import HazardSteps
from enforcement.web.workbench.steps.history import HistorySteps
from enforcement.web.workbench.steps.inspections import InspectionSteps
from enforcement.web.workbench.steps.plans import PlanSteps
from enforcement.web.workbench.steps.rectification import RectificationSteps
from enforcement.web.workbench.steps.schemes import SchemeSteps
from enforcement.web.workbench.steps.tasks import TaskSteps

SHOW_TEMPLATE = "enforcement/workbench/show.html"
# Columns holding a login: shown as the person's name and post.
PEOPLE_COLUMNS = ("created_by", "approved_by", "compiled_by", "issued_by", "updated_by")


class WorkbenchModelView(ChineseModelView):
    """Read-only lists and detail pages; the detail page shows the actions of the record's state."""

    show_template = SHOW_TEMPLATE
    list_template = "enforcement/workbench/list.html"
    base_permissions = ["can_list", "can_show", "can_export"]
    actions_template: str | None = None
    # The subject kind of the 执法文书 panel on the detail page (services/documents.STEP_FORMS).
    document_kind: str | None = None
    # The list's "new" button: (WorkbenchView method, label); shown to users allowed to take the step.
    new_step: tuple[str, str] | None = None

    def __init__(self, **kwargs: Any) -> None:
        custom = dict(type(self).formatters_columns or {})  # the view's own, before the defaults
        super().__init__(**kwargs)
        columns = list(self.show_columns or []) + list(self.list_columns or [])
        people = {c: person for c in columns if c in PEOPLE_COLUMNS}
        self.formatters_columns = {c: text for c in columns} | people | custom

    def render_template(self, template: str, **kwargs: Any) -> Any:
        if template == self.list_template and self.new_step is not None:
            method, label = self.new_step
            if self.appbuilder.sm.has_access(f"can_{method}", "WorkbenchView"):
                kwargs["new_link"] = (url_for(f"WorkbenchView.{method}"), label)
        if template == SHOW_TEMPLATE and "pk" in kwargs:
            kwargs["item"] = self.datamodel.get(kwargs["pk"])
            kwargs["actions_template"] = self.actions_template
            kwargs["document_kind"] = self.document_kind
            kwargs["can"] = lambda perm: bool(self.appbuilder.sm.has_access(perm, "WorkbenchView"))
            kwargs["planning"] = planning
            kwargs["blocked"] = self.blocked(kwargs["item"]) if kwargs["item"] else {}
        return super().render_template(template, **kwargs)

    def blocked(self, item: Any) -> dict[str, str]:
        """action → why it is not allowed yet: the page shows the button disabled with the reason."""
        return {}


class RecheckListView(WorkbenchModelView):
    """A list that shows re-inspection tasks (执法任务, 整改复查). The tasks that fell due are created
    by the scheduled job (`enforcement jobs run`, services/jobs.py), never by opening a list."""


class PlanView(WorkbenchModelView):
    route_base = "/plan"
    datamodel = SoftDeleteInterface(Plan)
    noun = "监督检查计划"
    actions_template = "enforcement/workbench/_plan_actions.html"
    new_step = ("plan_new", "新建监督检查计划")
    label_columns = {
        "title": "计划名称",
        "year": "年度",
        "kind": "计划类型",
        "kind_label": "计划类型",
        "period_label": "计划期间",
        "period_start": "开始日期",
        "period_end": "结束日期",
        "region_code": "行政区划代码",
        "department": "编制部门",
        "status": "状态",
        "status_label": "状态",
        "approved_by": "批准人",
        "approved_at": "批准时间",
        "item_set_ids": "检查事项",
        "selection_rule": "抽取规则",
        "random_seed": "随机种子",
        "task_count": "任务数",
        "notes": "备注",
        "created_by": "编制人",
        "created_at": "编制时间",
        "docking_source_label": "数据来源",
        "docking_source": "对接来源系统",
    }
    list_columns = [
        "title",
        "year",
        "kind_label",
        "period_label",
        "region_code",
        "status_label",
        "task_count",
    ]
    order_columns = ["title", "year", "region_code"]
    export_columns = [
        "title",
        "year",
        "kind_label",
        "period_start",
        "period_end",
        "region_code",
        "status_label",
        "approved_by",
        "approved_at",
        "random_seed",
        "task_count",
    ]
    show_columns = [
        "title",
        "year",
        "kind_label",
        "period_label",
        "region_code",
        "department",
        "item_set_ids",
        "selection_rule",
        "random_seed",
        "status_label",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
        "notes",
        "docking_source_label",
    ]
    search_columns = [
        "title",
        "year",
        "kind",
        "status",
        "region_code",
        "created_by",
        "docking_source",
    ]
    formatters_columns = {
        "item_set_ids": checklist_titles,
        "selection_rule": selection_label,
    }
    base_order = ("id", "desc")

    def blocked(self, item: Any) -> dict[str, str]:
        return {"approve": approval_refusal_of(item.created_by, "监督检查计划")}


class TaskView(RecheckListView):
    route_base = "/task"
    datamodel = SoftDeleteInterface(Task)
    noun = "执法任务"
    actions_template = "enforcement/workbench/_task_actions.html"
    new_step = ("task_new", "下达执法任务")
    label_columns = {
        "id": "任务编号",
        "plan": "所属计划",
        "enterprise": "被检查企业",
        "enterprise.name": "被检查企业",
        "region_code": "行政区划代码",
        "due_on": "完成期限",
        "status": "状态",
        "status_label": "状态",
        "kind": "任务类型",
        "kind_label": "任务类型",
        "parent": "原检查任务",
        "enforcers_label": "执法人员（执法证号）",
        "overdue_label": "逾期",
        "created_by": "下达人",
        "created_at": "下达时间",
        "docking_source_label": "数据来源",
        "docking_source": "对接来源系统",
    }
    list_columns = [
        "id",
        "enterprise",
        "kind_label",
        "due_on",
        "overdue_label",
        "status_label",
        "enforcers_label",
        "plan",
    ]
    order_columns = ["id", "due_on"]
    export_columns = [
        "id",
        "enterprise.name",
        "region_code",
        "kind_label",
        "due_on",
        "overdue_label",
        "status_label",
        "enforcers_label",
        "plan",
    ]
    show_columns = [
        "id",
        "enterprise",
        "region_code",
        "kind_label",
        "plan",
        "parent",
        "due_on",
        "status_label",
        "enforcers_label",
        "created_by",
        "created_at",
        "docking_source_label",
    ]
    search_columns = [
        "enterprise",
        "kind",
        "status",
        "due_on",
        "region_code",
        "plan",
        "docking_source",
    ]
    base_order = ("due_on", "asc")

    def blocked(self, item: Any) -> dict[str, str]:
        return {"start": inspections.start_refusal(self.datamodel.session, item)}


class SchemeView(WorkbenchModelView):
    route_base = "/scheme"
    datamodel = SQLAInterface(InspectionScheme)
    noun = "现场检查方案"
    actions_template = "enforcement/workbench/_scheme_actions.html"
    document_kind = "scheme"
    label_columns = {
        "id": "方案编号",
        "task": "执法任务",
        "enterprise_name": "被检查企业",
        "region_code": "行政区划代码",
        "plugin_ids": "检查事项",
        "item_ids": "检查内容",
        "methods_label": "检查方式",
        "methods": "检查方式",
        "scheduled_on": "检查日期",
        "late_label": "逾期",
        "schedule": "时间安排",
        "team": "检查组",
        "status": "状态",
        "status_label": "状态",
        "compiled_by": "编制人",
        "approved_by": "审批人",
        "approved_at": "审批时间",
        "created_at": "编制时间",
    }
    list_columns = [
        "id",
        "enterprise_name",
        "task",
        "scheduled_on",
        "late_label",
        "methods_label",
        "status_label",
        "compiled_by",
        "approved_by",
    ]
    order_columns = ["id", "scheduled_on"]
    show_columns = [
        "id",
        "task",
        "enterprise_name",
        "plugin_ids",
        "item_ids",
        "methods_label",
        "scheduled_on",
        "late_label",
        "schedule",
        "team",
        "status_label",
        "compiled_by",
        "created_at",
        "approved_by",
        "approved_at",
    ]
    search_columns = ["status", "scheduled_on", "region_code", "compiled_by", "approved_by"]
    formatters_columns = {"plugin_ids": checklist_titles, "item_ids": item_titles}
    base_order = ("id", "desc")

    def blocked(self, item: Any) -> dict[str, str]:
        return {"approve": approval_refusal_of(item.compiled_by, "检查方案")}


class InspectionView(WorkbenchModelView):
    route_base = "/inspection"
    datamodel = SQLAInterface(Inspection)
    noun = "现场检查"
    actions_template = "enforcement/workbench/_inspection_actions.html"
    document_kind = "inspection"
    label_columns = {
        "id": "检查编号",
        "task": "执法任务",
        "enterprise": "被检查企业",
        "enterprise.name": "被检查企业",
        "region_code": "行政区划代码",
        "status": "状态",
        "status_label": "状态",
        "started_at": "开始时间",
        "finished_at": "结束时间",
        "late_label": "逾期",
        "location_label": "检查位置",
        "participants_label": "在场人员",
        "answer_set_ids": "检查表记录",
        "notes": "备注",
        "created_by": "检查人",
        "updated_by": "最后保存人",
        "updated_at": "最后保存时间",
        "version": "版本",
        "docking_source_label": "数据来源",
        "docking_source": "对接来源系统",
    }
    list_columns = [
        "id",
        "enterprise",
        "task",
        "status_label",
        "started_at",
        "late_label",
        "finished_at",
        "participants_label",
    ]
    order_columns = ["id", "started_at", "finished_at"]
    export_columns = [
        "id",
        "enterprise.name",
        "region_code",
        "status_label",
        "started_at",
        "finished_at",
        "location_label",
        "participants_label",
        "created_by",
    ]
    show_columns = [
        "id",
        "enterprise",
        "task",
        "status_label",
        "started_at",
        "late_label",
        "finished_at",
        "location_label",
        "participants_label",
        "notes",
        "created_by",
        "updated_by",
        "updated_at",
        "version",
        "docking_source_label",
    ]
    search_columns = [
        "enterprise",
        "status",
        "started_at",
        "region_code",
        "created_by",
        "docking_source",
    ]
    base_order = ("id", "desc")


class HazardView(WorkbenchModelView):
    route_base = "/hazard"
    datamodel = SQLAInterface(Hazard)
    noun = "问题隐患"
    actions_template = "enforcement/workbench/_hazard_actions.html"
    label_columns = {
        "id": "隐患编号",
        "inspection": "现场检查",
        "enterprise": "企业",
        "enterprise.name": "企业",
        "region_code": "行政区划代码",
        "plugin_id": "检查表",
        "plugin_version": "检查表版本",
        "item_id": "检查事项标识",
        "item_code": "事项编号",
        "title": "检查事项",
        "equipment_name": "设备",
        "description": "问题描述",
        "illegal_basis": "违法依据",
        "penalty_basis": "处罚依据",
        "is_major": "重大事故隐患",
        "major_label": "隐患等级",
        "major_basis": "重大事故隐患判定依据",
        "measure": "处理措施",
        "measure_label": "处理措施",
        "measure_confirmed": "措施已确认",
        "status": "状态",
        "status_label": "状态",
        "deadline": "整改期限",
        "rectified_on": "整改完成日期",
        "overdue_label": "逾期",
        "rectification_order": "整改指令书",
        "case_id": "案件编号",
        "created_at": "发现时间",
        "docking_source_label": "数据来源",
        "docking_source": "对接来源系统",
    }
    list_columns = [
        "id",
        "enterprise",
        "title",
        "equipment_name",
        "major_label",
        "measure_label",
        "status_label",
        "deadline",
        "overdue_label",
    ]
    order_columns = ["id", "title", "equipment_name", "deadline"]
    export_columns = [
        "id",
        "enterprise.name",
        "region_code",
        "item_code",
        "title",
        "equipment_name",
        "description",
        "illegal_basis",
        "penalty_basis",
        "major_label",
        "measure_label",
        "status_label",
        "deadline",
        "overdue_label",
        "rectified_on",
    ]
    show_columns = [
        "id",
        "enterprise",
        "inspection",
        "item_code",
        "title",
        "equipment_name",
        "description",
        "illegal_basis",
        "penalty_basis",
        "major_label",
        "major_basis",
        "measure_label",
        "measure_confirmed",
        "status_label",
        "deadline",
        "rectification_order",
        "rectified_on",
        "case_id",
        "created_at",
        "docking_source_label",
    ]
    search_columns = [
        "title",
        "enterprise",
        "status",
        "is_major",
        "measure",
        "deadline",
        "region_code",
        "item_code",
        "docking_source",
    ]
    base_order = ("id", "desc")


class RectificationView(RecheckListView):
    route_base = "/rectification"
    datamodel = SQLAInterface(RectificationOrder)
    noun = "整改复查"
    list_title = "整改指令书与复查"
    actions_template = "enforcement/workbench/_order_actions.html"
    document_kind = "rectification"
    label_columns = {
        "number": "指令书文号",
        "enterprise": "企业",
        "enterprise.name": "企业",
        "region_code": "行政区划代码",
        "inspection": "现场检查",
        "issued_on": "下达日期",
        "deadline": "整改期限",
        "completion_reported_on": "企业报告整改完成",
        "status_label": "状态",
        "hazard_count": "隐患数",
        "recheck_task": "复查任务",
        "issued_by": "下达人",
        "docking_source_label": "数据来源",
        "docking_source": "对接来源系统",
    }
    list_columns = [
        "number",
        "enterprise",
        "issued_on",
        "deadline",
        "completion_reported_on",
        "status_label",
        "hazard_count",
        "recheck_task",
    ]
    order_columns = ["number", "issued_on", "deadline", "completion_reported_on"]
    export_columns = [
        "number",
        "enterprise.name",
        "region_code",
        "issued_on",
        "deadline",
        "completion_reported_on",
        "status_label",
        "hazard_count",
        "recheck_task",
    ]
    show_columns = [
        "number",
        "enterprise",
        "inspection",
        "issued_on",
        "deadline",
        "completion_reported_on",
        "status_label",
        "hazard_count",
        "recheck_task",
        "issued_by",
        "docking_source_label",
    ]
    search_columns = [
        "number",
        "enterprise",
        "issued_on",
        "deadline",
        "region_code",
        "docking_source",
    ]
    base_order = ("issued_on", "desc")


class WorkbenchView(
    PlanSteps,
    TaskSteps,
    SchemeSteps,
    InspectionSteps,
    HazardSteps,
    RectificationSteps,
    HistorySteps,
):
    """The steps: each POST calls one service; refusals come back as Chinese messages at the form."""

    route_base = "/workbench"
    default_view = "plan_new"
