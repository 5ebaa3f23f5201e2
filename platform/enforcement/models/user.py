"""FAB's user, extended (FAB's documented way) with the department that defines the jurisdiction
and the 执法人员 record the user acts as (whose tasks and cases are 'mine' in 我的工作提醒)."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.models.base_data import Department, Enforcer


class AppUser(User):
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
