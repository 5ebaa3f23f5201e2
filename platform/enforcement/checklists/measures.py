"""Core rules behind the default hooks: measures proposed from a penalty basis, equipment coverage."""

from __future__ import annotations

from typing import Any

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
    """From the item's penalty_basis: its measures (a major hazard always starts a case) and fine range."""
    basis = item["penalty_basis"]
    measures = list(basis.get("measures") or ["order_rectification"])
    if item.get("severity") == "major" and "file_case" not in measures:
        measures.append("file_case")
    fine = basis.get("fine")
    return {
        "measures": measures,
        "measure_labels": [MEASURE_LABELS.get(m, m) for m in measures],
        "fine": {k: fine[k] for k in ("min", "max") if k in fine} if fine else None,
        "basis": basis_text(basis),
        "note": "依据检查事项的处罚依据自动生成，请执法人员结合自由裁量基准确认",
    }


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
