"""监督检查计划 steps of WorkbenchView: draft a plan, approve it, break it down into tasks (双随机)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from enforcement.db.acting import current_actor
from enforcement.domain import codes, planning
from enforcement.domain.errors import FieldError
from enforcement.models import Department, Plan, Region
from enforcement.services import checklists, plans
from enforcement.services.workbench import WorkbenchError
from enforcement.web.base import app_session, parse_date
from enforcement.web.workbench.schemas import PLAN_TITLE, PLAN_YEAR, SAMPLE_SIZE, SEED
from enforcement.web.workbench.steps.base import WorkbenchSteps, field_errors


class PlanSteps(WorkbenchSteps):
    """监督检查计划: mixed into WorkbenchView (its endpoints and permissions are WorkbenchView's)."""

    def _plan_form(self, form: dict[str, Any], errors: list[FieldError], status: int = 200) -> Any:
        jurisdiction = current_actor().jurisdiction
        regions = [
            r
            for r in app_session().scalars(
                select(Region).where(Region.level != "province").order_by(Region.code)
            )
            if jurisdiction.contains(r.code)
        ][:500]
        entries = checklists.visible_entries(checklists.platform_of(), jurisdiction)
        return (
            self.render_template(
                "enforcement/workbench/plan_form.html",
                title="新建监督检查计划",
                form=form,
                errors=[error.message for error in errors],
                field_errors=field_errors(errors),
                regions=regions,
                entries=[e for e in entries if e.status == "active"],
                kinds=planning.PLAN_KINDS,
                tags=codes.TAGS,
                sectors=codes.SECTORS,
            ),
            status,
        )

    @expose("/plan/new", methods=["GET", "POST"])
    @has_access
    def plan_new(self) -> Any:
        """A leader drafts a plan: period, region, item sets, selection by tag/sector, 双随机 sample."""
        session = app_session()
        department = plans.department_of_actor(session)
        if request.method == "GET":
            year = dt.date.today().year
            return self._plan_form(
                {
                    "year": year,
                    "kind": "annual",
                    "period_start": f"{year}-01-01",
                    "period_end": f"{year}-12-31",
                    "region_code": department.region_code if department else "",
                },
                [],
            )
        form = request.form
        data = {k: form.get(k, "").strip() for k in form}
        data["tags"] = form.getlist("tags")
        data["sectors"] = form.getlist("sectors")
        data["item_set_ids"] = form.getlist("item_set_ids")
        errors: list[FieldError] = []
        values: dict[str, Any] = {}
        for field in (PLAN_TITLE, PLAN_YEAR, SAMPLE_SIZE, SEED):
            try:
                values[field.name] = field.clean(data.get(field.name))
            except FieldError as exc:
                errors.append(exc)
        year = values.get("year")
        if not data.get("region_code"):
            errors.append(FieldError("/region_code", "请选择计划覆盖的行政区划"))
        if errors:
            return self._plan_form(data, errors, 422)
        rule = planning.SelectionRule(
            tags=tuple(data["tags"]),
            sectors=tuple(data["sectors"]),
            region_code=data["region_code"],
            sample_size=values.get("sample_size"),
        )
        try:
            plan = plans.create_plan(
                session,
                title=values.get("title") or "",
                year=year or 0,
                kind=data.get("kind", ""),
                period_start=parse_date(data.get("period_start")),  # type: ignore[arg-type]
                period_end=parse_date(data.get("period_end")),  # type: ignore[arg-type]
                region_code=data["region_code"],
                department_id=department.id if isinstance(department, Department) else None,
                item_set_ids=data["item_set_ids"],
                rule=rule,
                seed=values.get("seed"),
                notes=data.get("notes") or None,
            )
        except WorkbenchError as exc:
            return self._plan_form(data, exc.errors, 422)
        flash(f"已保存计划草稿：{plan.title}，请负责人批准后分解任务", "success")
        return self._back("PlanView.show", pk=plan.id)

    @expose("/plan/<int:pk>/approve", methods=["POST"])
    @has_access
    def plan_approve(self, pk: int) -> Any:
        plan = self._get(Plan, pk)
        return self._step(
            lambda: plans.approve_plan(app_session(), plan),
            success="计划已批准",
            failure="无法批准",
            back="PlanView.show",
            pk=pk,
        )

    @expose("/plan/<int:pk>/breakdown", methods=["POST"])
    @has_access
    def plan_breakdown(self, pk: int) -> Any:
        plan = self._get(Plan, pk)
        try:
            created, unassigned = plans.break_down(app_session(), plan)
        except WorkbenchError as exc:
            return self._refused(exc, "无法分解", back="PlanView.show", pk=pk)
        flash(f"已按随机种子 {plan.random_seed} 分解出 {len(created)} 项执法任务", "success")
        if unassigned:
            flash(
                f"{len(unassigned)} 家企业未能分配检查组：" + next(iter(unassigned.values())),
                "warning",
            )
        return self._back("PlanView.show", pk=pk)
