"""The export carries workflow records made on this platform, not only docked ones: each validates
against its published schema; a new local inspection (with its item results) and its hazards are in
the next page after the cursor; another province's docking account does not see them."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import select

from enforcement.db.unit_of_work import unit_of_work
from enforcement.models import Case, Document, Hazard, Inspection, Task, case_hazard
from enforcement.services import checklists, rectification
from enforcement.services.docking import spec
from support import factories
from support.demo import DONGHU, db
from support.docking import YX01, base, demo_subject, finalized, inspection, result
from support.web import api_token, export_all, logged_in, push_batch

COVERED = ("plan", "inspection", "hazard", "rectification", "case", "penalty")


def test_every_local_workflow_record_of_the_demo_validates_against_its_schema(app, client):
    admin = api_token(client, "admin")
    for record_type in COVERED:
        records, _ = export_all(client, admin, record_type)
        local = [r for r in records if "origin" not in r and not r.get("deleted")]
        assert local, f"the demo's local {record_type} records are exported"
        for record in local:
            assert record["id"].isdigit(), record
            assert spec.problems(record_type, record["data"]) == [], (record_type, record)
        ids = [r["id"] for r in local]
        assert len(ids) == len(set(ids)), f"each {record_type} once per export"


def test_a_new_local_inspection_is_in_the_next_page_with_its_results_and_hazards(app, client):
    factories.account_of(app, "docking_sc", "510000", role="docking")
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
    _, cursor = export_all(client, admin, "inspection")
    tag = "EXPORT-ONCE"
    records = [*base(tag), inspection(tag, [result(YX01, "fail")])]
    pushed = push_batch(client, records, source="jx-export")
    assert pushed["rejected"] == [], pushed
    # The docked row's own audit rows (inspection, written into the platform's table) do not
    # make it leave a second time under its local id: only its docking_record speaks for it.
    after, _ = export_all(client, admin, "inspection", cursor)
    assert [(r["id"], r.get("origin")) for r in after] == [
        (f"I-{tag}", {"source": "jx-export", "id": f"I-{tag}"})
    ]


def test_a_new_local_case_is_exported_with_its_stage_history(app, client):
    jiangxi = api_token(client, "docking_jx")
    _, cursor = export_all(client, jiangxi, "case")
    with db(app) as session, factories.acting("donghu", DONGHU):
        made = factories.case(session)
        case_id, number, enterprise_id = made.id, made.number, made.enterprise_id
    records, _ = export_all(client, jiangxi, "case", cursor)
    assert [r["id"] for r in records] == [str(case_id)]
    data = records[0]["data"]
    assert spec.problems("case", data) == []
    assert (data["number"], data["enterprise_id"], data["stage"]) == (
        number,
        str(enterprise_id),
        "filed",
    )
    assert [(s.get("from_stage"), s["stage"]) for s in data["stage_history"]] == [(None, "filed")]
    assert len(data["enforcer_ids"]) == 2


def test_an_order_and_a_change_of_the_inspections_task_are_in_the_next_pages(app, client):
    jiangxi = api_token(client, "docking_jx")
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    cursors = {t: export_all(client, jiangxi, t)[1] for t in ("inspection", "rectification")}
    with db(app) as session, factories.as_inspector():
        for hazard_id in walk.hazard_ids:
            rectification.confirm_measure(
                session, session.get(Hazard, hazard_id), "deadline", deadline=dt.date(2026, 12, 31)
            )
        order = rectification.issue_rectification_order(
            session, session.get(Inspection, walk.inspection_id), issued_on=dt.date(2026, 12, 1)
        )
        order_id = order.id
    orders, _ = export_all(client, jiangxi, "rectification", cursors["rectification"])
    assert [r["id"] for r in orders] == [str(order_id)]
    data = orders[0]["data"]
    assert spec.problems("rectification", data) == []
    assert sorted(data["hazard_ids"]) == sorted(str(h) for h in walk.hazard_ids)
    assert (data["issued_on"], data["deadline"]) == ("2026-12-01", "2026-12-31")

    # The task's plan is the inspection's plan_id: a change of the task is a change of the record.
    with db(app) as session, factories.as_system(), unit_of_work(session):
        session.get(Task, walk.task_id).plan_id = None
    again, _ = export_all(client, jiangxi, "inspection", cursors["inspection"])
    assert [r["id"] for r in again] == [str(walk.inspection_id)]
    assert "plan_id" not in again[0]["data"]
    assert spec.problems("inspection", again[0]["data"]) == []


def test_finalized_local_documents_are_exported_with_the_hash_of_their_pdf_and_its_download(
    app, client, tmp_path
):
    from enforcement.services import documents

    admin = api_token(client, "admin")
    _, cursor = export_all(client, admin, "document")
    case_id, inspection_id = demo_subject(app, Case), demo_subject(app, Inspection)
    on_case = finalized(app, "inquiry_record", f"case:{case_id}")
    on_inspection = finalized(app, "inspection_record", f"inspection:{inspection_id}")
    with db(app) as session, factories.as_system(), unit_of_work(session):
        draft = documents.draft(session, "inquiry_record", f"case:{case_id}", "admin").id

    records, cursor = export_all(client, admin, "document", cursor)
    by_id = {r["id"]: r for r in records}
    assert str(draft) not in by_id  # drafts stay on the platform
    assert sorted(by_id) == sorted([str(on_case), str(on_inspection)])
    with db(app) as session:
        for ident in (on_case, on_inspection):
            document = session.get(Document, ident)
            data = by_id[str(ident)]["data"]
            assert spec.problems("document", data) == [], data
            stored = (Path(app.config["DATA_DIR"]) / document.file_path).read_bytes()
            assert data["sha256"] == hashlib.sha256(stored).hexdigest() == document.sha256
            assert data["file"]["url"].endswith(f"/documents/{ident}/pdf")
            assert (data["number"], data["form"]) == (document.number, document.form_code)
    assert by_id[str(on_case)]["data"]["case_id"] == str(case_id)
    assert by_id[str(on_inspection)]["data"]["inspection_id"] == str(inspection_id)
    # The download the reference names is the stored file, for someone signed in.
    url = by_id[str(on_case)]["data"]["file"]["url"]
    pdf = logged_in(app, "admin").get(url[url.index("/documents/") :])
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.data).hexdigest() == by_id[str(on_case)]["data"]["sha256"]

    # An admin's soft delete leaves as a tombstone.
    with db(app) as session, factories.as_system(), unit_of_work(session):
        documents.delete(session, session.get(Document, on_case), "重复生成", "admin")
    records, _ = export_all(client, admin, "document", cursor)
    assert records == [{"type": "document", "id": str(on_case), "deleted": True}]


def test_a_new_team_or_a_linked_hazard_is_in_the_next_page_at_once(app, client):
    from enforcement.models import Enforcer

    admin = api_token(client, "admin")
    cursors = {t: export_all(client, admin, t)[1] for t in ("inspection", "case")}
    with db(app) as session, factories.as_system(), unit_of_work(session):
        inspection = session.scalars(
            select(Inspection).where(
                Inspection.region_code == DONGHU, Inspection.docking_source.is_(None)
            )
        ).first()
        case = session.scalars(
            select(Case).where(Case.region_code == DONGHU, Case.docking_source.is_(None))
        ).first()
        assert inspection is not None and case is not None
        others = session.scalars(
            select(Enforcer).where(Enforcer.id.not_in([e.id for e in case.enforcers])).limit(2)
        ).all()
        inspection.task.enforcers = list(others)
        case.enforcers = list(others)
        hazard = session.scalars(
            select(Hazard).where(Hazard.case_id.is_(None), Hazard.docking_source.is_(None))
        ).first()
        assert hazard is not None
        session.execute(case_hazard.insert().values(case_id=case.id, hazard_id=hazard.id))
        hazard.case_id = case.id
        team = sorted(str(e.id) for e in others)
        inspection_id, case_id, hazard_id = inspection.id, case.id, hazard.id

    inspections, _ = export_all(client, admin, "inspection", cursors["inspection"])
    assert [r["id"] for r in inspections] == [str(inspection_id)]
    assert sorted(inspections[0]["data"]["enforcer_ids"]) == team
    cases, _ = export_all(client, admin, "case", cursors["case"])
    assert [r["id"] for r in cases] == [str(case_id)]
    assert sorted(cases[0]["data"]["enforcer_ids"]) == team
    assert str(hazard_id) in cases[0]["data"]["hazard_ids"]


def test_a_withdrawn_local_penalty_leaves_as_a_tombstone(app, client):
    from enforcement.services import cases

    admin = api_token(client, "admin")
    _, cursor = export_all(client, admin, "penalty")
    with db(app) as session, factories.as_system():
        case = session.scalars(
            select(Case).where(
                Case.docking_source.is_(None),
                Case.stage.in_([s.value for s in cases.PROPOSAL_STAGES]),
            )
        ).first()
        assert case is not None
        proposed = cases.record_penalty(
            session, case, kind="warning", basis="《安全生产法》第九十九条", actor="admin"
        )
        penalty_id, region = proposed.id, case.region_code
    records, cursor = export_all(client, admin, "penalty", cursor)
    assert [r["id"] for r in records] == [str(penalty_id)]
    with db(app) as session, factories.as_system():
        case = session.scalars(select(Case).where(Case.penalties.any(id=penalty_id))).one()
        penalty = next(p for p in case.penalties if p.id == penalty_id)
        cases.remove_penalty(session, case, penalty, actor="admin")
    records, _ = export_all(client, admin, "penalty", cursor)
    assert records == [{"type": "penalty", "id": str(penalty_id), "deleted": True}]
    # Only to those whose jurisdiction held it.
    factories.account_of(app, "docking_sc2", "510000", role="docking")
    elsewhere, _ = export_all(client, api_token(client, "docking_sc2"), "penalty", cursor)
    assert elsewhere == [] and region.startswith("36")
