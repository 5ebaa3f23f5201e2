"""Security baseline: lock-out, login audit, CSRF, headers, Chinese error pages, password rules."""

from __future__ import annotations

import re

from sqlalchemy import select

from enforcement.models import AuditLog
from enforcement.web import session_cookie
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


def test_static_files_are_kept_by_the_browser_for_an_hour_but_pages_never(as_user):
    client = as_user("donghu")
    for asset in ("/static/enforcement/css/enforcement.css", "/static/appbuilder/js/ab.js"):
        cache = client.get(asset).headers["Cache-Control"]
        assert "max-age=3600" in cache and "no-store" not in cache, (asset, cache)
    assert client.get("/task/list/").headers["Cache-Control"] == "no-store"


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


def test_the_reminder_badge_never_rewrites_the_session_cookie(client):
    """The badge's request, started before a click, answered after it: had it set the cookie it
    started from, the click's message (已发布…) would be lost."""
    assert login(client, "admin").status_code == 302
    response = client.get("/reminders/count")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_activity_restarts_the_idle_clock_at_most_once_a_minute(client, monkeypatch):
    assert login(client, "admin").status_code == 302
    client.get("/reminders/")
    again = client.get("/reminders/")
    assert again.status_code == 200 and "Set-Cookie" not in again.headers
    later = session_cookie.clock() + session_cookie.ACTIVITY_RESOLUTION_SECONDS
    monkeypatch.setattr(session_cookie, "clock", lambda: later)
    renewed = client.get("/reminders/")
    assert renewed.status_code == 200 and "Set-Cookie" in renewed.headers


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


def _api_login(client, username: str, password: str = DEMO_PASSWORD):
    return client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db"},
    )


def _client_at(app, address: str):
    """A test client whose requests come from `address` (per-address limits are keyed on it)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_lockout_counts_the_account_however_its_name_is_typed(app):
    _make_user(app, "casebypass")
    # Positive control: the name is matched in any case, so the right password gets in.
    control = app.test_client()
    assert login(control, "CaseBypass", DEMO_PASSWORD).headers["Location"] == "/"
    client = app.test_client()
    for typed in ("casebypass", "CASEBYPASS", "CaseBypass", "cASEbYPASS", "Casebypass"):
        login(client, typed, "wrong-password")
    assert _actions(app, "casebypass")[-5:] == ["login_failed"] * 5  # one account, one counter
    response = login(client, "CASEBYPASS", DEMO_PASSWORD)
    assert "/login/" in response.headers["Location"]
    assert "账号已锁定" in client.get("/login/").get_data(as_text=True)
    api = _api_login(client, "CaseBypass")
    assert api.status_code == 401
    assert "账号已锁定" in api.json["errors"][0]["message"]
    assert "access_token" not in api.json
    assert _actions(app, "casebypass")[-2:] == ["login_locked", "login_locked"]


def test_api_login_failures_count_towards_the_same_lockout(app):
    _make_user(app, "apilock")
    client = app.test_client()
    for _ in range(5):
        response = _api_login(client, "APILOCK", "wrong-password")
        assert response.status_code == 401
        assert response.json["errors"][0]["message"] == "用户名或密码错误"
    assert "/login/" in login(client, "apilock", DEMO_PASSWORD).headers["Location"]
    assert "账号已锁定" in client.get("/login/").get_data(as_text=True)


def test_many_failures_from_one_address_lock_that_address_whatever_the_names(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 4)
    _make_user(app, "sprayvictim")
    _make_user(app, "spraytarget")
    attacker = _client_at(app, "203.0.113.9")
    # One failure per name: no account reaches its own limit of 5.
    login(attacker, "spraytarget", "Spring2026!")
    login(attacker, "nosuchuser1", "Spring2026!")
    _api_login(attacker, "nosuchuser2", "Spring2026!")
    _api_login(attacker, "admin", "Spring2026!")
    # Positive control: the victim's right password works from elsewhere.
    assert login(_client_at(app, "203.0.113.10"), "sprayvictim").headers["Location"] == "/"
    response = login(attacker, "sprayvictim", DEMO_PASSWORD)
    assert "/login/" in response.headers["Location"]
    assert "该地址登录失败次数过多" in attacker.get("/login/").get_data(as_text=True)
    api = _api_login(attacker, "sprayvictim")
    assert api.status_code == 401 and "该地址" in api.json["errors"][0]["message"]
    with app.app_context():
        locked = app.appbuilder.session.scalars(
            select(AuditLog).where(
                AuditLog.action == "login_locked", AuditLog.remote_addr == "203.0.113.9"
            )
        ).all()
    assert [row.username for row in locked] == ["sprayvictim", "sprayvictim"]


def test_page_login_past_the_rate_limit_answers_429_in_chinese(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMITED", True)
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "3 per minute")
    client = _client_at(app, "198.51.100.21")
    statuses = [login(client, "ratelimited", "wrong-password").status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    response = login(client, "ratelimited", "wrong-password")
    assert response.status_code == 429
    assert "请求过于频繁" in response.get_data(as_text=True)
    assert client.get("/login/").status_code == 200  # the form itself stays reachable
    # Positive control: the same client is let through once the limit is turned off.
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMITED", False)
    assert login(client, "ratelimited", "wrong-password").status_code == 302


def test_api_login_past_the_rate_limit_answers_429_and_shares_the_page_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMITED", True)
    monkeypatch.setitem(app.config, "AUTH_RATE_LIMIT", "3 per minute")
    client = _client_at(app, "198.51.100.22")
    assert login(client, "ratelimitedapi", "wrong-password").status_code == 302
    assert [_api_login(client, "ratelimitedapi", "x").status_code for _ in range(2)] == [401, 401]
    response = _api_login(client, "ratelimitedapi", "x")
    assert response.status_code == 429
    assert response.json["errors"][0]["path"] == "/"
    assert "频繁" in response.json["message"]
    # Another address has its own allowance.
    assert _api_login(_client_at(app, "198.51.100.23"), "ratelimitedapi", "x").status_code == 401


def test_login_rate_limit_and_lockouts_are_on_by_default():
    from enforcement.config import load_config

    config = load_config()
    assert config["AUTH_RATE_LIMITED"] is True and config["RATELIMIT_ENABLED"] is True
    assert config["AUTH_RATE_LIMIT"] == "20 per minute"
    assert config["LOGIN_MAX_FAILURES"] == 5
    assert config["LOGIN_MAX_FAILURES_PER_ADDRESS"] == 20


def test_passwords_are_hashed_with_scrypt_unless_an_operator_says_otherwise():
    # The test databases use a cheap hash (tests/support/databases.py); the platform must not.
    from enforcement.config import load_config

    assert load_config().get("FAB_PASSWORD_HASH_METHOD", "scrypt") == "scrypt"
