"""The four roles of CONTRACT.md as data: which permissions on which views.

admin: everything (FAB's admin role). leader: reads everything of the platform and maintains base
data. inspector: reads base data, registers enterprises and equipment. docking: the REST API only.
"""

from __future__ import annotations

from typing import Any

READ = {
    "can_list",
    "can_show",
    "can_get",
    "can_info",
    "can_export",
    "can_workbench",
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
# ChecklistView (web/checklist_views.py): reading and filling forms vs. managing bureau plugins.
CHECKLIST_READ = {
    "can_index",
    "can_export",
    "can_preview",
    "can_fill",
    "can_evidence",
    "can_evidence_file",
}
CHECKLIST_ADMIN = {"can_upload", "can_publish", "can_retire"}
MENUS = {
    "检查事项",
    "现场检查表",
    "我的工作台",
    "工作台概览",
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

# role → list of (permission names, view names)
ROLE_RULES: dict[str, list[tuple[set[str], set[str]]]] = {
    "leader": [
        (READ, BASE_DATA_VIEWS | REFERENCE_VIEWS),
        (WRITE | DELETE, BASE_DATA_VIEWS),
        (IMPORT, {"ImportView"}),
        (CHECKLIST_READ | CHECKLIST_ADMIN, {"ChecklistView"}),
        ({"can_get", "can_post"}, {"ChecklistApi"}),
        ({"menu_access"}, MENUS),
    ],
    "inspector": [
        (READ, BASE_DATA_VIEWS | REFERENCE_VIEWS),
        (WRITE, FIELD_VIEWS),
        (CHECKLIST_READ, {"ChecklistView"}),
        ({"can_get", "can_post"}, {"ChecklistApi"}),
        ({"menu_access"}, MENUS - {"批量导入", "执法部门"}),
    ],
    "docking": [
        ({"can_get", "can_info", "can_post", "can_put"}, API_VIEWS),
    ],
}


def ensure_roles(sm: Any) -> None:
    """Create the three non-admin roles, giving each exactly the permissions of its rules."""
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
        role = sm.find_role(role_name) or sm.add_role(role_name)
        role.permissions = wanted
    sm.session.commit()
