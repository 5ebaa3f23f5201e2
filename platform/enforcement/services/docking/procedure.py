"""Docked cases (with their stage history) and penalties: stored as the province recorded them.

The platform does not re-run its transition guards on another system's history; the history is
appended to, never rewritten; a docked case is read-only here afterwards (services/cases.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from enforcement.models import Case, CaseTransition, Penalty, case_hazard
from enforcement.models.case import CASE_SOURCES
from enforcement.services.docking import context as c


def _history(ctx: c.Context, base: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for index, step in enumerate(data.get("stage_history") or []):
        at = c.moment(ctx, f"{base}/stage_history/{index}/at", step["at"])
        parts = [f"经办人：{step['by']}" if step.get("by") else "", step.get("note") or ""]
        out.append(
            {
                "from_stage": step.get("from_stage"),
                "to_stage": step["stage"],
                "at": at,
                "note": "；".join(p for p in parts if p) or None,
            }
        )
    return out


def write_case(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    enterprise = ctx.ref(f"{base}/enterprise_id", "enterprise", data["enterprise_id"], "企业")
    hazards = [
        ctx.ref(f"{base}/hazard_ids/{i}", "hazard", ident, "隐患")
        for i, ident in enumerate(data.get("hazard_ids") or [])
    ]
    enforcers = c.enforcers(ctx, f"{base}/enforcer_ids", data.get("enforcer_ids") or [])
    filed = c.day(ctx, f"{base}/filed_on", data["filed_on"])
    discovered = c.day(ctx, f"{base}/discovered_on", data.get("discovered_on")) or filed
    closed = c.day(ctx, f"{base}/closed_on", data.get("closed_on"))
    history = _history(ctx, base, data)
    region = c.region(ctx, base, data, enterprise) if enterprise is not None else None
    stored = list(row.transitions) if row is not None else []
    recorded = [(t.from_stage, t.to_stage, t.at) for t in stored]
    pushed = [(h["from_stage"], h["to_stage"], h["at"]) for h in history]
    if pushed[: len(recorded)] != recorded:
        message = "阶段记录只能追加：已接收的阶段记录不能修改或删除"
        ctx.refuse(f"{base}/stage_history", message, "conflict")
    if ctx.problems or region is None or filed is None or discovered is None:
        return None
    session = ctx.session
    case = row if row is not None else Case(docking_source=ctx.source, created_by=ctx.username)
    case.number = data.get("number") or f"对接 {ctx.source} {ctx.external_id}"[:64]
    case.title = data["title"]
    case.enterprise_id, case.region_code = enterprise.id, region
    case.stage = data["stage"]
    case.source = data["source"] if data.get("source") in CASE_SOURCES else "other"
    case.facts = data.get("facts") or ""
    case.party_kind = data.get("party_kind") or "unit"
    case.party_name = data.get("party_name")
    case.discovered_on, case.filed_on, case.closed_on = discovered, filed, closed
    case.enforcers = enforcers
    case.updated_by = ctx.username
    if row is None:
        session.add(case)
    session.flush()
    for step in history[len(stored) :]:
        session.add(
            CaseTransition(
                case_id=case.id,
                region_code=region,
                action="docked",
                actor=None,
                docking_source=ctx.source,
                **step,
            )
        )
    linked = set(
        session.scalars(select(case_hazard.c.hazard_id).where(case_hazard.c.case_id == case.id))
    )
    new = [h for h in hazards if h is not None and h.id not in linked]
    if new:
        session.execute(insert(case_hazard), [{"case_id": case.id, "hazard_id": h.id} for h in new])
    for hazard in new:
        hazard.case_id = case.id
    session.flush()
    return case


def write_penalty(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    case = ctx.ref(f"{base}/case_id", "case", data["case_id"], "案件")
    days = {
        name: c.day(ctx, f"{base}/{name}", data.get(name))
        for name in ("decided_on", "served_on", "due_on", "paid_on")
    }
    problem = ctx.region_problem(f"{base}/region_code", data.get("region_code"))
    if problem is not None:
        ctx.problems.append(problem)
    if ctx.problems or case is None:
        return None
    penalty = row if row is not None else Penalty(docking_source=ctx.source)
    penalty.case_id, penalty.region_code = case.id, case.region_code
    penalty.kind = data["kind"]
    penalty.amount = Decimal(str(data["amount"])) if data.get("amount") is not None else None
    paid = data.get("paid_amount")
    penalty.paid_amount = Decimal(str(paid)) if paid is not None else None
    penalty.basis = data.get("basis") or ""
    penalty.decision_no = data.get("decision_no")
    for name, value in days.items():
        setattr(penalty, name, value)
    if row is None:
        penalty.created_by = ctx.username
        ctx.session.add(penalty)
    ctx.session.flush()
    return penalty
