"""The stored county answer of 重点事项情况 (services/statistics/answers.py) equals the live count
after every kind of write, on both engines; two writers in one county at once both show; a
filtered request, a stale or missing row are answered live; a county outside the jurisdiction is
404 as before."""

from __future__ import annotations

import datetime as dt
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from sqlalchemy import select, update

from enforcement.db.acting import SYSTEM, Actor, acting_as
from enforcement.db.scoping import UNSCOPED
from enforcement.domain.jurisdiction import DENIED, Jurisdiction
from enforcement.models import Enterprise, Hazard, Inspection, Region
from enforcement.models.statistics import CountyAnswer, ItemResult
from enforcement.services import cases, checklists
from enforcement.services import statistics as service
from enforcement.services.statistics import answers, maintain
from enforcement.services.statistics.core import Query
from support import factories
from support.demo import DONGHU, db, enforcers_in
from support.factories import as_inspector, as_system
from support.web import api_token

XIHU = "360103"  # 南昌市西湖区, another county of the demo city


@contextmanager
def live_only() -> Iterator[None]:
    with mock.patch.object(answers, "read", return_value=None):
        yield


def answer(app: Any, county: str, **filters: Any) -> dict[str, Any]:
    """key_items of the county as the ministry's service call answers it (without 数据截至)."""
    with app.app_context(), acting_as(SYSTEM):
        session = app.appbuilder.session
        query = Query(county, "county", **filters)
        platform = checklists.platform_of(app)
        out = service.report(session, platform, "key_items", query, matrix=True).as_json()
        session.remove()
    out.pop("as_of")
    return out


def stored_row(app: Any, county: str) -> CountyAnswer | None:
    with app.app_context():
        session = app.appbuilder.session
        row = session.get(CountyAnswer, county)
        if row is not None:
            session.expunge(row)
        session.remove()
        return row


def assert_stored_is_live(app: Any, *counties: str) -> list[dict[str, Any]]:
    """Each county's answer is read as stored and equals the live count; returns the answers."""
    out = []
    for county in counties:
        row = stored_row(app, county)
        assert row is not None and row.payload is not None and row.matrix is not None, county
        assert row.format == answers.FORMAT
        stored = answer(app, county)
        with live_only():
            live = answer(app, county)
        assert stored == live, county
        out.append(stored)
    return out


def row_of(table: dict[str, Any], enterprise_id: int) -> dict[str, Any] | None:
    return next((r for r in table["rows"] if r["enterprise_id"] == enterprise_id), None)


def counties_with_enterprises(app: Any) -> list[str]:
    with app.app_context():
        session = app.appbuilder.session
        found = session.scalars(
            select(Enterprise.region_code).distinct().execution_options(**{UNSCOPED: True})
        ).all()
        session.remove()
    return sorted(c for c in found if not c.endswith("00"))


def test_after_the_demo_load_every_county_is_stored_and_equal_to_the_live_count(app):
    counties = counties_with_enterprises(app)
    assert DONGHU in counties and len(counties) > 5
    tables = assert_stored_is_live(app, *counties)
    assert any(t["total"]["checked"] for t in tables), "the demo inspected somewhere"
    assert sum(len(t["matrix"]["rows"]) for t in tables) > len(tables)


def test_an_inspection_finished_and_its_hazards_moving_to_a_case_keep_it_equal(app):
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    (table,) = assert_stored_is_live(app, DONGHU)
    row = row_of(table, walk.enterprise_id)
    assert row is not None and (row["violation"], row["compliant"]) == (2, 2)

    with db(app) as session, as_inspector():  # 整改中
        factories.order(session, walk, deadline=dt.date.today() + dt.timedelta(days=10))
    (table,) = assert_stored_is_live(app, DONGHU)
    assert row_of(table, walk.enterprise_id)["rectifying"] == 2

    with db(app) as session, as_system():  # 已整改 (as a recheck would)
        session.get(Hazard, walk.hazard_ids[1]).status = "rectified"
        session.commit()
    (table,) = assert_stored_is_live(app, DONGHU)
    assert row_of(table, walk.enterprise_id)["rectified"] == 1

    with db(app) as session, as_inspector():  # 立案查处
        hazard = session.get(Hazard, walk.hazard_ids[0])
        cases.escalate_hazards(session, [hazard], enforcers_in(session, DONGHU)[:2], "逾期未整改")
    (table,) = assert_stored_is_live(app, DONGHU)
    assert row_of(table, walk.enterprise_id)["escalated"] == 1


