"""What an inspector of 南昌市东湖区 sees in a real browser, on a desktop and on a phone.

Runs against the live server of tests/e2e/conftest.py (SQLite, demo data, CSRF on) in Debian Chromium.
Screenshots of every step: test-artifacts/screenshots/<test>-<viewport>-<NN>-<step>.png.
"""

from __future__ import annotations

import io
import random
import re
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import pytest
import xlsxwriter
from playwright.sync_api import expect
from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.demo import GENERIC_BRANDS, PILOT_CITIES, PROFILES
from enforcement.domain.uscc import make_uscc
from enforcement.models import Enterprise, Equipment
from support.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

DISTRICT = "360102"  # 南昌市东湖区, donghu's jurisdiction
DISTRICT_NAME = "江西省南昌市东湖区"
TOP_MENUS = ["我的工作台", "统计查询", "执法资源库", "系统维护配置"]
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# ------------------------------------------------------------------------------------------------
# Helpers


def unscoped_enterprises(server: Any) -> list[Enterprise]:
    """Every live (not soft-deleted) enterprise, whatever the jurisdiction, straight from the database."""
    app = server.app
    with app.app_context():
        session = app.appbuilder.session
        try:
            statement = (
                select(Enterprise)
                .where(Enterprise.deleted_at.is_(None))
                .order_by(Enterprise.id)
                .execution_options(**{UNSCOPED: True})
            )
            enterprises = list(session.scalars(statement).unique())
            session.expunge_all()
            return enterprises
        finally:
            session.remove()


def enterprise_with_equipment(server: Any) -> tuple[int, str, list[str]]:
    """(id, name, equipment names) of a 东湖区 enterprise with a registered piece of equipment."""
    app = server.app
    with app.app_context():
        session = app.appbuilder.session
        try:
            rows = session.execute(
                select(Enterprise.id, Enterprise.name, Equipment.name)
                .join(Equipment, Equipment.enterprise_id == Enterprise.id)
                .where(
                    Enterprise.region_code == DISTRICT,
                    Enterprise.deleted_at.is_(None),
                    Equipment.deleted_at.is_(None),
                )
                .order_by(Enterprise.id, Equipment.id)
                .execution_options(**{UNSCOPED: True})
            ).all()
        finally:
            session.remove()
    assert rows, f"the demo data has no enterprise with equipment in {DISTRICT}"
    first_id, first_name = rows[0][0], rows[0][1]
    return first_id, first_name, [row[2] for row in rows if row[0] == first_id]


def search_term(server: Any) -> str:
    """A brand or product word of a few 东湖区 names that names in other districts contain too.

    So the search narrows the list and the jurisdiction has something to hide; deterministic for
    the demo seed.
    """
    words = {w for city in PILOT_CITIES for w in city.brands} | set(GENERIC_BRANDS)
    words |= {w for profile in PROFILES for w in profile.products}
    enterprises = unscoped_enterprises(server)
    inside = [e.name for e in enterprises if e.region_code == DISTRICT]
    outside = [e.name for e in enterprises if e.region_code != DISTRICT]
    scored = []
    for term in sorted(words):
        hits_in = sum(term in name for name in inside)
        hits_out = sum(term in name for name in outside)
        if 0 < hits_in < len(inside) and hits_out:
            scored.append((-hits_in, -hits_out, term))
    assert scored, "no brand or product word is shared by 东湖区 and other districts"
    return min(scored)[2]


def log_in(b: Any, username: str = "donghu", *, through_form: bool = False) -> None:
    b.log_in(username, DEMO_PASSWORD, through_form=through_form)


def open_navbar(b: Any) -> None:
    """On the phone the menus hide behind the hamburger toggle."""
    if b.is_phone:
        toggle = b.page.locator(".navbar-toggle")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(b.page.locator(".navbar-collapse")).to_have_class(re.compile(r"\bin\b"))


def search_list(b: Any, column: str, operator: str, value: str, shot: str | None = None) -> None:
    """FAB's search widget on the list page: open 搜索, add a filter on the column, pick the
    operator (e.g. 包含, 等于), type the value, search."""
    b.page.locator("#accordion1 a.accordion-toggle").click()
    expect(b.page.locator("#accordion1_href")).to_be_visible()
    b.page.locator("#filter_form .dropdown-toggle").click()
    b.page.locator(f"#filter_form a.filter[name={column}]").click()
    row = b.page.locator("#filter_form table.filters tr").last
    row.locator(".select2-selection").first.click()
    b.page.locator(".select2-results__option", has_text=re.compile(f"^{operator}$")).click()
    row.locator("input.filter_val").fill(value)
    if shot:
        b.shot(shot)
    with b.page.expect_navigation():
        b.page.locator("#filter_form button[type=submit]").click()


