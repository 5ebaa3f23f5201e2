"""执法任务 step of WorkbenchView: a single task outside the draw (enterprise, team, due date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from enforcement.domain.errors import FieldError
from enforcement.models import Enforcer, Enterprise, Plan
from enforcement.services import plans
from enforcement.services.workbench import WorkbenchError
from enforcement.web.base import app_session, parse_date
from enforcement.web.inputs import form_id, form_ids
from enforcement.web.workbench.steps.base import WorkbenchSteps, field_errors


class TaskSteps(WorkbenchSteps):
    """执法任务: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    @expose("/task/new", methods=["GET", "POST"])
    @has_access
    def task_new(self) -> Any:
        """A single task outside the draw (e.g. 专项任务 from a complaint): enterprise, team, due date."""
        session = app_session()
        enforcers = list(session.scalars(select(Enforcer).order_by(Enforcer.name).limit(500)))
        approved_plans = list(
            session.scalars(select(Plan).where(Plan.status == "approved").order_by(Plan.id.desc()))
        )
        form: dict[str, Any] = {"enforcer_ids": []}
        errors: list[FieldError] = []
        status = 200
        if request.method == "POST":
            form = {k: request.form.get(k, "").strip() for k in request.form}
            form["enforcer_ids"] = form_ids("enforcer_ids")
            enterprise_id = form_id("enterprise_id")
            enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
            plan_id = form_id("plan_id")
            plan = session.get(Plan, plan_id) if plan_id else None
            chosen = [e for e in enforcers if e.id in form["enforcer_ids"]]
            due_on = parse_date(form.get("due_on"))
            if enterprise is None:
                errors.append(FieldError("/enterprise_id", "请填写本辖区内企业的编号"))
            elif due_on is not None and due_on < dt.date.today():
                errors.append(FieldError("/due_on", "完成期限不能早于今天"))
            else:
                try:
                    task = plans.create_task(
                        session,
                        enterprise=enterprise,
                        enforcers=chosen,
                        due_on=due_on,
                        plan=plan,
                    )
                except WorkbenchError as exc:
                    errors = exc.errors
                else:
                    flash(f"已下达执法任务 #{task.id}", "success")
                    return self._back("TaskView.show", pk=task.id)
            status = 422
        return (
            self.render_template(
                "enforcement/workbench/task_form.html",
                title="下达执法任务",
                form=form,
                errors=[error.message for error in errors],
                field_errors=field_errors(errors),
                enforcers=enforcers,
                plans=approved_plans,
            ),
            status,
        )
