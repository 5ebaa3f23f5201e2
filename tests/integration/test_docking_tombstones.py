"""A pushed deletion (tombstone) of a docked workflow record is a real deletion: the inspection,
hazard, order, case or penalty is gone from the lists, the REST API and the statistics, the export
carries its tombstone, the deletion is audited with the docking source; a record still named by
live ones is not deleted; replaying the tombstone changes nothing; pushed again, it comes back."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any

from sqlalchemy import func, select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    AuditLog,
    Case,
    DockingRecord,
    Hazard,
    Inspection,
    Penalty,
    RectificationOrder,
    Task,
)
from enforcement.services import reminders
from support.demo import DONGHU, db
from support.docking import YX01, YX04, base, delta, hazard, inspection, result, rollup
from support.factories import acting
from support.web import api_token, export_all, key_items, logged_in, push_batch, search

SOURCE = "jx-tomb"


push = partial(push_batch, source=SOURCE)


def gone(record_type: str, external_id: str) -> dict[str, Any]:
    return {"type": record_type, "id": external_id, "deleted": True}


def local_id(app: Any, record_type: str, external_id: str) -> int:
    with app.app_context():
        found = app.appbuilder.session.scalar(
            select(DockingRecord.local_id)
            .where(
                DockingRecord.source == SOURCE,
                DockingRecord.record_type == record_type,
                DockingRecord.external_id == external_id,
            )
            .execution_options(**{UNSCOPED: True})
        )
    assert found is not None
    return int(found)


def county(app: Any) -> dict[str, Any]:
    """东湖区's row of 重点事项情况 for 南昌市."""
    return next(r for r in key_items(app, "360100")["rows"] if r["region_code"] == DONGHU)


def audits(app: Any) -> int:
    with app.app_context():
        return int(app.appbuilder.session.scalar(select(func.count()).select_from(AuditLog)) or 0)


def test_a_tombstone_deletes_a_docked_inspection_and_its_hazard_everywhere(app, client):
    figures, row = rollup(app), county(app)
    push(client, base("T1"))
    answer = push(
        client,
        [
            inspection("T1", [result(YX01, "fail"), result(YX04, "pass")]),
            hazard("T1", YX01, deadline="2099-01-01"),
        ],
    )
    assert (answer["accepted"], answer["rejected"]) == (2, []), answer
    assert delta(rollup(app), figures) == {(YX01, "rectifying"): 1, (YX04, "compliant"): 1}
    inspection_id, hazard_id = local_id(app, "inspection", "I-T1"), local_id(app, "hazard", "H-T1")

    # The inspection is still named by its hazard: refused, nothing deleted.
    refused = push(client, [gone("inspection", "I-T1")])
    assert refused["accepted"] == 0
    [rejection] = refused["rejected"]
    [error] = rejection["errors"]
    assert (error["path"], error["code"]) == ("/records/0/id", "conflict")
    assert "1 条隐患" in error["message"]

    # The hazard alone: its cell shows the violation without a hazard under rectification.
    answer = push(client, [gone("hazard", "H-T1")])
    assert (answer["accepted"], answer["rejected"]) == (1, []), answer
    assert delta(rollup(app), figures) == {(YX01, "violation"): 1, (YX04, "compliant"): 1}
    answer = push(client, [gone("hazard", "H-T1"), gone("inspection", "I-T1")])
    assert (answer["accepted"], answer["unchanged"], answer["rejected"]) == (1, 1, []), answer
    # The statistics are back where they were: its results no longer count.
    assert rollup(app) == figures
    assert county(app)["checked"] == row["checked"]

    with db(app) as session, acting("donghu", DONGHU):
        assert session.get(Inspection, inspection_id) is None
        assert session.get(Hazard, hazard_id) is None
        assert not session.scalars(select(Task).where(Task.docking_source == SOURCE)).all()
        assert not [
            i
            for i in reminders.work_items(session, dt.date.today())
            if i.url == f"/hazard/show/{hazard_id}"
        ]
    with db(app) as session:
        kept = session.scalars(
            select(Inspection)
            .where(Inspection.id == inspection_id)
            .execution_options(**{UNSCOPED: True})
        ).one()
        assert kept.deleted_at is not None and kept.deleted_by == "docking_jx"
        assert kept.task.deleted_at is not None
        logged = session.scalars(
            select(AuditLog).where(
                AuditLog.entity == "inspection", AuditLog.entity_id == str(inspection_id)
            )
        ).all()[-1]
        assert logged.username == "docking_jx" and SOURCE in (logged.reason or "")

    browser = logged_in(app, "donghu")
    assert browser.get(f"/inspection/show/{inspection_id}").status_code == 404
    assert browser.get(f"/hazard/show/{hazard_id}").status_code == 404
    headers = api_token(client, "jiangxi")
    assert client.get(f"/api/v1/inspection/{inspection_id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/hazard/{hazard_id}", headers=headers).status_code == 404
    query = {"filters": [{"col": "docking_source", "opr": "eq", "value": SOURCE}]}
    for kind in ("inspection", "hazard", "task"):
        assert not search(browser, f"/{kind}/list/", "docking_source", "等于", SOURCE), kind
        listed = client.get(
            f"/api/v1/{kind}/", query_string={"q": json.dumps(query)}, headers=headers
        )
        assert listed.status_code == 200 and listed.json["ids"] == [], kind

    docking = api_token(client, "docking_jx")
    for record_type, external_id in (("inspection", "I-T1"), ("hazard", "H-T1")):
        exported, _ = export_all(client, docking, record_type)
        mine = [r for r in exported if r["id"] == external_id]
        assert [r.get("deleted") for r in mine] == [True], mine

    # Replayed (the same batch: its answer again), or sent again in another batch (unchanged),
    # the tombstones change nothing.
    before = audits(app)
    tombstones = [gone("hazard", "H-T1"), gone("inspection", "I-T1")]
    assert push(client, tombstones) == answer
    again = push(client, tombstones, batch_id="tombstones-again")
    assert (again["accepted"], again["unchanged"], again["rejected"]) == (0, 2, [])
    assert audits(app) == before and rollup(app) == figures


