"""FAB's user, extended (FAB's documented way) with the department that defines the jurisdiction
and the 执法人员 record the user acts as (whose tasks and cases are 'mine' in 我的工作提醒)."""

from __future__ import annotations

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
from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
