"""Hostile and careless input answers 4xx, never 5xx, on both engines (issue 9, item 7).

Each case was a 500 on the older code: integers past 64 bits in ids and fields, lone surrogates,
`{}` where an id is expected, "abc" for a version or a latitude, JSON nested 5,000 deep (API and
plugin upload), malformed rison, unknown sort columns and huge page numbers on list pages, NaN
amounts on the case desk. Every non-2xx answer under /api/v1/ carries {"message", "errors"}.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from enforcement.db.acting import Actor, acting_as
from enforcement.domain import values
from enforcement.domain.jurisdiction import NATIONAL, Jurisdiction
from enforcement.models import Case, Department, Enforcer, Equipment, Hazard
from enforcement.services import cases as case_service
from enforcement.services import checklists, inspections, plans
from support.factories import enterprise as add_enterprise
from support.web import api_token, login

DONGHU = "360102"
HUGE = 99999999999999999999999
DEEP = "[" * 5000 + "]" * 5000
SURROGATE = '"\\ud800"'  # a lone surrogate, as a client's JSON spells it
TOMORROW = dt.date.today() + dt.timedelta(days=1)
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def records(app: Any) -> dict[str, int]:
    """Donghu's records to aim at: an inspection in progress, an open hazard, a case in proposal."""
    with app.app_context():
        session = app.appbuilder.session
        platform = checklists.platform_of(app)
        with acting_as(Actor("system", NATIONAL)):
            enterprise = add_enterprise(session, DONGHU)
            enterprise.tags = ["confined_space"]
            equipment = Equipment(
                enterprise_id=enterprise.id, equipment_type="confined_space", name="污水井"
            )
            session.add(equipment)
            session.commit()
            department = session.scalar(select(Department).where(Department.region_code == DONGHU))
            team = list(
                session.scalars(
                    select(Enforcer)
                    .where(Enforcer.department_id == department.id)
                    .order_by(Enforcer.id)
                )
            )[:2]
            task = plans.create_task(
                session,
                enterprise=enterprise,
                enforcers=team,
                due_on=dt.date.today() + dt.timedelta(days=30),
            )
            scheme = inspections.compile_scheme(
                session, platform, task, plugin_ids=["confined_space"]
            )
        with acting_as(Actor("nanchang", Jurisdiction("360100"))):
            inspections.approve_scheme(session, scheme)
        with acting_as(Actor("donghu", Jurisdiction(DONGHU))):
            inspection = inspections.start_inspection(session, task)
        with acting_as(Actor("system", NATIONAL)):
            hazard = session.scalars(
                select(Hazard)
                .where(Hazard.region_code == DONGHU, Hazard.status.in_(("open", "rectifying")))
                .order_by(Hazard.id)
            ).first()
            case = session.scalars(
                select(Case)
                .where(
                    Case.region_code == DONGHU,
                    Case.stage.in_([s.value for s in case_service.PROPOSAL_STAGES]),
                )
                .order_by(Case.id)
            ).first()
            assert hazard is not None and case is not None
            return {
                "inspection": inspection.id,
                "version": inspection.version,
                "hazard": hazard.id,
                "case": case.id,
                "enterprise": enterprise.id,
                "equipment": equipment.id,
                "task": task.id,
            }


def assert_api_error(response: Any, status: int | tuple[int, ...] | None = None) -> None:
    """A 4xx whose JSON says what is wrong: {"message": str, "errors": [{"path", "message"}]}."""
    text = response.get_data(as_text=True)[:300]
    assert 400 <= response.status_code < 500, (response.status_code, text)
    if status is not None:
        expected = status if isinstance(status, tuple) else (status,)
        assert response.status_code in expected, (response.status_code, text)
    body = response.get_json(silent=True)
    assert isinstance(body, dict), text
    assert isinstance(body.get("message"), str) and body["message"], body
    assert body.get("errors"), body
    for error in body["errors"]:
        assert isinstance(error.get("path"), str) and error["path"].startswith("/"), error
        assert isinstance(error.get("message"), str) and error["message"], error


# -- the API ---------------------------------------------------------------------------------------