def test_an_enterprise_added_renamed_closed_moved_and_deleted_keeps_both_counties_equal(app):
    with db(app) as session, as_system():
        made = factories.enterprise(session, DONGHU, name="存储答案测试有限公司")
        made_id = made.id
    (table,) = assert_stored_is_live(app, DONGHU)
    assert row_of(table, made_id)["region_name"] == "存储答案测试有限公司"
    assert any(r["enterprise_id"] == made_id for r in table["matrix"]["rows"])

    # An inspected one, so that cells move along with it.
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    changes: list[tuple[int, dict[str, Any]]] = [
        (made_id, {"name": "存储答案测试（改名）有限公司"}),
        (made_id, {"status": "closed"}),
        (made_id, {"status": "operating"}),
        (walk.enterprise_id, {"region_code": XIHU}),
        (walk.enterprise_id, {"sector": "metallurgy"}),
        # Back and forth as a form moves it: through the relationship (the key synced at flush).
        (walk.enterprise_id, {"region": DONGHU}),
        (walk.enterprise_id, {"region": XIHU}),
        (made_id, {"region": XIHU}),  # one without cells: only its listing moves
        (made_id, {"region": DONGHU}),
        (made_id, {"deleted_at": dt.datetime.now()}),
    ]
    for enterprise_id, values in changes:
        with db(app) as session, as_system():
            target = session.get(Enterprise, enterprise_id)
            for key, value in values.items():
                setattr(target, key, session.get(Region, value) if key == "region" else value)
            session.commit()
        donghu, xihu = assert_stored_is_live(app, DONGHU, XIHU)
        if "name" in values:
            assert row_of(donghu, made_id)["region_name"] == values["name"]
        if values.get("status") == "closed" or "deleted_at" in values:
            assert row_of(donghu, made_id) is None
        moved_to = values.get("region_code", values.get("region"))
        if moved_to:
            there, gone = (xihu, donghu) if moved_to == XIHU else (donghu, xihu)
            assert row_of(gone, enterprise_id) is None
            violations = 2 if enterprise_id == walk.enterprise_id else 0
            assert row_of(there, enterprise_id)["violation"] == violations


def test_a_docked_push_of_enterprises_and_an_inspection_keeps_it_equal(app, client):
    from enforcement.domain.uscc import make_uscc

    uscc = make_uscc("9", "1", DONGHU, "CA000001")
    enterprise = {
        "type": "enterprise",
        "id": "E-CA1",
        "data": {
            "name": "对接存储答案测试有限公司",
            "uscc": uscc,
            "region_code": DONGHU,
            "sector": "nonferrous",
            "address": "江西省南昌市东湖区对接路3号",
            "tags": ["confined_space"],
        },
    }
    cs = {"checklist_id": "confined_space", "checklist_version": "1.1.0"}
    inspection = {
        "type": "inspection",
        "id": "I-CA1",
        "data": {
            "enterprise_id": "E-CA1",
            "region_code": DONGHU,
            "status": "finished",
            "started_at": "2026-03-02T09:00:00+08:00",
            "finished_at": "2026-03-02T11:30:00+08:00",
            "participants": [{"name": "张三", "position": "安全员"}],
            "results": [
                {**cs, "item_id": "confined_space.yx01", "result": "fail"},
                {**cs, "item_id": "confined_space.yx04", "result": "pass"},
            ],
        },
    }

    def push(records: list[dict[str, Any]]) -> None:
        reply = client.post(
            "/api/v1/docking/batch",
            json={"source": "jx-answer", "records": records},
            headers=api_token(client, "docking_jx"),
        )
        assert reply.status_code == 200, reply.get_data(as_text=True)
        assert reply.json["rejected"] == [], reply.json["rejected"]

    # The enterprise alone goes in by bulk insert: its county is marked stale, answered live.
    push([enterprise])
    assert stored_row(app, DONGHU).payload is None
    table = answer(app, DONGHU)
    with live_only():
        assert table == answer(app, DONGHU)
    assert any(r["region_name"] == "对接存储答案测试有限公司" for r in table["rows"])

    with app.app_context():
        session = app.appbuilder.session
        assert answers.fill_stale(session.connection()) == 1
        session.rollback()  # left stale: the inspection below stores it again
        session.remove()

    # The docked inspection (a flush) stores the county again, with the enterprise's cells.
    push([inspection])
    (table,) = assert_stored_is_live(app, DONGHU)
    row = next(r for r in table["rows"] if r["region_name"] == "对接存储答案测试有限公司")
    assert (row["violation"], row["compliant"]) == (1, 1)


