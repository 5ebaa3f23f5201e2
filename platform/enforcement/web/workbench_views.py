"""我的工作台 pages: 监督检查计划, 执法任务, 现场检查方案, 现场检查, 问题隐患, 整改复查, 企业执法档案.

Lists (search, Excel export, detail) are ChineseModelViews over scoped models; every step that changes a
status is a POST to `WorkbenchView`, which calls services/workbench.py. The on-site page reuses the
generated checklist form (templates/enforcement/checklists/_form.html + static/js/checklist-form.js);
static/js/inspection.js only redirects its saves to the inspection (version-checked) and autosaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_appbuilder import AppBuilder, BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from werkzeug.wrappers import Response

from enforcement.checklists.measures import MEASURE_LABELS
from enforcement.domain import codes, planning
from enforcement.models import (
    AnswerSet,
    Department,
    Enforcer,
    Enterprise,
    Hazard,
    Inspection,
    InspectionScheme,
    Plan,
    RectificationOrder,
    Region,
    Task,
)
from enforcement.models.scoping import current_actor
from enforcement.services import checklists
from enforcement.services import workbench as service
from enforcement.web.views import ChineseModelView, SoftDeleteInterface

SHOW_TEMPLATE = "enforcement/workbench/show.html"


def _session() -> Any:
    return current_app.appbuilder.session


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _checklist_titles(ids: Any) -> str:
    """检查事项 by title, not by plugin id (shown on the plan and scheme pages)."""
    registry = checklists.platform_of().registry
    titles = []
    for plugin_id in ids or []:
        entry = registry.get(plugin_id)
        titles.append(entry.declaration["title"] if entry is not None else plugin_id)
    return "；".join(titles) or "不限"


def _item_titles(ids: Any) -> str:
    """检查内容 as "code title" (item ids are "<plugin>.<item>")."""
    registry = checklists.platform_of().registry
    out = []
    for item_id in ids or []:
        entry = registry.get(str(item_id).split(".", 1)[0])
        items = {i["id"]: i for i in entry.declaration["items"]} if entry is not None else {}
        item = items.get(item_id)
        out.append(f"{item.get('code') or ''} {item['title']}".strip() if item else str(item_id))
    return "；".join(out)


def _selection_label(rule: Any) -> str:
    """The plan's selection rule in words (it is stored as JSON)."""
    rule = rule or {}
    tags = "、".join(codes.TAGS.get(t, t) for t in rule.get("tags") or []) or "不限"
    sectors = "、".join(codes.SECTORS.get(t, t) for t in rule.get("sectors") or []) or "不限"
    sample = rule.get("sample_size")
    parts = [
        f"专项标签：{tags}",
        f"行业：{sectors}",
        f"行政区划：{rule.get('region_code') or '不限'}",
        f"双随机抽取 {sample} 家" if sample else "符合条件的企业全部检查",
        f"每项任务 {rule.get('inspectors_per_task') or planning.MIN_INSPECTORS} 名以上执法人员",
    ]
    return "；".join(parts)


