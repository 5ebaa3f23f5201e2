"""Fixtures shared by every test directory: apps over copies of the migrated demo database.

The demo database is built once per engine and run (support/databases.py) and copied for each test
module that uses `app`: a module may write freely, no other module sees it. Modules that only read
are marked `shares_demo_db` and share one copy per engine and process. Helpers (logging in, finders,
factories) are plain functions in tests/support/, never imported from a conftest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from support import databases

# Each xdist worker its own instance folder (the generated secret key lives there), unless the
# caller chose one; workers inherit the controller's environment, so ours is replaced, not kept.
_INSTANCES = databases.ROOT / "instance" / "test"
if os.environ.get("ENFORCEMENT_INSTANCE_DIR", str(_INSTANCES)).startswith(str(_INSTANCES)):
    os.environ["ENFORCEMENT_INSTANCE_DIR"] = str(_INSTANCES / databases.worker())
_STARTED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    # In the process that starts the run (before xdist spawns workers, which inherit it).
    config.stash[_STARTED] = databases.start_run()


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_STARTED, False):
        databases.finish_run()


# The longest single test (a phone walk of 25–40 s) starts early, not as the run's last straggler.
LONGEST_FIRST = ("e2e/test_workflow_walk.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests without a database first (unit, plugins), then the browser, then the rest.

    Fast feedback first; and under xdist (worksteal hands each worker a contiguous half) one
    worker runs those while the other builds the demo database, instead of both waiting for it.
    Stable: the order within each group, grouped by fixture scope, is kept.
    """
    order = {"unit": 0, "plugins": 0, "e2e": 2}
    tests = databases.ROOT / "tests"

    def group(item: pytest.Item) -> int:
        if not item.path.is_relative_to(tests):
            return 3
        relative = item.path.relative_to(tests)
        if relative.as_posix() in LONGEST_FIRST:
            return 1
        return order.get(relative.parts[0], 3) if len(relative.parts) > 1 else 3

    items.sort(key=group)


@pytest.fixture(scope="session")
def demo_apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[databases.DemoApps]:
    """Makes apps over copies of the demo database (see support.databases.DemoApps)."""
    apps = databases.DemoApps(tmp_path_factory.mktemp)
    yield apps
    apps.close_all()


@pytest.fixture(scope="module", params=databases.ENGINES)
def app(request: pytest.FixtureRequest, demo_apps: databases.DemoApps) -> Iterator[Any]:
    """The platform with the demo data on each engine: the module's own copy of the database."""
    if request.node.get_closest_marker("shares_demo_db"):
        yield demo_apps.shared(request.param)
        return
    application = demo_apps.clone(request.param, request.module.__name__.rsplit(".", 1)[-1])
    yield application
    demo_apps.close(application)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def as_user(client: Any) -> Any:
    """Log the test client in as a demo user: as_user("donghu")."""
    from support.web import sign_in

    return lambda username: sign_in(client, username)
