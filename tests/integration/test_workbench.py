"""我的工作台 end to end: plan → tasks → scheme → inspection → hazards → order → re-inspection; locking; scope."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import AuditLog, Hazard, Inspection, Task
from enforcement.services import checklists, inspections, plans, rectification, workbench
from enforcement.services.workbench import ConflictError, WorkbenchError
from support import factories
from support.demo import DONGHU, JINJIANG, NANCHANG, db, enforcers_in
from support.factories import CONFINED_SPACE as PLUGIN
from support.factories import acting, answers_for, confined_enterprise
from support.web import api_token, logged_in


@pytest.fixture
def walk(app: Any) -> factories.Walk:
    """The whole procedure up to a finished inspection with two hazards, through the services."""
    with db(app) as session:
        return factories.hazards(session, checklists.platform_of(app))


def test_a_plan_breaks_down_into_tasks_with_two_certified_inspectors_inside_the_period(app, walk):
    with app.app_context():
        session = app.appbuilder.session
        task = session.get(Task, walk.task_id)
        assert task.plan_id == walk.plan_id
        assert len(task.enforcers) >= 2
        assert all(e.certificate_no for e in task.enforcers)
        assert dt.date(2026, 1, 1) <= task.due_on <= dt.date(2026, 12, 31)
        assert all(Jurisdiction(e.department.region_code).contains(DONGHU) for e in task.enforcers)


def test_a_task_without_two_certified_inspectors_is_refused(app):
    with app.app_context(), acting("nanchang", NANCHANG):
        session = app.appbuilder.session
        enterprise, _ = confined_enterprise(session, DONGHU)
        one = enforcers_in(session, DONGHU)[:1]
        with pytest.raises(workbench.WorkbenchError) as refused:
            plans.create_task(
                session, enterprise=enterprise, enforcers=one, due_on=dt.date(2026, 12, 1)
            )
        assert "两名以上持有执法证" in str(refused.value)


def test_an_inspector_of_another_county_cannot_inspect_the_enterprise(app):
    with app.app_context(), acting("system", None):
        session = app.appbuilder.session
        enterprise, _ = confined_enterprise(session, DONGHU)
        foreign = enforcers_in(session, JINJIANG)[:2]
        with pytest.raises(workbench.WorkbenchError) as refused:
            plans.create_task(
                session, enterprise=enterprise, enforcers=foreign, due_on=dt.date(2026, 12, 1)
            )
        assert "无管辖权" in str(refused.value)


def test_the_scheme_is_preselected_from_the_enterprises_tags_and_needs_a_leaders_approval(
    app, walk
):
    with app.app_context():
        session = app.appbuilder.session
        inspection = session.get(Inspection, walk.inspection_id)
        scheme = inspections.scheme_of(session, inspection.task)
        assert scheme.plugin_ids == [PLUGIN]
        assert "confined_space.yx01" in scheme.item_ids
        assert scheme.status == "approved"
        assert scheme.approved_by == "nanchang"


def test_failed_items_become_hazards_with_bases_and_suggested_measures(app, walk):
    with app.app_context():
        session = app.appbuilder.session
        hazards = [session.get(Hazard, i) for i in walk.hazard_ids]
        assert sorted(h.item_id for h in hazards) == ["confined_space.yx01", "confined_space.yx02"]
        first = next(h for h in hazards if h.item_id == "confined_space.yx01")
        # 1.1.0 (legal review finding 9): 13号令 for inspections from 2024-01-01, no longer 59号令
        # 第八条 / 第三十条 — those stay for inspections dated up to 2023-12-31 (earlier_bases).
        assert "应急管理部令第13号" in first.illegal_basis and "第59号" not in first.illegal_basis
        assert "第二十一条" in first.penalty_basis
        assert first.is_major
        assert first.measure == "file_case"  # a major hazard: the suggestion starts a case
        assert first.suggestion["major_basis"] == (
            "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）第十三条第（二）项"
        )
        assert "order_rectification" in first.suggestion["measures"]
        per_equipment = next(h for h in hazards if h.item_id == "confined_space.yx02")
        # no sign, but the spaces are identified and listed (YX-04 passed): not 第十三条（一）
        assert not per_equipment.is_major
        assert per_equipment.measure == "deadline"
        assert per_equipment.suggestion["major_basis"] is None
        assert per_equipment.equipment_id == walk.pieces[0]
        assert per_equipment.equipment_name == "污水井1"
        inspection = session.get(Inspection, walk.inspection_id)
        assert inspection.status == "finished"
        assert inspection.task.status == "done"
        assert inspection.latitude == pytest.approx(28.68)


def test_a_major_hazard_shows_the_article_of_order_10_it_meets(app, walk):
    client = logged_in(app, "donghu")
    major, general = walk.hazard_ids
    page = client.get(f"/hazard/show/{major}").get_data(as_text=True)
    assert "重大事故隐患判定依据" in page and "第十三条第（二）项" in page
    other = client.get(f"/hazard/show/{general}").get_data(as_text=True)
    assert "一般隐患" in other and "第十三条" not in other


def test_rectification_order_requires_a_deadline_for_a_deadline_measure(app, walk):
    with app.app_context(), acting("donghu", DONGHU):
        session = app.appbuilder.session
        inspection = session.get(Inspection, walk.inspection_id)
        for hazard in inspection.hazards:
            hazard.measure = "deadline"
            hazard.deadline = None
        session.commit()
        with pytest.raises(WorkbenchError) as refused:
            rectification.issue_rectification_order(
                session, inspection, issued_on=dt.date(2026, 3, 1)
            )
        assert "须填写整改期限" in str(refused.value)


def test_recheck_follows_completion_with_the_same_inspectors_and_open_hazards_only(app, walk):
    with app.app_context(), acting("donghu", DONGHU):
        session = app.appbuilder.session
        inspection = session.get(Inspection, walk.inspection_id)
        major, other = sorted(inspection.hazards, key=lambda h: h.item_id)
        rectification.confirm_measure(session, other, "deadline", dt.date(2026, 4, 1))
        rectification.confirm_measure(session, major, "deadline", dt.date(2026, 4, 15))
        order = rectification.issue_rectification_order(
            session, inspection, issued_on=dt.date(2026, 3, 1)
        )
        assert order.deadline == dt.date(2026, 4, 15)
        assert {h.status for h in order.hazards} == {"rectifying"}
        assert rectification.generate_recheck(session, order, today=dt.date(2026, 3, 10)) is None
        major.status = "escalated"  # what services/cases.escalate_hazards does for a case
        session.commit()
        recheck = rectification.report_completion(session, order, on=dt.date(2026, 3, 20))
        assert recheck is not None and recheck.kind == "recheck"
        assert recheck.parent_id == walk.task_id
        assert [e.id for e in recheck.enforcers] == [e.id for e in inspection.task.enforcers]
        assert [h.id for h in rectification.recheck_hazards(session, recheck)] == [other.id]
        rectification.close_hazard(session, other, recheck, on=dt.date(2026, 3, 25))
        assert other.status == "rectified"
        assert other.rectified_on == dt.date(2026, 3, 25)
        assert other.verified_by_task_id == recheck.id
        assert recheck.status == "done"
        with pytest.raises(WorkbenchError):
            rectification.close_hazard(session, major, recheck)


def test_a_recheck_keeps_its_date_either_way_and_refuses_one_before_the_order_or_in_the_future(
    app, walk
):
    with app.app_context(), acting("donghu", DONGHU):
        session = app.appbuilder.session
        inspection = session.get(Inspection, walk.inspection_id)
        first, second = sorted(inspection.hazards, key=lambda h: h.item_id)
        for hazard in (first, second):
            rectification.confirm_measure(session, hazard, "deadline", dt.date(2026, 4, 1))
        order = rectification.issue_rectification_order(
            session, inspection, issued_on=dt.date(2026, 3, 1)
        )
        recheck = rectification.report_completion(session, order, on=dt.date(2026, 3, 20))
        for day, reason in (
            (dt.date(2026, 2, 28), "复查日期不能早于整改指令书的签发日期（2026-03-01）"),
            (dt.date.today() + dt.timedelta(days=1), "复查日期不能晚于今天"),
        ):
            with pytest.raises(WorkbenchError, match=reason):
                rectification.close_hazard(session, first, recheck, on=day)
            assert first.status == "rectifying" and first.verified_on is None
        rectification.close_hazard(session, first, recheck, rectified=False, on=dt.date(2026, 4, 3))
        rectification.close_hazard(session, second, recheck, on=dt.date(2026, 4, 5))
        assert (first.status, first.verified_on, first.rectified_on) == (
            "open",
            dt.date(2026, 4, 3),
            None,
        )
        assert (second.status, second.verified_on, second.rectified_on) == (
            "rectified",
            dt.date(2026, 4, 5),
            dt.date(2026, 4, 5),
        )
        task_id, failed_id = recheck.id, first.id
    page = logged_in(app, "donghu").get(f"/workbench/recheck/{task_id}").get_data(as_text=True)
    assert "2026-04-03 复查未整改，待立案查处" in page
    assert "已于 2026-04-05 复查确认整改完成" in page
    client = app.test_client()
    found = client.get(f"/api/v1/hazard/{failed_id}", headers=api_token(client, "donghu")).json
    assert (found["result"]["verified_on"], found["result"]["verified_by_task_id"]) == (
        "2026-04-03",
        task_id,
    )


def recheck_task(app: Any, walk: factories.Walk) -> int:
    """The walk's hazards on an order issued 2026-03-01, reported complete: its 复查 task's id."""
    with app.app_context(), acting("donghu", DONGHU):
        session = app.appbuilder.session
        order = factories.order(
            session, walk, issued_on=dt.date(2026, 3, 1), deadline=dt.date(2026, 4, 1)
        )
        return rectification.report_completion(session, order, on=dt.date(2026, 3, 20)).id


def test_the_recheck_opinion_is_saved_audited_and_a_refused_one_stays_as_typed(app, walk):
    task_id = recheck_task(app, walk)
    client = logged_in(app, "donghu")
    url = f"/workbench/recheck/{task_id}"
    saved = client.post(url, data={"opinion": "  经复查，企业已按要求完成整改。 "})
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "已保存复查意见" in page and ">经复查，企业已按要求完成整改。</textarea>" in page

    too_long = "复" * (rectification.RECHECK_OPINION_MAX + 1)
    refused = client.post(url, data={"opinion": too_long})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "复查意见不能超过2000字（现有2001字）" in body
    assert f">{too_long}</textarea>" in body  # what was typed is not lost
    with app.app_context():
        session = app.appbuilder.session
        assert session.get(Task, task_id).note == "经复查，企业已按要求完成整改。"
        audited = session.scalars(
            select(AuditLog).where(AuditLog.entity == "task", AuditLog.entity_id == str(task_id))
        ).all()
        assert any(
            "经复查，企业已按要求完成整改。" in str(a.new_values) and a.username == "donghu"
            for a in audited
        )
        session.remove()


def test_two_people_saving_the_recheck_opinion_at_once_do_not_write_over_each_other(app, walk):
    task_id = recheck_task(app, walk)
    url = f"/workbench/recheck/{task_id}"
    first, second = logged_in(app, "donghu"), logged_in(app, "nanchang")
    # Both opened the page while it was empty; the first saves, then the second.
    assert first.post(url, data={"opinion": "甲：已整改。", "loaded": ""}).status_code == 302
    late = second.post(url, data={"opinion": "乙：未整改。\r\n移交立案。", "loaded": ""})
    assert late.status_code == 409
    body = late.get_data(as_text=True)
    assert "复查意见已被其他人修改" in body and "当前复查意见：</strong>甲：已整改。" in body
    assert "乙：未整改。" in body  # what the second typed is still in the field
    # Having seen the first one's, the second saves again (the page now carries it as loaded).
    merged = second.post(
        url, data={"opinion": "甲：已整改。\r\n乙：未整改。", "loaded": "甲：已整改。"}
    )
    assert merged.status_code == 302
    with app.app_context():
        assert app.appbuilder.session.get(Task, task_id).note == "甲：已整改。\n乙：未整改。"
        app.appbuilder.session.remove()


def test_a_passed_deadline_creates_the_recheck_task(app, walk):
    with app.app_context(), acting("donghu", DONGHU):
        session = app.appbuilder.session
        order = factories.order(
            session, walk, issued_on=dt.date(2026, 1, 20), deadline=dt.date(2026, 2, 1)
        )
        created = rectification.generate_due_rechecks(session, today=dt.date(2026, 2, 2))
        assert order.recheck_task_id in {t.id for t in created}
        assert rectification.generate_due_rechecks(session, today=dt.date(2026, 2, 3)) == []


def test_two_inspectors_saving_the_same_inspection_get_a_conflict_not_an_overwrite(app):
    with app.app_context():
        session = app.appbuilder.session
        platform = checklists.platform_of(app)
        enterprise, _ = confined_enterprise(session, DONGHU)
        inspection = factories.inspection(session, platform, factories.task(session, enterprise))
        with acting("donghu", DONGHU):
            loaded = inspection.version
            inspections.save_inspection(
                session, platform, inspection, version=loaded, participants=[{"name": "甲"}]
            )
            with pytest.raises(ConflictError) as conflict:
                inspections.save_inspection(
                    session, platform, inspection, version=loaded, participants=[{"name": "乙"}]
                )
        assert "为避免覆盖" in str(conflict.value)
        session.refresh(inspection)
        assert inspection.participants[0]["name"] == "甲"


def test_the_draw_is_recorded_and_reproducible(app, walk):
    with app.app_context():
        session = app.appbuilder.session
        from enforcement.models import Plan

        plan = session.get(Plan, walk.plan_id)
        assert plan.random_seed == 20260101
        first = plans.draw_plan(session, plan)
        again = plans.draw_plan(session, plan)
        assert first.assignments == again.assignments


# -- pages, API, export ------------------------------------------------------------------------------


def test_the_on_site_page_reuses_the_checklist_form_and_conflicts_answer_409(app, as_user):
    with db(app) as session:
        enterprise, pieces = confined_enterprise(session, DONGHU)
        enterprise_id, task_id = enterprise.id, factories.task(session, enterprise).id
    client = as_user("donghu")
    assert client.get(f"/workbench/task/{task_id}/scheme").status_code == 200
    response = client.post(f"/workbench/task/{task_id}/scheme", data={"plugin_ids": [PLUGIN]})
    assert response.status_code == 302
    response = client.post(f"/workbench/task/{task_id}/start")
    assert response.status_code == 302
    with app.app_context():
        assert (
            inspections.inspection_of(
                app.appbuilder.session, app.appbuilder.session.get(Task, task_id)
            )
            is None
        )
        scheme_id = inspections.scheme_of(
            app.appbuilder.session, app.appbuilder.session.get(Task, task_id)
        ).id
    leader = logged_in(app, "nanchang")
    assert leader.post(f"/workbench/scheme/{scheme_id}/approve").status_code == 302
    response = client.post(f"/workbench/task/{task_id}/start")
    inspection_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(f"/workbench/inspection/{inspection_id}").get_data(as_text=True)
    assert 'id="checklist-data"' in page and "js/checklist-form.js" in page
    assert "js/inspection.js" in page
    with app.app_context():
        declaration = checklists.platform_of(app).registry.get(PLUGIN).declaration
        version = app.appbuilder.session.get(Inspection, inspection_id).version
    answers = answers_for(declaration, pieces, {})
    url = f"/workbench/inspection/{inspection_id}/answers/{PLUGIN}"
    first = client.post(url, json={"answers": answers, "submit": False, "version": version})
    assert first.status_code == 201, first.get_data(as_text=True)
    stale = client.post(url, json={"answers": {}, "submit": False, "version": version})
    assert stale.status_code == 409
    assert "为避免覆盖" in stale.get_json()["message"]
    meta = client.post(
        f"/workbench/inspection/{inspection_id}/meta",
        json={"version": first.get_json()["version"], "participants": [{"name": "张厂长"}]},
    )
    assert meta.status_code == 200
    history = client.get(f"/workbench/enterprise/{enterprise_id}/history")
    assert history.status_code == 200
    assert "张厂长" in history.get_data(as_text=True)
    detail = client.get(f"/enterprise/show/{enterprise_id}").get_data(as_text=True)
    assert f"/workbench/enterprise/{enterprise_id}/history" in detail


def test_another_countys_workbench_records_are_404_on_pages(app, walk):
    pages = (
        f"/plan/show/{walk.plan_id}",
        f"/task/show/{walk.task_id}",
        f"/scheme/show/{walk.scheme_id}",
        f"/inspection/show/{walk.inspection_id}",
        f"/hazard/show/{walk.hazard_ids[0]}",
        f"/workbench/inspection/{walk.inspection_id}",
        f"/workbench/inspection/{walk.inspection_id}/hazards",
        f"/workbench/task/{walk.task_id}/scheme",
        f"/workbench/enterprise/{walk.enterprise_id}/history",
    )
    neighbour, own = logged_in(app, "jinjiang"), logged_in(app, "donghu")
    for url in pages:
        assert neighbour.get(url).status_code == 404, url
        assert own.get(url).status_code == 200, url  # the same page, for the county


def test_another_countys_workbench_records_are_404_through_the_api(client, walk):
    headers = api_token(client, "jinjiang")
    for url in (
        f"/api/v1/plan/{walk.plan_id}",
        f"/api/v1/task/{walk.task_id}",
        f"/api/v1/inspection/{walk.inspection_id}",
        f"/api/v1/hazard/{walk.hazard_ids[0]}",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    refused = client.post(
        f"/api/v1/hazard/{walk.hazard_ids[0]}/measure",
        json={"measure": "immediate"},
        headers=headers,
    )
    assert refused.status_code == 404
    own = api_token(client, "donghu")
    shown = client.get(f"/api/v1/hazard/{walk.hazard_ids[0]}", headers=own)
    assert shown.status_code == 200
    assert shown.json["result"]["illegal_basis"]


def test_workbench_exports_contain_only_the_county(app, walk):
    """The walk's records belong to 东湖区: 锦江区's exports leave them out, 东湖区's have them."""
    exported = {"jinjiang": {}, "donghu": {}}
    for username, exports in exported.items():
        client = logged_in(app, username)
        for endpoint in ("task", "inspection", "hazard"):
            response = client.get(f"/{endpoint}/export/")
            assert response.status_code == 200
            sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
            exports[endpoint] = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    walked = {"task": walk.task_id, "inspection": walk.inspection_id, "hazard": walk.hazard_ids[0]}
    for endpoint, record_id in walked.items():
        assert record_id not in exported["jinjiang"][endpoint], endpoint
        assert record_id in exported["donghu"][endpoint], endpoint


