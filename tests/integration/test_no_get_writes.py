"""No GET writes (issue 11, point 7): opening any page or API answer changes nothing; what falls due
with the calendar (re-inspection tasks) is created by `enforcement jobs run`, never by a page view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from enforcement.cli import main as cli
from enforcement.db.acting import Actor, acting_as
from enforcement.domain.jurisdiction import NATIONAL
from enforcement.models import Hazard, Inspection, InspectionScheme, Plan, RectificationOrder, Task
from enforcement.services.jobs import run_jobs
from support.web import logged_in

# Pages whose GET is not a page view of data: signing out ends the session (FAB's logout is a GET).
SKIPPED = re.compile(r"^/(logout|static|appbuilder|swagger|api/v1/_openapi|login|lang)")
SHOWN = {
    "/plan/show/": Plan,
    "/task/show/": Task,
    "/scheme/show/": InspectionScheme,
    "/inspection/show/": Inspection,
    "/hazard/show/": Hazard,
    "/rectification/show/": RectificationOrder,
}


@contextmanager
def flushes_recorded() -> Iterator[list[str]]:
    """Every flush that carries a change, whichever session makes it."""
    seen: list[str] = []

    def record(session: Session, _context: Any, _instances: Any) -> None:
        changed = [*session.new, *session.dirty, *session.deleted]
        changed = [
            o for o in changed if session.is_modified(o) or o in session.new or o in session.deleted
        ]
        if changed:
            seen.append(", ".join(sorted({type(o).__name__ for o in changed})))

    event.listen(Session, "before_flush", record)
    try:
        yield seen
    finally:
        event.remove(Session, "before_flush", record)


def _get_paths(app: Any) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments or SKIPPED.match(rule.rule):
            continue
        paths.append(rule.rule)
    with app.app_context(), acting_as(Actor("admin", NATIONAL)):
        session = app.appbuilder.session
        for prefix, model in SHOWN.items():
            pk = session.scalar(select(model.id).order_by(model.id))
            if pk is not None:
                paths.append(f"{prefix}{pk}")
        session.remove()
    return sorted(set(paths))


@pytest.mark.parametrize("username", ["donghu", "nanchang"])
def test_no_get_of_a_page_or_api_writes(app: Any, username: str) -> None:
    paths = _get_paths(app)
    assert "/task/list/" in paths and "/reminders/" in paths  # the surface is really walked
    client = logged_in(app, username)
    with flushes_recorded() as writes:
        for path in paths:
            before = len(writes)
            response = client.get(path)
            assert response.status_code < 500, path
            assert len(writes) == before, f"GET {path} wrote: {writes[before:]}"


def test_the_recorder_sees_a_write(app: Any) -> None:
    """Positive control: a flush with a change is recorded (and rolled back)."""
    with app.app_context(), acting_as(Actor("admin", NATIONAL)), flushes_recorded() as writes:
        session = app.appbuilder.session
        plan = session.scalar(select(Plan).order_by(Plan.id))
        plan.notes = "记录器的对照"
        session.flush()
        session.rollback()
        session.remove()
    assert writes == ["Plan"]


def _order_past_deadline(app: Any) -> int:
    """An order without a re-inspection task whose deadline has passed (its deadline moved back)."""
    with app.app_context(), acting_as(Actor("admin", NATIONAL)):
        session = app.appbuilder.session
        order = session.scalar(
            select(RectificationOrder)
            .where(RectificationOrder.recheck_task_id.is_(None))
            .where(RectificationOrder.hazards.any(Hazard.status.in_(["open", "rectifying"])))
            .order_by(RectificationOrder.id)
        )
        assert order is not None
        from enforcement.db.unit_of_work import unit_of_work

        with unit_of_work(session):
            order.deadline = dt.date.today() - dt.timedelta(days=3)
        order_id = order.id
        session.remove()
    return order_id


def _recheck_of(app: Any, order_id: int) -> int | None:
    with app.app_context(), acting_as(Actor("admin", NATIONAL)):
        session = app.appbuilder.session
        found = session.get(RectificationOrder, order_id).recheck_task_id
        session.remove()
        return found


def test_the_task_list_creates_no_recheck_and_the_job_creates_it_once(app: Any) -> None:
    order_id = _order_past_deadline(app)
    client = logged_in(app, "nanchang")
    assert client.get("/task/list/").status_code == 200
    assert client.get("/rectification/list/").status_code == 200
    assert _recheck_of(app, order_id) is None
    result = CliRunner().invoke(cli, ["jobs", "run"], obj=_script_info(app))
    assert result.exit_code == 0, result.output
    assert "到期复查任务" in result.output
    task_id = _recheck_of(app, order_id)
    assert task_id is not None
    with app.app_context():
        assert [r.count for r in run_jobs(app.appbuilder.session)] == [0]  # idempotent
        app.appbuilder.session.remove()
    assert _recheck_of(app, order_id) == task_id


def _script_info(app: Any) -> Any:
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_the_in_process_scheduler_runs_the_jobs_when_its_setting_is_on(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from enforcement.services import jobs

    assert jobs.start_scheduler(app) is None  # JOBS_INTERVAL_MINUTES = 0: cron's job
    ran = threading.Event()

    def job(session: Session, today: dt.date) -> int:
        ran.set()
        return 0

    monkeypatch.setitem(jobs.JOBS, "probe", ("探测", job))
    monkeypatch.setitem(app.config, "JOBS_INTERVAL_MINUTES", 60)
    thread = jobs.start_scheduler(app)
    assert thread is not None
    try:
        assert ran.wait(20)  # the first run is at start, the next an interval later
    finally:
        thread.stop.set()  # type: ignore[attr-defined]
        thread.join(timeout=10)
