"""Concurrent writers wait for each other instead of failing (issue 9), on SQLite and PostgreSQL.

Each test runs its requests in threads, one Flask test client each, against the shared `app`:
finalizations of documents, saves on different records, an import while others save and log in,
task lists that create due re-inspection tasks. Everything written here lives in a county of its
own (a department created for these tests, its enforcers, logins and enterprises), so no other
test sees it. Then the pieces: imports in chunks (unit_of_work.chunked) and the queue of SQLite
writers (db/engine.py). bench/load.py is the long version.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from enforcement.db.acting import Actor, acting_as
from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import unit_of_work
from enforcement.domain.jurisdiction import NATIONAL
from enforcement.domain.uscc import make_uscc
from enforcement.models import (
    AppUser,
    Department,
    Document,
    Enforcer,
    Enterprise,
    Inspection,
    RectificationOrder,
    Region,
)
from enforcement.services import checklists, inspections, plans, rectification
from enforcement.services import documents as documents_service
from support.demo import DEMO_PASSWORD
from support.web import login

UNSCOPED_OPTIONS = {UNSCOPED: True}
FORM = "onsite_measures_decision"  # 现场处理措施决定书, numbered per department (现决)
INSPECTOR = "conc_inspector"
LEADER = "conc_leader"
ENTERPRISES = 36  # 35 to save concurrently, one more as the documents' subject
INSPECTIONS = 15
IMPORT_ROWS = 800
IMPORT_CHUNK_ROWS = 100  # several chunks, also on a fast machine
_serial = itertools.count(1)


@dataclass
class County:
    code: str
    department_id: int
    enterprise_ids: list[int]
    inspection_ids: list[int]  # running, saved by the tests
    spare_inspection_id: int  # finished by the re-inspection test


def _user(session: Any, username: str, role: str, department: Department) -> None:
    user = AppUser(
        username=username,
        first_name=username,
        last_name="并发",
        email=f"{username}@concurrency.example.invalid",
        active=True,
        password=generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1000"),
        department=department,
    )
    user.roles = [session.scalar(select(Role).where(Role.name == role))]
    session.add(user)


@pytest.fixture(scope="module")
def county(app: Any) -> County:
    """A county outside the demo's pilot cities, with a department, two enforcers, an inspector and
    a leader login, enterprises, and running inspections (approved schemes) to save."""
    with app.app_context():
        session = app.appbuilder.session
        code = session.scalar(
            select(Region.code)
            .where(Region.level == "county", Region.code.like("3604%"))
            .order_by(Region.code)
        )
        with unit_of_work(session):
            department = Department(name="并发测试县应急管理局", region_code=code, level="county")
            session.add(department)
            session.flush()
            enforcers = [
                Enforcer(name=f"并发执法{n}", certificate_no=f"{code}9{n}", department=department)
                for n in (1, 2)
            ]
            session.add_all(enforcers)
            _user(session, INSPECTOR, "inspector", department)
            _user(session, LEADER, "leader", department)
            enterprises = [
                Enterprise(
                    name=f"并发测试{n:02d}机械有限公司",
                    uscc=make_uscc("9", "1", code, f"CC{n:06d}"),
                    region_code=code,
                    sector="machinery",
                    address="并发路1号",
                    status="operating",
                    employees=10,
                    tags=["dust"],
                )
                for n in range(ENTERPRISES)
            ]
            session.add_all(enterprises)
        platform = checklists.platform_of(app)
        started = []
        for enterprise in enterprises[: INSPECTIONS + 1]:
            with acting_as(Actor(INSPECTOR, NATIONAL)):
                task = plans.create_task(
                    session,
                    enterprise=enterprise,
                    enforcers=enforcers,
                    due_on=dt.date.today() + dt.timedelta(days=30),
                )
                scheme = inspections.compile_scheme(session, platform, task)
            with acting_as(Actor(LEADER, NATIONAL)):
                inspections.approve_scheme(session, scheme)
            with acting_as(Actor(INSPECTOR, NATIONAL)):
                started.append(inspections.start_inspection(session, task).id)
        return County(code, department.id, [e.id for e in enterprises], started[:-1], started[-1])


def clients(app: Any, username: str, count: int) -> list[Any]:
    """`count` test clients sharing one login (one password hash, not `count`)."""
    first = app.test_client()
    assert login(first, username).status_code == 302
    cookie = first.get_cookie("session").value
    others = []
    for _ in range(count - 1):
        client = app.test_client()
        client.set_cookie("session", cookie)
        others.append(client)
    return [first, *others]


@dataclass
class Answer:
    what: str
    status: int
    started: float
    ended: float


def run_together(jobs: list[Callable[[], Answer]], timeout: float = 60) -> list[Answer]:
    """Start every job at the same moment in its own thread; their answers (an exception is a 599)."""
    barrier = threading.Barrier(len(jobs))
    answers: list[Answer] = []

    def run(job: Callable[[], Answer]) -> None:
        barrier.wait()
        try:
            answers.append(job())
        except Exception as exc:  # the test says which request raised
            now = time.monotonic()
            answers.append(Answer(f"raised {exc!r}", 599, now, now))

    threads = [threading.Thread(target=run, args=(job,), daemon=True) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a request never answered"
    return answers


def timed(what: str, request: Callable[[], Any]) -> Answer:
    started = time.monotonic()
    response = request()
    return Answer(what, response.status_code, started, time.monotonic())


def server_errors(answers: list[Answer]) -> list[Answer]:
    return [a for a in answers if a.status >= 500]


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def version_of(app: Any, inspection_id: int) -> int:
    with app.app_context():
        session = app.appbuilder.session
        return session.get(Inspection, inspection_id, execution_options=UNSCOPED_OPTIONS).version


# ------------------------------------------------------------------------------------------------


def test_twenty_documents_finalized_at_once_through_the_pages_get_distinct_gapless_numbers(
    app, county
):
    subject = county.enterprise_ids[-1]
    with app.app_context(), acting_as(Actor(INSPECTOR, NATIONAL)):
        session = app.appbuilder.session
        enterprise = session.get(Enterprise, subject)
        drafts = []
        for _ in range(20):
            document = documents_service.draft(session, FORM, enterprise, INSPECTOR)
            blanks = documents_service.blank_required(document)
            documents_service.update_free_text(session, document, dict.fromkeys(blanks, "已填写"))
            drafts.append(document.id)

    def finalize(client: Any, document_id: int) -> Callable[[], Answer]:
        return lambda: timed(
            f"finalize {document_id}", lambda: client.post(f"/documents/{document_id}/finalize")
        )

    answers = run_together(
        [finalize(c, d) for c, d in zip(clients(app, INSPECTOR, 20), drafts, strict=True)]
    )

    assert server_errors(answers) == []
    assert {a.status for a in answers} == {302}
    with app.app_context():
        session = app.appbuilder.session
        session.rollback()  # a fresh snapshot
        ours = session.scalars(
            select(Document).where(Document.id.in_(drafts)).execution_options(**UNSCOPED_OPTIONS)
        ).all()
        assert all(d.status == "final" for d in ours)
        assert len({d.number for d in ours}) == 20
        serials = sorted(
            session.scalars(
                select(Document.serial)
                .where(
                    Document.department_id == county.department_id,
                    Document.number_code == "现决",
                    Document.serial.is_not(None),
                )
                .execution_options(**UNSCOPED_OPTIONS)
            )
        )
        assert serials == list(range(1, len(serials) + 1))  # no gap, no duplicate


def test_fifty_saves_at_once_on_fifty_records_all_answer_and_all_are_stored(app, county, caplog):
    enterprise_ids = county.enterprise_ids[: 50 - INSPECTIONS]
    by_page, by_api = enterprise_ids[:20], enterprise_ids[20:]
    stamp = next(_serial)
    versions = {i: version_of(app, i) for i in county.inspection_ids}
    with app.app_context():
        session = app.appbuilder.session
        forms = {}
        for enterprise in session.scalars(
            select(Enterprise)
            .where(Enterprise.id.in_(by_page))
            .execution_options(**UNSCOPED_OPTIONS)
        ):
            forms[enterprise.id] = {
                "name": enterprise.name,
                "uscc": enterprise.uscc,
                "region": enterprise.region_code,
                "address": enterprise.address,
                "sector": enterprise.sector,
                "status": enterprise.status,
                "scale": "",
                "tags": ["dust"],
                "employees": str(1000 + stamp),
            }

    def edit_page(client: Any, enterprise_id: int) -> Callable[[], Answer]:
        url = f"/enterprise/edit/{enterprise_id}"
        return lambda: timed(url, lambda: client.post(url, data=forms[enterprise_id]))

    def api_put(client: Any, enterprise_id: int) -> Callable[[], Answer]:
        url = f"/api/v1/enterprise/{enterprise_id}"
        return lambda: timed(url, lambda: client.put(url, json={"employees": 2000 + stamp}))

    def inspection(client: Any, inspection_id: int) -> Callable[[], Answer]:
        url = f"/workbench/inspection/{inspection_id}/meta"
        body = {"version": versions[inspection_id], "notes": f"并发保存 {stamp}"}
        return lambda: timed(url, lambda: client.post(url, json=body))

    team = iter(clients(app, INSPECTOR, 50))
    jobs = [edit_page(next(team), i) for i in by_page]
    jobs += [api_put(next(team), i) for i in by_api]
    jobs += [inspection(next(team), i) for i in county.inspection_ids]
    answers = run_together(jobs)

    assert server_errors(answers) == []
    assert sorted(a.status for a in answers) == [200] * 30 + [302] * 20, [
        (a.what, a.status) for a in answers if a.status not in (200, 302)
    ]
    with app.app_context():
        session = app.appbuilder.session
        session.rollback()
        stored = {
            row.id: row.employees
            for row in session.execute(
                select(Enterprise.id, Enterprise.employees).where(Enterprise.id.in_(enterprise_ids))
            )
        }
        assert {i: stored[i] for i in by_page} == dict.fromkeys(by_page, 1000 + stamp)
        assert {i: stored[i] for i in by_api} == dict.fromkeys(by_api, 2000 + stamp)
        notes = {
            row.id: row.notes
            for row in session.execute(
                select(Inspection.id, Inspection.notes)
                .where(Inspection.id.in_(county.inspection_ids))
                .execution_options(**UNSCOPED_OPTIONS)
            )
        }
        assert set(notes.values()) == {f"并发保存 {stamp}"}
    assert logged_errors(caplog) == []


def test_jobs_run_at_once_create_a_due_reinspection_task_once(app, county):
    """`enforcement jobs run` creates the re-inspection tasks that have fallen due (no page view
    does): eight runs started at the same moment (a timer and the in-process scheduler, say)
    create it once, not eight times."""
    from enforcement.demo.workbench import _answers
    from enforcement.models import AnswerSet, Task

    with app.app_context(), acting_as(Actor(INSPECTOR, NATIONAL)):
        session = app.appbuilder.session
        platform = checklists.platform_of(app)
        inspection = session.get(Inspection, county.spare_inspection_id)
        facts = checklists.enterprise_facts(inspection.enterprise)
        scheme = inspections.scheme_of(session, inspection.task)
        for plugin_id in scheme.plugin_ids:
            inspections.save_inspection(
                session,
                platform,
                inspection,
                version=inspection.version,
                plugin_id=plugin_id,
                answers=_answers(platform.registry.get(plugin_id), facts, fail=1),
            )
        inspections.save_inspection(
            session,
            platform,
            inspection,
            version=inspection.version,
            participants=[{"name": "张三", "position": "主要负责人"}],
        )
        with unit_of_work(session):  # as the demo does: whole drafts, marked submitted
            for answer_set_id in inspection.answer_set_ids.values():
                session.get(AnswerSet, answer_set_id).status = "submitted"
        hazards = inspections.finish_inspection(
            session, platform, inspection, version=inspection.version
        )
        assert hazards
        issued = dt.date.today() - dt.timedelta(days=60)
        deadlines = {h.id: issued + dt.timedelta(days=30) for h in hazards}  # long past
        for hazard in hazards:
            if not hazard.is_major:
                rectification.confirm_measure(session, hazard, "deadline", deadlines[hazard.id])
        order_id = rectification.issue_rectification_order(
            session, inspection, deadlines=deadlines, issued_on=issued
        ).id
        parent_id = inspection.task_id

    def job_run() -> object:
        from types import SimpleNamespace

        from enforcement.services.jobs import run_jobs

        with app.app_context():
            session = app.appbuilder.session
            try:
                run_jobs(session)
            finally:
                session.remove()
        return SimpleNamespace(status_code=200)

    answers = run_together([(lambda: timed("jobs run", job_run)) for _ in range(8)])

    assert {a.status for a in answers} == {200}
    with app.app_context():
        session = app.appbuilder.session
        session.rollback()
        rechecks = session.scalars(
            select(Task.id)
            .where(Task.parent_id == parent_id, Task.kind == "recheck")
            .execution_options(**UNSCOPED_OPTIONS)
        ).all()
        order = session.get(RectificationOrder, order_id, execution_options=UNSCOPED_OPTIONS)
        assert rechecks == [order.recheck_task_id]


def import_csv(code: str, rows: int, employees: int) -> bytes:
    lines = ["企业名称,统一社会信用代码,行政区划代码,行业类别,地址,从业人数"]
    for n in range(rows):
        uscc = make_uscc("9", "1", code, f"MP{n:06d}")
        lines.append(f"并发导入{n:05d}机械有限公司,{uscc},{code},机械,并发路{n}号,{employees}")
    return "\n".join(lines).encode()


def test_an_import_lets_saves_and_logins_through_while_it_runs(app, county, caplog, monkeypatch):
    """The import commits in chunks: others' saves and logins (an audit row each) go between two
    chunks instead of waiting for the whole file (or failing with "database is locked")."""
    from enforcement.db import unit_of_work as uow

    monkeypatch.setattr(uow, "CHUNK_ROWS", IMPORT_CHUNK_ROWS)
    stamp = next(_serial)
    data = import_csv(county.code, IMPORT_ROWS, employees=stamp)
    (importer,) = clients(app, LEADER, 1)
    savers = clients(app, INSPECTOR, 3)
    done = threading.Event()
    imported: list[Answer] = []
    others: list[Answer] = []

    def run_import() -> Answer:
        try:
            answer = timed(
                "import",
                lambda: importer.post(
                    "/import/",
                    data={"kind": "enterprises", "file": (io.BytesIO(data), "x.csv")},
                    content_type="multipart/form-data",
                ),
            )
            imported.append(answer)
            return answer
        finally:
            done.set()

    def keep_saving(client: Any, inspection_id: int) -> Callable[[], Answer]:
        def work() -> Answer:
            time.sleep(0.5)  # the import has begun
            url = f"/workbench/inspection/{inspection_id}/meta"
            while not done.is_set():
                body = {"version": version_of(app, inspection_id), "notes": "导入期间保存"}
                others.append(timed("save", lambda body=body: client.post(url, json=body)))
                time.sleep(0.1)
            return Answer("saver", 0, 0, 0)

        return work

    def keep_logging_in() -> Answer:
        time.sleep(0.5)
        while not done.is_set():
            others.append(timed("login", lambda: login(app.test_client(), INSPECTOR)))
            time.sleep(0.1)
        return Answer("login", 0, 0, 0)

    jobs = [run_import, keep_logging_in]
    jobs += [keep_saving(c, i) for c, i in zip(savers, county.inspection_ids, strict=False)]
    run_together(jobs, timeout=120)

    (answer,) = imported
    assert answer.status == 200
    with app.app_context():
        session = app.appbuilder.session
        session.rollback()
        count = session.scalar(
            select(func.count())
            .select_from(Enterprise)
            .where(Enterprise.name.like("并发导入%"), Enterprise.employees == stamp)
            .execution_options(**UNSCOPED_OPTIONS)
        )
    assert count == IMPORT_ROWS  # every row, committed chunk by chunk
    assert others, "nobody else wrote during the import"
    assert server_errors(others) == []
    assert {a.status for a in others if a.what == "login"} == {302}
    assert {a.status for a in others if a.what == "save"} == {200}
    # Some of them were through before the import ended: they did not wait for the whole file.
    assert any(a.ended < answer.ended - 0.5 for a in others if a.what == "save")
    assert any(a.ended < answer.ended - 0.5 for a in others if a.what == "login")
    slowest = max(a.ended - a.started for a in others)
    assert slowest < 5, f"a save or login waited {slowest:.1f} s for the import"
    # FAB logs and swallows a failed update of the login count: none may have failed.
    assert logged_errors(caplog) == []


# Imports in chunks --------------------------------------------------------------------------------


def chunk_test_csv(code: str, tag: str) -> bytes:
    """30 rows: row 6 has an unknown sector, row 18 a region outside the county, row 25 repeats
    the USCC of row 2; the other 27 are new enterprises."""
    lines = ["企业名称,统一社会信用代码,行政区划代码,行业类别,地址,从业人数"]
    for n in range(30):
        number = n + 2  # the spreadsheet row
        uscc = make_uscc("9", "1", code, f"{tag}{(2 if number == 25 else number):06d}")
        region = "360102" if number == 18 else code
        sector = "养殖" if number == 6 else "机械"
        lines.append(
            f"分块导入{tag}{number:03d}有限公司,{uscc},{region},{sector},分块路{number}号,{number}"
        )
    return "\n".join(lines).encode()


def test_a_chunked_import_reports_what_one_transaction_did_and_a_second_run_changes_nothing(
    app, county, monkeypatch
):
    from enforcement.db import unit_of_work as uow
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.services.importing import import_file

    commits: list[int] = []
    commit_chunk = uow._commit_chunk
    monkeypatch.setattr(uow, "CHUNK_ROWS", 7)
    monkeypatch.setattr(uow, "_commit_chunk", lambda s: (commits.append(1), commit_chunk(s)))
    data = chunk_test_csv(county.code, "CK")
    with app.app_context(), acting_as(Actor(LEADER, Jurisdiction(county.code))):
        session = app.appbuilder.session
        # Inside a caller's unit nothing is committed early: the caller's rollback undoes all.
        with pytest.raises(RuntimeError), unit_of_work(session):
            nested = import_file(session, "enterprises", data, "chunks.csv")
            raise RuntimeError("the caller changes its mind")
        assert commits == []
        first = import_file(session, "enterprises", data, "chunks.csv")
        chunks = len(commits)
        second = import_file(session, "enterprises", data, "chunks.csv")
        stored = session.scalar(
            select(func.count())
            .select_from(Enterprise)
            .where(Enterprise.name.like("分块导入CK%"))
            .execution_options(**UNSCOPED_OPTIONS)
        )

    assert chunks >= 4  # 30 rows, 7 a chunk: committed as it went
    assert (nested.created, nested.updated, nested.unchanged) == (27, 0, 0)
    assert (first.created, first.updated, first.unchanged) == (27, 0, 0)
    assert first.errors == nested.errors
    assert [e.row for e in first.errors] == [6, 18, 25]
    assert (second.created, second.updated, second.unchanged) == (0, 0, 27)
    assert second.errors == first.errors
    assert stored == 27


# The writers' turnstile (SQLite) -----------------------------------------------------------------


def test_the_turnstile_serves_writers_in_the_order_they_came_and_lets_one_give_up():
    from enforcement.db.engine import WriteTurnstile

    turnstile = WriteTurnstile()
    assert turnstile.acquire(1) and turnstile.acquire(1)  # the holder may take it again
    served: list[str] = []

    def writer(name: str, timeout: float) -> None:
        if turnstile.acquire(timeout):
            served.append(name)
            turnstile.release()
        else:
            served.append(f"{name} gave up")

    threads = []
    for name, timeout in (("first", 5), ("impatient", 0.2), ("second", 5), ("third", 5)):
        threads.append(threading.Thread(target=writer, args=(name, timeout)))
        threads[-1].start()
        time.sleep(0.05)  # they queue in this order
    time.sleep(0.3)
    turnstile.release()
    turnstile.release()
    for thread in threads:
        thread.join(5)
    assert served == ["impatient gave up", "first", "second", "third"]


def test_a_writer_waits_its_turn_between_a_long_jobs_transactions(tmp_path, monkeypatch):
    """SQLite's busy handler polls: a job that begins its next transaction at once would take the
    lock again before a waiting writer wakes up. Queued in the turnstile, the writer goes next."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from enforcement.db import engine as engine_module

    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 100)  # SQLite alone would give up
    engine = create_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    engine_module.configure_engine(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (who TEXT, at REAL)"))
    order: list[str] = []

    def job() -> None:
        with Session(engine) as session:
            for _ in range(6):
                with unit_of_work(session):
                    session.execute(text("INSERT INTO t VALUES ('job', 0)"))
                    time.sleep(0.2)  # a chunk: longer than SQLite's busy timeout here
                order.append("job")

    def writer() -> None:
        time.sleep(0.1)  # the job holds the lock
        with Session(engine) as session, unit_of_work(session):
            session.execute(text("INSERT INTO t VALUES ('writer', 0)"))
        order.append("writer")

    threads = [threading.Thread(target=job), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    engine.dispose()
    assert order.index("writer") <= 2  # right after the job's first (or second) transaction
    assert len(order) == 7
