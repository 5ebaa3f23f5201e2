"""docs/workflow.md, generated from the tables of this package (a unit test compares them)."""

from __future__ import annotations

from decimal import Decimal

GUARD_RULES: dict[str, str] = {
    "two_certified_inspectors": "两名以上持执法证号的执法人员承办（15号令第二十四条；行政处罚法第四十二条）",
    "facts_recorded": "已填写违法事实及证据摘要",
    "penalty_recorded": "已登记拟处罚的种类、金额（罚款/没收）和处罚依据",
    "hearing_rights_offered": "达到听证标准（单位罚款≥5万元、个人≥2万元，或责令停产停业、吊销许可证、关闭等）时已告知听证权利",
    "hearing_offered_to_party": "已告知听证权利",
    "hearing_requested_in_time": "在听证申请期限内提出",
    "party_period_over": "陈述申辩（及听证申请）期限已届满，或当事人已申请听证",
    "decision_recorded": "已登记处罚决定书文号和决定日期",
    "served_recorded": "已登记送达日期（不早于决定日期）",
    "fulfilled": "罚款及加处罚款已缴清，或已申请人民法院强制执行",
    "payment_overdue": "罚款缴纳期限（批准延期、分期的，至其截止日期）已届满且未缴纳",
    "note_given": "填写理由",
    "leader_approves": "负责人（leader 角色）操作，即审批",
    "extension_available": "适用规则尚有可批准的延期",
    "undecided": "尚未作出处罚决定",
    "legal_review_done": "经过听证或已列为须法制审核的案件，已完成法制审核（听证后）（行政处罚法第五十八条）",
    "legal_review_pending": "须法制审核且尚未完成（听证后）",
    "legal_review_not_flagged": "尚未列为须法制审核",
    "collective_discussion_done": "已列为情节复杂或重大违法的案件，已经负责人集体讨论（第五十七条第二款）",
    "collective_discussion_pending": "须集体讨论且尚未讨论",
    "collective_not_flagged": "尚未列为须集体讨论",
    "not_heavier_than_notified": "不重于首次告知的处罚（不增加种类、不提高金额；第四十五条）",
    "hearing_date_noticed_in_time": "听证会日期在通知之日起七个工作日之后（第六十四条（二）、第八十五条）",
    "hearing_held": "听证会已通知并已举行",
    "onsite_penalty_allowed": "仅警告或罚款，罚款单位≤3000元、个人≤200元（第五十一条）",
    "fine_unpaid": "有尚未缴纳的罚款",
    "deferral_date_valid": "延期（分期）缴纳截止日期晚于今天及已批准的日期",
    "reminder_served": "催告书已送达满十个工作日（行政强制法第五十四条、第六十九条）",
    "appeal_periods_over": "复议（60日）、诉讼（6个月）期限已届满，延期（分期）缴纳的自其期限结束（第五十三条；行政处罚法第七十二条）",
    "within_court_window": "在上述期限届满之日起三个月内（行政强制法第五十三条）",
}


def render_markdown() -> str:
    """The procedure, guards, limits and penalty kinds as Markdown (docs/workflow.md), rendered
    from `workflow_data()` — the same data `enforcement workflow show --json` prints."""
    from enforcement.domain.workflow.export import workflow_data

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
            f"{'`' + row['form'] + '`' if row['form'] else ''} | {row['source'] or ''} |"
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
        "a waiting period must have run before the next step (not a clock one can be late on).",
        "",
        "| rule set | key | 期限 | starts at | length | kind | waiting | source | confidence |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    units = {"working": "个工作日", "calendar": "日", "months": "个月"}
    for limit in data["limits"]:
        count = limit["months"] if limit["kind"] == "months" else limit["days"]
        confidence = limit["confidence"] + ("（待核实）" if limit["to_verify"] else "")
        lines.append(
            f"| {limit['rule_set']} | `{limit['key']}` | {limit['name']} | "
            f"{limit['start_event_label']} | {count}{units[limit['kind']]} | {limit['kind']} | "
            f"{'是' if limit['waiting_period'] else ''} | {limit['source']} | {confidence} |"
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
