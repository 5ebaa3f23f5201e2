"""立案查处 through the services, the API and the pages: the procedure, its history, the hook,
jurisdiction (404 outside), optimistic locking and field validation."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from support import factories
from support.demo import DONGHU, JINJIANG, case_in, enforcers_in
from support.web import api_token, logged_in

D = dt.date


def _new_case(app):
    """A case of 东湖区 filed by donghu on 2026-03-02 (inside an app context)."""
    return factories.case(app.appbuilder.session)


def _enforcers(session, region_code):
    return enforcers_in(session, region_code)[:2]


class Recorder:
    def __init__(self):
        self.calls = []

    from enforcement.hookspecs import hookimpl

    @hookimpl
    def case_transitioned(self, case, action, source, target, actor):
        self.calls.append((case.id, action, source, target, actor))


@pytest.fixture
def recorder(app):
    from enforcement.services.checklists import platform_of

    plugin = Recorder()
    with app.app_context():
        pm = platform_of(app).pm
        pm.register(plugin)
    yield plugin
    pm.unregister(plugin)


def test_a_case_goes_from_filing_to_archive_through_the_services(app, recorder):
    from enforcement.models import CaseTransition
    from enforcement.services import cases

    with app.app_context():
        session = app.appbuilder.session
        case = _new_case(app)
        steps = [
            ("investigate", "", D(2026, 3, 3)),
            ("submit", "", D(2026, 3, 10)),
            ("notify_hearing", "", D(2026, 3, 12)),
            ("request_hearing", "当事人书面申请听证", D(2026, 3, 14)),
        ]
        cases.record_penalty(
            session, case, kind="fine", amount="60000", basis="《安全生产法》第九十九条"
        )
        for action, note, day in steps:
            cases.transition(session, case, action, note, today=day)
        # Law changed (findings 4–5): the hearing is noticed 7 working days ahead and held, and a
        # heard case passes 法制审核 before its decision.
        cases.transition(session, case, "schedule_hearing", today=D(2026, 3, 14), on=D(2026, 3, 24))
        cases.transition(session, case, "legal_review", "同意", today=D(2026, 3, 25))
        cases.record_decision(
            session,
            case,
            decision_no="（东湖区）应急罚〔2026〕9号",
            decided_on=D(2026, 3, 26),
            today=D(2026, 3, 26),
        )
        cases.transition(session, case, "decide", "集体讨论", today=D(2026, 3, 26))
        cases.record_decision(
            session,
            case,
            decision_no="（东湖区）应急罚〔2026〕9号",
            decided_on=D(2026, 3, 26),
            served_on=D(2026, 3, 28),
            today=D(2026, 3, 28),
        )
        # 15 日 from service end on Sunday 04-12: the party may still pay on Monday
        assert case.penalties[0].due_on == D(2026, 4, 13)
        cases.transition(session, case, "serve", today=D(2026, 3, 28))
        cases.transition(session, case, "execute", today=D(2026, 3, 29))
        with pytest.raises(cases.IllegalTransition, match="尚未缴清"):
            cases.transition(session, case, "close", today=D(2026, 4, 14))
        penalty = case.penalties[0]
        cases.record_payment(
            session, penalty, paid_amount="61800", paid_on=D(2026, 4, 14), today=D(2026, 4, 14)
        )
        assert penalty.surcharge == Decimal("1800.00")  # 1 day late (after Monday) × 3 % × 60000
        cases.transition(session, case, "close", "已缴清", today=D(2026, 4, 15))
        cases.transition(session, case, "archive", today=D(2026, 4, 16))
        assert case.stage == "archived"
        history = session.scalars(
            select(CaseTransition)
            .where(CaseTransition.case_id == case.id)
            .order_by(CaseTransition.id)
        ).all()
        assert [t.action for t in history] == [
            "open",
            "investigate",
            "submit",
            "notify_hearing",
            "request_hearing",
            "schedule_hearing",
            "legal_review",
            "decide",
            "serve",
            "execute",
            "close",
            "archive",
        ]
        assert history[0].actor == "donghu" and history[-1].actor == "system"
        assert history[4].note == "当事人书面申请听证"
        assert [c[1] for c in recorder.calls if c[0] == case.id] == [t.action for t in history[1:]]
        assert recorder.calls[-1][2:4] == ("closed", "archived")


def test_history_is_append_only(app):
    from enforcement.models import CaseTransition

    with app.app_context():
        session = app.appbuilder.session
        case = _new_case(app)
        record = session.scalars(
            select(CaseTransition).where(CaseTransition.case_id == case.id)
        ).one()
        record.note = "改写历史"
        with pytest.raises(PermissionError):
            session.commit()
        session.rollback()


def test_filing_more_than_5_days_after_evidence_taking_is_refused(app):
    from enforcement.services import cases

    with app.app_context():
        session = app.appbuilder.session
        enterprise = factories.enterprise(session, DONGHU)
        with pytest.raises(cases.CaseError, match="5日内补办立案") as refused:
            cases.open_case(
                session,
                enterprise,
                _enforcers(session, DONGHU),
                source="inspection",
                facts="现场检查发现问题",
                discovered_on=D(2026, 3, 1),
                evidence_taken_on=D(2026, 3, 1),
                filed_on=D(2026, 3, 9),
            )
        assert refused.value.field == "evidence_taken_on"
        with pytest.raises(cases.CaseError, match="两名以上"):
            cases.open_case(
                session,
                enterprise,
                _enforcers(session, DONGHU)[:1],
                source="inspection",
                facts="现场检查发现问题",
                discovered_on=D(2026, 3, 1),
                filed_on=D(2026, 3, 2),
            )
        session.rollback()


def test_api_moves_a_case_and_answers_409_with_the_reason_for_an_illegal_move(
    app, client, recorder
):
    with app.app_context():
        case = _new_case(app)
        case_id = case.id
    headers = api_token(client, "donghu")
    illegal = client.post(
        f"/api/v1/case/{case_id}/transition", json={"action": "close"}, headers=headers
    )
    assert illegal.status_code == 409
    error = illegal.json["errors"][0]
    assert error["path"] == "/action" and "开始调查取证" in error["message"]
    moved = client.post(
        f"/api/v1/case/{case_id}/transition",
        json={"action": "investigate", "note": "询问"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["stage"] == "investigation"
    assert recorder.calls[-1] == (case_id, "investigate", "filed", "investigation", "donghu")
    # An inspector cannot approve: withdrawal is a leader's
    refused = client.post(
        f"/api/v1/case/{case_id}/transition",
        json={"action": "withdraw", "note": "不属管辖"},
        headers=headers,
    )
    assert refused.status_code == 409 and "负责人" in refused.json["errors"][0]["message"]
    leader = api_token(client, "nanchang")
    done = client.post(
        f"/api/v1/case/{case_id}/transition",
        json={"action": "withdraw", "note": "不属管辖"},
        headers=leader,
    )
    assert done.status_code == 200 and done.json["stage"] == "withdrawn"
    detail = client.get(f"/api/v1/case/{case_id}", headers=headers).json["result"]
    assert detail["stage"] == "withdrawn" and len(detail["enforcer_ids"]) == 2
    assert (
        client.post(
            f"/api/v1/case/{case_id}/transition", json={"note": "x"}, headers=headers
        ).status_code
        == 422
    )


def test_another_countys_case_is_404_on_page_api_and_export(app, as_user, client):
    with app.app_context():
        foreign = case_in(app.appbuilder.session, JINJIANG)
        own = case_in(app.appbuilder.session, DONGHU)
        foreign_id, foreign_number, own_id, own_number = (
            foreign.id,
            foreign.number,
            own.id,
            own.number,
        )
    user = as_user("donghu")
    assert user.get(f"/cases/{own_id}").status_code == 200
    for url in (f"/cases/{foreign_id}", f"/case/show/{foreign_id}"):
        assert user.get(url).status_code == 404, url
    assert user.post(f"/cases/{foreign_id}/act", data={"action": "investigate"}).status_code == 404
    sheet = openpyxl.load_workbook(io.BytesIO(user.get("/case/export/").data)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert own_number in numbers and foreign_number not in numbers
    listing = user.get("/case/list/").get_data(as_text=True)
    assert own_number in listing and foreign_number not in listing
    headers = api_token(client, "donghu")
    assert client.get(f"/api/v1/case/{foreign_id}", headers=headers).status_code == 404
    assert (
        client.post(
            f"/api/v1/case/{foreign_id}/transition", json={"action": "investigate"}, headers=headers
        ).status_code
        == 404
    )
    regions = {
        r["region_code"] for r in client.get("/api/v1/case/", headers=headers).json["result"]
    }
    assert regions == {DONGHU}


def test_concurrent_edit_is_detected(app, client):
    from sqlalchemy.orm import Session

    from enforcement.models import Case
    from enforcement.services import cases

    with app.app_context():
        case = _new_case(app)
        case_id, version = case.id, case.version
        engine = app.appbuilder.session.get_bind()
        with Session(engine) as first, Session(engine, expire_on_commit=False) as second:
            mine, theirs = first.get(Case, case_id), second.get(Case, case_id)
            second.commit()  # keeps the loaded (soon stale) object, ends the read transaction
            cases.transition(first, mine, "investigate", today=D(2026, 3, 3))
            with pytest.raises(cases.StaleCase, match="刷新"):
                cases.transition(second, theirs, "withdraw", "重复立案", today=D(2026, 3, 3))
        app.appbuilder.session.expire_all()
    headers = api_token(client, "donghu")
    stale = client.post(
        f"/api/v1/case/{case_id}/transition",
        json={"action": "submit", "version": version},
        headers=headers,
    )
    assert stale.status_code == 409 and stale.json["errors"][0]["path"] == "/version"


def test_case_page_shows_deadlines_history_and_allowed_actions(app, as_user):
    with app.app_context():
        case = _new_case(app)
        case_id = case.id
    user = as_user("donghu")
    page = user.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "补办立案手续" in page and "作出行政处罚决定" in page  # the clocks
    assert "已逾期" in page  # 18号令: 90 日 from 2026-03-02 has passed
    assert 'data-action="investigate"' in page and "开始调查取证" in page
    assert "donghu" in page  # who filed it
    moved = user.post(f"/cases/{case_id}/act", data={"action": "investigate", "note": ""})
    assert moved.status_code == 302
    page = user.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "调查取证" in page and 'name="action" value="submit"' not in page
    assert 'blocked-action" data-action="submit"' in page
    assert "尚未登记拟作出的行政处罚" in page  # why submitting is not offered yet


def test_penalty_form_shows_a_chinese_message_at_the_field_and_keeps_the_input(app, as_user):
    with app.app_context():
        case = _new_case(app)
        case_id = case.id
    user = as_user("donghu")
    response = user.post(
        f"/cases/{case_id}/penalty",
        data={"kind": "fine", "amount": "", "basis": "第九十九条第二项"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-field="amount"' in page and "请填写金额" in page
    assert "第九十九条第二项" in page
    ok = user.post(
        f"/cases/{case_id}/penalty",
        data={"kind": "fine", "amount": "30000", "basis": "第九十九条第二项"},
    )
    assert ok.status_code == 302


def test_a_refusal_needs_a_reason_on_the_page(app, as_user):
    with app.app_context():
        case = _new_case(app)
        case_id = case.id
    user = as_user("nanchang")
    response = user.post(f"/cases/{case_id}/act", data={"action": "withdraw", "note": " "})
    assert response.status_code == 422
    assert "请填写理由" in response.get_data(as_text=True)


def test_reminders_collect_open_case_clocks_for_the_jurisdiction(app):
    from enforcement.domain.reminders import OVERDUE
    from enforcement.services.reminders import reminders_for

    with app.app_context():
        buckets = reminders_for(app.appbuilder.session, "admin", D(2026, 11, 29))
        overdue = buckets.buckets[OVERDUE]
        assert any(item.kind == "case" and "作出行政处罚决定" in item.title for item in overdue)
        assert buckets.counts[OVERDUE] == len(overdue)


def test_escalated_hazards_are_linked_to_their_case_and_marked(app, as_user):
    from enforcement.db.scoping import UNSCOPED
    from enforcement.models import Case, Hazard
    from enforcement.services import cases

    with app.app_context():
        session = app.appbuilder.session
        hazard = session.scalars(
            select(Hazard)
            .where(Hazard.status == "escalated", Hazard.region_code == DONGHU)
            .execution_options(**{UNSCOPED: True})
        ).first()
        assert hazard is not None, "the demo escalates an overdue hazard of 东湖区"
        case = session.get(Case, hazard.case_id)
        assert case.source == "hazard" and case.enterprise_id == hazard.enterprise_id
        assert [h.id for h in cases.case_hazards(session, case)] == [hazard.id]
        with pytest.raises(cases.CaseError, match="已立案查处"):
            cases.escalate_hazards(session, [hazard], _enforcers(session, DONGHU), "再次立案")
        case_id, title = case.id, hazard.title
    page = as_user("donghu").get(f"/cases/{case_id}").get_data(as_text=True)
    assert "关联隐患" in page and title in page


def test_case_history_names_the_inspector_behind_each_login(app):
    from enforcement.models import AppUser

    with app.app_context():
        case_id = _new_case(app).id  # opened by donghu
        user = app.appbuilder.session.scalar(select(AppUser).where(AppUser.username == "donghu"))
        name = user.enforcer.name
    client = logged_in(app, "donghu")
    assert f"{name}（donghu）" in client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_twenty_cases_opened_concurrently_get_twenty_distinct_gapless_numbers(app):
    import re
    import threading

    from sqlalchemy.orm import Session

    from enforcement.models import Case, Enforcer, Enterprise
    from enforcement.services import cases

    with app.app_context():
        session = app.appbuilder.session
        enterprise_id = factories.enterprise(session, DONGHU).id
        team = [e.id for e in _enforcers(session, DONGHU)]
        engine = session.get_bind()
    start = threading.Barrier(20, timeout=60)
    opened: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        with app.app_context(), Session(bind=engine) as own:
            try:
                start.wait()  # then load: a thread holds a pooled connection from its first read
                enterprise = own.get(Enterprise, enterprise_id)
                inspectors = [own.get(Enforcer, i) for i in team]
                case = cases.open_case(
                    own,
                    enterprise,
                    inspectors,
                    source="inspection",
                    facts="现场检查发现除尘系统未设置泄爆装置，积尘未清理。",
                    discovered_on=D(2026, 3, 1),
                    filed_on=D(2026, 3, 2),
                    actor="donghu",
                )
                opened.append(case.id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors[:3]
    with app.app_context():
        session = app.appbuilder.session
        session.rollback()  # a fresh snapshot (SQLite WAL keeps the old one inside a transaction)
        numbers = session.scalars(select(Case.number).where(Case.id.in_(opened))).all()
    assert len(set(numbers)) == 20 and all(n.startswith("（赣东）应急立〔2026〕") for n in numbers)
    serials = sorted(int(re.search(r"〕(\d+)号$", n).group(1)) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + 20))  # consecutive: no gap, no duplicate


def test_case_numbers_stay_unique_when_two_departments_share_an_abbreviation(app):
    from enforcement.services import cases

    with app.app_context():
        session = app.appbuilder.session
        numbers = []
        for region in ("360111", "360104"):  # 青山湖区 and 青云谱区: both 赣青
            case = cases.open_case(
                session,
                factories.enterprise(session, region),
                _enforcers(session, region),
                source="inspection",
                facts="现场检查发现有限空间作业未安排监护人员。",
                discovered_on=D(2026, 4, 1),
                filed_on=D(2026, 4, 2),
                actor="demo_inspector",  # no account: the department of the enterprise's county
            )
            numbers.append(case.number)
    assert all(n.startswith("（赣青）应急立〔2026〕") for n in numbers)
    assert numbers[0] != numbers[1]
