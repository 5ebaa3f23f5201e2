"""The statutory limits as ONE data table, and the rule set in force, both chosen by the 立案 date.

A verified text of 应急管理部令第18号 is a change of rows here and nothing else (see the package
docstring for the sources and their confidence).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CALENDAR = "自然日"
WORKING = "工作日"
UNSPECIFIED = "日（来源未区分，按自然日计算）"


@dataclass(frozen=True)
class Limit:
    key: str
    name: str
    start_event: str  # a CaseFacts date attribute
    done_event: str | None  # the CaseFacts date attribute that stops the clock
    days: int
    day_kind: str
    rule_set: str
    applies_from: dt.date | None  # by 立案 date; None: since always
    applies_until: dt.date | None  # exclusive
    source: str
    confidence: str
    # A party's period (陈述申辩, 听证申请) simply lapses: "已届满", not "逾期".
    lapses: bool = False


RULE_15 = "15号令"
RULE_18 = "18号令"
RULE_18_FROM = dt.date(2026, 2, 1)

EVENT_LABELS: dict[str, str] = {
    "evidence_taken_on": "先行调查取证之日",
    "filed_on": "立案之日",
    "notified_on": "告知之日",
    "hearing_requested_on": "申请听证之日",
    "decided_on": "作出处罚决定之日",
    "served_on": "收到处罚决定书之日",
}

# fmt: off
LIMITS: tuple[Limit, ...] = (
    # ---- 15号令 (2007, amended 2015 by 77号令): cases filed before 2026-02-01 ----
    Limit("filing", "补办立案手续", "evidence_taken_on", "filed_on", 5, UNSPECIFIED, RULE_15,
          None, RULE_18_FROM,
          "15号令 第二十三条：对确需立即查处的安全生产违法行为，可以先行调查取证，并在5日内补办立案手续",
          "high"),
    Limit("decision", "作出行政处罚决定", "filed_on", "decided_on", 30, UNSPECIFIED, RULE_15,
          None, RULE_18_FROM,
          "15号令 第三十一条：自立案之日起30日内作出行政处罚决定；经负责人同意可延长至90日；"
          "特殊情况经上一级部门批准可延长至180日", "high"),
    Limit("statement", "陈述、申辩期限", "notified_on", None, 3, UNSPECIFIED, RULE_15,
          None, RULE_18_FROM,
          "行政处罚告知书（2017式样）：收到本告知书之日起3日内进行陈述和申辩", "high", lapses=True),
    Limit("hearing_request", "听证申请期限", "notified_on", "hearing_requested_on", 3, UNSPECIFIED,
          RULE_15, None, RULE_18_FROM,
          "15号令（回忆）：当事人要求听证的，应当在告知后3日内以书面方式提出", "medium", lapses=True),
    Limit("hearing", "举行听证会", "hearing_requested_on", "decided_on", 15, UNSPECIFIED, RULE_15,
          None, RULE_18_FROM,
          "15号令（回忆）：应当在收到书面申请之日起15日内举行听证会，并在举行听证会的7日前通知当事人",
          "medium"),
    Limit("service", "送达行政处罚决定书", "decided_on", "served_on", 7, UNSPECIFIED, RULE_15,
          None, RULE_18_FROM,
          "15号令（回忆）：当事人不在场的，应当在7日内依照民事诉讼法的有关规定送达", "medium"),
    Limit("payment", "缴纳罚款", "served_on", "paid_on", 15, UNSPECIFIED, RULE_15,
          None, RULE_18_FROM,
          "行政处罚决定书（2017式样）：自收到本决定书之日起15日内缴至指定银行，"
          "到期不缴每日按罚款数额的3%加处罚款", "high"),
    # ---- 18号令 (2025-11-27 公布, 2026-02-01 施行): article text NOT retrieved (research-2 §1.1);
    # numbers follow 行政处罚法 (2021), which 18号令 is reported to align with: low until verified.
    Limit("filing", "补办立案手续", "evidence_taken_on", "filed_on", 5, UNSPECIFIED, RULE_18,
          RULE_18_FROM, None,
          "18号令条文未取得；沿用15号令第二十三条的5日（行政处罚法第五十四条只要求“及时立案”），待核实",
          "low"),
    Limit("decision", "作出行政处罚决定", "filed_on", "decided_on", 90, UNSPECIFIED, RULE_18,
          RULE_18_FROM, None,
          "行政处罚法(2021) 第六十条：自立案之日起九十日内作出行政处罚决定（18号令条文未取得，推定一致）",
          "low"),
    Limit("statement", "陈述、申辩期限", "notified_on", None, 3, UNSPECIFIED, RULE_18,
          RULE_18_FROM, None,
          "18号令条文未取得；沿用告知书式样的3日（行政处罚法未规定固定期限），待核实", "low",
          lapses=True),
    Limit("hearing_request", "听证申请期限", "notified_on", "hearing_requested_on", 5, UNSPECIFIED,
          RULE_18, RULE_18_FROM, None,
          "行政处罚法(2021) 第六十四条（一）：当事人要求听证的，应当在行政机关告知后五日内提出",
          "medium", lapses=True),
    Limit("service", "送达行政处罚决定书", "decided_on", "served_on", 7, UNSPECIFIED, RULE_18,
          RULE_18_FROM, None,
          "行政处罚法(2021) 第六十一条：当事人不在场的，应当在七日内依照民事诉讼法的有关规定送达",
          "medium"),
    Limit("payment", "缴纳罚款", "served_on", "paid_on", 15, UNSPECIFIED, RULE_18,
          RULE_18_FROM, None,
          "行政处罚法(2021) 第六十七条：自收到行政处罚决定书之日起十五日内缴纳罚款", "high"),
)
# fmt: on


@dataclass(frozen=True)
class RuleSet:
    """Per rule set: decision-limit extensions, the 较大数额 hearing thresholds, the late surcharge."""

    name: str
    title: str
    applies_from: dt.date | None
    applies_until: dt.date | None
    # Each step: (total days from 立案, who approves, source, confidence).
    decision_extensions: tuple[tuple[int, str, str, str], ...]
    hearing_threshold_unit: Decimal
    hearing_threshold_individual: Decimal
    hearing_threshold_source: str
    surcharge_rate: Decimal  # per day, of the fine
    surcharge_source: str


_THRESHOLD_SOURCE = (
    "较大数额罚款：对个人罚款2万元以上、对生产经营单位罚款5万元以上（含本数），"
    "地方应急标准（7sjm.com）；省级另有规定的从其规定"
)
_SURCHARGE_SOURCE = (
    "行政处罚法(2021) 第七十二条 / 行政强制法 第四十五条：每日按罚款数额的3%加处罚款，"
    "加处罚款的数额不得超出罚款的数额"
)
RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        RULE_15,
        "《安全生产违法行为行政处罚办法》（国家安全监管总局令第15号，2015年第77号令修正）",
        None,
        RULE_18_FROM,
        (
            (90, "本机关负责人", "15号令 第三十一条", "high"),
            (180, "上一级部门", "15号令 第三十一条（特殊情况）", "medium"),
        ),
        Decimal("50000"),
        Decimal("20000"),
        _THRESHOLD_SOURCE + "（medium）",
        Decimal("0.03"),
        _SURCHARGE_SOURCE + "（high）",
    ),
    RuleSet(
        RULE_18,
        "《安全生产违法行为行政处罚办法》（应急管理部令第18号，2026年2月1日施行）",
        RULE_18_FROM,
        None,
        (),  # 行政处罚法 第六十条 has no extension; 18号令's own rule not retrieved
        Decimal("50000"),
        Decimal("20000"),
        _THRESHOLD_SOURCE + "（medium）",
        Decimal("0.03"),
        _SURCHARGE_SOURCE + "（high）",
    ),
)


def _applies(start: dt.date | None, until: dt.date | None, day: dt.date) -> bool:
    return (start is None or day >= start) and (until is None or day < until)


def rule_set_for(filed_on: dt.date) -> RuleSet:
    """The rule set in force on the case's 立案 date."""
    for rule_set in RULE_SETS:
        if _applies(rule_set.applies_from, rule_set.applies_until, filed_on):
            return rule_set
    raise LookupError(f"没有适用于 {filed_on} 的规则")


def limits_for(filed_on: dt.date) -> dict[str, Limit]:
    return {
        limit.key: limit
        for limit in LIMITS
        if _applies(limit.applies_from, limit.applies_until, filed_on)
    }


def add_days(start: dt.date, days: int, day_kind: str) -> dt.date:
    """Due date: the last day of the period. 工作日 skips Saturdays and Sundays (no holiday table)."""
    if day_kind != WORKING:
        return start + dt.timedelta(days=days)
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


CENT = Decimal("0.01")


def late_payment_surcharge(
    fine: Decimal, due: dt.date | None, paid_on: dt.date | None, rate: Decimal = Decimal("0.03")
) -> Decimal:
    """加处罚款: 3 % of the fine per day after the due date, never more than the fine itself."""
    if due is None or paid_on is None or paid_on <= due or fine <= 0:
        return Decimal("0.00")
    days = (paid_on - due).days
    return min(fine * rate * days, fine).quantize(CENT, rounding=ROUND_HALF_UP)
