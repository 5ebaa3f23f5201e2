"""A new inspection, finished through the services, shows in 统计查询 at once at every level, and so
does each later move of its hazards (the rollup is kept in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcement.models import Hazard
from enforcement.services import checklists, rectification
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
        for hazard_id in walk.hazard_ids:
            hazard = session.get(Hazard, hazard_id)
            rectification.confirm_measure(
                session, hazard, "deadline", deadline=dt.date.today() + dt.timedelta(days=10)
            )
        rectification.issue_rectification_order(
            session, session.get(Hazard, walk.hazard_ids[0]).inspection
        )
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
