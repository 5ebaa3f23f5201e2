"""The procedure as data for others: `enforcement workflow show --json` prints `workflow_data()`,
`schemas/workflow.schema.json` validates it, and docs/workflow.md is rendered from it."""

from __future__ import annotations

from typing import Any

from enforcement.domain.workflow.limits import EVENT_LABELS, LIMITS, RULE_SETS, Limit
from enforcement.domain.workflow.penalties import PENALTY_KINDS
from enforcement.domain.workflow.stages import MAIN_LINE, Stage
from enforcement.domain.workflow.transitions import TRANSITIONS, Transition


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _limit(limit: Limit) -> dict[str, Any]:
    return {
        "key": limit.key,
        "name": limit.name,
        "rule_set": limit.rule_set,
        "days": limit.days if limit.kind != "months" else None,
        "months": limit.days if limit.kind == "months" else None,
        "kind": limit.kind,
        "start_event": limit.start_event,
        "start_event_label": EVENT_LABELS[limit.start_event],
        "done_event": limit.done_event,
        "waiting_period": limit.minimum,
        "applies_from": _day(limit.applies_from),
        "applies_until": _day(limit.applies_until),
        "source": limit.source,
        "confidence": limit.confidence,
        "to_verify": limit.to_verify,
    }


def _transition(row: Transition) -> dict[str, Any]:
    return {
        "stage": row.stage.value,
        "action": row.action,
        "label": row.label,
        "target": row.target.value,
        "guards": row.guard_names,
        "approved_by": row.approved_by or None,
        "needs_note": row.needs_note,
        "needs_date": row.needs_date or None,
        "form": row.form,
        "source": row.source or None,
    }


def workflow_data() -> dict[str, Any]:
    """Rule sets, stages, transitions and limits, in table order (stable for diffs)."""
    from enforcement.domain.workflow.markdown import GUARD_RULES

    return {
        "rule_sets": [
            {
                "name": r.name,
                "title": r.title,
                "applies_from": _day(r.applies_from),
                "applies_until": _day(r.applies_until),
                "verified": r.verified,
                "decision_extensions": [
                    {"total_days": d, "approved_by": who, "source": src, "confidence": conf}
                    for d, who, src, conf in r.decision_extensions
                ],
                "hearing_threshold_unit": str(r.hearing_threshold_unit),
                "hearing_threshold_individual": str(r.hearing_threshold_individual),
                "hearing_threshold_source": r.hearing_threshold_source,
                "surcharge_rate": str(r.surcharge_rate),
                "surcharge_source": r.surcharge_source,
            }
            for r in RULE_SETS
        ],
        "stages": [{"key": s.value, "label": s.label, "main_line": s in MAIN_LINE} for s in Stage],
        "transitions": [_transition(row) for row in TRANSITIONS],
        "guards": [{"name": name, "rule": rule} for name, rule in GUARD_RULES.items()],
        "limits": [_limit(limit) for limit in LIMITS],
        "penalty_kinds": [
            {
                "key": k.key,
                "label": k.label,
                "monetary": k.monetary,
                "hearing": k.hearing,
                "source": k.source,
                "confidence": k.confidence,
            }
            for k in PENALTY_KINDS
        ],
    }
