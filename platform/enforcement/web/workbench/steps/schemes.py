"""现场检查方案 steps of WorkbenchView: compile the on-site scheme, approve it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from enforcement.domain import planning
from enforcement.models import InspectionScheme, Task
from enforcement.services import checklists, inspections
from enforcement.services.workbench import WorkbenchError
from enforcement.web.base import app_session, parse_date
from enforcement.web.workbench.steps.base import WorkbenchSteps


class SchemeSteps(WorkbenchSteps):
    """现场检查方案: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    @expose("/task/<int:pk>/scheme", methods=["GET", "POST"])
    @has_access
    def scheme(self, pk: int) -> Any:
        """Compile the on-site scheme: item sets and items preselected from the enterprise's tags/equipment."""
        session = app_session()
        task = self._get(Task, pk)
        platform = checklists.platform_of()
        entries = inspections.applicable_entries(platform, task.enterprise)
        scheme = inspections.scheme_of(session, task)
        errors: list[str] = []
        status = 200
        typed: dict[str, Any] | None = None
        if request.method == "POST":
            try:
                scheme = inspections.compile_scheme(
                    session,
                    platform,
                    task,
                    plugin_ids=request.form.getlist("plugin_ids"),
                    item_ids=request.form.getlist("item_ids"),
                    methods=request.form.getlist("methods"),
                    scheduled_on=parse_date(request.form.get("scheduled_on")),
                    schedule=request.form.get("schedule") or None,
                    team=request.form.get("team") or None,
                )
            except WorkbenchError as exc:
                errors, status = exc.reasons, 422
                typed = {  # a refused form keeps everything typed, the unticked boxes too
                    "plugin_ids": set(request.form.getlist("plugin_ids")),
                    "item_ids": set(request.form.getlist("item_ids")),
                    "methods": request.form.getlist("methods"),
                    "scheduled_on": request.form.get("scheduled_on", ""),
                    "schedule": request.form.get("schedule", ""),
                    "team": request.form.get("team", ""),
                }
            else:
                flash("检查方案已保存，请负责人审批", "success")
                return self._back("SchemeView.show", pk=scheme.id)
        # A new scheme is preselected as the service would compile it: the plan's item sets, else all.
        planned = {e.id for e in entries} & set(task.plan.item_set_ids if task.plan else [])
        chosen_plugins = set(scheme.plugin_ids) if scheme else planned or {e.id for e in entries}
        chosen_items = set(scheme.item_ids) if scheme else None
        values = {
            "methods": scheme.methods if scheme else list(planning.INSPECTION_METHODS),
            "scheduled_on": scheme.scheduled_on if scheme and scheme.scheduled_on else "",
            "schedule": scheme.schedule if scheme and scheme.schedule else "",
            "team": scheme.team if scheme and scheme.team else task.enforcers_label,
        }
        if typed is not None:
            chosen_plugins, chosen_items = typed.pop("plugin_ids"), typed.pop("item_ids")
            values = typed
        return (
            self.render_template(
                "enforcement/workbench/scheme_form.html",
                title=f"现场检查方案：{task.enterprise.name}",
                task=task,
                scheme=scheme,
                entries=entries,
                chosen_plugins=chosen_plugins,
                chosen_items=chosen_items,
                methods=planning.INSPECTION_METHODS,
                values=values,
                overdue_days=(dt.date.today() - task.due_on).days if task.is_overdue else 0,
                errors=errors,
            ),
            status,
        )

    @expose("/scheme/<int:pk>/approve", methods=["POST"])
    @has_access
    def scheme_approve(self, pk: int) -> Any:
        scheme = self._get(InspectionScheme, pk)
        return self._step(
            lambda: inspections.approve_scheme(app_session(), scheme),
            success="检查方案已批准，可以开始现场检查",
            failure="无法批准",
            back="SchemeView.show",
            pk=pk,
        )