def test_a_task_through_the_api_needs_two_certified_inspectors(app, client):
    with app.app_context(), acting("system", None):
        session = app.appbuilder.session
        enterprise, _ = confined_enterprise(session, DONGHU)
        one = enforcers_in(session, DONGHU)[0].id
    headers = api_token(client, "nanchang")
    response = client.post(
        "/api/v1/task/",
        json={"enterprise_id": enterprise.id, "enforcer_ids": [one], "due_on": "2026-12-30"},
        headers=headers,
    )
    assert response.status_code == 422
    assert "两名以上持有执法证" in response.json["errors"][0]["message"]
    assert response.json["errors"][0]["path"] == "/enforcer_ids"


def test_a_plan_form_with_errors_shows_each_message_at_its_field_and_keeps_the_input(app):
    client = logged_in(app, "nanchang")
    response = client.post(
        "/workbench/plan/new",
        data={
            "title": "",
            "year": "2026",
            "kind": "annual",
            "period_start": "2026-06-01",
            "period_end": "2026-01-01",
            "region_code": DONGHU,
            "notes": "保留的备注",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-field="title">请填写计划名称' in page
    assert 'data-field="period_end">计划结束日期不能早于开始日期' in page
    assert "保留的备注" in page


def test_a_task_form_names_the_missing_second_inspector_at_the_inspectors(app):
    with app.app_context(), acting("system", None):
        session = app.appbuilder.session
        enterprise, _ = confined_enterprise(session, DONGHU)
        one = enforcers_in(session, DONGHU)[0].id
    client = logged_in(app, "nanchang")
    response = client.post(
        "/workbench/task/new",
        data={
            "enterprise_id": str(enterprise.id),
            "due_on": "2026-12-30",
            "enforcer_ids": [str(one)],
        },
    )
    assert response.status_code == 422
    assert 'data-field="enforcer_ids">执法检查须由两名以上持有执法证' in response.get_data(
        as_text=True
    )


def test_a_county_reads_its_citys_plan_but_not_another_citys(app, as_user):
    from enforcement.models import Plan

    with app.app_context():
        plan_ids = {
            p.region_code: p.id
            for p in app.appbuilder.session.scalars(select(Plan).where(Plan.title.like("%演示%")))
        }
    client = as_user("donghu")
    assert client.get(f"/plan/show/{plan_ids['360100']}").status_code == 200
    assert client.get(f"/plan/show/{plan_ids['510100']}").status_code == 404
    assert client.post(f"/workbench/plan/{plan_ids['360100']}/approve").status_code in (403, 404)


def test_the_team_shows_on_the_task_even_when_the_county_cannot_list_city_staff(app, as_user):
    with db(app) as session:
        enterprise, _ = confined_enterprise(session, DONGHU)
        city, county = enforcers_in(session, NANCHANG)[0], enforcers_in(session, DONGHU)[0]
        task = factories.task(session, enterprise, enforcers=[city, county])
        task_id, names = task.id, (city.name, county.name)
    page = as_user("donghu").get(f"/task/show/{task_id}").get_data(as_text=True)
    assert names[0] in page and names[1] in page


def test_the_inspection_api_refuses_a_stale_version_with_409(app, client):
    with db(app) as session:
        enterprise, _ = confined_enterprise(session, DONGHU)
        task = factories.task(session, enterprise)
        inspection = factories.inspection(
            session, checklists.platform_of(app), task, plugin_ids=[PLUGIN]
        )
        inspection_id, version = inspection.id, inspection.version
    headers = api_token(client, "donghu")
    url = f"/api/v1/inspection/{inspection_id}/save"
    saved = client.post(
        url, json={"version": version, "participants": [{"name": "李主任"}]}, headers=headers
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.json["version"] == version + 1
    stale = client.post(url, json={"version": version, "participants": []}, headers=headers)
    assert stale.status_code == 409
    assert "为避免覆盖" in stale.json["errors"][0]["message"]
    shown = client.get(f"/api/v1/inspection/{inspection_id}", headers=headers).json["result"]
    assert shown["participants"][0]["name"] == "李主任"
