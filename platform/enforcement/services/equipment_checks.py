"""What an equipment label's QR code opens: one piece of equipment's checks (逐设备).

Read through the caller's scoped session: equipment of another region is simply not found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.models import Equipment, Hazard, Inspection


def equipment(session: Session, equipment_id: int) -> Equipment | None:
    return session.scalar(select(Equipment).where(Equipment.id == equipment_id))


def checks_of(session: Session, item: Equipment) -> dict[str, list[Any]]:
    """The hazards found on this equipment, and its enterprise's inspections, newest first."""
    hazards = session.scalars(
        select(Hazard).where(Hazard.equipment_id == item.id).order_by(Hazard.id.desc())
    ).all()
    inspections = session.scalars(
        select(Inspection)
        .where(Inspection.enterprise_id == item.enterprise_id)
        .order_by(Inspection.started_at.desc())
        .limit(50)
    ).all()
    return {"hazards": list(hazards), "inspections": list(inspections)}
