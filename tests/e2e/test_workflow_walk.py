"""One 东湖区 enterprise from plan to archived case, on a phone, through the pages only.

The leader `nanchang` plans, approves and breaks the plan down; the inspector `donghu` compiles the
on-site scheme, which the leader approves; the inspector inspects on the phone (generated checklist,
one item 不符合 with evidence), finishes, confirms 立案查处 for the hazard and files the case; the case
then goes through every stage to 归档, the leader acting where the procedure needs a leader. Finally
the enterprise history lists the inspection, the hazard and the case.

Runs against the live server of tests/e2e/conftest.py (SQLite, demo data, CSRF on) in Debian Chromium.
Screenshots: test-artifacts/screenshots/test_a_leader_and_an_inspector_take_one_enterprise_from_plan_to_archived_case-phone-NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from support.demo import DEMO_PASSWORD
from support.files import png_bytes

pytestmark = pytest.mark.browser

DISTRICT = "360102"  # 南昌市东湖区
PLUGIN = "confined_space"  # 有限空间: four items, one of them per confined space
FAILING = "confined_space.yx01"  # 有限空间作业方案: answered 不符合
FINE = "60000"  # ≥ 5万元 for a unit: the party has a right to a hearing
DECISION_NO = "东应急罚〔2026〕88号"
LEADER, INSPECTOR = "nanchang", "donghu"


class Walk:
    """The browsing fixture plus the few moves every step repeats."""

    def __init__(self, browsing: Any) -> None:
        self.b = browsing
        self.page = browsing.page
        self.user = ""
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def as_user(self, username: str) -> None:
        """Log out whoever is logged in and log in through the form (cookies are per user)."""
        if self.user == username:
            return
        if self.user:
            self.b.goto("/logout/")
            # Logging out ends every session of that user: the cookies other tests reuse are dead.
            self.b.server.sessions.pop(self.user, None)
        self.page.context.clear_cookies()
        self.b.log_in(username, DEMO_PASSWORD, through_form=True)
        self.user = username

    def click(self, target: Any) -> None:
        """Click something that navigates; the next page must not be an error page."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 391, (
            f"{target} is off the phone's screen: {box}"
        )
        with self.page.expect_navigation() as navigation:
            locator.click()
        response = navigation.value
        assert response is None or response.status < 500, f"{self.page.url}: {response.status}"
        self.fits()

    def fits(self) -> None:
        """Nothing on the page is wider than the phone (no sideways scrolling of the whole page)."""
        width = self.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert width[0] <= width[1], (self.page.url, width)

    def flash(self, text: str) -> None:
        expect(self.page.locator(".alert-success", has_text=text).first).to_be_visible()

    def shot(self, step: str) -> None:
        self.b.shot(step)

    def pk(self, prefix: str) -> int:
        match = re.search(rf"{prefix}/(\d+)", urlsplit(self.page.url).path)
        assert match, (prefix, self.page.url)
        return int(match.group(1))


def open_menu(walk: Walk, category: str, entry: str) -> None:
    """A top menu entry, through the phone's hamburger."""
    page = walk.page
    page.locator(".navbar-toggle").click()
    # Waits on the DOM, not by polling (the collapse animation made polling wait ~0.8 s).
    page.locator(".navbar-collapse.in").wait_for()
    menu = page.locator(".navbar-collapse li.dropdown", has_text=category).first
    menu.locator("a.dropdown-toggle").click()
    walk.click(menu.locator(".dropdown-menu a", has_text=entry).first)


def case_action(walk: Walk, action: str, note: str = "") -> None:
    """Press one of the case desk's allowed actions (with its reason when it asks for one)."""
    form = walk.page.locator("form.case-action", has=walk.page.locator(f'[data-action="{action}"]'))
    if note:
        form.locator("[name=note]").fill(note)
    walk.click(form.locator(f'button[data-action="{action}"]'))


def cover_the_calendar(app: Any, today: dt.date) -> None:
    """Working days need the year's holiday table: a year the installed package lacks is loaded as
    data (weekends only), as an admin would with `enforcement calendar load`."""
    from enforcement.services import calendar
    from support.factories import as_system

    with app.app_context(), as_system():
        session = app.appbuilder.session
        known = calendar.working_calendar(session)
        for year in (today.year, today.year + 1):
            if not known.covers(year):
                table = calendar.YearTable(year, {dt.date(year, 1, 1)}, set(), "测试")
                calendar.load_year(session, table, "system")


