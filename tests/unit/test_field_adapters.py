"""The field tables as the form, the API schema and the importer see them: one rule, one message."""

from __future__ import annotations

import pytest
from flask import Flask, get_flashed_messages
from werkzeug.datastructures import MultiDict
from wtforms import Form

from enforcement.domain.errors import FieldError, Refused
from enforcement.domain.fields import ENFORCER_FIELDS, ENTERPRISE_FIELDS, fields_by_name
from enforcement.models import Enterprise
from enforcement.services.importing.columns import COLUMNS, header_key, match_headers
from enforcement.web.base import TableWriteSchema, show_refused
from enforcement.web.base_data.forms import form_fields
from enforcement.web.base_data.schemas import EnterpriseWriteSchema

ENTERPRISE = fields_by_name(ENTERPRISE_FIELDS)


def enterprise_form(**typed: str | list[str]) -> Form:
    form_class = type("EnterpriseForm", (Form,), form_fields(ENTERPRISE_FIELDS))
    return form_class(MultiDict(typed))


def refusal(field: str, value: object) -> str:
    with pytest.raises(FieldError) as refused:
        ENTERPRISE[field].clean(value)
    return refused.value.message


def test_the_form_says_what_the_field_says():
    form = enterprise_form(name="厂", uscc="x", principal_phone="电话abc", employees="很多")
    assert not form.validate()
    for name, typed in [("name", "厂"), ("uscc", "x"), ("principal_phone", "电话abc")]:
        assert form[name].errors == [refusal(name, typed)]
    assert form["employees"].errors == [refusal("employees", "很多")]
    assert form["address"].errors == ["请填写地址"]


def test_the_form_stores_what_the_field_cleans():
    form = enterprise_form(
        name=" 东湖机械有限公司 ",
        uscc="",
        sector="机械",
        tags=["dust", "steel"],
        employees="12",
        address="东湖路1号",
    )
    form.validate()
    assert form["name"].data == "东湖机械有限公司"
    assert (form["sector"].data, form["employees"].data) == ("machinery", 12)
    assert form["tags"].data == ["steel", "dust"]
    assert form["status"].data == "operating"  # the default, where the API and import leave it
    assert form["scale"].data is None


def test_the_api_schema_takes_the_tables_fields_and_says_what_they_say():
    assert set(EnterpriseWriteSchema().fields) == set(ENTERPRISE)
    plain = TableWriteSchema.of(Enterprise, ENTERPRISE_FIELDS)  # no database check
    with pytest.raises(Refused) as refused:
        plain().load({"name": "厂", "principal_phone": "电话abc", "id": 3})
    errors = {e.path: e.message for e in refused.value.errors}
    assert errors["/name"] == refusal("name", "厂")
    assert errors["/principal_phone"] == refusal("principal_phone", "电话abc")
    assert errors["/id"] == "不能写入该字段"
    assert errors["/uscc"] == "请填写统一社会信用代码"
    loaded = plain(partial=True).load({"employees": "7", "sector": "机械"})
    assert (loaded.employees, loaded.sector) == (7, "machinery")


def test_each_import_column_reads_with_its_fields_rule():
    enforcer = fields_by_name(ENFORCER_FIELDS)
    for column in COLUMNS["enterprises"]:
        assert column.rule == ENTERPRISE[column.field]
    phone = next(c for c in COLUMNS["enforcers"] if c.field == "phone")
    assert phone.rule == enforcer["phone"]
    with pytest.raises(FieldError) as refused:
        phone.parse("电话abc")
    assert refused.value.message == "联系电话格式不正确：“电话abc”"


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        ("enterprises", "注册地址/经营地址", "address"),  # the importer's header before the table
        ("enterprises", "经营地址", "address"),
        ("enterprises", "地址*", "address"),  # the label the pages show
        ("enforcers", "培训学时", "training_hours"),
        ("enforcers", "学时", "training_hours"),
    ],
)
def test_the_importers_old_headers_are_still_accepted(kind, header, field):
    headers = [c.header for c in COLUMNS[kind] if c.field != field]
    positions, problems = match_headers(kind, [*headers, header])
    assert problems == []
    assert positions[len(headers)].field == field
    assert header_key("地址 *") == "地址"


def test_a_refusal_is_shown_at_its_inputs_and_the_rest_above_the_form():
    app = Flask(__name__)
    app.secret_key = "test"
    form = enterprise_form(name="东湖机械有限公司")
    refused = Refused(
        [
            FieldError("/uscc", "该统一社会信用代码已登记，请勿重复录入"),
            FieldError("/region_code", "不在您的管辖范围内"),
            FieldError("", "请稍后再试"),
        ]
    )
    with app.test_request_context("/enterprise/add"):
        show_refused(form, refused, {"region_code": "address"})
        flashed = get_flashed_messages(with_categories=True)
    assert form["uscc"].errors == ["该统一社会信用代码已登记，请勿重复录入"]
    assert form["address"].errors == ["不在您的管辖范围内"]
    assert flashed == [("danger", "请稍后再试")]
    assert form["name"].data == "东湖机械有限公司"


def test_the_services_refusals_are_the_one_error_type_raised_as_before():
    from enforcement.documents import DocumentError
    from enforcement.services.cases import CaseError, StaleCase
    from enforcement.services.importing import CellError
    from enforcement.services.workbench import ConflictError, WorkbenchError

    step = WorkbenchError(["计划未审批", "请先分解任务"])
    assert (step.status, step.reasons, str(step)) == (
        422,
        ["计划未审批", "请先分解任务"],
        "计划未审批；请先分解任务",
    )
    assert step.as_json()["errors"] == [
        {"path": "/", "message": "计划未审批"},
        {"path": "/", "message": "请先分解任务"},
    ]
    assert ConflictError("已被他人保存").status == 409
    case = CaseError("请填写案情摘要", "facts")
    assert (case.message, case.field, case.errors) == (
        "请填写案情摘要",
        "facts",
        [FieldError("/facts", "请填写案情摘要")],
    )
    assert StaleCase("案件已被他人修改", "version").status == 409
    assert DocumentError("只有草稿可以定稿").by_field() == {"": ["只有草稿可以定稿"]}
    assert isinstance(CellError("无法识别"), Refused)
