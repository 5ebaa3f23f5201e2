"""A national leader drills 重点事项情况 from 全国 to one enterprise's item matrix, on the map and in
the table, exports Excel and finds the page's figures in the file; nothing comes from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import openpyxl
import pytest
from playwright.sync_api import expect

from support.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


# As tests/e2e/test_field.py: Chinese pages, item codes (ZR-01) and file formats aside.
ALLOWED_LATIN = {"Excel", "PDF"}
LATIN = re.compile(r"[A-Za-z][A-Za-z_.\-]*[A-Za-z]|[A-Za-z]")
NOT_WORDS = re.compile(r"\b[A-Z]{1,4}-\d+\b|\b[0-9A-Z]{18}\b")


def latin_words(page) -> set[str]:
    text = NOT_WORDS.sub(" ", page.evaluate("() => document.body.innerText"))
    return set(LATIN.findall(text)) - ALLOWED_LATIN


def drill(browsing, name: str) -> None:
    page = browsing.page
    with page.expect_navigation():
        page.locator("#stat-table a.stat-drill", has_text=name).first.click()


def test_a_leader_drills_from_the_nation_to_an_enterprise_and_exports_excel(browsing, tmp_path):
    page = browsing.page
    browsing.log_in("admin", DEMO_PASSWORD)

    # The map of 统计分析图: the provinces' boundaries are the app's own, drawn on a canvas.
    browsing.goto("/statistics/charts/")
    expect(page.locator("#chart-map canvas")).to_be_visible()
    expect(page.locator("#chart-bar canvas")).to_be_visible()
    browsing.shot("map")
    assert latin_words(page) == set()

    browsing.goto("/statistics/key_items/?plugin=duty7")
    expect(page.locator("#stat-asof")).to_contain_text("数据截至")
    expect(page.locator("#stat-crumbs")).to_contain_text("全国")
    drill(browsing, "江西省")
    drill(browsing, "南昌市")
    drill(browsing, "东湖区")
    expect(page.locator("#stat-crumbs")).to_contain_text("东湖区")
    matrix = page.locator("#stat-matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("thead")).to_contain_text("ZR-01")  # the filter 主要负责人履职 stayed on
    assert "plugin=duty7" in page.url
    if browsing.is_phone:
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"the county page is {width} px wide on a 390 px phone"
    browsing.shot("county")
    assert latin_words(page) == set()

    # The county's Excel: the same enterprises and totals as the table on the page.
    total = {
        cell.get_attribute("data-key"): cell.inner_text()
        for cell in page.locator("#stat-total td[data-key]").all()
    }
    with page.expect_download() as download:
        page.click("#stat-export")
    path = tmp_path / "key_items.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "合计"
    assert header.index("已检查事项数") > 0
    assert str(last[header.index("已检查事项数")]) == total["checked"]
    assert str(last[header.index("未消除违法数")]) == total["remaining"]

    with page.expect_navigation():
        matrix.locator("tbody a").first.click()
    expect(page.locator("#stat-enterprise-items")).to_be_visible()
    expect(page.locator("#stat-enterprise-items")).to_contain_text("主要负责人")
    browsing.shot("enterprise")
    assert latin_words(page) == set()
    with page.expect_navigation():
        page.click("#stat-back")
    assert "plugin=duty7" in page.url and "region=360102" in page.url

    hosts = {urlsplit(url).netloc for url in browsing.requests if url.startswith("http")}
    assert hosts == {urlsplit(browsing.server.url).netloc}, hosts
