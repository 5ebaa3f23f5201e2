"""Compile a validated plugin declaration into an answers schema and a UI schema.

Answers (what a form submits), one key per item id:
  plain item:     {"answer": …, "<follow-up id>": …, "evidence": {"photo": [sha256…], "document": […]}}
  per equipment:  [{"equipment_id": 12, "answer": …, …}, …]   (one entry per registered piece)
A follow-up is required only when its condition holds (if/then); evidence minimums likewise.

The UI schema follows JSON Forms: Controls with a `scope` into the answers schema and a SHOW `rule`
for conditional follow-ups; item texts ride along in `options` so the renderer needs nothing else.
The compiled schema is content-addressed: its SHA-256 pins an inspection to exactly this form.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

FILE_REF = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
SEVERITY_LABELS = {"major": "重大事故隐患", "general": "一般"}
CHOICE_LABELS = {"compliant": "符合", "non_compliant": "不符合", "not_applicable": "不适用"}


@dataclass(frozen=True)
class CompiledChecklist:
    plugin_id: str
    version: str
    answers_schema: dict[str, Any]
    ui_schema: dict[str, Any]
    sha256: str = field(default="")


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _entry_schema(item: dict[str, Any], *, per_equipment: bool) -> dict[str, Any]:
    """The object holding one answer to `item` (for one piece of equipment when per_equipment)."""
    properties: dict[str, Any] = {"answer": _plain_answer(item["answer"])}
    required = ["answer"]
    if per_equipment:
        properties["equipment_id"] = {"type": "integer", "minimum": 1}
        required.insert(0, "equipment_id")
    conditionals: list[dict[str, Any]] = []
    for follow_up in item.get("follow_ups", []):
        properties[follow_up["id"]] = _plain_answer(follow_up["answer"])
        if follow_up["when"].get("item", item["id"]) == item["id"]:
            conditionals.append(
                {
                    "if": _answer_matches(follow_up["when"]["schema"]),
                    "then": {"required": [follow_up["id"]]},
                }
            )
    kinds = sorted({e["kind"] for e in item.get("evidence", [])})
    if kinds:
        properties["evidence"] = {
            "type": "object",
            "properties": {kind: {"type": "array", "items": FILE_REF} for kind in kinds},
            "additionalProperties": False,
        }
    for evidence in item.get("evidence", []):
        need = _evidence_need(evidence)
        if evidence["min"] == 0:
            continue
        when = evidence.get("when")
        if when is None:
            conditionals.append(need)
        elif when.get("item", item["id"]) == item["id"]:
            conditionals.append({"if": _answer_matches(when["schema"]), "then": need})
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if conditionals:
        schema["allOf"] = conditionals
    return schema


def _evidence_need(evidence: dict[str, Any]) -> dict[str, Any]:
    """An entry holding at least `min` files of the evidence's kind."""
    return {
        "properties": {
            "evidence": {
                "required": [evidence["kind"]],
                "properties": {evidence["kind"]: {"minItems": evidence["min"]}},
            }
        },
        "required": ["evidence"],
    }


