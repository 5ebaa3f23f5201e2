"""Re-inspections (复查) of a docked rectification order are first-class: a passed one closes the
order's hazards as a local re-inspection does (status, 重点事项情况 cell computed by hand, 我的工作提醒),
a failed one leaves them open for 立案查处; each is a done 复查 task with its date, enforcers and
复查意见, marked with its source; an update re-applies them and replay changes nothing; a
re-inspection before the order or naming an unknown enforcer is refused with path and code while
the rest of the batch is accepted; a local re-inspection leaves in the export in the same shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    AuditLog,
    DockingRecord,
    Hazard,
    RectificationOrder,
    Task,
    task_enforcer,
)
from enforcement.services import checklists, rectification, reminders
from enforcement.services.docking import spec
from enforcement.services.workbench import WorkbenchError
from support import factories
from support.demo import DONGHU, db
from support.docking import (
    SOURCE,
    YX01,
    base,
    delta,
    hazard,
    inspection,
    key_items_row,
    push,
    result,
    rollup,
)
from support.web import api_token, export_all, logged_in

_serial = iter(range(1, 10**6))


def team(tag: str) -> list[dict[str, Any]]:
    """A department of 南昌市 and two enforcers, as the province docks them."""
    return [
        {
            "type": "department",
            "id": f"D-{tag}",
            "data": {"name": f"南昌市复查测试{tag}局", "region_code": "360100", "level": "city"},
        },
        *(
            {
                "type": "enforcer",
                "id": f"P{n}-{tag}",
                "data": {
                    "name": f"复查{tag}{n}",
                    "certificate_no": f"RC{next(_serial):06d}",
                    "department_id": f"D-{tag}",
                },
            }
            for n in (1, 2)
        ),
    ]


def order(tag: str, checks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "enterprise_id": f"E-{tag}",
        "region_code": DONGHU,
        "hazard_ids": [f"H-{tag}"],
        "number": f"（东）应急责改〔2026〕复{next(_serial)}号",
        "issued_on": "2026-03-03",
        "deadline": "2026-03-20",
        **extra,
    }
    if checks is not None:
        data["reinspections"] = checks
    return {"type": "rectification", "id": f"R-{tag}", "data": data}


def setup(client: Any, tag: str) -> None:
    records = [
        *base(tag),
        *team(tag),
        inspection(tag, [result(YX01, "fail")]),
        hazard(tag, YX01, deadline="2026-03-20"),
    ]
    answer = push(client, records)
    assert answer["rejected"] == [], answer["rejected"]


def docked_hazard(session: Any, tag: str) -> Hazard:
    local = session.scalars(
        select(DockingRecord.local_id)
        .where(
            DockingRecord.source == SOURCE,
            DockingRecord.record_type == "hazard",
            DockingRecord.external_id == f"H-{tag}",
        )
        .execution_options(**{UNSCOPED: True})
    ).one()
    return session.scalars(
        select(Hazard).where(Hazard.id == local).execution_options(**{UNSCOPED: True})
    ).one()


def hazard_reminders(session: Any, hazard_id: int) -> list[Any]:
    items = reminders.work_items(session, dt.date.today())
    return [i for i in items if i.kind == "hazard" and i.url == f"/hazard/show/{hazard_id}"]


def test_a_passed_docked_reinspection_rectifies_the_hazard_its_cell_and_ends_its_reminder(
    app, client
):
    setup(client, "RP")
    with db(app) as session, factories.acting("donghu", DONGHU):
        found = docked_hazard(session, "RP")
        assert len(hazard_reminders(session, found.id)) == 1
    before, city_before = rollup(app), key_items_row(app, "360100", DONGHU)
    check = {
        "inspected_on": "2026-03-21",
        "passed": True,
        "enforcer_ids": ["P1-RP", "P2-RP"],
        "note": "经复查，隐患已整改完毕。",
    }
    answer = push(client, [order("RP", [check])])
    assert (answer["accepted"], answer["rejected"]) == (1, [])
    # By hand: the one cell of YX-01 was 整改中 (the docked hazard under its deadline); the passed
    # re-inspection turns it 已整改: one cell fewer rectifying, one more rectified, none left open.
    assert delta(rollup(app), before) == {(YX01, "rectifying"): -1, (YX01, "rectified"): 1}
    city = key_items_row(app, "360100", DONGHU)
    assert city["rectifying"] - city_before["rectifying"] == -1
    assert city["remaining"] - city_before["remaining"] == -1
    assert city["checked"] == city_before["checked"]

    with db(app) as session, factories.acting("donghu", DONGHU):
        found = docked_hazard(session, "RP")
        assert (found.status, found.rectified_on) == ("rectified", dt.date(2026, 3, 21))
        task = session.get(Task, found.verified_by_task_id)
        assert (task.kind, task.status, task.due_on) == ("recheck", "done", dt.date(2026, 3, 21))
        assert [name for name, _ in task.team] == ["复查RP1", "复查RP2"]
        assert task.note == "经复查，隐患已整改完毕。"
        assert task.docking_source == SOURCE and task.docking_source_label == "江西省对接"
        assert task.parent_id == found.inspection.task_id
        docked = session.get(RectificationOrder, found.rectification_order_id)
        assert docked.recheck_task_id == task.id and docked.status_label == "已复查"
        assert hazard_reminders(session, found.id) == []
        task_id = task.id
        items = reminders.work_items(session, dt.date.today())
        assert not [i for i in items if i.url == f"/task/show/{task_id}"]  # done: no reminder
    # The re-inspection reads on its page with its source, date, team and 复查意见; nothing to do.
    page = logged_in(app, "donghu").get(f"/workbench/recheck/{task_id}").get_data(as_text=True)
    assert "数据来源：江西省对接 · 复查日期 2026-03-21" in page
    assert "复查意见：经复查，隐患已整改完毕。" in page and "复查RP1" in page
    assert "已于 2026-03-21 复查确认整改完成" in page and 'name="hazard_id"' not in page


def test_a_failed_reinspection_leaves_the_hazard_open_and_updates_reapply_idempotently(app, client):
    setup(client, "RF")
    before = rollup(app)
    failed = {"inspected_on": "2026-03-21", "passed": False, "enforcer_ids": ["P1-RF"]}
    answer = push(client, [order("RF", [failed])])
    assert (answer["accepted"], answer["rejected"]) == (1, [])
    # 逾期未整改: the hazard is open again (留待立案查处), its cell a violation as found.
    assert delta(rollup(app), before) == {(YX01, "rectifying"): -1, (YX01, "violation"): 1}
    with db(app) as session:
        found = docked_hazard(session, "RF")
        assert (found.status, found.rectified_on) == ("open", None)
        assert found.verified_on == dt.date(2026, 3, 21)  # the day it was found not rectified
        first_task = found.verified_by_task_id
    # Read-only here: no local re-inspection result, completion report or 复查 task for it.
    with db(app) as session, factories.as_inspector():
        found = docked_hazard(session, "RF")
        task, docked = session.get(Task, first_task), found.rectification_order
        with pytest.raises(WorkbenchError, match="只读"):
            rectification.close_hazard(session, found, task, on=dt.date(2026, 3, 25))
        with pytest.raises(WorkbenchError, match="只读"):
            rectification.report_completion(session, docked, on=dt.date(2026, 3, 25))
        docked.recheck_task_id = None  # even as if it had none, no local 复查 task is made
        assert rectification.generate_recheck(session, docked) is None
        session.rollback()

    # The province adds the second re-inspection, which passed (listed first: applied by date).
    passed = {"inspected_on": "2026-04-02", "passed": True, "enforcer_ids": ["P2-RF"]}
    record = order("RF", [passed, failed], number="（东）应急责改〔2026〕复RF号")
    updated = push(client, [record])
    assert (updated["accepted"], updated["rejected"]) == (1, [])
    assert delta(rollup(app), before) == {(YX01, "rectifying"): -1, (YX01, "rectified"): 1}
    with db(app) as session:
        found = docked_hazard(session, "RF")
        assert (found.status, found.rectified_on) == ("rectified", dt.date(2026, 4, 2))
        docked = session.get(RectificationOrder, found.rectification_order_id)
        tasks = [session.get(Task, i) for i in docked.reinspection_task_ids]
        assert [t.due_on for t in tasks] == [dt.date(2026, 3, 21), dt.date(2026, 4, 2)]
        assert tasks[0].id == first_task  # the same task row, not a second one for that date
        assert found.verified_by_task_id == tasks[1].id == docked.recheck_task_id
    # The province pushes the hazard again (a new description, its status as first recorded): the
    # order's re-inspections still apply to it.
    repushed = push(client, [hazard("RF", YX01, deadline="2026-03-20", description="补充说明")])
    assert (repushed["accepted"], repushed["rejected"]) == (1, [])
    assert delta(rollup(app), before) == {(YX01, "rectifying"): -1, (YX01, "rectified"): 1}
    with db(app) as session:
        found = docked_hazard(session, "RF")
        assert (found.status, found.description) == ("rectified", "补充说明")
        assert found.verified_by_task_id == tasks[1].id
        audits = session.scalar(select(func.count()).select_from(AuditLog))
    figures = rollup(app)

    # Replay: unchanged, nothing written, the figures stay.
    assert push(client, [record]) == updated  # the same batch: the same summary
    again = push(client, [record], batch_id="rf-again")
    assert (again["accepted"], again["unchanged"]) == (0, 1)
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)) == audits
    assert rollup(app) == figures

    # The province withdraws both: the hazard is under the order again, the tasks are gone.
    answer = push(client, [order("RF", [], number="（东）应急责改〔2026〕复RF号")])
    assert (answer["accepted"], answer["rejected"]) == (1, [])
    assert delta(rollup(app), before) == {}
    with db(app) as session:
        found = docked_hazard(session, "RF")
        assert (found.status, found.rectified_on, found.verified_by_task_id) == (
            "rectifying",
            None,
            None,
        )
        gone = session.scalars(
            select(Task)
            .where(Task.id.in_([t.id for t in tasks]))
            .execution_options(**{UNSCOPED: True})
        ).all()
        assert all(t.deleted_at is not None for t in gone) and len(gone) == 2


def test_a_reinspection_before_the_order_or_by_an_unknown_enforcer_is_refused_alone(app, client):
    setup(client, "RB")
    setup(client, "RG")
    early = {"inspected_on": "2026-03-01", "passed": True, "enforcer_ids": ["P1-RB"]}
    stranger = {"inspected_on": "2026-03-22", "passed": True, "enforcer_ids": ["P-nobody"]}
    good = {"inspected_on": "2026-03-22", "passed": True, "enforcer_ids": ["P1-RG"]}
    answer = push(client, [order("RB", [early, stranger]), order("RG", [good])])
    assert answer["accepted"] == 1
    [rejected] = answer["rejected"]
    assert (rejected["index"], rejected["id"]) == (0, "R-RB")
    errors = {(e["path"], e["code"]) for e in rejected["errors"]}
    assert errors == {
        ("/records/0/data/reinspections/0/inspected_on", "invalid_value"),
        ("/records/0/data/reinspections/1/enforcer_ids/0", "unknown_reference"),
    }
    assert all(e["message"] for e in rejected["errors"])
    with db(app) as session:
        assert docked_hazard(session, "RB").status == "rectifying"
        assert docked_hazard(session, "RG").status == "rectified"


def reported(app: Any, client: Any, deadline: dt.date, completed_on: dt.date) -> Any:
    """A local inspection's two hazards on an order issued 2026-11-01, reported complete (its 复查
    task made), after the export's cursor: (token, cursor, walk, order id, task id)."""
    jiangxi = api_token(client, "docking_jx")
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    cursor = export_all(client, jiangxi, "rectification")[1]
    with db(app) as session, factories.as_inspector():
        made = factories.order(session, walk, issued_on=dt.date(2026, 11, 1), deadline=deadline)
        task = rectification.report_completion(session, made, on=completed_on)
        return jiangxi, cursor, walk, made.id, task.id


