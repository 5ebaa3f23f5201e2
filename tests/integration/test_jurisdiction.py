"""A county user sees and edits only their county, through every page, API and export (404 outside)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from conftest import api_token
from integration.helpers import enterprise_in

DONGHU = "360102"  # 南昌市东湖区: the demo user `donghu`
JINJIANG = "510104"  # 成都市锦江区: the demo user `jinjiang`


@pytest.fixture
def foreign(app):
    """An enterprise of 锦江区, invisible to 东湖区."""
    with app.app_context():
        enterprise = enterprise_in(app.appbuilder.session, JINJIANG)
        return {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc}


@pytest.fixture
def own(app):
    with app.app_context():
        enterprise = enterprise_in(app.appbuilder.session, DONGHU)
        return {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc}


def test_county_list_page_shows_only_its_county(as_user, own, foreign):
    client = as_user("donghu")
    page = client.get("/enterprise/list/?psize_EnterpriseView=500").get_data(as_text=True)
    assert own["name"] in page
    assert foreign["name"] not in page


def test_record_of_another_county_answers_404_on_every_page(as_user, foreign):
    client = as_user("donghu")
    for url in (f"/enterprise/show/{foreign['id']}", f"/enterprise/edit/{foreign['id']}"):
        assert client.get(url).status_code == 404, url


def test_leader_cannot_delete_another_citys_enterprise(as_user, foreign):
    client = as_user("nanchang")  # leaders may delete, but only inside their jurisdiction
    assert client.post(f"/enterprise/delete/{foreign['id']}").status_code == 404


def test_search_does_not_find_another_countys_enterprise(as_user, foreign):
    client = as_user("donghu")
    page = client.get(f"/enterprise/list/?_flt_0_uscc={foreign['uscc']}").get_data(as_text=True)
    assert foreign["name"] not in page


def test_export_contains_only_the_county(as_user, own, foreign):
    client = as_user("donghu")
    response = client.get("/enterprise/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert own["name"] in names
    assert foreign["name"] not in names
    uscc_regions = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert uscc_regions == {DONGHU}


def test_api_hides_other_county_records(client, own, foreign):
    headers = api_token(client, "donghu")
    assert client.get(f"/api/v1/enterprise/{foreign['id']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/enterprise/{own['id']}", headers=headers).status_code == 200
    assert (
        client.put(
            f"/api/v1/enterprise/{foreign['id']}", json={"name": "改名"}, headers=headers
        ).status_code
        == 404
    )
    leader = api_token(client, "nanchang")
    assert client.delete(f"/api/v1/enterprise/{foreign['id']}", headers=leader).status_code == 404
    listing = client.get("/api/v1/enterprise/?q=(page_size:500)", headers=headers).json
    assert {row["region_code"] for row in listing["result"]} == {DONGHU}


def test_api_refuses_creating_an_enterprise_in_another_county(client):
    from integration.helpers import new_uscc

    headers = api_token(client, "donghu")
    response = client.post(
        "/api/v1/enterprise/",
        json={
            "name": "越界企业有限公司",
            "uscc": new_uscc(JINJIANG),
            "region_code": JINJIANG,
            "sector": "machinery",
            "address": "锦江区某路",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "/region_code"
    assert "管辖范围" in response.json["errors"][0]["message"]


def test_equipment_of_another_county_is_invisible(as_user, app, foreign):
    from sqlalchemy import select

    from enforcement.models import Equipment
    from enforcement.models.scoping import UNSCOPED

    with app.app_context():
        equipment_id = app.appbuilder.session.scalar(
            select(Equipment.id)
            .where(Equipment.enterprise_id == foreign["id"])
            .execution_options(**{UNSCOPED: True})
        )
    if equipment_id is None:
        pytest.skip("demo enterprise without equipment")
    client = as_user("donghu")
    assert client.get(f"/equipment/show/{equipment_id}").status_code == 404
    headers = api_token(client, "donghu")
    assert client.get(f"/api/v1/equipment/{equipment_id}", headers=headers).status_code == 404


def test_enforcers_of_another_county_are_invisible(as_user, app):
    from sqlalchemy import select

    from enforcement.models import Department, Enforcer
    from enforcement.models.scoping import UNSCOPED

    with app.app_context():
        foreign_enforcer = app.appbuilder.session.scalars(
            select(Enforcer)
            .join(Department)
            .where(Department.region_code == JINJIANG)
            .execution_options(**{UNSCOPED: True})
        ).first()
        foreign_id, foreign_cert = foreign_enforcer.id, foreign_enforcer.certificate_no
    client = as_user("donghu")
    assert client.get(f"/enforcer/show/{foreign_id}").status_code == 404
    assert foreign_cert not in client.get("/enforcer/list/").get_data(as_text=True)


def test_city_leader_sees_all_counties_of_the_city_but_not_other_cities(as_user, own, foreign):
    client = as_user("nanchang")
    assert client.get(f"/enterprise/show/{own['id']}").status_code == 200
    assert client.get(f"/enterprise/show/{foreign['id']}").status_code == 404


def test_admin_sees_every_region(as_user, own, foreign):
    client = as_user("admin")
    assert client.get(f"/enterprise/show/{own['id']}").status_code == 200
    assert client.get(f"/enterprise/show/{foreign['id']}").status_code == 200


def test_get_of_an_already_loaded_foreign_record_still_answers_nothing(app):
    """`Session.get` may answer from the identity map without SQL: the web session re-checks."""
    from sqlalchemy import select

    from enforcement.db.acting import Actor, acting_as
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.models import Enterprise
    from enforcement.models.scoping import UNSCOPED

    with app.app_context():
        session = app.appbuilder.session
        everything = list(  # held: the identity map keeps only referenced objects
            session.scalars(
                select(Enterprise)
                .where(Enterprise.deleted_at.is_(None))
                .execution_options(**{UNSCOPED: True})
            )
        )
        loaded = {e.region_code == "360102": e.id for e in everything}
        with acting_as(Actor("donghu", Jurisdiction("360102"))):
            assert session.get(Enterprise, loaded[False]) is None
            assert session.get(Enterprise, loaded[True]) is not None
