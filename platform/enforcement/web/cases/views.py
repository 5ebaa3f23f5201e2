"""立案查处 pages under 我的工作台: the case list (search, stage filter, Excel export) and the case desk
(progress, statutory clocks, history, the allowed actions, penalty/decision/payment forms).

Every change goes through services/cases.py; the session's scoping makes another jurisdiction's case
absent (404). Forms post with CSRF; a refused action or invalid field is shown in Chinese beside the
field, with what the user typed kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from enforcement.db.acting import current_actor
from enforcement.db.scoping import UNSCOPED
from enforcement.documents import core_catalogue
from enforcement.domain import workflow
from enforcement.domain.errors import FieldError
from enforcement.domain.fields import Field
from enforcement.domain.values import as_int64
from enforcement.models import Case, Enforcer, Enterprise, Hazard, Penalty, task_enforcer
from enforcement.models.case import CASE_SOURCES
from enforcement.services import cases as service
from enforcement.services.audit import display_names
from enforcement.web.base import CONFIDENCE_LABELS, ChineseModelView, flash_failures
from enforcement.web.cases.schemas import CASE_TITLE, DECISION_NO, PARTY_NAME
from enforcement.web.inputs import FUTURE_YEARS, form_id, form_ids, ids

STATE_CLASSES = {
    workflow.OK: "label-success",
    workflow.DUE_SOON: "label-warning",
    workflow.OVERDUE: "label-danger",
    workflow.DONE: "label-default",
    workflow.LATE: "label-danger",
    workflow.LAPSED: "label-default",
}


class CaseView(ChineseModelView):
    """The list: read-only here (stages change on the case desk), searchable by stage, exportable."""

    route_base = "/case"
    datamodel = SQLAInterface(Case)
    noun = "案件"
    list_title = "立案查处"
    base_permissions = ["can_list", "can_show", "can_export"]
    label_columns = {
        "number": "案件编号",
        "title": "案件名称",
        "enterprise": "当事单位",
        "enterprise_name": "当事单位",
        "region_code": "行政区划代码",
        "stage": "办理阶段",
        "stage_label": "办理阶段",
        "source": "案件来源",
        "source_label": "案件来源",
        "party_kind_label": "当事人类型",
        "filed_on": "立案日期",
        "discovered_on": "发现日期",
        "facts": "案情摘要",
        "inspectors_label": "承办人员",
        "fine_total": "罚款金额（元）",
        "rule_set": "适用规则",
        "created_by": "立案人",
        "docking_source_label": "数据来源",
        "docking_source": "对接来源系统",
    }
    list_columns = ["number", "title", "enterprise", "stage_label", "filed_on", "inspectors_label"]
    order_columns = ["number", "title", "filed_on"]
    export_columns = [
        "number",
        "title",
        "enterprise_name",
        "region_code",
        "stage_label",
        "source_label",
        "party_kind_label",
        "discovered_on",
        "filed_on",
        "inspectors_label",
        "fine_total",
        "rule_set",
    ]
    show_columns = export_columns + ["facts", "docking_source_label"]
    search_columns = [
        "number",
        "title",
        "stage",
        "source",
        "enterprise",
        "filed_on",
        "region_code",
        "docking_source",
    ]
    base_order = ("filed_on", "desc")
    list_template = "enforcement/cases/list.html"

    def render_template(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("stage_filters", [(s.value, s.label) for s in workflow.Stage])
        return super().render_template(template, **kwargs)

    def export_rows(self, items: list[Any], columns: list[str]) -> list[dict[str, Any]]:
        rows = super().export_rows(items, columns)
        for row in rows:
            if "fine_total" in row:
                row["fine_total"] = float(row["fine_total"] or 0)
        return rows

    @expose("/show/<pk>")
    @has_access
    def show(self, pk: Any) -> Any:
        """The case desk is the detail page."""
        if self.datamodel.get(pk) is None:
            abort(404)
        return redirect(url_for("CaseDeskView.detail", pk=pk))


def form_titles() -> dict[str, str]:
    """The 文书 a step is done with, by its catalogue code (名称 for the page)."""
    return {form["code"]: form["name"] for form in core_catalogue()["forms"]}


def _form_date(name: str, errors: dict[str, str], *, required: bool = False) -> dt.date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            errors[name] = "请填写日期"
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "日期格式应为 年-月-日，如 2026-03-01"
        return None
    if not 1900 <= day.year <= dt.date.today().year + FUTURE_YEARS:
        errors[name] = "日期超出有效范围，请检查年份"
        return None
    return day


def _texts(errors: dict[str, str], *fields: Field) -> dict[str, str | None]:
    """The form's text fields by their rules (lengths are the columns'); a refusal at the field."""
    values: dict[str, str | None] = {}
    for field in fields:
        try:
            values[field.name] = field.clean(request.form.get(field.name))
        except FieldError as exc:
            errors[field.name] = exc.message
    return values


def _version() -> int | None:
    return as_int64(request.form.get("version"), minimum=0)


class CaseDeskView(BaseView):
    route_base = "/cases"
    default_view = "new"

    def _session(self) -> Any:
        return self.appbuilder.session

    def _case(self, pk: int) -> Case:
        case = self._session().get(Case, pk)
        if case is None:
            abort(404)
        return case

    def _render_detail(
        self, case: Case, *, errors: dict[str, str] | None = None, status: int = 200, form: str = ""
    ) -> Any:
        session = self._session()
        today = dt.date.today()
        username = current_actor().username
        allowed = service.allowed_actions(session, case, username, today)
        facts = service.case_facts(
            case, today=today, actor_is_leader=service.is_leader(session, username)
        )
        blocked = workflow.explain(case.stage, facts)  # why each other move is not offered now
        stage = workflow.Stage(case.stage)
        main = list(workflow.MAIN_LINE)
        position = main.index(stage) if stage in main else -1
        body = self.render_template(
            "enforcement/cases/detail.html",
            case=case,
            stages=main,
            position=position,
            stage=stage,
            deadlines=service.case_deadlines(case, today),
            state_classes=STATE_CLASSES,
            confidence_labels=CONFIDENCE_LABELS,
            transitions=list(case.transitions),
            who=display_names(session, [t.actor for t in case.transitions]),
            allowed=allowed,
            blocked=blocked,
            hazards=service.case_hazards(session, case),
            penalty_kinds=workflow.PENALTY_KINDS,
            hearing_right=workflow.hearing_right(facts),
            legal_review_needed=workflow.legal_review_needed(facts),
            rule_set=workflow.rule_set_for(case.filed_on),
            form_titles=form_titles(),
            can_propose=stage in service.PROPOSAL_STAGES,
            can_decide=stage in service.DECISION_STAGES | service.SERVICE_STAGES,
            can_pay=stage in service.PAYMENT_STAGES,
            errors=errors or {},
            form_name=form,
            values=request.form if request.method == "POST" else {},
            today=today,
        )
        return body, status

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk: int) -> Any:
        return self._render_detail(self._case(pk))

    def _refused(self, case: Case, field: str, message: str, form: str) -> Any:
        self._session().rollback()
        case = self._case(case.id)
        return self._render_detail(case, errors={field: message}, status=422, form=form)

    @expose("/<int:pk>/act", methods=["POST"])
    @has_access
    def act(self, pk: int) -> Any:
        case = self._case(pk)
        action = request.form.get("action", "")
        note = request.form.get("note", "")
        row = workflow.row_for(case.stage, action)
        if row is not None and row.needs_note and len(note.strip()) < 2:
            return self._refused(case, f"note_{action}", "请填写理由", "act")
        on = None
        if row is not None and row.needs_date:
            errors: dict[str, str] = {}
            on = _form_date("on", errors, required=True)
            if errors:
                return self._refused(case, f"on_{action}", errors["on"], "act")
        try:
            service.transition(
                self._session(), case, action, note, expected_version=_version(), on=on
            )
        except service.StaleCase as exc:
            return self._refused(case, "version", exc.message, "act")
        except workflow.IllegalTransition as exc:
            return self._refused(case, f"action_{action}", exc.reason, "act")
        flash(f"已办理：{workflow.ACTION_LABELS.get(action, action)}", "success")
        flash_failures(self._session())  # a bureau plugin that failed after the move was saved
        return redirect(url_for("CaseDeskView.detail", pk=pk))

    @expose("/<int:pk>/penalty", methods=["POST"])
    @has_access
    def penalty(self, pk: int) -> Any:
        case = self._case(pk)
        existing = None
        if request.form.get("penalty_id"):
            penalty_id = form_id("penalty_id")
            existing = self._session().get(Penalty, penalty_id) if penalty_id else None
            if existing is None or existing.case_id != case.id:
                abort(404)
        try:
            service.record_penalty(
                self._session(),
                case,
                kind=request.form.get("kind", ""),
                amount=request.form.get("amount"),
                basis=request.form.get("basis", ""),
                penalty=existing,
                expected_version=_version(),
            )
        except service.CaseError as exc:
            return self._refused(case, exc.field or "kind", exc.message, "penalty")
        flash("已登记处罚内容", "success")
        return redirect(url_for("CaseDeskView.detail", pk=pk) + "#penalties")

    @expose("/<int:pk>/penalty/<int:penalty_id>/remove", methods=["POST"])
    @has_access
    def penalty_remove(self, pk: int, penalty_id: int) -> Any:
        case = self._case(pk)
        penalty = self._session().get(Penalty, penalty_id)
        if penalty is None or penalty.case_id != case.id:
            abort(404)
        try:
            service.remove_penalty(self._session(), case, penalty, expected_version=_version())
        except service.CaseError as exc:
            return self._refused(case, "kind", exc.message, "penalty")
        flash("已撤回该处罚内容", "success")
        return redirect(url_for("CaseDeskView.detail", pk=pk) + "#penalties")

    @expose("/<int:pk>/decision", methods=["POST"])
    @has_access
    def decision(self, pk: int) -> Any:
        case = self._case(pk)
        errors: dict[str, str] = {}
        decided_on = _form_date("decided_on", errors, required=True)
        served_on = _form_date("served_on", errors)
        _texts(errors, DECISION_NO)
        if errors:
            return self._render_detail(case, errors=errors, status=422, form="decision")
        try:
            service.record_decision(
                self._session(),
                case,
                decision_no=request.form.get("decision_no", ""),
                decided_on=decided_on,  # type: ignore[arg-type]
                served_on=served_on,
                expected_version=_version(),
            )
        except service.CaseError as exc:
            return self._refused(case, exc.field or "decision_no", exc.message, "decision")
        flash("已登记处罚决定书", "success")
        return redirect(url_for("CaseDeskView.detail", pk=pk) + "#penalties")

    @expose("/<int:pk>/payment/<int:penalty_id>", methods=["POST"])
    @has_access
    def payment(self, pk: int, penalty_id: int) -> Any:
        case = self._case(pk)
        penalty = self._session().get(Penalty, penalty_id)
        if penalty is None or penalty.case_id != case.id:
            abort(404)
        errors: dict[str, str] = {}
        paid_on = _form_date("paid_on", errors, required=True)
        if errors:
            return self._render_detail(case, errors=errors, status=422, form="payment")
        try:
            service.record_payment(
                self._session(),
                penalty,
                paid_amount=request.form.get("paid_amount"),
                paid_on=paid_on,  # type: ignore[arg-type]
                expected_version=_version(),
            )
        except service.CaseError as exc:
            return self._refused(case, exc.field or "paid_amount", exc.message, "payment")
        flash("已登记缴款", "success")
        return redirect(url_for("CaseDeskView.detail", pk=pk) + "#penalties")

    @expose("/<int:pk>/facts", methods=["POST"])
    @has_access
    def facts(self, pk: int) -> Any:
        case = self._case(pk)
        try:
            service.update_case_facts(
                self._session(),
                case,
                facts=request.form.get("facts", ""),
                expected_version=_version(),
            )
        except service.CaseError as exc:
            return self._refused(case, exc.field or "facts", exc.message, "facts")
        flash("已保存案情摘要", "success")
        return redirect(url_for("CaseDeskView.detail", pk=pk))

    def _hazards(self, raw_ids: list[str]) -> list[Hazard]:
        """The hazards a case is opened from (立案查处 on the hazards page); scoped, open, no case yet."""
        hazards = [self._session().get(Hazard, i) for i in sorted(ids(raw_ids))]
        return [h for h in hazards if h is not None]

    def _team(self, hazards: list[Hazard]) -> list[Enforcer]:
        """The inspection team of the hazards, including members the user cannot list (e.g. the
        city's inspector on a county's task): they did the inspection, so they may carry the case."""
        task_ids = {h.inspection.task_id for h in hazards}
        if not task_ids:
            return []
        ids = self._session().scalars(
            select(task_enforcer.c.enforcer_id).where(task_enforcer.c.task_id.in_(task_ids))
        )
        return list(
            self._session().scalars(
                select(Enforcer)
                .where(Enforcer.id.in_(list(ids)))
                .order_by(Enforcer.id)
                .execution_options(**{UNSCOPED: True})
            )
        )

    def _new_form(
        self,
        errors: dict[str, str],
        status: int = 200,
        *,
        values: Any = None,
        chosen: set[str] | None = None,
        hazards: list[Hazard] | None = None,
    ) -> Any:
        session = self._session()
        enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.name).limit(500)))
        enforcers = list(session.scalars(select(Enforcer).order_by(Enforcer.name).limit(500)))
        # The hazards' enterprise and team are choices even beyond the first 500 of the lists.
        for hazard in hazards or []:
            if hazard.enterprise not in enterprises:
                enterprises.insert(0, hazard.enterprise)
        for enforcer in self._team(hazards or []):
            if enforcer not in enforcers:
                enforcers.insert(0, enforcer)
        body = self.render_template(
            "enforcement/cases/new.html",
            enterprises=enterprises,
            enforcers=enforcers,
            sources=CASE_SOURCES,
            party_kinds=workflow.PARTY_KINDS,
            errors=errors,
            values=request.values if values is None else values,
            chosen=set(request.form.getlist("enforcer_ids")) if chosen is None else chosen,
            hazards=hazards or [],
            today=dt.date.today(),
        )
        return body, status

    def _from_hazards(self, hazards: list[Hazard]) -> Any:
        """立案 prefilled from hazards whose confirmed measure is 立案查处: party, team, facts, dates."""
        first = hazards[0]
        lines = "；".join(f"{h.title}（{h.illegal_basis or '违法依据待补充'}）" for h in hazards)
        discovered = min(h.created_at.date() for h in hazards)
        values = {
            "enterprise_id": str(first.enterprise_id),
            "source": "hazard",
            "discovered_on": discovered.isoformat(),
            "facts": f"现场检查发现：{lines}",
        }
        chosen = {str(e.id) for e in self._team(hazards)}
        return self._new_form({}, values=values, chosen=chosen, hazards=hazards)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self) -> Any:
        hazards = self._hazards(request.values.getlist("hazard_id"))
        if request.method == "GET":
            if hazards:
                return self._from_hazards(hazards)
            return self._new_form({})
        session = self._session()
        errors: dict[str, str] = {}
        enterprise = None
        enterprise_id = form_id("enterprise_id")
        if enterprise_id:
            enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            errors["enterprise_id"] = "请选择当事企业"
        team = {e.id: e for e in self._team(hazards)}
        inspectors = [
            e
            for e in (team.get(i) or session.get(Enforcer, i) for i in form_ids("enforcer_ids"))
            if e is not None
        ]
        texts = _texts(errors, CASE_TITLE, PARTY_NAME)
        discovered_on = _form_date("discovered_on", errors, required=True)
        evidence_taken_on = _form_date("evidence_taken_on", errors)
        filed_on = _form_date("filed_on", errors) or dt.date.today()
        escalated = [h for h in hazards if h.status == "escalated" or h.case_id is not None]
        if escalated:
            errors["hazards"] = f"隐患已立案查处：{escalated[0].title}"
        if errors:
            return self._new_form(errors, 422, hazards=hazards)
        try:
            case = service.open_case(
                session,
                enterprise,  # type: ignore[arg-type]
                inspectors,
                source=request.form.get("source", ""),
                facts=request.form.get("facts", ""),
                hazards=hazards,
                discovered_on=discovered_on,  # type: ignore[arg-type]
                evidence_taken_on=evidence_taken_on,
                filed_on=filed_on,
                title=texts["title"],
                party_kind=request.form.get("party_kind", "unit"),
                party_name=texts["party_name"],
            )
        except service.CaseError as exc:
            session.rollback()
            return self._new_form({exc.field or "facts": exc.message}, 422, hazards=hazards)
        flash(f"已立案：{case.number}", "success")
        return redirect(url_for("CaseDeskView.detail", pk=case.id))
