"""A new inspection, finished through the services, shows in 统计查询 at once at every level, and so
does each later move of its hazards (the rollup is kept in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcement.services import checklists
from support import factories
from support.demo import DONGHU, db
from support.factories import as_inspector
from support.web import api_token, key_items

YX01, YX02, YX03 = "confined_space.yx01", "confined_space.yx02", "confined_space.yx03"


def counts(app: Any) -> dict[str, dict[str, int]]:
    """The confined-space counts of 东湖区 from the city, province and nation tables."""
    out = {}
    for region, child in (("360100", DONGHU), ("360000", "360100"), ("000000", "360000")):
        row = next(r for r in key_items(app, region)["rows"] if r["region_code"] == child)
        out[region] = {k: row[k] for k in ("checked", "violation", "rectifying", "remaining")}
    return out


def test_a_finished_inspection_and_its_hazards_show_at_every_level_at_once(app):
    before = counts(app)
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    after = counts(app)
    for region in after:
        # Four items, two failed (YX-01 for the enterprise, YX-02 for one of its two spaces).
        assert after[region]["checked"] - before[region]["checked"] == 4, region
        assert after[region]["violation"] - before[region]["violation"] == 2, region
    county = {
        r["enterprise_id"]: r
        for r in key_items(app, DONGHU)["rows"]
        if r["enterprise_id"] == walk.enterprise_id
    }
    assert county[walk.enterprise_id]["violation"] == 2
    assert county[walk.enterprise_id]["compliant"] == 2

    with db(app) as session, as_inspector():
        factories.order(session, walk, deadline=dt.date.today() + dt.timedelta(days=10))
    moved = counts(app)
    for region in moved:
        assert moved[region]["violation"] == before[region]["violation"], region
        assert moved[region]["rectifying"] - before[region]["rectifying"] == 2, region
        assert moved[region]["remaining"] - before[region]["remaining"] == 2, region

    client = app.test_client()
    detail = client.get(
        f"/api/v1/statistics/enterprise/{walk.enterprise_id}", headers=api_token(client, "admin")
    ).json
    items = {i["id"]: i for i in detail["items"]}
    assert items[YX01]["cell"]["label"] == "整改中"
    assert items[YX03]["cell"]["label"] == "合格"
    # YX-02 repeats per confined space: one failed, one passed.
    assert sorted(e["result"] for e in items[YX02]["equipment"]) == ["发现违法", "合格"]


def test_two_inspections_of_one_enterprise_saved_at_once_count_its_cell_once(app):
    """Two inspectors finish inspections of the same enterprise at the same moment: the second
    waits for the first and counts the cell once, without an error (on PostgreSQL both transactions
    run at once; SQLite makes the second writer wait for the first)."""
    import threading

    from sqlalchemy import select

    from enforcement.models import Enterprise, Inspection
    from enforcement.models.statistics import ItemCell, ItemResult, ItemRollup
    from enforcement.services.statistics import maintain

    item = "test.concurrent_item"
    with app.app_context():
        engine = app.appbuilder.session.get_bind()
        with engine.connect() as connection:
            enterprise = connection.execute(
                select(Enterprise.id, Enterprise.region_code).where(
                    Enterprise.region_code == DONGHU
                )
            ).first()
            inspections = connection.scalars(select(Inspection.id).limit(2)).all()
        first_done = threading.Event()
        errors: list[BaseException] = []

        def finish(inspection_id: int, day: dt.date, hold: bool) -> None:
            try:
                with engine.begin() as connection:
                    connection.execute(
                        ItemResult.__table__.insert().values(
                            inspection_id=inspection_id,
                            enterprise_id=enterprise.id,
                            region_code=enterprise.region_code,
                            plugin_id="test",
                            item_id=item,
                            checked_on=day,
                            violation=False,
                        )
                    )
                    maintain.refresh_cells(connection, [(enterprise.id, item)])
                    if hold:
                        first_done.set()
                        threading.Event().wait(0.5)  # the other one runs into this one now
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)

        one = threading.Thread(target=finish, args=(inspections[0], dt.date(2026, 5, 1), True))
        one.start()
        first_done.wait(5)
        two = threading.Thread(target=finish, args=(inspections[1], dt.date(2026, 5, 2), False))
        two.start()
        one.join(10)
        two.join(10)
        assert errors == []
        with engine.connect() as connection:
            cells = connection.execute(
                select(ItemCell.status, ItemCell.checked_on).where(ItemCell.item_id == item)
            ).all()
            county = connection.scalar(
                select(ItemRollup.cells).where(
                    ItemRollup.item_id == item,
                    ItemRollup.region_code == DONGHU,
                    ItemRollup.sector == "*",
                    ItemRollup.status == "compliant",
                )
            )
    assert cells == [("compliant", dt.date(2026, 5, 2))]
    assert county == 1
