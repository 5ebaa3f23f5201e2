"""What every area's pages and APIs build on: the model view, the soft delete, the list widget, the
contract API, and the small request helpers. Areas import this module; it imports no area.

Jurisdiction is not handled here: the session scopes every query.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
from collections.abc import Mapping
from typing import Any, ClassVar

from flask import current_app, flash, request, send_file, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_appbuilder.widgets import ListWidget
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError
from wtforms import Form

from enforcement.db.acting import current_actor
from enforcement.db.scoping import OutOfJurisdiction, check_writable
from enforcement.db.unit_of_work import take_failures, unit_of_work
from enforcement.domain.errors import FieldError, Refused, refuse_if
from enforcement.domain.fields import Field, clean_record
from enforcement.services.cases import is_leader
from enforcement.services.exporting import export_xlsx
from enforcement.services.reminders import approval_queue
from enforcement.web.errors import refused_response
from enforcement.web.lookup import remote_relation_fields

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFIDENCE_LABELS = {"high": "高", "medium": "中", "low": "低"}
PK_PLACEHOLDER = "__pk__"


# -- request helpers ------------------------------------------------------------------------------


def approvals_for(appbuilder: Any, user: Any) -> list[Any]:
    """待审批 of the logged-in user: what their permissions let them approve, in their jurisdiction
    (the 我的工作提醒 page, its badge and the home page share it)."""
    sm, session = appbuilder.sm, appbuilder.session
    kinds = [
        kind
        for kind, allowed in (
            ("plan", sm.has_access("can_plan_approve", "WorkbenchView")),
            ("scheme", sm.has_access("can_scheme_approve", "WorkbenchView")),
            ("case", is_leader(session, user.username)),
        )
        if allowed
    ]
    return approval_queue(session, user.username, kinds) if kinds else []


def app_session() -> Any:
    """The request's (scoped) database session."""
    return current_app.appbuilder.session


def parse_date(value: Any) -> dt.date | None:
    """A form or JSON value "YYYY-MM-DD" as a date; anything else (blank, malformed) is None."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def parse_float(value: Any) -> float | None:
    """A finite number from a form or JSON value; anything else (blank, "NaN", "1e999") is None."""
    try:
        number = float(value) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number is not None and math.isfinite(number) else None


def failure_warnings(session: Session) -> list[str]:
    """The plugin callbacks that failed after the last commit, as notices for the user.

    The change itself is saved (the callbacks run after the commit); the user still has to know
    that a bureau's plugin did not do its part.
    """
    return [
        f"本次操作已保存，但插件“{failure.label}”处理失败，已记录日志"
        for failure in take_failures(session)
    ]


def flash_failures(session: Session) -> None:
    """After a service call that queues plugin callbacks: each failure as a warning message."""
    for message in failure_warnings(session):
        flash(message, "warning")


def show_refused(form: Form, refused: Refused, fields: Mapping[str, str] | None = None) -> None:
    """Put each reason of a `Refused` under its input; the form keeps what was typed.

    `fields` renames a record's field to the input that shows it (the API's `region_code` is the
    page's `region` picker). A reason about no input of this form is flashed above it.
    """
    renamed = {name: shown for name, shown in (fields or {}).items() if shown in form._fields}
    for field, messages in refused.by_field({*form._fields, *renamed}).items():
        target = form._fields.get(renamed.get(field, field)) if field else None
        if target is None:
            for message in messages:
                flash(message, "danger")
        else:
            target.errors = [*target.errors, *messages]  # type: ignore[assignment]


# -- list widget ----------------------------------------------------------------------------------


def row_links(
    modelview_name: str, can_show: bool, can_edit: bool, can_delete: bool
) -> dict[str, str]:
    """URL patterns for the row buttons; the template puts each row's key in place of __pk__."""
    links: dict[str, str] = {}
    for action, allowed in (("show", can_show), ("edit", can_edit), ("delete", can_delete)):
        if not allowed:
            continue
        try:
            links[action] = url_for(f"{modelview_name}.{action}", pk=PK_PLACEHOLDER)
        except BuildError:  # a view without that endpoint: no button, as in FAB
            continue
    return links


class LeanListWidget(ListWidget):
    """The list widget every model view uses: FAB's markup, built with one URL pattern per page."""

    template = "enforcement/widgets/list.html"

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("row_links", row_links)
        return super().__call__(**kwargs)


