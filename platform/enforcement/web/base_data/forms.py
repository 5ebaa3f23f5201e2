"""Form fields and validators of the base-data pages: choices from the code tables, scoped pickers."""

from __future__ import annotations

from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2ManyWidget, Select2Widget
from flask_appbuilder.models.sqla.base import SQLA  # noqa: F401 - documents where sessions come from
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased
from wtforms import Field, Form, SelectField, SelectMultipleField, ValidationError
from wtforms.validators import Regexp

from enforcement.domain import codes
from enforcement.domain.uscc import USCCError, normalize_uscc
from enforcement.models import Department, Enterprise, Region
from enforcement.models.scoping import UNSCOPED, current_actor
from enforcement.web.base import app_session as _session

PHONE = Regexp(r"^[0-9+\-() ]{5,32}$", message="电话号码格式不正确")


def choice_field(label: str, table: dict[str, str], required: bool = True) -> SelectField:
    from wtforms.validators import DataRequired, Optional

    # A blank first choice: a required field is never silently filled with the first option.
    choices = [("", "请选择" if required else "（未填）")] + list(table.items())
    return SelectField(
        label,
        choices=choices,
        widget=Select2Widget(),
        validators=[DataRequired(message="此项必填")] if required else [Optional()],
    )


def tags_field() -> SelectMultipleField:
    return SelectMultipleField(
        "专项标签", choices=list(codes.TAGS.items()), widget=Select2ManyWidget()
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
    from wtforms.validators import DataRequired

    return QuerySelectField(
        "行政区划（区县）",
        query_func=_regions_in_jurisdiction,
        get_pk_func=lambda region: region.code,
        widget=Select2Widget(),
        validators=[DataRequired(message="请选择企业所在区县")],
    )


def department_field(label: str = "所属执法部门") -> QuerySelectField:
    from wtforms.validators import DataRequired

    return QuerySelectField(
        label,
        query_func=_departments_in_jurisdiction,
        get_pk_func=lambda department: department.id,
        widget=Select2Widget(),
        validators=[DataRequired(message="请选择执法部门")],
    )


class ValidUSCC:
    """A wrong check digit gets a message at the field; a USCC already registered is refused."""

    def __call__(self, form: Form, field: Field) -> None:
        try:
            field.data = normalize_uscc(field.data or "")
        except USCCError as exc:
            raise ValidationError(str(exc)) from None
        query = (
            select(Enterprise.id)
            .where(Enterprise.uscc == field.data)
            .execution_options(**{UNSCOPED: True})
        )
        existing = _session().scalar(query)
        from flask import request

        editing = (request.view_args or {}).get("pk")  # FAB's edit route is /edit/<pk>
        if existing is not None and str(existing) != str(editing):
            raise ValidationError("该统一社会信用代码已登记，请勿重复录入")