def _text(value: Any) -> Any:
    """No "None", "True" or "False" on a Chinese page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


# Which form field a service's reason belongs to (first keyword that matches), so it shows at the field.
FIELD_KEYWORDS: list[tuple[str, str]] = [
    ("计划名称", "title"),
    ("计划类型", "kind"),
    ("年度", "year"),
    ("年内", "period_end"),
    ("起止日期", "period_start"),
    ("结束日期", "period_end"),
    ("抽取", "sample_size"),
    ("行政区划", "region_code"),
    ("执法", "enforcer_ids"),
    ("企业", "enterprise_id"),
    ("期限", "due_on"),
]


def field_errors(reasons: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for reason in reasons:
        field = next((f for k, f in FIELD_KEYWORDS if k in reason), "_form")
        out.setdefault(field, []).append(reason)
    return out


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
        super().__init__(**kwargs)
        custom = dict(self.formatters_columns or {})
        columns = list(self.show_columns or []) + list(self.list_columns or [])
        self.formatters_columns = {c: custom.get(c, _text) for c in columns} | custom

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
        return super().render_template(template, **kwargs)


class RecheckListView(WorkbenchModelView):
    """A list that shows re-inspection tasks (执法任务, 整改复查)."""

    @expose("/list/")
    @has_access
    def list(self) -> Any:
        # Re-inspection tasks appear once a deadline passes: create the due ones before listing.
        service.generate_due_rechecks(self.datamodel.session)
        return super().list()


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
    ]
    search_columns = ["title", "year", "kind", "status", "region_code", "created_by"]
    formatters_columns = {
        "item_set_ids": _checklist_titles,
        "selection_rule": _selection_label,
    }
    base_order = ("id", "desc")


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
    ]
    search_columns = ["enterprise", "kind", "status", "due_on", "region_code", "plan"]
    base_order = ("due_on", "asc")


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
        "schedule",
        "team",
        "status_label",
        "compiled_by",
        "created_at",
        "approved_by",
        "approved_at",
    ]
    search_columns = ["status", "scheduled_on", "region_code", "compiled_by", "approved_by"]
    formatters_columns = {"plugin_ids": _checklist_titles, "item_ids": _item_titles}
    base_order = ("id", "desc")


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
        "location_label": "检查位置",
        "participants_label": "在场人员",
        "answer_set_ids": "检查表记录",
        "notes": "备注",
        "created_by": "检查人",
        "updated_by": "最后保存人",
        "updated_at": "最后保存时间",
        "version": "版本",
    }
    list_columns = [
        "id",
        "enterprise",
        "task",
        "status_label",
        "started_at",
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
        "finished_at",
        "location_label",
        "participants_label",
        "notes",
        "created_by",
        "updated_by",
        "updated_at",
        "version",
    ]
    search_columns = ["enterprise", "status", "started_at", "region_code", "created_by"]
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
        "measure_label",
        "measure_confirmed",
        "status_label",
        "deadline",
        "rectification_order",
        "rectified_on",
        "case_id",
        "created_at",
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
    ]
    search_columns = ["number", "enterprise", "issued_on", "deadline", "region_code"]
    base_order = ("issued_on", "desc")


class WorkbenchView(BaseView):
    """The steps: each POST calls one service; refusals come back as Chinese messages at the form."""

    route_base = "/workbench"
    default_view = "plan_new"

    def _can(self, permission: str) -> bool:
        return bool(self.appbuilder.sm.has_access(permission, self.class_permission_name))

    @staticmethod
    def _get(model: type, pk: int) -> Any:
        item = _session().get(model, pk)  # scoped: another region's record is None → 404
        if item is None:
            abort(404)
        return item

    @staticmethod
    def _back(endpoint: str, **values: Any) -> Response:
        return redirect(url_for(endpoint, **values))

    def _refused(
        self, error: service.WorkbenchError, failure: str, *, back: str, pk: int
    ) -> Response:
        """A refused step: "<failure>：<reasons>" as a danger message, back to the page it came from."""
        flash(f"{failure}：{error}", "danger")
        return self._back(back, pk=pk)

    def _step(
        self, call: Callable[[], object], *, success: str, failure: str, back: str, pk: int
    ) -> Response:
        """A step whose only outcome is a message: run the service call, flash the result, go back.

        Steps whose message or next page depends on what the service returns use `_refused` alone.
        """
        try:
            call()
        except service.WorkbenchError as exc:
            return self._refused(exc, failure, back=back, pk=pk)
        flash(success, "success")
        return self._back(back, pk=pk)

    # -- 监督检查计划 ----------------------------------------------------------------------------

    def _plan_form(self, form: dict[str, Any], errors: list[str], status: int = 200) -> Any:
        jurisdiction = current_actor().jurisdiction
        regions = [
            r
            for r in _session().scalars(
                select(Region).where(Region.level != "province").order_by(Region.code)
            )
            if jurisdiction.contains(r.code)
        ][:500]
        entries = checklists.visible_entries(checklists.platform_of(), jurisdiction)
        return (
            self.render_template(
                "enforcement/workbench/plan_form.html",
                title="新建监督检查计划",
                form=form,
                errors=errors,
                field_errors=field_errors(errors),
                regions=regions,
                entries=[e for e in entries if e.status == "active"],
                kinds=planning.PLAN_KINDS,
                tags=codes.TAGS,
                sectors=codes.SECTORS,
            ),
            status,
        )

    @expose("/plan/new", methods=["GET", "POST"])
    @has_access
    def plan_new(self) -> Any:
        """A leader drafts a plan: period, region, item sets, selection by tag/sector, 双随机 sample."""
        session = _session()
        department = service.department_of_actor(session)
        if request.method == "GET":
            year = dt.date.today().year
            return self._plan_form(
                {
                    "year": year,
                    "kind": "annual",
                    "period_start": f"{year}-01-01",
                    "period_end": f"{year}-12-31",
                    "region_code": department.region_code if department else "",
                },
                [],
            )
        form = request.form
        data = {k: form.get(k, "").strip() for k in form}
        data["tags"] = form.getlist("tags")
        data["sectors"] = form.getlist("sectors")
        data["item_set_ids"] = form.getlist("item_set_ids")
        errors = []
        year = int(data["year"]) if data.get("year", "").isdigit() else None
        if year is None:
            errors.append("请填写年度")
        sample = data.get("sample_size", "")
        if sample and not sample.isdigit():
            errors.append("双随机抽取企业数应为正整数")
        if not data.get("region_code"):
            errors.append("请选择计划覆盖的行政区划")
        if errors:
            return self._plan_form(data, errors, 422)
        rule = planning.SelectionRule(
            tags=tuple(data["tags"]),
            sectors=tuple(data["sectors"]),
            region_code=data["region_code"],
            sample_size=int(sample) if sample else None,
        )
        try:
            plan = service.create_plan(
                session,
                title=data.get("title", ""),
                year=year or 0,
                kind=data.get("kind", ""),
                period_start=_date(data.get("period_start")),  # type: ignore[arg-type]
                period_end=_date(data.get("period_end")),  # type: ignore[arg-type]
                region_code=data["region_code"],
                department_id=department.id if isinstance(department, Department) else None,
                item_set_ids=data["item_set_ids"],
                rule=rule,
                seed=int(data["seed"]) if data.get("seed", "").isdigit() else None,
                notes=data.get("notes") or None,
            )
        except service.WorkbenchError as exc:
            return self._plan_form(data, exc.reasons, 422)
        flash(f"已保存计划草稿：{plan.title}，请负责人批准后分解任务", "success")
        return self._back("PlanView.show", pk=plan.id)

    @expose("/plan/<int:pk>/approve", methods=["POST"])
    @has_access
    def plan_approve(self, pk: int) -> Any:
        plan = self._get(Plan, pk)
        return self._step(
            lambda: service.approve_plan(_session(), plan),
            success="计划已批准",
            failure="无法批准",
            back="PlanView.show",
            pk=pk,
        )

    @expose("/plan/<int:pk>/breakdown", methods=["POST"])
    @has_access
    def plan_breakdown(self, pk: int) -> Any:
        plan = self._get(Plan, pk)
        try:
            created, unassigned = service.break_down(_session(), plan)
        except service.WorkbenchError as exc:
            return self._refused(exc, "无法分解", back="PlanView.show", pk=pk)
        flash(f"已按随机种子 {plan.random_seed} 分解出 {len(created)} 项执法任务", "success")
        if unassigned:
            flash(
                f"{len(unassigned)} 家企业未能分配检查组：" + next(iter(unassigned.values())),
                "warning",
            )
        return self._back("PlanView.show", pk=pk)

    # -- 执法任务 ----------------------------------------------------------------------------------

    @expose("/task/new", methods=["GET", "POST"])
    @has_access
    def task_new(self) -> Any:
        """A single task outside the draw (e.g. 专项任务 from a complaint): enterprise, team, due date."""
        session = _session()
        enforcers = list(session.scalars(select(Enforcer).order_by(Enforcer.name).limit(500)))
        plans = list(
            session.scalars(select(Plan).where(Plan.status == "approved").order_by(Plan.id.desc()))
        )
        form: dict[str, Any] = {"enforcer_ids": []}
        errors: list[str] = []
        status = 200
        if request.method == "POST":
            form = {k: request.form.get(k, "").strip() for k in request.form}
            form["enforcer_ids"] = [
                int(i) for i in request.form.getlist("enforcer_ids") if i.isdigit()
            ]
            enterprise_id = form.get("enterprise_id", "")
            enterprise = (
                session.get(Enterprise, int(enterprise_id)) if enterprise_id.isdigit() else None
            )
            plan_id = form.get("plan_id", "")
            plan = session.get(Plan, int(plan_id)) if plan_id.isdigit() else None
            chosen = [e for e in enforcers if e.id in form["enforcer_ids"]]
            if enterprise is None:
                errors.append("请填写本辖区内企业的编号")
            else:
                try:
                    task = service.create_task(
                        session,
                        enterprise=enterprise,
                        enforcers=chosen,
                        due_on=_date(form.get("due_on")),
                        plan=plan,
                    )
                except service.WorkbenchError as exc:
                    errors = exc.reasons
                else:
                    flash(f"已下达执法任务 #{task.id}", "success")
                    return self._back("TaskView.show", pk=task.id)
            status = 422
        return (
            self.render_template(
                "enforcement/workbench/task_form.html",
                title="下达执法任务",
                form=form,
                errors=errors,
                field_errors=field_errors(errors),
                enforcers=enforcers,
                plans=plans,
            ),
            status,
        )

    # -- 现场检查方案 ------------------------------------------------------------------------------

    @expose("/task/<int:pk>/scheme", methods=["GET", "POST"])
    @has_access
    def scheme(self, pk: int) -> Any:
        """Compile the on-site scheme: item sets and items preselected from the enterprise's tags/equipment."""
        session = _session()
        task = self._get(Task, pk)
        platform = checklists.platform_of()
        entries = service.applicable_entries(platform, task.enterprise)
        scheme = service.scheme_of(session, task)
        errors: list[str] = []
        status = 200
        if request.method == "POST":
            try:
                scheme = service.compile_scheme(
                    session,
                    platform,
                    task,
                    plugin_ids=request.form.getlist("plugin_ids"),
                    item_ids=request.form.getlist("item_ids"),
                    methods=request.form.getlist("methods"),
                    scheduled_on=_date(request.form.get("scheduled_on")),
                    schedule=request.form.get("schedule") or None,
                    team=request.form.get("team") or None,
                )
            except service.WorkbenchError as exc:
                errors, status = exc.reasons, 422
            else:
                flash("检查方案已保存，请负责人审批", "success")
                return self._back("SchemeView.show", pk=scheme.id)
        # A new scheme is preselected as the service would compile it: the plan's item sets, else all.
        planned = {e.id for e in entries} & set(task.plan.item_set_ids if task.plan else [])
        chosen_plugins = set(scheme.plugin_ids) if scheme else planned or {e.id for e in entries}
        chosen_items = set(scheme.item_ids) if scheme else None
        return (
            self.render_template(
                "enforcement/workbench/scheme_form.html",
                title=f"现场检查方案：{task.enterprise.name}",
                task=task,
                scheme=scheme,
                entries=entries,
                chosen_plugins=chosen_plugins,
                chosen_items=chosen_items,
                methods=planning.INSPECTION_METHODS,
                errors=errors,
            ),
            status,
        )

    @expose("/scheme/<int:pk>/approve", methods=["POST"])
    @has_access
    def scheme_approve(self, pk: int) -> Any:
        scheme = self._get(InspectionScheme, pk)
        return self._step(
            lambda: service.approve_scheme(_session(), scheme),
            success="检查方案已批准，可以开始现场检查",
            failure="无法批准",
            back="SchemeView.show",
            pk=pk,
        )

    # -- 现场检查 ---------------------------------------------------------------------------------

    @expose("/task/<int:pk>/start", methods=["POST"])
    @has_access
    def start(self, pk: int) -> Any:
        task = self._get(Task, pk)
        try:
            inspection = service.start_inspection(
                _session(),
                task,
                latitude=_float(request.form.get("latitude")),
                longitude=_float(request.form.get("longitude")),
            )
        except service.WorkbenchError as exc:
            return self._refused(exc, "无法开始检查", back="TaskView.show", pk=pk)
        if task.kind == "recheck":
            return self._back("WorkbenchView.recheck", pk=task.id)
        return self._back("WorkbenchView.inspection", pk=inspection.id)

    def _form_data(
        self, inspection: Inspection, plugin_id: str, equipment: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        platform = checklists.platform_of()
        entry = next(
            (
                e
                for e in service.applicable_entries(platform, inspection.enterprise)
                if e.id == plugin_id
            ),
            None,
        )
        if entry is None:
            return None
        answer_set_id = (inspection.answer_set_ids or {}).get(plugin_id)
        answer_set = _session().get(AnswerSet, answer_set_id) if answer_set_id else None
        compiled = entry.compiled
        return {
            "mode": "fill",
            "plugin_id": entry.id,
            "version": entry.version,
            "title": entry.declaration["title"],
            "schema_hash": compiled.sha256,
            "ui_schema": compiled.ui_schema,
            "answers_schema": compiled.answers_schema,
            "enterprise_id": inspection.enterprise_id,
            "equipment": equipment,
            "equipment_types": platform.registry.equipment_types,
            "measure_labels": MEASURE_LABELS,
            "draft": answer_set.answers if answer_set is not None else None,
            "submitted": answer_set is not None and answer_set.status == "submitted",
            "api_url": url_for(".answers", pk=inspection.id, plugin_id=entry.id),
            "evidence_url": url_for("ChecklistView.evidence"),
            "evidence_file_url": url_for("ChecklistView.evidence_file", sha256="0" * 64)[:-64],
            "evidence_max_bytes": int(
                current_app.config.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
            ),
        }

    @expose("/inspection/<int:pk>")
    @has_access
    def inspection(self, pk: int) -> Any:
        """The on-site page (phone first): checklist by checklist, participants, location, autosave."""
        inspection = self._get(Inspection, pk)
        scheme = service.scheme_of(_session(), inspection.task)
        plugin_ids = scheme.plugin_ids if scheme else []
        current = request.args.get("plugin") or (plugin_ids[0] if plugin_ids else None)
        if current not in plugin_ids:
            current = plugin_ids[0] if plugin_ids else None
        facts = checklists.enterprise_facts(inspection.enterprise)
        equipment = [
            {"id": e["id"], "type": e["equipment_type"], "name": e["name"]}
            for e in facts["equipment"]
        ]
        form_data = self._form_data(inspection, current, equipment) if current else None
        platform = checklists.platform_of()
        tabs = []
        for plugin_id in plugin_ids:
            entry = platform.registry.get(plugin_id)
            answer_set_id = (inspection.answer_set_ids or {}).get(plugin_id)
            answer_set = _session().get(AnswerSet, answer_set_id) if answer_set_id else None
            tabs.append(
                {
                    "id": plugin_id,
                    "title": entry.declaration["title"] if entry else plugin_id,
                    "state": answer_set.status if answer_set is not None else "none",
                }
            )
        return self.render_template(
            "enforcement/workbench/inspection.html",
            title=f"现场检查：{inspection.enterprise.name}",
            inspection=inspection,
            task=inspection.task,
            tabs=tabs,
            current=current,
            form_data=form_data,
            editable=inspection.status == "in_progress",
        )

    def _json_error(self, error: service.WorkbenchError) -> Any:
        status = 409 if isinstance(error, service.ConflictError) else 422
        return (
            jsonify(
                message=str(error),
                conflict=status == 409,
                errors=[{"path": "/", "message": reason} for reason in error.reasons],
            ),
            status,
        )

    @expose("/inspection/<int:pk>/answers/<plugin_id>", methods=["POST"])
    @has_access
    def answers(self, pk: int, plugin_id: str) -> Any:
        """Autosave / submit one checklist of the inspection: {"answers", "submit", "version"}."""
        inspection = self._get(Inspection, pk)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
            return jsonify(
                errors=[{"path": "/answers", "message": "请求应为 JSON，且包含 answers 对象"}]
            ), 400
        try:
            outcome = service.save_inspection(
                _session(),
                checklists.platform_of(),
                inspection,
                version=body.get("version"),
                plugin_id=plugin_id,
                answers=body["answers"],
                submit=bool(body.get("submit")),
            )
        except service.WorkbenchError as exc:
            return self._json_error(exc)
        answer_set = outcome.answer_set
        payload = {
            "id": answer_set.id if answer_set else None,
            "status": answer_set.status if answer_set else None,
            "plugin_version": answer_set.plugin_version if answer_set else None,
            "schema_hash": answer_set.schema_hash if answer_set else None,
            "version": outcome.inspection.version,
            "suggestions": outcome.suggestions,
        }
        if outcome.errors:
            return jsonify(errors=outcome.errors, saved_as_draft=True, **payload), 422
        return jsonify(**payload), 201

    @expose("/inspection/<int:pk>/meta", methods=["POST"])
    @has_access
    def meta(self, pk: int) -> Any:
        """Participants, location and notes: {"version", "participants"?, "latitude"?, "longitude"?}."""
        inspection = self._get(Inspection, pk)
        body = request.get_json(silent=True) or {}
        participants = body.get("participants")
        try:
            outcome = service.save_inspection(
                _session(),
                checklists.platform_of(),
                inspection,
                version=body.get("version"),
                participants=participants if isinstance(participants, list) else None,
                latitude=_float(body.get("latitude")),
                longitude=_float(body.get("longitude")),
                notes=body.get("notes") if isinstance(body.get("notes"), str) else None,
            )
        except service.WorkbenchError as exc:
            return self._json_error(exc)
        return jsonify(
            version=outcome.inspection.version, location=outcome.inspection.location_label
        ), 200

    @expose("/inspection/<int:pk>/finish", methods=["POST"])
    @has_access
    def finish(self, pk: int) -> Any:
        inspection = self._get(Inspection, pk)
        version = request.form.get("version", "")
        try:
            hazards = service.finish_inspection(
                _session(),
                checklists.platform_of(),
                inspection,
                version=int(version) if version.isdigit() else None,
            )
        except service.WorkbenchError as exc:
            return self._refused(exc, "无法结束检查", back="WorkbenchView.inspection", pk=pk)
        flash(
            f"现场检查已完成，发现问题隐患 {len(hazards)} 处"
            if hazards
            else "现场检查已完成，未发现问题隐患",
            "success",
        )
        return self._back("WorkbenchView.hazards", pk=pk)

    # -- 问题隐患 → 整改指令书 --------------------------------------------------------------------------

    @expose("/inspection/<int:pk>/hazards", methods=["GET", "POST"])
    @has_access
    def hazards(self, pk: int) -> Any:
        """Confirm each hazard's measure and deadline, then issue the rectification order."""
        session = _session()
        inspection = self._get(Inspection, pk)
        errors: dict[int | str, list[str]] = {}
        status = 200
        if request.method == "POST":
            for hazard in inspection.hazards:
                measure = request.form.get(f"measure_{hazard.id}")
                if not measure or hazard.status not in planning.OPEN_HAZARD_STATUSES:
                    continue
                deadline = _date(request.form.get(f"deadline_{hazard.id}"))
                if (
                    measure == hazard.measure
                    and hazard.measure_confirmed
                    and deadline == hazard.deadline
                ):
                    continue
                try:
                    service.confirm_measure(session, hazard, measure, deadline)
                except service.WorkbenchError as exc:
                    errors[hazard.id] = exc.reasons
            if not errors and request.form.get("issue"):
                try:
                    order = service.issue_rectification_order(
                        session,
                        inspection,
                        issued_on=_date(request.form.get("issued_on")) or dt.date.today(),
                    )
                except service.WorkbenchError as exc:
                    errors["order"] = exc.reasons
                else:
                    flash(f"已下达责令限期整改指令书 {order.number}", "success")
                    return self._back("RectificationView.show", pk=order.id)
            if errors:
                status = 422
            else:
                flash("处理措施已确认", "success")
        return (
            self.render_template(
                "enforcement/workbench/hazards.html",
                title=f"问题隐患：{inspection.enterprise.name}",
                inspection=inspection,
                hazards=inspection.hazards,
                measures=planning.HAZARD_MEASURES,
                errors=errors,
                today=dt.date.today(),
                open_statuses=planning.OPEN_HAZARD_STATUSES,
            ),
            status,
        )

    @expose("/hazard/<int:pk>/measure", methods=["POST"])
    @has_access
    def hazard_measure(self, pk: int) -> Any:
        hazard = self._get(Hazard, pk)
        measure = request.form.get("measure", "")
        deadline = _date(request.form.get("deadline"))
        return self._step(
            lambda: service.confirm_measure(_session(), hazard, measure, deadline),
            success="处理措施已确认",
            failure="无法确认",
            back="HazardView.show",
            pk=pk,
        )

    # -- 整改复查 ---------------------------------------------------------------------------------

    @expose("/order/<int:pk>/complete", methods=["POST"])
    @has_access
    def order_complete(self, pk: int) -> Any:
        order = self._get(RectificationOrder, pk)
        try:
            task = service.report_completion(
                _session(), order, on=_date(request.form.get("on")) or dt.date.today()
            )
        except service.WorkbenchError as exc:
            return self._refused(exc, "无法登记", back="RectificationView.show", pk=pk)
        flash(
            f"已登记企业整改完成，复查任务 #{task.id} 已生成" if task else "已登记企业整改完成",
            "success",
        )
        return self._back("RectificationView.show", pk=pk)

    @expose("/recheck/<int:pk>", methods=["GET", "POST"])
    @has_access
    def recheck(self, pk: int) -> Any:
        """The re-inspection: the order's open hazards only, each confirmed rectified or not."""
        session = _session()
        task = self._get(Task, pk)
        if task.kind != "recheck":
            abort(404)
        errors: list[str] = []
        status = 200
        if request.method == "POST":
            hazard = session.get(Hazard, int(request.form.get("hazard_id", "0") or 0))
            if hazard is None:
                abort(404)
            try:
                service.close_hazard(
                    session,
                    hazard,
                    task,
                    rectified=request.form.get("result") == "rectified",
                    on=_date(request.form.get("on")) or dt.date.today(),
                )
            except service.WorkbenchError as exc:
                errors, status = exc.reasons, 422
            else:
                flash(f"已记录复查结果：{hazard.title}（{hazard.status_label}）", "success")
                return self._back("WorkbenchView.recheck", pk=pk)
        return (
            self.render_template(
                "enforcement/workbench/recheck.html",
                title=f"整改复查：{task.enterprise.name}",
                task=task,
                order=service.order_of_recheck(session, task),
                hazards=service.recheck_hazards(session, task),
                errors=errors,
                open_statuses=planning.OPEN_HAZARD_STATUSES,
                today=dt.date.today(),
            ),
            status,
        )

    # -- 企业执法档案 ------------------------------------------------------------------------------

    @expose("/enterprise/<int:pk>/history")
    @has_access
    def history(self, pk: int) -> Any:
        """Every task, inspection, hazard and order of one enterprise (cases are added by the case module)."""
        enterprise = self._get(Enterprise, pk)
        return self.render_template(
            "enforcement/workbench/history.html",
            title=f"执法档案：{enterprise.name}",
            enterprise=enterprise,
            history=service.enterprise_history(_session(), enterprise),
        )


def register_workbench_views(appbuilder: AppBuilder) -> None:
    """The 我的工作台 menu entries, the step endpoints and the workbench API."""
    from enforcement.web.views import EnterpriseView
    from enforcement.web.workbench_api import register_workbench_apis

    # The enterprise detail page links to its history (the template extends the cascade page).
    EnterpriseView.show_template = "enforcement/workbench/enterprise_show.html"
    category = "我的工作台"
    appbuilder.add_view(PlanView, "监督检查计划", category=category, icon="fa-calendar")
    appbuilder.add_view(TaskView, "执法任务", category=category, icon="fa-tasks")
    appbuilder.add_view(SchemeView, "现场检查方案", category=category, icon="fa-file-text-o")
    appbuilder.add_view(InspectionView, "现场检查", category=category, icon="fa-search")
    appbuilder.add_view(HazardView, "问题隐患", category=category, icon="fa-exclamation-triangle")
    appbuilder.add_view(RectificationView, "整改复查", category=category, icon="fa-repeat")
    appbuilder.add_view_no_menu(WorkbenchView)
    register_workbench_apis(appbuilder)
