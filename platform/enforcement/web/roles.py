"""The four roles of CONTRACT.md as data: which permissions on which views.

admin: everything (FAB's admin role). leader: reads everything of the platform and maintains base
data. inspector: reads base data, registers enterprises and equipment. docking: the REST API only.
"""

from __future__ import annotations

from typing import Any

from enforcement.db.unit_of_work import unit_of_work

READ = {
    "can_list",
    "can_show",
    "can_get",
    "can_info",
    "can_export",
    "can_statistics",
    "can_library",
}
WRITE = {"can_add", "can_edit", "can_post", "can_put"}
DELETE = {"can_delete"}
IMPORT = {"can_index", "can_template"}
SELF_SERVICE = {
    ("can_userinfo", "AppUserView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("resetmypassword", "AppUserView"),
}

BASE_DATA_VIEWS = {
    "EnterpriseView",
    "EquipmentView",
    "EnforcerView",
    "TrainingRecordView",
    "EnterpriseApi",
    "EquipmentApi",
    "EnforcerApi",
}
REFERENCE_VIEWS = {"DepartmentView", "RegionView", "RegionApi", "DepartmentApi", "SectionView"}
FIELD_VIEWS = {"EnterpriseView", "EquipmentView", "EnterpriseApi", "EquipmentApi"}
API_VIEWS = {
    "EnterpriseApi",
    "EquipmentApi",
    "EnforcerApi",
    "RegionApi",
    "DepartmentApi",
    "ChecklistApi",
}
# ChecklistView (web/checklists/): reading and filling forms vs. managing bureau plugins.
CHECKLIST_READ = {
    "can_index",
    "can_export",
    "can_preview",
    "can_fill",
    "can_evidence",
    "can_evidence_file",
}
CHECKLIST_ADMIN = {"can_upload", "can_publish", "can_retire"}
# 检查事项编辑器 (web/checklists/builder.py, draft_api.py): leaders build, test, publish, approve.
CHECKLIST_BUILDER: list[tuple[set[str], set[str]]] = [
    ({"can_get", "can_post", "can_put", "can_publish", "can_approve"}, {"ChecklistDraftApi"}),
    (
        {"can_index", "can_new", "can_edit", "can_preview", "can_approval"},
        {"ChecklistBuilderView"},
    ),
    ({"menu_access"}, {"检查事项编辑器"}),
]
# 执法文书 (web/documents/): every inspector and leader generates, edits, finalizes and
# downloads; DocumentAdminView (文书管理（删除）) is granted to no role: admins alone have it.
DOCUMENT_USE = {
    "can_index",
    "can_export",
    "can_new",
    "can_edit",
    "can_finalize",
    "can_supersede",
    "can_preview",
    "can_pdf",
    "can_docx",
    "can_case_file",
}
DOCUMENT_TEMPLATES = {"can_index", "can_export", "can_blank"}
# 电子签名 on a draft (web/documents/signatures.py) and equipment labels (web/verify/); the public
# /verify/<token> page needs no permission.
SIGNING = ({"can_index", "can_sign", "can_refuse", "can_withdraw"}, {"DocumentSignatureView"})
EQUIPMENT_LABELS = ({"can_label", "can_checks"}, {"EquipmentLabelView"})
DOCUMENT_MENUS = {"执法文书", "文书模板"}
MENUS = {
    "检查事项",
    "现场检查表",
    "我的工作台",
    "我的工作提醒",
    "统计查询",
    "统计概览",
    "执法资源库",
    "资源库概览",
    "系统维护配置",
    "执法对象",
    "设备台账",
    "执法人员",
    "批量导入",
    "执法部门",
    "行政区划",
}

# 我的工作台 (web/workbench/): a leader plans and approves, an inspector
# compiles schemes, inspects, confirms hazards, issues orders and re-inspects.
WORKBENCH_VIEWS = {
    "PlanView",
    "TaskView",
    "SchemeView",
    "InspectionView",
    "HazardView",
    "RectificationView",
}
WORKBENCH_APIS = {"PlanApi", "TaskApi", "InspectionApi", "HazardApi"}
WORKBENCH_LEADER = {
    "can_plan_new",
    "can_plan_approve",
    "can_plan_breakdown",
    "can_task_new",
    "can_scheme_approve",
}
WORKBENCH_INSPECTOR = {
    "can_scheme",
    "can_start",
    "can_inspection",
    "can_answers",
    "can_meta",
    "can_finish",
    "can_hazards",
    "can_hazard_measure",
    "can_order_complete",
    "can_recheck",
    "can_history",
}
WORKBENCH_MENUS = {"监督检查计划", "执法任务", "现场检查方案", "现场检查", "问题隐患", "整改复查"}
# 立案查处 (web/cases/): inspectors and leaders both operate cases; which
# moves need a leader (审查通过、处罚决定、撤销立案、延期、强制执行) is the domain guard
# `leader_approves`, not a permission, so the page can explain a refusal.
CASE_DESK = {
    "can_detail",
    "can_act",
    "can_penalty",
    "can_penalty_remove",
    "can_decision",
    "can_payment",
    "can_facts",
    "can_new",
}
CASE_RULES: list[tuple[set[str], set[str]]] = [
    ({"can_list", "can_show", "can_export"}, {"CaseView"}),
    (CASE_DESK, {"CaseDeskView"}),
    ({"can_get", "can_info", "can_post"}, {"CaseApi"}),
    ({"menu_access"}, {"立案查处"}),
]

# 执法资源库 (web/library/): everyone reads and searches; a leader adds entries and files for their
# own region (a province's leader for the province). The docking role reads through the API.
LIBRARY_MENUS = {
    "法律法规查询",
    "部门规章查询",
    "安全标准查询",
    "相关文件查询",
    "典型执法案例查询",
    "学习资料下载",
}
LIBRARY_READ: list[tuple[set[str], set[str]]] = [
    ({"can_show"}, {"LibraryView"}),
    ({"can_get"}, {"LibraryApi"}),
    ({"menu_access"}, LIBRARY_MENUS),
]

# 统计查询 (web/statistics/): everyone reads the reports of their jurisdiction and exports them;
# a leader declares the targets' denominators of their region. The docking role reads the API.
STATISTICS_MENUS = {
    "企业基础信息",
    "重点事项情况",
    "违法行为情况",
    "执法处理措施",
    "执法活动统计",
    "行政处罚查询",
    "统计分析图",
    "地区汇总情况",
}
STATISTICS_READ: list[tuple[set[str], set[str]]] = [
    ({"can_show", "can_export"}, {"StatisticsView"}),
    ({"can_get"}, {"StatisticsApi"}),
    ({"menu_access"}, STATISTICS_MENUS),
]

# 我的工作提醒 (web/workbench/reminders.py): every enforcement user has the page and the menu badge.
REMINDER_RULES: list[tuple[set[str], set[str]]] = [({"can_index", "can_count"}, {"RemindersView"})]

# 数据对接 (web/docking/): a province's system pushes and pulls through DockingApi; a leader reads
# 数据对接情况, pulls and reads the spec (a page for provincial IT teams, in field names; not an
# inspector's).
DOCKING_MENUS = {"数据对接情况", "数据对接规范"}

# role → list of (permission names, view names)
ROLE_RULES: dict[str, list[tuple[set[str], set[str]]]] = {
    "leader": [
        (DOCUMENT_USE, {"DocumentView"}),
        SIGNING,
        EQUIPMENT_LABELS,
        (DOCUMENT_TEMPLATES, {"DocumentTemplateView"}),
        ({"menu_access"}, DOCUMENT_MENUS),
        (READ, BASE_DATA_VIEWS | REFERENCE_VIEWS),
        (WRITE | DELETE, BASE_DATA_VIEWS),
        (IMPORT, {"ImportView"}),
        (CHECKLIST_READ | CHECKLIST_ADMIN, {"ChecklistView"}),
        ({"can_get", "can_post"}, {"ChecklistApi"}),
        *CHECKLIST_BUILDER,
        ({"menu_access"}, MENUS),
        (READ, WORKBENCH_VIEWS),
        (WORKBENCH_LEADER | WORKBENCH_INSPECTOR, {"WorkbenchView"}),
        ({"can_get", "can_info", "can_post"}, WORKBENCH_APIS),
        ({"menu_access"}, WORKBENCH_MENUS),
        *CASE_RULES,
        *REMINDER_RULES,
        *LIBRARY_READ,
        ({"can_add"}, {"LibraryView"}),
        ({"can_monitor", "can_spec"}, {"DockingView"}),
        ({"can_get"}, {"DockingApi"}),
        ({"menu_access"}, DOCKING_MENUS),
        *STATISTICS_READ,
        ({"can_targets"}, {"StatisticsView"}),
        ({"menu_access"}, {"目标分母申报"}),
    ],
    "inspector": [
        (DOCUMENT_USE, {"DocumentView"}),
        SIGNING,
        EQUIPMENT_LABELS,
        (DOCUMENT_TEMPLATES, {"DocumentTemplateView"}),
        ({"menu_access"}, DOCUMENT_MENUS),
        (READ, BASE_DATA_VIEWS | REFERENCE_VIEWS),
        (WRITE, FIELD_VIEWS),
        (CHECKLIST_READ, {"ChecklistView"}),
        ({"can_get", "can_post"}, {"ChecklistApi"}),
        ({"menu_access"}, MENUS - {"批量导入", "执法部门"}),
        (READ, WORKBENCH_VIEWS),
        (WORKBENCH_INSPECTOR, {"WorkbenchView"}),
        ({"can_get", "can_info"}, WORKBENCH_APIS),
        ({"can_post"}, {"InspectionApi", "HazardApi"}),
        ({"menu_access"}, WORKBENCH_MENUS),
        *CASE_RULES,
        *REMINDER_RULES,
        *LIBRARY_READ,
        *STATISTICS_READ,
    ],
    "docking": [
        ({"can_get", "can_info", "can_post", "can_put"}, API_VIEWS),
        ({"can_get"}, {"LibraryApi"}),
        ({"can_get", "can_post"}, {"DockingApi"}),
        ({"can_get"}, {"StatisticsApi"}),
    ],
}


def ensure_roles(sm: Any) -> None:
    """Create the three non-admin roles, giving each exactly the permissions of its rules."""
    with unit_of_work(sm.session):
        all_pvms = sm.session.query(sm.permissionview_model).all()
        for role_name, rules in ROLE_RULES.items():
            wanted = [
                pvm
                for pvm in all_pvms
                if any(
                    pvm.permission.name in perms and pvm.view_menu.name in views
                    for perms, views in rules
                )
                or (pvm.permission.name, pvm.view_menu.name) in SELF_SERVICE
            ]
            role = sm.find_role(role_name) or sm.add_role(role_name, commit=False)
            role.permissions = wanted
