"""Issue 11 through the pages (the browser tests at 390 px are in tests/e2e/test_field.py): an
overdue task stays workable, refused forms keep what was typed, one approval rule with a 待审批
queue, plain Chinese for inspectors, the region tree of the enterprise list."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select

from enforcement.db.unit_of_work import unit_of_work
from enforcement.models import InspectionScheme, Plan
from support import factories
from support.demo import DONGHU, db
from support.web import logged_in, search_filters

PLUGIN = "confined_space"


def _task(app: Any, *, days_overdue: int = 0) -> int:
    with db(app) as session:
        enterprise, _pieces = factories.confined_enterprise(session, DONGHU)
        task = factories.task(session, enterprise)
        if days_overdue:
            with factories.as_system(), unit_of_work(session):
                task.due_on = dt.date.today() - dt.timedelta(days=days_overdue)
        return task.id


def _scheme_form(**values: Any) -> dict[str, Any]:
    return {"plugin_ids": [PLUGIN], "methods": ["documents"], **values}


def test_an_overdue_task_gets_a_scheme_dated_today_and_shows_the_lateness(app: Any) -> None:
    task_id = _task(app, days_overdue=5)
    client = logged_in(app, "donghu")
    form_page = client.get(f"/workbench/task/{task_id}/scheme").get_data(as_text=True)
    assert "该任务已逾期 5 天" in form_page
    today = dt.date.today().isoformat()
    response = client.post(
        f"/workbench/task/{task_id}/scheme", data=_scheme_form(scheduled_on=today)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with db(app) as session:
        scheme = session.scalar(select(InspectionScheme).where(InspectionScheme.task_id == task_id))
        assert scheme.scheduled_on == dt.date.today()
        assert scheme.late_label == "晚于完成期限 5 天"
        scheme_id = scheme.id
    shown = client.get(f"/scheme/show/{scheme_id}").get_data(as_text=True)
    assert "晚于完成期限 5 天" in shown
    listed = client.get("/scheme/list/").get_data(as_text=True)
    assert "晚于完成期限 5 天" in listed


def test_a_refused_scheme_keeps_every_box_and_line_typed(app: Any) -> None:
    task_id = _task(app)
    client = logged_in(app, "donghu")
    response = client.post(
        f"/workbench/task/{task_id}/scheme",
        data={
            "plugin_ids": ["no_such_checklist"],
            "methods": ["site"],
            "scheduled_on": "2026-12-05",
            "schedule": "下午两点到场，先查台账",
            "team": "张三、李四",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="2026-12-05"' in page
    assert "下午两点到场，先查台账" in page and "张三、李四" in page
    assert re.search(r'name="methods" value="site"\s+checked', page)
    assert not re.search(r'name="methods" value="documents"\s+checked', page)
    assert not re.search(rf'name="plugin_ids" value="{PLUGIN}"\s+checked', page)


def _draft_plan(app: Any) -> int:
    with db(app) as session:
        return factories.plan(session, title="四眼原则测试计划", approve=False).id


def test_the_author_of_a_plan_sees_why_they_cannot_approve_it_and_another_leader_can(
    app: Any,
) -> None:
    plan_id = _draft_plan(app)  # compiled by the leader `nanchang`
    author = logged_in(app, "nanchang")
    page = author.get(f"/plan/show/{plan_id}").get_data(as_text=True)
    assert re.search(r'id="plan-approve" disabled', page)
    assert "监督检查计划应由编制人以外的负责人审批" in page
    author.post(f"/workbench/plan/{plan_id}/approve")
    with db(app) as session:
        assert session.get(Plan, plan_id).status == "draft"
    other = logged_in(app, "jiangxi")
    queue = other.get("/reminders/").get_data(as_text=True)
    assert f'/plan/show/{plan_id}"' in queue.split('id="approval-queue"', 1)[1]
    assert other.get("/reminders/count").get_json()["approvals"] >= 1
    assert other.post(f"/workbench/plan/{plan_id}/approve").status_code == 302
    with db(app) as session:
        plan = session.get(Plan, plan_id)
        assert (plan.status, plan.approved_by) == ("approved", "jiangxi")


def test_a_one_person_bureau_turns_four_eyes_off(app: Any) -> None:
    plan_id = _draft_plan(app)
    app.config["APPROVAL_FOUR_EYES"] = False
    try:
        author = logged_in(app, "nanchang")
        assert "编制人以外" not in author.get(f"/plan/show/{plan_id}").get_data(as_text=True)
        author.post(f"/workbench/plan/{plan_id}/approve")
    finally:
        app.config["APPROVAL_FOUR_EYES"] = True
    with db(app) as session:
        assert session.get(Plan, plan_id).approved_by == "nanchang"


def test_a_scheme_waits_in_the_leaders_queue_and_start_says_why_before_the_tap(app: Any) -> None:
    task_id = _task(app)
    inspector = logged_in(app, "donghu")
    inspector.post(f"/workbench/task/{task_id}/scheme", data=_scheme_form())
    task_page = inspector.get(f"/task/show/{task_id}").get_data(as_text=True)
    assert re.search(r'id="task-start" disabled', task_page)
    assert "现场检查方案待负责人审批" in task_page
    with db(app) as session:
        scheme_id = session.scalar(
            select(InspectionScheme.id).where(InspectionScheme.task_id == task_id)
        )
    leader = logged_in(app, "nanchang")
    queue = leader.get("/reminders/").get_data(as_text=True).split('id="approval-queue"', 1)[1]
    assert f'/scheme/show/{scheme_id}"' in queue
    assert "donghu" not in queue  # the author by name and post, never the login
    assert leader.post(f"/workbench/scheme/{scheme_id}/approve").status_code == 302
    task_page = inspector.get(f"/task/show/{task_id}").get_data(as_text=True)
    assert not re.search(r'id="task-start" disabled', task_page)


def test_reminders_carry_no_source_or_confidence(app: Any) -> None:
    page = logged_in(app, "nanchang").get("/reminders/?scope=all").get_data(as_text=True)
    for developer_text in ("medium", "回忆", "推定一致", "条文未取得", "15号令"):
        assert developer_text not in page


def test_region_levels_and_filter_operators_read_in_chinese(app: Any) -> None:
    client = logged_in(app, "nanchang")
    page = client.get("/region/list/").get_data(as_text=True)
    table = page.split("<table", 1)[1]
    assert "县级" in table
    assert not re.search(r">\s*(province|city|county|None)\s*<", table)
    listed = client.get("/enterprise/list/").get_data(as_text=True)
    operators = {name for names in search_filters(listed).values() for name in names}
    assert "开头是" in operators and "等于" in operators
    assert not [name for name in operators if re.search(r"[A-Za-z]", name)], operators


def test_the_region_tree_leads_a_province_leader_to_a_countys_enterprises(app: Any) -> None:
    client = logged_in(app, "jiangxi")
    root = client.get("/enterprise/list/").get_data(as_text=True)
    tree = root.split('id="region-tree"', 1)[1].split("</nav>", 1)[0]
    assert "江西省" in tree and 'data-region="360100"' in tree and "成都" not in tree
    city = client.get("/enterprise/list/?_flt_0_region_code=3601").get_data(as_text=True)
    assert 'data-region="360102"' in city.split('id="region-tree"', 1)[1].split("</nav>", 1)[0]
    county = client.get("/enterprise/list/?_flt_0_region_code=360102").get_data(as_text=True)
    assert "东湖区" in county and "西湖区" not in county.split("</nav>", 1)[1]
    # A county inspector's tree starts at the county; another province's prefix is ignored.
    inspector = logged_in(app, "donghu")
    own = inspector.get("/enterprise/list/?_flt_0_region_code=5101").get_data(as_text=True)
    assert "锦江" not in own.split('id="region-tree"', 1)[1].split("</nav>", 1)[0]


def _walk(app: Any) -> factories.Walk:
    from enforcement.services import checklists

    with db(app) as session:
        return factories.hazards(session, checklists.platform_of(app))


def test_a_refused_hazard_decision_keeps_the_chosen_measure_and_date(app: Any) -> None:
    walk = _walk(app)
    first, second = walk.hazard_ids
    client = logged_in(app, "donghu")
    response = client.post(
        f"/workbench/inspection/{walk.inspection_id}/hazards",
        data={
            f"measure_{first}": "deadline",
            f"deadline_{first}": "2020-01-01",  # refused: before today
            f"measure_{second}": "immediate",
            f"deadline_{second}": "2026-12-24",
            "decide": "1",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="2020-01-01"' in page and 'value="2026-12-24"' in page
    for hazard_id, measure in ((first, "deadline"), (second, "immediate")):
        select_html = page.split(f'id="measure_{hazard_id}"', 1)[1].split("</select>", 1)[0]
        assert re.search(rf'value="{measure}"\s+selected', select_html), hazard_id


def test_one_button_per_decision_and_the_order_paper_in_one_tap(app: Any) -> None:
    walk = _walk(app)
    first, second = walk.hazard_ids
    client = logged_in(app, "donghu")
    page = client.get(f"/workbench/inspection/{walk.inspection_id}/hazards").get_data(as_text=True)
    assert page.count('type="submit"') == 1  # one action: its label says what it will do
    deadline = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        f"/workbench/inspection/{walk.inspection_id}/hazards",
        data={
            f"measure_{first}": "deadline",
            f"deadline_{first}": deadline,
            f"measure_{second}": "deadline",
            f"deadline_{second}": deadline,
            "decide": "1",
        },
    )
    assert response.status_code == 302
    order_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="order-draft"' in order_page and "生成责令限期整改指令书" in order_page
    form = order_page.split('id="order-draft"', 1)[0].rsplit("<form", 1)[1]
    action = re.search(r'action="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'name="(form|subject)" value="([^"]+)"', form))
    drafted = client.post(action, data=fields)  # tap 1: the prefilled draft
    assert drafted.status_code == 302 and "/edit" in drafted.headers["Location"]
    final = client.post(drafted.headers["Location"], data={"then": "finalize"})  # tap 2
    assert final.status_code == 302
    assert "已定稿" in client.get(final.headers["Location"]).get_data(as_text=True)
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="order-pdf"' in again


def test_a_file_case_only_decision_confirms_without_an_order(app: Any) -> None:
    walk = _walk(app)
    client = logged_in(app, "donghu")
    data = {f"measure_{h}": "file_case" for h in walk.hazard_ids} | {"decide": "1"}
    response = client.post(f"/workbench/inspection/{walk.inspection_id}/hazards", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "处理措施已确认" in page and "确认处理措施（立案查处" in page
    with db(app) as session:
        from enforcement.models import RectificationOrder

        assert (
            session.scalar(
                select(RectificationOrder).where(
                    RectificationOrder.inspection_id == walk.inspection_id
                )
            )
            is None
        )


def test_a_refused_measure_on_the_hazard_page_comes_back_as_typed(app: Any) -> None:
    walk = _walk(app)
    hazard_id = walk.hazard_ids[1]
    client = logged_in(app, "donghu")
    response = client.post(
        f"/workbench/hazard/{hazard_id}/measure",
        data={"measure": "immediate", "deadline": "2020-02-02"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "整改期限不能早于今天" in page
    assert 'value="2020-02-02"' in page
    select_html = page.split('id="measure"', 1)[1].split("</select>", 1)[0]
    assert re.search(r'value="immediate"\s+selected', select_html)