def test_a_local_reinspection_leaves_in_the_export_of_its_order(app, client):
    jiangxi, cursor, walk, order_id, task_id = reported(
        app, client, dt.date(2026, 11, 20), dt.date(2026, 11, 10)
    )
    with db(app) as session, factories.as_inspector():
        task = session.get(Task, task_id)
        # The whole team, also members the inspector cannot list (the city's).
        enforcers = sorted(
            session.scalars(
                select(task_enforcer.c.enforcer_id).where(task_enforcer.c.task_id == task.id)
            )
        )
        first, second = sorted(walk.hazard_ids)
        rectification.close_hazard(
            session, session.get(Hazard, first), task, on=dt.date(2026, 11, 12)
        )
    # Half decided: not a re-inspection yet.
    orders, cursor = export_all(client, jiangxi, "rectification", cursor)
    assert [r["id"] for r in orders] == [str(order_id)]
    assert "reinspections" not in orders[0]["data"]
    with db(app) as session, factories.as_inspector():
        task = session.get(Task, task_id)
        task.note = "经复查，两项隐患均已整改。"
        rectification.close_hazard(
            session, session.get(Hazard, second), task, on=dt.date(2026, 11, 14)
        )
    orders, _ = export_all(client, jiangxi, "rectification", cursor)
    assert [r["id"] for r in orders] == [str(order_id)]
    data = orders[0]["data"]
    assert spec.problems("rectification", data) == []
    assert data["reinspections"] == [
        {
            "inspected_on": "2026-11-14",
            "passed": True,
            "enforcer_ids": [str(e) for e in enforcers],
            "note": "经复查，两项隐患均已整改。",
        }
    ]


