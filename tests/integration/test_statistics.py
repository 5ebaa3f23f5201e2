"""统计查询: every figure of a hand-made data set (support/statistics_data.py) counted by hand,
jurisdiction per report and export, drill links keeping every filter, the rollup equal to the cells,
and the Excel file equal to the API."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from sqlalchemy import select

from enforcement.db.acting import Actor, acting_as
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import Hazard
from enforcement.models.statistics import ItemCell
from enforcement.services import statistics as service
from enforcement.services.checklists import platform_of
from enforcement.services.statistics import figures
from enforcement.services.statistics.core import By
from support import statistics_data as data
from support.web import api_token, logged_in

REPORTS = list(service.REPORTS)


@pytest.fixture(scope="module")
def built(app: Any) -> data.Built:
    with app.app_context():
        made = data.build(app.appbuilder.session)
        app.appbuilder.session.remove()
    return made


def api(app: Any, report: str, username: str = "admin", **params: str) -> Any:
    client = app.test_client()
    return client.get(
        f"/api/v1/statistics/{report}", query_string=params, headers=api_token(client, username)
    )


def rows(answer: Any) -> dict[str, dict[str, Any]]:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {row["region_code"]: row for row in answer.json["rows"]}


def by_enterprise(answer: Any) -> dict[int, dict[str, Any]]:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return {row["enterprise_id"]: row for row in answer.json["rows"]}


def test_enterprise_base_counts_active_enterprises_by_child_region_and_tag(app, built):
    answer = api(app, "enterprise_base", region=data.QINGHAI)
    assert answer.json["region"] == {"code": "630000", "name": "青海省", "level": "province"}
    table = rows(answer)
    assert table[data.XINING]["enterprises"] == 3  # E3 is closed
    assert table[data.XINING]["tag_confined_space"] == 2
    assert table[data.XINING]["tag_dust"] == 2
    assert table[data.HAIDONG]["enterprises"] == 1
    assert answer.json["total"]["enterprises"] == 4
    assert {c["key"] for c in answer.json["columns"]} >= {"enterprises", "tag_dust"}


def test_at_county_level_the_rows_are_the_enterprises(app, built):
    table = by_enterprise(api(app, "enterprise_base", region=data.CHENGDONG))
    assert set(table) == {built.enterprises["E1"], built.enterprises["E2"]}
    assert all(row["enterprises"] == 1 for row in table.values())


def test_key_items_count_each_cell_by_its_latest_inspection(app, built):
    table = rows(api(app, "key_items", region=data.XINING))
    east, centre = table[data.CHENGDONG], table[data.CHENGZHONG]
    # E1: YX-01 failed again at I4 (H4 open) → 发现违法; ZR-01, ZR-02 合格; E2: FC-01, ZR-01 合格.
    assert (east["checked"], east["compliant"], east["violation"], east["remaining"]) == (
        5,
        4,
        1,
        1,
    )
    # E4: FC-01 escalated to a case, YX-01 合格.
    assert (centre["checked"], centre["compliant"], centre["escalated"]) == (2, 1, 1)
    assert centre["remaining"] == 0


def test_a_hazard_moving_shows_at_every_level_at_once(app, built):
    with app.app_context(), acting_as(Actor("system", Jurisdiction(None))):
        session = app.appbuilder.session
        hazard = session.get(Hazard, built.hazards["H4"])
        hazard.status = "rectifying"
        session.commit()
        session.remove()
    try:
        for region, child in ((data.XINING, data.CHENGDONG), (data.QINGHAI, data.XINING)):
            row = rows(api(app, "key_items", region=region))[child]
            assert (row["violation"], row["rectifying"], row["remaining"]) == (0, 1, 1)
        nation = rows(api(app, "key_items", region="000000"))[data.QINGHAI]
        assert nation["rectifying"] == 1 and nation["violation"] == 0
    finally:
        with app.app_context(), acting_as(Actor("system", Jurisdiction(None))):
            session = app.appbuilder.session
            session.get(Hazard, built.hazards["H4"]).status = "open"
            session.commit()
            session.remove()


def test_the_matrix_shows_every_enterprise_against_every_item(app, built):
    answer = api(app, "matrix", region=data.CHENGDONG)
    assert answer.status_code == 200
    cells = {row["enterprise_id"]: row["cells"] for row in answer.json["rows"]}
    e1, e2 = cells[built.enterprises["E1"]], cells[built.enterprises["E2"]]
    assert e1[data.YX01]["label"] == "发现违法"
    assert e1[data.ZR01]["label"] == "合格"
    assert e2[data.FC01]["label"] == "合格"
    assert e2[data.YX01]["label"] == "未检查"
    assert any(i["id"].startswith("duty7.") for i in answer.json["items"])


def test_violations_count_rectification_and_recurrence(app, built):
    answer = api(app, "violations", region=data.XINING)
    table = rows(answer)
    east = table[data.CHENGDONG]
    assert (east["hazards"], east["major"], east["open"], east["rectified"]) == (3, 1, 2, 1)
    assert east["recurrences"] == 1  # YX-01 at E1 failed at I1 and again at I4
    assert east["rectification_rate"] == pytest.approx(1 / 3, abs=1e-4)
    centre = table[data.CHENGZHONG]
    assert (centre["hazards"], centre["escalated"], centre["rectification_rate"]) == (1, 1, 0)
    total = answer.json["total"]
    assert (total["hazards"], total["rectified"], total["recurrences"]) == (4, 1, 1)
    assert total["rectification_rate"] == 0.25
    by_item = {row["key"]: row for row in answer.json["by_item"]}
    assert by_item[data.YX01]["hazards"] == 2 and by_item[data.YX01]["recurrences"] == 1
    severity = {row["label"]: row["hazards"] for row in answer.json["by_severity"]}
    assert severity == {"一般隐患": 3, "重大事故隐患": 1}


def test_measures_count_confirmed_measures_cases_and_penalties(app, built):
    table = rows(api(app, "measures", region=data.XINING))
    east, centre = table[data.CHENGDONG], table[data.CHENGZHONG]
    assert (east["immediate"], east["deadline"], east["file_case"]) == (1, 1, 0)  # H4 unconfirmed
    assert (centre["file_case"], centre["cases"], centre["penalties"]) == (1, 1, 2)


def test_activity_counts_the_work_and_each_inspector_once(app, built):
    answer = api(app, "activity", region=data.XINING)
    table = rows(answer)
    east, centre = table[data.CHENGDONG], table[data.CHENGZHONG]
    assert (east["tasks"], east["inspections"], east["inspectors"]) == (3, 3, 2)
    assert (centre["tasks"], centre["inspections"], centre["inspectors"]) == (1, 1, 1)
    assert (east["tasks_done"], east["plan_progress"]) == (3, 1.0)
    assert answer.json["total"]["inspectors"] == 2  # Y worked in both counties
    assert east["online_rate"] == 0 and centre["online_rate"] == pytest.approx(1 / 3, abs=1e-4)
    province = rows(api(app, "activity", region=data.QINGHAI))
    assert province[data.XINING]["plans"] == 1


def test_penalties_sum_amounts_and_list_them_searchably(app, built):
    answer = api(app, "penalties", region=data.XINING)
    centre = rows(answer)[data.CHENGZHONG]
    assert (centre["cases"], centre["penalties"], centre["fines"], centre["paid"]) == (
        1,
        2,
        50000.0,
        50000.0,
    )
    assert [p["kind"] for p in answer.json["list"]] == ["警告", "罚款"] or len(
        answer.json["list"]
    ) == 2
    searched = api(app, "penalties", region=data.XINING, q="青统测罚")
    assert {p["enterprise"] for p in searched.json["list"]} == {"青海统计丁有限公司"}
    assert api(app, "penalties", region=data.XINING, q="没有这个").json["list"] == []


def test_region_summary_computes_the_three_targets_from_declared_denominators(app, built):
    answer = api(app, "region_summary", region=data.QINGHAI, to="2026-12-31")
    xining = rows(answer)[data.XINING]
    assert (xining["enterprises"], xining["enforcers"], xining["trained"]) == (3, 2, 1)
    assert (xining["enterprises_expected"], xining["cases_expected"]) == (6, 5)
    assert xining["entry_rate"] == pytest.approx(5 / 6, abs=1e-4)
    assert xining["training_rate"] == 0.5
    assert xining["online_rate"] == 0.2
    assert answer.json["total"]["cases_expected"] == 5


def test_the_summary_page_shows_targets_and_plan_progress_as_percentages(app, built):
    client = logged_in(app, "admin")
    page = client.get(
        "/statistics/region_summary/", query_string={"region": data.QINGHAI, "to": "2026-12-31"}
    ).get_data(as_text=True)
    assert "83.3%" in page and "50.0%" in page and "20.0%" in page
    progress = api(app, "region_summary", region=data.QINGHAI, to="2026-12-31").json["total"]
    cells = re.findall(r'<td class="num" data-key="(\w+)">([^<]*)</td>', page)
    shown = {key: value for key, value in cells}  # the last row: 合计
    assert shown["entry_rate"] == f"{progress['entry_rate'] * 100:.1f}%"
    assert shown["plan_progress"] == (
        "—" if progress["plan_progress"] is None else f"{progress['plan_progress'] * 100:.1f}%"
    )
    assert all(
        value == "—" or value.endswith("%") for key, value in cells if key == "plan_progress"
    )


def test_total_is_the_sum_of_the_rows_for_additive_figures(app, built):
    for report in REPORTS:
        answer = api(app, report, region=data.XINING)
        ratio = {
            "rectification_rate",
            "online_rate",
            "entry_rate",
            "training_rate",
            "plan_progress",
            "inspectors",
        }
        for column in answer.json["columns"]:
            key = column["key"]
            if key in ratio:
                continue
            assert answer.json["total"][key] == pytest.approx(
                sum(row[key] or 0 for row in answer.json["rows"])
            ), (report, key)


def test_filters_narrow_the_figures(app, built):
    dusty = rows(api(app, "enterprise_base", region=data.XINING, tag="dust"))
    assert dusty[data.CHENGDONG]["enterprises"] == 1
    light = rows(api(app, "key_items", region=data.XINING, sector="light_industry"))
    assert light[data.CHENGDONG]["checked"] == 0 and light[data.CHENGZHONG]["checked"] == 2
    spring = rows(
        api(app, "violations", region=data.XINING, **{"from": "2026-03-01", "to": "2026-04-30"})
    )
    assert spring[data.CHENGDONG]["hazards"] == 2
    item = rows(api(app, "key_items", region=data.XINING, item=data.FC01))
    assert item[data.CHENGDONG]["checked"] == 1 and item[data.CHENGZHONG]["escalated"] == 1


def test_the_rollup_answers_exactly_what_the_cells_answer(app, built):
    with app.app_context():
        session = app.appbuilder.session
        platform = platform_of(app)
        for region in ("000000", data.QINGHAI, data.XINING):
            for params in ({}, {"sector": "machinery"}, {"plugin": "duty7"}, {"item": data.YX01}):
                query = service.parse_query(session, platform, {"region": region, **params})
                from_cells = figures.key_items_from_cells(session, query, By(query))
                from_cells = {k.ljust(6, "0"): v for k, v in from_cells.items()}
                assert figures.key_items_from_rollup(session, query) == from_cells, (region, params)
                assert figures.key_items_by_item(session, query) == figures.key_items_by_item(
                    session, query, use_rollup=False
                )
        session.remove()


KEY_ITEM_FILTERS = (
    {},
    {"sector": "machinery"},
    {"plugin": "duty7"},
    {"item": data.YX01},
    {"tag": "dust"},
    {"from": "2026-04-01", "to": "2026-05-31"},
    {"plugin": "dust", "sector": "machinery", "from": "2026-01-01"},
)


def _set_status(app: Any, enterprise_id: int, status: str) -> None:
    from enforcement.models import Enterprise

    with app.app_context(), acting_as(Actor("system", Jurisdiction(None))):
        session = app.appbuilder.session
        session.get(Enterprise, enterprise_id).status = status
        session.commit()
        session.remove()


def test_key_items_in_one_statement_answers_what_each_group_by_answers(app, built):
    """services/statistics/items.py reads 重点事项情况 in one statement per request; the GROUP BYs
    of figures.py (over the cells, over the rollup) and the cells themselves must give the same
    figures at every level under every filter, with a closed enterprise (E2, closed for the test)
    whose cells still count per item but give no row and no matrix line."""
    from enforcement.services.statistics import core, items

    _set_status(app, built.enterprises["E2"], "closed")
    try:
        with app.app_context():
            session = app.appbuilder.session
            platform = platform_of(app)
            for region in ("000000", data.QINGHAI, data.XINING, data.CHENGDONG, data.CHENGZHONG):
                for params in KEY_ITEM_FILTERS:
                    where = (region, params)
                    query = service.parse_query(session, platform, {"region": region, **params})
                    expected_by_item = figures.key_items_by_item(session, query)
                    from_cells = figures.key_items_from_cells(session, query, By(query))
                    if query.level != "county":
                        counted, by_item = items.counts(session, query)
                        assert {core.child_code(query, k): v for k, v in counted.items()} == {
                            core.child_code(query, k): v for k, v in from_cells.items()
                        }, where
                        assert by_item == expected_by_item, where
                        continue
                    read, counted, by_item = items.county(session, query)
                    listed = core.enterprises_in(session, query)
                    assert read.listed == listed, where
                    ids = {i for i, _ in listed}
                    assert counted == {k: v for k, v in from_cells.items() if k in ids}, where
                    assert by_item == expected_by_item, where
                    cells = {
                        (c.enterprise_id, c.item_id): (c.status, c.checked_on.isoformat())
                        for c in session.scalars(
                            select(ItemCell).where(ItemCell.enterprise_id.in_(ids or [0]))
                        )
                    }
                    grid = service.matrix(session, platform, query)
                    assert [(r["enterprise_id"], r["name"]) for r in grid["rows"]] == listed
                    for row in grid["rows"]:
                        for item in grid["items"]:
                            cell = row["cells"][item["id"]]
                            found = cells.get((row["enterprise_id"], item["id"]))
                            assert (cell["status"], cell["checked_on"]) == (
                                found or ("unchecked", "")
                            ), where
            # The closed enterprise: no row, its cells still in the county's per-item table.
            query = service.parse_query(session, platform, {"region": data.CHENGDONG})
            read, counted, by_item = items.county(session, query)
            assert built.enterprises["E2"] not in counted
            assert {r["item_id"]: r["checked"] for r in by_item}[data.FC01] == 1
            session.remove()
    finally:
        _set_status(app, built.enterprises["E2"], "operating")


def test_a_city_leader_sees_their_city_and_below_and_nothing_else(app, built):
    for report in REPORTS + ["matrix"]:
        for region, status in (
            ("360100", 200),
            ("360102", 200),
            ("360000", 404),
            ("000000", 404),
            (data.QINGHAI, 404),
            (data.CHENGDONG, 404),
        ):
            if report == "matrix" and status == 200 and region == "360100":
                continue  # the matrix is per county
            answer = api(app, report, "nanchang", region=region)
            assert answer.status_code == status, (report, region, answer.get_data(as_text=True))
        default = api(app, report if report != "matrix" else "key_items", "nanchang")
        assert default.json["region"]["code"] == "360100"


def test_every_export_follows_the_jurisdiction(app, built):
    client = logged_in(app, "nanchang")
    for report in REPORTS:
        assert client.get(f"/statistics/{report}.xlsx?region=360102").status_code == 200
        assert client.get(f"/statistics/{report}.xlsx?region={data.QINGHAI}").status_code == 404
        token = api_token(client, "nanchang")
        outside = client.get(f"/api/v1/statistics/{report}.xlsx?region=000000", headers=token)
        assert outside.status_code == 404


def test_an_enterprise_outside_the_jurisdiction_is_absent(app, built):
    answer = api(app, f"enterprise/{built.enterprises['E1']}", "nanchang")
    assert answer.status_code == 404
    mine = api(app, f"enterprise/{built.enterprises['E1']}")
    assert mine.status_code == 200
    statuses = {i["id"]: i["cell"]["label"] for i in mine.json["items"]}
    assert statuses[data.YX01] == "发现违法" and statuses[data.ZR02] == "合格"


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"region": "36"}, "/region"),
        ({"region": "999900"}, "/region"),
        ({"from": "2026-13-01"}, "/from"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "/to"),
        ({"plugin": "nope"}, "/plugin"),
        ({"sector": "nope"}, "/sector"),
        ({"tag": "nope"}, "/tag"),
        ({"item": "nope"}, "/item"),
    ],
)
def test_bad_parameters_answer_400_in_chinese_at_the_parameter(app, built, params, path):
    answer = api(app, "key_items", **params)
    assert answer.status_code == 400
    assert answer.json["errors"][0]["path"] == path
    assert re.search(r"[\u4e00-\u9fff]", answer.json["message"])


def test_an_unknown_report_is_404(app, built):
    assert api(app, "nothing").status_code == 404


def test_the_excel_file_holds_the_api_figures(app, built):
    answer = api(app, "violations", region=data.XINING)
    client = logged_in(app, "admin")
    download = client.get(f"/statistics/violations.xlsx?region={data.XINING}")
    assert download.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    sheet = book.worksheets[0]
    assert sheet.title.startswith("违法行为情况")
    assert sheet.freeze_panes == "B2"
    header = [c.value for c in sheet[1]]
    assert header[0] == "地区" and header[1] == "违法行为（隐患）数"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    by_name = {row[0]: row for row in values}
    keys = [c["key"] for c in answer.json["columns"]]
    for row in answer.json["rows"]:
        for position, key in enumerate(keys, start=1):
            assert (by_name[row["region_name"]][position] or 0) == pytest.approx(row[key] or 0)
    total = by_name["合计"]
    assert total[1] == answer.json["total"]["hazards"]
    assert sheet.cell(row=2, column=keys.index("rectification_rate") + 2).number_format == "0.0%"
    assert [s.title for s in book.worksheets][1:] == ["按检查事项", "按行业", "按严重程度"]


def test_the_county_excel_carries_the_item_matrix(app, built):
    client = logged_in(app, "admin")
    download = client.get(f"/statistics/key_items.xlsx?region={data.CHENGDONG}&plugin=duty7")
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    grid = book["企业检查事项矩阵"]
    header = [c.value for c in grid[1]]
    assert header[0] == "企业" and header[1].startswith("ZR-01")
    by_name = {row[0].value: [c.value for c in row] for row in grid.iter_rows(min_row=2)}
    assert by_name["青海统计甲有限公司"][1] == "合格"  # ZR-01 of E1
    assert by_name["青海统计乙有限公司"][2] == "未检查"  # ZR-02 of E2


LEVELS = ("000000", data.QINGHAI, data.XINING, data.CHENGDONG)
FILTERS = (
    {},
    {"sector": "machinery"},
    {"tag": "dust", "from": "2026-01-01"},
    {"plugin": "confined_space", "to": "2026-12-31"},
    {"item": data.ZR01, "sector": "machinery", "tag": "confined_space"},
)


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("region", LEVELS)
def test_drill_links_keep_every_filter(app, built, region, filters):
    client = logged_in(app, "admin")
    page = client.get("/statistics/key_items/", query_string={"region": region, **filters})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "数据截至" in text
    links = [unescape(h) for h in re.findall(r'class="stat-drill" href="([^"]+)"', text)]
    assert links, "the table links every row"
    for link in links + [unescape(re.search(r'id="stat-export" href="([^"]+)"', text).group(1))]:
        query = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
        for key, value in filters.items():
            assert query.get(key) == value, (link, key)
    if region == data.CHENGDONG:
        assert all("/statistics/enterprise/" in link for link in links)
        detail = client.get(links[0])
        assert detail.status_code == 200
        back = unescape(
            re.search(r'id="stat-back" href="([^"]+)"', detail.get_data(as_text=True)).group(1)
        )
        kept = {k: v[0] for k, v in parse_qs(urlparse(back).query).items()}
        assert kept == {"region": region, **filters}


def test_every_report_page_renders_for_a_leader(app, built):
    client = logged_in(app, "nanchang")
    for report in REPORTS + ["charts"]:
        page = client.get(f"/statistics/{report}/")
        assert page.status_code == 200, report
        assert "数据截至" in page.get_data(as_text=True)
    county = client.get("/statistics/key_items/?region=360102")
    assert 'id="stat-matrix"' in county.get_data(as_text=True)
    bad = client.get("/statistics/key_items/?from=2026-99-01")
    assert "开始日期应为日期" in bad.get_data(as_text=True)
    assert 'value="2026-99-01"' in bad.get_data(as_text=True)


def test_echarts_and_the_boundaries_are_served_by_the_app(app, built):
    client = logged_in(app, "admin")
    assert b"echarts" in client.get("/statistics/echarts.js").data[:2000].lower()
    assert client.get("/statistics/maps/china.js").status_code == 200
    assert client.get("/statistics/maps/city/360100.json").status_code == 200
    chart = client.get("/statistics/charts/").get_data(as_text=True)
    assert (
        "/statistics/echarts.js" in chart and "https://" not in chart.split("chart-data")[0][-3000:]
    )


def test_cells_match_the_hand_count(app, built):
    with app.app_context():
        session = app.appbuilder.session
        cells = {
            (c.enterprise_id, c.item_id): c.status
            for c in session.scalars(
                select(ItemCell).where(ItemCell.region_code.between("630000", "639999"))
            )
        }
        session.remove()
    e1, e2, e4 = (built.enterprises[k] for k in ("E1", "E2", "E4"))
    assert cells == {
        (e1, data.YX01): "violation",
        (e1, data.ZR01): "compliant",
        (e1, data.ZR02): "compliant",
        (e2, data.FC01): "compliant",
        (e2, data.ZR01): "compliant",
        (e4, data.FC01): "escalated",
        (e4, data.YX01): "compliant",
    }


def test_cells_follow_an_enterprise_that_changes_sector_or_is_deleted(app, built):
    import datetime as dt

    from enforcement.db.scoping import UNSCOPED
    from enforcement.models import Enterprise

    def change(**values: Any) -> None:
        with app.app_context(), acting_as(Actor("system", Jurisdiction(None))):
            session = app.appbuilder.session
            found = session.get(
                Enterprise, built.enterprises["E2"], execution_options={UNSCOPED: True}
            )
            for key, value in values.items():
                setattr(found, key, value)
            session.commit()
            session.remove()

    try:
        change(sector="textile")
        textile = rows(api(app, "key_items", region=data.XINING, sector="textile"))
        assert textile[data.CHENGDONG]["checked"] == 2
        machinery = rows(api(app, "key_items", region=data.QINGHAI, sector="machinery"))
        assert machinery[data.XINING]["checked"] == 3  # E1's three cells
        change(deleted_at=dt.datetime(2026, 11, 1), deleted_by="system")
        assert rows(api(app, "key_items", region=data.XINING))[data.CHENGDONG]["checked"] == 3
    finally:
        change(sector="machinery", deleted_at=None, deleted_by=None)
    assert rows(api(app, "key_items", region=data.XINING))[data.CHENGDONG]["checked"] == 5


def test_a_leader_declares_denominators_for_their_region_only(app, built):
    client = logged_in(app, "nanchang")
    saved = client.post(
        "/statistics/targets/",
        data={"region_code": "360102", "year": "2026", "enterprises_expected": "120"},
    )
    assert saved.status_code == 302
    listed = client.get("/statistics/targets/").get_data(as_text=True)
    assert "东湖区" in listed and "120" in listed
    refused = client.post(
        "/statistics/targets/",
        data={"region_code": data.QINGHAI, "year": "2026", "cases_expected": "-3"},
    ).get_data(as_text=True)
    assert "该行政区划不在您的管辖范围内" in refused
    assert "应办案件数（含线下办理）应为不超过" in refused
    assert 'value="-3"' in refused
    summary = rows(api(app, "region_summary", "nanchang", region="360100", to="2026-12-31"))
    assert summary["360102"]["enterprises_expected"] == 120
    inspector = logged_in(app, "donghu").get("/statistics/targets/")
    assert inspector.status_code in (302, 403)
