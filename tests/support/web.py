"""The web app as a user meets it: logging in, API tokens, FAB list searches."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlencode

from support.demo import DEMO_PASSWORD


def login(client: Any, username: str, password: str = DEMO_PASSWORD) -> Any:
    """POST the login form; a successful login answers 302."""
    return client.post(
        "/login/", data={"username": username, "password": password}, follow_redirects=False
    )


def _logins(app: Any) -> dict[Any, Any]:
    return app.extensions.setdefault("test_logins", {})


def _session_version(app: Any, username: str) -> int:
    """Logout, a password change or "sign out everywhere" bump it and revoke every cookie and
    token of the user: a cached login is only reused while the version is the same."""
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        return user.session_version if user is not None else -1


def sign_in(client: Any, username: str) -> Any:
    """Log the client in as the demo user. The first time for an app and a user through the login
    form; later with the session cookie that login got, as a browser keeps it (checking the
    password's scrypt hash costs 0.1–0.3 s, and tests log in hundreds of times)."""
    app = client.application
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    key = ("form", username, _session_version(app, username))
    cookie = _logins(app).get(key)
    if cookie is None:
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        cookie = _logins(app)[key] = client.get_cookie(cookie_name).value
    else:
        client.set_cookie(cookie_name, cookie)
    return client


def logged_in(app: Any, username: str) -> Any:
    """A new test client of the app, logged in as the demo user (see `sign_in`)."""
    return sign_in(app.test_client(), username)


def api_token(client: Any, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """The Authorization header of a JWT login through the REST API (one login per app and user:
    the token is valid for an hour)."""
    tokens = _logins(client.application)
    key = ("api", username, password, _session_version(client.application, username))
    if key not in tokens:
        response = client.post(
            "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": False},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        tokens[key] = response.json["access_token"]
    return {"Authorization": f"Bearer {tokens[key]}"}


def push_batch(
    client: Any, records: list[dict[str, Any]], *, source: str, **body: Any
) -> dict[str, Any]:
    """POST a docking batch as the Jiangxi docking account; the summary of an accepted batch."""
    answer = client.post(
        "/api/v1/docking/batch",
        json={"source": source, "records": records, **body},
        headers=api_token(client, "docking_jx"),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def key_items(app: Any, region: str, plugin: str = "confined_space") -> dict[str, Any]:
    """The 重点事项情况 answer of the statistics API for a region, as the ministry admin reads it."""
    client = app.test_client()
    answer = client.get(
        "/api/v1/statistics/key_items",
        query_string={"region": region, "plugin": plugin},
        headers=api_token(client, "admin"),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def export_all(
    client: Any, headers: dict[str, str], record_type: str, since: str | None = None
) -> tuple[list[dict[str, Any]], str]:
    """Every record of the docking export after `since`, page by page, and the cursor to go on from."""
    records: list[dict[str, Any]] = []
    while True:
        query = {"type": record_type, "limit": "2000", **({"since": since} if since else {})}
        page = client.get("/api/v1/docking/export", query_string=query, headers=headers)
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
        records += page.json["records"]
        since = page.json["next"]
        if not page.json["more"]:
            return records, since


def search_filters(page: str) -> dict[str, list[str]]:
    """column → the filters FAB's 搜索 widget offers for it (labels as shown, in the widget's order)."""
    return _search_widget(page)[2]


def search_fields(page: str) -> dict[str, str]:
    """column → the HTML of the input FAB's 搜索 widget shows for its value."""
    return _search_widget(page)[1]


def _search_widget(page: str) -> list[Any]:
    """The widget's own arguments: `new AdminFilters('#filter_form', labels, fields,
    search_filters, active_filters)` in the list page (the first three)."""
    start = page.find("new AdminFilters(")
    assert start >= 0, "the page has no FAB search widget"
    text = page[page.index(",", start) + 1 :]
    decoder = json.JSONDecoder()
    values = []
    for _ in range(3):
        text = text.lstrip().removeprefix(",").lstrip()
        value, end = decoder.raw_decode(text)
        values.append(value)
        text = text[end:]
    return values


def list_rows(page: str) -> list[str]:
    """The rows of a FAB list page's table as the user reads them: each row's cell texts, tab-joined."""
    marker = '<table class="table table-bordered table-hover">'
    if marker not in page:  # FAB draws no table for an empty result
        assert "new AdminFilters(" in page, "not a FAB list page"
        return []
    table = page.split(marker, 1)[1]
    body = table.split("</thead>", 1)[1].split("</table>", 1)[0]
    return [
        "\t".join(_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def search(client: Any, list_path: str, column: str, operator: str, value: str) -> list[str]:
    """Search a FAB list page as a user does with its widget (pick the column and the operator,
    e.g. "等于" or "包含", type the value, submit); returns the rows of the result (`list_rows`)."""
    page = client.get(list_path)
    assert page.status_code == 200, list_path
    offered = search_filters(page.get_data(as_text=True)).get(column, [])
    assert operator in offered, f"{list_path}: {column} offers {offered}"
    separator = "&" if "?" in list_path else "?"
    query = urlencode({f"_flt_{offered.index(operator)}_{column}": value})
    result = client.get(f"{list_path}{separator}{query}")
    assert result.status_code == 200, result.request.url
    return list_rows(result.get_data(as_text=True))