# -- model views ----------------------------------------------------------------------------------


class SoftDeleteInterface(SQLAInterface):
    """A delete marks the row (who, when); the audit log keeps the old values; an admin can restore.

    `commit` keeps FAB's meaning: False leaves the change to the caller's unit of work.
    """

    @staticmethod
    def _mark(item: Any) -> None:
        username = current_actor().username  # before the item is dirty: resolving may query
        item.deleted_at = dt.datetime.now().replace(microsecond=0)
        item.deleted_by = username

    def delete(self, item: Any, commit: bool = True) -> None:
        if not commit:
            self._mark(item)
            self.session.add(item)
            return
        with unit_of_work(self.session):
            self._mark(item)
            self.session.add(item)

    def delete_all(self, items: list[Any]) -> None:
        with unit_of_work(self.session):
            for item in items:
                self.delete(item, commit=False)


class WritesAsUnitsOfWork:
    """FAB's add, edit and delete (model views) as one unit of work each.

    FAB reads the record, then writes it and commits. On SQLite a transaction that has read cannot
    take the write lock once another request has committed ("database is locked" at once: the busy
    timeout does not cover the upgrade), so each step runs as a unit of work, which takes the lock
    at its start and waits its turn (db/unit_of_work.py).
    """

    datamodel: Any

    def _add(self) -> Any:
        if request.method != "POST":
            return super()._add()  # type: ignore[misc]
        with unit_of_work(self.datamodel.session):
            return super()._add()  # type: ignore[misc]

    def _edit(self, pk: Any) -> Any:
        if request.method != "POST":
            return super()._edit(pk)  # type: ignore[misc]
        with unit_of_work(self.datamodel.session):
            return super()._edit(pk)  # type: ignore[misc]

    def _delete(self, pk: Any) -> Any:
        with unit_of_work(self.datamodel.session):
            return super()._delete(pk)  # type: ignore[misc]


