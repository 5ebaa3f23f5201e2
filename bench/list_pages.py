"""Enterprise list page and API list, jurisdiction-scoped, beside a bare Flask-AppBuilder peer.

Run from the repository root:  .venv/bin/python bench/list_pages.py   (see bench/README.md)

1. Build one SQLite database with tests/support/databases.py's build_app, the demo data set and ~2,000 extra
   enterprises (tags, two pieces of equipment each) spread over many counties, ≥ 200 of them in
   东湖区 (360102), the county of the demo inspector `donghu`.
2. Start two waitress servers (127.0.0.1, free port, threads=8), each in its own child process:
   - "scoped": the platform itself (enforcement.web.app.create_app), every query scoped;
   - "bare":   a minimal Flask-AppBuilder app that maps its own models onto the same tables and
               registers a stock ModelView and ModelRestApi: no enforcement code, no session hooks.
3. From this process, fire the requests with client threads (http.client, keep-alive), in rounds that
   alternate the four targets, check every response (200, 50 rows, the same rows on both sides) and
   print / write the figures (bench/results/list_pages.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform as pyplatform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Mapped  # module level: the bare models' string annotations need it

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "list_pages.json"
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "tests"))

PASSWORD = "Demo@2026!"
HOME_COUNTY = "360102"  # 南昌市东湖区: the demo inspector `donghu`'s jurisdiction
PAGE_ROWS = 50
SECRET_KEY = "bench-secret-key-that-is-long-enough-for-jwt-signing"
# The list columns of enforcement.web.base_data.views.EnterpriseView and
# enforcement.web.base_data.api.EnterpriseApi,
# copied (the bare app must not import enforcement's models: they carry the hooks).
PAGE_COLUMNS = ["name", "uscc", "region", "sector_label", "tags_label", "status_label"]
# EnterpriseView's search columns: FAB's default (every column, "region" included) would render a
# <select> of all ~3,200 regions in the search form of each page, which is not what we compare.
SEARCH_COLUMNS = ["name", "uscc", "address", "sector", "region_code", "principal_name", "status"]
API_COLUMNS = [
    "id",
    "name",
    "uscc",
    "region_code",
    "sector",
    "address",
    "scale",
    "status",
    "principal_name",
    "principal_phone",
    "contact_name",
    "contact_phone",
    "employees",
]
# Settings both apps share: nothing here touches scoping.
COMMON_SETTINGS: dict[str, Any] = {
    "TESTING": False,
    "DEBUG": False,
    "SECRET_KEY": SECRET_KEY,
    "WTF_CSRF_ENABLED": False,
    "AUTH_RATE_LIMITED": False,
    "BABEL_DEFAULT_LOCALE": "zh",
    "LANGUAGES": {"zh": {"flag": "cn", "name": "中文"}},
}
USCC_RE = re.compile(r"\b[0-9A-HJ-NPQRTUW-Y]{2}\d{6}[0-9A-HJ-NPQRTUW-Y]{10}\b")


# ------------------------------------------------------------------------------------------------
# 1. The database
# ------------------------------------------------------------------------------------------------


def build_database(work: Path, extra: int, home: int, seed: int) -> dict[str, Any]:
    """The platform's migrated database with the demo data and `extra` more enterprises."""
    from sqlalchemy import func, select

    from enforcement.db.scoping import UNSCOPED
    from enforcement.demo import load_demo
    from enforcement.domain import codes
    from enforcement.domain.uscc import make_uscc
    from enforcement.models import Enterprise, EnterpriseTag, Equipment, Region
    from support.databases import build_app

    app = build_app(database_url(work), work / "data", **COMMON_SETTINGS)
    with app.app_context():
        session = app.appbuilder.session
        load_demo(session, seed=2021)
        rng = random.Random(seed)
        counties = sorted(
            session.scalars(
                select(Region.code).where(Region.level == "county", Region.code != HOME_COUNTY)
            )
        )
        others = rng.sample(counties, min(150, len(counties)))
        taken = set(session.scalars(select(Enterprise.uscc).execution_options(**{UNSCOPED: True})))
        sectors, tags, kinds = list(codes.SECTORS), list(codes.TAGS), list(codes.EQUIPMENT_TYPES)
        brands = ["华兴", "鑫源", "恒达", "永盛", "金泰", "宏昌", "瑞丰", "博远", "东升", "中联"]
        for i in range(extra):
            region = HOME_COUNTY if i < home else rng.choice(others)
            uscc = make_uscc("9", "1", region, f"BN{i:06d}")
            if uscc in taken:
                continue
            taken.add(uscc)
            enterprise = Enterprise(
                name=f"{rng.choice(brands)}{rng.choice(['机械', '铝业', '纺织', '建材'])}{i:04d}有限公司",
                uscc=uscc,
                address=f"测试路{rng.randint(1, 999)}号",
                region_code=region,
                sector=rng.choice(sectors),
                scale=rng.choice(list(codes.SCALES)),
                status="operating",
                principal_name="张三",
                principal_phone="13800000000",
                contact_name="李四",
                contact_phone="0791-88888888",
                employees=rng.randint(5, 900),
            )
            enterprise.tag_links = [EnterpriseTag(tag=t) for t in rng.sample(tags, 2)]
            if region != HOME_COUNTY and i % 40 == 0:
                enterprise.deleted_at = dt.datetime(2025, 6, 1)  # soft-deleted, hidden by scoping
                enterprise.deleted_by = "bench"
            session.add(enterprise)
            for n in range(2):
                kind = rng.choice(kinds)
                session.add(
                    Equipment(enterprise=enterprise, equipment_type=kind, name=f"{kind}-{n + 1}")
                )
        session.commit()

        def count(model: Any, *where: Any) -> int:
            statement = select(func.count()).select_from(model).where(*where)
            return session.scalar(statement.execution_options(**{UNSCOPED: True}))

        facts = {
            "enterprises": count(Enterprise),
            "enterprises_in_360102": count(
                Enterprise, Enterprise.region_code == HOME_COUNTY, Enterprise.deleted_at.is_(None)
            ),
            "counties_with_enterprises": session.scalar(
                select(func.count(func.distinct(Enterprise.region_code))).execution_options(
                    **{UNSCOPED: True}
                )
            ),
            "enterprise_tags": count(EnterpriseTag),
            "equipment": count(Equipment),
        }
        session.remove()
        session.get_bind().dispose()
    if facts["enterprises_in_360102"] < PAGE_ROWS:
        raise SystemExit(f"only {facts['enterprises_in_360102']} enterprises in {HOME_COUNTY}")
    return facts


