"""Sessions and tokens are revocable: logout, a password change, deactivation and an admin's
"sign out everywhere" end every session cookie, access token and refresh token of the user."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from enforcement.models import AppUser, AuditLog
from support.demo import DEMO_PASSWORD
from support.web import login

NEW_PASSWORD = "Changed@Pass2026"
API_PAGE = "/api/v1/region/?q=(page_size:1)"
USER_PAGE = "/users/userinfo/"


def _new_user(app: Any, username: str, role: str = "inspector") -> int:
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username) or sm.add_user(
            username, username, "", f"{username}@example.invalid", sm.find_role(role), DEMO_PASSWORD
        )
        return user.id


def _tokens(app: Any, username: str, password: str = DEMO_PASSWORD) -> tuple[str, str]:
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"], response.json["refresh_token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _api(app: Any, access: str) -> Any:
    return app.test_client().get(API_PAGE, headers=_bearer(access))


def _refresh(app: Any, refresh: str) -> Any:
    return app.test_client().post("/api/v1/security/refresh", headers=_bearer(refresh))


def _browser(app: Any, username: str, password: str = DEMO_PASSWORD) -> Any:
    client = app.test_client()
    assert login(client, username, password).headers["Location"] == "/"
    return client


def _signed_in(client: Any) -> bool:
    response = client.get(USER_PAGE)
    if response.status_code == 302:
        assert "/login/" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _assert_refused(response: Any) -> None:
    assert response.status_code == 401, response.get_data(as_text=True)
    assert response.json["errors"][0]["path"] == "/"
    assert response.json["errors"][0]["message"] == response.json["message"]


def _events(app: Any, action: str) -> list[AuditLog]:
    with app.app_context():
        return list(
            app.appbuilder.session.scalars(
                select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)
            )
        )


def test_a_session_cookie_replayed_after_logout_is_refused(app):
    _new_user(app, "replayer")
    browser = _browser(app, "replayer")
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert _signed_in(thief)  # positive control: the copied cookie works before the logout
    browser.get("/logout/")
    assert not _signed_in(thief)
    assert "登录已失效" in thief.get("/login/").get_data(as_text=True)
    assert not _signed_in(browser)
    assert _events(app, "logout")[-1].username == "replayer"


def test_logging_out_of_the_page_revokes_the_users_tokens_too(app):
    _new_user(app, "pagelogout")
    access, refresh = _tokens(app, "pagelogout")
    assert _api(app, access).status_code == 200
    _browser(app, "pagelogout").get("/logout/")
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))


def test_a_password_change_revokes_old_tokens_and_other_sessions_but_keeps_this_one(app):
    _new_user(app, "changer")
    access, refresh = _tokens(app, "changer")
    elsewhere = _browser(app, "changer")
    here = _browser(app, "changer")
    # Positive controls: everything works before the change.
    assert _api(app, access).status_code == 200
    assert _refresh(app, refresh).status_code == 200
    assert _signed_in(elsewhere)
    response = here.post(
        "/resetmypassword/form", data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))
    assert not _signed_in(elsewhere)
    assert _signed_in(here)  # whoever changed it stays logged in where they did
    new_access, _ = _tokens(app, "changer", NEW_PASSWORD)
    assert _api(app, new_access).status_code == 200


def test_an_admins_password_reset_revokes_the_users_tokens_and_sessions(app):
    user_id = _new_user(app, "resetbyadmin")
    access, refresh = _tokens(app, "resetbyadmin")
    browser = _browser(app, "resetbyadmin")
    assert _api(app, access).status_code == 200 and _signed_in(browser)
    admin = _browser(app, "admin")
    response = admin.post(
        f"/resetpassword/form?pk={user_id}",
        data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))
    assert not _signed_in(browser)
    assert _signed_in(admin)  # the admin's own session is untouched


def test_deactivation_revokes_tokens_and_sessions_and_reactivation_does_not_revive_them(app):
    user_id = _new_user(app, "leaver")
    access, refresh = _tokens(app, "leaver")
    browser = _browser(app, "leaver")
    assert _api(app, access).status_code == 200 and _signed_in(browser)

    def set_active(active: bool) -> None:
        with app.app_context():
            session = app.appbuilder.session
            session.get(AppUser, user_id).active = active
            session.commit()

    set_active(False)
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))
    assert not _signed_in(browser)
    set_active(True)
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))
    assert not _signed_in(browser)
    # Positive control: the reactivated account logs in afresh.
    assert _api(app, _tokens(app, "leaver")[0]).status_code == 200


def test_an_admin_signs_a_user_out_everywhere_from_the_user_page(app):
    user_id = _new_user(app, "lostphone")
    _new_user(app, "bystander")
    access, refresh = _tokens(app, "lostphone")
    browser = _browser(app, "lostphone")
    bystander_access, bystander_refresh = _tokens(app, "bystander")
    assert _api(app, access).status_code == 200 and _signed_in(browser)
    admin = _browser(app, "admin")
    page = admin.get(f"/users/show/{user_id}").get_data(as_text=True)
    assert "全部设备下线" in page
    response = admin.post(f"/users/action/signout_everywhere/{user_id}")
    assert response.status_code == 302
    assert "已在所有设备下线" in admin.get(response.headers["Location"]).get_data(as_text=True)
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))
    assert not _signed_in(browser)
    # Positive controls: nobody else is signed out.
    assert _api(app, bystander_access).status_code == 200
    assert _refresh(app, bystander_refresh).status_code == 200
    assert _signed_in(admin)
    event = _events(app, "sessions_revoked")[-1]
    assert event.username == "admin" and event.new_values == {"user": "lostphone"}


def test_only_an_admin_can_sign_a_user_out_everywhere(app):
    user_id = _new_user(app, "keepme")
    _new_user(app, "nosy")
    access, _ = _tokens(app, "keepme")
    nosy = _browser(app, "nosy")
    assert "全部设备下线" not in nosy.get(f"/users/show/{user_id}").get_data(as_text=True)
    nosy.post(f"/users/action/signout_everywhere/{user_id}")
    assert _api(app, access).status_code == 200
    # Positive control: the same request from an admin does sign the user out.
    _browser(app, "admin").post(f"/users/action/signout_everywhere/{user_id}")
    _assert_refused(_api(app, access))


def test_refresh_tokens_expire_after_seven_days_by_default(app, monkeypatch):
    from flask_jwt_extended import decode_token

    assert app.config["JWT_REFRESH_TOKEN_EXPIRES"] == dt.timedelta(days=7)
    _new_user(app, "expiring")
    _, refresh = _tokens(app, "expiring")
    with app.app_context():
        claims = decode_token(refresh)
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    assert _refresh(app, refresh).status_code == 200  # positive control: a live one refreshes
    monkeypatch.setitem(app.config, "JWT_REFRESH_TOKEN_EXPIRES", dt.timedelta(seconds=-1))
    _, expired = _tokens(app, "expiring")
    response = _refresh(app, expired)
    _assert_refused(response)
    assert "过期" in response.json["message"]


def test_api_logout_revokes_every_token_of_the_user(app):
    _new_user(app, "apilogout")
    access, refresh = _tokens(app, "apilogout")
    other_device, _ = _tokens(app, "apilogout")
    browser = _browser(app, "apilogout")
    assert _api(app, access).status_code == 200 and _api(app, other_device).status_code == 200
    client = app.test_client()
    response = client.post("/api/v1/security/logout", headers=_bearer(access))
    assert response.status_code == 200 and response.json["message"]
    for token in (access, other_device):
        _assert_refused(_api(app, token))
    _assert_refused(_refresh(app, refresh))
    assert not _signed_in(browser)
    _assert_refused(client.post("/api/v1/security/logout", headers=_bearer(access)))
    _assert_refused(client.post("/api/v1/security/logout"))
    assert _events(app, "logout")[-1].username == "apilogout"


def test_api_logout_accepts_the_refresh_token(app):
    _new_user(app, "refreshlogout")
    access, refresh = _tokens(app, "refreshlogout")
    response = app.test_client().post("/api/v1/security/logout", headers=_bearer(refresh))
    assert response.status_code == 200
    _assert_refused(_api(app, access))
    _assert_refused(_refresh(app, refresh))


def test_a_token_without_the_session_version_is_refused(app):
    """Tokens minted before the version existed (or by anything else holding the key) do not pass."""
    import time
    import uuid

    import jwt

    user_id = _new_user(app, "legacytoken")
    access, _ = _tokens(app, "legacytoken")
    now = int(time.time())
    legacy = jwt.encode(
        {
            "sub": str(user_id),
            "type": "access",
            "fresh": False,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + 600,
        },
        app.config["SECRET_KEY"],
        algorithm="HS256",
    )
    assert _api(app, access).status_code == 200  # positive control: the same user, with the claim
    _assert_refused(_api(app, legacy))