def _blank_for_none(value: Any) -> Any:
    """No "None", "True" or "False" on a Chinese page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


class ChineseModelView(WritesAsUnitsOfWork, ModelView):
    """A ModelView titled in Chinese from one noun, 50 rows a page, with an Excel export."""

    noun = "记录"
    list_template = "enforcement/list.html"
    list_widget = LeanListWidget
    page_size = 50
    export_columns: list[str] | None = None

    def __init__(self, **kwargs: Any) -> None:
        self.list_title = (
            self.list_title if "list_title" in type(self).__dict__ else f"{self.noun}列表"
        )
        self.show_title = f"{self.noun}详情"
        self.add_title = f"新增{self.noun}"
        self.edit_title = f"编辑{self.noun}"
        # Relation filters search the server instead of listing every related record.
        self.search_form_extra_fields = {
            **remote_relation_fields(
                self.datamodel, list(self.search_columns or []), dict(self.label_columns or {})
            ),
            **(self.search_form_extra_fields or {}),
        }
        super().__init__(**kwargs)
        # FAB offers every list column for sorting; a Python property (a *_label) cannot be sorted
        # in SQL and would answer 500.
        self.order_columns = [
            column
            for column in self.order_columns
            if not isinstance(getattr(self.datamodel.obj, column, None), property)
        ]
        # An empty value reads as blank, never "None"; a flag as 是/否 (own formatters still apply).
        shown = [*(self.list_columns or []), *(self.show_columns or [])]
        for fieldset in self.show_fieldsets or []:
            shown += list(fieldset[1].get("fields", []))
        custom = dict(self.formatters_columns or {})
        self.formatters_columns = {c: _blank_for_none for c in shown} | custom

    # A record field the page shows under another input: {"region_code": "region"}.
    refused_fields: dict[str, str] = {}

    def render_template(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("export_url", url_for(f"{self.endpoint}.export"))
        return super().render_template(template, **kwargs)

    def check_form(self, form: Form, editing: Any) -> None:
        """The record's rules that need the database; raise `Refused` to show them at the fields.

        Runs after every input passed its own rule; `editing` is the key of the edited record
        (None when adding). Nothing to check by default.
        """

    def _init_forms(self) -> None:
        super()._init_forms()
        self.add_form = self._checked(self.add_form)
        self.edit_form = self._checked(self.edit_form)

    def _checked(self, form_class: type[Form]) -> type[Form]:
        """The form class whose validate() also asks `check_form`: a refusal stays on the page
        with every input as typed (FAB would flash it and redirect to an empty form)."""
        view = self

        class Checked(form_class):  # type: ignore[misc, valid-type]
            def validate(self, extra_validators: Any = None) -> bool:
                if not super().validate(extra_validators):
                    return False
                try:
                    view.check_form(self, getattr(self, "_id", None))  # FAB sets _id on edit
                except Refused as refused:
                    show_refused(self, refused, view.refused_fields)
                    return False
                return True

        Checked.__name__ = form_class.__name__
        return Checked

    def _check_jurisdiction(self, item: Any) -> None:
        try:
            check_writable(item, self.datamodel.session, current_actor().jurisdiction)
        except OutOfJurisdiction as exc:
            raise ValueError(str(exc)) from None

    def pre_add(self, item: Any) -> None:
        self._check_jurisdiction(item)

    def pre_update(self, item: Any) -> None:
        self._check_jurisdiction(item)

    def export_rows(self, items: list[Any], columns: list[str]) -> list[dict[str, Any]]:
        rows = []
        for item in items:
            row = {}
            for column in columns:
                value: Any = item
                for part in column.split("."):
                    value = getattr(value, part, None) if value is not None else None
                row[column] = (
                    value
                    if isinstance(value, str | int | float | list | dt.date | None)
                    else str(value)
                )
            rows.append(row)
        return rows

    @expose("/export/")
    @has_access
    def export(self) -> Any:
        """The current list (same search filters and order) as an .xlsx file."""
        get_filter_args(self._filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        limit = current_app.config.get("EXPORT_MAX_ROWS", 100000)
        _, items = self.datamodel.query(
            self._filters, order_column, order_direction, page=0, page_size=limit
        )
        columns = self.export_columns or self.list_columns
        headers = [(c, str(self.label_columns.get(c, c))) for c in columns]
        data = export_xlsx(headers, self.export_rows(items, columns), sheet=self.noun)
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M")
        return send_file(
            io.BytesIO(data),
            mimetype=XLSX,
            as_attachment=True,
            download_name=f"{self.noun}_{stamp}.xlsx",
        )


# -- REST API (CONTRACT.md) -----------------------------------------------------------------------


def errors_from_messages(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages → [{"path": "/json/pointer", "message": "…"}]."""
    if isinstance(messages, str):
        return [{"path": prefix or "/", "message": messages}]
    if isinstance(messages, list):
        out: list[dict[str, str]] = []
        for message in messages:
            out += errors_from_messages(message, prefix)
        return out
    out = []
    for key, value in messages.items():
        out += errors_from_messages(value, f"{prefix}/{key}")
    return out


# Path and query parameters several operations share: their docstrings say
# `- pk` instead of repeating the YAML.
SHARED_PARAMETERS: dict[str, dict[str, Any]] = {
    "pk": {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}},
    "plugin_id": {
        "in": "path",
        "name": "plugin_id",
        "required": True,
        "schema": {
            "type": "string",
            "maxLength": 120,
            "pattern": "^[a-z0-9][a-z0-9_]*([.][a-z0-9][a-z0-9_]*)*$",
        },
    },
    "plugin_version": {
        "in": "query",
        "name": "version",
        "required": False,
        "schema": {"type": "string", "pattern": "^[0-9]+[.][0-9]+[.][0-9]+$"},
    },
}


class SharedParameters:
    """Adds SHARED_PARAMETERS to the OpenAPI document once, whichever API registers first."""

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)  # type: ignore[misc]
        for name, parameter in SHARED_PARAMETERS.items():
            if name not in api_spec.components.parameters:
                api_spec.components.parameter(name, parameter["in"], dict(parameter))