def test_a_filtered_request_and_a_stale_or_missing_row_are_answered_live(app):
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    # A stored answer that differs from the cells: an unfiltered request shows it, no filtered one.
    with app.app_context():
        connection = app.appbuilder.session.connection()
        planted = answers.compute(connection, DONGHU)
        planted["rows"] = [r | {"violation": 99} for r in planted["rows"]]
        connection.execute(
            update(answers.ANSWERS)
            .where(answers.ANSWERS.c.region_code == DONGHU)
            .values(payload=answers.dumps(planted))
        )
        app.appbuilder.session.commit()
        app.appbuilder.session.remove()
    assert row_of(answer(app, DONGHU), walk.enterprise_id)["violation"] == 99
    for filters in (
        {"plugin": "confined_space"},
        {"sector": "machinery"},
        {"tag": "confined_space"},
        {"item": "confined_space.yx01"},
        {"start": dt.date(2020, 1, 1)},
        {"end": dt.date(2030, 1, 1)},
    ):
        row = row_of(answer(app, DONGHU, **filters), walk.enterprise_id)
        assert row is None or row["violation"] != 99, filters
    with live_only():
        live = answer(app, DONGHU)
    assert row_of(live, walk.enterprise_id)["violation"] == 2

    # Stale (payload NULL), of another format, or missing: live.
    for values in ({"payload": None}, {"format": answers.FORMAT + 1}):
        with app.app_context():
            session = app.appbuilder.session
            session.execute(
                update(answers.ANSWERS)
                .where(answers.ANSWERS.c.region_code == DONGHU)
                .values({"payload": answers.dumps(planted), "format": answers.FORMAT} | values)
            )
            session.commit()
            session.remove()
        assert answer(app, DONGHU) == live, values
    with app.app_context():
        session = app.appbuilder.session
        session.execute(answers.ANSWERS.delete().where(answers.ANSWERS.c.region_code == DONGHU))
        session.commit()
        assert answers.fill(session.connection(), [DONGHU]) == 1
        session.commit()
        session.remove()
    assert_stored_is_live(app, DONGHU)


def test_an_answer_stored_for_other_checklists_is_shown_with_todays_columns(app):
    """A checklist published or retired since the answer was stored: the matrix is rebuilt for
    the columns of now, the cells of items then not shown included."""
    with db(app) as session:
        factories.hazards(session, checklists.platform_of(app))  # confined-space cells
    with live_only():
        live = answer(app, DONGHU)
    now = [i["id"] for i in live["matrix"]["items"]]
    then_columns = [
        [i for i in now if not i.startswith("confined_space.")] + ["retired.item"],  # published
        None,  # stored without an app: the cells found only
        now,
    ]
    for then in then_columns:
        with app.app_context():
            session = app.appbuilder.session
            connection = session.connection()
            stored = answers.compute(connection, DONGHU, then)
            connection.execute(
                update(answers.ANSWERS)
                .where(answers.ANSWERS.c.region_code == DONGHU)
                .values(**answers.stored_columns(stored), format=answers.FORMAT)
            )
            session.commit()
            session.remove()
        assert answer(app, DONGHU) == live, then


