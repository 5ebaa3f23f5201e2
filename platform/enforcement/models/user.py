"""FAB's user, extended (FAB's documented way) with the department that defines the jurisdiction,
the 执法人员 record the user acts as (whose tasks and cases are 'mine' in 我的工作提醒) and the
session version that every session cookie and JWT of the user carries (web/security.py)."""

from __future__ import annotations

from typing import Any

from flask_appbuilder.security.sqla.models import (
    ApiKey,
    Group,
    Permission,
    PermissionView,
    RegisterUser,
    Role,
    User,
    ViewMenu,
)
from sqlalchemy import ForeignKey, Integer, event, inspect, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from enforcement.db.policies import Audited, Public, framework_owned
from enforcement.models.base_data import Department, Enforcer

# Flask-AppBuilder's security tables carry no enforcement data and are FAB's to write (permission
# sync, login counters); logins and failed logins are audited as events (web/security.py).
framework_owned(ApiKey, Group, Permission, PermissionView, RegisterUser, Role, User, ViewMenu)


class AppUser(Public, Audited, User):
    # Public: the login itself must be loaded before any jurisdiction is known; user management
    # pages are admin-only.
    __audit_entity__ = "user"
    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    department_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("department.id"), nullable=True
    )
    department: Mapped[Department | None] = relationship(
        foreign_keys=[department_id], lazy="joined"
    )
    enforcer_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("enforcer.id"), nullable=True, unique=True
    )
    enforcer: Mapped[Enforcer | None] = relationship(foreign_keys=[enforcer_id])
    # Carried by every session cookie and JWT issued to the user; a request carrying another value
    # is logged out / answered 401. Bumped by logout, a password change, deactivation and an
    # admin's "sign out everywhere", which revokes every cookie, access and refresh token at once.
    session_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )


def revoke_sessions(session: Session, user_id: int) -> None:
    """Every cookie and token issued to the user so far stops working (they carry the old version).

    One UPDATE of the counter, not a flush of the user: the caller records the event that says why
    (logout, sign out everywhere) instead of an audit row "session_version 3 → 4".
    """
    session.execute(
        update(AppUser)
        .where(AppUser.id == user_id)
        .values(session_version=AppUser.session_version + 1)
        .execution_options(synchronize_session="fetch")
    )


def _bump_on_change(target: AppUser, value: Any, oldvalue: Any, _initiator: Any) -> None:
    # A new user has no sessions yet; only an existing account's change revokes.
    if inspect(target).has_identity and value != oldvalue:
        target.session_version = (target.session_version or 0) + 1


@event.listens_for(AppUser.password, "set", active_history=True)
def _password_changed(target: AppUser, value: Any, oldvalue: Any, initiator: Any) -> None:
    """A new password, however it was set (own change, an admin's reset, the CLI), revokes."""
    _bump_on_change(target, value, oldvalue, initiator)


@event.listens_for(AppUser.active, "set", active_history=True)
def _deactivated(target: AppUser, value: Any, oldvalue: Any, initiator: Any) -> None:
    """Deactivation revokes, so that reactivating the account does not revive old tokens."""
    if oldvalue is True and not value:
        _bump_on_change(target, value, oldvalue, initiator)
