"""Security manager: users with a department, lock-out, login rate limit, revocable sessions, audit.

Lock-out counts failures per account (the stored username the typed name resolves to, however it
was typed) and per client address; both logins (the page and `POST /api/v1/security/login`) go
through `auth_user_db`, so both are held to it. Every session cookie and JWT carries the user's
`session_version` (models/user.py); logout, a password change, deactivation and an admin's
"sign out everywhere" bump it, which revokes every cookie, access and refresh token of the user.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_appbuilder.actions import action
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.security.schemas import login_post
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.security.views import UserDBModelView
from flask_appbuilder.views import expose
from flask_jwt_extended import JWTManager, get_jwt_identity, jwt_required
from flask_login import LoginManager, current_user, user_logged_in
from sqlalchemy import func, select

from enforcement.db.acting import current_actor
from enforcement.db.audit import record_event
from enforcement.db.unit_of_work import unit_of_work
from enforcement.models import AppUser, AuditLog
from enforcement.models.user import revoke_sessions
from enforcement.web.base import WritesAsUnitsOfWork

log = logging.getLogger(__name__)

# Where the version is kept: the session cookie's key and the JWT claim.
SESSION_VERSION_KEY = "_session_version"
TOKEN_VERSION_CLAIM = "session_version"
# Why auth_user_db refused, for the API's 401 answer (the page gets a flash).
_LOGIN_REFUSAL = "_enforcement_login_refusal"

WRONG_CREDENTIALS = "用户名或密码错误"
SESSION_ENDED = "登录已失效（已退出登录、修改了密码、账号已停用或被管理员强制下线），请重新登录"

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


class AppUserView(WritesAsUnitsOfWork, UserDBModelView):
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

    @action(
        "signout_everywhere",
        "全部设备下线",
        "确定让该用户在所有设备上退出登录吗？其网页会话和接口令牌将立即失效。",
        "fa-sign-out",
        multiple=False,
    )
    def signout_everywhere(self, item: AppUser | None) -> Any:
        """An admin ends every session and token of a user at once (a lost phone, a leaver)."""
        if item is None:
            return redirect(url_for(".list"))
        self.appbuilder.sm.end_sessions(
            item,
            "sessions_revoked",
            f"使用户 {item.username} 在所有设备下线（会话和接口令牌全部失效）",
            by=current_actor().username,
        )
        flash(f"用户 {item.username} 已在所有设备下线，须重新登录", "success")
        return redirect(url_for(".show", pk=item.id))

    def _get_show_widget(
        self,
        pk: Any,
        item: Any,
        widgets: dict[str, Any] | None = None,
        actions: dict[str, Any] | None = None,
        show_fieldsets: list[Any] | None = None,
    ) -> dict[str, Any]:
        # FAB's user page offers only "reset password"; 我的信息 (userinfo) passes its own actions.
        if actions is not None and "resetpasswords" in actions:
            actions["signout_everywhere"] = self.actions["signout_everywhere"]
        return super()._get_show_widget(
            pk, item, widgets=widgets, actions=actions, show_fieldsets=show_fieldsets
        )


def _api_refusal(message: str, status: int = 401) -> tuple[Response, int]:
    """The API's error format (web/errors.py) for a refused login or token."""
    return jsonify(message=message, errors=[{"path": "/", "message": message}]), status


def _remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def _encodable(text: str | None) -> bool:
    """Text the database and the password hash can take (no NUL, no lone surrogate)."""
    if text is None or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# FAB's login body reads `provider` without requiring it (a body without it was a KeyError, 500):
# only the database provider is configured, so a missing one means it.
login_post.fields["provider"].load_default = "db"


class SecurityApi(FabSecurityApi):
    """FAB's login and refresh (same class name, same endpoints), answering refusals in the API's
    error format, plus logout."""

    def response_401(self) -> Response:
        message = g.get(_LOGIN_REFUSAL) or "需要登录，或登录已失效，请重新登录"
        return self.response(401, message=message, errors=[{"path": "/", "message": message}])

    @expose("/logout", methods=["POST"])
    @jwt_required(verify_type=False)
    @safe
    def logout(self) -> Response:
        """Revoke every token and session of the caller
        ---
        post:
          description: >-
            Log out: the access and refresh tokens of the user (this one and every other),
            and the user's browser sessions, stop working at once. Send either token.
          responses:
            200:
              description: Logged out
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      message:
                        type: string
            401:
              $ref: '#/components/responses/401'
          security:
            - jwt: []
        """
        sm = self.appbuilder.sm
        user = sm.get_user_by_id(int(get_jwt_identity()))
        sm.end_sessions(user, "logout", "通过接口退出登录（全部会话和令牌失效）", by=user.username)
        return self.response(200, message="已退出登录，该用户的全部令牌和会话均已失效")


