"""立案查处: the case procedure as ONE transition table, the statutory clocks as ONE limits table.

Pure Python (no Flask, FAB or SQLAlchemy): the services layer builds a frozen `CaseFacts` from the
record and asks this module what may happen next. Guards are plain functions of the facts returning
None (allowed) or a Chinese refusal reason. Sources and confidence labels come from
`shared/domain/research.md` §4 and `research-2.md` §1: 应急管理部令第18号 (in force 2026-02-01)
replaces 15号令, but its article text was not retrieved, so its rows are labelled low and follow
《行政处罚法》(2021); the rule set is chosen by the case's 立案 date, so a verified 18号令 text is a
data change here and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Stage(StrEnum):
    FILED = "filed"
    INVESTIGATION = "investigation"
    REVIEW = "review"
    NOTICE = "notice"
    HEARING = "hearing"
    DECISION = "decision"
    SERVICE = "service"
    EXECUTION = "execution"
    CLOSED = "closed"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.FILED: "立案",
    Stage.INVESTIGATION: "调查取证",
    Stage.REVIEW: "案件审查",
    Stage.NOTICE: "告知",
    Stage.HEARING: "听证",
    Stage.DECISION: "处罚决定",
    Stage.SERVICE: "送达",
    Stage.EXECUTION: "执行",
    Stage.CLOSED: "结案",
    Stage.ARCHIVED: "归档",
    Stage.WITHDRAWN: "撤销立案",
}
# The main line shown as a progress bar; WITHDRAWN is the side exit.
MAIN_LINE: tuple[Stage, ...] = (
    Stage.FILED,
    Stage.INVESTIGATION,
    Stage.REVIEW,
    Stage.NOTICE,
    Stage.HEARING,
    Stage.DECISION,
    Stage.SERVICE,
    Stage.EXECUTION,
    Stage.CLOSED,
    Stage.ARCHIVED,
)
TERMINAL: frozenset[Stage] = frozenset({Stage.ARCHIVED})

PARTY_KINDS: dict[str, str] = {"unit": "单位", "individual": "个人"}


# ------------------------------------------------------------------------------------------------
# Penalty kinds (行政处罚法 2021 第九条 / 第六十三条)
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyKind:
    key: str
    label: str
    monetary: bool  # has an amount
    hearing: str  # "always" / "amount" (when ≥ the 较大数额 threshold) / "never"
    source: str
    confidence: str


PENALTY_KINDS: tuple[PenaltyKind, ...] = (
    PenaltyKind("warning", "警告", False, "never", "行政处罚法(2021) 第九条、第六十三条", "medium"),
    PenaltyKind(
        "fine", "罚款", True, "amount", "行政处罚法(2021) 第六十三条（一）较大数额罚款", "medium"
    ),
    PenaltyKind(
        "confiscation",
        "没收违法所得、没收非法财物",
        True,
        "amount",
        "行政处罚法(2021) 第六十三条（二）没收较大数额违法所得、没收较大价值非法财物",
        "medium",
    ),
    PenaltyKind(
        "suspension",
        "责令停产停业",
        False,
        "always",
        "行政处罚法(2021) 第六十三条（四）责令停产停业",
        "medium",
    ),
    PenaltyKind(
        "license_suspension",
        "暂扣许可证",
        False,
        "always",
        "行政处罚法(2021) 第六十三条（五）其他较重的行政处罚（暂扣列入为本系统的从严理解）",
        "low",
    ),
    PenaltyKind(
        "license_revocation",
        "吊销许可证",
        False,
        "always",
        "行政处罚法(2021) 第六十三条（三）吊销许可证件",
        "medium",
    ),
    PenaltyKind(
        "closure", "关闭", False, "always", "行政处罚法(2021) 第六十三条（四）责令关闭", "medium"
    ),
)
PENALTY_KIND_BY_KEY: dict[str, PenaltyKind] = {k.key: k for k in PENALTY_KINDS}
PENALTY_KIND_LABELS: dict[str, str] = {k.key: k.label for k in PENALTY_KINDS}


# ------------------------------------------------------------------------------------------------
# Statutory limits: one data table, chosen by the 立案 date
# ------------------------------------------------------------------------------------------------

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


# ------------------------------------------------------------------------------------------------
# Facts and guards
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PenaltyFacts:
    kind: str
    amount: Decimal | None = None
    basis: str = ""
    decision_no: str = ""
    decided_on: dt.date | None = None
    served_on: dt.date | None = None
    due_on: dt.date | None = None
    paid_amount: Decimal = Decimal("0")
    paid_on: dt.date | None = None


@dataclass(frozen=True)
class CaseFacts:
    """Everything a guard may look at, read from the record by the services layer."""

    today: dt.date
    filed_on: dt.date
    party_kind: str = "unit"
    inspector_certificates: tuple[str, ...] = ()
    facts: str = ""
    discovered_on: dt.date | None = None
    evidence_taken_on: dt.date | None = None
    notified_on: dt.date | None = None
    hearing_offered: bool = False
    hearing_requested_on: dt.date | None = None
    extensions: int = 0
    court_enforcement_on: dt.date | None = None
    penalties: tuple[PenaltyFacts, ...] = ()
    note: str = ""
    actor_is_leader: bool = False

    # Aggregates over the penalties (a case may combine 警告 + 罚款 …).
    @property
    def fine_total(self) -> Decimal:
        return sum((p.amount or Decimal(0) for p in self.penalties if p.kind == "fine"), Decimal(0))

    def _all(self, attribute: str) -> dt.date | None:
        values = [getattr(p, attribute) for p in self.penalties]
        if not values or any(v is None for v in values):
            return None
        return max(values)

    @property
    def decided_on(self) -> dt.date | None:
        return self._all("decided_on")

    @property
    def served_on(self) -> dt.date | None:
        return self._all("served_on")

    @property
    def paid_on(self) -> dt.date | None:
        fines = [p for p in self.penalties if p.kind == "fine"]
        if not fines or any(p.paid_on is None for p in fines):
            return None
        return max(p.paid_on for p in fines if p.paid_on is not None)


Guard = Callable[[CaseFacts], str | None]


def hearing_right(facts: CaseFacts) -> bool:
    """行政处罚法(2021) 第六十三条: the penalties that give the party a right to a hearing."""
    rules = rule_set_for(facts.filed_on)
    threshold = (
        rules.hearing_threshold_unit
        if facts.party_kind == "unit"
        else rules.hearing_threshold_individual
    )
    for penalty in facts.penalties:
        kind = PENALTY_KIND_BY_KEY.get(penalty.kind)
        if kind is None:
            continue
        if kind.hearing == "always":
            return True
        if kind.hearing == "amount" and (penalty.amount or Decimal(0)) >= threshold:
            return True
    return False


def two_certified_inspectors(facts: CaseFacts) -> str | None:
    certified = {c.strip() for c in facts.inspector_certificates if c and c.strip()}
    if len(certified) < 2:
        return "案件应由两名以上持有执法证的执法人员承办（15号令第二十四条）"
    return None


def facts_recorded(facts: CaseFacts) -> str | None:
    if len(facts.facts.strip()) < 10:
        return "请先填写违法事实及证据摘要（不少于10个字）"
    return None


def penalty_recorded(facts: CaseFacts) -> str | None:
    if not facts.penalties:
        return "尚未登记拟作出的行政处罚（种类、金额、依据）"
    for penalty in facts.penalties:
        kind = PENALTY_KIND_BY_KEY.get(penalty.kind)
        label = kind.label if kind else penalty.kind
        if kind is None:
            return f"未知的处罚种类：{penalty.kind}"
        if kind.monetary and (penalty.amount is None or penalty.amount <= 0):
            return f"“{label}”应登记金额"
        if not penalty.basis.strip():
            return f"“{label}”应登记处罚依据"
    return None


def hearing_rights_offered(facts: CaseFacts) -> str | None:
    if hearing_right(facts) and not facts.hearing_offered:
        return (
            "拟作出的处罚达到听证标准（较大数额罚款、责令停产停业、吊销许可证等），"
            "应当告知当事人有要求听证的权利（行政处罚法第六十三条）"
        )
    return None


def hearing_offered_to_party(facts: CaseFacts) -> str | None:
    if not facts.hearing_offered:
        return "未告知听证权利，或拟作出的处罚不属于听证范围"
    return None


def hearing_requested_in_time(facts: CaseFacts) -> str | None:
    limit = limits_for(facts.filed_on)["hearing_request"]
    if facts.notified_on is None:
        return "尚未告知当事人"
    due = add_days(facts.notified_on, limit.days, limit.day_kind)
    if facts.today > due:
        return f"听证申请期限已于{due.isoformat()}届满（{limit.days}日，{limit.source}）"
    return None


def party_period_over(facts: CaseFacts) -> str | None:
    """The decision waits until the party's 陈述申辩 / 听证申请 periods have run out."""
    if facts.notified_on is None:
        return "尚未告知当事人拟作出的行政处罚"
    limits = limits_for(facts.filed_on)
    keys = ["statement"] + (["hearing_request"] if facts.hearing_offered else [])
    for key in keys:
        limit = limits[key]
        due = add_days(facts.notified_on, limit.days, limit.day_kind)
        if facts.today <= due and facts.hearing_requested_on is None:
            return f"当事人的{limit.name}至{due.isoformat()}届满，期满后方可作出处罚决定"
    return None