# (name, method, path, raw JSON body or None); {inspection}, {hazard}, {case}, {version} are filled in.
API_CASES: list[tuple[str, str, str, str | None]] = [
    ("huge id in the path", "GET", f"/api/v1/enterprise/{HUGE}", None),
    ("huge id of a case", "GET", f"/api/v1/case/{HUGE}", None),
    ("huge id of a plan", "GET", f"/api/v1/plan/{HUGE}", None),
    ("huge id to PUT", "PUT", f"/api/v1/enterprise/{HUGE}", '{"name": "x"}'),
    ("letters as the id to PUT", "PUT", "/api/v1/enterprise/abc", '{"name": "x"}'),
    ("huge id to DELETE", "DELETE", f"/api/v1/enterprise/{HUGE}", None),
    ("1e30 as an id", "GET", "/api/v1/enterprise/1e30", None),
    ("huge enterprise id", "POST", "/api/v1/task/", f'{{"enterprise_id": {HUGE}}}'),
    ("{} as the enterprise id", "POST", "/api/v1/task/", '{"enterprise_id": {}}'),
    ("1e30 as the enterprise id", "POST", "/api/v1/task/", '{"enterprise_id": 1e30}'),
    ("huge plan id", "POST", "/api/v1/task/", f'{{"enterprise_id": 1, "plan_id": {HUGE}}}'),
    (
        "huge enforcer id",
        "POST",
        "/api/v1/task/",
        f'{{"enterprise_id": 1, "enforcer_ids": [{HUGE}]}}',
    ),
    (
        "a due date in the past",
        "POST",
        "/api/v1/task/",
        f'{{"enterprise_id": {{enterprise}}, "due_on": "{YESTERDAY}"}}',
    ),
    (
        "a lone surrogate as due date",
        "POST",
        "/api/v1/task/",
        f'{{"enterprise_id": 1, "due_on": {SURROGATE}}}',
    ),
    ("abc as the version", "POST", "/api/v1/inspection/{inspection}/save", '{"version": "abc"}'),
    ("{} as the version", "POST", "/api/v1/inspection/{inspection}/save", '{"version": {}}'),
    ("huge version", "POST", "/api/v1/inspection/{inspection}/save", f'{{"version": {HUGE}}}'),
    (
        "abc as the latitude",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "latitude": "abc", "longitude": 115}',
    ),
    (
        "1e400 as the latitude",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "latitude": 1e400, "longitude": 115}',
    ),
    (
        "NaN as the longitude",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "latitude": 28, "longitude": NaN}',
    ),
    (
        "a latitude beyond the pole",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "latitude": 91, "longitude": 115}',
    ),
    (
        "a lone surrogate in a participant",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        f'{{"version": {{version}}, "participants": [{{"name": {SURROGATE}}}]}}',
    ),
    (
        "a participant name too long",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "participants": [{"name": "' + "张" * 65 + '"}]}',
    ),
    (
        "participants not a list",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "participants": "王"}',
    ),
    (
        "a participant not an object",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "participants": [7]}',
    ),
    (
        "NUL in an answer",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"version": {version}, "plugin_id": "confined_space", "answers": {"a": "x\\u0000y"}}',
    ),
    (
        "a lone surrogate in a key",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        f'{{"version": {{version}}, "answers": {{{SURROGATE}: 1}}}}',
    ),
    (
        "a measure not of the four",
        "POST",
        "/api/v1/hazard/{hazard}/measure",
        '{"measure": "\\ud800"}',
    ),
    ("{} as the measure", "POST", "/api/v1/hazard/{hazard}/measure", '{"measure": {}}'),
    (
        "a deadline in the past",
        "POST",
        "/api/v1/hazard/{hazard}/measure",
        f'{{"measure": "deadline", "deadline": "{YESTERDAY}"}}',
    ),
    (
        "a lone surrogate as the action",
        "POST",
        "/api/v1/case/{case}/transition",
        f'{{"action": {SURROGATE}}}',
    ),
    (
        "a huge case version",
        "POST",
        "/api/v1/case/{case}/transition",
        f'{{"action": "x", "version": {HUGE}}}',
    ),
    (
        "{} as the answers' enterprise",
        "POST",
        "/api/v1/checklist/confined_space/answers",
        '{"enterprise_id": {}, "answers": {}}',
    ),
    (
        "a huge answers' enterprise",
        "POST",
        "/api/v1/checklist/confined_space/answers",
        f'{{"enterprise_id": {HUGE}, "answers": {{}}}}',
    ),
    ("JSON 5000 deep to a task", "POST", "/api/v1/task/", DEEP),
    ("JSON 5000 deep to an enterprise", "POST", "/api/v1/enterprise/", DEEP),
    ("JSON 5000 deep to a transition", "POST", "/api/v1/case/{case}/transition", DEEP),
    (
        "JSON 5000 deep to a save",
        "POST",
        "/api/v1/inspection/{inspection}/save",
        '{"answers": ' + DEEP + "}",
    ),
    ("JSON that does not parse", "POST", "/api/v1/task/", '{"enterprise_id": '),
    ("malformed rison", "GET", "/api/v1/enterprise/?q=(", None),
    (
        "an exponent rison cannot read",
        "GET",
        "/api/v1/case/_info?q=1.7976931348623155e%2B308",
        None,
    ),
    ("rison 5000 deep", "GET", "/api/v1/enterprise/?q=" + "(a:" * 5000 + ")" * 5000, None),
    ("a huge page", "GET", f"/api/v1/enterprise/?q=(page:{HUGE},page_size:10)", None),
    ("1e30 as the page", "GET", "/api/v1/enterprise/?q=(page:1e30,page_size:10)", None),
    ("a negative page", "GET", "/api/v1/case/?q=(page:-1,page_size:10)", None),
    ("a float page size", "GET", "/api/v1/plan/?q=(page:0,page_size:2.5)", None),
    (
        "an unknown order column",
        "GET",
        "/api/v1/case/?q=(order_column:nope,order_direction:asc)",
        None,
    ),
    ("a sideways order", "GET", "/api/v1/task/?q=(order_column:id,order_direction:sideways)", None),
    (
        "a huge filter value",
        "GET",
        f"/api/v1/equipment/?q=(filters:!((col:enterprise_id,opr:eq,value:{HUGE})))",
        None,
    ),
    (
        "NUL in a filter",
        "GET",
        "/api/v1/enterprise/?q=(filters:!((col:name,opr:ct,value:'a%00b')))",
        None,
    ),
    ("an unknown resource", "GET", "/api/v1/nope", None),
    ("a method not offered", "PATCH", "/api/v1/enterprise/1", None),
]


