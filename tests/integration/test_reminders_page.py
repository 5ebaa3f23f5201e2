"""我的工作提醒: a user's own work from the teams they are on, within their jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from enforcement.models import Department, Enforcer
from enforcement.services.reminders import reminders_for
from support import factories
from support.demo import db, enforcers_in, enterprise_in
from support.demo import user as _user
from support.web import logged_in


def _task_for(app: Any, region_code: str, team: list[Enforcer], due_on: dt.date) -> str:
    with db(app) as session:
        enterprise = enterprise_in(session, region_code)
        return str(factories.task(session, enterprise, enforcers=team, due_on=due_on))


def test_demo_inspector_acts_as_an_inspector_of_their_own_department(app: Any) -> None:
    with app.app_context():
        user = _user(app.appbuilder.session, "donghu")
        assert user.enforcer is not None
        assert user.enforcer.department_id == user.department_id


def test_a_task_shows_as_mine_only_for_users_on_its_team(app: Any) -> None:
    today = dt.date(2026, 12, 1)
    with app.app_context():
        session = app.appbuilder.session
        donghu = _user(session, "donghu")
        colleagues = list(
            session.scalars(
                select(Enforcer)
                .join(Enforcer.department)
                .where(Department.region_code.startswith("3601"), Enforcer.id != donghu.enforcer_id)
                .order_by(Enforcer.department_id != donghu.department_id, Enforcer.id)
            )
        )
        with_me = [donghu.enforcer, colleagues[0]]
        without_me = colleagues[1:3]
    mine = _task_for(app, "360102", with_me, today - dt.timedelta(days=2))
    not_mine = _task_for(app, "360102", without_me, today - dt.timedelta(days=1))
    with app.app_context():
        session = app.appbuilder.session
        result = reminders_for(session, _user(session, "donghu"), today, mine_only=True)
        overdue = [item.title for item in result.buckets["overdue"]]
        assert mine in overdue
        assert not_mine not in overdue
        everyone = reminders_for(session, _user(session, "donghu"), today, mine_only=False)
        assert not_mine in [item.title for item in everyone.buckets["overdue"]]


def test_reminders_page_buckets_work_and_the_badge_counts_the_urgent(
    app: Any, as_user: Any
) -> None:
    client = as_user("donghu")
    page = client.get("/reminders/?scope=all")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for heading in ("我的工作提醒", "已逾期", "今天到期", "即将到期", "以后到期"):
        assert heading in html
    assert "逾期" in html and "执法任务" in html
    response = client.get("/reminders/count")
    badge = response.json
    assert badge["urgent"] >= badge["overdue"] >= 1
    # asked on every page: the browser keeps it a minute, private to the user
    assert response.headers["Cache-Control"] == "private, max-age=60"


def test_reminders_never_show_another_countys_work(app: Any) -> None:
    with app.app_context():
        session = app.appbuilder.session
        region = _user(session, "jinjiang").department.region_code
        team = enforcers_in(session, region)[:2]
    chengdu_task = _task_for(app, region, team, dt.date.today() - dt.timedelta(days=3))
    pages = {}
    for username in ("donghu", "jinjiang"):
        client = logged_in(app, username)
        pages[username] = client.get("/reminders/?scope=all").get_data(as_text=True)
    assert chengdu_task in pages["jinjiang"]
    assert chengdu_task not in pages["donghu"]