def hearing_held_yesterday(app: Any, case_id: int, today: dt.date) -> None:
    """The walk happens in one day; the hearing it scheduled weeks ahead is taken as held (the
    page-driven steps around it are what the walk checks)."""
    from sqlalchemy import update

    from enforcement.db.scoping import UNSCOPED
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.models import Case
    from support.factories import as_system

    with app.app_context(), as_system():
        session = app.appbuilder.session
        with unit_of_work(session):
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(
                    hearing_noticed_on=today - dt.timedelta(days=20),
                    hearing_on=today - dt.timedelta(days=1),
                )
                .execution_options(**{UNSCOPED: True})
            )


def expect_stage(walk: Walk, label: str) -> None:
    expect(walk.page.locator("#case-stage")).to_have_text(label)
    expect(walk.page.locator(".case-progress .label-primary")).to_contain_text(label)


def history_row(walk: Walk, actor: str, action: str, stages: str) -> None:
    rows = walk.page.locator("table.case-history tbody tr")
    row = rows.filter(has_text=action).filter(has_text=stages).last
    expect(row).to_be_visible()
    # The inspector's name with the login: the demo logins act as 执法人员 of their bureau.
    expect(row.locator("td").nth(1)).to_have_text(re.compile(rf"^\S+（{actor}）$"))


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_leader_and_an_inspector_take_one_enterprise_from_plan_to_archived_case(
    browsing: Any,
) -> None:
    walk = Walk(browsing)
    page = walk.page
    today = dt.date.today()

    # -- 1. 监督检查计划: the leader drafts, approves and breaks it down ------------------------------
    walk.as_user(LEADER)
    open_menu(walk, "我的工作台", "监督检查计划")
    walk.click("#wb-new")
    expect(page.locator("h2")).to_have_text("新建监督检查计划")
    page.fill("#title", f"{today.year}年东湖区有限空间专项检查（浏览器走查）")
    page.select_option("#kind", "special")
    page.select_option("#region_code", DISTRICT)
    page.locator(f'input[name=tags][value="{PLUGIN}"]').check()
    page.locator(f'input[name=item_set_ids][value="{PLUGIN}"]').check()
    page.fill("#sample_size", "1")
    page.fill("#seed", "20261129")
    walk.shot("plan-form")
    walk.click("#plan-save")
    walk.flash("已保存计划草稿")
    expect(page.locator("#wb-actions")).to_contain_text("批准计划")
    details = page.locator(".panel-body table").first
    expect(details).to_contain_text("工贸企业有限空间作业执法检查重点事项")
    expect(details).to_contain_text("专项标签：有限空间")
    expect(details).not_to_contain_text("confined_space")  # no plugin ids or JSON for users
    expect(details).not_to_contain_text("None")
    # 四眼原则: the author sees why they cannot approve their own plan, before any tap.
    expect(page.locator("#plan-approve")).to_be_disabled()
    expect(page.locator("#plan-approve-why")).to_contain_text("编制人以外的负责人审批")
    plan_id = walk.pk("/plan/show")
    walk.shot("plan-draft")
    # The province leader finds it in 待审批 on 我的工作提醒 and approves it.
    walk.as_user("jiangxi")
    open_menu(walk, "我的工作台", "我的工作提醒")
    walk.click(page.locator(f'#approval-queue a[href$="/plan/show/{plan_id}"]'))
    walk.click("#plan-approve")
    walk.flash("计划已批准")
    walk.as_user(LEADER)
    walk.b.goto(f"/plan/show/{plan_id}")
    walk.click("#plan-breakdown")
    walk.flash("分解出 1 项执法任务")
    tasks = page.locator("#plan-tasks tbody tr")
    expect(tasks).to_have_count(1)
    team = tasks.first.locator("td").nth(3).inner_text()
    assert len(re.findall(r"（\d+）", team)) >= 2, f"two certified inspectors expected: {team}"
    enterprise_name = tasks.first.locator("td").nth(1).inner_text().strip()
    walk.shot("plan-broken-down")
    walk.click(tasks.first.locator("a"))
    task_id = walk.pk("/task/show")
    expect(page.locator("body")).to_contain_text(enterprise_name)
    expect(page.locator("body")).to_contain_text("待检查")

    # -- 2. 现场检查方案: the inspector compiles it, the leader approves ------------------------------
    walk.as_user(INSPECTOR)
    open_menu(walk, "我的工作台", "执法任务")
    walk.click(page.locator(f'a[href$="/task/show/{task_id}"]').first)
    walk.click("#task-scheme")
    expect(page.locator(f'input[name=plugin_ids][value="{PLUGIN}"]')).to_be_checked()
    page.fill("#scheduled_on", today.isoformat())
    page.fill("#schedule", "上午查阅资料，下午现场检查")
    walk.shot("scheme-form")
    walk.click("#scheme-save")
    walk.flash("检查方案已保存，请负责人审批")
    scheme_id = walk.pk("/scheme/show")
    expect(page.locator("#wb-actions #scheme-approve")).to_have_count(0)  # not the compiler's call

    expect(page.locator("#scheme-waiting")).to_contain_text("待负责人审批")

    walk.as_user(LEADER)  # from the 待审批 queue of 我的工作提醒
    open_menu(walk, "我的工作台", "我的工作提醒")
    walk.click(page.locator(f'#approval-queue a[href$="/scheme/show/{scheme_id}"]'))
    walk.click("#scheme-approve")
    walk.flash("检查方案已批准，可以开始现场检查")
    expect(page.locator(".panel-body table").first).to_contain_text("YX-01")
    expect(page.locator(".panel-body table").first).not_to_contain_text("confined_space")
    walk.shot("scheme-approved")

    # -- 3. 现场检查 on the phone ------------------------------------------------------------------
    walk.as_user(INSPECTOR)
    open_menu(walk, "我的工作台", "执法任务")
    walk.click(page.locator(f'a[href$="/task/show/{task_id}"]').first)
    walk.click("#task-start")
    inspection_id = walk.pk("/workbench/inspection")
    expect(page.locator("h2.cl-enterprise-name")).to_have_text(enterprise_name)
    participant = page.locator("#participants .wb-participant").first
    participant.locator("input[name=name]").fill("王安全")
    participant.locator("input[name=position]").fill("安全部长")
    for caption in ("姓名", "职务", "联系电话"):  # still readable once the boxes are filled
        expect(participant.locator("label", has_text=caption)).to_be_visible()
    page.locator("#participants-save").click()
    expect(page.locator("#wb-status")).to_contain_text("在场人员已保存")

    form = page.locator("#checklist-form")
    for choice in form.locator('.cl-role-answer .cl-choice[data-value="compliant"]').all():
        choice.click()
    item = form.locator(f'.cl-item[data-item="{FAILING}"]')
    item.locator('.cl-role-answer .cl-choice[data-value="non_compliant"]').first.click()
    defect = item.locator('.cl-field[data-key="defect"]')
    expect(defect).to_be_visible()  # the follow-up appears
    # 1.1.0: an operation without approval where poisoning is a risk — 10号令 第十三条（二）, major
    item.locator(
        '.cl-field[data-key="problems"] .cl-choice', has_text="作业方案未经审批擅自作业"
    ).click()
    item.locator('.cl-field[data-key="toxic_risk"] .cl-choice[data-value="true"]').click()
    defect.locator("textarea").fill("有限空间作业无作业方案，未经审批即安排清淤作业")
    document = item.locator('input[type=file][data-kind="document"]')
    document.set_input_files(
        files=[{"name": "scheme-photo.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(item.locator('[data-key="evidence.document"] .cl-upload-status')).to_contain_text(
        "已上传"
    )
    walk.shot("inspection-form")
    page.locator("#cl-save").click()
    expect(form.locator("#cl-summary, .cl-notice").first).to_contain_text("已保存")
    page.locator("#cl-submit").click()
    expect(page.locator("#cl-result")).to_contain_text("检查结果已提交")
    expect(page.locator("#cl-result")).to_contain_text("发现问题 1 处")
    walk.shot("inspection-submitted")
    walk.click("#finish")
    walk.flash("发现问题隐患 1 处")

    # -- 4. 问题隐患: bases, suggested measure, 立案查处 ------------------------------------------------
    hazard = page.locator(".wb-hazard").first
    expect(hazard).to_contain_text("违法依据：")
    expect(hazard).to_contain_text("处罚依据：")
    assert "—" not in hazard.locator("p", has_text="违法依据：").inner_text()
    expect(hazard).to_contain_text("系统建议：")
    expect(hazard.locator("select")).to_have_value("file_case")  # a major hazard: 立案查处
    expect(hazard.locator("select option:checked")).to_have_text("立案查处")
    # One action per decision: the button says what it does for 立案查处 (no order).
    expect(page.locator("#hazards-submit")).to_contain_text("确认处理措施（立案查处")
    walk.shot("hazards")
    walk.click(page.locator("#hazards-submit"))
    walk.flash("处理措施已确认")
    walk.click(page.locator(".wb-hazard .wb-hazard-case a", has_text="立案查处"))

    # -- 5. 立案 from the hazard (prefilled: party, team, facts) --------------------------------------
    expect(page.locator("h2")).to_have_text("立案")
    expect(page.locator("#case-hazards")).to_contain_text("违法依据")
    expect(page.locator("#enterprise-id option:checked")).to_have_text(enterprise_name)
    expect(page.locator("#case-source")).to_have_value("hazard")
    expect(page.locator("#enforcer-ids option:checked")).to_have_count(2)
    walk.shot("case-new")
    walk.click(page.locator("#case-new-form button[type=submit]"))
    walk.flash("已立案")
    case_id = walk.pk("/cases")
    expect_stage(walk, "立案")
    history_row(walk, INSPECTOR, "立案", "→ 立案")
    expect(page.locator("#facts")).to_contain_text("已立案查处")
    walk.shot("case-filed")

    # -- 6. 立案 → 调查取证 → 案件审查 (the inspector) -----------------------------------------------
    case_action(walk, "investigate", "询问现场负责人，调取作业记录")
    walk.flash("已办理：开始调查取证")
    expect_stage(walk, "调查取证")
    page.select_option("#penalty-kind", "fine")
    page.fill("#penalty-amount", FINE)
    page.fill("#penalty-basis", "《安全生产法》第一百零一条第（五）项")
    walk.click(page.locator("#penalty-form button[type=submit]"))
    walk.flash("已登记处罚内容")
    expect(page.locator("#penalties")).to_contain_text("达到听证标准")
    expect(page.locator("table.case-penalties")).to_contain_text("罚款")
    walk.shot("case-investigation")
    case_action(walk, "submit", "事实清楚，证据确凿")
    expect_stage(walk, "案件审查")
    # 审查通过 is the leader's: the inspector sees why it is locked.
    expect(page.locator('.blocked-action[data-action="notify_hearing"]')).to_contain_text(
        "此操作须由负责人审批"
    )
    walk.shot("case-review-inspector")

    # -- 7. 案件审查 → 告知 (the leader, with the hearing right) ---------------------------------------
    walk.as_user(LEADER)
    open_menu(walk, "我的工作台", "立案查处")
    walk.click(page.locator(f'a[href$="/case/show/{case_id}"], a[href$="/cases/{case_id}"]').first)
    expect_stage(walk, "案件审查")
    expect(page.locator('.blocked-action[data-action="notify"]')).to_contain_text("听证")
    case_action(walk, "notify_hearing", "同意，告知当事人陈述申辩及听证权利")
    expect_stage(walk, "告知")
    history_row(walk, LEADER, "审查通过，告知陈述申辩及听证权利", "案件审查 → 告知")
    expect(page.locator('.blocked-action[data-action="decide"]')).to_contain_text("届满")
    walk.shot("case-notice")

    # -- 8. 告知 → 听证 → 处罚决定 (the party asks for a hearing; the leader decides) -------------------
    case_action(walk, "request_hearing", "当事人书面申请听证")
    expect_stage(walk, "听证")
    # 第六十四条（二）: the hearing is noticed 7 working days ahead; 第五十八条: 法制审核 after it.
    cover_the_calendar(walk.b.server.app, today)
    schedule = page.locator(
        "form.case-action", has=page.locator('[data-action="schedule_hearing"]')
    )
    schedule.locator("[name=on]").fill((today + dt.timedelta(days=30)).isoformat())
    walk.click(schedule.locator('button[data-action="schedule_hearing"]'))
    walk.flash("已办理：通知听证会时间、地点")
    expect(page.locator('.blocked-action[data-action="decide"]')).to_contain_text("听证会定于")
    hearing_held_yesterday(walk.b.server.app, case_id, today)
    page.reload()
    expect(page.locator("#procedure-steps")).to_contain_text("法制审核：须审核（经过听证")
    case_action(walk, "legal_review", "事实清楚、证据确凿、程序合法、适用依据正确")
    walk.flash("已办理：法制审核通过")
    page.fill("#decision-no", DECISION_NO)
    page.fill("#decided-on", today.isoformat())
    walk.click(page.locator("#decision-form button[type=submit]"))
    walk.flash("已登记处罚决定书")
    case_action(walk, "decide", "听证后维持原处罚意见")
    expect_stage(walk, "处罚决定")
    history_row(walk, LEADER, "作出处罚决定", "听证 → 处罚决定")
    walk.shot("case-decision")

    # -- 9. 送达 → 执行 → 结案 → 归档 (the inspector records service and payment) ----------------------
    walk.as_user(INSPECTOR)
    open_menu(walk, "我的工作台", "立案查处")
    walk.click(page.locator(f'a[href$="/case/show/{case_id}"], a[href$="/cases/{case_id}"]').first)
    page.fill("#served-on", today.isoformat())
    walk.click(page.locator("#decision-form button[type=submit]"))
    walk.flash("已登记处罚决定书")
    case_action(walk, "serve", "直接送达，当事人签收")
    expect_stage(walk, "送达")
    case_action(walk, "execute")
    expect_stage(walk, "执行")
    expect(page.locator('.blocked-action[data-action="close"]')).to_contain_text("罚款尚未缴清")
    payment = page.locator("form.case-payment").first
    payment.locator("[name=paid_amount]").fill(FINE)
    payment.locator("[name=paid_on]").fill(today.isoformat())
    walk.shot("case-payment")
    walk.click(payment.locator("button[type=submit]"))
    walk.flash("已登记缴款")
    expect(page.locator("table.case-penalties")).to_contain_text(f"{FINE}.00（{today}")
    case_action(walk, "close", "罚款已全额缴纳")
    expect_stage(walk, "结案")
    case_action(walk, "archive", "案卷装订归档")
    expect_stage(walk, "归档")
    expect(page.locator("#no-actions")).to_have_text("当前没有可办理的操作。")
    for actor, action, stages in [
        (INSPECTOR, "开始调查取证", "立案 → 调查取证"),
        (INSPECTOR, "调查终结，提交审查", "调查取证 → 案件审查"),
        (LEADER, "当事人申请听证", "告知 → 听证"),
        (INSPECTOR, "送达处罚决定书", "处罚决定 → 送达"),
        (INSPECTOR, "进入执行", "送达 → 执行"),
        (INSPECTOR, "执行完毕，结案", "执行 → 结案"),
        (INSPECTOR, "立卷归档", "结案 → 归档"),
    ]:
        history_row(walk, actor, action, stages)
    expect(page.locator("table.case-history")).to_contain_text("罚款已全额缴纳")
    walk.shot("case-archived")

    # -- 10. 企业执法档案 -------------------------------------------------------------------------
    walk.click(page.locator("#case-history-link"))
    expect(page.locator("h2")).to_have_text(f"执法档案：{enterprise_name}")
    expect(page.locator("#history-inspections")).to_contain_text("王安全")
    expect(
        page.locator(f'#history-inspections a[href$="/inspection/show/{inspection_id}"]')
    ).to_be_visible()
    expect(page.locator("#history-hazards")).to_contain_text("已立案查处")
    # Every column of the history, the status at the right included, is on the phone's screen.
    for table in page.locator("#history-page table").all():
        box = table.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 391, box
    expect(page.locator("#history-cases")).to_contain_text("归档")
    expect(page.locator("#history-penalties")).to_contain_text(DECISION_NO)
    walk.shot("enterprise-history")
    assert walk.problems == []
