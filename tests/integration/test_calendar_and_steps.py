"""Issue 10 through the app: the working-day calendar loaded as data by the CLI (and a missing year
reported), `workflow show --json`, and the new procedure steps usable on the case page."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from enforcement.cli import calendar_load, calendar_show, workflow_show
from support import factories
from support.web import logged_in

D = dt.date


def test_calendar_load_overrides_a_year_and_show_reports_it(app, tmp_path: Path):
    csv = tmp_path / "2031.csv"
    csv.write_text(
        "# 来源：国务院办公厅关于2031年部分节假日安排的通知（测试）\n日期,类型,名称\n"
        "2031-01-01,休,元旦\n2031-01-25,班,春节调休\n",
        "utf-8",
    )
    runner = app.test_cli_runner()
    missing = runner.invoke(calendar_show, ["2031"])
    assert missing.exit_code == 1 and "2031年的法定节假日安排尚未载入" in missing.output
    loaded = runner.invoke(calendar_load, [str(csv)])
    assert loaded.exit_code == 0, loaded.output
    assert "已载入2031年工作日历" in loaded.output
    shown = json.loads(runner.invoke(calendar_show, ["2031", "--json"]).output)
    assert shown["covered"] and shown["holidays"] == ["2031-01-01"]
    assert shown["workdays"] == ["2031-01-25"] and "2031年" in shown["source"]
    with app.app_context():
        from enforcement.services.calendar import working_calendar

        calendar = working_calendar(app.appbuilder.session)
        assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)


def test_calendar_load_reports_bad_lines_in_chinese(app, tmp_path: Path):
    csv = tmp_path / "bad.csv"
    csv.write_text("日期,类型\n2031-02-30,休\n", "utf-8")
    result = app.test_cli_runner().invoke(calendar_load, [str(csv)])
    assert result.exit_code == 1 and "第2行" in result.output


def test_workflow_show_json_prints_the_tables(app):
    result = app.test_cli_runner().invoke(workflow_show, ["--json"])
    data = json.loads(result.output)
    assert {"rule_sets", "stages", "transitions", "limits"} <= set(data)
    enforce = [t for t in data["transitions"] if t["action"] == "enforce"][0]
    assert "reminder_served" in enforce["guards"] and enforce["approved_by"] == "负责人"


def _heard_case(app):
    from enforcement.services import cases

    session = app.appbuilder.session
    with factories.as_system():
        case = factories.case(session)
        cases.transition(session, case, "investigate", actor="system", today=D(2026, 3, 3))
        cases.record_penalty(
            session, case, kind="fine", amount="60000", basis="《安全生产法》第九十九条"
        )
        for action, day in (
            ("submit", D(2026, 3, 10)),
            ("notify_hearing", D(2026, 3, 12)),
            ("request_hearing", D(2026, 3, 13)),
        ):
            cases.transition(session, case, action, "当事人申请", actor="system", today=day)
        return case.id


def test_the_hearing_is_scheduled_on_the_case_page_with_its_date_and_the_refusal_says_why(
    app, as_user
):
    with app.app_context():
        case_id = _heard_case(app)
    user = as_user("donghu")
    page = user.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'name="on"' in page and "听证会日期" in page and "听证会通知书" in page
    assert "法制审核" in page  # why 听证后作出处罚决定 is not offered yet
    no_date = user.post(f"/cases/{case_id}/act", data={"action": "schedule_hearing"})
    assert no_date.status_code == 422 and "请填写日期" in no_date.get_data(as_text=True)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    early = user.post(f"/cases/{case_id}/act", data={"action": "schedule_hearing", "on": tomorrow})
    body = early.get_data(as_text=True)
    assert early.status_code == 422 and "七个工作日前通知" in body
    assert tomorrow in body  # what was typed stays
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    done = user.post(f"/cases/{case_id}/act", data={"action": "schedule_hearing", "on": later})
    assert done.status_code == 302
    page = user.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"听证会：{later}" in page


def test_the_home_page_warns_when_the_coming_weeks_reach_a_year_the_calendar_lacks(app, as_user):
    from sqlalchemy import delete

    from enforcement.models import CalendarYear
    from enforcement.services.calendar import working_calendar

    with app.app_context():
        session = app.appbuilder.session
        with factories.as_system():
            session.execute(delete(CalendarYear).where(CalendarYear.source == "测试数据"))
            session.commit()
        gap = working_calendar(session).gap_ahead(dt.date.today())
    page = as_user("donghu").get("/").get_data(as_text=True)
    if gap is None:  # the installed package covers the coming weeks
        assert 'id="calendar-gap"' not in page
    else:
        assert f"尚未载入{gap}年的法定节假日安排" in page and "请联系系统管理员载入" in page
        admin = logged_in(app, "admin").get("/").get_data(as_text=True)
        assert "enforcement calendar load" in admin