class EnforcementSecurityManager(SecurityManager):
    user_model = AppUser
    userdbmodelview = AppUserView
    security_api = SecurityApi

    # -- rate limit ---------------------------------------------------------------------------

    @property
    def is_auth_limited(self) -> bool:
        """FAB's own login limit stays off: it is fixed at start-up and covers only the page login.

        `_limit_logins` limits both logins instead and reads AUTH_RATE_LIMITED per request.
        """
        return False

    def register_views(self) -> None:
        super().register_views()
        if self.auth_view is not None:
            self._limit_logins()

    def _limit_logins(self) -> None:
        """AUTH_RATE_LIMIT login attempts per client address, the page and API logins together."""
        api = next(view for view in self.appbuilder.baseviews if isinstance(view, SecurityApi))
        endpoints = {f"{self.auth_view.blueprint.name}.login", f"{api.blueprint.name}.login"}
        if current_app.config["AUTH_RATE_LIMITED"] and not self.limiter.enabled:
            log.warning(
                "AUTH_RATE_LIMITED is set but RATELIMIT_ENABLED is off: logins are not limited"
            )

        def exempt() -> bool:
            return not current_app.config["AUTH_RATE_LIMITED"] or request.endpoint not in endpoints

        limit = self.limiter.shared_limit(
            lambda: current_app.config["AUTH_RATE_LIMIT"],
            scope="login",
            methods=["POST"],
            exempt_when=exempt,
        )
        limit(self.auth_view.blueprint)
        limit(api.blueprint)

    # -- session cookies and tokens carry the user's session version --------------------------

    def create_login_manager(self, app: Any) -> LoginManager:
        login_manager = super().create_login_manager(app)
        login_manager.user_loader(self._load_session_user)
        # FAB passes the current_app proxy; the signal is sent by the app object itself.
        real_app = app._get_current_object() if hasattr(app, "_get_current_object") else app
        user_logged_in.connect(self._stamp_session, real_app)
        return login_manager

    def _stamp_session(self, _app: Any, user: Any, **_: Any) -> None:
        session[SESSION_VERSION_KEY] = user.session_version

    def _load_session_user(self, user_id: str) -> Any:
        """The cookie's user, unless the cookie predates a revocation (a replayed or stolen one)."""
        user = self.load_user(user_id)
        if user is None or session.get(SESSION_VERSION_KEY) == user.session_version:
            return user
        session.clear()
        if not request.path.startswith("/api/"):
            flash(SESSION_ENDED, "warning")
        return None

    def create_jwt_manager(self, app: Any) -> JWTManager:
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(self._token_claims)
        jwt_manager.token_in_blocklist_loader(self._token_revoked)
        # Flask-JWT-Extended answers {"msg": …} in English, 422 for a malformed token.
        jwt_manager.revoked_token_loader(lambda _header, _payload: _api_refusal(SESSION_ENDED))
        jwt_manager.expired_token_loader(
            lambda _header, _payload: _api_refusal("登录令牌已过期，请重新登录")
        )
        jwt_manager.invalid_token_loader(lambda _reason: _api_refusal("登录令牌无效，请重新登录"))
        jwt_manager.unauthorized_loader(lambda _reason: _api_refusal("缺少登录令牌，请先登录"))
        jwt_manager.user_lookup_error_loader(
            lambda _header, _payload: _api_refusal("账号不存在或已停用")
        )
        jwt_manager.needs_fresh_token_loader(
            lambda _header, _payload: _api_refusal("此操作需要重新登录")
        )
        return jwt_manager

    def _token_claims(self, identity: Any) -> dict[str, Any]:
        try:
            user_id = int(identity)
        except (TypeError, ValueError):
            return {}  # no version claim: the token is refused as revoked
        version = self.session.scalar(select(AppUser.session_version).where(AppUser.id == user_id))
        return {TOKEN_VERSION_CLAIM: version}

    def _token_revoked(self, _header: dict[str, Any], payload: dict[str, Any]) -> bool:
        """Access and refresh tokens alike: revoked unless they carry the user's current version."""
        try:
            user_id = int(payload["sub"])
        except (KeyError, TypeError, ValueError):
            return True
        row = self.session.execute(
            select(AppUser.session_version, AppUser.active).where(AppUser.id == user_id)
        ).first()
        return (
            row is None or not row.active or payload.get(TOKEN_VERSION_CLAIM) != row.session_version
        )

    # -- revocation ---------------------------------------------------------------------------
    # (`self.session` is FAB's scoped registry; a unit of work runs on its current session.)

    def end_sessions(self, user: Any, action: str, summary: str, *, by: str | None) -> None:
        """Revoke every session cookie and token of the user; one audit event says why."""
        with unit_of_work(self.session()):
            revoke_sessions(self.session, user.id)
            record_event(
                self.session,
                action,
                username=by,
                summary=summary,
                remote_addr=_remote_addr(),
                entity="user",
                values={"user": user.username},
            )

    def on_user_logout(self, user: Any) -> None:
        self.end_sessions(user, "logout", "退出登录（全部会话和令牌失效）", by=user.username)

    def reset_password(self, userid: Any, password: str) -> None:
        # Setting the password bumps the version (models/user.py), whoever changes it.
        with unit_of_work(self.session()):
            super().reset_password(userid, password)
        # Whoever changed their own password stays logged in here, and only here.
        if (
            has_request_context()
            and current_user.is_authenticated
            and str(current_user.id) == str(userid)
        ):
            session[SESSION_VERSION_KEY] = self.get_user_by_id(int(userid)).session_version

    # -- FAB's own writes ---------------------------------------------------------------------
    # FAB reads the user, then updates it and commits: as one unit of work each, so that on SQLite
    # the update waits for the write lock instead of failing (FAB would log the error and drop the
    # login count).

    def update_user_auth_stat(self, user: Any, success: bool = True) -> None:
        with unit_of_work(self.session()):
            super().update_user_auth_stat(user, success)

    # -- lock-out -----------------------------------------------------------------------------

    def _account_key(self, typed: str) -> str:
        """What lock-out counts on: the stored username the typed name resolves to (in any case,
        or by e-mail, as FAB authenticates), else the typed name in lower case."""
        user = self.find_user(username=typed) or self.find_user(email=typed)
        key = user.username if user is not None else typed.lower()
        return key[:128]

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

    def _address_locked(self, remote: str | None) -> bool:
        """Many failures from one address, whatever the names: a password spray."""
        config = current_app.config
        limit = config.get("LOGIN_MAX_FAILURES_PER_ADDRESS")
        if not limit or not remote:
            return False
        since = dt.datetime.now() - dt.timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
        failures = self.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(
                AuditLog.action == "login_failed",
                AuditLog.remote_addr == remote,
                AuditLog.at >= since,
            )
        )
        return failures >= limit

    def _refuse(self, message: str, *, show: bool) -> None:
        """Why the login failed: the API's 401 says it, the page flashes it (FAB flashes its own
        "wrong user name or password" already)."""
        if has_request_context():
            g.setdefault(_LOGIN_REFUSAL, message)
            if show and not request.path.startswith("/api/"):
                flash(message, "danger")

    def auth_user_db(self, username: str, password: str) -> Any:
        """Refuse a locked account or address before checking the password; audit every outcome."""
        remote = _remote_addr()
        config = current_app.config
        minutes = config["LOGIN_LOCKOUT_MINUTES"]
        # A name the database cannot take can match no account: refused without a query.
        account = self._account_key(username) if username and _encodable(username) else None
        locked = None
        if self._address_locked(remote):
            locked = (
                f"该地址登录失败次数过多，已暂停从该地址登录，请{minutes}分钟后再试",
                "该地址连续登录失败次数过多，本次登录被拒绝",
            )
        elif account and self._failures_since_last_success(account) >= config["LOGIN_MAX_FAILURES"]:
            locked = (
                f"连续登录失败次数过多，账号已锁定，请{minutes}分钟后再试",
                "账号因连续登录失败被锁定，本次登录被拒绝",
            )
        if locked is not None:
            message, summary = locked
            with unit_of_work(self.session()):
                record_event(
                    self.session,
                    "login_locked",
                    username=account,
                    remote_addr=remote,
                    summary=summary,
                )
            self._refuse(message, show=True)
            return None
        user = None
        if account is not None and _encodable(password):
            user = super().auth_user_db(username, password)
        with unit_of_work(self.session()):
            if user is None:
                record_event(
                    self.session,
                    "login_failed",
                    username=account,
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
        if user is None:
            self._refuse(WRONG_CREDENTIALS, show=False)
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
