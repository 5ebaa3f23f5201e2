"""What a column can hold, checked at flush on every engine alike: the last line behind the fields.

SQLite stores a 400-character string in a VARCHAR(300), NUL in a text and an integer past 2**63
(as a float, or it overflows); PostgreSQL refuses all three with a DataError, which reached the
user as a 500 wherever an entry point forgot a rule. Here every new or changed column value of a
flush is checked against its column (length, 64-bit integer, finite number within the NUMERIC's
digits, no NUL or lone surrogate in text or JSON), and a violation is the caller's `Refused`
(422 through the web layer), identical on both engines. The entry points' own field rules
(domain/fields.py) still say it first and better, at the field the person typed.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, Numeric, String, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from enforcement.domain.errors import FieldError, Refused
from enforcement.domain.values import INT64_MAX, INT64_MIN, text_problem, value_problems

INT32 = (-(2**31), 2**31 - 1)


def column_problem(column: Any, value: Any) -> str | None:
    """Why `value` does not fit `column` (None when it does)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            return problem
        length = getattr(kind, "length", None)
        if isinstance(kind, String) and length is not None and len(value) > length:
            return f"不能超过{length}个字符（当前{len(value)}个）"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and isinstance(kind, Integer | Numeric):
        # INTEGER is 32-bit on PostgreSQL (64-bit on SQLite): the same bound on both engines.
        low, high = (INT64_MIN, INT64_MAX) if isinstance(kind, BigInteger | Numeric) else INT32
        return None if low <= value <= high else "数值超出允许范围"
    if isinstance(value, float) and isinstance(kind, Float | Numeric):
        return None if math.isfinite(value) else "应为有限的数字"
    if isinstance(value, Decimal) and isinstance(kind, Numeric):
        if not value.is_finite():
            return "应为有限的数字"
        precision, scale = kind.precision, kind.scale or 0
        if precision is not None and abs(value) >= Decimal(10) ** (precision - scale):
            return "数值超出允许范围"
        return None
    if isinstance(kind, JSON):
        return next((f"{path}：{message}" for path, message in value_problems(value)), None)
    return None


def _changed(state: Any, key: str, new: bool) -> bool:
    return new or state.attrs[key].history.has_changes()


def _check(session: Session, _context: Any, _instances: Any) -> None:
    errors: list[FieldError] = []
    for obj, new in [*((o, True) for o in session.new), *((o, False) for o in session.dirty)]:
        state = sa_inspect(obj)
        for attribute in state.mapper.column_attrs:
            key = attribute.key
            if key not in state.dict or not _changed(state, key, new):
                continue
            problem = column_problem(attribute.columns[0], state.dict[key])
            if problem:
                errors.append(FieldError(f"/{key}", f"{key} {problem}"))
    if errors:
        raise Refused(errors)


def install_bounds(session_factory: object) -> None:
    """Check every flush of a Session class or sessionmaker (idempotent)."""
    if not event.contains(session_factory, "before_flush", _check):
        event.listen(session_factory, "before_flush", _check)
