"""The base-data forms from the field tables (domain/fields.py), and the scoped pickers.

A table field becomes a WTForms field whose only validator is the field's own rule
(`Field.clean`): the page says exactly what the API and the importer say, and the form's data is
the value to store. Numbers and dates are text inputs for the same reason: WTForms' own parsing
would answer in its own words before the rule is asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import (
    BS3TextAreaFieldWidget,
    BS3TextFieldWidget,
    DatePickerWidget,
    Select2ManyWidget,
    Select2Widget,
)
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from wtforms import Field as FormField
from wtforms import Form, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, StopValidation

from enforcement.db.acting import current_actor
from enforcement.domain.errors import FieldError
from enforcement.domain.fields import Field
from enforcement.models import Department, Region
from enforcement.web.base import app_session as _session


class Rule:
    """The WTForms validator of a table field: its `clean`, whose value replaces the typed text."""

    def __init__(self, field: Field) -> None:
        self.field = field
        # WTForms reads the flags off the validators: the page marks a required field with *.
        self.field_flags = {"required": True} if field.required else {}

    def __call__(self, form: Form, form_field: FormField) -> None:
        try:
            value = self.field.clean(form_field.data)
        except FieldError as exc:
            raise StopValidation(exc.message) from None
        form_field.data = self.field.default if value is None else value


def form_field(field: Field, label: str | None = None) -> FormField:
    """The form input of a table field, validated by the field's rule."""
    options: dict[str, Any] = {
        "label": label or field.label,
        "description": field.hint,
        "validators": [Rule(field)],
    }
    if field.kind == "choice":
        # A field with a default shows it chosen; a required one starts blank, never silently
        # filled with the first option.
        blank = (
            [] if field.default is not None else [("", "请选择" if field.required else "（未填）")]
        )
        return SelectField(
            choices=blank + list(field.choices.items()),
            default=field.default,
            widget=Select2Widget(),
            validate_choice=False,  # the rule judges, in the table's words
            **options,
        )
    if field.kind == "tags":
        return SelectMultipleField(
            choices=list(field.choices.items()),
            widget=Select2ManyWidget(),
            validate_choice=False,
            **options,
        )
    if field.multiline:
        return TextAreaField(widget=BS3TextAreaFieldWidget(), **options)
    widget = DatePickerWidget() if field.kind == "date" else BS3TextFieldWidget()
    return StringField(widget=widget, **options)


def form_fields(table: Iterable[Field], *names: str) -> dict[str, FormField]:
    """`add_form_extra_fields` for the named table fields (all of them when none are named)."""
    return {f.name: form_field(f) for f in table if not names or f.name in names}


def labels(table: Iterable[Field]) -> dict[str, str]:
    """`label_columns` of a table: each field, and the `*_label` property of a coded one."""
    out: dict[str, str] = {}
    for f in table:
        out[f.name] = f.label
        if f.kind in ("choice", "tags"):
            out[f"{f.name}_label"] = f.label
    return out


# -- pickers: choices from the code tables, records from the caller's jurisdiction -----------------


def choice_field(label: str, table: dict[str, str], required: bool = True) -> SelectField:
    """A select of a code table that is not a base-data field (a department's level)."""
    choices = [("", "请选择" if required else "（未填）")] + list(table.items())
    return SelectField(
        label,
        choices=choices,
        widget=Select2Widget(),
        validators=[DataRequired(message="此项必填")] if required else [Optional()],
    )


def _regions_in_jurisdiction() -> list[Region]:
    jurisdiction = current_actor().jurisdiction
    # Counties, plus the cities that have none (东莞, 中山, 儋州).
    child = aliased(Region)
    has_children = select(child.code).where(child.parent_code == Region.code).exists()
    query = (
        select(Region)
        .where(or_(Region.level == "county", and_(Region.level == "city", ~has_children)))
        .order_by(Region.code)
    )
    if not jurisdiction.is_national:
        low, high = jurisdiction.code_range  # type: ignore[misc]
        query = query.where(Region.code.between(low, high))
    return list(_session().scalars(query))


def _departments_in_jurisdiction() -> list[Department]:
    jurisdiction = current_actor().jurisdiction
    query = select(Department).order_by(Department.region_code.nulls_first(), Department.name)
    if not jurisdiction.is_national:
        low, high = jurisdiction.code_range  # type: ignore[misc]
        query = query.where(Department.region_code.between(low, high))
    return list(_session().scalars(query))


def region_field() -> QuerySelectField:
    return QuerySelectField(
        "行政区划（区县）",
        query_func=_regions_in_jurisdiction,
        get_pk_func=lambda region: region.code,
        widget=Select2Widget(),
        validators=[DataRequired(message="请选择企业所在区县")],
    )


def department_field(label: str = "所属执法部门") -> QuerySelectField:
    return QuerySelectField(
        label,
        query_func=_departments_in_jurisdiction,
        get_pk_func=lambda department: department.id,
        widget=Select2Widget(),
        validators=[DataRequired(message="请选择执法部门")],
    )
