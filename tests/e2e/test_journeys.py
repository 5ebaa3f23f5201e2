"""The four journeys of issue 11, timed and counted in Chromium (taps and seconds per journey).

1. an inspector on a 390-px phone, from 我的工作提醒 to a finalized 责令限期整改指令书 (an overdue task);
2. a leader approving a scheme an inspector compiled;
3. a province leader browsing region → county → its enterprises;
4. an admin adding a checklist (upload a bureau's plugin.json, publish it).

A tap is a click, a fill, a selection or a file chosen: what a person does with a finger. Seconds
are wall-clock from the first page to the last, the login excluded. Each journey writes its numbers
to test-artifacts/journeys.json (merged by name), so a run before and after a change compare.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from support.demo import DEMO_PASSWORD
from support.files import png_bytes
from support.plugins import example
from support.touch import draw_with_finger

pytestmark = pytest.mark.browser

RESULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journeys.json"


class Journey:
    """The page plus a counter of taps and a clock; every navigation must not be a 5xx."""

    def __init__(self, browsing: Any, name: str) -> None:
        self.b = browsing
        self.page = browsing.page
        self.name = name
        self.taps = 0
        self.started = 0.0
        self.notes: list[str] = []

    def start(self) -> None:
        self.started = time.monotonic()

    def tap(self, target: Any, *, navigates: bool = True) -> None:
        locator = self.page.locator(target) if isinstance(target, str) else target
        locator = locator.first
        expect(locator).to_be_visible()
        self.taps += 1
        if navigates:
            with self.page.expect_navigation() as navigation:
                locator.click()
            response = navigation.value
            assert response is None or response.status < 500, (self.page.url, response.status)
        else:
            locator.click()

    def fill(self, target: str, value: str) -> None:
        self.taps += 1
        self.page.fill(target, value)

    def select(self, target: str, value: str) -> None:
        self.taps += 1
        self.page.select_option(target, value)

    def menu(self, category: str, entry: str) -> None:
        """A top menu entry (through the hamburger on a phone)."""
        if self.b.is_phone:
            self.tap(".navbar-toggle", navigates=False)
            self.page.locator(".navbar-collapse.in").wait_for()
        menu = self.page.locator(".navbar li.dropdown", has_text=category).first
        self.tap(menu.locator("a.dropdown-toggle"), navigates=False)
        self.tap(menu.locator(".dropdown-menu a", has_text=entry))

    def done(self) -> dict[str, Any]:
        seconds = round(time.monotonic() - self.started, 1)
        result = {"taps": self.taps, "seconds": seconds, "viewport": self.b.viewport}
        if self.notes:
            result["notes"] = self.notes
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        data[self.name] = result
        RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
        self.b.shot(f"{self.name}-end")
        return result


def _as(browsing: Any, username: str) -> None:
    browsing.page.context.clear_cookies()
    browsing.log_in(username, DEMO_PASSWORD)
    browsing.goto("/")


def _overdue_task(app: Any, *, overdue: bool = True) -> int:
    """A 东湖区 inspection task of the inspector `donghu` and a colleague, due five days ago (it was
    created with a future date; the days passed)."""
    from enforcement.db.acting import Actor, acting_as
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.models import AppUser, Enforcer, Enterprise, Task
    from enforcement.services import plans

    with app.app_context(), acting_as(Actor("nanchang", Jurisdiction("360100"))):
        session = app.appbuilder.session
        mine = session.scalar(select(AppUser.enforcer_id).where(AppUser.username == "donghu"))
        me = session.get(Enforcer, mine)
        colleague = session.scalar(
            select(Enforcer).where(
                Enforcer.department_id == me.department_id,
                Enforcer.id != me.id,
            )
        )
        enterprise = (
            next(  # one checklist only: 有限空间 (the journey, not the checklist, is measured)
                e
                for e in session.scalars(
                    select(Enterprise)
                    .where(Enterprise.region_code == "360102")
                    .order_by(Enterprise.id)
                )
                if e.tags == ["confined_space"]
            )
        )
        with unit_of_work(session):
            task = plans.create_task(
                session,
                enterprise=enterprise,
                enforcers=[me, colleague],
                due_on=dt.date.today() + dt.timedelta(days=1),
            )
        if overdue:
            with unit_of_work(session):
                session.get(Task, task.id).due_on = dt.date.today() - dt.timedelta(days=5)
        return task.id


def _approve_scheme_as_leader(app: Any, task_id: int) -> None:
    from enforcement.db.acting import Actor, acting_as
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.models import Task
    from enforcement.services import inspections

    with app.app_context(), acting_as(Actor("nanchang", Jurisdiction("360100"))):
        session = app.appbuilder.session
        with unit_of_work(session):
            task = session.get(Task, task_id)
            inspections.approve_scheme(session, inspections.scheme_of(session, task))


def _inspect_with_one_failing_item(j: Journey) -> None:
    page = j.page
    participant = page.locator("#participants .wb-participant").first
    participant.locator("input[name=name]").fill("王安全")
    participant.locator("input[name=position]").fill("安全部长")
    page.locator("#participants-save").click()
    j.taps += 3
    expect(page.locator("#wb-status")).to_contain_text("在场人员已保存")
    form = page.locator("#checklist-form")
    form.wait_for()
    for choice in form.locator('.cl-role-answer .cl-choice[data-value="compliant"]').all():
        if choice.is_visible():
            j.taps += 1
            choice.click()
    item = form.locator('.cl-item[data-item="confined_space.yx01"]')
    item.locator('.cl-role-answer .cl-choice[data-value="non_compliant"]').first.click()
    item.locator('.cl-field[data-key="problems"] .cl-choice').first.click()
    # 有限空间 1.1.0 asks whether poisoning is a risk (10号令 第十三条): without it the finding is
    # 一般, and the platform proposes 责令限期整改 itself.
    item.locator('.cl-field[data-key="toxic_risk"] .cl-choice[data-value="false"]').click()
    item.locator('.cl-field[data-key="defect"] textarea').fill("有限空间作业无作业方案")
    item.locator('input[type=file][data-kind="document"]').set_input_files(
        files=[{"name": "scheme-photo.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    j.taps += 5
    expect(item.locator('[data-key="evidence.document"] .cl-upload-status')).to_contain_text(
        "已上传"
    )
    j.taps += 1
    page.locator("#cl-submit").click()
    expect(page.locator("#cl-result")).to_contain_text("检查结果已提交")
    for tab in page.locator(".cl-picker a:not(.active)").all():  # the other checklists: all 符合
        if tab.locator(".fa-check").count():
            continue
        j.tap(tab)
        form = page.locator("#checklist-form")
        for choice in form.locator('.cl-role-answer .cl-choice[data-value="compliant"]').all():
            if choice.is_visible():
                j.taps += 1
                choice.click()
        j.taps += 1
        page.locator("#cl-submit").click()
        expect(page.locator("#cl-result")).to_contain_text("检查结果已提交")
    j.tap("#finish")


def _one_checklist(j: Journey) -> None:
    """Only 有限空间 in the scheme: one checklist keeps the inspection short (the journey is measured)."""
    checked = j.page.locator("input[name=plugin_ids]:checked")
    # Values first: a `:checked` locator's nth() shifts as boxes are unchecked.
    values = [box.get_attribute("value") for box in checked.all()]
    for value in values:
        if value != "confined_space":
            j.taps += 1
            j.page.locator(f'input[name=plugin_ids][value="{value}"]').uncheck()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_journey_inspector_from_reminder_to_finalized_order(browsing: Any) -> None:
    app = browsing.server.app
    task_id = _overdue_task(app)
    _as(browsing, "donghu")
    j = Journey(browsing, "1-inspector-reminder-to-order")
    page = j.page
    j.start()
    on_home = page.locator(f'#home-work a[href$="/task/show/{task_id}"]')
    if on_home.count():  # the home page is today's work
        j.tap(on_home)
    else:
        j.menu("我的工作台", "我的工作提醒")
        j.tap(page.locator(f'a[href$="/task/show/{task_id}"]'))
    j.tap("#task-scheme")
    _one_checklist(j)
    j.fill("#scheduled_on", dt.date.today().isoformat())
    j.fill("#schedule", "上午查阅资料，下午现场检查")
    j.tap("#scheme-save")
    if page.locator(".alert-danger, .has-error").count():
        # The overdue task's dead end: only a date on or before the due date is accepted.
        j.notes.append("scheme refused after the due date; backdated to the due date")
        _one_checklist(j)
        due = page.locator("#scheduled_on").get_attribute("max") or ""
        j.fill("#scheduled_on", due or _due_on(app, task_id))
        if not page.locator("#schedule").input_value():
            j.fill("#schedule", "上午查阅资料，下午现场检查")
        j.tap("#scheme-save")
    expect(page.locator(".alert-success").first).to_be_visible()
    _approve_scheme_as_leader(app, task_id)  # the leader's part is journey 2
    j.tap(page.locator(f'a[href$="/task/show/{task_id}"]'))
    j.tap("#task-start")
    _inspect_with_one_failing_item(j)
    hazard = page.locator(".wb-hazard").first
    # Checks, not taps: the title is text, and the one button follows the chosen measure.
    assert "<" not in page.title(), page.title()
    measure = f"#{hazard.locator('select').get_attribute('id')}"
    page.select_option(measure, "file_case")
    expect(page.locator("#hazards-submit")).to_contain_text("确认后立案")
    page.select_option(measure, "deadline")
    expect(page.locator("#hazards-submit")).to_contain_text("下达责令限期整改指令书")
    if (
        hazard.locator("select").input_value() != "deadline"
    ):  # the default (立案查处) is not the button's
        j.notes.append("measure changed from the suggested 立案查处 to 责令限期整改")
        j.select(f"#{hazard.locator('select').get_attribute('id')}", "deadline")
    deadline = hazard.locator("input[type=date]")
    if not deadline.input_value():
        j.fill(
            f"#{deadline.get_attribute('id')}",
            (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        )
    j.tap("#hazards-submit" if page.locator("#hazards-submit").count() else "#issue-order")
    expect(page.locator(".alert-success").first).to_contain_text("指令书")
    if page.locator("#order-draft").count():
        j.tap("#order-draft")
    else:
        j.tap(page.locator("#document-panel a", has_text="责令限期整改指令书"))
        j.tap("#create-draft")
    _sign_on_the_spot(j)
    j.tap("#finalize")
    expect(page.locator(".alert-success").first).to_contain_text("已定稿")
    result = j.done()
    assert result["taps"] > 0


def _sign_on_the_spot(j: Journey) -> None:
    """The inspector and the enterprise's person sign the draft with a finger on the phone."""
    page = j.page
    j.tap("#signatures")
    for role, name in (("inspector1", None), ("party", "王安全")):
        j.tap(f"#block-{role} .sig-sign")
        if name and not page.locator("#signer-name").input_value():
            j.fill("#signer-name", name)
        j.taps += 1  # the stroke
        draw_with_finger(page, "#sign-pad")
        j.tap("#sign-save")
        expect(page.locator(f"#block-{role} .label-success")).to_have_text("已签名")
    j.tap("#signatures-page p a")  # back to the document