def list_rows(b: Any) -> list[dict[str, str]]:
    """The rows of a FAB list table, as {column header: cell text}."""
    table = b.page.locator(".table-responsive > table").first
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    rows = []
    for row in table.locator("tbody tr").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


def uscc_in(region_code: str, rng: random.Random) -> str:
    return make_uscc("9", "1", region_code, "".join(rng.choice(ORG_ALPHABET) for _ in range(8)))


def wrong_check_digit(uscc: str) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return uscc[:-1] + next(c for c in alphabet if c != uscc[-1])


def xlsx(headers: list[str], rows: list[dict[str, str]]) -> bytes:
    """A workbook whose first row is `headers`; cells are looked up by header without the * mark."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("执法对象")
    text = workbook.add_format({"num_format": "@"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header)
    for number, row in enumerate(rows, start=1):
        for col, header in enumerate(headers):
            value = row.get(header.rstrip("*＊").strip())
            if value is not None:
                sheet.write_string(number, col, value, text)
    workbook.close()
    return output.getvalue()


# ------------------------------------------------------------------------------------------------
# Tests


def test_inspector_logs_in_and_sees_the_chinese_home_page_with_four_menus(browsing: Any) -> None:
    b = browsing
    b.goto("/login/")
    expect(b.page.locator("#username")).to_be_visible()
    b.shot("login-form")
    log_in(b, through_form=True)
    # The inspector's home page is today's work, not counters.
    expect(b.page.locator("h2", has_text="今日工作")).to_be_visible()
    expect(b.page.locator("#home-work")).to_be_visible()
    expect(b.page.locator("#count-enterprises")).to_have_count(0)
    b.shot("home")

    open_navbar(b)
    menus = b.page.locator(".navbar-collapse ul.nav.navbar-nav:not(.navbar-right) > li > a")
    # 我的工作台 may carry the badge of urgent reminders (a number after the name).
    names = [re.sub(r"\s*\d+$", "", t.strip()) for t in menus.all_inner_texts()]
    assert names == TOP_MENUS
    for menu in menus.all():
        expect(menu).to_be_visible()
    maintenance = b.page.locator(".navbar-collapse li.dropdown", has_text="系统维护配置")
    maintenance.locator("a.dropdown-toggle").click()
    items = maintenance.locator(".dropdown-menu a")
    expect(items.filter(has_text="执法对象")).to_be_visible()
    expect(items.filter(has_text="设备台账")).to_be_visible()
    b.shot("menu-open")


def test_enterprise_search_lists_only_matching_enterprises_of_the_inspectors_district(
    browsing: Any,
) -> None:
    b = browsing
    term = search_term(b.server)
    enterprises = unscoped_enterprises(b.server)
    expected = sorted(e.name for e in enterprises if e.region_code == DISTRICT and term in e.name)
    elsewhere = [e.name for e in enterprises if e.region_code != DISTRICT and term in e.name]
    assert expected and elsewhere

    log_in(b)
    b.goto("/enterprise/list/")
    b.shot("list")

    search_list(b, "name", "包含", term, shot="search-filled")
    rows = list_rows(b)
    b.shot("search-results")
    assert sorted(r["企业名称"] for r in rows) == expected
    assert {r["行政区划"] for r in rows} == {DISTRICT_NAME}
    assert not set(elsewhere) & {r["企业名称"] for r in rows}


def test_enterprise_page_shows_its_equipment_register(browsing: Any) -> None:
    b = browsing
    enterprise_id, name, equipment = enterprise_with_equipment(b.server)
    log_in(b)
    b.goto(f"/enterprise/show/{enterprise_id}")
    expect(b.page.locator(".panel-title, .panel-heading").first).to_contain_text("执法对象详情")
    expect(b.page.get_by_text(name, exact=True).first).to_be_visible()
    b.shot("show")

    register = b.page.locator("#EquipmentView")
    toggle = register.locator("a.accordion-toggle")
    expect(toggle).to_contain_text("设备")
    toggle.click()
    body = b.page.locator("#EquipmentView_href")
    expect(body).to_be_visible()
    for item in equipment:
        expect(body.get_by_text(item, exact=True)).to_be_visible()
    assert len(body.locator("tbody tr").all()) == len(equipment)
    body.scroll_into_view_if_needed()
    b.shot("equipment")


def test_spreadsheet_import_saves_valid_rows_and_lists_the_bad_one(browsing: Any) -> None:
    b = browsing
    log_in(b, "nanchang")  # importing is a leader's task (roles.py); 东湖区 is in 南昌市
    b.goto("/import/")
    expect(b.page.locator("#import-form")).to_be_visible()
    b.shot("import-page")

    template = b.page.request.get("/import/template/enterprises.xlsx")
    assert template.ok, template.status
    sheet = openpyxl.load_workbook(io.BytesIO(template.body()), read_only=True).worksheets[0]
    headers = [str(cell) for cell in next(sheet.iter_rows(max_row=1, values_only=True)) if cell]
    assert headers[:2] == ["企业名称*", "统一社会信用代码*"], headers

    rng = random.Random()
    good = [uscc_in(DISTRICT, rng) for _ in range(2)]
    bad = wrong_check_digit(uscc_in(DISTRICT, rng))
    # Chinese, like real names: other tests scan the inspector's pages for Latin words.
    tag = f"{'手机' if b.is_phone else '电脑'}{rng.randrange(10**6):06d}"

    def row(number: int, uscc: str) -> dict[str, str]:
        return {
            "企业名称": f"南昌浏览器测试{tag}第{number}号机械有限公司",
            "统一社会信用代码": uscc,
            "行政区划代码": DISTRICT,
            "行业类别": "机械",
            "专项标签": "粉尘涉爆",
            "地址": f"江西省南昌市东湖区测试路{number}号",
        }

    data = xlsx(headers, [row(1, good[0]), row(2, good[1]), row(3, bad)])
    b.page.select_option("#kind", "enterprises")
    b.page.set_input_files(
        "#file",
        files=[
            {
                "name": "企业导入.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": data,
            }
        ],
    )
    with b.page.expect_navigation():
        b.page.click("#import-submit")

    expect(b.page.locator("#import-result")).to_be_visible()
    expect(b.page.locator("#created")).to_have_text("2")
    errors = b.page.locator("tr.import-error-row")
    expect(errors).to_have_count(1)
    line = errors.first.get_attribute("data-line") or ""
    assert line.startswith("row 4: 统一社会信用代码: "), line
    assert "校验位" in line, line
    # Under the 行号 / 列 / 问题 headers: the number alone, no English
    expect(errors.first.locator("td")).to_have_text(["4", "统一社会信用代码", re.compile("校验位")])
    b.page.locator("#import-result").scroll_into_view_if_needed()
    b.shot("import-result")

    saved = {e.uscc for e in unscoped_enterprises(b.server)}
    assert set(good) <= saved
    assert bad not in saved


@pytest.mark.parametrize("path", ["/enterprise/list/", "/enterprise/add", "/equipment/add"])
def test_lists_and_forms_fit_the_screen_without_horizontal_scrolling(
    browsing: Any, path: str
) -> None:
    b = browsing
    log_in(b)
    b.goto(path)
    expect(b.page.locator(".table-responsive > table, #model_form").first).to_be_visible()
    b.shot(path.strip("/").replace("/", "-"))
    sizes = b.page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            body: document.body.scrollWidth,
            inner: window.innerWidth,
            widest: Math.max(...[...document.querySelectorAll("#model_form *, .panel")]
                .map(e => e.getBoundingClientRect().right)),
        })"""
    )
    assert sizes["page"] <= sizes["inner"] + 1, sizes
    assert sizes["body"] <= sizes["inner"] + 1, sizes
    # Nothing may stick out past the right edge (clipped content is unreachable on a phone);
    # wide list tables scroll inside their own .table-responsive box instead.
    assert sizes["widest"] <= sizes["inner"] + 1, sizes