def _plain_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer fragment without annotations (x- keys, titles) that do not validate anything."""
    return {
        k: v
        for k, v in answer.items()
        if not k.startswith("x-") and k not in ("title", "description")
    }


def _answer_matches(schema: dict[str, Any]) -> dict[str, Any]:
    return {"properties": {"answer": schema}, "required": ["answer"]}


def target_holds(when: dict[str, Any], target: str, repeated: bool) -> dict[str, Any]:
    """The answers-level schema of "the condition on another item's answer holds".

    A plain target: its answer matches. A per-equipment target: `match` any (some piece's answer
    matches), all (every piece's, at least one piece), or `count` (how many pieces' answers match).
    """
    matches = _answer_matches(when["schema"])
    if not repeated:
        return {"properties": {target: matches}, "required": [target]}
    if when.get("match") == "all":
        pieces: dict[str, Any] = {"type": "array", "minItems": 1, "items": matches}
    elif "count" in when:
        count = when["count"]
        pieces = {"type": "array", "contains": matches, "minContains": count.get("minimum", 0)}
        if "maximum" in count:
            pieces["maxContains"] = count["maximum"]
    else:
        pieces = {"type": "array", "contains": matches}
    return {"properties": {target: pieces}, "required": [target]}


def compile_answers_schema(declaration: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    cross_item: list[dict[str, Any]] = []
    repeated = {item["id"] for item in declaration["items"] if "repeat" in item}
    for item in declaration["items"]:
        if "repeat" in item:
            properties[item["id"]] = {
                "type": "array",
                "items": _entry_schema(item, per_equipment=True),
            }
        else:
            properties[item["id"]] = _entry_schema(item, per_equipment=False)
        needs = [(f["when"], {"required": [f["id"]]}) for f in item.get("follow_ups", [])]
        needs += [
            (e["when"], _evidence_need(e))
            for e in item.get("evidence", [])
            if "when" in e and e["min"] > 0
        ]
        for when, need in needs:
            target = when.get("item", item["id"])
            if target != item["id"]:
                if "repeat" in item:  # inside the repeat: every piece's entry answers it
                    need = {"items": need}
                cross_item.append(
                    {
                        "if": target_holds(when, target, target in repeated),
                        "then": {"properties": {item["id"]: need}},
                    }
                )
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": declaration["title"],
        "type": "object",
        "properties": properties,
        "required": [item["id"] for item in declaration["items"]],
        "additionalProperties": False,
    }
    if cross_item:
        schema["allOf"] = cross_item
    return schema


def _scope(*parts: str) -> str:
    return "#/properties/" + "/properties/".join(parts)


def _control(scope: str, label: str, answer: dict[str, Any], **options: Any) -> dict[str, Any]:
    control: dict[str, Any] = {"type": "Control", "scope": scope, "label": label}
    choices = answer.get("enum") or answer.get("items", {}).get("enum")
    if choices:
        options["choices"] = [{"value": v, "label": CHOICE_LABELS.get(v, str(v))} for v in choices]
    if isinstance(answer.get("x-unit"), str) and answer["x-unit"]:
        options["unit"] = answer["x-unit"]  # shown beside a number (米、MPa); validates nothing
    if options:
        control["options"] = options
    return control


def _major_bases(item: dict[str, Any]) -> list[str]:
    """The articles a finding of this item may be judged a 重大事故隐患 under (shown with the item)."""
    rules = list(item.get("major_when", []))
    for follow_up in item.get("follow_ups", []):
        rules += follow_up.get("major_when", [])
    texts = [
        "".join(r["basis"].get(k, "") for k in ("law", "article", "clause", "item")) for r in rules
    ]
    return list(dict.fromkeys(texts))


def _show_rule(
    when: dict[str, Any], item_id: str, answer_scope: str, repeated: set[str]
) -> dict[str, Any]:
    """A JSON Forms SHOW rule; another per-equipment item's answer carries how its pieces count."""
    target = when.get("item", item_id)
    condition: dict[str, Any] = {"scope": answer_scope, "schema": when["schema"]}
    if target != item_id:
        condition["scope"] = (
            f"#/properties/{target}/items/properties/answer"
            if target in repeated
            else _scope(target, "answer")
        )
        if target in repeated:
            condition["match"] = when.get("match", "any") if "count" not in when else "count"
            if "count" in when:
                condition["count"] = when["count"]
    return {"effect": "SHOW", "condition": condition}


def compile_ui_schema(declaration: dict[str, Any]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    repeated = {item["id"] for item in declaration["items"] if "repeat" in item}
    for item in declaration["items"]:
        item_id = item["id"]
        base = (item_id, "items") if "repeat" in item else (item_id,)
        answer_scope = (
            _scope(*base, "answer")
            if "repeat" not in item
            else f"#/properties/{item_id}/items/properties/answer"
        )

        def scope_of(key: str, item_id: str = item_id, repeated: bool = "repeat" in item) -> str:
            if repeated:
                return f"#/properties/{item_id}/items/properties/{key}"
            return _scope(item_id, key)

        elements = [
            _control(
                answer_scope,
                item["answer"].get("title", "检查结论"),
                item["answer"],
                role="answer",
            )
        ]
        for follow_up in item.get("follow_ups", []):
            control = _control(
                scope_of(follow_up["id"]), follow_up["title"], follow_up["answer"], role="follow_up"
            )
            control["rule"] = _show_rule(follow_up["when"], item_id, answer_scope, repeated)
            elements.append(control)
        for evidence in item.get("evidence", []):
            control = {
                "type": "Control",
                "scope": scope_of("evidence") + f"/properties/{evidence['kind']}",
                "label": evidence.get("caption")
                or ("现场照片" if evidence["kind"] == "photo" else "证明材料"),
                "options": {
                    "role": "evidence",
                    "kind": evidence["kind"],
                    "min": evidence["min"],
                    "max": evidence.get("max"),
                },
            }
            if "when" in evidence:
                control["rule"] = _show_rule(evidence["when"], item_id, answer_scope, repeated)
            elements.append(control)
        group = {
            "type": "Group",
            "label": item["title"],
            "elements": elements,
            "options": {
                "item_id": item_id,
                "code": item.get("code"),
                "content": item["content"],
                "method": item["method"],
                "severity": item["severity"],
                "severity_label": SEVERITY_LABELS[item["severity"]],
                "legal_basis": item["legal_basis"],
                "penalty_basis": item["penalty_basis"],
                "repeat": item.get("repeat"),
            },
        }
        majors = _major_bases(item)
        if majors:  # only where declared: the compiled form of older plugins stays byte-identical
            group["options"]["major_bases"] = majors
        groups.setdefault(item.get("section") or "检查事项", []).append(group)
    return {
        "type": "Categorization" if len(groups) > 1 else "VerticalLayout",
        "elements": [
            {"type": "Category", "label": section, "elements": items}
            for section, items in groups.items()
        ],
        "options": {
            "plugin_id": declaration["id"],
            "version": declaration["version"],
            "title": declaration["title"],
        },
    }


def compile_plugin(declaration: dict[str, Any]) -> CompiledChecklist:
    answers = compile_answers_schema(declaration)
    ui = compile_ui_schema(declaration)
    digest = hashlib.sha256(canonical_json({"answers": answers, "ui": ui}).encode()).hexdigest()
    return CompiledChecklist(declaration["id"], declaration["version"], answers, ui, digest)
