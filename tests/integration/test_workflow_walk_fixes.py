"""What the phone walk from plan to archived case (tests/e2e/test_workflow_walk.py) found, pinned on
both engines through the pages: the "new" steps are reachable, a new scheme follows the plan, a
hazard confirmed for 立案查处 opens a prefilled case and is marked escalated, a joint county/city team
counts as two inspectors, detail pages show titles (not ids, JSON or None), and the case desk links
to the enterprise history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import Case, Enforcer, Hazard
from enforcement.services import cases, checklists
from support import factories
from support.demo import DONGHU, NANCHANG, db, enforcers_in
from support.factories import CONFINED_SPACE as PLUGIN
from support.web import logged_in


@pytest.fixture
def walk(app: Any) -> factories.Walk:
    """The whole procedure up to a finished inspection with hazards (plan, task, scheme, inspection)."""
    with db(app) as session:
        return factories.hazards(session, checklists.platform_of(app))


def test_the_plan_and_task_lists_offer_their_new_step_to_the_leader_only(app: Any) -> None:
    leader, inspector = logged_in(app, "nanchang"), logged_in(app, "donghu")
    plans = leader.get("/plan/list/").get_data(as_text=True)
    assert 'href="/workbench/plan/new"' in plans and "新建监督检查计划" in plans
    tasks = leader.get("/task/list/").get_data(as_text=True)
    assert 'href="/workbench/task/new"' in tasks and "下达执法任务" in tasks
    assert "/workbench/plan/new" not in inspector.get("/plan/list/").get_data(as_text=True)
    assert "/workbench/task/new" not in inspector.get("/task/list/").get_data(as_text=True)


def test_a_new_scheme_form_preselects_only_the_plans_item_sets(app: Any) -> None:
    """The enterprise also gets the all-enterprises checklist (duty7); the plan names confined_space."""
    with db(app) as session:
        enterprise, _ = factories.confined_enterprise(session, DONGHU)
        plan = factories.plan(session, title="有限空间专项（预选测试）", seed=None)
        task_id = factories.task(session, enterprise, in_plan=plan).id
    client = logged_in(app, "donghu")
    page = client.get(f"/workbench/task/{task_id}/scheme").get_data(as_text=True)
    checked = re.findall(r'name="plugin_ids" value="([\w.]+)" checked', page)
    assert checked == [PLUGIN]
    assert 'name="plugin_ids" value="duty7"' in page  # offered, not preselected


def test_plan_and_scheme_details_show_titles_not_ids_json_or_none(app: Any, walk: Any) -> None:
    client = logged_in(app, "nanchang")
    plan = client.get(f"/plan/show/{walk.plan_id}").get_data(as_text=True)
    assert "工贸企业有限空间作业执法检查重点事项" in plan
    assert "专项标签：有限空间作业" in plan
    assert "['confined_space']" not in plan and "{'tags'" not in plan
    assert not re.search(r">\s*None\s*<", plan)
    scheme = client.get(f"/scheme/show/{walk.scheme_id}").get_data(as_text=True)
    assert "YX-01" in scheme and "'confined_space.yx01'" not in scheme


def test_a_hazard_confirmed_for_a_case_opens_a_prefilled_case_and_is_marked_escalated(
    app: Any, walk: Any
) -> None:
    hazard_id = walk.hazard_ids[0]
    client = logged_in(app, "donghu")
    form = {"csrf_token": "", f"measure_{hazard_id}": "file_case", "confirm": "1"}
    response = client.post(f"/workbench/inspection/{walk.inspection_id}/hazards", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert f'href="/cases/new?hazard_id={hazard_id}"' in page

    prefilled = client.get(f"/cases/new?hazard_id={hazard_id}").get_data(as_text=True)
    assert f'name="hazard_id" value="{hazard_id}"' in prefilled
    assert f'<option value="{walk.enterprise_id}" selected>' in prefilled
    assert '<option value="hazard" selected>' in prefilled
    with app.app_context():
        session = app.appbuilder.session
        hazard = session.get(Hazard, hazard_id, execution_options={UNSCOPED: True})
        team = [str(e.id) for e in service_team(session, hazard)]
    assert len(team) >= 2
    for enforcer_id in team:
        assert re.search(rf'<option value="{enforcer_id}" selected>', prefilled), enforcer_id

    filed = client.post(
        "/cases/new",
        data={
            "hazard_id": str(hazard_id),
            "enterprise_id": str(walk.enterprise_id),
            "enforcer_ids": team,
            "source": "hazard",
            "party_kind": "unit",
            "discovered_on": dt.date.today().isoformat(),
            "filed_on": dt.date.today().isoformat(),
            "facts": "现场检查发现有限空间作业无作业方案。",
        },
    )
    assert filed.status_code == 302, filed.get_data(as_text=True)
    case_id = int(filed.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        session = app.appbuilder.session
        hazard = session.get(Hazard, hazard_id, execution_options={UNSCOPED: True})
        assert (hazard.status, hazard.case_id) == ("escalated", case_id)
        case = session.get(Case, case_id, execution_options={UNSCOPED: True})
        assert [h.id for h in cases.case_hazards(session, case)] == [hazard_id]
    hazards_page = client.get(f"/workbench/inspection/{walk.inspection_id}/hazards")
    assert f'href="/cases/{case_id}"' in hazards_page.get_data(as_text=True)
    # Filing the same hazard twice is refused at the form.
    again = client.post(
        "/cases/new",
        data={
            "hazard_id": str(hazard_id),
            "enterprise_id": str(walk.enterprise_id),
            "enforcer_ids": team,
            "source": "hazard",
            "discovered_on": dt.date.today().isoformat(),
            "facts": "重复立案",
        },
    )
    assert again.status_code == 422
    assert "隐患已立案查处" in again.get_data(as_text=True)


def service_team(session: Any, hazard: Hazard) -> list[Enforcer]:
    from enforcement.models import task_enforcer

    ids = session.scalars(
        select(task_enforcer.c.enforcer_id).where(
            task_enforcer.c.task_id == hazard.inspection.task_id
        )
    ).all()
    return list(
        session.scalars(
            select(Enforcer).where(Enforcer.id.in_(ids)).execution_options(**{UNSCOPED: True})
        )
    )


def test_a_county_user_moves_a_case_whose_team_includes_a_city_inspector(app: Any) -> None:
    """The county cannot list the city's staff, but the city inspector still counts as one of two."""
    with db(app) as session, factories.as_system():
        enterprise = factories.enterprise(session, DONGHU)
        city, county = enforcers_in(session, NANCHANG)[0], enforcers_in(session, DONGHU)[0]
        case = cases.open_case(
            session,
            enterprise,
            [city, county],
            source="inspection",
            facts="联合检查发现有限空间作业未审批。",
            discovered_on=dt.date.today(),
            actor="system",
        )
        enterprise_id, case_id, names = enterprise.id, case.id, (city.name, county.name)
    client = logged_in(app, "donghu")
    desk = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "承办人员：" + "、".join(names) in desk
    assert 'data-action="investigate"' in desk
    assert f'href="/workbench/enterprise/{enterprise_id}/history"' in desk
    moved = client.post(f"/cases/{case_id}/act", data={"action": "investigate", "note": ""})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    with app.app_context():
        stage = app.appbuilder.session.scalar(
            select(Case.stage).where(Case.id == case_id).execution_options(**{UNSCOPED: True})
        )
    assert stage == "investigation"