def database_url(work: Path) -> str:
    return f"sqlite:///{work / 'bench.db'}"


# ------------------------------------------------------------------------------------------------
# 2. The two apps (each runs in a child process: `list_pages.py --serve scoped|bare WORKDIR`)
# ------------------------------------------------------------------------------------------------


def scoped_app(work: Path) -> Any:
    """The platform exactly as `enforcement run` serves it, on the bench database."""
    from enforcement.web.app import create_app
    from support.databases import TEST_SETTINGS

    return create_app(
        {
            **TEST_SETTINGS,
            **COMMON_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": database_url(work),
            "DATA_DIR": str(work / "data"),
        }
    )


def bare_app(work: Path) -> Any:
    """Stock Flask-AppBuilder: its own models on the same tables, a ModelView and a ModelRestApi.

    Imports nothing of enforcement but the code tables (plain dicts) for the *_label properties, so
    no do_orm_execute / before_flush hook is ever installed in this process.
    """
    from flask import Flask
    from flask_appbuilder import AppBuilder, Model, ModelView
    from flask_appbuilder.api import ModelRestApi
    from flask_appbuilder.const import AUTH_DB
    from flask_appbuilder.models.sqla.base import SQLA
    from flask_appbuilder.models.sqla.filters import FilterEqual
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from sqlalchemy import DateTime, ForeignKey, Integer, String, event
    from sqlalchemy.orm import mapped_column, relationship

    from enforcement.domain import codes

    assert "enforcement.models" not in sys.modules

    class Region(Model):
        __tablename__ = "region"
        code: Mapped[str] = mapped_column(String(6), primary_key=True)
        name: Mapped[str] = mapped_column(String(64))
        full_name: Mapped[str] = mapped_column(String(160))
        level: Mapped[str] = mapped_column(String(10))
        parent_code: Mapped[str | None] = mapped_column(String(6), ForeignKey("region.code"))

        def __str__(self) -> str:
            return self.full_name

    class EnterpriseTag(Model):
        __tablename__ = "enterprise_tag"
        enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True)
        tag: Mapped[str] = mapped_column(String(32), primary_key=True)

    class Enterprise(Model):
        """The same columns and the same loading strategy as enforcement.models.Enterprise."""

        __tablename__ = "enterprise"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        name: Mapped[str] = mapped_column(String(200))
        uscc: Mapped[str] = mapped_column(String(18))
        address: Mapped[str] = mapped_column(String(300))
        region_code: Mapped[str] = mapped_column(String(6), ForeignKey("region.code"))
        sector: Mapped[str] = mapped_column(String(32))
        scale: Mapped[str | None] = mapped_column(String(16))
        status: Mapped[str] = mapped_column(String(16))
        principal_name: Mapped[str | None] = mapped_column(String(64))
        principal_phone: Mapped[str | None] = mapped_column(String(32))
        contact_name: Mapped[str | None] = mapped_column(String(64))
        contact_phone: Mapped[str | None] = mapped_column(String(32))
        employees: Mapped[int | None] = mapped_column(Integer)
        created_at: Mapped[dt.datetime] = mapped_column(DateTime)
        updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
        deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
        deleted_by: Mapped[str | None] = mapped_column(String(128))

        region: Mapped[Region] = relationship(lazy="joined")
        tag_links: Mapped[list[EnterpriseTag]] = relationship(
            lazy="selectin", order_by="EnterpriseTag.tag"
        )

        @property
        def tags(self) -> list[str]:
            return [link.tag for link in self.tag_links]

        @property
        def sector_label(self) -> str:
            return codes.label(codes.SECTORS, self.sector)

        @property
        def tags_label(self) -> str:
            return "、".join(codes.label(codes.TAGS, t) for t in self.tags)

        @property
        def status_label(self) -> str:
            return codes.label(codes.ENTERPRISE_STATUSES, self.status)

        def __str__(self) -> str:
            return self.name

    # The same 50 rows as donghu's scoped list: a stock FAB base filter on the county.
    same_rows = [["region_code", FilterEqual, HOME_COUNTY]]

    class BareEnterpriseView(ModelView):
        route_base = "/bare/enterprise"
        datamodel = SQLAInterface(Enterprise)
        list_columns = PAGE_COLUMNS
        search_columns = SEARCH_COLUMNS
        base_filters = same_rows
        base_order = ("name", "asc")
        page_size = PAGE_ROWS

    class BareEnterpriseApi(ModelRestApi):
        resource_name = "bare_enterprise"
        datamodel = SQLAInterface(Enterprise)
        # FAB's generated schema leaves out foreign keys: region_code goes out as region.code.
        list_columns = [c if c != "region_code" else "region.code" for c in API_COLUMNS]
        base_filters = same_rows
        base_order = ("id", "asc")

    app = Flask("bare")
    app.config.update(
        {
            **COMMON_SETTINGS,
            "SQLALCHEMY_DATABASE_URI": database_url(work),
            "SQLALCHEMY_TRACK_MODIFICATIONS": False,
            "AUTH_TYPE": AUTH_DB,
            "AUTH_ROLE_ADMIN": "admin",
            "AUTH_ROLE_PUBLIC": "Public",
            "FAB_CREATE_DB": False,  # the tables exist; permissions of the two views are added
        }
    )
    db = SQLA()
    db.init_app(app)
    with app.app_context():
        # The platform's per-connection SQLite settings, for a like-for-like database connection.
        event.listen(db.engine, "connect", _sqlite_pragmas)
        appbuilder = AppBuilder(update_perms=True)
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(BareEnterpriseView, "Enterprises")
        appbuilder.add_api(BareEnterpriseApi)
    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "busy_timeout=5000",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def serve(kind: str, work: Path, threads: int) -> None:
    """Child process: build the app, serve it from a background thread, print the port, and stop
    when the parent closes our stdin (or dies)."""
    import logging

    import waitress

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth": expected
    app = scoped_app(work) if kind == "scoped" else bare_app(work)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, ident=kind)
    threading.Thread(target=server.run, daemon=True).start()
    print(f"READY {server.effective_port}", flush=True)
    sys.stdin.read()


