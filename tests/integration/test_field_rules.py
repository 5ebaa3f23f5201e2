"""Each base-data field has one rule, and every entry point applies it in the same words.

The page (FAB form), the REST API and the spreadsheet import take the same record; what one refuses
the others refuse with the same Chinese message, at the same field. A `Refused` answers 422 with
its errors on /api/ and shows at its field on a page, with what was typed kept.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
import xlsxwriter
from flask import Flask

from enforcement.domain.errors import Conflict, FieldError, Refused
from enforcement.domain.fields import ENTERPRISE_FIELDS, fields_by_name
from enforcement.services import base_data
from support.factories import enterprise as add_enterprise
from support.factories import new_uscc
from support.web import api_token, login

DONGHU = "360102"  # the demo inspector `donghu`; the leader `nanchang` imports (南昌市)
JINJIANG = "510104"
LABELS = {f.name: f.label for f in ENTERPRISE_FIELDS}


def record(**changes: Any) -> dict[str, Any]:
    """An enterprise as the API takes it; the page and the sheet get the same values."""
    data = {
        "name": "规则测试机械有限公司",
        "uscc": new_uscc(DONGHU),
        "region_code": DONGHU,
        "sector": "machinery",
        "address": "东湖区规则路1号",
    }
    return {**data, **changes}


def _client(app: Flask, username: str) -> Any:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def field_errors(page: str, name: str) -> list[str]:
    """The messages FAB shows under the input `name` (its alert, before the next label)."""
    match = re.search(rf'id="{name}"(.*?)(?:<label |</form>)', page, re.S)
    assert match, f"no input {name} on the page"
    alert = re.search(r'<div class="alert alert-danger">(.*?)</div>', match.group(1), re.S)
    return [html.unescape(alert.group(1)).strip()] if alert else []


def typed_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*id="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no value of {name} on the page"
    return html.unescape(match.group(1))


def via_form(app: Flask, data: dict[str, Any]) -> str:
    """POST the record to the add page as `donghu`; the page comes back (nothing saved)."""
    form = {**data, "region": data["region_code"], "status": "operating"}
    del form["region_code"]
    response = _client(app, "donghu").post("/enterprise/add", data=form)
    assert response.status_code == 200, "the form should have come back with an error"
    return response.get_data(as_text=True)


def via_api(app: Flask, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    client = app.test_client()
    response = client.post("/api/v1/enterprise/", json=data, headers=api_token(client, "donghu"))
    return response.status_code, response.json


def via_import(app: Flask, data: dict[str, Any]) -> list[str]:
    """The record as a one-row sheet, uploaded on the import page as the leader `nanchang`."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for column, (name, value) in enumerate(data.items()):
        sheet.write_string(0, column, LABELS[name])
        sheet.write_string(1, column, str(value))
    workbook.close()
    upload = {"kind": "enterprises", "file": (io.BytesIO(output.getvalue()), "企业.xlsx")}
    response = _client(app, "nanchang").post(
        "/import/", data=upload, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    return [
        html.unescape(line)
        for line in re.findall(r'data-line="([^"]*)"', response.get_data(as_text=True))
    ]


def test_the_same_bad_phone_is_refused_by_form_api_and_import_in_the_same_words(app):
    data = record(principal_phone="电话abc")
    message = "主要负责人电话格式不正确：“电话abc”"
    assert field_errors(via_form(app, data), "principal_phone") == [message]
    status, body = via_api(app, data)
    assert status == 422
    assert body["errors"] == [{"path": "/principal_phone", "message": message}]
    assert via_import(app, data) == [f"row 2: 主要负责人电话: {message}"]


def test_a_good_phone_passes_everywhere(app):
    """The positive control: the same record with a plausible phone is saved by each."""
    status, body = via_api(app, record(principal_phone="0791-88888888"))
    assert status == 201, body
    lines = via_import(app, record(principal_phone="13800000000"))
    assert lines == []


def test_a_one_character_name_is_refused_everywhere(app):
    data = record(name="厂")
    message = "企业名称至少2个字符"
    assert field_errors(via_form(app, data), "name") == [message]
    status, body = via_api(app, data)
    assert (status, body["errors"]) == (422, [{"path": "/name", "message": message}])
    assert via_import(app, data) == [f"row 2: 企业名称: {message}"]


def test_a_duplicate_uscc_is_refused_everywhere_by_the_one_query(app, monkeypatch):
    with app.app_context():
        taken = add_enterprise(app.appbuilder.session, JINJIANG).uscc
    asked: list[str] = []
    query = base_data.registered_enterprise

    def counted(session: Any, uscc: str) -> Any:
        asked.append(uscc)
        return query(session, uscc)

    monkeypatch.setattr(base_data, "registered_enterprise", counted)
    data = record(uscc=taken, name="冒用代码测试有限公司")
    message = base_data.USCC_ELSEWHERE
    page = via_form(app, data)
    assert field_errors(page, "uscc") == [message]
    assert typed_value(page, "name") == "冒用代码测试有限公司"  # what was typed stays
    status, body = via_api(app, data)
    assert (status, body["errors"]) == (422, [{"path": "/uscc", "message": message}])
    assert via_import(app, data) == [f"row 2: 统一社会信用代码: {message}"]
    assert asked == [taken, taken, taken]


def test_a_uscc_already_registered_in_ones_own_county_is_refused_by_form_and_api(app):
    with app.app_context():
        taken = add_enterprise(app.appbuilder.session, DONGHU).uscc
    data = record(uscc=taken)
    assert field_errors(via_form(app, data), "uscc") == [base_data.USCC_TAKEN]
    status, body = via_api(app, data)
    assert (status, body["errors"]) == (422, [{"path": "/uscc", "message": base_data.USCC_TAKEN}])


def test_the_api_reports_every_wrong_field_at_once_in_the_tables_words(app):
    status, body = via_api(app, record(name="厂", employees="很多", address="", extra=1))
    assert status == 422
    assert {e["path"] for e in body["errors"]} == {"/name", "/employees", "/address", "/extra"}
    assert {"path": "/address", "message": "请填写地址"} in body["errors"]
    assert isinstance(body["message"], str) and "企业名称至少2个字符" in body["message"]


def test_a_partial_update_checks_only_what_it_sends(app):
    client = app.test_client()
    headers = api_token(client, "donghu")
    created = client.post("/api/v1/enterprise/", json=record(), headers=headers)
    assert created.status_code == 201, created.json
    pk = created.json["id"]
    bad = client.put(f"/api/v1/enterprise/{pk}", json={"contact_phone": "?"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json["errors"] == [{"path": "/contact_phone", "message": "联系电话格式不正确：“?”"}]
    good = client.put(f"/api/v1/enterprise/{pk}", json={"employees": "12"}, headers=headers)
    assert good.status_code == 200, good.json
    assert good.json["result"]["employees"] == 12


def test_a_region_outside_the_jurisdiction_is_refused_in_the_importers_words(app):
    status, body = via_api(app, record(region_code=JINJIANG, uscc=new_uscc(JINJIANG)))
    assert status == 422
    assert body["errors"] == [
        {"path": "/region_code", "message": "“510104”（四川省成都市锦江区）不在您的管辖范围内"}
    ]


@pytest.mark.parametrize(
    ("refused", "status"),
    [
        (Refused([FieldError("/uscc", "该统一社会信用代码已登记，请勿重复录入")]), 422),
        (Conflict("该记录已被他人修改，请刷新后重试"), 409),
    ],
)
def test_a_refused_use_case_answers_on_api_paths_with_its_errors(app, refused, status):
    with app.test_request_context("/api/v1/anything"):
        response = app.make_response(app.handle_user_exception(refused))
    assert response.status_code == status
    assert response.json == refused.as_json()
    assert response.json["errors"][0]["path"] == (refused.errors[0].path or "/")


def test_a_refused_use_case_a_page_did_not_catch_is_a_chinese_page_not_a_500(app):
    with app.test_request_context("/enterprise/list/"):
        response = app.make_response(app.handle_user_exception(Refused("请先选择执法对象")))
    assert response.status_code == 422
    assert "请先选择执法对象" in response.get_data(as_text=True)


def test_the_form_shows_each_fields_hint_and_marks_the_required_ones(app):
    page = _client(app, "donghu").get("/enterprise/add").get_data(as_text=True)
    enterprise = fields_by_name(ENTERPRISE_FIELDS)
    assert enterprise["name"].hint in page
    assert enterprise["uscc"].hint in page
    label = re.search(r'<label for="address"[^>]*>(.*?)</label>', page, re.S)
    assert label and "地址" in label.group(1) and "&#42;" in label.group(1)
    optional = re.search(r'<label for="contact_name"[^>]*>(.*?)</label>', page, re.S)
    assert optional and "&#42;" not in optional.group(1)


def test_editing_an_enterprise_keeps_its_own_uscc(app):
    """The duplicate check leaves out the record being edited (FAB's edit route /edit/<pk>)."""
    client = app.test_client()
    data = record(name="编辑自身代码测试有限公司")
    created = client.post("/api/v1/enterprise/", json=data, headers=api_token(client, "donghu"))
    assert created.status_code == 201, created.json
    form = {**data, "region": DONGHU, "status": "operating", "name": "编辑后名称测试有限公司"}
    del form["region_code"]
    pages = _client(app, "donghu")
    response = pages.post(f"/enterprise/edit/{created.json['id']}", data=form)
    assert response.status_code == 302, field_errors(response.get_data(as_text=True), "uscc")
    shown = pages.get(f"/enterprise/show/{created.json['id']}").get_data(as_text=True)
    assert "编辑后名称测试有限公司" in shown
