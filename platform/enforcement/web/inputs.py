"""Typed values from a form or a JSON body, through the field rules of domain/fields.py.

The guard (web/guard.py) has already refused what no column can hold (NUL, lone surrogates, 64-bit
overflow, deep JSON); here each endpoint reads its own fields: an id is a positive 64-bit integer
written in ASCII digits, a number is finite and within the field's bounds, a date exists and lies in
the field's window, a text fits its column. A failed rule is a `FieldError` at the field's path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import request

from enforcement.domain.errors import FieldError
from enforcement.domain.fields import Field
from enforcement.web.guard import parse_int64

# How far ahead a deadline or a due date may be set: beyond it is a typing mistake (9999-12-31).
FUTURE_YEARS = 10


def to_id(raw: Any) -> int | None:
    """A record id (1 … 2**63-1, ASCII digits or a JSON integer); anything else is None."""
    return parse_int64(raw, minimum=1)


def ids(raws: Iterable[Any]) -> list[int]:
    """The valid ids among `raws`, in order, without repeats (an invalid one names no record)."""
    seen: dict[int, None] = {}
    for raw in raws:
        value = to_id(raw)
        if value is not None:
            seen[value] = None
    return list(seen)


def form_id(name: str) -> int | None:
    return to_id(request.form.get(name, ""))


def form_ids(name: str) -> list[int]:
    return ids(request.form.getlist(name))


def json_body() -> dict[str, Any]:
    """The request's JSON object ({} when there is none: each field then says it is missing)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def clean_date(
    field: Field, raw: Any, *, not_before: dt.date | None = None, today: dt.date | None = None
) -> dt.date | None:
    """A date by the field's rule, not before `not_before` and at most FUTURE_YEARS ahead."""
    day: dt.date | None = field.clean(raw)
    if day is None:
        return None
    today = today or dt.date.today()
    if not_before is not None and day < not_before:
        same = not_before == today
        raise field.error(f"{field.label}不能早于{'今天' if same else not_before.isoformat()}")
    if day.year > today.year + FUTURE_YEARS:
        raise field.error(f"{field.label}不能晚于{today.year + FUTURE_YEARS}年")
    return day


def error_list(errors: Iterable[FieldError]) -> list[dict[str, str]]:
    return [error.as_json() for error in errors]