def test_a_county_outside_the_jurisdiction_is_404_and_inside_it_reads_the_stored_answer(app):
    client = app.test_client()
    headers = api_token(client, "nanchang")  # the leader of 南昌市

    def get(region: str) -> Any:
        return client.get(
            "/api/v1/statistics/key_items", query_string={"region": region}, headers=headers
        )

    own = get(DONGHU)
    assert own.status_code == 200
    body = own.json
    body.pop("as_of")
    page = answer(app, DONGHU)
    assert "matrix" not in body  # the API answers the grid at /matrix
    assert body == {key: value for key, value in page.items() if key != "matrix"}
    grid = client.get("/api/v1/statistics/matrix", query_string={"region": DONGHU}, headers=headers)
    assert grid.json == page["matrix"]
    assert stored_row(app, "510104") is not None  # 成都市锦江区: stored, and not theirs
    assert get("510104").status_code == 404

    # The stored row's own read is limited to the jurisdiction too, not only the request's 404.
    with app.app_context():
        session = app.appbuilder.session
        for jurisdiction, county, seen in (
            (Jurisdiction("360100"), DONGHU, True),
            (Jurisdiction("360100"), "510104", False),
            (Jurisdiction(DONGHU), XIHU, False),
            (DENIED, DONGHU, False),
            (Jurisdiction(None), "510104", True),
        ):
            with acting_as(Actor("t", jurisdiction)):
                found = answers.read(session, Query(county, "county"))
            assert (found is not None) is seen, (jurisdiction, county)
            session.rollback()
        session.remove()


def test_the_payload_unpickles_plain_values_only():
    import pickle

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (print, ("never",))

    assert answers.loads(answers.dumps({"rows": [{"a": 1}], "x": None})) == {
        "rows": [{"a": 1}],
        "x": None,
    }
    with pytest.raises(pickle.UnpicklingError):
        answers.loads(zlib.compress(pickle.dumps(Evil())))


def test_two_enterprises_of_one_county_finished_at_once_both_show_in_the_stored_answer(app):
    """Two writers in one county: the second waits for the first's lock on the county's answer
    and recomputes after it committed. (On PostgreSQL the two run at once: without the lock, the
    second would count without the first's uncommitted cell and store that last.)"""
    with app.app_context():
        engine = app.appbuilder.session.get_bind()
        with engine.connect() as connection:
            two = (
                connection.execute(
                    select(Enterprise.id)
                    .where(
                        Enterprise.region_code == DONGHU,
                        Enterprise.status == "operating",
                        Enterprise.deleted_at.is_(None),
                    )
                    .order_by(Enterprise.id)
                    .limit(2)
                )
                .scalars()
                .all()
            )
            inspections = connection.scalars(select(Inspection.id).limit(2)).all()
        first_done = threading.Event()
        errors: list[BaseException] = []

        def finish(enterprise_id: int, inspection_id: int, item: str, hold: bool) -> None:
            try:
                with engine.begin() as connection:
                    connection.execute(
                        ItemResult.__table__.insert().values(
                            inspection_id=inspection_id,
                            enterprise_id=enterprise_id,
                            region_code=DONGHU,
                            plugin_id="test",
                            item_id=item,
                            checked_on=dt.date(2026, 5, 1),
                            violation=False,
                        )
                    )
                    # Different items: no rollup row in common, only the county's answer.
                    maintain.refresh_cells(connection, [(enterprise_id, item)])
                    if hold:
                        first_done.set()
                        threading.Event().wait(0.5)  # the other one runs into this one now
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)

        one = threading.Thread(target=finish, args=(two[0], inspections[0], "test.a", True))
        one.start()
        first_done.wait(5)
        other = threading.Thread(target=finish, args=(two[1], inspections[1], "test.b", False))
        other.start()
        one.join(10)
        other.join(10)
        assert errors == []
        with engine.connect() as connection:
            payload = connection.scalar(
                select(CountyAnswer.matrix).where(CountyAnswer.region_code == DONGHU)
            )
    stored = answers.loads(payload)
    # The test items are no checklist's: kept aside from the matrix's columns, or the only cells.
    cells = {row["enterprise_id"]: row["cells"] for row in stored["matrix"]}
    for enterprise_id, item in ((two[0], "test.a"), (two[1], "test.b")):
        found = cells[enterprise_id] | stored["extra"].get(enterprise_id, {})
        assert found[item]["status"] == "compliant", (enterprise_id, item)
