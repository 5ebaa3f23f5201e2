"""docs/workflow.md, generated from the tables of this package (a unit test compares them)."""

from __future__ import annotations

from enforcement.domain.workflow.limits import EVENT_LABELS, LIMITS, RULE_SETS
from enforcement.domain.workflow.penalties import PENALTY_KINDS
from enforcement.domain.workflow.stages import Stage
from enforcement.domain.workflow.transitions import TRANSITIONS

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
    "payment_overdue": "罚款缴纳期限已届满且未缴纳",
    "note_given": "填写理由",
    "leader_approves": "负责人（leader 角色）操作，即审批",
    "extension_available": "适用规则尚有可批准的延期",
    "undecided": "尚未作出处罚决定",
}


def render_markdown() -> str:
    """The procedure, guards, limits and penalty kinds as Markdown (docs/workflow.md)."""
    lines = [
        "# 立案查处：案件办理流程",
        "",
        "Generated from `platform/enforcement/domain/workflow/` — do not edit by hand; run",
        "`python -m enforcement.domain.workflow > docs/workflow.md` after changing the tables.",
        "Only `services/cases.py` changes a case's stage; every move is one row below, recorded",
        "with who, when and why, and followed by the `case_transitioned` hook.",
        "",
        "## 阶段 stages",
        "",
        "| stage | 名称 |",
        "|---|---|",
    ]
    lines += [f"| `{s.value}` | {s.label} |" for s in Stage]
    lines += [
        "",
        "## 流转表 transitions",
        "",
        "| from | action | 操作 | to | guards (all must pass) | reason required |",
        "|---|---|---|---|---|---|",
    ]
    for row in TRANSITIONS:
        guards = "；".join(f"`{g.__name__}`" for g in row.guards) or "—"
        lines.append(
            f"| {row.stage.label} | `{row.action}` | {row.label} | {row.target.label} | "
            f"{guards} | {'是' if row.needs_note else ''} |"
        )
    lines += ["", "## 守卫 guards", "", "| guard | rule |", "|---|---|"]
    lines += [f"| `{name}` | {text} |" for name, text in GUARD_RULES.items()]
    lines += [
        "",
        "Approval is modelled as the guard `leader_approves`: the acting user has the `leader` (or",
        "`admin`) role. Approval documents (审批表) are the documents module's business.",
        "",
        "## 法定期限 statutory limits",
        "",
        "The rule set is chosen by the case's 立案 date. 18号令's article text was not retrieved",
        "(research-2.md §1.1): its rows follow 行政处罚法 (2021) and are labelled accordingly.",
        "",
        "| rule set | key | 期限 | starts at | days | day kind | source | confidence |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for limit in LIMITS:
        lines.append(
            f"| {limit.rule_set} | `{limit.key}` | {limit.name} | "
            f"{EVENT_LABELS[limit.start_event]} | {limit.days} | {limit.day_kind} | "
            f"{limit.source} | {limit.confidence} |"
        )
    lines += ["", "### 规则集 rule sets", ""]
    for rules in RULE_SETS:
        since = rules.applies_from.isoformat() if rules.applies_from else "—"
        until = rules.applies_until.isoformat() if rules.applies_until else "—"
        lines += [
            f"* **{rules.name}** {rules.title}: 立案日期 {since} 起，{until} 前。",
            "  * 决定期限延期: "
            + (
                "；".join(
                    f"至{d}日（{who}批准；{src}，{conf}）"
                    for d, who, src, conf in rules.decision_extensions
                )
                or "无（未见条文）"
            ),
            f"  * 听证标准: 单位 ≥ {rules.hearing_threshold_unit} 元，个人 ≥ "
            f"{rules.hearing_threshold_individual} 元 — {rules.hearing_threshold_source}",
            f"  * 加处罚款: 每日 {rules.surcharge_rate * 100}% — {rules.surcharge_source}",
        ]
    lines += [
        "",
        "## 处罚种类 penalty kinds",
        "",
        "| key | 种类 | amount | hearing right | source | confidence |",
        "|---|---|---|---|---|---|",
    ]
    hearing = {"always": "总是", "amount": "达到较大数额时", "never": "无"}
    for kind in PENALTY_KINDS:
        lines.append(
            f"| `{kind.key}` | {kind.label} | {'有' if kind.monetary else '—'} | "
            f"{hearing[kind.hearing]} | {kind.source} | {kind.confidence} |"
        )
    return "\n".join(lines) + "\n"
