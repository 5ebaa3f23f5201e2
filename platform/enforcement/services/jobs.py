"""Scheduled work: what falls due with the calendar, never on a page view (a GET writes nothing).

`run_jobs` is what `enforcement jobs run` calls (for cron or a systemd timer); `start_scheduler`
runs the same every JOBS_INTERVAL_MINUTES in a daemon thread of `enforcement run` when that
setting is above 0. Each job runs as the platform (national scope), in its own unit of work, and
is idempotent: two runs at once create each re-inspection task once (rectification locks the rows).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from enforcement.db.acting import Actor, acting_as
from enforcement.domain.jurisdiction import NATIONAL
from enforcement.services import rectification

log = logging.getLogger(__name__)

JOB_ACTOR = "system"  # created_by of what a job creates: no person did it


@dataclass(frozen=True)
class JobResult:
    name: str
    label: str
    count: int


def _rechecks(session: Session, today: dt.date) -> int:
    return len(rectification.generate_due_rechecks(session, today=today))


# name → (Chinese label, job); a new scheduled job is one more entry.
JOBS: dict[str, tuple[str, Callable[[Session, dt.date], int]]] = {
    "rechecks": ("到期复查任务", _rechecks),
}


def run_jobs(
    session: Session, *, today: dt.date | None = None, only: list[str] | None = None
) -> list[JobResult]:
    """Run every job (or those named in `only`) once, each as the platform; the results in order."""
    today = today or dt.date.today()
    results = []
    with acting_as(Actor(JOB_ACTOR, NATIONAL)):
        for name, (label, job) in JOBS.items():
            if only and name not in only:
                continue
            results.append(JobResult(name, label, job(session, today)))
    return results


def start_scheduler(app: Any) -> threading.Thread | None:
    """Run the jobs every JOBS_INTERVAL_MINUTES in a daemon thread (None when the setting is 0)."""
    minutes = float(app.config.get("JOBS_INTERVAL_MINUTES") or 0)
    if minutes <= 0:
        return None
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                with app.app_context():
                    session = app.appbuilder.session
                    try:
                        for result in run_jobs(session):
                            log.info("job %s: %s", result.name, result.count)
                    finally:
                        session.remove()
            except Exception:  # a failing run is logged; the next one tries again
                log.exception("scheduled jobs failed")
            if stop.wait(minutes * 60):
                return

    thread = threading.Thread(target=loop, name="enforcement-jobs", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread
