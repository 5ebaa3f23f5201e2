"""企业执法档案: everything the platform did at one enterprise, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.models import (
    Case,
    Enterprise,
    Hazard,
    Inspection,
    Penalty,
    RectificationOrder,
    Task,
)


def enterprise_history(session: Session, enterprise: Enterprise) -> dict[str, list[Any]]:
    """Every task, inspection, hazard, order, case and penalty of an enterprise, newest first."""

    def rows(model: Any, order: Any) -> list[Any]:
        return list(
            session.scalars(
                select(model).where(model.enterprise_id == enterprise.id).order_by(order.desc())
            )
        )

    return {
        "tasks": rows(Task, Task.due_on),
        "inspections": rows(Inspection, Inspection.started_at),
        "hazards": rows(Hazard, Hazard.id),
        "orders": rows(RectificationOrder, RectificationOrder.issued_on),
        "cases": rows(Case, Case.filed_on),
        "penalties": list(
            session.scalars(
                select(Penalty)
                .join(Case, Penalty.case_id == Case.id)
                .where(Case.enterprise_id == enterprise.id)
                .order_by(Penalty.id.desc())
            )
        ),
    }