@pytest.mark.parametrize("user", ["admin", "donghu"])
@pytest.mark.parametrize(
    ("name", "method", "path", "body"), API_CASES, ids=[case[0] for case in API_CASES]
)
def test_bad_api_input_answers_4xx_with_errors(app, records, user, name, method, path, body):
    client = app.test_client()
    headers = api_token(client, user)
    fill = {key: str(value) for key, value in records.items()}
    path = path.replace("{inspection}", fill["inspection"]).replace("{hazard}", fill["hazard"])
    path = path.replace("{case}", fill["case"])
    if body is not None:
        for key, value in fill.items():
            body = body.replace("{" + key + "}", value)
    response = client.open(
        path,
        method=method,
        headers=headers,
        data=body,
        content_type="application/json" if body is not None else None,
    )
    assert_api_error(response)


def test_the_refusals_name_the_field(app, records):
    client = app.test_client()
    headers = api_token(client, "donghu")
    save = f"/api/v1/inspection/{records['inspection']}/save"
    response = client.post(save, json={"version": "abc"}, headers=headers)
    assert_api_error(response, 422)
    assert response.json["errors"][0]["path"] == "/version"
    response = client.post(
        save,
        data='{"version": 1, "participants": [{"name": "\\ud800"}]}',
        content_type="application/json",
        headers=headers,
    )
    assert_api_error(response, 422)
    assert response.json["errors"][0]["path"] == "/participants/0/name"
    response = client.post(save, data=DEEP, content_type="application/json", headers=headers)
    assert_api_error(response, 400)
    admin = api_token(client, "admin")
    response = client.post(
        "/api/v1/task/",
        json={"enterprise_id": records["enterprise"], "due_on": YESTERDAY.isoformat()},
        headers=admin,
    )
    assert_api_error(response, 422)
    assert {e["path"] for e in response.json["errors"]} == {"/due_on"}
    assert "不能早于今天" in response.json["errors"][0]["message"]


def test_text_longer_than_its_column_is_refused_at_its_field_on_every_engine(app, records):
    """SQLite stored it and PostgreSQL answered 500; now both refuse it where it was typed."""
    client = app.test_client()
    headers = api_token(client, "admin")
    response = client.put(
        f"/api/v1/equipment/{records['equipment']}", json={"serial_no": "1" * 65}, headers=headers
    )
    assert_api_error(response, 422)
    assert [e["path"] for e in response.json["errors"]] == ["/serial_no"]