@dataclass
class Server:
    kind: str
    process: subprocess.Popen
    port: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(kind: str, work: Path, threads: int) -> Server:
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            kind,
            "--workdir",
            str(work),
            "--threads",
            str(threads),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line.startswith("READY "):
        process.kill()
        raise SystemExit(f"the {kind} server did not start (exit {process.wait()})")
    return Server(kind, process, int(line.split()[1]))


# ------------------------------------------------------------------------------------------------
# 3. The load
# ------------------------------------------------------------------------------------------------


def request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None = None,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, response.read(), response


def form_login(port: int, username: str) -> dict[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    status, _, response = request(
        connection,
        "POST",
        "/login/",
        {"Content-Type": "application/x-www-form-urlencoded"},
        body,
    )
    cookie = SimpleCookie(response.getheader("Set-Cookie") or "")
    connection.close()
    if status != 302 or "session" not in cookie:
        raise SystemExit(f"form login of {username} on :{port} failed ({status})")
    return {"Cookie": f"session={cookie['session'].value}"}


def jwt_login(port: int, username: str) -> dict[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = {"username": username, "password": PASSWORD, "provider": "db", "refresh": False}
    status, body, _ = request(
        connection,
        "POST",
        "/api/v1/security/login",
        {"Content-Type": "application/json"},
        json.dumps(payload).encode(),
    )
    connection.close()
    if status != 200:
        raise SystemExit(f"JWT login of {username} on :{port} failed ({status}): {body[:300]!r}")
    return {"Authorization": f"Bearer {json.loads(body)['access_token']}"}


def page_rows(body: bytes) -> list[str]:
    """The USCCs of the list page's rows, in order (each row shows its USCC exactly once)."""
    text = body.decode()
    table = text[text.find("<table") : text.rfind("</table>")]
    return USCC_RE.findall(table)


def api_rows(body: bytes) -> list[str]:
    return [row["uscc"] for row in json.loads(body)["result"]]


@dataclass
class Target:
    name: str
    server: Server
    shape: str  # page | api
    path: str
    headers: dict[str, str]
    user: str
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    rows: list[str] = field(default_factory=list)

    def check(self, status: int, body: bytes) -> list[str]:
        if status != 200:
            raise SystemExit(f"{self.name}: HTTP {status}: {body[:300]!r}")
        rows = page_rows(body) if self.shape == "page" else api_rows(body)
        if len(rows) != PAGE_ROWS or len(set(rows)) != PAGE_ROWS:
            raise SystemExit(f"{self.name}: {len(rows)} rows, expected {PAGE_ROWS}")
        return rows


def fire(target: Target, requests: int, concurrency: int, record: bool) -> None:
    """`requests` GETs from `concurrency` threads, one keep-alive connection each."""
    remaining = [requests]
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[BaseException] = []

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", target.server.port, timeout=120)
        mine: list[float] = []
        try:
            while True:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                started = time.perf_counter()
                status, body, _ = request(connection, "GET", target.path, target.headers)
                mine.append(time.perf_counter() - started)
                rows = target.check(status, body)
                if target.rows and rows != target.rows:
                    raise SystemExit(f"{target.name}: the rows changed between requests")
                target.rows = target.rows or rows
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    cpu_before = cpu_seconds(target.server.process.pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = cpu_seconds(target.server.process.pid) - cpu_before
    if failures:
        raise failures[0]
    if record:
        target.latencies += latencies
        target.wall += wall
        target.cpu += cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(target: Target, concurrency: int) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in target.latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "target": target.name,
        "app": target.server.kind,
        "user": target.user,
        "path": target.path,
        "requests": len(ms),
        "concurrency": concurrency,
        "rows_per_response": PAGE_ROWS,
        "mean_ms": round(statistics.fmean(ms), 1),
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "requests_per_s": round(len(ms) / target.wall, 2),
        # wall time ÷ requests: what one request costs a saturated server
        "ms_per_request": round(target.wall * 1000 / len(ms), 1),
        # the server process's own CPU time ÷ requests: insensitive to other load on the machine
        "server_cpu_ms_per_request": round(target.cpu * 1000 / len(ms), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-list-"))
    os.environ["ENFORCEMENT_INSTANCE_DIR"] = str(work / "instance")
    servers: list[Server] = []
    try:
        started = time.perf_counter()
        facts = build_database(work, args.extra, args.home, args.seed)
        build_s = time.perf_counter() - started
        print(f"database: {facts} ({build_s:.1f} s)", flush=True)
        scoped = start_server("scoped", work, args.threads)
        servers.append(scoped)
        bare = start_server("bare", work, args.threads)
        servers.append(bare)

        q = "?q=" + urllib.parse.quote(f"(page:0,page_size:{PAGE_ROWS})")
        page_login = {
            "scoped": form_login(scoped.port, "donghu"),
            "bare": form_login(bare.port, "admin"),
        }
        api_login = {
            "scoped": jwt_login(scoped.port, "donghu"),
            "bare": jwt_login(bare.port, "admin"),
        }
        targets = [
            Target("scoped list page", scoped, "page", "/enterprise/list/", page_login["scoped"], "donghu"),
            Target("bare FAB list page", bare, "page", "/bare/enterprise/list/", page_login["bare"], "admin"),
            Target("scoped API list", scoped, "api", "/api/v1/enterprise/" + q, api_login["scoped"], "donghu"),
            Target("bare FAB API list", bare, "api", "/api/v1/bare_enterprise/" + q, api_login["bare"], "admin"),
        ]  # fmt: skip
        for target in targets:  # warm-up: caches, connection pools, template compilation
            fire(target, args.warmup, args.concurrency, record=False)
        for shape in ("page", "api"):
            one, other = (t for t in targets if t.shape == shape)
            if one.rows != other.rows:
                raise SystemExit(f"the scoped and bare {shape}s do not show the same rows")
        per_round = [args.requests // args.rounds] * args.rounds
        per_round[-1] += args.requests - sum(per_round)
        for number, count in enumerate(per_round, 1):  # rounds alternate the targets: no drift bias
            for target in targets:
                fire(target, count, args.concurrency, record=True)
            print(f"round {number}/{args.rounds} done", flush=True)
        rows = [summary(target, args.concurrency) for target in targets]
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    by_name = {row["target"]: row for row in rows}
    for scoped_name, bare_name in (
        ("scoped list page", "bare FAB list page"),
        ("scoped API list", "bare FAB API list"),
    ):
        one, other = by_name[scoped_name], by_name[bare_name]
        one["scoped_over_bare"] = round(one["requests_per_s"] / other["requests_per_s"], 2)
        cpu = other["server_cpu_ms_per_request"] / max(one["server_cpu_ms_per_request"], 0.1)
        one["scoped_over_bare_cpu"] = round(cpu, 2)
    return {
        "benchmark": "bench/list_pages.py",
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "commit": git_commit(),
        "machine": f"{pyplatform.system()} {pyplatform.machine()}, {os.cpu_count()} CPUs",
        "server": f"waitress, threads={args.threads}, one process per app",
        "database": {"engine": "sqlite", **facts},
        "ratio_definition": (
            "scoped_over_bare: scoped requests/s ÷ bare requests/s; scoped_over_bare_cpu: bare"
            " server CPU ms per request ÷ scoped one (> 1: the scoped one is faster)"
        ),
        "same_rows": "checked: scoped and bare targets answered the same 50 rows in the same order",
        "requirement": "scoped_over_bare >= 1 for both (target 2)",
        "met": all(row.get("scoped_over_bare", 1) >= 1 for row in rows),
        "results": rows,
    }


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted changes" if dirty else "")


def print_table(report: dict[str, Any]) -> None:
    columns = [
        ("target", 20, "target", "s"),
        ("requests", 8, "requests", "d"),
        ("conc", 4, "concurrency", "d"),
        ("mean ms", 8, "mean_ms", ".1f"),
        ("p50 ms", 8, "p50_ms", ".1f"),
        ("p95 ms", 8, "p95_ms", ".1f"),
        ("req/s", 7, "requests_per_s", ".1f"),
        ("ms/req", 7, "ms_per_request", ".1f"),
        ("cpu ms/req", 10, "server_cpu_ms_per_request", ".1f"),
    ]
    header = " ".join(f"{t:<{w}}" if k == "target" else f"{t:>{w}}" for t, w, k, _ in columns)
    header += f" {'scoped/bare':>11} {'(cpu)':>6}"
    print()
    print(header)
    print("-" * len(header))
    for row in report["results"]:
        line = " ".join(
            f"{row[k]:<{w}{f}}" if k == "target" else f"{row[k]:>{w}{f}}" for _, w, k, f in columns
        )
        if "scoped_over_bare" in row:
            line += f" {row['scoped_over_bare']:>10.2f}× {row['scoped_over_bare_cpu']:>5.2f}×"
        print(line)
    print()
    by_name = {row["target"]: row for row in report["results"]}
    page, api = by_name["scoped list page"], by_name["scoped API list"]
    print(
        f"scoped list page is {page['scoped_over_bare']:.2f}× the bare FAB page"
        f" (requests/s; by server CPU per request {page['scoped_over_bare_cpu']:.2f}×; > 1 means faster)"
    )
    print(
        f"scoped API list is {api['scoped_over_bare']:.2f}× the bare FAB API list"
        f" (by server CPU per request {api['scoped_over_bare_cpu']:.2f}×)"
    )
    print(f"requirement (≥ 1×, target 2×) {'met' if report['met'] else 'NOT met'}")
    print(f"results: {RESULTS.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="measured requests per target")
    parser.add_argument("--concurrency", type=int, default=10, help="client threads")
    parser.add_argument("--rounds", type=int, default=3, help="rounds alternating the targets")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per target")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per server")
    parser.add_argument("--extra", type=int, default=2000, help="enterprises added to the demo")
    parser.add_argument("--home", type=int, default=220, help="of which in 360102")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--serve", choices=["scoped", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workdir, args.threads)
        return
    report = run(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print_table(report)


if __name__ == "__main__":
    main()