def test_a_local_reinspection_finding_a_hazard_not_rectified_leaves_with_its_date_and_opinion(
    app, client
):
    """The day a hazard was found not rectified is kept (hazard.verified_on), and the 复查意见
    typed on the re-inspection page leaves with it."""
    jiangxi, cursor, walk, order_id, task_id = reported(
        app, client, dt.date(2026, 11, 5), dt.date(2026, 11, 4)
    )
    with db(app) as session, factories.as_inspector():
        task = session.get(Task, task_id)
        first, second = sorted(walk.hazard_ids)
        rectification.close_hazard(
            session, session.get(Hazard, first), task, on=dt.date(2026, 11, 6)
        )
        rectification.close_hazard(
            session, session.get(Hazard, second), task, rectified=False, on=dt.date(2026, 11, 9)
        )
        assert session.get(Hazard, second).verified_on == dt.date(2026, 11, 9)
    page = logged_in(app, "donghu").post(
        f"/workbench/recheck/{task_id}", data={"opinion": "一项已整改，一项逾期未整改，移交立案。"}
    )
    assert page.status_code == 302
    orders, _ = export_all(client, jiangxi, "rectification", cursor)
    (check,) = next(r for r in orders if r["id"] == str(order_id))["data"]["reinspections"]
    assert (check["inspected_on"], check["passed"]) == ("2026-11-09", False)
    assert check["note"] == "一项已整改，一项逾期未整改，移交立案。"
