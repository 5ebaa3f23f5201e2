"""The export carries workflow records made on this platform, not only docked ones: each validates
against its published schema; a new local inspection (with its item results) and its hazards are in
the next page after the cursor; another province's docking account does not see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import Department
from enforcement.services import checklists
from enforcement.services.docking import spec
from support import factories
from support.demo import DEMO_PASSWORD, db
from support.web import api_token

COVERED = ("plan", "inspection", "hazard", "rectification")


def export_all(
    client: Any, headers: dict[str, str], record_type: str, since: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    records: list[dict[str, Any]] = []
    while True:
        query = {"type": record_type, "limit": "2000", **({"since": since} if since else {})}
        page = client.get("/api/v1/docking/export", query_string=query, headers=headers)
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
        records += page.json["records"]
        since = page.json["next"]
        if not page.json["more"]:
            return records, since


def docking_account(app: Any, username: str, province: str) -> None:
    """A 数据对接 account of the province's department (the demo has Jiangxi's only)."""
    with app.app_context():
        session = app.appbuilder.session
        sm = app.appbuilder.sm
        if sm.find_user(username=username) is not None:
            return
        department = session.scalars(
            select(Department)
            .where(Department.region_code.startswith(province[:2]))
            .order_by(Department.region_code)
            .execution_options(**{UNSCOPED: True})
        ).first()
        assert department is not None, province
        user = sm.add_user(
            username,
            username,
            "",
            f"{username}@example.invalid",
            sm.find_role("docking"),
            DEMO_PASSWORD,
        )
        user.department_id = department.id
        session.commit()


def test_every_local_workflow_record_of_the_demo_validates_against_its_schema(app, client):
    admin = api_token(client, "admin")
    for record_type in COVERED:
        records, _ = export_all(client, admin, record_type)
        local = [r for r in records if "origin" not in r and not r.get("deleted")]
        if record_type in ("plan", "inspection", "hazard"):
            assert local, f"the demo's local {record_type} records are exported"
        for record in local:
            assert record["id"].isdigit(), record
            assert spec.problems(record_type, record["data"]) == [], (record_type, record)
        ids = [r["id"] for r in local]
        assert len(ids) == len(set(ids)), f"each {record_type} once per export"


def test_a_new_local_inspection_is_in_the_next_page_with_its_results_and_hazards(app, client):
    docking_account(app, "docking_sc", "510000")
    jiangxi, sichuan = api_token(client, "docking_jx"), api_token(client, "docking_sc")
    cursors = {t: export_all(client, jiangxi, t)[1] for t in ("plan", "inspection", "hazard")}
    far = {t: export_all(client, sichuan, t)[1] for t in ("plan", "inspection", "hazard")}
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))

    inspections, _ = export_all(client, jiangxi, "inspection", cursors["inspection"])
    assert [r["id"] for r in inspections] == [str(walk.inspection_id)]
    data = inspections[0]["data"]
    assert spec.problems("inspection", data) == []
    assert data["status"] == "finished"
    assert data["enterprise_id"] == str(walk.enterprise_id)
    assert data["plan_id"] == str(walk.plan_id)
    assert len(data["enforcer_ids"]) == 2
    results = {(r["item_id"], r.get("equipment_id")): r["result"] for r in data["results"]}
    first, second = (str(p) for p in walk.pieces)
    assert results[("confined_space.yx01", None)] == "fail"
    assert results[("confined_space.yx02", first)] == "fail"
    assert results[("confined_space.yx02", second)] == "pass"
    assert {r["checklist_id"] for r in data["results"]} == {"confined_space"}
    assert list(results.values()).count("fail") == 2

    hazards, _ = export_all(client, jiangxi, "hazard", cursors["hazard"])
    assert sorted(r["id"] for r in hazards) == sorted(str(h) for h in walk.hazard_ids)
    for record in hazards:
        assert record["data"]["inspection_id"] == str(walk.inspection_id)
        assert spec.problems("hazard", record["data"]) == []

    plans, _ = export_all(client, jiangxi, "plan", cursors["plan"])
    assert str(walk.plan_id) in [r["id"] for r in plans]
    mine = next(r for r in plans if r["id"] == str(walk.plan_id))
    assert str(walk.enterprise_id) in mine["data"]["enterprise_ids"]

    # Sichuan's docking account does not see Jiangxi's records, even with its own cursor.
    for record_type, cursor in far.items():
        records, _ = export_all(client, sichuan, record_type, cursor)
        assert records == [], record_type


def test_a_docked_inspection_is_exported_once_under_its_source_id(app, client):
    admin = api_token(client, "admin")
    records, _ = export_all(client, admin, "inspection")
    docked = [r for r in records if "origin" in r]
    local = {r["id"] for r in records if "origin" not in r}
    # Docked rows leave from their docking_record: never again under their local id.
    with db(app) as session:
        from enforcement.models import Inspection

        docked_local = {
            str(i)
            for i in session.scalars(
                select(Inspection.id)
                .where(Inspection.docking_source.is_not(None))
                .execution_options(**{UNSCOPED: True})
            )
        }
    assert not (local & docked_local)
    assert all(r["id"] == r["origin"]["id"] for r in docked)