class ContractApi(SharedParameters, ModelRestApi):
    """Validation failures answer {"errors": [{"path", "message"}]} as CONTRACT.md says."""

    allow_browser_login = True
    page_size = 50
    max_page_size = 500

    # Read, then write and commit: one unit of work each, as WritesAsUnitsOfWork does for pages. A
    # write schema (TableWriteSchema) refuses a body with `Refused`: the one mapping answers.
    def post_headless(self) -> Any:
        try:
            with unit_of_work(self.datamodel.session):
                return super().post_headless()
        except Refused as refused:
            return refused_response(refused)

    def put_headless(self, pk: Any) -> Any:
        try:
            with unit_of_work(self.datamodel.session):
                return super().put_headless(pk)
        except Refused as refused:
            return refused_response(refused)

    def delete_headless(self, pk: Any) -> Any:
        with unit_of_work(self.datamodel.session):
            return super().delete_headless(pk)

    def _merge_update_item(self, model_item: Any, data: dict[str, Any]) -> dict[str, Any]:
        # Edit schemas load partially into the instance: nothing to merge (FAB's merge dumps every column).
        return data

    def _get_fields_info(
        self, cols: list[str], model_schema: Any, *args: Any, **kwargs: Any
    ) -> list[dict[str, Any]]:
        # `_info` describes the add/edit columns FAB derives from the model; a hand-written write
        # schema does not declare some of them (a relationship), which was a KeyError (500).
        cols = [col for col in cols if col in model_schema.fields]
        return super()._get_fields_info(cols, model_schema, *args, **kwargs)

    def response_422(self, message: Any = None) -> Any:
        errors = errors_from_messages(message or "无法处理该记录")
        return self.response(422, errors=errors, message=message)

    def response_400(self, message: Any = None) -> Any:
        errors = errors_from_messages(message or "请求参数不正确")
        return self.response(400, errors=errors, message=message)

    def response_500(self, message: Any = None) -> Any:
        # FAB's @safe turns every other exception of an endpoint into a 500 (logged) from inside
        # its except clause: a use case refused there is still the client's 422 (409).
        refused = sys.exc_info()[1]
        if isinstance(refused, Refused):
            return refused_response(refused)
        return super().response_500(message)


def schema_field(field: Field, write: bool = False) -> fields.Field:
    """The marshmallow field of a table field: what the OpenAPI spec shows and a dump writes."""
    about = f"{field.label}（{field.hint}）" if field.hint else field.label
    options: dict[str, Any] = {"metadata": {"description": about}}
    if write:
        options.update(required=field.required, allow_none=not field.required)
    if field.kind == "choice":
        options["validate"] = validate.OneOf(list(field.choices))  # the spec's enum
    if field.kind == "tags":
        return fields.List(fields.String(validate=validate.OneOf(list(field.choices))), **options)
    kinds: dict[str, type[fields.Field]] = {
        "integer": fields.Integer,
        "number": fields.Float,
        "date": fields.Date,
    }
    return kinds.get(field.kind, fields.String)(**options)


class TableWriteSchema(Schema):
    """A write body loaded through a field table's rules into a new or the given model instance.

    The declared marshmallow fields (`of`) describe the body in the OpenAPI spec and dump
    the answer; loading asks each field's `clean` (the form's and the importer's rule), then
    `check` for what needs the database, and refuses once with every reason (`Refused`, answered
    422 by web/errors.py). A partial schema (PUT) checks only the fields sent.
    """

    model: ClassVar[type]
    table: ClassVar[tuple[Field, ...]]

    @classmethod
    def of(cls, model: type, table: tuple[Field, ...]) -> type[TableWriteSchema]:
        """The base of a write schema for `model`, its fields declared from the table:
        `class EnterpriseWriteSchema(TableWriteSchema.of(Enterprise, ENTERPRISE_FIELDS))`."""
        declared = {f.name: schema_field(f, write=True) for f in table}
        return type(f"{model.__name__}Fields", (cls,), {"model": model, "table": table, **declared})

    def check(self, values: dict[str, Any], instance: Any) -> list[FieldError]:
        """The database's word on the cleaned values (a USCC taken, a region elsewhere)."""
        return []

    def load(  # type: ignore[override]
        self, data: Any, *, instance: Any = None, partial: Any = None, **kwargs: Any
    ) -> Any:
        partial = self.partial if partial is None else partial
        if not isinstance(data, dict):
            raise Refused("请求体应为 JSON 对象")
        names = {f.name for f in self.table}
        errors = [FieldError(f"/{key}", "不能写入该字段") for key in data if key not in names]
        values, invalid = clean_record(self.table, data, partial=bool(partial))
        refuse_if([*errors, *invalid, *self.check(values, instance)])
        record = instance if instance is not None else self.model()
        for f in self.table:
            if f.name in values:
                setattr(record, f.name, f.default if values[f.name] is None else values[f.name])
        return record


def read_schema(columns: dict[str, fields.Field]) -> Schema:
    """An explicit output schema: FAB's generated ones drop foreign-key columns clients rely on."""
    return Schema.from_dict(columns)()
