"""Forms refuse bad input at the field, in Chinese, and keep what the user typed."""

from __future__ import annotations

from support.factories import new_uscc
from support.web import search


def _form(**overrides):
    data = {
        "name": "表单测试机械有限公司",
        "uscc": new_uscc("360102"),
        "region": "360102",
        "address": "东湖区表单路8号",
        "sector": "machinery",
        "status": "operating",
        "scale": "",
        "tags": ["dust"],
    }
    data.update(overrides)
    return data


def test_wrong_uscc_check_digit_is_refused_at_the_field(as_user):
    client = as_user("donghu")
    good = new_uscc("360102")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post("/enterprise/add", data=_form(uscc=bad, name="校验位错误测试有限公司"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "校验位错误" in page
    assert "校验位错误测试有限公司" in page  # what the user typed is still there


def test_required_sector_is_not_silently_defaulted(as_user):
    client = as_user("donghu")
    response = client.post("/enterprise/add", data=_form(sector="", name="未选行业测试有限公司"))
    assert "请填写行业类别" in response.get_data(as_text=True)  # the table's words, as everywhere


def test_enterprise_added_in_own_county_is_listed(as_user):
    client = as_user("donghu")
    response = client.post("/enterprise/add", data=_form(name="表单新增测试有限公司"))
    assert response.status_code == 302
    rows = search(client, "/enterprise/list/", "name", "包含", "表单新增")
    assert any("表单新增测试有限公司" in row for row in rows), rows


def test_region_outside_jurisdiction_is_not_offered(as_user):
    client = as_user("donghu")
    page = client.get("/enterprise/add").get_data(as_text=True)
    assert "江西省南昌市东湖区" in page
    assert "四川省成都市锦江区" not in page
    response = client.post(
        "/enterprise/add", data=_form(region="510104", name="越权区划测试有限公司")
    )
    assert response.status_code == 200  # the form comes back with an error, nothing saved
    assert "越权区划测试有限公司" not in search_names(client, "越权区划")
    # The same form in the user's own county is saved and found by the same search.
    response = client.post("/enterprise/add", data=_form(name="越权区划对照测试有限公司"))
    assert response.status_code == 302
    assert "越权区划对照测试有限公司" in search_names(client, "越权区划")


def search_names(client, term: str) -> str:
    return "\n".join(search(client, "/enterprise/list/", "name", "包含", term))
