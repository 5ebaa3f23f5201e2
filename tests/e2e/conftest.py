"""Browser fixtures: a live server (SQLite, demo data, CSRF on) and Debian Chromium via Playwright.

The server is the real WSGI stack users get (waitress, CSRF-protected forms); the browser is the
system Chromium (never a downloaded one). Each test gets a fresh context (no shared cookies), in a
desktop and a phone viewport, and every request the page makes is recorded.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


@dataclass
class LiveServer:
    url: str
    app: Any
    # username -> session cookies of a login made through the form, reused by later tests
    sessions: dict[str, list[Any]] = field(default_factory=dict)


@pytest.fixture(scope="session")
def live_server(demo_apps: Any) -> Iterator[LiveServer]:
    """The platform on a copy of the SQLite demo database, CSRF on, served by waitress on a free
    port: one per test process (each xdist worker has its own server and database)."""
    import waitress

    app = demo_apps.clone("sqlite", "e2e", WTF_CSRF_ENABLED=True)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, name="e2e-waitress", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.effective_port}", app=app)
    finally:
        server.close()
        thread.join(timeout=5)
        demo_apps.close(app)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless; missing it fails under CI=true and skips elsewhere."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Each browser test runs twice: "desktop" (1280×800) and "phone" (390×844, touch)."""
    return request.param


@dataclass
class Browsing:
    """What a test drives: the page, the requests it made, and a screenshot helper."""

    page: Any
    viewport: str
    server: LiveServer
    shot_prefix: Path
    requests: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    @property
    def is_phone(self) -> bool:
        return self.viewport == "phone"

    def goto(self, path: str) -> Any:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"GET {path}: {response and response.status}"
        return response

    def log_in(self, username: str, password: str, *, through_form: bool = False) -> None:
        """Log in through FAB's login form, once per user; later tests reuse its session cookie."""
        cookies = self.server.sessions.get(username)
        if cookies and not through_form:
            self.page.context.add_cookies(cookies)
            return
        self.goto("/login/")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("form[name=login] [type=submit]")
        path = urlsplit(self.page.url).path
        assert path == "/", f"login as {username} did not reach the home page: {self.page.url}"
        self.server.sessions[username] = self.page.context.cookies()

    def shot(self, step: str) -> Path:
        """A full-page screenshot: test-artifacts/screenshots/<test>-<viewport>-<NN>-<step>.png."""
        number = len(self.shots) + 1
        path = self.shot_prefix.with_name(f"{self.shot_prefix.name}-{number:02d}-{step}.png")
        self.page.screenshot(path=str(path), full_page=True, scale="css")
        self.shots.append(path)
        return path


@pytest.fixture
def browsing(
    request: pytest.FixtureRequest,
    chromium: Any,
    live_server: LiveServer,
    viewport: str,
    screenshot_dir: Path,
) -> Iterator[Browsing]:
    """A fresh browser context (zh-CN, the viewport) on the live server; requests are recorded."""
    context = chromium.new_context(
        base_url=live_server.url, locale="zh-CN", accept_downloads=True, **VIEWPORTS[viewport]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    test_name = re.sub(r"[^\w-]", "_", request.node.originalname)
    prefix = screenshot_dir / f"{test_name}-{viewport}"
    for old in screenshot_dir.glob(f"{prefix.name}-*.png"):
        old.unlink()
    browsing = Browsing(page=page, viewport=viewport, server=live_server, shot_prefix=prefix)
    page.on("request", lambda req: browsing.requests.append(req.url))
    try:
        yield browsing
    finally:
        context.close()
