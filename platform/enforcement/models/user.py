"""FAB's user, extended (FAB's documented way) with the department that defines the jurisdiction."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.models.base_data import Department


class AppUser(User):
    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    department_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("department.id"), nullable=True
    )
    department: Mapped[Department | None] = relationship(
        foreign_keys=[department_id], lazy="joined"
    )