def test_pages_load_nothing_from_outside_the_server(browsing: Any) -> None:
    """No CDN, no external font or script: every request goes to the platform itself."""
    b = browsing
    errors: list[str] = []
    failed: list[str] = []

    def console(message: Any) -> None:
        # Chromium asks for /favicon.ico by itself (Playwright does not report that request); the
        # platform has none yet, a cosmetic 404 that is not what this test is about.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location.get('url')}")

    b.page.on("console", console)
    b.page.on("pageerror", lambda e: errors.append(str(e)))
    b.page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
    enterprise_id, _, _ = enterprise_with_equipment(b.server)

    log_in(b, "nanchang")  # a leader: every page of the platform, the import page too
    pages = [
        ("home", "/"),
        ("reminders", "/reminders/"),
        ("statistics", "/section/statistics/"),
        ("library", "/section/library/"),
        ("plans", "/plan/list/"),
        ("tasks", "/task/list/"),
        ("hazards", "/hazard/list/"),
        ("cases", "/case/list/"),
        ("enterprises", "/enterprise/list/"),
        ("enterprise", f"/enterprise/show/{enterprise_id}"),
        ("enterprise-edit", f"/enterprise/edit/{enterprise_id}"),
        ("equipment", "/equipment/list/"),
        ("enforcers", "/enforcer/list/"),
        ("import", "/import/"),
    ]
    for step, path in pages:
        b.goto(path)
        b.shot(step)

    # What is recorded: every request the pages made, their scripts and styles included.
    assert any(urlsplit(url).path.endswith(".js") for url in b.requests)
    assert any(urlsplit(url).path.endswith(".css") for url in b.requests)
    server = urlsplit(b.server.url)
    outside = [
        url
        for url in b.requests
        if urlsplit(url).scheme not in ("data", "blob")
        and (urlsplit(url).hostname, urlsplit(url).port) != (server.hostname, server.port)
    ]
    assert outside == [], outside
    assert failed == [], failed
    assert errors == [], errors


