"""THE transition table: stage, action, target, guards; and what it answers (next stage, the
moves allowed now, why the others are refused)."""

from __future__ import annotations

from dataclasses import dataclass, field

from enforcement.domain.workflow.facts import CaseFacts
from enforcement.domain.workflow.guards import (
    Guard,
    decision_recorded,
    extension_available,
    facts_recorded,
    fulfilled,
    hearing_offered_to_party,
    hearing_requested_in_time,
    hearing_rights_offered,
    leader_approves,
    note_given,
    party_period_over,
    payment_overdue,
    penalty_recorded,
    served_recorded,
    two_certified_inspectors,
    undecided,
)
from enforcement.domain.workflow.stages import Stage


def _all_of(*guards: Guard) -> tuple[Guard, ...]:
    return guards


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
