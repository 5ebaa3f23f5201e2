"""The statutory limits as ONE data table, and the rule set in force, both chosen by the 立案 date.

A verified text of 应急管理部令第18号 is a change of rows here and nothing else (see the package
docstring for the sources and their confidence).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from enforcement.domain.calendar import EMPTY, WorkingCalendar, add_months

CALENDAR = "自然日"
WORKING = "工作日"
MONTHS = "个月"
UNSPECIFIED = "日（来源未区分，按自然日计算）"  # no row uses it any more; kept for callers
KIND_KEYS: dict[str, str] = {WORKING: "working", CALENDAR: "calendar", MONTHS: "months"}
UNIT_LABELS: dict[str, str] = {WORKING: "个工作日", CALENDAR: "日", MONTHS: "个月"}


@dataclass(frozen=True)
class Limit:
    key: str
    name: str
    start_event: str  # a CaseFacts date attribute
    done_event: str | None  # the CaseFacts date attribute that stops the clock
    days: int  # the count, in `day_kind` units (months for MONTHS)
    day_kind: str  # WORKING / CALENDAR / MONTHS
    rule_set: str
    applies_from: dt.date | None  # by 立案 date; None: since always
    applies_until: dt.date | None  # exclusive
    source: str
    confidence: str
    # A party's period (陈述申辩, 听证申请) simply lapses: "已届满", not "逾期".
    lapses: bool = False
    # A waiting period: the next step may come only AFTER it has run (催告, 复议/诉讼 periods, the
    # hearing notice); not a clock anyone can be late on.
    minimum: bool = False
    to_verify: bool = False  # an 18号令 figure whose article text was not retrieved
    # A 日/月 period whose last day is a rest day (法定节假日 or weekend) ends on the next working
    # day (民法典 第二百零三条; 民事诉讼法 第八十五条, which 行政诉讼法 第一百零一条 applies): the
    # party keeps that day to pay, to appeal, the agency to apply to the court.
    ends_on_working_day: bool = False

    @property
    def kind(self) -> str:
        return KIND_KEYS[self.day_kind]

    @property
    def span(self) -> str:
        """ "5个工作日", "60日", "6个月"."""
        return f"{self.days}{UNIT_LABELS[self.day_kind]}"


RULE_15 = "15号令"
RULE_18 = "18号令"
LAW = "行政处罚法/行政强制法"
RULE_18_FROM = dt.date(2026, 2, 1)
# 《行政处罚法》(2021 修订) in force: its 5-day hearing request and 第八十五条 bind every case filed
# from this day, whatever the ministry's order says (finding 1 of legal-review.md).
LAW_2021_FROM = dt.date(2021, 7, 15)

EVENT_LABELS: dict[str, str] = {
    "evidence_taken_on": "先行调查取证之日",
    "filed_on": "立案之日",
    "notified_on": "告知之日",
    "hearing_requested_on": "申请听证之日",
    "hearing_noticed_on": "通知听证会之日",
    "decided_on": "作出处罚决定之日",
    "served_on": "收到处罚决定书之日",
    "collected_on": "当场收缴罚款之日",
    "reminder_served_on": "催告书送达之日",
    "appeal_period_end": "复议、诉讼期限届满之日（批准延期、分期缴纳的，自该期限结束之日）",
}

_85 = "；行政处罚法(2021) 第八十五条：“二日”“三日”“五日”“七日”指工作日，不含法定节假日"
_69 = "；行政强制法 第六十九条：十日以内期限的规定是指工作日，不含法定节假日"

# fmt: off
LIMITS: tuple[Limit, ...] = (
    # ---- 15号令 (2007, amended 2015 by 77号令): cases filed before 2026-02-01 ----
    Limit("filing", "补办立案手续", "evidence_taken_on", "filed_on", 5, CALENDAR, RULE_15,
          None, RULE_18_FROM,
          "15号令 第二十三条：对确需立即查处的安全生产违法行为，可以先行调查取证，并在5日内补办立案手续"
          "（部门规章，不适用行政处罚法第八十五条，按自然日）",
          "high"),
    Limit("decision", "作出行政处罚决定", "filed_on", "decided_on", 30, CALENDAR, RULE_15,
          None, RULE_18_FROM,
          "15号令 第三十一条：自立案之日起30日内作出行政处罚决定；经负责人同意可延长至90日；"
          "特殊情况经上一级部门批准可延长至180日", "high"),
    Limit("statement", "陈述、申辩期限", "notified_on", None, 3, WORKING, RULE_15,
          None, RULE_18_FROM,
          "行政处罚告知书（2017式样）：收到本告知书之日起3日内进行陈述和申辩" + _85, "high",
          lapses=True),
    Limit("hearing_request", "听证申请期限", "notified_on", "hearing_requested_on", 3, CALENDAR,
          RULE_15, None, LAW_2021_FROM,
          "行政处罚法(1996) 第四十二条：当事人要求听证的，应当在行政机关告知后三日内提出"
          "（2021-07-15 前立案的案件）", "medium", lapses=True),
    Limit("hearing_request", "听证申请期限", "notified_on", "hearing_requested_on", 5, WORKING,
          RULE_15, LAW_2021_FROM, RULE_18_FROM,
          "行政处罚法(2021) 第六十四条（一）：当事人要求听证的，应当在行政机关告知后五日内提出"
          "（2021-07-15 起立案的案件，优先于15号令的3日）" + _85, "high", lapses=True),
    Limit("hearing", "举行听证会", "hearing_requested_on", "decided_on", 15, CALENDAR, RULE_15,
          None, RULE_18_FROM,
          "15号令（回忆）：应当在收到书面申请之日起15日内举行听证会", "medium"),
    Limit("service", "送达行政处罚决定书", "decided_on", "served_on", 7, WORKING, RULE_15,
          None, RULE_18_FROM,
          "行政处罚法(2021) 第六十一条：当事人不在场的，应当在七日内依照民事诉讼法的有关规定送达"
          "（15号令同）" + _85, "high"),
    Limit("payment", "缴纳罚款", "served_on", "paid_on", 15, CALENDAR, RULE_15,
          None, RULE_18_FROM,
          "行政处罚决定书（2017式样）：自收到本决定书之日起15日内缴至指定银行，"
          "到期不缴每日按罚款数额的3%加处罚款", "high", ends_on_working_day=True),
    # ---- 18号令 (2025-11-27 公布, 2026-02-01 施行): article text NOT retrieved (research-2 §1.1);
    # numbers follow 行政处罚法 (2021), which binds it anyway; figures of the order itself: to verify.
    Limit("filing", "补办立案手续", "evidence_taken_on", "filed_on", 5, CALENDAR, RULE_18,
          RULE_18_FROM, None,
          "18号令条文未取得；沿用15号令第二十三条的5日（行政处罚法第五十四条只要求“及时立案”），待核实",
          "low", to_verify=True),
    Limit("decision", "作出行政处罚决定", "filed_on", "decided_on", 90, CALENDAR, RULE_18,
          RULE_18_FROM, None,
          "行政处罚法(2021) 第六十条：自立案之日起九十日内作出行政处罚决定（18号令条文未取得，推定一致）",
          "low", to_verify=True),
    Limit("statement", "陈述、申辩期限", "notified_on", None, 3, WORKING, RULE_18,
          RULE_18_FROM, None,
          "18号令条文未取得；沿用告知书式样的3日（行政处罚法未规定固定期限），待核实" + _85, "low",
          lapses=True, to_verify=True),
    Limit("hearing_request", "听证申请期限", "notified_on", "hearing_requested_on", 5, WORKING,
          RULE_18, RULE_18_FROM, None,
          "行政处罚法(2021) 第六十四条（一）：当事人要求听证的，应当在行政机关告知后五日内提出" + _85,
          "high", lapses=True),
    Limit("service", "送达行政处罚决定书", "decided_on", "served_on", 7, WORKING, RULE_18,
          RULE_18_FROM, None,
          "行政处罚法(2021) 第六十一条：当事人不在场的，应当在七日内依照民事诉讼法的有关规定送达" + _85,
          "high"),
    Limit("payment", "缴纳罚款", "served_on", "paid_on", 15, CALENDAR, RULE_18,
          RULE_18_FROM, None,
          "行政处罚法(2021) 第六十七条：自收到行政处罚决定书之日起十五日内缴纳罚款", "high", ends_on_working_day=True),
    # ---- the laws themselves, whatever the rule set ----
    Limit("hearing_notice", "听证会通知（举行前）", "hearing_noticed_on", None, 7, WORKING, LAW,
          None, None,
          "行政处罚法(2021) 第六十四条（二）：行政机关应当在举行听证的七日前，通知当事人及有关人员"
          "听证的时间、地点" + _85, "high", minimum=True),
    Limit("onsite_deposit", "当场收缴的罚款交至行政机关", "collected_on", None, 2, WORKING, LAW,
          None, None,
          "行政处罚法(2021) 第七十一条：执法人员当场收缴的罚款，应当自收缴罚款之日起二日内，交至行政机关"
          + _85, "medium", lapses=True),
    Limit("enforcement_reminder", "催告书送达后履行期", "reminder_served_on", None, 10, WORKING, LAW,
          None, None,
          "行政强制法 第五十四条：催告书送达十日后当事人仍未履行义务的，行政机关可以向人民法院申请强制执行"
          + _69, "high", minimum=True),
    Limit("reconsideration", "申请行政复议期限", "served_on", None, 60, CALENDAR, LAW, None, None,
          "行政复议法(2023) 第二十条：自知道或者应当知道该行政行为之日起六十日内提出行政复议申请；"
          "行政强制法 第五十三条：法定期限内不申请行政复议或者提起行政诉讼，又不履行的，方可申请强制执行",
          "high", minimum=True, ends_on_working_day=True),
    Limit("litigation", "提起行政诉讼期限", "served_on", None, 6, MONTHS, LAW, None, None,
          "行政诉讼法 第四十六条：自知道或者应当知道作出行政行为之日起六个月内提出；行政强制法 第五十三条",
          "high", minimum=True, ends_on_working_day=True),
    Limit("court_window", "申请人民法院强制执行", "appeal_period_end", "court_enforcement_on", 3,
          MONTHS, LAW, None, None,
          "行政强制法 第五十三条：自期限届满之日起三个月内申请人民法院强制执行；行政处罚法(2021) "
          "第七十二条第二款：批准延期、分期缴纳罚款的，申请人民法院强制执行的期限，自暂缓或者分期缴纳罚款"
          "期限结束之日起计算", "high", ends_on_working_day=True),
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
    # False while the order's article text is not in hand: its own figures are marked 待核实.
    verified: bool = True


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
        verified=False,
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


def add_days(
    start: dt.date, days: int, day_kind: str, calendar: WorkingCalendar = EMPTY
) -> dt.date:
    """Due date: the last day of the period. 工作日 follow `calendar` (holidays and 调休); a year it
    does not cover raises `CalendarGap` rather than being guessed."""
    if day_kind == WORKING:
        return calendar.add_working_days(start, days)
    if day_kind == MONTHS:
        return add_months(start, days)
    return start + dt.timedelta(days=days)


def limit_due(
    limit: Limit, start: dt.date, calendar: WorkingCalendar = EMPTY, days: int | None = None
) -> dt.date:
    """The last day of `limit` counted from `start` (`days` overrides its count, e.g. an extended
    decision limit), moved off a rest day where the table says so. A year the calendar does not
    cover raises `CalendarGap`."""
    due = add_days(start, limit.days if days is None else days, limit.day_kind, calendar)
    if limit.ends_on_working_day and limit.day_kind != WORKING:
        while not calendar.is_working_day(due):
            due += dt.timedelta(days=1)
    return due


CENT = Decimal("0.01")


def late_payment_surcharge(
    fine: Decimal, due: dt.date | None, paid_on: dt.date | None, rate: Decimal = Decimal("0.03")
) -> Decimal:
    """加处罚款: 3 % of the fine per day after the due date, never more than the fine itself."""
    if due is None or paid_on is None or paid_on <= due or fine <= 0:
        return Decimal("0.00")
    days = (paid_on - due).days
    return min(fine * rate * days, fine).quantize(CENT, rounding=ROUND_HALF_UP)
