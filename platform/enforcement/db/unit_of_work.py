"""One unit of work per use case: the outermost call commits, nested calls join, errors roll back once.

Services are decorated with `@transaction` (or open `unit_of_work(session)`); they never call
`session.commit()` themselves and views never commit. Work that must run only once the data is
saved (plugin hooks such as `case_transitioned`) is queued with `after_commit`: it runs after the
outermost commit, each callback isolated, so a failing bureau plugin is logged and reported but
never turns a saved change into an error.

On SQLite the outermost unit takes the write lock at its start (`BEGIN IMMEDIATE`, see
`db/engine.py`): a transaction that read first and writes later would otherwise fail at once with
"database is locked" when another writer committed in between, because SQLite's busy timeout does
not cover the upgrade from a read to a write lock.

A long job (an import of thousands of rows) iterates with `chunked`: as the outermost unit it
commits every few hundred rows, so the write lock is held for one chunk at a time and the requests
waiting for it (saves, logins, which write an audit row) go between two chunks.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

_DEPTH = "enforcement_uow_depth"
_AFTER_COMMIT = "enforcement_uow_after_commit"
_FAILURES = "enforcement_uow_failures"

# Read by the SQLite `begin` listener (db/engine.py): set while an outermost unit opens its transaction.
write_intent: ContextVar[bool] = ContextVar("enforcement_write_intent", default=False)


@dataclass(frozen=True)
class CallbackFailure:
    """A post-commit callback that raised: what it was and the error text (for the user's notice)."""

    label: str
    error: str


def _actual(session: Session | scoped_session[Session]) -> Session:
    """The thread's Session behind a scoped_session (FAB's `appbuilder.session`), which does not proxy
    `in_transaction()`: the unit's state lives on the one Session either way."""
    return session() if isinstance(session, scoped_session) else session


def in_unit_of_work(session: Session) -> bool:
    return _actual(session).info.get(_DEPTH, 0) > 0


def _start_writing(session: Session) -> None:
    """SQLite: end a read-only transaction the request opened, so the unit's first statement is a
    BEGIN IMMEDIATE that waits for the write lock instead of failing on the upgrade."""
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return  # changes made outside any unit: they join this one, as before
    # Only the transaction ends: what the caller loaded stays loaded (not expired), so the audit
    # still sees each change's old value and a stale `version` still fails the optimistic lock.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    session = _actual(session)
    depth = session.info.get(_DEPTH, 0)
    outermost = depth == 0
    if outermost:
        session.info[_AFTER_COMMIT] = []
        _start_writing(session)
    session.info[_DEPTH] = depth + 1
    token = write_intent.set(True) if outermost else None
    try:
        yield session
        if outermost:
            session.commit()
    except BaseException:
        if outermost:
            session.rollback()
            session.info.pop(_AFTER_COMMIT, None)
        raise
    finally:
        session.info[_DEPTH] = depth
        if token is not None:
            write_intent.reset(token)
    if outermost:
        _run_after_commit(session)


def transaction(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a service function as a unit of work on the session passed as its first argument (or
    `session=`): the outermost decorated call commits, nested ones join it."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = kwargs.get("session", args[0] if args else None)
        if not isinstance(session, Session) and not hasattr(session, "commit"):
            raise TypeError(f"{fn.__qualname__}: the first argument must be the session")
        with unit_of_work(session):  # type: ignore[arg-type]
            return fn(*args, **kwargs)

    return wrapper


def after_commit(session: Session, label: str, callback: Callable[[], Any]) -> None:
    """Run `callback` once the outermost unit has committed (at once when no unit is open)."""
    session = _actual(session)
    queue = session.info.get(_AFTER_COMMIT)
    if in_unit_of_work(session) and queue is not None:
        queue.append((label, callback))
        return
    _run_isolated(session, label, callback)


def _run_after_commit(session: Session) -> None:
    for label, callback in session.info.pop(_AFTER_COMMIT, []):
        _run_isolated(session, label, callback)


def _run_isolated(session: Session, label: str, callback: Callable[[], Any]) -> None:
    try:
        callback()
    except Exception as exc:  # a bureau's plugin must never undo or hide a saved change
        log.exception("post-commit callback %s failed", label)
        if session.in_transaction():
            session.rollback()  # whatever the callback left half-done is not saved
        session.info.setdefault(_FAILURES, []).append(
            CallbackFailure(label, str(exc) or type(exc).__name__)
        )


def take_failures(session: Session) -> list[CallbackFailure]:
    """The post-commit failures since the last call: the web layer shows them as a warning."""
    return _actual(session).info.pop(_FAILURES, [])


# -- long jobs in chunks ----------------------------------------------------------------------------

# A chunk ends after this many items or seconds: a writer waits for half a second of import at most.
CHUNK_ROWS = 500
CHUNK_SECONDS = 0.5
# The pause between two chunks on SQLite. The writers of this process queue for the lock and get it
# in turn (db/engine.py); a writer of another process (`enforcement import` beside the server) only
# polls, up to 100 ms apart: the pause gives it its chance too.
CHUNK_PAUSE_SECONDS = 0.05


def chunked(
    session: Session | scoped_session[Session],
    items: Iterable[T],
    size: int | None = None,
    *,
    seconds: float | None = None,
) -> Iterator[T]:
    """Iterate over `items` inside an open unit of work, committing after every `size` items (or
    `seconds`, whichever comes first; CHUNK_ROWS and CHUNK_SECONDS by default) when that unit is
    the outermost one.

    The write lock is then held for one chunk at a time: between two chunks the unit commits what
    it did so far (objects stay loaded, nothing is expired), and the writers that were waiting go
    before the next chunk (on SQLite they queue for the lock, db/engine.py). Nested in a caller's
    unit, nothing is committed early: the caller's unit stays all or nothing. The unit's
    `after_commit` callbacks still run once, at its end. A failure rolls back the current chunk
    only, so the job must be safe to run again (an import is: it matches rows on natural keys).
    """
    session = _actual(session)
    if not in_unit_of_work(session):
        raise RuntimeError("chunked() runs inside unit_of_work(session)")
    outermost = session.info.get(_DEPTH) == 1
    size = size or CHUNK_ROWS
    seconds = seconds or CHUNK_SECONDS
    count, started = 0, 0.0
    for item in items:
        yield item
        count += 1
        if not outermost:
            continue
        if count == 1:  # the chunk's first item has waited for the lock: its clock starts now
            started = time.monotonic()
        if count >= size or time.monotonic() - started >= seconds:
            _commit_chunk(session)
            count = 0


def _commit_chunk(session: Session) -> None:
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    if session.get_bind().dialect.name == "sqlite":
        time.sleep(CHUNK_PAUSE_SECONDS)
