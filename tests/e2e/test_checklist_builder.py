"""检查事项编辑器 in the browser: a county leader builds a three-item set (a follow-up and an evidence
rule on the first), previews it in the phone frame, publishes it; an inspector of that county then
gets it for an enterprise of the county, and an inspector of another county does not.

The flow is timed (printed, and written to test-artifacts/checklist-builder-timing.txt); the
builder's screenshots go to test-artifacts/screenshots/checklist-builder-*.png.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from support.demo import DEMO_PASSWORD, DONGHU, JINJIANG, db, enterprise_in
from support.factories import account_of

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
TITLE = "东湖区粉尘涉爆补充检查（编辑器测试）"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def context_of(chromium: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []
    problems: list[str] = []

    def make(options: dict[str, Any]) -> Any:
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        return page

    make.problems = problems  # type: ignore[attr-defined]
    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form[name=login] [type=submit]")
    assert urlsplit(page.url).path == "/", page.url


def field(page: Any, pointer: str, tag: str = "input") -> Any:
    return page.locator(f'[data-pointer="{pointer}"] > {tag}').first


def fill_item(page: Any, index: int, title: str, content: str, law: str) -> None:
    base = f"/items/{index}"
    field(page, f"{base}/title").fill(title)
    field(page, f"{base}/content", "textarea").fill(content)
    field(page, f"{base}/method", "textarea").fill("查资料：相关制度和记录；查现场：现场情况。")
    field(page, f"{base}/legal_basis/0/law").fill(law)
    field(page, f"{base}/penalty_basis/law").fill("《中华人民共和国安全生产法》")


def saved(page: Any) -> None:
    expect(page.locator("#builder-status")).to_contain_text("可以预览和发布", timeout=15_000)


def test_a_county_leader_builds_previews_and_publishes_a_three_item_set(
    live_server: Any, context_of: Any
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("checklist-builder-*.png"):
        old.unlink()
    app = live_server.app
    account_of(app, "donghu_builder", DONGHU)
    page = context_of(DESKTOP)
    log_in(page, "donghu_builder")

    started = time.monotonic()
    page.goto("/checklists/builder/")
    with page.expect_navigation():
        page.click("#builder-new")
    page.wait_for_selector('[data-pointer="/title"] > input')
    field(page, "/title").fill(TITLE)

    # item 1: 符合/不符合/不适用, a follow-up and a photo when 不符合
    fill_item(
        page,
        0,
        "除尘器泄爆装置",
        "干式除尘器未设置泄爆装置或泄爆口朝向人员密集区域。",
        "《工贸企业粉尘防爆安全规定》",
    )
    item = page.locator('[data-pointer="/items/0"]')
    item.get_by_role("button", name="添加追问").click()
    field(page, "/items/0/follow_ups/0/title").fill("存在的问题")
    item.get_by_role("button", name="添加照片或材料要求").click()
    field(page, "/items/0/evidence/0/caption").fill("泄爆装置现场照片")

    # item 2: 是/否
    page.click("#builder-add-item")
    fill_item(
        page, 1, "粉尘清扫记录", "未建立粉尘清扫制度或无清扫记录。", "《工贸企业粉尘防爆安全规定》"
    )
    field(page, "/items/1/answer/x-kind", "select").select_option('"boolean"')

    # item 3: a number
    page.click("#builder-add-item")
    fill_item(
        page,
        2,
        "除尘系统风速",
        "除尘管道风速不满足设计要求。",
        "《粉尘防爆安全规程》(GB 15577-2018)",
    )
    field(page, "/items/2/answer/x-kind", "select").select_option('"number"')
    field(page, "/items/2/answer/minimum").fill("0")
    field(page, "/items/2/answer/x-unit").fill("米/秒")
    saved(page)
    page.screenshot(path=str(SHOTS / "checklist-builder-1-editor.png"), full_page=True)

    # the phone frame draws the inspectors' form; 不符合 shows the follow-up and the photo input
    preview = page.frame_locator("#preview-phone")
    card = preview.locator('[data-item$=".item1"]')
    card.get_by_text("不符合", exact=True).click()
    card.get_by_text("存在的问题").wait_for()
    card.get_by_text("泄爆装置现场照片").wait_for()
    expect(preview.locator('[data-item$=".item3"] .cl-unit')).to_have_text("米/秒")
    page.locator("#builder-preview-panel").screenshot(
        path=str(SHOTS / "checklist-builder-2-phone-preview.png")
    )

    # a dry run for an enterprise of the bureau: the server's validation and the proposed measures
    page.click("#dry-run-load")
    card = page.frame_locator("#preview-phone").locator('[data-item$=".item1"]')
    card.get_by_text("不符合", exact=True).click()
    card.locator("textarea").first.fill("泄爆口朝向操作岗位")
    page.click("#dry-run-go")
    page.wait_for_selector("#dry-run-suggestions")
    assert "除尘器泄爆装置" in page.locator("#dry-run-suggestions").inner_text()
    assert page.locator("#dry-run-errors li").count() >= 1  # the photo the preview cannot upload
    page.locator("#builder-dry-run").screenshot(path=str(SHOTS / "checklist-builder-3-dry-run.png"))

    page.click("#diff-show")
    page.wait_for_selector("#diff-result p")
    page.click("#publish-go")
    page.wait_for_selector("#publish-done")
    seconds = time.monotonic() - started
    page.screenshot(path=str(SHOTS / "checklist-builder-4-published.png"), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "checklist-builder-timing.txt").write_text(
        f"three-item flow (new draft → published): {seconds:.1f} s\n", encoding="utf-8"
    )
    print(f"checklist builder three-item flow: {seconds:.1f} s")

    # the builder on a 390-px phone: the same page, one column
    phone = context_of(PHONE)
    log_in(phone, "donghu_builder")
    phone.goto("/checklists/builder/")
    phone.click("#builder-drafts a")
    phone.wait_for_selector('[data-pointer="/items/0"]')
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path=str(SHOTS / "checklist-builder-5-phone.png"), full_page=False)
    assert width <= 400, f"the builder scrolls sideways on a phone: {width}px"

    # an inspector of the county gets it for an enterprise of the county …
    with db(app) as session:
        donghu_enterprise = enterprise_in(session, DONGHU).id
        jinjiang_enterprise = enterprise_in(session, JINJIANG).id
    inspector = context_of(PHONE)
    log_in(inspector, "donghu")
    inspector.goto(f"/checklists/fill/{donghu_enterprise}")
    assert inspector.locator("#checklist-picker").get_by_text(TITLE).count() == 1
    # … and an inspector of another county does not
    other = context_of(PHONE)
    log_in(other, "jinjiang")
    other.goto(f"/checklists/fill/{jinjiang_enterprise}")
    assert TITLE not in other.content()
    assert context_of.problems == []


def _draft_of(app: Any, fixture: str) -> int:
    """A draft of a fixture declaration (issued for 东湖区), made as the system account."""
    import json

    from enforcement.services import checklist_authoring

    declaration = json.loads((ROOT / "tests" / "plugins" / "fixtures" / fixture).read_text("utf-8"))
    with app.app_context():
        draft = checklist_authoring.create_draft(app.appbuilder.session, declaration)
        draft_id = draft.id
        app.appbuilder.session.remove()
    return draft_id


def test_the_preview_shows_follow_ups_across_items_as_the_server_requires_them(
    live_server: Any, context_of: Any
) -> None:
    app = live_server.app
    page = context_of(PHONE)
    log_in(page, "nanchang")

    # inside a repeat, a follow-up reads a plain item: shown for the piece when 粉尘清理 is 否
    page.goto(f"/checklists/builder/{_draft_of(app, 'cross_item_repeat_to_plain.json')}/preview")
    repeated = page.locator('[data-item$=".explosion_control"]')
    plain = page.locator('[data-item$=".cleaning_record"]')
    follow_up = repeated.get_by_text("该除尘系统的清灰情况")
    expect(follow_up).to_be_hidden()
    plain.get_by_text("否", exact=True).click()
    expect(follow_up).to_be_visible()
    plain.get_by_text("是", exact=True).click()
    expect(follow_up).to_be_hidden()

    # outside the repeat, a plain follow-up reads any / all of the pieces
    page.goto(f"/checklists/builder/{_draft_of(app, 'cross_item_plain_to_repeat.json')}/preview")
    repeated = page.locator('[data-item$=".explosion_control"]')
    plain = page.locator('[data-item$=".cleaning_record"]')
    any_failed = plain.get_by_text("任一台除尘系统不符合时：整改安排")
    all_fine = plain.get_by_text("全部除尘系统符合时：最近一次检测日期")
    expect(any_failed).to_be_hidden()
    expect(all_fine).to_be_hidden()
    repeated.get_by_text("不符合", exact=True).click()
    expect(any_failed).to_be_visible()
    expect(all_fine).to_be_hidden()
    repeated.get_by_text("符合", exact=True).click()
    expect(any_failed).to_be_hidden()
    expect(all_fine).to_be_visible()
    expect(plain.get_by_text("两台及以上不符合时：停用的系统数")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "checklist-builder-6-cross-item-preview.png"), full_page=True)
    assert context_of.problems == []


def test_errors_show_at_their_field_and_copy_undo_and_keyboard_moves_work(
    live_server: Any, context_of: Any
) -> None:
    page = context_of(PHONE)
    log_in(page, "nanchang")
    page.goto("/checklists/builder/")
    with page.expect_navigation():
        page.click("#builder-new")
    # the new set's empty name is refused by the server, at the name field, in Chinese
    title_error = page.locator('[data-pointer="/title"] > .builder-error')
    expect(title_error).to_contain_text("不能为空")
    field(page, "/title").fill("复制与撤销")
    expect(title_error).to_be_empty(timeout=15_000)

    # copy an item of a built-in plugin as a starting point
    page.locator(".builder-copy > summary").click()
    page.select_option("#copy-plugin", "dust")
    expect(page.locator("#copy-item option")).not_to_have_count(0)
    page.click("#copy-go")
    items = page.locator("#builder-items > li")
    expect(items).to_have_count(2)
    copied = items.nth(1).get_attribute("data-item")
    assert copied is not None and copied.startswith("bureau.360100.")

    # move it up from the keyboard, then undo the move and the copy
    items.nth(1).get_by_role("button", name="上移").first.focus()
    page.keyboard.press("Enter")
    expect(items.nth(0)).to_have_attribute("data-item", copied)
    page.click("#builder-undo")
    expect(items.nth(1)).to_have_attribute("data-item", copied)
    page.click("#builder-undo")
    expect(items).to_have_count(1)
    assert context_of.problems == []


def _select(page: Any, pointer: str, value: Any) -> None:
    import json

    field(page, pointer, "select").select_option(json.dumps(value))


def _check(page: Any, pointer: str, label: str) -> None:
    page.locator(f'[data-pointer="{pointer}"]').get_by_label(label, exact=True).check()


def test_building_the_design_example_in_the_browser_yields_a_file_equal_to_it(
    live_server: Any, context_of: Any
) -> None:
    import json

    example = json.loads(
        (ROOT / "tests" / "plugins" / "fixtures" / "example-plugin.json").read_text("utf-8")
    )
    account_of(live_server.app, "donghu_builder", DONGHU)
    page = context_of(DESKTOP)
    log_in(page, "donghu_builder")
    page.goto("/checklists/builder/")
    with page.expect_navigation():
        page.click("#builder-new")
    page.wait_for_selector('[data-pointer="/title"] > input')
    field(page, "/title").fill(example["title"])
    field(page, "/description", "textarea").fill(example["description"])
    field(page, "/issuer/name").fill(example["issuer"]["name"])
    page.locator(".builder-basics .builder-advanced > summary").click()
    field(page, "/id").fill(example["id"])
    page.get_by_role("button", name="添加设备类型").click()
    field(page, "/equipment_types/0/id").fill("dry_dust_collector")
    field(page, "/equipment_types/0/title").fill("干式除尘系统")
    _check(page, "/applies_to/tags", "粉尘涉爆")
    _check(page, "/applies_to/equipment_types", "干式除尘系统")

    first, second = example["items"]
    # item 1: per dust collector, two follow-ups and a photo when 不符合
    _item_texts(page, 0, first, "explosion_control")
    _select(page, "/items/0/severity", "major")
    _select(page, "/items/0/repeat/equipment_type", "dry_dust_collector")
    item = page.locator('[data-pointer="/items/0"]')
    item.get_by_role("button", name="添加追问").click()
    field(page, "/items/0/follow_ups/0/title").fill("缺少的控爆措施")
    field(page, "/items/0/follow_ups/0/id").fill("missing_measures")
    _select(page, "/items/0/follow_ups/0/answer/x-kind", "multi")
    field(page, "/items/0/follow_ups/0/answer/items/enum", "textarea").fill(
        "泄爆\n隔爆\n惰化\n抑爆\n抗爆"
    )
    item.get_by_role("button", name="添加追问").click()
    field(page, "/items/0/follow_ups/1/title").fill("问题描述")
    field(page, "/items/0/follow_ups/1/id").fill("defect")
    field(page, "/items/0/follow_ups/1/answer/minLength").fill("5")
    item.get_by_role("button", name="添加照片或材料要求").click()
    field(page, "/items/0/evidence/0/caption").fill("除尘器及控爆装置现场照片")
    _bases(page, 0, first)
    _check(page, "/items/0/penalty_basis/measures", "责令停产停业整顿")

    # item 2: yes/no, a date when 是, a record when 是 and a photo when 否
    page.click("#builder-add-item")
    _item_texts(page, 1, second, "cleaning_record")
    _select(page, "/items/1/answer/x-kind", "boolean")
    field(page, "/items/1/answer/title").fill("制度健全且现场无明显积尘")
    item = page.locator('[data-pointer="/items/1"]')
    item.get_by_role("button", name="添加追问").click()
    field(page, "/items/1/follow_ups/0/title").fill("最近一次清扫日期")
    field(page, "/items/1/follow_ups/0/id").fill("last_cleaning_date")
    _select(page, "/items/1/follow_ups/0/answer/x-kind", "date")
    _select(page, "/items/1/follow_ups/0/when/schema/const", True)
    item.get_by_role("button", name="添加照片或材料要求").click()
    _select(page, "/items/1/evidence/0/kind", "document")
    field(page, "/items/1/evidence/0/caption").fill("清扫记录")
    _select(page, "/items/1/evidence/0/when/schema/const", True)
    item.get_by_role("button", name="添加照片或材料要求").click()
    field(page, "/items/1/evidence/1/caption").fill("积尘部位照片")
    _bases(page, 1, second)
    saved(page)

    draft_url = page.locator("#builder-export").get_attribute("href")
    exported = page.request.get(draft_url)
    assert exported.ok
    assert json.loads(exported.text()) == example


def _item_texts(page: Any, index: int, item: dict[str, Any], number: str) -> None:
    base = f"/items/{index}"
    page.locator(f'[data-pointer="{base}"] .builder-advanced > summary').click()
    suffix = field(page, f"{base}/id")
    suffix.fill(number)
    suffix.press("Tab")
    field(page, f"{base}/section").fill(item["section"])
    field(page, f"{base}/title").fill(item["title"])
    field(page, f"{base}/content", "textarea").fill(item["content"])
    field(page, f"{base}/method", "textarea").fill(item["method"])


def _bases(page: Any, index: int, item: dict[str, Any]) -> None:
    base = f"/items/{index}"
    for n, basis in enumerate(item["legal_basis"]):
        if n > 0:
            page.locator(f'[data-pointer="{base}"]').get_by_role(
                "button", name="添加违法依据"
            ).click()
        for key, value in basis.items():
            field(page, f"{base}/legal_basis/{n}/{key}").fill(value)
    penalty = item["penalty_basis"]
    for key in ("law", "article", "item"):
        if key in penalty:
            field(page, f"{base}/penalty_basis/{key}").fill(penalty[key])
    _check(page, f"{base}/penalty_basis/measures", "责令限期整改")
    _check(page, f"{base}/penalty_basis/measures", "罚款")
    field(page, f"{base}/penalty_basis/fine/max").fill(str(penalty["fine"]["max"]))


def test_items_reorder_by_drag_and_drop(live_server: Any, context_of: Any) -> None:
    page = context_of(DESKTOP)
    log_in(page, "nanchang")
    page.goto("/checklists/builder/")
    with page.expect_navigation():
        page.click("#builder-new")
    page.wait_for_selector('[data-pointer="/items/0"]')
    page.click("#builder-add-item")
    items = page.locator("#builder-items > li")
    expect(items).to_have_count(2)
    first, second = items.nth(0).get_attribute("data-item"), items.nth(1).get_attribute("data-item")
    source = items.nth(1).locator(".builder-handle")
    target = items.nth(0).locator(".builder-handle")
    box = target.bounding_box()
    source.hover()
    page.mouse.down()
    page.mouse.move(box["x"] + 5, box["y"] + 2, steps=12)
    page.mouse.move(box["x"] + 5, box["y"] + 1, steps=4)
    page.mouse.up()
    expect(items.nth(0)).to_have_attribute("data-item", second)
    expect(items.nth(1)).to_have_attribute("data-item", first)
    # the saved order, not just the page's (autosave follows within a second or two)
    draft_url = page.locator("#builder-export").get_attribute("href").rsplit("/", 1)[0]
    deadline = time.monotonic() + 15
    order: list[str] = []
    while time.monotonic() < deadline and order != [second, first]:
        page.wait_for_timeout(300)
        order = [i["id"] for i in page.request.get(draft_url).json()["declaration"]["items"]]
    assert order == [second, first]
