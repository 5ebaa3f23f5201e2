"""整改复查 steps of WorkbenchView: the enterprise reports completion, the re-inspection closes
each hazard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from enforcement.domain import planning
from enforcement.models import Hazard, RectificationOrder, Task
from enforcement.services import rectification
from enforcement.services.workbench import ConflictError, WorkbenchError
from enforcement.web.base import app_session, parse_date
from enforcement.web.inputs import form_id
from enforcement.web.workbench.steps.base import WorkbenchSteps


class RectificationSteps(WorkbenchSteps):
    """整改复查: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    @expose("/order/<int:pk>/complete", methods=["POST"])
    @has_access
    def order_complete(self, pk: int) -> Any:
        order = self._get(RectificationOrder, pk)
        try:
            task = rectification.report_completion(
                app_session(), order, on=parse_date(request.form.get("on")) or dt.date.today()
            )
        except WorkbenchError as exc:
            return self._refused(
                exc, "无法登记", back="RectificationView.show", pk=pk, keep=("on",)
            )
        flash(
            f"已登记企业整改完成，复查任务 #{task.id} 已生成" if task else "已登记企业整改完成",
            "success",
        )
        return self._back("RectificationView.show", pk=pk)

    @expose("/recheck/<int:pk>", methods=["GET", "POST"])
    @has_access
    def recheck(self, pk: int) -> Any:
        """The re-inspection: the order's open hazards only, each confirmed rectified or not, and
        its 复查意见."""
        session = app_session()
        task = self._get(Task, pk)
        if task.kind != "recheck":
            abort(404)
        errors: list[str] = []
        opinion_errors: list[str] = []
        status = 200
        if request.method == "POST" and "opinion" in request.form:
            try:
                rectification.record_recheck_opinion(
                    session, task, request.form["opinion"], loaded=request.form.get("loaded")
                )
            except ConflictError as exc:
                opinion_errors, status = exc.reasons, 409
            except WorkbenchError as exc:
                opinion_errors, status = exc.reasons, 422
            else:
                flash("已保存复查意见", "success")
                return self._back("WorkbenchView.recheck", pk=pk)
        elif request.method == "POST":
            hazard_id = form_id("hazard_id")
            hazard = session.get(Hazard, hazard_id) if hazard_id else None
            if hazard is None:
                abort(404)
            try:
                rectification.close_hazard(
                    session,
                    hazard,
                    task,
                    rectified=request.form.get("result") == "rectified",
                    on=parse_date(request.form.get("on")) or dt.date.today(),
                )
            except WorkbenchError as exc:
                errors, status = exc.reasons, 422
            else:
                flash(f"已记录复查结果：{hazard.title}（{hazard.status_label}）", "success")
                return self._back("WorkbenchView.recheck", pk=pk)
        return (
            self.render_template(
                "enforcement/workbench/recheck.html",
                title=f"整改复查：{task.enterprise.name}",
                task=task,
                order=rectification.order_of_recheck(session, task),
                hazards=rectification.recheck_hazards(session, task),
                errors=errors,
                opinion_errors=opinion_errors,
                # Saved by someone else meanwhile: theirs is shown beside what was typed.
                opinion_conflict=status == 409,
                # What was typed stays in the field when it is refused (nothing typed is lost).
                opinion=request.form["opinion"] if opinion_errors else (task.note or ""),
                opinion_max=rectification.RECHECK_OPINION_MAX,
                open_statuses=planning.OPEN_HAZARD_STATUSES,
                today=dt.date.today(),
                typed_on=request.form.get("on", "") if errors else "",
            ),
            status,
        )