def equipment_named_once_in(server: Any, city_prefix: str) -> str:
    """The name of a live piece of equipment that no other live one in the city shares."""
    app = server.app
    with app.app_context():
        session = app.appbuilder.session
        try:
            names = session.scalars(
                select(Equipment.name)
                .join(Enterprise, Equipment.enterprise_id == Enterprise.id)
                .where(
                    Enterprise.region_code.startswith(city_prefix),
                    Equipment.deleted_at.is_(None),
                )
                .execution_options(**{UNSCOPED: True})
            ).all()
        finally:
            session.remove()
    unique = sorted(n for n in set(names) if names.count(n) == 1)
    assert unique, f"no uniquely named equipment in {city_prefix}"
    return unique[0]


def enterprise_with_equipment_in(server: Any, region_code: str) -> str:
    app = server.app
    with app.app_context():
        session = app.appbuilder.session
        try:
            return session.scalars(
                select(Enterprise.name)
                .join(Equipment, Equipment.enterprise_id == Enterprise.id)
                .where(Enterprise.region_code == region_code, Equipment.deleted_at.is_(None))
                .order_by(Enterprise.name)
                .execution_options(**{UNSCOPED: True})
            ).first()
        finally:
            session.remove()


def test_an_enterprise_filter_finds_its_choices_as_one_types(browsing: Any) -> None:
    """The 所属企业 filter lists no enterprises up front: typing part of a name finds them."""
    b = browsing
    name = enterprise_with_equipment_in(b.server, "360102")
    log_in(b)
    b.goto("/equipment/list/")
    b.page.locator("#accordion1 a.accordion-toggle").click()
    b.page.locator("#filter_form .dropdown-toggle").click()
    b.page.locator("#filter_form a.filter[name=enterprise]").click()
    row = b.page.locator("#filter_form table.filters tr").last
    row.locator(".select2-selection").last.click()
    b.page.keyboard.type(name[2:6])
    b.page.locator(".select2-results__option", has_text=re.compile(f"^{name}$")).click()
    width = b.page.evaluate("window.innerWidth")
    assert b.page.evaluate("document.querySelector('#filter_form').scrollWidth") <= width
    b.shot("enterprise-filter")
    with b.page.expect_navigation():
        b.page.locator("#filter_form button[type=submit]").click()
    rows = list_rows(b)
    assert rows and {r["所属企业"] for r in rows} == {name}


def test_deleting_equipment_asks_in_chinese_and_keeps_the_row_soft_deleted(browsing: Any) -> None:
    b = browsing
    name = equipment_named_once_in(b.server, "3601")
    log_in(b, "nanchang")  # a leader may delete base data of the city
    b.goto("/equipment/list/")
    search_list(b, "name", "等于", name)
    rows = list_rows(b)
    assert [r["设备名称"] for r in rows] == [name]

    b.page.locator("a.row-delete").first.click()
    dialog = b.page.locator("#modal-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定删除这条记录吗")
    expect(dialog.locator("#modal-confirm-ok")).to_have_text("确定")
    expect(dialog.locator("[data-dismiss=modal]")).to_have_text("取消")
    b.shot("confirm")
    with b.page.expect_navigation():
        dialog.locator("#modal-confirm-ok").click()

    b.goto("/equipment/list/")
    search_list(b, "name", "等于", name)
    assert list_rows(b) == []
    app = b.server.app
    with app.app_context():
        session = app.appbuilder.session
        try:
            deleted_at = session.scalar(
                select(Equipment.deleted_at)
                .where(Equipment.name == name)
                .execution_options(**{UNSCOPED: True})
            )
        finally:
            session.remove()
    assert deleted_at is not None  # still in the database, hidden, restorable


def test_reminders_menu_badge_counts_the_urgent_work_shown_on_the_page(browsing: Any) -> None:
    b = browsing
    log_in(b)
    b.goto("/reminders/")
    counts = {
        bucket: int(b.page.locator(f".reminder-counts [data-bucket={bucket}]").inner_text())
        for bucket in ("overdue", "today", "soon")
    }
    urgent = sum(counts.values())
    assert urgent > 0, "the demo inspector has work due"
    open_navbar(b)
    badge = b.page.locator('a[href="/reminders/"] .reminder-badge')
    expect(badge).to_have_text(str(urgent))
    if counts["overdue"]:
        expect(badge).to_have_class(re.compile(r"\boverdue\b"))
    b.shot("reminders")
