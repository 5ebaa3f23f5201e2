"""工作日历: a year's holiday and 调休 arrangement loaded by an admin (overrides the package's year)."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db.policies import Audited, Public
from enforcement.models.base_data import _now


class CalendarYear(Public, Audited, Model):
    """One year of the State Council's 放假安排, as loaded by `enforcement calendar load`.

    Public: national data, the same for every region. A reload replaces the year's row (audited with
    old and new values); the `chinesecalendar` package covers the years no row overrides.
    """

    __audit_entity__ = "calendar_year"
    __tablename__ = "calendar_year"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # ISO dates, comma-separated, sorted: days off (weekday or not) and weekend days worked (调休).
    holidays: Mapped[str] = mapped_column(Text, nullable=False, default="")
    workdays: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source: Mapped[str] = mapped_column(String(300), nullable=False)
    loaded_by: Mapped[str | None] = mapped_column(String(128))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