def test_good_input_still_saves(app, records):
    """Positive control: the same endpoint takes a well-formed body (and the version moves on)."""
    client = app.test_client()
    headers = api_token(client, "donghu")
    save = f"/api/v1/inspection/{records['inspection']}/save"
    current = client.get(f"/api/v1/inspection/{records['inspection']}", headers=headers)
    version = current.json["result"]["version"]
    response = client.post(
        save,
        json={
            "version": version,
            "latitude": 28.68,
            "longitude": 115.9,
            "participants": [{"name": "王安全", "position": "安全部长"}],
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["version"] == version + 1


def test_every_api_error_status_carries_errors(app, records, monkeypatch):
    client = app.test_client()
    assert_api_error(client.get("/api/v1/enterprise/"), 401)
    donghu = api_token(client, "donghu")
    assert_api_error(client.delete("/api/v1/enterprise/1", headers=donghu), 403)
    assert_api_error(client.get(f"/api/v1/case/{HUGE}", headers=donghu), 404)
    assert_api_error(client.get("/api/v1/enterprise/999999", headers=donghu), 404)
    assert_api_error(client.put("/api/v1/region/360102", json={}, headers=donghu), 405)
    assert_api_error(
        client.post("/api/v1/task/", json={"enterprise_id": "x"}, headers=donghu), (403, 422)
    )
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    big = client.post(
        f"/api/v1/inspection/{records['inspection']}/save",
        data=json.dumps({"notes": "x" * 4096}),
        content_type="application/json",
        headers=donghu,
    )
    assert_api_error(big, 413)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMITED", True)
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "1 per minute")
    limited = app.test_client()
    limited.environ_base["REMOTE_ADDR"] = "198.51.100.77"
    attempts = [
        limited.post("/api/v1/security/login", json={"username": "x", "password": "y"})
        for _ in range(2)
    ]
    assert_api_error(attempts[0], 401)
    assert_api_error(attempts[1], 429)
    english = client.get(f"/api/v1/case/{HUGE}", headers=donghu).json["message"]
    assert english != "Not found" and "不存在" in english


# -- the pages -------------------------------------------------------------------------------------

PAGE_CASES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    (
        "an unknown sort column",
        "GET",
        "/enterprise/list/?_oc_EnterpriseView=nope&_od_EnterpriseView=asc",
        None,
    ),
    (
        "an unknown sort column on tasks",
        "GET",
        "/task/list/?_oc_TaskView=nope&_od_TaskView=asc",
        None,
    ),
    ("a huge page number", "GET", f"/enterprise/list/?page_EnterpriseView={HUGE}", None),
    ("a negative page number", "GET", "/case/list/?page_CaseView=-5", None),
    ("letters as the page", "GET", "/plan/list/?page_PlanView=abc", None),
    ("a huge page size", "GET", f"/hazard/list/?psize_HazardView={HUGE}", None),
    ("a negative page size", "GET", "/inspection/list/?psize_InspectionView=-1", None),
    ("a huge page on the export", "GET", f"/task/export/?page_TaskView={HUGE}", None),
    (
        "an unknown sort column on the export",
        "GET",
        "/enterprise/export/?_oc_EnterpriseView=nope&_od_EnterpriseView=asc",
        None,
    ),
    ("a filter index FAB does not have", "GET", "/equipment/list/?_flt_9_enterprise=1", None),
    ("a huge filter on an integer column", "GET", f"/plan/list/?_flt_0_year={HUGE}", None),
    ("letters for a related record", "GET", "/equipment/list/?_flt_0_enterprise=abc", None),
    ("a huge id to show", "GET", f"/enterprise/show/{HUGE}", None),
    ("letters as the id to show", "GET", "/task/show/abc", None),
    ("a huge id to edit", "GET", f"/enterprise/edit/{HUGE}", None),
    ("a huge case", "GET", f"/cases/{HUGE}", None),
    ("a huge document", "GET", f"/documents/{HUGE}/edit", None),
    ("a huge inspection", "GET", f"/workbench/inspection/{HUGE}", None),
    ("a huge enterprise to fill", "GET", f"/checklists/fill/{HUGE}", None),
    ("a huge upload to preview", "GET", f"/checklists/preview/{HUGE}", None),
    ("NUL in a search", "GET", "/documents/?q=a%00b", None),
    (
        "NaN as the fine",
        "POST",
        "/cases/{case}/penalty",
        {"kind": "fine", "amount": "NaN", "basis": "安全生产法第九十九条"},
    ),
    (
        "Infinity as the fine",
        "POST",
        "/cases/{case}/penalty",
        {"kind": "fine", "amount": "Infinity", "basis": "安全生产法第九十九条"},
    ),
    (
        "1e30 as the fine",
        "POST",
        "/cases/{case}/penalty",
        {"kind": "fine", "amount": "1e30", "basis": "安全生产法第九十九条"},
    ),
    (
        "a huge penalty id",
        "POST",
        "/cases/{case}/penalty",
        {"kind": "fine", "amount": "100", "basis": "x", "penalty_id": str(HUGE)},
    ),
    ("a superscript as the version", "POST", "/cases/{case}/act", {"action": "x", "version": "²"}),
    ("a huge payment's penalty", "POST", f"/cases/{{case}}/payment/{HUGE}", {"paid_amount": "NaN"}),
    (
        "a decision in year 1",
        "POST",
        "/cases/{case}/decision",
        {"decided_on": "0001-01-01", "decision_no": "x"},
    ),
    (
        "a decision number too long",
        "POST",
        "/cases/{case}/decision",
        {"decided_on": dt.date.today().isoformat(), "decision_no": "文" * 65},
    ),
    (
        "a huge enterprise for a case",
        "POST",
        "/cases/new",
        {"enterprise_id": str(HUGE), "source": "inspection"},
    ),
    (
        "a huge enforcer for a case",
        "POST",
        "/cases/new",
        {
            "enterprise_id": "{enterprise}",
            "enforcer_ids": [str(HUGE)],
            "source": "inspection",
            "facts": "x",
        },
    ),
    (
        "a case title too long",
        "POST",
        "/cases/new",
        {
            "enterprise_id": "{enterprise}",
            "title": "案" * 301,
            "source": "inspection",
            "discovered_on": dt.date.today().isoformat(),
        },
    ),
    (
        "a bidi override in the party's name",
        "POST",
        "/cases/new",
        {
            "enterprise_id": "{enterprise}",
            "party_name": "张\u202e三",
            "source": "inspection",
            "discovered_on": dt.date.today().isoformat(),
        },
    ),
    ("NUL in a form field", "POST", "/cases/{case}/facts", {"facts": "a\x00b"}),
    (
        "a huge task's enterprise and plan",
        "POST",
        "/workbench/task/new",
        {
            "enterprise_id": str(HUGE),
            "plan_id": str(HUGE),
            "enforcer_ids": [str(HUGE)],
            "due_on": TOMORROW.isoformat(),
        },
    ),
    (
        "a task due yesterday",
        "POST",
        "/workbench/task/new",
        {"enterprise_id": "{enterprise}", "due_on": YESTERDAY.isoformat()},
    ),
    (
        "a huge plan year and seed",
        "POST",
        "/workbench/plan/new",
        {
            "title": "x",
            "year": str(HUGE),
            "seed": str(HUGE),
            "sample_size": str(HUGE),
            "region_code": DONGHU,
        },
    ),
    (
        "a plan title too long",
        "POST",
        "/workbench/plan/new",
        {"title": "计" * 201, "year": "2026", "region_code": DONGHU},
    ),
    ("a huge hazard to recheck", "POST", "/workbench/recheck/{task}", {"hazard_id": str(HUGE)}),
    (
        "a deadline in the past",
        "POST",
        "/workbench/hazard/{hazard}/measure",
        {"measure": "deadline", "deadline": YESTERDAY.isoformat()},
    ),
    (
        "a huge row id for an action",
        "POST",
        "/enterprise/action_post",
        {"action": "muldelete", "rowid": [str(HUGE)]},
    ),
    ("a huge document to delete", "POST", f"/document-admin/delete/{HUGE}", {"reason": "x"}),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "data"), PAGE_CASES, ids=[case[0] for case in PAGE_CASES]
)
def test_bad_page_input_answers_4xx(app, records, name, method, path, data):
    client = app.test_client()
    user = "admin" if "action_post" in path or "document-admin" in path else "donghu"
    assert login(client, user).status_code == 302
    fill = {key: str(value) for key, value in records.items()}
    for key, value in fill.items():
        path = path.replace("{" + key + "}", value)
    if data is not None:
        data = {
            k: (v.replace("{enterprise}", fill["enterprise"]) if isinstance(v, str) else v)
            for k, v in data.items()
        }
    response = client.open(path, method=method, data=data)
    assert 400 <= response.status_code < 500 or (
        response.status_code in (302, 303) and method == "POST"
    ), (response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code in (302, 303):  # refused and sent back: the refusal is flashed
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "alert-danger" in page or "alert-warning" in page, page[:300]


def test_bad_ids_in_a_link_are_no_record(app):
    """A link's ids that cannot be a record: the form opens without them, or says so."""
    client = app.test_client()
    login(client, "donghu")
    response = client.get(f"/cases/new?hazard_id={HUGE}&hazard_id=%C2%B2")
    assert response.status_code == 200
    response = client.get(f"/documents/new?form=x&subject=enterprise:{HUGE}")
    assert response.status_code == 200
    assert "文书对象格式应为" in response.get_data(as_text=True)


def test_the_on_site_pages_json_endpoints_refuse_deep_and_malformed_json(app, records):
    client = app.test_client()
    login(client, "donghu")
    base = f"/workbench/inspection/{records['inspection']}"
    for path, body in (
        (f"{base}/answers/confined_space", '{"answers": ' + DEEP + "}"),
        (f"{base}/meta", '{"version": "abc"}'),
        (f"{base}/meta", '{"version": 1, "latitude": 1e400, "longitude": 1}'),
        (f"{base}/meta", '{"version": 1, "participants": [{"name": "\\u0000"}]}'),
    ):
        response = client.post(path, data=body, content_type="application/json")
        assert_api_error(response)


def test_the_case_desk_shows_nan_at_the_amount(app, records):
    client = app.test_client()
    login(client, "donghu")
    response = client.post(
        f"/cases/{records['case']}/penalty",
        data={"kind": "fine", "amount": "NaN", "basis": "安全生产法第九十九条"},
    )
    assert response.status_code == 422
    assert "金额格式不正确" in response.get_data(as_text=True)


def test_a_plugin_nested_5000_deep_is_refused_on_the_upload_page(app):
    client = app.test_client()
    login(client, "admin")
    response = client.post(
        "/checklists/upload/",
        data={"file": (io.BytesIO(('{"a": ' + DEEP + "}").encode()), "plugin.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "嵌套" in response.get_data(as_text=True)


# -- the shared rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (42, 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        (HUGE, None),
        ("²", None),
        ("１２", None),
        ("1e3", None),
        (True, None),
        (4.0, None),
        ({}, None),
        ("", None),
    ],
)
def test_as_int64_takes_only_ascii_integers_within_64_bits(raw, expected):
    assert values.as_int64(raw) == expected


def test_json_depth_ignores_brackets_inside_strings():
    assert values.json_depth('{"a": "[[[[[[", "b": [[1]]}') == 3
    assert values.json_depth(DEEP) == 5000
    with pytest.raises(ValueError):
        values.loads_bounded(DEEP)
    with pytest.raises(ValueError):
        values.loads_bounded('{"a": NaN}')
    assert values.loads_bounded('{"a": [1, {"b": "]]]"}]}') == {"a": [1, {"b": "]]]"}]}


def test_value_problems_point_at_each_bad_value():
    found = dict(
        values.value_problems(
            {"ok": "文字", "nul": "a\x00", "big": 2**64, "list": [1, "\ud800"], "f": float("inf")}
        )
    )
    assert set(found) == {"/nul", "/big", "/list/1", "/f"}


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("name", "企" * 201, "不能超过200个字符"),
        ("address", "路\x00", "空字符"),
        ("employees", 2**63, "超出允许范围"),
    ],
)
def test_a_flush_refuses_what_the_column_cannot_hold_on_every_engine(app, column, value, message):
    """The last line (db/bounds.py): whatever entry point forgot a rule, SQLite refuses what
    PostgreSQL would, with the platform's refusal instead of a DataError."""
    from enforcement.domain.errors import Refused
    from support.demo import enterprise_in

    with app.app_context(), acting_as(Actor("system", NATIONAL)):
        session = app.appbuilder.session
        enterprise = enterprise_in(session, DONGHU)
        setattr(enterprise, column, value)
        with pytest.raises(Refused) as refused:
            session.flush()
        session.rollback()
        assert refused.value.errors[0].path == f"/{column}"
        assert message in refused.value.errors[0].message
