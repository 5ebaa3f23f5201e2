"""现场检查表 on a phone: an inspector answers a per-equipment item 不符合, the follow-up and the photo
input appear, a photo is uploaded at once, and submitting shows the result or the errors in place.

Uses the live server (waitress, CSRF on) and Debian Chromium of tests/e2e/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from support.demo import DEMO_PASSWORD, DONGHU, db, dust_enterprise
from support.files import png_bytes

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "test-artifacts" / "screenshots" / "checklist-form-phone.png"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def phone(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def console(message: Any) -> None:
        # Chromium logs every 4xx response; the 422 of a submit with missing answers is expected.
        url = message.location.get("url", "")
        expected = "status of 422" in message.text or url.endswith("/favicon.ico")
        if message.type == "error" and not expected:
            problems.append(f"console: {message.text}")

    page.on("console", console)
    page.problems = problems
    try:
        yield page
    finally:
        context.close()


def log_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form[name=login] [type=submit]")
    assert urlsplit(page.url).path == "/", page.url


def test_inspector_answers_a_collector_non_compliant_with_photo_and_submits_on_a_phone(
    phone: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    page = phone
    with db(live_server.app) as session:
        enterprise = dust_enterprise(session, DONGHU)
    enterprise_id, collectors = enterprise.id, enterprise.collectors
    log_in(page, "donghu")
    page.goto(f"/checklists/fill/{enterprise_id}")
    with page.expect_navigation():
        page.locator('.cl-pick[data-plugin="dust"]').click()
    expect(page.locator("#checklist-form .cl-item")).to_have_count(6)

    # One sub-card per registered dry dust collector, prefilled from the equipment register.
    item = page.locator('.cl-item[data-item="dust.fc02"]')
    expect(item.locator(".cl-equipment")).to_have_count(len(collectors))
    expect(item.locator(".cl-severity")).to_have_text("重大隐患")
    unit = item.locator('.cl-equipment[data-pointer="/dust.fc02/0"]')
    expect(unit.locator(".cl-equipment-name")).to_contain_text(collectors[0])
    defect = unit.locator('.cl-field[data-key="defect"]')
    photo = unit.locator('input[type=file][data-kind="photo"]')
    expect(defect).to_be_hidden()
    expect(photo).to_be_hidden()

    unit.locator('.cl-choice[data-value="non_compliant"]').click()
    expect(defect).to_be_visible()
    expect(defect.locator(".cl-label")).to_have_text("问题描述")
    expect(photo).to_be_visible()
    assert photo.get_attribute("accept") == "image/*"
    assert photo.get_attribute("capture") == "environment"

    # 1.1.0: 隔爆 alone is not compliant (6号令), a choice of its own
    unit.locator('.cl-field[data-key="problem"] .cl-choice', has_text="仅采取隔爆措施").click()
    defect.locator("textarea").fill("仅设置隔爆阀，未设置泄爆、抑爆等控爆措施")
    photo.set_input_files(
        files=[{"name": "collector.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(unit.locator(".cl-thumb img")).to_be_visible()
    expect(unit.locator('[data-key="evidence.photo"] .cl-upload-status')).to_contain_text("已上传")

    # Big touch targets, and nothing wider than the phone.
    for selector in (".cl-choice span", "#cl-submit", "#cl-save", ".cl-details > summary"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["height"] >= 44, (selector, box)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width

    page.locator("#cl-submit").click()
    outcome = page.locator("#cl-result, #cl-summary .alert-danger")
    expect(outcome.first).to_be_visible()
    if page.locator("#cl-result").count():
        expect(page.locator("#cl-result")).to_contain_text("检查结果已提交")
    else:
        # Items not answered yet: the error sits next to the unanswered question...
        unanswered = page.locator('.cl-field[data-pointer="/dust.fc01/answer"]')
        expect(unanswered.locator(".cl-error-message")).to_have_text("此项必填")
        expect(unanswered).to_have_class("cl-field cl-role-answer cl-has-error")
        # ...and not next to what was answered.
        expect(defect.locator(".cl-error-message")).to_have_count(0)
        expect(unit.locator('.cl-field[data-key="answer"] .cl-error-message')).to_have_count(0)
        expect(page.locator("#cl-summary")).to_contain_text("提交未通过")
    page.wait_for_timeout(600)  # the smooth scroll to the first error
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    page.screenshot(path=str(SCREENSHOT.with_name("checklist-form-phone-full.png")), full_page=True)
    assert page.problems == []