def test_the_payment_form_is_full_width_below_the_penalties_table(app: Any) -> None:
    """On a phone a form in the table's last column was off screen."""
    with app.app_context():
        session = app.appbuilder.session
        with factories.as_system():
            enterprise = factories.enterprise(session, DONGHU)
            case = cases.open_case(
                session,
                enterprise,
                enforcers_in(session, DONGHU)[:2],
                source="inspection",
                facts="现场检查发现有限空间作业未审批。",
                discovered_on=dt.date(2026, 3, 2),
                filed_on=dt.date(2026, 3, 2),
                actor="system",
            )
            # Fixed past dates: the party's periods are working days on the 2026 calendar (the
            # law changed: a same-day hearing and decision are no longer possible).
            day = dt.date(2026, 3, 3)
            cases.transition(session, case, "investigate", actor="system", today=day)
            cases.record_penalty(
                session, case, kind="fine", amount="10000", basis="《安全生产法》第一百零一条"
            )
            for action in ("submit", "notify"):
                cases.transition(session, case, action, note="走查", actor="system", today=day)
            decided = dt.date(2026, 3, 20)
            cases.record_decision(
                session,
                case,
                decision_no="测试罚〔2026〕1号",
                decided_on=decided,
                served_on=decided,
                actor="system",
            )
            for action in ("decide", "serve"):
                cases.transition(session, case, action, actor="system", today=decided)
        case_id = case.id
    client = logged_in(app, "donghu")
    desk = client.get(f"/cases/{case_id}").get_data(as_text=True)
    table = desk[desk.index('class="table table-condensed case-penalties') :]
    table = table[: table.index("</table>")]
    assert "case-payment" not in table
    assert 'class="case-payment"' in desk and "登记缴款：" in desk
