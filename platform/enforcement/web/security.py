"""Security manager: users with a department, lock-out after repeated failures, logins audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, g, has_request_context, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.security.views import UserDBModelView
from sqlalchemy import func, select

from enforcement.db.unit_of_work import unit_of_work
from enforcement.models import AppUser, AuditLog
from enforcement.services.audit import record_event

USER_LABELS = {
    "first_name": "名",
    "last_name": "姓",
    "username": "用户名",
    "active": "启用",
    "email": "电子邮箱",
    "roles": "角色",
    "groups": "用户组",
    "department": "所属执法部门",
    "enforcer": "对应执法人员",
    "password": "密码",
    "conf_password": "确认密码",
    "last_login": "最近登录",
    "login_count": "登录次数",
    "fail_login_count": "连续失败次数",
    "created_on": "创建时间",
    "changed_on": "修改时间",
    "created_by": "创建人",
    "changed_by": "修改人",
}


class AppUserView(UserDBModelView):
    """FAB's user admin, with the department that sets a user's jurisdiction."""

    list_title = "用户列表"
    show_title = "用户详情"
    add_title = "新增用户"
    edit_title = "编辑用户"
    label_columns = USER_LABELS
    list_columns = ["username", "last_name", "first_name", "department", "roles", "active"]
    add_columns = [*UserDBModelView.add_columns, "department", "enforcer"]
    edit_columns = [*UserDBModelView.edit_columns, "department", "enforcer"]
    description_columns = {
        "enforcer": "该用户本人的执法人员记录：其参与的任务和案件显示在“我的工作提醒”"
    }
    show_fieldsets = [
        (
            "用户信息",
            {"fields": ["username", "active", "roles", "department", "enforcer", "login_count"]},
        ),
        ("个人信息", {"fields": ["last_name", "first_name", "email"], "expanded": True}),
    ]
    user_show_fieldsets = show_fieldsets


class EnforcementSecurityManager(SecurityManager):
    user_model = AppUser
    userdbmodelview = AppUserView

    def _failures_since_last_success(self, username: str) -> int:
        config = current_app.config
        since = dt.datetime.now() - dt.timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
        last_success = self.session.scalar(
            select(func.max(AuditLog.at)).where(
                AuditLog.username == username, AuditLog.action == "login"
            )
        )
        if last_success and last_success > since:
            since = last_success
        return self.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.username == username,
                AuditLog.action == "login_failed",
                AuditLog.at >= since,
            )
        )

    def auth_user_db(self, username: str, password: str) -> Any:
        """Refuse a locked account before checking the password; audit every outcome."""
        remote = request.remote_addr if has_request_context() else None
        config = current_app.config
        if username and self._failures_since_last_success(username) >= config["LOGIN_MAX_FAILURES"]:
            with unit_of_work(self.session):
                record_event(
                    self.session,
                    "login_locked",
                    username=username,
                    remote_addr=remote,
                    summary="账号因连续登录失败被锁定，本次登录被拒绝",
                )
            if has_request_context():
                flash(
                    f"连续登录失败次数过多，账号已锁定，请{config['LOGIN_LOCKOUT_MINUTES']}分钟后再试",
                    "danger",
                )
            return None
        user = super().auth_user_db(username, password)
        with unit_of_work(self.session):
            if user is None:
                record_event(
                    self.session,
                    "login_failed",
                    username=username,
                    remote_addr=remote,
                    summary="登录失败：用户名或密码错误",
                )
            else:
                record_event(
                    self.session,
                    "login",
                    username=user.username,
                    remote_addr=remote,
                    summary="登录成功",
                )
        return user

    def exist_permission_on_roles(
        self, view_name: str, permission_name: str, role_ids: list[int]
    ) -> bool:
        """One query per request for all of a user's permissions, instead of one per menu entry.

        FAB asks this for every menu entry and button (about twenty times a page); the pairs are
        loaded once and kept on `g` for the rest of the request, so a permission change applies
        from the next request on.
        """
        if not has_request_context():
            return super().exist_permission_on_roles(view_name, permission_name, role_ids)
        key = tuple(sorted(role_ids))
        cache = g.get("_enforcement_permissions")
        if cache is None or cache[0] != key:
            cache = (key, self._permission_pairs(key))
            g._enforcement_permissions = cache
        return (view_name, permission_name) in cache[1]

    def _permission_pairs(self, role_ids: tuple[int, ...]) -> frozenset[tuple[str, str]]:
        pairs = self.session.execute(
            select(self.viewmenu_model.name, self.permission_model.name)
            .select_from(self.permissionview_model)
            .join(
                assoc_permissionview_role,
                assoc_permissionview_role.c.permission_view_id == self.permissionview_model.id,
            )
            .join(self.permission_model)
            .join(self.viewmenu_model)
            .where(assoc_permissionview_role.c.role_id.in_(role_ids))
        )
        return frozenset((view, permission) for view, permission in pairs)
