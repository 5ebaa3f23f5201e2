"""Engine settings that every entry point shares (web app, CLI, tests, benchmarks)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from enforcement.db.unit_of_work import waiting_for_write_lock, write_intent


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
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A unit of work that will write takes the write lock at once (waiting up to busy_timeout),
    # counted as waiting meanwhile so that a chunked job lets it go first (unit_of_work.chunked).
    if not write_intent.get():
        connection.exec_driver_sql("BEGIN")
        return
    with waiting_for_write_lock():
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def configure_engine(engine: Engine) -> None:
    """Idempotent: SQLite pragmas and explicit BEGIN; nothing to do for PostgreSQL."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin):
        return
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