def decision_recorded(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        if not penalty.decision_no.strip() or penalty.decided_on is None:
            return "请先登记处罚决定书文号和决定日期"
        if penalty.decided_on > facts.today:
            return "决定日期不能晚于今天"
    return None


def served_recorded(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        if penalty.served_on is None:
            return "请先登记处罚决定书的送达日期"
        if penalty.decided_on is not None and penalty.served_on < penalty.decided_on:
            return "送达日期不能早于决定日期"
    return None


def fulfilled(facts: CaseFacts) -> str | None:
    """结案 after execution: every fine (with its surcharge) paid, or enforcement applied for."""
    if facts.court_enforcement_on is not None:
        return None
    for penalty in facts.penalties:
        if penalty.kind != "fine" or penalty.amount is None:
            continue
        owed = penalty.amount + late_payment_surcharge(
            penalty.amount, penalty.due_on, penalty.paid_on or facts.today
        )
        if penalty.paid_amount < owed:
            return (
                f"罚款尚未缴清（应缴{owed}元，已缴{penalty.paid_amount}元），"
                "缴清或申请人民法院强制执行后方可结案"
            )
    return None


def payment_overdue(facts: CaseFacts) -> str | None:
    for penalty in facts.penalties:
        if penalty.kind == "fine" and penalty.paid_on is None and penalty.due_on is not None:
            if facts.today > penalty.due_on:
                return None
    return "罚款缴纳期限尚未届满或已缴纳，不能申请强制执行"


def note_given(facts: CaseFacts) -> str | None:
    if len(facts.note.strip()) < 2:
        return "请填写理由"
    return None


def leader_approves(facts: CaseFacts) -> str | None:
    if not facts.actor_is_leader:
        return "此操作须由负责人审批"
    return None


def extension_available(facts: CaseFacts) -> str | None:
    rules = rule_set_for(facts.filed_on)
    if facts.extensions >= len(rules.decision_extensions):
        return f"{rules.name}没有可再批准的延期"
    return None


def undecided(facts: CaseFacts) -> str | None:
    if facts.decided_on is not None:
        return "已作出处罚决定，不能再撤销立案"
    return None


def _all_of(*guards: Guard) -> tuple[Guard, ...]:
    return guards


# ------------------------------------------------------------------------------------------------
# THE transition table
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    stage: Stage
    action: str
    label: str
    target: Stage
    guards: tuple[Guard, ...] = field(default_factory=tuple)
    needs_note: bool = False  # the page asks for a reason

    @property
    def guard_names(self) -> list[str]:
        return [g.__name__ for g in self.guards]


S = Stage
# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.FILED, "investigate", "开始调查取证", S.INVESTIGATION,
               _all_of(two_certified_inspectors)),
    Transition(S.FILED, "withdraw", "撤销立案", S.WITHDRAWN,
               _all_of(note_given, leader_approves), needs_note=True),
    Transition(S.INVESTIGATION, "submit", "调查终结，提交审查", S.REVIEW,
               _all_of(two_certified_inspectors, facts_recorded, penalty_recorded)),
    Transition(S.INVESTIGATION, "extend", "批准延期办理", S.INVESTIGATION,
               _all_of(note_given, leader_approves, extension_available), needs_note=True),
    Transition(S.INVESTIGATION, "withdraw", "撤销立案", S.WITHDRAWN,
               _all_of(note_given, leader_approves), needs_note=True),
    Transition(S.REVIEW, "notify", "审查通过，告知陈述申辩", S.NOTICE,
               _all_of(leader_approves, penalty_recorded, hearing_rights_offered)),
    Transition(S.REVIEW, "notify_hearing", "审查通过，告知陈述申辩及听证权利", S.NOTICE,
               _all_of(leader_approves, penalty_recorded)),
    Transition(S.REVIEW, "return", "退回补充调查", S.INVESTIGATION,
               _all_of(note_given), needs_note=True),
    Transition(S.REVIEW, "no_penalty", "不予行政处罚", S.CLOSED,
               _all_of(note_given, leader_approves), needs_note=True),
    Transition(S.REVIEW, "extend", "批准延期办理", S.REVIEW,
               _all_of(note_given, leader_approves, extension_available), needs_note=True),
    Transition(S.REVIEW, "withdraw", "撤销立案", S.WITHDRAWN,
               _all_of(note_given, leader_approves, undecided), needs_note=True),
    Transition(S.NOTICE, "request_hearing", "当事人申请听证", S.HEARING,
               _all_of(hearing_offered_to_party, hearing_requested_in_time)),
    Transition(S.NOTICE, "reconsider", "采纳陈述申辩，重新审查", S.REVIEW,
               _all_of(note_given), needs_note=True),
    Transition(S.NOTICE, "decide", "作出处罚决定", S.DECISION,
               _all_of(leader_approves, penalty_recorded, hearing_rights_offered,
                       party_period_over, decision_recorded)),
    Transition(S.NOTICE, "extend", "批准延期办理", S.NOTICE,
               _all_of(note_given, leader_approves, extension_available), needs_note=True),
    Transition(S.HEARING, "decide", "听证后作出处罚决定", S.DECISION,
               _all_of(leader_approves, penalty_recorded, decision_recorded)),
    Transition(S.HEARING, "reconsider", "听证意见成立，重新审查", S.REVIEW,
               _all_of(note_given), needs_note=True),
    Transition(S.HEARING, "extend", "批准延期办理", S.HEARING,
               _all_of(note_given, leader_approves, extension_available), needs_note=True),
    Transition(S.DECISION, "serve", "送达处罚决定书", S.SERVICE,
               _all_of(decision_recorded, served_recorded)),
    Transition(S.SERVICE, "execute", "进入执行", S.EXECUTION,
               _all_of(served_recorded)),
    Transition(S.EXECUTION, "enforce", "申请人民法院强制执行", S.EXECUTION,
               _all_of(note_given, leader_approves, payment_overdue), needs_note=True),
    Transition(S.EXECUTION, "close", "执行完毕，结案", S.CLOSED,
               _all_of(fulfilled)),
    Transition(S.CLOSED, "archive", "立卷归档", S.ARCHIVED, ()),
    Transition(S.WITHDRAWN, "archive", "立卷归档", S.ARCHIVED, ()),
)
# fmt: on
ACTION_LABELS: dict[str, str] = {}
for _row in TRANSITIONS:
    ACTION_LABELS.setdefault(_row.action, _row.label)


