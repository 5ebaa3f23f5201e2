"""A county user sees and edits only their county, through every page, API and export (404 outside)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import Equipment
from support import factories
from support.demo import DONGHU, JINJIANG, db, enforcers_in, enterprise_in
from support.web import api_token, search


@pytest.fixture
def foreign(app):
    """An enterprise of 锦江区, invisible to 东湖区."""
    with db(app) as session:
        enterprise = enterprise_in(session, JINJIANG)
        return {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc}


@pytest.fixture
def own(app):
    with db(app) as session:
        enterprise = enterprise_in(session, DONGHU)
        return {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc}


def test_county_list_page_shows_only_its_county(as_user, own, foreign):
    client = as_user("donghu")
    page = client.get("/enterprise/list/?psize_EnterpriseView=500").get_data(as_text=True)
    assert own["name"] in page
    assert foreign["name"] not in page


def test_record_of_another_county_answers_404_on_every_page(as_user, own, foreign):
    client = as_user("donghu")
    for page in ("show", "edit"):
        assert client.get(f"/enterprise/{page}/{foreign['id']}").status_code == 404, page
        assert client.get(f"/enterprise/{page}/{own['id']}").status_code == 200, page


def test_leader_cannot_delete_another_citys_enterprise(app, as_user, foreign):
    with db(app) as session, factories.as_system():
        own_city = factories.enterprise(session, DONGHU).id
    client = as_user("nanchang")  # leaders may delete, but only inside their jurisdiction
    assert client.post(f"/enterprise/delete/{foreign['id']}").status_code == 404
    assert client.get(f"/enterprise/show/{foreign['id']}").status_code == 404
    assert client.post(f"/enterprise/delete/{own_city}").status_code == 302
    assert client.get(f"/enterprise/show/{own_city}").status_code == 404  # deleted: gone


def test_search_does_not_find_another_countys_enterprise(as_user, own, foreign):
    client = as_user("donghu")

    def found(uscc: str) -> list[str]:
        return search(client, "/enterprise/list/", "uscc", "等于", uscc)

    assert found(foreign["uscc"]) == []
    assert [own["name"] in row for row in found(own["uscc"])] == [True]  # the county's is found


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
    from support.factories import new_uscc

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


def first_equipment_in(session, region_code: str) -> int:
    from enforcement.models import Enterprise

    found = session.scalar(
        select(Equipment.id)
        .join(Enterprise, Equipment.enterprise_id == Enterprise.id)
        .where(Enterprise.region_code == region_code, Equipment.deleted_at.is_(None))
        .order_by(Equipment.id)
        .execution_options(**{UNSCOPED: True})
    )
    assert found is not None, f"the demo data has equipment in {region_code}"
    return found


def test_equipment_of_another_county_is_invisible(as_user, app):
    with db(app) as session:
        foreign, own = first_equipment_in(session, JINJIANG), first_equipment_in(session, DONGHU)
    client = as_user("donghu")
    headers = api_token(client, "donghu")
    assert client.get(f"/equipment/show/{foreign}").status_code == 404
    assert client.get(f"/api/v1/equipment/{foreign}", headers=headers).status_code == 404
    assert client.get(f"/equipment/show/{own}").status_code == 200
    assert client.get(f"/api/v1/equipment/{own}", headers=headers).status_code == 200


def test_enforcers_of_another_county_are_invisible(as_user, app):
    with db(app) as session:
        foreign, own = enforcers_in(session, JINJIANG)[0], enforcers_in(session, DONGHU)[0]
        people = {
            "foreign": (foreign.id, foreign.certificate_no),
            "own": (own.id, own.certificate_no),
        }
    client = as_user("donghu")

    def found(certificate_no: str) -> list[str]:
        return search(client, "/enforcer/list/", "certificate_no", "等于", certificate_no)

    foreign_id, foreign_cert = people["foreign"]
    own_id, own_cert = people["own"]
    assert client.get(f"/enforcer/show/{foreign_id}").status_code == 404
    assert found(foreign_cert) == []
    assert client.get(f"/enforcer/show/{own_id}").status_code == 200
    assert [own_cert in row for row in found(own_cert)] == [True]


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
    from enforcement.db.scoping import UNSCOPED
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.models import Enterprise

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