def test_a_deleted_inspection_pushed_again_comes_back_with_its_figures(app, client):
    figures = rollup(app)
    records = [*base("T2"), inspection("T2", [result(YX01, "fail")])]
    push(client, records)
    counted = rollup(app)
    assert delta(counted, figures) == {(YX01, "violation"): 1}
    assert push(client, [gone("inspection", "I-T2")])["accepted"] == 1
    assert rollup(app) == figures
    again = inspection("T2", [result(YX01, "fail"), result(YX04, "fail")])
    assert push(client, [again])["accepted"] == 1
    assert delta(rollup(app), figures) == {(YX01, "violation"): 1, (YX04, "violation"): 1}
    with db(app) as session, acting("donghu", DONGHU):
        back = session.get(Inspection, local_id(app, "inspection", "I-T2"))
        assert back is not None and back.task is not None


def test_tombstones_of_an_order_a_case_and_a_penalty_hide_them(app, client):
    push(client, [*base("T3"), inspection("T3", [result(YX01, "fail")]), hazard("T3", YX01)])
    order = {
        "type": "rectification",
        "id": "R-T3",
        "data": {
            "enterprise_id": "E-T3",
            "region_code": DONGHU,
            "hazard_ids": ["H-T3"],
            "number": "洪东应急责改〔2026〕T3号",
            "issued_on": "2026-03-02",
            "deadline": "2026-04-02",
        },
    }
    case = {
        "type": "case",
        "id": "C-T3",
        "data": {
            "title": "对接删除测试案",
            "enterprise_id": "E-T3",
            "region_code": DONGHU,
            "stage": "filed",
            "filed_on": "2026-03-05",
            "hazard_ids": ["H-T3"],
            "stage_history": [{"stage": "filed", "at": "2026-03-05T10:00:00+08:00"}],
        },
    }
    penalty = {
        "type": "penalty",
        "id": "F-T3",
        "data": {"case_id": "C-T3", "region_code": DONGHU, "kind": "fine", "amount": 10000},
    }
    assert push(client, [order, case, penalty])["accepted"] == 3
    ids = {
        model: local_id(app, kind, ident)
        for model, kind, ident in (
            (RectificationOrder, "rectification", "R-T3"),
            (Case, "case", "C-T3"),
            (Penalty, "penalty", "F-T3"),
        )
    }
    # A hazard named by a live order and case, a case with a live penalty: refused.
    refused = push(client, [gone("hazard", "H-T3"), gone("case", "C-T3")])
    messages = {r["id"]: r["errors"][0]["message"] for r in refused["rejected"]}
    assert "1 份整改指令" in messages["H-T3"] and "1 件案件" in messages["H-T3"]
    assert "1 项行政处罚" in messages["C-T3"]

    tombstones = [gone("penalty", "F-T3"), gone("case", "C-T3"), gone("rectification", "R-T3")]
    answer = push(client, [*tombstones, gone("hazard", "H-T3")])
    assert (answer["accepted"], answer["rejected"]) == (4, []), answer
    with db(app) as session, acting("donghu", DONGHU):
        for model, ident in ids.items():
            assert session.get(model, ident) is None, model
    browser = logged_in(app, "donghu")
    assert browser.get(f"/cases/{ids[Case]}").status_code == 404
    assert browser.get(f"/rectification/show/{ids[RectificationOrder]}").status_code == 404
    docking = api_token(client, "docking_jx")
    for record in tombstones:
        exported, _ = export_all(client, docking, record["type"])
        mine = [r for r in exported if r["id"] == record["id"]]
        assert [r.get("deleted") for r in mine] == [True], mine
