"""The home page and the landing pages of the menus whose functions arrive in later releases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g
from flask_appbuilder import BaseView, IndexView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import func, select

from enforcement.domain import reminders
from enforcement.models import Enforcer, Enterprise, Equipment
from enforcement.services.calendar import working_calendar
from enforcement.services.reminders import reminders_for
from enforcement.web.base import approvals_for


class HomeView(IndexView):
    index_template = "enforcement/home.html"

    @expose("/")
    def index(self) -> Any:
        counts: dict[str, int] = {}
        work = None
        inspector = False
        approvals: list[Any] = []
        calendar_gap = None
        if g.user is not None and g.user.is_authenticated:
            session = self.appbuilder.session
            # Today's work first: what is overdue, due today and due soon (an inspector's own).
            inspector = getattr(g.user, "enforcer_id", None) is not None
            work = reminders_for(session, g.user, dt.date.today(), mine_only=inspector)
            approvals = [a for a in approvals_for(self.appbuilder, g.user) if not a.own]
            calendar_gap = working_calendar(session).gap_ahead(dt.date.today())
            for key, model in (
                ("enterprises", Enterprise),
                ("equipment", Equipment),
                ("enforcers", Enforcer),
            ):
                counts[key] = session.scalar(select(func.count()).select_from(model)) or 0
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            counts=counts,
            work=work,
            approvals=approvals,
            calendar_gap=calendar_gap,
            inspector=inspector,
            labels=reminders.BUCKET_LABELS,
            urgent_buckets=(reminders.OVERDUE, reminders.TODAY, reminders.SOON),
        )


class SectionView(BaseView):
    """Landing pages of the menus whose functions arrive in later releases: say so plainly."""

    route_base = "/section"
    default_view = "statistics"
    SECTIONS = {
        "statistics": (
            "统计查询",
            [
                "重点事项检查统计",
                "隐患排查治理统计",
                "执法处罚统计",
                "执法人员培训率",
                "企业信息录入率",
                "线上办案率",
                "区域下钻",
                "Excel 导出",
            ],
        ),
        "library": (
            "执法资源库",
            ["法律法规", "部门规章", "标准规范", "典型案例", "学习资料", "文书模板"],
        ),
    }

    def _render(self, key: str) -> Any:
        title, items = self.SECTIONS[key]
        return self.render_template("enforcement/section.html", title=title, items=items)

    @expose("/statistics/")
    @has_access
    def statistics(self) -> Any:
        return self._render("statistics")

    @expose("/library/")
    @has_access
    def library(self) -> Any:
        return self._render("library")