class IllegalTransition(Exception):
    """A move the procedure does not allow; `reason` is Chinese and shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def row_for(stage: Stage | str, action: str) -> Transition | None:
    stage = Stage(stage)
    for row in TRANSITIONS:
        if row.stage == stage and row.action == action:
            return row
    return None


def refusal(row: Transition, facts: CaseFacts) -> str | None:
    """The first guard's refusal reason, or None when the move is allowed."""
    for guard in row.guards:
        reason = guard(facts)
        if reason:
            return reason
    return None


def next_stage(stage: Stage | str, action: str, facts: CaseFacts) -> Stage:
    stage = Stage(stage)
    row = row_for(stage, action)
    if row is None:
        options = "、".join(r.label for r in TRANSITIONS if r.stage == stage) or "无（已终结）"
        raise IllegalTransition(
            f"“{stage.label}”阶段不能执行“{ACTION_LABELS.get(action, action)}”；"
            f"此阶段可执行：{options}"
        )
    reason = refusal(row, facts)
    if reason:
        raise IllegalTransition(reason)
    return row.target


def rows_from(stage: Stage | str) -> list[Transition]:
    stage = Stage(stage)
    return [row for row in TRANSITIONS if row.stage == stage]


def allowed_actions(stage: Stage | str, facts: CaseFacts) -> list[Transition]:
    """The rows from this stage whose guards pass (a note-requiring row is checked without it)."""
    out = []
    for row in rows_from(stage):
        probe = facts
        if row.needs_note and not facts.note.strip():
            probe = _with(facts, note="（待填写）")
        if refusal(row, probe) is None:
            out.append(row)
    return out


