"""Engine settings that every entry point shares (web app, CLI, tests, benchmarks)."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from enforcement.db.unit_of_work import write_intent

BUSY_TIMEOUT_MS = 5000
# How long a writer queues in this process before it asks SQLite anyway, whose busy timeout then
# applies: a write waits 20 s at most, then fails ("database is locked"). Waits that long mean an
# overloaded server; under the load of bench/load.py the longest is a few seconds.
TURNSTILE_SECONDS = 15.0
_HELD = "enforcement_turnstile"  # connection.info: the turnstile the open transaction holds


class WriteTurnstile:
    """The writers of this process take SQLite's write lock one after another, first come first
    served.

    SQLite keeps no queue: a writer that finds the lock taken sleeps and tries again (1, 2, 5 … and
    then 100 ms apart), so a newcomer, or a long import starting its next chunk, can take the lock
    again and again while an older writer sleeps, until that one fails after the busy timeout.
    Queued here first, each writer waits its turn; SQLite's own waiting remains for other processes.
    A thread that holds the turnstile may open another writing connection (as before, SQLite then
    decides).
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._queue: deque[object] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._queue.append(ticket)
            if not self._condition.wait_for(
                lambda: self._owner is None and self._queue[0] is ticket, timeout
            ):
                self._queue.remove(ticket)
                self._condition.notify_all()  # the next in line may be free now
                return False
            self._queue.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._condition:
            self._depth -= 1
            if self._depth <= 0:
                self._owner, self._depth = None, 0
                self._condition.notify_all()


_turnstiles: weakref.WeakKeyDictionary[Engine, WriteTurnstile] = weakref.WeakKeyDictionary()


def _is_sqlite(dbapi_connection: Any) -> bool:
    return "sqlite" in type(dbapi_connection).__module__


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while the single writer commits; foreign keys are off by default.

    pysqlite also defers BEGIN on its own, which breaks SAVEPOINTs (the importer saves each row in
    one): we turn that off and emit BEGIN ourselves, SQLAlchemy's documented recipe.
    """
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A unit of work that will write takes the write lock at once, in its turn (see WriteTurnstile).
    if not write_intent.get():
        connection.exec_driver_sql("BEGIN")
        return
    turnstile = _turnstiles[connection.engine]
    held = turnstile.acquire(TURNSTILE_SECONDS)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if held:
            turnstile.release()
        raise
    if held:
        connection.info[_HELD] = turnstile


def _end_transaction(connection: Any) -> None:
    """Commit or rollback: the next writer's turn (it may wait a moment more for SQLite's lock)."""
    turnstile = connection.info.pop(_HELD, None)
    if turnstile is not None:
        turnstile.release()


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    # A connection given back with its transaction open (the pool rolls it back) ends it too.
    turnstile = record.info.pop(_HELD, None) if record is not None else None
    if turnstile is not None:
        turnstile.release()


def _reset(dbapi_connection: Any, record: Any, _reset_state: Any) -> None:
    _checked_in(dbapi_connection, record)


def configure_engine(engine: Engine) -> None:
    """Idempotent: SQLite pragmas, explicit BEGIN and the writers' turnstile; nothing for PostgreSQL."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin):
        return
    _turnstiles[engine] = WriteTurnstile()
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "commit", _end_transaction)
    event.listen(engine, "rollback", _end_transaction)
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "reset", _reset)
