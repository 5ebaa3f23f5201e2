"""docs/workflow.md, generated from the tables of this package (a unit test compares them)."""

from __future__ import annotations

from decimal import Decimal

from enforcement.domain.workflow.export import GUARD_RULES, workflow_data

__all__ = ["GUARD_RULES", "render_markdown"]


def render_markdown() -> str:
    """The procedure, guards, limits and penalty kinds as Markdown (docs/workflow.md), rendered
    from `workflow_data()` — the same data `enforcement workflow show --json` prints."""
    data = workflow_data()
    stage_labels = {s["key"]: s["label"] for s in data["stages"]}
    lines = [
        "# 立案查处：案件办理流程",
        "",
        "Generated from `platform/enforcement/domain/workflow/` — do not edit by hand; run",
        "`python -m enforcement.domain.workflow > docs/workflow.md` after changing the tables.",
        "The same data is printed as JSON by `enforcement workflow show --json`",
        "(schema: `schemas/workflow.schema.json`).",
        "Only `services/cases.py` changes a case's stage; every move is one row below, recorded",
        "with who, when and why, and followed by the `case_transitioned` hook.",
        "",
        "## 阶段 stages",
        "",
        "| stage | 名称 |",
        "|---|---|",
    ]
    lines += [f"| `{s['key']}` | {s['label']} |" for s in data["stages"]]
    lines += [
        "",
        "## 流转表 transitions",
        "",
        "| from | action | 操作 | to | guards (all must pass) | approved by | reason required | "
        "form | source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in data["transitions"]:
        guards = "；".join(f"`{g}`" for g in row["guards"]) or "—"
        note = "是" if row["needs_note"] else ""
        if row["needs_date"]:
            note = (note + "；" if note else "") + row["needs_date"]
        lines.append(
            f"| {stage_labels[row['stage']]} | `{row['action']}` | {row['label']} | "
            f"{stage_labels[row['target']]} | {guards} | {row['approved_by'] or ''} | {note} | "
            f"{'`' + row['form'] + '`' if row['form'] else ''}"
            f"{'／`' + row['form_person'] + '`（个人）' if row['form_person'] else ''} | "
            f"{row['source'] or ''} |"
        )
    lines += ["", "## 守卫 guards", "", "| guard | rule |", "|---|---|"]
    lines += [f"| `{g['name']}` | {g['rule']} |" for g in data["guards"]]
    lines += [
        "",
        "Approval is modelled as the guard `leader_approves`: the acting user has the `leader` (or",
        "`admin`) role. Approval documents (审批表) are the documents module's business.",
        "",
        "## 法定期限 statutory limits",
        "",
        "The rule set is chosen by the case's 立案 date. 18号令's article text was not retrieved",
        "(research-2.md §1.1): its rows follow 行政处罚法 (2021) and its own figures are marked",
        "to verify. 工作日 follow the working-day calendar (`enforcement calendar show <year>`);",
        "a waiting period must have run before the next step (not a clock one can be late on);",
        "顺延: a last day on a rest day moves to the next working day.",
        "",
        "| rule set | key | 期限 | starts at | length | kind | waiting | 顺延 | source | confidence |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    units = {"working": "个工作日", "calendar": "日", "months": "个月"}
    for limit in data["limits"]:
        count = limit["months"] if limit["kind"] == "months" else limit["days"]
        confidence = limit["confidence"] + ("（待核实）" if limit["to_verify"] else "")
        lines.append(
            f"| {limit['rule_set']} | `{limit['key']}` | {limit['name']} | "
            f"{limit['start_event_label']} | {count}{units[limit['kind']]} | {limit['kind']} | "
            f"{'是' if limit['waiting_period'] else ''} | "
            f"{'是' if limit['ends_on_working_day'] else ''} | {limit['source']} | {confidence} |"
        )
    lines += ["", "### 规则集 rule sets", ""]
    for rules in data["rule_sets"]:
        lines += [
            f"* **{rules['name']}** {rules['title']}: 立案日期 {rules['applies_from'] or '—'} 起，"
            f"{rules['applies_until'] or '—'} 前。" + ("" if rules["verified"] else "条文待核实。"),
            "  * 决定期限延期: "
            + (
                "；".join(
                    f"至{e['total_days']}日（{e['approved_by']}批准；{e['source']}，"
                    f"{e['confidence']}）"
                    for e in rules["decision_extensions"]
                )
                or "无（未见条文）"
            ),
            f"  * 听证标准: 单位 ≥ {rules['hearing_threshold_unit']} 元，个人 ≥ "
            f"{rules['hearing_threshold_individual']} 元 — {rules['hearing_threshold_source']}",
            f"  * 加处罚款: 每日 {Decimal(rules['surcharge_rate']) * 100}% — "
            f"{rules['surcharge_source']}",
        ]
    lines += [
        "",
        "## 处罚种类 penalty kinds",
        "",
        "| key | 种类 | amount | hearing right | source | confidence |",
        "|---|---|---|---|---|---|",
    ]
    hearing = {"always": "总是", "amount": "达到较大数额时", "never": "无"}
    for kind in data["penalty_kinds"]:
        lines.append(
            f"| `{kind['key']}` | {kind['label']} | {'有' if kind['monetary'] else '—'} | "
            f"{hearing[kind['hearing']]} | {kind['source']} | {kind['confidence']} |"
        )
    return "\n".join(lines) + "\n"
