"""Relation filters of the list pages (企业, 所属计划, 执法人员, 部门) search their choices on the server.

FAB renders a relation filter as a `<select>` with every related record as an option, inside the
JSON of every list page: a national user's equipment list would carry 500,000 enterprises. Here the
field renders only the choices the URL already filters on (so a filtered list shows what it is
filtered by), and the browser (enforcement.js, select2) asks `/lookup/<kind>?q=…` for the rest,
20 at a time. The lookup reads through the scoped session like every page: a user finds only the
records of their jurisdiction. The filter itself and its URL (`?_flt_0_enterprise=<id>`) are FAB's,
unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, jsonify, request, url_for
from flask_appbuilder import BaseView, expose
from markupsafe import Markup, escape
from sqlalchemy import or_, select
from wtforms import Field

from enforcement.models import Department, Enforcer, Enterprise, Plan
from enforcement.web.errors import json_error

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 50


@dataclass(frozen=True)
class Lookup:
    model: type
    searched: tuple[str, ...]  # the columns the typed text is looked for in
    order: str


LOOKUPS: dict[str, Lookup] = {
    "enterprise": Lookup(Enterprise, ("name", "uscc"), "name"),
    "plan": Lookup(Plan, ("title",), "title"),
    "enforcer": Lookup(Enforcer, ("name", "certificate_no"), "name"),
    "department": Lookup(Department, ("name",), "name"),
}
KIND_OF_MODEL = {lookup.model: kind for kind, lookup in LOOKUPS.items()}


def _labels(kind: str, ids: list[int]) -> list[tuple[int, str]]:
    """The records of these ids the caller may see, as (id, label), in the given order."""
    if not ids:
        return []
    model = LOOKUPS[kind].model
    found = current_app.appbuilder.session.scalars(select(model).where(model.id.in_(ids)))
    labels = {record.id: str(record) for record in found}
    return [(i, labels[i]) for i in ids if i in labels]


class RemoteSelectWidget:
    def __call__(self, field: RemoteSelectField, **kwargs: Any) -> Markup:
        options = "".join(
            f'<option value="{i}" selected>{escape(label)}</option>'
            for i, label in field.active_choices()
        )
        return Markup(
            '<select class="form-control remote-select" data-lookup="{url}" '
            'data-placeholder="输入名称查找" id="{id}" name="{name}">{options}</select>'
        ).format(
            url=url_for("LookupView.search", kind=field.kind),
            id=field.id,
            name=field.name,
            options=Markup(options),
        )


class RemoteSelectField(Field):
    """A list page's relation filter whose choices come from `/lookup/<kind>`."""

    widget = RemoteSelectWidget()

    def __init__(self, label: str, kind: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.kind = kind

    def active_choices(self) -> list[tuple[int, str]]:
        """The records this filter already selects in the URL (`_flt_<n>_<column>`)."""
        pattern = re.compile(rf"_flt_\d+_{re.escape(self.name)}")
        ids = [
            int(value)
            for key in request.args
            if pattern.fullmatch(key)
            for value in request.args.getlist(key)
            if value.isdigit()
        ]
        return _labels(self.kind, list(dict.fromkeys(ids)))


def remote_relation_fields(
    datamodel: Any, columns: list[str], labels: dict[str, str]
) -> dict[str, Field]:
    """A remote field for each searched relation to a model with a lookup."""
    fields: dict[str, Field] = {}
    for column in columns:
        if not datamodel.is_relation_many_to_one(column):
            continue
        kind = KIND_OF_MODEL.get(datamodel.get_related_model(column))
        if kind is not None:
            fields[column] = RemoteSelectField(str(labels.get(column, column)), kind)
    return fields


class LookupView(BaseView):
    route_base = "/lookup"

    @expose("/<kind>")
    def search(self, kind: str) -> Any:
        """select2's answer: {"results": [{"id", "text"}], "pagination": {"more"}}."""
        if not getattr(g.user, "is_authenticated", False):
            return json_error(401, "请先登录")
        lookup = LOOKUPS.get(kind)
        if lookup is None:
            return json_error(404, "没有这种查找", "/kind")
        text = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
        page = request.args.get("page", "1")
        page_number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
        model = lookup.model
        statement = select(model).order_by(getattr(model, lookup.order), model.id)
        if text:
            statement = statement.where(
                or_(*(getattr(model, c).contains(text, autoescape=True) for c in lookup.searched))
            )
        statement = statement.offset((page_number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
        records = list(current_app.appbuilder.session.scalars(statement))
        return jsonify(
            results=[{"id": r.id, "text": str(r)} for r in records[:PAGE_SIZE]],
            pagination={"more": len(records) > PAGE_SIZE},
        )
