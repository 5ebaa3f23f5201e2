"""THE transition table: stage, action, target, guards; and what it answers (next stage, the
moves allowed now, why the others are refused)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from enforcement.domain.calendar import CalendarGap
from enforcement.domain.workflow.facts import CaseFacts
from enforcement.domain.workflow.guards import (
    Guard,
    appeal_periods_over,
    collective_discussion_done,
    collective_discussion_pending,
    collective_not_flagged,
    decision_recorded,
    deferral_date_valid,
    extension_available,
    facts_recorded,
    fine_unpaid,
    fulfilled,
    hearing_date_noticed_in_time,
    hearing_held,
    hearing_offered_to_party,
    hearing_requested_in_time,
    hearing_rights_offered,
    leader_approves,
    legal_review_done,
    legal_review_not_flagged,
    legal_review_pending,
    not_heavier_than_notified,
    note_given,
    onsite_penalty_allowed,
    party_period_over,
    payment_overdue,
    penalty_recorded,
    reminder_served,
    served_recorded,
    two_certified_inspectors,
    undecided,
    within_court_window,
)
from enforcement.domain.workflow.stages import Stage


def _all_of(*guards: Guard) -> tuple[Guard, ...]:
    return guards


LEADER = "负责人"
COLLECTIVE = "负责人集体讨论"
LEGAL = "法制审核人员（本系统由负责人登记）"


@dataclass(frozen=True)
class Transition:
    stage: Stage
    action: str
    label: str
    target: Stage
    guards: tuple[Guard, ...] = field(default_factory=tuple)
    needs_note: bool = False  # the page asks for a reason
    form: str | None = None  # the document it is done with: a code of documents/catalogue.json
    source: str = ""  # the rule that makes this row (new rows of issue 10 cite theirs)
    needs_date: str = ""  # the page asks for this date (its label), e.g. the hearing's date
    approver: str = ""  # who approves, beyond leader_approves (which means 负责人)
    form_person: str | None = None  # the form when the party is an individual, where it differs

    def form_for(self, party_kind: str) -> str | None:
        return self.form_person if party_kind == "individual" and self.form_person else self.form

    @property
    def guard_names(self) -> list[str]:
        return [g.__name__ for g in self.guards]

    @property
    def approved_by(self) -> str:
        if self.approver:
            return self.approver
        return LEADER if leader_approves in self.guards else ""


_DECIDE = (legal_review_done, collective_discussion_done, not_heavier_than_notified)
_S58 = "行政处罚法(2021) 第五十八条"
_S57 = "行政处罚法(2021) 第五十七条第二款"

S = Stage
# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.FILED, "investigate", "开始调查取证", S.INVESTIGATION,
               _all_of(two_certified_inspectors)),
    Transition(S.FILED, "withdraw", "撤销立案", S.WITHDRAWN,
               _all_of(note_given, leader_approves), needs_note=True,
               form="case_revocation_record"),
    Transition(S.FILED, "onsite_penalty", "当场作出处罚决定（简易程序）", S.DECISION,
               _all_of(facts_recorded, penalty_recorded, onsite_penalty_allowed),
               form="onsite_penalty_unit", form_person="onsite_penalty_person",
               source="行政处罚法(2021) 第五十一条、第五十二条：单位三千元、个人二百元以下罚款或者警告，"
                      "可以当场作出行政处罚决定"),
    Transition(S.FILED, "require_legal_review", "列为须法制审核的案件", S.FILED,
               _all_of(note_given, legal_review_not_flagged), needs_note=True,
               source=_S58 + "（一）至（三）：涉及重大公共利益、直接关系当事人或者第三人重大权益、"
                      "案件情况疑难复杂"),
    Transition(S.FILED, "require_collective", "列为须集体讨论的案件", S.FILED,
               _all_of(note_given, collective_not_flagged), needs_note=True,
               source=_S57 + "：对情节复杂或者重大违法行为给予行政处罚，负责人应当集体讨论决定"),
    Transition(S.INVESTIGATION, "submit", "调查终结，提交审查", S.REVIEW,
               _all_of(two_certified_inspectors, facts_recorded, penalty_recorded),
               form="investigation_report"),
    Transition(S.INVESTIGATION, "extend", "批准延期办理", S.INVESTIGATION,
               _all_of(note_given, leader_approves, extension_available), needs_note=True,
               form="case_extension_approval"),
    Transition(S.INVESTIGATION, "withdraw", "撤销立案", S.WITHDRAWN,
               _all_of(note_given, leader_approves), needs_note=True,
               form="case_revocation_record"),
    Transition(S.INVESTIGATION, "transfer", "涉嫌犯罪，移送司法机关", S.TRANSFERRED,
               _all_of(note_given, leader_approves), needs_note=True, form="transfer_approval",
               source="行政处罚法(2021) 第二十七条：违法行为涉嫌犯罪的，行政机关应当及时将案件移送司法机关"
                      "（移送书 transfer_letter）"),
    Transition(S.INVESTIGATION, "require_legal_review", "列为须法制审核的案件", S.INVESTIGATION,
               _all_of(note_given, legal_review_not_flagged), needs_note=True,
               source=_S58 + "（一）至（三）"),
    Transition(S.INVESTIGATION, "require_collective", "列为须集体讨论的案件", S.INVESTIGATION,
               _all_of(note_given, collective_not_flagged), needs_note=True, source=_S57),
    Transition(S.REVIEW, "notify", "审查通过，告知陈述申辩", S.NOTICE,
               _all_of(leader_approves, penalty_recorded, hearing_rights_offered,
                       not_heavier_than_notified),
               form="penalty_notice"),
    Transition(S.REVIEW, "notify_hearing", "审查通过，告知陈述申辩及听证权利", S.NOTICE,
               _all_of(leader_approves, penalty_recorded, not_heavier_than_notified),
               form="hearing_notice"),
    Transition(S.REVIEW, "return", "退回补充调查", S.INVESTIGATION,
               _all_of(note_given), needs_note=True),
    Transition(S.REVIEW, "no_penalty", "不予行政处罚", S.CLOSED,
               _all_of(note_given, leader_approves), needs_note=True, form="no_penalty_decision",
               source="行政处罚法(2021) 第三十三条、第五十七条第一款（二）（三）：不予行政处罚决定书"),
    Transition(S.REVIEW, "extend", "批准延期办理", S.REVIEW,
               _all_of(note_given, leader_approves, extension_available), needs_note=True,
               form="case_extension_approval"),
    Transition(S.REVIEW, "withdraw", "撤销立案", S.WITHDRAWN,
               _all_of(note_given, leader_approves, undecided), needs_note=True,
               form="case_revocation_record"),
    Transition(S.REVIEW, "transfer", "涉嫌犯罪，移送司法机关", S.TRANSFERRED,
               _all_of(note_given, leader_approves), needs_note=True, form="transfer_approval",
               source="行政处罚法(2021) 第二十七条"),
    Transition(S.REVIEW, "require_legal_review", "列为须法制审核的案件", S.REVIEW,
               _all_of(note_given, legal_review_not_flagged), needs_note=True,
               source=_S58 + "（一）至（三）"),
    Transition(S.REVIEW, "require_collective", "列为须集体讨论的案件", S.REVIEW,
               _all_of(note_given, collective_not_flagged), needs_note=True, source=_S57),
    Transition(S.REVIEW, "legal_review", "法制审核通过", S.REVIEW,
               _all_of(note_given, leader_approves, legal_review_pending), needs_note=True,
               form="legal_review_opinion", approver=LEGAL, source=_S58),
    Transition(S.REVIEW, "collective_discussion", "负责人集体讨论决定", S.REVIEW,
               _all_of(note_given, leader_approves, collective_discussion_pending),
               needs_note=True, form="collective_discussion", approver=COLLECTIVE, source=_S57),
    Transition(S.NOTICE, "request_hearing", "当事人申请听证", S.HEARING,
               _all_of(hearing_offered_to_party, hearing_requested_in_time)),
    Transition(S.NOTICE, "reconsider", "采纳陈述申辩，重新审查", S.REVIEW,
               _all_of(note_given), needs_note=True, form="statement_record"),
    Transition(S.NOTICE, "decide", "作出处罚决定", S.DECISION,
               _all_of(leader_approves, penalty_recorded, hearing_rights_offered,
                       party_period_over, decision_recorded, *_DECIDE),
               form="penalty_decision_unit", form_person="penalty_decision_person"),
    Transition(S.NOTICE, "extend", "批准延期办理", S.NOTICE,
               _all_of(note_given, leader_approves, extension_available), needs_note=True,
               form="case_extension_approval"),
    Transition(S.NOTICE, "legal_review", "法制审核通过", S.NOTICE,
               _all_of(note_given, leader_approves, legal_review_pending), needs_note=True,
               form="legal_review_opinion", approver=LEGAL, source=_S58),
    Transition(S.NOTICE, "collective_discussion", "负责人集体讨论决定", S.NOTICE,
               _all_of(note_given, leader_approves, collective_discussion_pending),
               needs_note=True, form="collective_discussion", approver=COLLECTIVE, source=_S57),
    Transition(S.HEARING, "schedule_hearing", "通知听证会时间、地点", S.HEARING,
               _all_of(hearing_date_noticed_in_time), form="hearing_meeting_notice",
               needs_date="听证会日期",
               source="行政处罚法(2021) 第六十四条（二）：举行听证的七日前通知；第八十五条：七日为工作日"),
    Transition(S.HEARING, "decide", "听证后作出处罚决定", S.DECISION,
               _all_of(leader_approves, penalty_recorded, hearing_held, decision_recorded,
                       *_DECIDE),
               form="penalty_decision_unit", form_person="penalty_decision_person"),
    Transition(S.HEARING, "reconsider", "听证意见成立，重新审查", S.REVIEW,
               _all_of(note_given), needs_note=True, form="hearing_report"),
    Transition(S.HEARING, "extend", "批准延期办理", S.HEARING,
               _all_of(note_given, leader_approves, extension_available), needs_note=True,
               form="case_extension_approval"),
    Transition(S.HEARING, "legal_review", "法制审核通过", S.HEARING,
               _all_of(note_given, leader_approves, hearing_held, legal_review_pending),
               needs_note=True, form="legal_review_opinion", approver=LEGAL,
               source=_S58 + "（四）：经过听证程序的，作出决定前应当法制审核"),
    Transition(S.HEARING, "collective_discussion", "负责人集体讨论决定", S.HEARING,
               _all_of(note_given, leader_approves, collective_discussion_pending),
               needs_note=True, form="collective_discussion", approver=COLLECTIVE, source=_S57),
    Transition(S.DECISION, "serve", "送达处罚决定书", S.SERVICE,
               _all_of(decision_recorded, served_recorded), form="service_receipt"),
    Transition(S.SERVICE, "execute", "进入执行", S.EXECUTION,
               _all_of(served_recorded)),
    Transition(S.EXECUTION, "defer_payment", "批准延期（分期）缴纳罚款", S.EXECUTION,
               _all_of(note_given, leader_approves, fine_unpaid, deferral_date_valid),
               needs_note=True, needs_date="延期（分期）缴纳截止日期",
               form="fine_deferral_approval",
               source="行政处罚法(2021) 第六十六条第二款：确有经济困难，经当事人申请和行政机关批准，"
                      "可以暂缓或者分期缴纳（决定书 fine_deferral_approval_letter）；第七十二条第二款"),
    Transition(S.EXECUTION, "serve_reminder", "送达催告书", S.EXECUTION,
               _all_of(payment_overdue), form="enforcement_reminder",
               source="行政强制法 第五十四条：申请人民法院强制执行前，应当催告当事人履行义务"),
    Transition(S.EXECUTION, "enforce", "申请人民法院强制执行", S.EXECUTION,
               _all_of(note_given, leader_approves, payment_overdue, reminder_served,
                       appeal_periods_over, within_court_window),
               needs_note=True, form="enforcement_application",
               source="行政强制法 第五十三条、第五十四条；行政处罚法(2021) 第七十二条"),
    Transition(S.EXECUTION, "close", "执行完毕，结案", S.CLOSED,
               _all_of(fulfilled), form="case_closing_approval"),
    Transition(S.CLOSED, "archive", "立卷归档", S.ARCHIVED, (), form="case_file_cover"),
    Transition(S.WITHDRAWN, "archive", "立卷归档", S.ARCHIVED, (), form="case_file_cover"),
    Transition(S.TRANSFERRED, "archive", "立卷归档", S.ARCHIVED, (), form="case_file_cover"),
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
        try:
            reason = guard(facts)
        except CalendarGap as gap:  # a year without a holiday table: refused, never guessed
            return gap.messages[0]
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
        if refusal(row, _probe(row, facts)) is None:
            out.append(row)
    return out


def _probe(row: Transition, facts: CaseFacts) -> CaseFacts:
    """The facts as if the page's note and date were filled in (the page asks for them with the
    move; their own checks run when it is submitted)."""
    probe = facts
    if row.needs_note and not facts.note.strip():
        probe = _with(probe, note="（待填写）")
    if row.needs_date and facts.step_date is None:
        probe = _with(probe, step_date=facts.today + timedelta(days=366))
    return probe


def explain(stage: Stage | str, facts: CaseFacts) -> list[tuple[Transition, str]]:
    """Why each move from this stage that is not allowed now is refused: (row, Chinese reason).

    For the case page, beside the moves it offers. A note-requiring move is judged as if the note were
    given (the page asks for the note with the move), so its reason is the real obstacle.
    """
    allowed = {row.action for row in allowed_actions(stage, facts)}
    out = []
    for row in rows_from(stage):
        if row.action in allowed:
            continue
        reason = refusal(row, _probe(row, facts))
        if reason:
            out.append((row, reason))
    return out


def _with(facts: CaseFacts, **changes: object) -> CaseFacts:
    from dataclasses import replace

    return replace(facts, **changes)  # type: ignore[arg-type]
