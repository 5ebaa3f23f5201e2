"""Docked workflow records are first-class: a docked inspection shows in 统计查询 at once (figures
computed by hand), a docked hazard with a deadline in 我的工作提醒, both marked with their source;
replay changes nothing; unknown references and other provinces are refused with path and code; a
docked case is not moved on locally."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    AuditLog,
    Case,
    DockingRecord,
    Hazard,
    Inspection,
    Penalty,
)
from enforcement.services import cases, reminders
from enforcement.services.cases import CaseError
from support.demo import DONGHU, db
from support.docking import (
    CS,
    SOURCE,
    YX01,
    YX02,
    YX03,
    YX04,
    base,
    delta,
    hazard,
    inspection,
    key_items_row,
    push,
    result,
    rollup,
)
from support.factories import acting
from support.web import api_token, logged_in, search


def test_a_docked_inspection_counts_in_statistics_at_once_and_an_update_moves_the_figures(
    app, client
):
    before = rollup(app)
    city_before = key_items_row(app, "360100", DONGHU)
    records = [
        *base("S1"),
        inspection(
            "S1",
            [
                result(YX01, "fail"),
                result(YX04, "pass"),
                result(YX02, "pass", "Q1-S1"),
                result(YX02, "fail", "Q2-S1"),
                result(YX03, "not_applicable", "Q1-S1"),
            ],
        ),
    ]
    answer = push(client, records)
    assert (answer["accepted"], answer["rejected"]) == (4, []), answer["rejected"]
    # By hand: YX-01 failed, YX-02 failed for one of the two spaces, YX-04 passed; YX-03 was not
    # applicable (no result): three cells checked, two with violations, one compliant.
    assert delta(rollup(app), before) == {
        (YX01, "violation"): 1,
        (YX02, "violation"): 1,
        (YX04, "compliant"): 1,
    }
    city = key_items_row(app, "360100", DONGHU)
    assert city["checked"] - city_before["checked"] == 3
    assert city["violation"] - city_before["violation"] == 2

    with db(app) as session:
        docked = session.scalars(
            select(Inspection).where(Inspection.docking_source == SOURCE)
        ).one()
        assert docked.status == "finished"
        assert docked.docking_source_label == "江西省对接"
        assert docked.task.docking_source == SOURCE

    # The province corrects its record: YX-01 passed after all, YX-04 failed.
    corrected = inspection(
        "S1",
        [
            result(YX01, "pass"),
            result(YX04, "fail"),
            result(YX02, "pass", "Q1-S1"),
            result(YX02, "fail", "Q2-S1"),
        ],
    )
    answer = push(client, [corrected])
    assert (answer["accepted"], answer["rejected"]) == (1, [])
    assert delta(rollup(app), before) == {
        (YX01, "compliant"): 1,
        (YX02, "violation"): 1,
        (YX04, "violation"): 1,
    }


def test_a_docked_hazard_with_a_deadline_is_a_reminder_and_moves_its_cell(app, client):
    due = dt.date.today() + dt.timedelta(days=5)
    push(client, [*base("S2"), inspection("S2", [result(YX01, "fail")])])
    before = rollup(app)
    answer = push(client, [hazard("S2", YX01, deadline=due.isoformat())])
    assert (answer["accepted"], answer["rejected"]) == (1, [])
    assert delta(rollup(app), before) == {(YX01, "violation"): -1, (YX01, "rectifying"): 1}
    with db(app) as session, acting("donghu", DONGHU):
        found = session.scalars(select(Hazard).where(Hazard.docking_source == SOURCE)).one()
        assert (found.status, found.deadline, found.is_major) == ("rectifying", due, True)
        assert found.illegal_basis  # the item's bases, from the checklist version named
        items = reminders.work_items(session, dt.date.today())
        mine = [i for i in items if i.kind == "hazard" and i.url == f"/hazard/show/{found.id}"]
        assert len(mine) == 1 and mine[0].due_on == due


def test_replaying_a_workflow_batch_changes_nothing(app, client):
    records = [*base("S3"), inspection("S3", [result(YX01, "fail")]), hazard("S3", YX01)]
    first = push(client, records, batch_id="wf-replay")
    assert first["accepted"] == 5, first
    with app.app_context():
        session = app.appbuilder.session
        audits = session.scalar(select(func.count()).select_from(AuditLog))
    figures = rollup(app)
    again = push(client, records, batch_id="wf-replay")
    assert again == first
    same = push(client, records, batch_id="wf-other")
    assert (same["accepted"], same["unchanged"]) == (0, 5)
    with app.app_context():
        session = app.appbuilder.session
        assert session.scalar(select(func.count()).select_from(AuditLog)) == audits
    assert rollup(app) == figures


def _errors(answer: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["path"], e["code"]) for r in answer["rejected"] for e in r["errors"]}


def test_unknown_references_are_refused_with_path_and_code(app, client):
    push(client, base("S4") + base("S5"))
    records = [
        inspection("S4", [result(YX01, "fail")], enterprise_id="E-nowhere"),
        inspection(
            "S5",
            [
                {**CS, "checklist_version": "9.9.9", "item_id": YX01, "result": "fail"},
                result("confined_space.nope", "fail"),
                result(YX02, "pass"),
                result(YX02, "pass", "Q1-S4"),
                {
                    "checklist_id": "nowhere",
                    "checklist_version": "1.0.0",
                    "item_id": "x",
                    "result": "pass",
                },
            ],
        ),
        hazard("S6", YX01),
    ]
    answer = push(client, records)
    assert answer["accepted"] == 0
    assert _errors(answer) == {
        ("/records/0/data/enterprise_id", "unknown_reference"),
        ("/records/1/data/results/0/checklist_version", "unknown_checklist"),
        ("/records/1/data/results/1/item_id", "not_in_checklist"),
        ("/records/1/data/results/2/equipment_id", "missing"),
        ("/records/1/data/results/3/equipment_id", "unknown_reference"),
        ("/records/1/data/results/4/checklist_id", "unknown_checklist"),
        ("/records/2/data/inspection_id", "unknown_reference"),
        ("/records/2/data/enterprise_id", "unknown_reference"),
    }
    for rejection in answer["rejected"]:
        assert all(e["message"] for e in rejection["errors"])


def test_a_record_of_another_province_is_refused(app, client):
    push(client, base("S7"))
    with app.app_context():
        session = app.appbuilder.session
        session.add(
            DockingRecord(
                source=SOURCE,
                record_type="inspection",
                external_id="I-sichuan",
                region_code="510104",
                content_hash="0" * 64,
            )
        )
        session.commit()
    elsewhere = inspection("S7", [result(YX01, "fail")], region_code="510104")
    theirs = {**inspection("S7", [result(YX01, "pass")]), "id": "I-sichuan"}
    answer = push(client, [elsewhere, theirs])
    assert answer["accepted"] == 0
    assert _errors(answer) == {
        ("/records/0/data/region_code", "other_province"),
        ("/records/1/id", "other_province"),
    }


def test_a_docked_case_keeps_its_history_and_is_not_moved_on_locally(app, client):
    push(client, [*base("S8"), inspection("S8", [result(YX01, "fail")]), hazard("S8", YX01)])
    case = {
        "type": "case",
        "id": "C-S8",
        "data": {
            "title": "对接流程测试S8有限公司有限空间作业未经审批案",
            "enterprise_id": "E-S8",
            "region_code": DONGHU,
            "stage": "investigation",
            "filed_on": "2026-03-05",
            "hazard_ids": ["H-S8"],
            "stage_history": [
                {"stage": "filed", "at": "2026-03-05T10:00:00+08:00", "by": "李四"},
                {
                    "stage": "investigation",
                    "from_stage": "filed",
                    "at": "2026-03-06T09:00:00+08:00",
                },
            ],
        },
    }
    penalty = {
        "type": "penalty",
        "id": "F-S8",
        "data": {"case_id": "C-S8", "region_code": DONGHU, "kind": "fine", "amount": 30000},
    }
    answer = push(client, [case, penalty])
    assert (answer["accepted"], answer["rejected"]) == (2, [])
    with db(app) as session, acting("donghu", DONGHU):
        docked = session.scalars(select(Case).where(Case.docking_source == SOURCE)).one()
        assert docked.stage == "investigation"
        assert [(t.from_stage, t.to_stage, t.action_label) for t in docked.transitions] == [
            (None, "filed", "对接记录"),
            ("filed", "investigation", "对接记录"),
        ]
        assert (
            session.scalars(select(Penalty).where(Penalty.case_id == docked.id)).one().amount
            == 30000
        )
        assert cases.allowed_actions(session, docked, "donghu") == []
        with pytest.raises(CaseError, match="来源系统"):
            cases.transition(session, docked, "submit_review", actor="donghu")
        case_id = docked.id
    desk = logged_in(app, "donghu").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "来源：江西省对接" in desk and "不能在本平台办理下一步" in desk
    # History is appended to, never rewritten.
    rewritten = {
        **case,
        "data": {**case["data"], "stage_history": case["data"]["stage_history"][1:]},
    }
    answer = push(client, [rewritten])
    assert _errors(answer) == {("/records/0/data/stage_history", "conflict")}


def test_the_export_carries_docked_workflow_records_naming_base_data_by_exported_ids(app, client):
    records = [*base("S9"), inspection("S9", [result(YX01, "pass")])]
    push(client, records)
    headers = api_token(client, "docking_jx")
    found = []
    since = None
    while True:
        page = client.get(
            "/api/v1/docking/export",
            query_string={"type": "inspection", **({"since": since} if since else {})},
            headers=headers,
        ).json
        found += page["records"]
        since = page["next"]
        if not page["more"]:
            break
    mine = [r for r in found if r["id"] == "I-S9"]
    with app.app_context():
        enterprise_id = app.appbuilder.session.scalar(
            select(DockingRecord.local_id)
            .where(DockingRecord.source == SOURCE, DockingRecord.external_id == "E-S9")
            .execution_options(**{UNSCOPED: True})
        )
    # As pushed, its base-data reference as the id the enterprise is exported under.
    assert len(mine) == 1
    assert mine[0]["data"] == {**records[-1]["data"], "enterprise_id": str(enterprise_id)}


def test_a_person_reads_the_source_and_the_lists_filter_by_it(app, client):
    push(client, [*base("SA"), inspection("SA", [result(YX01, "fail")]), hazard("SA", YX01)])
    with db(app) as session:
        found = session.scalars(
            select(Hazard)
            .join(DockingRecord, DockingRecord.local_id == Hazard.id)
            .where(DockingRecord.external_id == "H-SA", DockingRecord.record_type == "hazard")
            .execution_options(**{UNSCOPED: True})
        ).one()
        hazard_id, title = found.id, found.title
        local_id = session.scalars(
            select(Hazard.id).where(Hazard.region_code == DONGHU, Hazard.docking_source.is_(None))
        ).first()
    browser = logged_in(app, "donghu")
    page = browser.get(f"/hazard/show/{hazard_id}").get_data(as_text=True)
    assert re.search(r"数据来源</th>\s*<td>\s*(<span[^>]*>)?江西省对接<", page), page
    # found when the province inspected (2026-03-02), not when the record arrived
    assert re.search(r"发现时间</th>\s*<td>\s*(<span[^>]*>)?2026-03-02 ", page), page
    local = browser.get(f"/hazard/show/{local_id}").get_data(as_text=True)
    assert re.search(r"数据来源</th>\s*<td>\s*(<span[^>]*>)?本平台录入<", local), local
    rows = search(browser, "/hazard/list/", "docking_source", "等于", SOURCE)
    assert rows and all(title in row for row in rows)
    assert not search(browser, "/hazard/list/", "docking_source", "等于", "no-such-system")
    # The REST list filters by it too, and answers it.
    query = {"filters": [{"col": "docking_source", "opr": "eq", "value": SOURCE}]}
    listed = client.get(
        "/api/v1/hazard/",
        query_string={"q": json.dumps(query)},
        headers=api_token(client, "jiangxi"),
    )
    assert listed.status_code == 200, listed.get_data(as_text=True)
    assert hazard_id in listed.json["ids"]
    assert {r["docking_source"] for r in listed.json["result"]} == {SOURCE}


def test_a_dry_run_of_workflow_records_writes_nothing_and_answers_as_a_real_run(app, client):
    records = [*base("SB"), inspection("SB", [result(YX01, "fail")]), hazard("SB", YX01)]
    figures = rollup(app)
    headers = api_token(client, "docking_jx")
    dry = client.post(
        "/api/v1/docking/batch",
        json={"source": SOURCE, "records": records},
        headers=headers,
        query_string={"dry_run": "true"},
    )
    assert dry.status_code == 200 and dry.json["accepted"] == 5, dry.json
    assert rollup(app) == figures
    assert "I-SB" not in docked_ids(app) and "E-SB" not in docked_ids(app)
    real = push(client, records)
    assert (real["accepted"], real["rejected"]) == (dry.json["accepted"], dry.json["rejected"])


def docked_ids(app: Any) -> list[str]:
    with app.app_context():
        return list(
            app.appbuilder.session.scalars(
                select(DockingRecord.external_id)
                .where(DockingRecord.source == SOURCE)
                .execution_options(**{UNSCOPED: True})
            )
        )


def test_a_docked_inspection_in_progress_is_not_continued_locally(app, client):
    from enforcement.services import checklists, inspections
    from enforcement.services.workbench import WorkbenchError

    push(client, [*base("SC"), inspection("SC", [result(YX01, "pass")], status="in_progress")])
    with db(app) as session, acting("donghu", DONGHU):
        docked = session.scalars(
            select(Inspection).where(
                Inspection.docking_source == SOURCE, Inspection.status == "in_progress"
            )
        ).one()
        with pytest.raises(WorkbenchError, match="来源系统"):
            inspections.save_inspection(
                session,
                checklists.platform_of(app),
                docked,
                version=docked.version,
                notes="本地修改",
            )
        with pytest.raises(WorkbenchError, match="来源系统"):
            inspections.finish_inspection(
                session, checklists.platform_of(app), docked, version=docked.version
            )
