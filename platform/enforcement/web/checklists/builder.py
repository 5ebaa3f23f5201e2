"""检查事项编辑器 pages: the drafts of a bureau, the builder, and its phone / PC preview.

The builder (static/js/checklist-builder.js) edits the declaration and saves it through
/api/v1/checklist_draft/ (draft_api.py); the server is the one validator. The preview renders the
draft's compiled form with the inspectors' own renderer (checklists/_form.html and
checklist-form.js), framed by the builder page in a phone and a PC frame.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import abort, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from enforcement.checklists.measures import MEASURE_LABELS
from enforcement.db.acting import current_actor
from enforcement.domain import codes
from enforcement.domain.errors import Refused
from enforcement.models import ChecklistDraft, Enterprise, Region
from enforcement.services import checklist_authoring as authoring
from enforcement.services import checklist_catalogue as catalogue
from enforcement.services import checklists as service

SORTABLE = Path("sortablejs") / "Sortable.min.js"
ENTERPRISE_CHOICES = 50
LEVEL_SUFFIX = {"province": "应急管理厅", "city": "应急管理局", "county": "应急管理局"}


def _sortable_script() -> Path:
    """node_modules/sortablejs of the checkout (`make setup`), else of the working directory."""
    here = Path(__file__).resolve().parents[4]
    candidates = [here / "node_modules" / SORTABLE, Path.cwd() / "node_modules" / SORTABLE]
    return next((c for c in candidates if c.is_file()), candidates[0])


class ChecklistBuilderView(BaseView):
    """检查事项编辑器 (drafts, builder, preview) for leaders and admins."""

    route_base = "/checklists/builder"
    default_view = "index"

    def _session(self) -> Any:  # a method, not a property: FAB inspects every attribute at init
        return self.appbuilder.session

    def _draft_or_404(self, draft_id: int) -> ChecklistDraft:
        draft = self._session().get(ChecklistDraft, draft_id)  # scoped: another region's → None
        if draft is None or not authoring.visible_region(draft):
            abort(404)
        return draft

    def _starter(self) -> dict[str, Any]:
        """A new set for the caller's bureau: one empty item, its errors shown at the fields."""
        region = current_actor().jurisdiction.region_code
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
        if region is None:
            issuer: dict[str, Any] = {"level": "ministry", "name": "应急管理部"}
            plugin_id = f"ministry.set{stamp}"
        else:
            level = (
                "province"
                if region.endswith("0000")
                else "city"
                if region.endswith("00")
                else "county"
            )
            row = self._session().get(Region, region)
            name = (row.full_name if row is not None else region) + LEVEL_SUFFIX[level]
            issuer = {"level": level, "region": region, "name": name}
            plugin_id = f"bureau.{region}.set{stamp}"
        return {
            "schema_version": 1,
            "id": plugin_id,
            "version": "1.0.0",
            "title": "",
            "issuer": issuer,
            "items": [
                {
                    "id": f"{plugin_id}.item1",
                    "title": "",
                    "content": "",
                    "method": "",
                    "severity": "general",
                    "answer": {
                        "type": "string",
                        "enum": ["compliant", "non_compliant", "not_applicable"],
                    },
                    "legal_basis": [{"law": ""}],
                    "penalty_basis": {"law": ""},
                }
            ],
        }

    @expose("/")
    @has_access
    def index(self) -> Any:
        """The bureau's drafts, newest first, and a button to start a new one."""
        drafts = [
            d
            for d in self._session().scalars(
                select(ChecklistDraft).order_by(ChecklistDraft.id.desc()).limit(200)
            )
            if authoring.visible_region(d)
        ]
        region = current_actor().jurisdiction.region_code
        province = region if region and region.endswith("0000") else None
        return self.render_template(
            "enforcement/checklists/builder_index.html",
            title="检查事项编辑器",
            drafts=drafts,
            province=province,
            approval=authoring.approval_setting(self._session(), province) if province else False,
            in_force=catalogue.sets_in_force(self._session(), service.platform_of()),
        )

    @expose("/approval", methods=["POST"])
    @has_access
    def approval(self) -> Any:
        """A province turns its approval of city and county checklists on or off."""
        region = current_actor().jurisdiction.region_code or ""
        try:
            authoring.set_approval(self._session(), region, request.form.get("required") == "1")
        except Refused as refused:
            flash(str(refused), "danger")
        else:
            flash("已保存审核设置", "success")
        return redirect(url_for("ChecklistBuilderView.index"))

    @expose("/new", methods=["POST"])
    @has_access
    def new(self) -> Any:
        """Start a draft (a copy of a visible plugin's declaration when ?from= names one)."""
        declaration = self._starter()
        source = request.form.get("from", "")
        if source:
            entry = service.platform_of().registry.get(source)
            if entry is None or not entry.visible_to(current_actor().jurisdiction):
                abort(404)
            declaration = _copied(entry.declaration, declaration)
        try:
            draft = authoring.create_draft(self._session(), declaration)
        except Refused:
            abort(422)
        return redirect(url_for("ChecklistBuilderView.edit", draft_id=draft.id))

    @expose("/<int:draft_id>")
    @has_access
    def edit(self, draft_id: int) -> Any:
        """The builder: everything the page needs rides along as JSON (no inline script)."""
        draft = self._draft_or_404(draft_id)
        platform = service.platform_of()
        jurisdiction = current_actor().jurisdiction
        enterprises = self._session().execute(
            select(Enterprise.id, Enterprise.name)
            .order_by(Enterprise.name)
            .limit(ENTERPRISE_CHOICES)
        )
        plugins = [
            {"id": e.id, "title": e.declaration["title"], "version": e.version}
            for e in platform.registry.active().values()
            if e.visible_to(jurisdiction)
        ]
        data = {
            "draft_id": draft.id,
            "api": f"/api/v1/checklist_draft/{draft.id}",
            "laws_url": "/api/v1/checklist_draft/laws",
            "checklist_api": "/api/v1/checklist/",
            "preview_url": url_for("ChecklistBuilderView.preview", draft_id=draft.id),
            "tags": codes.TAGS,
            "sectors": codes.SECTORS,
            "equipment_types": platform.registry.equipment_types,
            "measures": MEASURE_LABELS,
            "plugins": plugins,
            "enterprises": [{"id": i, "name": n} for i, n in enterprises],
        }
        return self.render_template(
            "enforcement/checklists/builder.html",
            title=f"检查事项编辑器：{draft.title or '未命名'}",
            draft=draft,
            builder_data=data,
            can_review=authoring.may_review(draft),
        )

    @expose("/<int:draft_id>/preview")
    @has_access
    def preview(self, draft_id: int) -> Any:
        """The draft's form as an inspector sees it, for the builder's frames (?enterprise= draws
        that enterprise's equipment, for a dry run)."""
        draft = self._draft_or_404(draft_id)
        g.frame_same_origin = True
        platform = service.platform_of()
        errors = authoring.declaration_errors(platform, draft.declaration)
        form_data = None
        if not errors:
            entry = authoring.draft_entry(platform, draft)
            form_data = self._form_data(entry, platform)
        return self.render_template(
            "enforcement/checklists/builder_preview.html",
            title="预览",
            draft=draft,
            errors=errors,
            form_data=form_data,
        )

    def _form_data(self, entry: Any, platform: Any) -> dict[str, Any]:
        types = {
            **platform.registry.equipment_types,
            **{t["id"]: t["title"] for t in entry.declaration.get("equipment_types", [])},
        }
        enterprise = None
        enterprise_id = request.args.get("enterprise", type=int)
        if enterprise_id:
            enterprise = self._session().get(Enterprise, enterprise_id)
        if enterprise is not None:
            facts = service.enterprise_facts(enterprise)
            equipment = [
                {"id": e["id"], "type": e["equipment_type"], "name": e["name"]}
                for e in facts["equipment"]
            ]
        else:
            repeated = sorted(
                {i["repeat"]["equipment_type"] for i in entry.declaration["items"] if "repeat" in i}
            )
            equipment = [
                {"id": n + 1, "type": t, "name": f"示例设备：{types.get(t, t)}"}
                for n, t in enumerate(repeated)
            ]
        compiled = entry.compiled
        return {
            "mode": "preview",
            "plugin_id": entry.id,
            "version": entry.version,
            "title": entry.declaration["title"],
            "schema_hash": compiled.sha256,
            "ui_schema": compiled.ui_schema,
            "answers_schema": compiled.answers_schema,
            "enterprise_id": enterprise.id if enterprise is not None else None,
            "equipment": equipment,
            "equipment_types": types,
            "measure_labels": MEASURE_LABELS,
            "draft": None,
            "api_url": "",
            "evidence_url": url_for("ChecklistView.evidence"),
            "evidence_file_url": url_for("ChecklistView.evidence_file", sha256="0" * 64)[:-64],
            "evidence_max_bytes": 0,
        }

    @expose("/sortable.js")
    def sortable_script(self) -> Any:
        """SortableJS from npm (drag and drop), served by the app: no CDN."""
        path = _sortable_script()
        if not path.is_file():
            abort(404)
        return send_file(path, mimetype="text/javascript", max_age=3600)


def _copied(source: dict[str, Any], starter: dict[str, Any]) -> dict[str, Any]:
    """A visible plugin's items under the new draft's id and issuer (a starting point)."""
    old, new = source["id"], starter["id"]

    def renamed(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: renamed(v) for k, v in value.items()}
        if isinstance(value, list):
            return [renamed(v) for v in value]
        if isinstance(value, str) and value.startswith(old + "."):
            return new + value[len(old) :]
        return value

    copy = {k: renamed(v) for k, v in source.items() if k not in ("id", "issuer", "version")}
    copy.update(id=new, issuer=starter["issuer"], version="1.0.0")
    copy["title"] = f"{source['title']}（副本）"
    ordered = {k: copy[k] for k in ("schema_version", "id", "version", "title") if k in copy}
    return {**ordered, **copy}
