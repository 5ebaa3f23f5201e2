"""Security baseline: lock-out, login audit, CSRF, headers, Chinese error pages, password rules."""

from __future__ import annotations

import re

from sqlalchemy import select

from enforcement.models import AuditLog
from support.databases import close_app, create_test_app
from support.demo import DEMO_PASSWORD
from support.web import api_token, login


def _actions(app, username: str) -> list[str]:
    with app.app_context():
        session = app.appbuilder.session
        return list(
            session.scalars(
                select(AuditLog.action).where(AuditLog.username == username).order_by(AuditLog.id)
            )
        )


def _make_user(app, username: str, password: str = DEMO_PASSWORD) -> None:
    with app.app_context():
        sm = app.appbuilder.sm
        if not sm.find_user(username=username):
            sm.add_user(
                username,
                username,
                "",
                f"{username}@example.invalid",
                sm.find_role("inspector"),
                password,
            )


def test_account_locks_after_five_failed_logins_even_with_the_right_password(app, client):
    _make_user(app, "lockme")
    for _ in range(5):
        login(client, "lockme", "wrong-password")
    response = login(client, "lockme", DEMO_PASSWORD)
    assert "/login/" in response.headers["Location"]  # sent back to the login page, not in
    assert "login_locked" in _actions(app, "lockme")
    page = client.get("/login/").get_data(as_text=True)
    assert "账号已锁定" in page


def test_logins_and_failed_logins_are_in_the_audit_log(app, client):
    _make_user(app, "audited")
    login(client, "audited", "nope")
    assert login(client, "audited", DEMO_PASSWORD).status_code == 302
    assert _actions(app, "audited")[-2:] == ["login_failed", "login"]


def test_every_page_sends_a_same_origin_content_security_policy(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_chinese_error_without_stack_trace(client):
    response = client.get("/no/such/page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "页面不存在" in body and "Traceback" not in body


def test_api_errors_are_json_in_chinese(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.is_json


def test_a_malformed_list_query_answers_400_with_errors(client):
    headers = api_token(client, "donghu")
    response = client.get("/api/v1/enterprise/?q=(page:first)", headers=headers)
    assert response.status_code == 400
    assert response.json["errors"], response.json
    again = client.get("/api/v1/enterprise/?q=(page:0,page_size:5)", headers=headers)
    assert again.status_code == 200 and len(again.json["result"]) == 5


def test_session_expires_after_idle_timeout(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 30 * 60
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True


def test_weak_password_is_refused_by_the_complexity_rule(app):
    import pytest
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    validator = app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"]
    for weak in ("short1!A", "alllowercase1!", "NoDigitsHere!!", "NoSymbols1234A"):
        with pytest.raises(PasswordComplexityValidationError):
            validator(weak)
    validator("Strong@Pass2026")


def test_form_post_without_csrf_token_is_refused(tmp_path, app):
    """CSRF is on outside tests: a form POST without its token is refused with a Chinese message."""
    csrf_app = create_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "data", WTF_CSRF_ENABLED=True
    )
    client = csrf_app.test_client()
    response = client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login/").get_data(as_text=True)
    )
    assert token, "the login form carries its token"
    response = client.post(
        "/login/",
        data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302  # the same form with its token logs in
    close_app(csrf_app)
