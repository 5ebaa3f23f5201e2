"""Flask-AppBuilder app factory (no module-level app: tests build as many as they need)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from enforcement.config import load_config
from enforcement.db.acting import SYSTEM, Actor, acting_as
from enforcement.db.audit import install_audit
from enforcement.db.bounds import install_bounds
from enforcement.db.engine import configure_engine
from enforcement.db.scoping import UNSCOPED, install_scoping, visible
from enforcement.domain.jurisdiction import DENIED, NATIONAL, Jurisdiction
from enforcement.web import fab_speedups, guard
from enforcement.web.session_cookie import note_activity

MIGRATIONS_DIR = __file__.rsplit("/", 2)[0] + "/migrations"
log = logging.getLogger(__name__)


def jurisdiction_of(user: Any) -> Jurisdiction:
    """Admins see the country; everyone else their department's region subtree; no department, nothing."""
    from enforcement.models import Department

    if user is None or not getattr(user, "is_authenticated", False):
        return DENIED
    if any(role.name == "admin" for role in user.roles):
        return NATIONAL
    if not user.department_id:
        return DENIED
    db_session = current_app.appbuilder.session
    department = db_session.get(Department, user.department_id, execution_options={UNSCOPED: True})
    if department is None:
        return DENIED
    return Jurisdiction(department.region_code)


class JurisdictionSession(FlaskSession):
    """Flask-SQLAlchemy's session whose `get` never returns another region's record.

    Queries are scoped by the `do_orm_execute` hook; `get` may answer from the identity map without
    a query, so an identity-map hit is confirmed against the criteria (db/scoping.visible).
    """

    def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        options = kwargs.get("execution_options") or {}
        try:
            cached = self.identity_key(entity, ident) in self.identity_map
        except Exception:  # an ident of the wrong shape: let get() raise its own error
            cached = False
        found = super().get(entity, ident, **kwargs)
        if found is not None and cached and not options.get(UNSCOPED):
            if not visible(self, entity, ident):
                return None
        return found


def _web_actor() -> Actor:
    if not has_request_context():
        return SYSTEM
    if g.get("_enforcement_resolving"):
        # Loading the user itself queries the database: those queries see nothing scoped.
        return Actor(username=None, jurisdiction=DENIED)
    g._enforcement_resolving = True
    try:
        user = g.get("user")
        key = _user_key(user)
        cached = g.get("_enforcement_actor")
        if cached is not None and cached[0] == key:
            return cached[1]
        # Loading the user may refresh it; a refresh must not flush the caller's pending changes,
        # whose checks would run under the DENIED actor above.
        with current_app.appbuilder.session.no_autoflush:
            actor = Actor(
                username=user.username if key else None,
                jurisdiction=jurisdiction_of(user) if key else DENIED,
                remote_addr=request.remote_addr,
            )
        g._enforcement_actor = (key, actor)
        return actor
    finally:
        g._enforcement_resolving = False


def _user_key(user: Any) -> Any:
    """The logged-in user's id, read from the identity map: after a commit the user is expired and
    `user.id` would refresh it (a query, and an autoflush in the middle of someone's change)."""
    if user is None or not user.is_authenticated:
        return None
    state = sa_inspect(user, raiseerr=False)
    if state is not None and state.identity is not None:
        return state.identity[0]
    return getattr(user, "id", None)


def _security_headers(response: Any) -> Any:
    nonce = g.get("csp_nonce_value", "")
    # Framed by nothing, except a page that says the app itself may frame it (the checklist
    # builder's phone and PC previews): `g.frame_same_origin`.
    ancestors = "'self'" if g.get("frame_same_origin") else "'none'"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if g.get("frame_same_origin") else "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=()"
    response.headers["Cache-Control"] = response.headers.get("Cache-Control", "no-store")
    return response


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "enforcement",
        template_folder=__file__.rsplit("/", 1)[0] + "/templates",
        static_folder=__file__.rsplit("/", 1)[0] + "/static",
        static_url_path="/static/enforcement",
    )
    app.url_rule_class = fab_speedups.LazyBuilderRule  # every route from here on
    app.config.update(load_config(overrides))
    fab_speedups.install()
    guard.install_converters(app)  # before any route: `<int:…>` is bounded to 64 bits

    db = SQLA(session_options={"class_": JurisdictionSession})
    db.init_app(app)
    Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    CSRFProtect(app)
    install_scoping(Session)
    install_audit(Session)
    install_bounds(Session)  # what a column holds, alike on SQLite and PostgreSQL

    # The shape of every request (ids, JSON bodies, list arguments) before any view sees it.
    guard.install_guard(app)

    # Registered before FAB's own handlers: every query of the request runs as the logged-in user.
    @app.before_request
    def _per_request() -> None:
        g._enforcement_acting = acting_as(_web_actor)
        g._enforcement_acting.__enter__()
        g.csp_nonce_value = secrets.token_urlsafe(16)
        note_activity()  # idle timeout: PERMANENT_SESSION_LIFETIME since the last activity

    @app.teardown_request
    def _end_request(_error: BaseException | None) -> None:
        acting = g.pop("_enforcement_acting", None)
        if acting is not None:
            try:
                acting.__exit__(None, None, None)
            except ValueError:  # the request context was pushed in another context (test helpers)
                pass

    app.jinja_env.globals["csp_nonce"] = lambda: g.get("csp_nonce_value", "")
    app.after_request(_security_headers)

    from enforcement.web.home import HomeView
    from enforcement.web.registry import register_views
    from enforcement.web.security import EnforcementSecurityManager

    with app.app_context():
        configure_engine(db.engine)
        appbuilder = AppBuilder(
            security_manager_class=EnforcementSecurityManager,
            indexview=HomeView,
            base_template="enforcement/base.html",
            update_perms=app.config["FAB_UPDATE_PERMS"],
        )
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)

    from enforcement.web.errors import register_error_handlers

    register_error_handlers(app)
    return app


def sync_permissions(app: Flask) -> None:
    """Create the permissions of every view and the built-in roles (run after migrations)."""
    from enforcement.web.roles import ensure_roles

    with app.app_context():
        from flask_appbuilder.security.manager import BaseSecurityManager

        appbuilder = app.appbuilder
        with _commits_as_flushes(appbuilder.session()):
            # FAB's admin and public roles first: add_permissions grants every new permission to
            # admin.
            BaseSecurityManager.create_db(appbuilder.sm)
            appbuilder.add_permissions(update_perms=True)
            ensure_roles(appbuilder.sm)


@contextmanager
def _commits_as_flushes(session: Session) -> Iterator[None]:
    """FAB commits after each permission, view and grant (about 2,500 commits for a new database,
    most of a first start's seconds); inside this block they are flushes of one transaction,
    committed once at its end (rolled back as a whole if anything fails)."""
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    session.commit()
