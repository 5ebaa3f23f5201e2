"""Validate submitted answers against a compiled answers schema: fast, and with every error.

The hot path is jsonschema-rs (compiled once per schema hash, kept in an LRU cache); the reference is
the `jsonschema` package, and a test checks that both agree on valid/invalid and on error pointers
for generated submissions (tests/plugins/test_validation.py). Both use the same `date` rule
(`is_date`) and the ECMA-262 meaning of `pattern`, which is what JSON Schema specifies and what
jsonschema-rs implements; the `jsonschema` package would otherwise use Python's `re` as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs

from enforcement.checklists.errors import pointer

MESSAGES = {
    "required": "此项必填",
    "type": "类型不正确",
    "enum": "请选择有效选项",
    "const": "取值不正确",
    "minItems": "数量不足",
    "maxItems": "数量过多",
    "uniqueItems": "选项重复",
    "minLength": "内容过短",
    "maxLength": "内容过长",
    "minimum": "数值过小",
    "maximum": "数值过大",
    "pattern": "格式不正确",
    "format": "日期格式应为 YYYY-MM-DD",
    "additionalProperties": "包含未定义的字段",
    "false": "包含未定义的字段",
}


def _error(path: list[Any], keyword: str, missing: str | None = None) -> dict[str, str]:
    if keyword == "required" and missing is not None:
        path = [*path, missing]
    return {"path": pointer(path) or "/", "message": MESSAGES.get(keyword, "不符合要求")}


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: str) -> bool:
    """YYYY-MM-DD naming a real day that Python can hold (years 0001-9999, so 0000-01-01 is refused)."""
    if not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# ECMA-262 \s: Unicode Zs spaces, line terminators, tab, vertical tab, form feed and BOM.
_ECMA_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """Python `re` with the ECMA-262 meaning of a JSON Schema `pattern` (no flags).

    `$` matches only at the very end (Python's also matches before a final newline), `.` matches
    no line terminator, `\\d` `\\w` are ASCII and `\\s` is Unicode white space. Known difference left:
    jsonschema-rs treats `\\b` as Unicode-aware (`a\\b` does not match "aé"), ECMA and this do not.
    """
    out = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped == "s":
                out.append(_ECMA_SPACE if in_class else f"[{_ECMA_SPACE}]")
            elif escaped == "S" and not in_class:
                out.append(f"[^{_ECMA_SPACE}]")
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        elif char == ".":
            char = r"[^\n\r\u2028\u2029]"
        out.append(char)
        index += 1
    return re.compile("".join(out), re.ASCII)


def _sorted(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(
        {(e["path"], e["message"]): e for e in errors}.values(),
        key=lambda e: (e["path"], e["message"]),
    )


class FastValidator:
    """jsonschema-rs validator of one compiled answers schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = jsonschema_rs.validator_for(
            schema, validate_formats=True, formats={"date": is_date}
        )

    def is_valid(self, answers: Any) -> bool:
        return self._validator.is_valid(answers)

    def errors(self, answers: Any) -> list[dict[str, str]]:
        if self._validator.is_valid(answers):
            return []
        found = []
        for error in self._validator.iter_errors(answers):
            keyword = str(error.schema_path[-1]) if error.schema_path else ""
            if keyword == "additionalProperties" or type(error.kind).__name__ == "FalseSchema":
                keyword = "additionalProperties"
            missing = getattr(error.kind, "property", None) if keyword == "required" else None
            found.append(_error(list(error.instance_path), keyword, missing))
        return _sorted(found)


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


ReferenceValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"pattern": _ecma_pattern}
)
_REFERENCE_FORMATS = jsonschema.FormatChecker(formats=())
_REFERENCE_FORMATS.checks("date")(lambda value: not isinstance(value, str) or is_date(value))


def _missing_property(error: jsonschema.ValidationError) -> str | None:
    """The property a `required` error is about (its message is "'name' is a required property")."""
    for name in error.validator_value:
        if error.message == f"{name!r} is a required property":
            return name
    return None


def reference_errors(schema: dict[str, Any], answers: Any) -> list[dict[str, str]]:
    """The same errors computed by the `jsonschema` package (slow, the reference)."""
    validator = ReferenceValidator(schema, format_checker=_REFERENCE_FORMATS)
    found = []
    for error in validator.iter_errors(answers):
        missing = _missing_property(error) if error.validator == "required" else None
        found.append(_error(list(error.absolute_path), str(error.validator), missing))
    return _sorted(found)


_CACHE: OrderedDict[str, FastValidator] = OrderedDict()
CACHE_SIZE = 256


def validator_for(schema_hash: str, schema: dict[str, Any]) -> FastValidator:
    """One compiled validator per schema hash, reused across requests (least recently used evicted)."""
    validator = _CACHE.get(schema_hash)
    if validator is None:
        validator = _CACHE[schema_hash] = FastValidator(schema)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(schema_hash)
    return validator
