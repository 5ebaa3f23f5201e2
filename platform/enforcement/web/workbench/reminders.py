"""我的工作提醒: the landing page of 我的工作台 — work due, due soon and overdue — and the menu badge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, jsonify, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from enforcement.domain import reminders
from enforcement.services.reminders import Approval, reminders_for
from enforcement.web.base import approvals_for
from enforcement.web.session_cookie import passive

SCOPES = {"mine": "我的", "all": "辖区全部"}
BADGE_MAX_AGE_SECONDS = 60


class RemindersView(BaseView):
    route_base = "/reminders"
    default_view = "index"

    def _approvals(self) -> list[Approval]:
        return approvals_for(self.appbuilder, g.user)

    @expose("/")
    @has_access
    def index(self) -> Any:
        has_team = getattr(g.user, "enforcer_id", None) is not None
        scope = request.args.get("scope") or ("mine" if has_team else "all")
        if scope not in SCOPES:
            scope = "all"
        result = reminders_for(
            self.appbuilder.session, g.user, dt.date.today(), mine_only=scope == "mine"
        )
        return self.render_template(
            "enforcement/reminders.html",
            title="我的工作提醒",
            result=result,
            approvals=self._approvals(),
            scope=scope,
            scopes=SCOPES,
            has_team=has_team,
            labels=reminders.BUCKET_LABELS,
            buckets=reminders.BUCKETS,
        )

    @passive  # the badge is not the user's activity, and must not rewrite their session cookie
    @expose("/count")
    @has_access
    def count(self) -> Any:
        """The menu badge: the user's own urgent work (the jurisdiction's for a user without a team)."""
        mine = getattr(g.user, "enforcer_id", None) is not None
        result = reminders_for(self.appbuilder.session, g.user, dt.date.today(), mine_only=mine)
        approvals = sum(1 for a in self._approvals() if not a.own)
        response = jsonify(
            urgent=result.urgent + approvals,
            overdue=result.counts[reminders.OVERDUE],
            approvals=approvals,
        )
        # Every page asks for the badge: let the browser reuse it for a minute rather than
        # recompute the jurisdiction's clocks on each click (the page itself is always fresh).
        response.headers["Cache-Control"] = f"private, max-age={BADGE_MAX_AGE_SECONDS}"
        return response
