"""List pages' relation filters find their choices on the server, inside the caller's jurisdiction."""

from __future__ import annotations

import pytest

from support.demo import DONGHU, JINJIANG, db, enterprise_in
from support.web import search_fields

pytestmark = pytest.mark.shares_demo_db


@pytest.fixture
def enterprises(app) -> dict[str, dict[str, object]]:
    with db(app) as session:
        return {
            region: {"id": e.id, "name": e.name, "uscc": e.uscc}
            for region in (DONGHU, JINJIANG)
            for e in [enterprise_in(session, region)]
        }


def test_a_list_page_carries_no_related_records_as_options(as_user, enterprises):
    page = as_user("admin").get("/inspection/list/").get_data(as_text=True)
    field = search_fields(page)["enterprise"]
    assert "remote-select" in field and "/lookup/enterprise" in field
    assert "<option" not in field
    assert enterprises[DONGHU]["name"] not in field


def test_a_filtered_list_shows_the_record_it_is_filtered_by(as_user, enterprises):
    own = enterprises[DONGHU]
    client = as_user("donghu")
    page = client.get(f"/inspection/list/?_flt_0_enterprise={own['id']}").get_data(as_text=True)
    field = search_fields(page)["enterprise"]
    assert f'<option value="{own["id"]}" selected>{own["name"]}</option>' in field
    # another county's record in the URL is not named (nor found)
    foreign = enterprises[JINJIANG]
    page = client.get(f"/inspection/list/?_flt_0_enterprise={foreign['id']}").get_data(as_text=True)
    assert foreign["name"] not in search_fields(page)["enterprise"]


def test_the_lookup_finds_only_the_callers_jurisdiction(as_user, enterprises):
    foreign = enterprises[JINJIANG]
    found = as_user("donghu").get("/lookup/enterprise", query_string={"q": foreign["name"]})
    assert found.status_code == 200 and found.json["results"] == []
    own = enterprises[DONGHU]
    found = as_user("donghu").get("/lookup/enterprise", query_string={"q": own["uscc"]})
    assert found.json["results"] == [{"id": own["id"], "text": own["name"]}]
    # the ministry finds the other county's enterprise by its name
    found = as_user("admin").get("/lookup/enterprise", query_string={"q": foreign["name"]})
    assert {"id": foreign["id"], "text": foreign["name"]} in found.json["results"]


def test_the_lookup_answers_twenty_at_a_time(as_user):
    client = as_user("admin")
    first = client.get("/lookup/enterprise").json
    second = client.get("/lookup/enterprise", query_string={"page": "2"}).json
    assert len(first["results"]) == 20 and first["pagination"]["more"] is True
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_the_lookup_reads_typed_wildcards_as_text(as_user):
    assert as_user("donghu").get("/lookup/enterprise", query_string={"q": "%"}).json == {
        "results": [],
        "pagination": {"more": False},
    }


def test_the_lookup_refuses_strangers_and_unknown_kinds_in_chinese(app, as_user):
    anonymous = app.test_client().get("/lookup/enterprise")
    assert anonymous.status_code == 401 and anonymous.json["message"] == "请先登录"
    unknown = as_user("donghu").get("/lookup/user")
    assert unknown.status_code == 404 and unknown.json["message"] == "没有这种查找"