def explain(stage: Stage | str, facts: CaseFacts) -> list[tuple[Transition, str]]:
    """Why each move from this stage that is not allowed now is refused: (row, Chinese reason).

    For the case page, beside the moves it offers. A note-requiring move is judged as if the note were
    given (the page asks for the note with the move), so its reason is the real obstacle.
    """
    allowed = {row.action for row in allowed_actions(stage, facts)}
    probe = facts if facts.note.strip() else _with(facts, note="（待填写）")
    out = []
    for row in rows_from(stage):
        if row.action in allowed:
            continue
        reason = refusal(row, probe)
        if reason:
            out.append((row, reason))
    return out


def _with(facts: CaseFacts, **changes: object) -> CaseFacts:
    from dataclasses import replace

    return replace(facts, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# Clocks
# ------------------------------------------------------------------------------------------------

OK, DUE_SOON, OVERDUE, DONE, LATE, LAPSED = "ok", "due_soon", "overdue", "done", "late", "lapsed"
DEADLINE_STATE_LABELS = {
    OK: "期限内",
    DUE_SOON: "即将到期",
    OVERDUE: "已逾期",
    DONE: "按期完成",
    LATE: "逾期完成",
    LAPSED: "已届满",
}


@dataclass(frozen=True)
class Deadline:
    key: str
    name: str
    start_event: str
    started_on: dt.date
    due_on: dt.date
    state: str
    source: str
    confidence: str
    rule_set: str
    days: int
    day_kind: str

    @property
    def state_label(self) -> str:
        return DEADLINE_STATE_LABELS[self.state]

    @property
    def open(self) -> bool:
        return self.state in (OK, DUE_SOON, OVERDUE)


def decision_days(facts: CaseFacts) -> int:
    """The decision limit after the extensions approved so far."""
    limit = limits_for(facts.filed_on)["decision"]
    steps = rule_set_for(facts.filed_on).decision_extensions
    if facts.extensions and steps:
        return steps[min(facts.extensions, len(steps)) - 1][0]
    return limit.days


def _done_on(facts: CaseFacts, limit: Limit) -> dt.date | None:
    if limit.done_event is None:
        return None
    return getattr(facts, limit.done_event)


def deadlines(facts: CaseFacts, today: dt.date, soon_days: int = 3) -> list[Deadline]:
    """Every clock that has started for this case, with its due date and state on `today`."""
    out: list[Deadline] = []
    for limit in limits_for(facts.filed_on).values():
        started = getattr(facts, limit.start_event)
        if started is None:
            continue
        if limit.key == "hearing_request" and not facts.hearing_offered:
            continue
        if limit.key == "payment" and facts.fine_total <= 0:
            continue
        days = decision_days(facts) if limit.key == "decision" else limit.days
        due = add_days(started, days, limit.day_kind)
        done = _done_on(facts, limit)
        if done is not None:
            state = DONE if done <= due else LATE
        elif limit.lapses and (facts.decided_on or facts.hearing_requested_on):
            # The party's period no longer runs once a hearing was asked for or the decision made.
            state = LAPSED if today > due else DONE
        elif limit.lapses:
            state = LAPSED if today > due else (DUE_SOON if (due - today).days <= soon_days else OK)
        elif today > due:
            state = OVERDUE
        elif (due - today).days <= soon_days:
            state = DUE_SOON
        else:
            state = OK
        out.append(
            Deadline(
                limit.key,
                limit.name,
                limit.start_event,
                started,
                due,
                state,
                limit.source,
                limit.confidence,
                limit.rule_set,
                days,
                limit.day_kind,
            )
        )
    return sorted(out, key=lambda d: (d.due_on, d.key))


CENT = Decimal("0.01")


def late_payment_surcharge(
    fine: Decimal, due: dt.date | None, paid_on: dt.date | None, rate: Decimal = Decimal("0.03")
) -> Decimal:
    """加处罚款: 3 % of the fine per day after the due date, never more than the fine itself."""
    if due is None or paid_on is None or paid_on <= due or fine <= 0:
        return Decimal("0.00")
    days = (paid_on - due).days
    return min(fine * rate * days, fine).quantize(CENT, rounding=ROUND_HALF_UP)


def filing_refusal(evidence_taken_on: dt.date | None, filed_on: dt.date) -> str | None:
    """立案 within the limit after on-the-spot evidence taking (the open_case check)."""
    if evidence_taken_on is None:
        return None
    if filed_on < evidence_taken_on:
        return "立案日期不能早于先行调查取证日期"
    limit = limits_for(filed_on)["filing"]
    due = add_days(evidence_taken_on, limit.days, limit.day_kind)
    if filed_on > due:
        return (
            f"先行调查取证后应在{limit.days}日内补办立案手续（{limit.source}），"
            f"期限已于{due.isoformat()}届满"
        )
    return None


# ------------------------------------------------------------------------------------------------
# docs/workflow.md is generated from the tables above (a unit test compares them)
# ------------------------------------------------------------------------------------------------

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
        "Generated from `platform/enforcement/domain/workflow.py` — do not edit by hand; run",
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


if __name__ == "__main__":
    print(render_markdown(), end="")
