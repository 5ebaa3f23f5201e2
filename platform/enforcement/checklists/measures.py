"""Core rules behind the default hooks: measures proposed from a penalty basis, equipment coverage,
and what makes a finding a 重大事故隐患 (an item's `major_when` rules)."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

MEASURE_LABELS = {
    "order_immediate_rectification": "责令立即整改",
    "order_rectification": "责令限期整改",
    "suspend_operation": "责令停产停业整顿",
    "fine": "罚款",
    "warning": "警告",
    "confiscate": "没收违法所得",
    "revoke_license": "暂扣或吊销有关证照",
    "close": "提请关闭",
    "file_case": "立案查处",
}


def basis_text(basis: dict[str, Any]) -> str:
    return "".join(basis.get(k, "") for k in ("law", "article", "clause", "item"))


def default_measures(item: dict[str, Any]) -> dict[str, Any]:
    """From the item's penalty_basis: its measures and fine range. Whether the finding also starts a
    case depends on the finding, not the item: see `major_finding` and `with_case`."""
    basis = item["penalty_basis"]
    measures = list(basis.get("measures") or ["order_rectification"])
    fine = basis.get("fine")
    return {
        "measures": measures,
        "measure_labels": [MEASURE_LABELS.get(m, m) for m in measures],
        "fine": {k: fine[k] for k in ("min", "max") if k in fine} if fine else None,
        "basis": basis_text(basis),
        "note": "依据检查事项的处罚依据自动生成，请执法人员结合自由裁量基准确认",
    }


def with_case(proposal: dict[str, Any]) -> dict[str, Any]:
    """A 重大事故隐患 is proposed for 立案查处 whatever the hook proposed."""
    measures = list(proposal.get("measures") or ["order_rectification"])
    if "file_case" not in measures:
        measures.append("file_case")
    return {
        **proposal,
        "measures": measures,
        "measure_labels": [MEASURE_LABELS.get(m, m) for m in measures],
    }


@cache
def _validator(canonical: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(canonical))


def _holds(
    condition: dict[str, Any],
    own: str | None,
    item_id: str,
    entry: dict[str, Any],
    answers: dict[str, Any],
) -> bool:
    """A major_when condition, on this finding's entry or on another item's answers (any of them)."""
    target = condition.get("item")
    if target is None or target == item_id:
        entries = [entry]
        key = condition.get("follow_up") or (own if target is None else None) or "answer"
    else:
        given = answers.get(target)
        entries = given if isinstance(given, list) else [given] if isinstance(given, dict) else []
        key = condition.get("follow_up") or "answer"
    validator = _validator(json.dumps(condition["schema"], sort_keys=True))
    return any(isinstance(e, dict) and key in e and validator.is_valid(e[key]) for e in entries)


def major_finding(
    item: dict[str, Any], entry: dict[str, Any], answers: dict[str, Any]
) -> dict[str, Any] | None:
    """The first `major_when` rule (the item's, then its follow-ups') this finding matches:
    {"basis": {law, article, …}, "text": "…"}; None when it matches none.

    An item without rules yields no 重大事故隐患, whatever its `severity`: a finding is major only
    where the plugin names the article of the yardstick it meets (docs/DECISIONS.md).
    """
    rules: list[tuple[dict[str, Any], str | None]] = [(r, None) for r in item.get("major_when", [])]
    for follow_up in item.get("follow_ups", []):
        rules += [(r, follow_up["id"]) for r in follow_up.get("major_when", [])]
    for rule, own in rules:
        conditions = [rule["when"], *rule.get("and", [])]
        if all(_holds(c, own, item["id"], entry, answers) for c in conditions):
            basis = {k: v for k, v in rule["basis"].items() if not k.startswith("x-")}
            return {"basis": basis, "text": basis_text(basis)}
    return None


def bases_on(item: dict[str, Any], day: dt.date | None) -> dict[str, Any]:
    """The item with the legal and penalty bases in force on `day` (an inspection's date): an
    `earlier_bases` entry for days up to its `until`, the item's own bases after the last one."""
    if day is None:
        return item
    for earlier in sorted(item.get("earlier_bases", []), key=lambda e: e["until"]):
        if day <= dt.date.fromisoformat(earlier["until"]):
            return {
                **item,
                "legal_basis": earlier["legal_basis"],
                "penalty_basis": earlier["penalty_basis"],
            }
    return item


def equipment_coverage_errors(
    declaration: dict[str, Any], answers: dict[str, Any], enterprise: dict[str, Any]
) -> list[dict[str, str]]:
    """逐设备: a per-equipment item answers each registered piece of its type exactly once."""
    errors = []
    for item in declaration["items"]:
        repeat = item.get("repeat")
        if not repeat or item["id"] not in answers:
            continue
        expected = {
            e["id"]
            for e in enterprise.get("equipment", [])
            if e["equipment_type"] == repeat["equipment_type"]
        }
        given = [entry.get("equipment_id") for entry in answers[item["id"]]]
        for index, equipment_id in enumerate(given):
            if equipment_id not in expected:
                errors.append(
                    {
                        "path": f"/{item['id']}/{index}/equipment_id",
                        "message": "该设备不在企业设备台账中",
                    }
                )
            elif given.index(equipment_id) != index:
                errors.append(
                    {"path": f"/{item['id']}/{index}/equipment_id", "message": "同一设备重复作答"}
                )
        for missing in sorted(expected - set(given)):
            errors.append(
                {"path": f"/{item['id']}", "message": f"设备台账中编号 {missing} 的设备尚未检查"}
            )
    return errors