def _due_on(app: Any, task_id: int) -> str:
    from enforcement.db.acting import Actor, acting_as
    from enforcement.domain.jurisdiction import NATIONAL
    from enforcement.models import Task

    with app.app_context(), acting_as(Actor("admin", NATIONAL)):
        return app.appbuilder.session.get(Task, task_id).due_on.isoformat()


def _draft_scheme(app: Any) -> int:
    """A scheme 东湖区's inspector compiled, waiting for the leader."""
    from enforcement.db.acting import Actor, acting_as
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.models import Task
    from enforcement.services import checklists, inspections

    task_id = _overdue_task(app, overdue=False)
    with app.app_context(), acting_as(Actor("donghu", Jurisdiction("360102"))):
        session = app.appbuilder.session
        task = session.get(Task, task_id)
        with unit_of_work(session):
            scheme = inspections.compile_scheme(
                session,
                checklists.platform_of(),
                task,
                plugin_ids=["confined_space"],
                item_ids=[],
                methods=[],
                scheduled_on=dt.date.today(),
                schedule="上午查阅资料，下午现场检查",
                team=None,
            )
        return scheme.id


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_journey_leader_approves_a_scheme(browsing: Any) -> None:
    scheme_id = _draft_scheme(browsing.server.app)
    _as(browsing, "nanchang")
    j = Journey(browsing, "2-leader-approves-scheme")
    page = j.page
    j.start()
    queue = page.locator(f'#home-approvals a[href$="/scheme/show/{scheme_id}"]')
    if not queue.count():
        j.menu("我的工作台", "我的工作提醒")
        queue = page.locator(f'#approval-queue a[href$="/scheme/show/{scheme_id}"]')
    if queue.count():
        j.tap(queue)
    else:
        j.notes.append("no approval queue: found through 现场检查方案")
        j.menu("我的工作台", "现场检查方案")
        j.tap(page.locator(f'a[href$="/scheme/show/{scheme_id}"]'))
    j.tap("#scheme-approve")
    expect(page.locator(".alert-success").first).to_contain_text("已批准")
    j.done()


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_journey_province_leader_browses_to_a_county(browsing: Any) -> None:
    _as(browsing, "jiangxi")
    j = Journey(browsing, "3-province-region-to-enterprise")
    page = j.page
    j.start()
    j.menu("系统维护配置", "执法对象")
    if page.locator("#region-tree").count():
        j.tap(page.locator("#region-tree a", has_text="南昌市"))
        j.tap(page.locator("#region-tree a", has_text="东湖区"))
    else:
        j.notes.append("no region tree: the generic filter with the 6-digit code")
        toggle = page.locator("#filter_form .dropdown-toggle")
        if not toggle.is_visible():
            j.tap(
                page.locator("a[href='#search-panel'], .panel-heading a, a:has-text('搜索')"),
                navigates=False,
            )
        j.tap(toggle, navigates=False)
        j.tap(page.locator("#filter_form a.filter", has_text="行政区划"), navigates=False)
        value = page.locator("#filter_form .filters .filter_val").last
        j.taps += 1
        value.fill("360102")
        j.tap(page.locator("#filter_form button[type=submit]"))
    expect(page.locator("body")).to_contain_text("东湖区")
    rows = page.locator("table tbody tr a[href*='/enterprise/show/'], .card a[href*='/show/']")
    j.tap(rows)
    j.done()


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_journey_admin_adds_a_checklist(browsing: Any, tmp_path: Path) -> None:
    plugin = example()
    plugin["version"] = "1.0.9"
    file = tmp_path / "plugin.json"
    file.write_text(json.dumps(plugin, ensure_ascii=False), encoding="utf-8")
    _as(browsing, "admin")
    j = Journey(browsing, "4-admin-adds-checklist")
    page = j.page
    j.start()
    j.menu("系统维护配置", "检查事项")
    j.tap(page.locator("a[href$='/checklists/upload/']"))
    j.taps += 1
    page.set_input_files("input[type=file]", str(file))
    j.tap(page.locator("form[enctype] button[type=submit]"))
    j.tap(page.locator("form[action*='/publish/'] button"))
    expect(page.locator(".alert-success").first).to_contain_text("已发布")
    j.done()
