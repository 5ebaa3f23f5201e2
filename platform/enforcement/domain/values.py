"""The smallest value rules every layer shares: a 64-bit integer, a finite number.

A database column holds integers within 64 bits (SQLite overflows past 2**63, PostgreSQL's bigint
too) and no NaN or infinity that a person meant; whatever is outside is not a value for it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
_DIGITS = re.compile(r"-?[0-9]{1,19}")
JSON_MAX_DEPTH = 64
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}()]")


def as_int64(raw: Any, *, minimum: int = INT64_MIN) -> int | None:
    """An integer (a JSON integer, or ASCII digits) within [minimum, 2**63-1]; otherwise None.

    Only 0-9 count: "²".isdigit() is true and int("²") fails.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _DIGITS.fullmatch(raw.strip()):
        value = int(raw)
    else:
        return None
    return value if minimum <= value <= INT64_MAX else None


def as_finite(raw: Any) -> float | None:
    """A finite real number (int or float, not bool); otherwise None."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        value = float(raw)
    except OverflowError:  # an int beyond float's range
        return None
    return value if math.isfinite(value) else None


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON (or rison) text, without parsing it."""
    depth = deepest = 0
    for char in _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if char in "[{(":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_bounded(text: str | bytes, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """json.loads that refuses (ValueError) what would crash or mislead: deep nesting (a
    RecursionError), NaN and Infinity literals. Also for uploaded plugin declarations."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if json_depth(text) > max_depth:
        raise ValueError(f"JSON nested deeper than {max_depth}")
    return json.loads(text, parse_constant=_refuse_constant)


def value_problems(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(JSON pointer, Chinese message) for each value no column can take as it is."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                yield where or "/", problem
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                yield where or "/", "数值超出允许范围"
        elif isinstance(item, float):
            if not math.isfinite(item):
                yield where or "/", "数值超出允许范围"
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = text_problem(key)
                if problem:
                    yield f"{where}/{_escape(key)}", f"字段名{problem}"
                    continue
                stack.append((f"{where}/{_escape(key)}", child))
        elif isinstance(item, list):
            stack.extend((f"{where}/{index}", child) for index, child in enumerate(item))


def text_problem(text: str) -> str | None:
    """NUL (PostgreSQL stores none) and lone surrogates (not text): refused in any string."""
    if "\x00" in text:
        return "不能包含空字符（NUL）"
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return "包含无效字符"
    return None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
