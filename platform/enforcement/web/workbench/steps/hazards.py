"""问题隐患 steps of WorkbenchView: confirm each hazard's measure and deadline, issue the
整改指令书 (rectification order)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access

from enforcement.domain import planning
from enforcement.models import Hazard, Inspection
from enforcement.services import rectification
from enforcement.services.workbench import WorkbenchError
from enforcement.web.base import app_session, parse_date
from enforcement.web.workbench.steps.base import WorkbenchSteps


class HazardSteps(WorkbenchSteps):
    """问题隐患 → 整改指令书: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    @expose("/inspection/<int:pk>/hazards", methods=["GET", "POST"])
    @has_access
    def hazards(self, pk: int) -> Any:
        """Confirm each hazard's measure and deadline, then issue the rectification order."""
        session = app_session()
        inspection = self._get(Inspection, pk)
        errors: dict[int | str, list[str]] = {}
        today = dt.date.today()
        status = 200
        if request.method == "POST":
            for hazard in inspection.hazards:
                measure = request.form.get(f"measure_{hazard.id}")
                if not measure or hazard.status not in planning.OPEN_HAZARD_STATUSES:
                    continue
                deadline = parse_date(request.form.get(f"deadline_{hazard.id}"))
                if deadline is not None and deadline != hazard.deadline and deadline < today:
                    errors[hazard.id] = ["整改期限不能早于今天"]
                    continue
                if (
                    measure == hazard.measure
                    and hazard.measure_confirmed
                    and deadline == hazard.deadline
                ):
                    continue
                try:
                    rectification.confirm_measure(session, hazard, measure, deadline)
                except WorkbenchError as exc:
                    errors[hazard.id] = exc.reasons
            chosen = {
                request.form.get(f"measure_{h.id}") or h.measure
                for h in inspection.hazards
                if h.status in planning.OPEN_HAZARD_STATUSES and h.rectification_order_id is None
            }
            # One action per decision: the one button issues the order when a chosen measure is one
            # (立案查处 alone is confirmed here; its case opens from the hazard's 立案查处 button).
            issue = request.form.get("issue") or (
                request.form.get("decide") and bool(chosen - {"file_case", None})
            )
            if not errors and issue:
                try:
                    order = rectification.issue_rectification_order(
                        session,
                        inspection,
                        issued_on=parse_date(request.form.get("issued_on")) or dt.date.today(),
                    )
                except WorkbenchError as exc:
                    errors["order"] = exc.reasons
                else:
                    flash(f"已下达责令限期整改指令书 {order.number}", "success")
                    return self._back("RectificationView.show", pk=order.id)
            if errors:
                status = 422
            else:
                flash("处理措施已确认", "success")
        return (
            self.render_template(
                "enforcement/workbench/hazards.html",
                title=f"问题隐患：{inspection.enterprise.name}",
                inspection=inspection,
                hazards=inspection.hazards,
                measures=planning.HAZARD_MEASURES,
                errors=errors,
                typed=request.form if errors else {},
                order_measures=[m for m in planning.HAZARD_MEASURES if m != "file_case"],
                today=dt.date.today(),
                open_statuses=planning.OPEN_HAZARD_STATUSES,
            ),
            status,
        )

    @expose("/hazard/<int:pk>/measure", methods=["POST"])
    @has_access
    def hazard_measure(self, pk: int) -> Any:
        hazard = self._get(Hazard, pk)
        measure = request.form.get("measure", "")
        deadline = parse_date(request.form.get("deadline"))
        if deadline is not None and deadline != hazard.deadline and deadline < dt.date.today():
            return self._refused(
                WorkbenchError("整改期限不能早于今天"),
                "无法确认",
                back="HazardView.show",
                pk=pk,
                keep=("measure", "deadline"),
            )
        return self._step(
            lambda: rectification.confirm_measure(app_session(), hazard, measure, deadline),
            success="处理措施已确认",
            failure="无法确认",
            back="HazardView.show",
            pk=pk,
            keep=("measure", "deadline"),
        )
