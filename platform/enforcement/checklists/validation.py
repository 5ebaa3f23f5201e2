"""Validate submitted answers against a compiled answers schema: fast, and with every error.

The hot path is jsonschema-rs (compiled once per schema hash, kept in an LRU cache); the reference is
the `jsonschema` package, and a test checks that both agree on valid/invalid and on error pointers
for generated submissions. Both check the `date` format.
"""

from __future__ import annotations

from collections import OrderedDict
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


def _sorted(errors: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted({(e["path"], e["message"]): e for e in errors}.values(), key=lambda e: (e["path"], e["message"]))


class FastValidator:
    """jsonschema-rs validator of one compiled answers schema."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = jsonschema_rs.validator_for(schema, validate_formats=True)

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


def reference_errors(schema: dict[str, Any], answers: Any) -> list[dict[str, str]]:
    """The same errors computed by the `jsonschema` package (slow, the reference)."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker(["date"]))
    found = []
    for error in validator.iter_errors(answers):
        missing = error.message.split("'")[1] if error.validator == "required" else None
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
