"""Many rows at once: inserting rows that need no ORM flush (the docking push, its audit rows), and
reading by many keys in batches (`batches`: a bounded number of bound parameters per statement).

On PostgreSQL the rows go through one COPY (the fastest way in: one round trip, no per-row
statement); elsewhere one executemany INSERT. The rows are dicts with the same keys; JSON columns
hold Python values (serialized here for COPY). Inside the caller's transaction (its connection).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy import exc as exc_module

T = TypeVar("T")
# Keys per statement: far below SQLite's bound-parameter limit, few statements all the same.
BATCH = 400


def batches(values: Sequence[T], size: int = BATCH) -> Iterator[list[T]]:
    """`values` in consecutive lists of at most `size`."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Told of every bulk insert, in its transaction (a COPY passes no ORM or Core event): what keeps
# a table derived from the inserted one current (services/statistics/maintain.py).
Listener = Callable[[Connection, Table, list[dict[str, Any]]], None]
_LISTENERS: list[Listener] = []


def on_inserted(listener: Listener) -> None:
    """Call `listener(connection, table, rows)` after each `insert_rows` (idempotent)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    _insert_rows(connection, table, rows)
    for listener in _LISTENERS:
        listener(connection, table, rows)


def _insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    as_json = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names = ", ".join(_quoted(c) for c in columns)
    statement = f"COPY {_quoted(table.name)} ({names}) FROM STDIN"
    dbapi = connection.dialect.dbapi
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c], ensure_ascii=False)
                        if c in as_json and row[c] is not None
                        else row[c]
                        for c in columns
                    ]
                )
    except dbapi.IntegrityError as exc:  # type: ignore[union-attr]
        # As SQLAlchemy raises for a statement it ran: the callers' SAVEPOINT handling is one.
        raise exc_module.IntegrityError(statement, None, exc) from exc
    except dbapi.DataError as exc:  # type: ignore[union-attr]
        raise exc_module.DataError(statement, None, exc) from exc
    finally:
        cursor.close()
