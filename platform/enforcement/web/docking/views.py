"""数据对接 pages: the data spec generated from the schemas (with examples), and 数据对接情况."""

from __future__ import annotations

import json
from typing import Any

from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from enforcement.services.docking import documents, monitor, spec
from enforcement.web.base import app_session

TYPE_NAMES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
}


def _kind(prop: dict[str, Any]) -> str:
    kinds = prop.get("type", "")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    text = "或".join(TYPE_NAMES.get(k, k) for k in kinds if k)
    if prop.get("format") == "date":
        return "日期（YYYY-MM-DD）"
    if prop.get("format") == "date-time":
        return "时间（ISO 8601）"
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
        inner = prop["items"]
        if inner.get("type") == "object":
            return "对象列表"
        return f"{_kind(inner)}列表"
    return text


def _rule(prop: dict[str, Any]) -> str:
    parts = []
    if "enum" in prop:
        parts.append("代码：" + prop.get("description", "、".join(prop["enum"])))
    elif prop.get("description"):
        parts.append(prop["description"])
    if "maxLength" in prop:
        parts.append(f"不超过{prop['maxLength']}字")
    if "minimum" in prop or "maximum" in prop:
        parts.append(f"范围 {prop.get('minimum', '')}～{prop.get('maximum', '')}")
    if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
        if "enum" in prop["items"]:
            parts.append("代码：" + "、".join(prop["items"]["enum"]))
    return "；".join(parts)


def rows(schema: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """The spec table of a schema: one row per field, nested lists of objects flattened."""
    out: list[dict[str, Any]] = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        out.append(
            {
                "name": prefix + name,
                "title": prop.get("title", ""),
                "kind": _kind(prop),
                "required": name in required,
                "rule": _rule(prop),
            }
        )
        inner = prop.get("items") if prop.get("type") == "array" else prop
        if isinstance(inner, dict) and inner.get("type") == "object" and "properties" in inner:
            suffix = "[]." if prop.get("type") == "array" else "."
            out += rows(inner, prefix + name + suffix)
    return out


class DockingView(BaseView):
    route_base = "/docking"
    default_view = "monitor"

    @expose("/spec/")
    @has_access
    def spec(self) -> Any:
        types = [
            {
                "name": name,
                "title": schema["title"],
                "rows": rows(schema),
                "example": json.dumps(
                    {"type": name, "id": "1001", "data": schema["examples"][0]},
                    ensure_ascii=False,
                    indent=2,
                ),
            }
            for name, schema in spec.load().items()
        ]
        return self.render_template(
            "enforcement/docking/spec.html",
            title="数据对接规范",
            version=spec.VERSION,
            types=types,
            codes=spec.CODES,
        )

    @expose("/monitor/")
    @has_access
    def monitor(self) -> Any:
        return self.render_template(
            "enforcement/docking/monitor.html",
            title="数据对接情况",
            provinces=monitor.overview(app_session()),
            types={name: schema["title"] for name, schema in spec.load().items()},
            codes=spec.CODES,
        )


def docked_documents(kind: str, subject_id: int) -> list[Any]:
    """The documents a provincial system docked for a case or an inspection: its page lists them
    in the 执法文书 panel with their file reference and hash (a Jinja global, web/registry.py)."""
    return documents.docked_documents(app_session(), kind, subject_id)
