"""立案查处: the case procedure as ONE transition table, the statutory clocks as ONE limits table.

Pure Python (no Flask, FAB or SQLAlchemy): the services layer builds a frozen `CaseFacts` from the
record and asks this package what may happen next. Guards are plain functions of the facts returning
None (allowed) or a Chinese refusal reason. Sources and confidence labels come from
`shared/domain/research.md` §4 and `research-2.md` §1: 应急管理部令第18号 (in force 2026-02-01)
replaces 15号令, but its article text was not retrieved, so its rows are labelled low and follow
《行政处罚法》(2021); the rule set is chosen by the case's 立案 date, so a verified 18号令 text is a
data change in `limits.py` and nothing else.

One module per part: `stages` (the stages), `penalties` (the penalty kinds), `limits` (the limits
and rule sets, the late-payment surcharge), `facts` (what guards look at), `guards`, `transitions`
(the table, `next_stage`, `allowed_actions`, `explain`), `clocks` (`deadlines`), `markdown`
(docs/workflow.md). Callers use this package's names: ``from enforcement.domain import workflow``.
"""

from enforcement.domain.workflow.clocks import (
    DEADLINE_STATE_LABELS,
    DONE,
    DUE_SOON,
    LAPSED,
    LATE,
    OK,
    OVERDUE,
    Deadline,
    deadlines,
    decision_days,
)
from enforcement.domain.workflow.facts import CaseFacts, PenaltyFacts
from enforcement.domain.workflow.guards import (
    Guard,
    decision_recorded,
    extension_available,
    facts_recorded,
    filing_refusal,
    fulfilled,
    hearing_offered_to_party,
    hearing_requested_in_time,
    hearing_right,
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
from enforcement.domain.workflow.limits import (
    CALENDAR,
    CENT,
    EVENT_LABELS,
    LIMITS,
    RULE_15,
    RULE_18,
    RULE_18_FROM,
    RULE_SETS,
    UNSPECIFIED,
    WORKING,
    Limit,
    RuleSet,
    add_days,
    late_payment_surcharge,
    limits_for,
    rule_set_for,
)
from enforcement.domain.workflow.markdown import GUARD_RULES, render_markdown
from enforcement.domain.workflow.penalties import (
    PENALTY_KIND_BY_KEY,
    PENALTY_KIND_LABELS,
    PENALTY_KINDS,
    PenaltyKind,
)
from enforcement.domain.workflow.stages import (
    MAIN_LINE,
    PARTY_KINDS,
    STAGE_LABELS,
    TERMINAL,
    Stage,
)
from enforcement.domain.workflow.transitions import (
    ACTION_LABELS,
    TRANSITIONS,
    IllegalTransition,
    Transition,
    allowed_actions,
    explain,
    next_stage,
    refusal,
    row_for,
    rows_from,
)

__all__ = [
    "ACTION_LABELS",
    "CALENDAR",
    "CENT",
    "DEADLINE_STATE_LABELS",
    "DONE",
    "DUE_SOON",
    "EVENT_LABELS",
    "GUARD_RULES",
    "LAPSED",
    "LATE",
    "LIMITS",
    "MAIN_LINE",
    "OK",
    "OVERDUE",
    "PARTY_KINDS",
    "PENALTY_KINDS",
    "PENALTY_KIND_BY_KEY",
    "PENALTY_KIND_LABELS",
    "RULE_15",
    "RULE_18",
    "RULE_18_FROM",
    "RULE_SETS",
    "STAGE_LABELS",
    "TERMINAL",
    "TRANSITIONS",
    "UNSPECIFIED",
    "WORKING",
    "CaseFacts",
    "Deadline",
    "Guard",
    "IllegalTransition",
    "Limit",
    "PenaltyFacts",
    "PenaltyKind",
    "RuleSet",
    "Stage",
    "Transition",
    "add_days",
    "allowed_actions",
    "deadlines",
    "decision_days",
    "decision_recorded",
    "explain",
    "extension_available",
    "facts_recorded",
    "filing_refusal",
    "fulfilled",
    "hearing_offered_to_party",
    "hearing_requested_in_time",
    "hearing_right",
    "hearing_rights_offered",
    "late_payment_surcharge",
    "leader_approves",
    "limits_for",
    "next_stage",
    "note_given",
    "party_period_over",
    "payment_overdue",
    "penalty_recorded",
    "refusal",
    "render_markdown",
    "row_for",
    "rows_from",
    "rule_set_for",
    "served_recorded",
    "two_certified_inspectors",
    "undecided",
]
