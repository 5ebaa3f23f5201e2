"""The published spec (schemas/docking/v1/) loaded once, each schema compiled once.

A record's `data` is checked by its schema (jsonschema-rs answers valid-or-not fast; only an invalid
record is walked again by `jsonschema` for its errors), then the base-data types by the field rules
of domain/fields.py (the USCC check digit, the region code), the same the pages and the importer
apply. Every error carries a stable `code` beside its `path` and Chinese `message`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

from enforcement.services.docking.generate import SPEC_DIR, TYPES, VERSION

__all__ = ["SPEC_DIR", "TYPES", "VERSION", "Problem", "load", "problems", "schema_of"]

# Stable error codes: what a provincial system may switch on (docs/docking.md lists them).
CODES: dict[str, str] = {
    "missing": "缺少必填字段",
    "unknown_field": "规范中没有该字段",
    "wrong_type": "数据类型不符",
    "not_in_code_table": "取值不在代码表中",
    "too_long": "超出长度或数量上限",
    "too_short": "短于下限",
    "out_of_range": "数值超出范围",
    "bad_format": "格式不符",
    "invalid_value": "取值无效",
    "unknown_type": "未知的记录类型",
    "bad_id": "记录 id 无效",
    "duplicate_in_batch": "同一批次中重复",
    "unknown_region": "行政区划代码不存在",
    "other_province": "不属于本省（本辖区）",
    "unknown_reference": "引用的记录不存在",
    "unknown_checklist": "检查事项或其版本不存在",
    "not_in_checklist": "检查项不在该版本的检查事项中",
    "conflict": "与已有数据冲突",
    "hash_mismatch": "内容与 hash 不一致",
}

_TYPE_NAMES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "true 或 false",
    "array": "列表",
    "object": "对象",
    "null": "空值",
}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    code: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "code": self.code}


@cache
def load(folder: Path = SPEC_DIR) -> dict[str, dict[str, Any]]:
    """Record type → its schema, as published."""
    return {
        name: json.loads((folder / f"{name}.schema.json").read_text(encoding="utf-8"))
        for name in TYPES
    }


def schema_of(record_type: str) -> dict[str, Any]:
    return load()[record_type]


@cache
def _fast(record_type: str) -> Any:
    return jsonschema_rs.validator_for(schema_of(record_type))


@cache
def _slow(record_type: str) -> jsonschema.protocols.Validator:
    schema = schema_of(record_type)
    return jsonschema.validators.validator_for(schema)(schema)


def _pointer(parts: Any) -> str:
    return "".join(f"/{part}" for part in parts)


def _title(schema: Any) -> str:
    return schema.get("title", "") if isinstance(schema, dict) else ""


def _translate(error: jsonschema.ValidationError, base: str) -> list[Problem]:
    """One jsonschema error as Chinese messages at the fields, with their codes."""
    path = base + _pointer(error.absolute_path)
    keyword = error.validator
    value = error.validator_value
    label = _title(error.schema)
    name = f"“{label}”" if label else "该字段"
    if keyword == "required":
        out = []
        for key in value:
            if key in (error.instance or {}):
                continue
            title = _title(error.schema.get("properties", {}).get(key, {}))
            note = f"（{title}）" if title else ""
            out.append(Problem(f"{path}/{key}", f"缺少必填字段“{key}”{note}", "missing"))
        return out
    if keyword == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [
            Problem(f"{path}/{key}", f"规范中没有字段“{key}”，请对照数据规范", "unknown_field")
            for key in sorted(k for k in error.instance if k not in allowed)
        ]
    if keyword == "type":
        wanted = value if isinstance(value, list) else [value]
        names = "或".join(_TYPE_NAMES.get(t, t) for t in wanted)
        return [Problem(path, f"{name}应为{names}", "wrong_type")]
    if keyword == "enum":
        choices = "、".join(str(v) for v in value[:20])
        return [Problem(path, f"{name}的取值不在代码表中，可选：{choices}", "not_in_code_table")]
    if keyword in ("maxLength", "maxItems"):
        unit = "个字符" if keyword == "maxLength" else "项"
        return [Problem(path, f"{name}不能超过{value}{unit}", "too_long")]
    if keyword in ("minLength", "minItems"):
        unit = "个字符" if keyword == "minLength" else "项"
        return [Problem(path, f"{name}至少{value}{unit}", "too_short")]
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [Problem(path, f"{name}超出允许范围（{keyword} {value}）", "out_of_range")]
    if keyword in ("pattern", "format"):
        return [Problem(path, f"{name}格式不符合规范", "bad_format")]
    if keyword == "uniqueItems":
        return [Problem(path, f"{name}中有重复的项", "invalid_value")]
    return [Problem(path, f"{name}不符合规范（{keyword}）", "invalid_value")]


def problems(record_type: str, data: Any, base: str = "/data") -> list[Problem]:
    """What the schema of `record_type` says about `data` (empty: valid)."""
    if _fast(record_type).is_valid(data):
        return []
    found = sorted(_slow(record_type).iter_errors(data), key=lambda e: list(e.absolute_path))
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in found:
        for problem in _translate(error, base):
            if (problem.path, problem.code) not in seen:
                seen.add((problem.path, problem.code))
                out.append(problem)
    return out or [Problem(base, "记录内容不符合规范", "invalid_value")]


@cache
def load_batch_schema(folder: Path = SPEC_DIR) -> dict[str, Any]:
    return json.loads((folder / "batch.schema.json").read_text(encoding="utf-8"))
