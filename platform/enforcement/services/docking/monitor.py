"""数据对接情况: per province, what its systems pushed, what was refused and why, and how much of
the province's own register (enterprises, enforcers) has arrived through docking."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from enforcement.models import Department, DockingBatch, DockingRecord, Enforcer, Enterprise, Region
from enforcement.services.docking.spec import CODES

RECENT_BATCHES = 20


@dataclass
class Province:
    code: str
    name: str
    last_push: dt.datetime | None = None
    last_source: str | None = None
    batches: int = 0
    records: Counter[str] = field(default_factory=Counter)
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: list[dict[str, Any]] = field(default_factory=list)
    enterprises: int = 0
    enterprises_docked: int = 0
    enforcers: int = 0
    enforcers_docked: int = 0

    @property
    def lag_hours(self) -> float | None:
        if self.last_push is None:
            return None
        return round((dt.datetime.now() - self.last_push).total_seconds() / 3600, 1)

    @staticmethod
    def _share(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "—"

    @property
    def enterprise_share(self) -> str:
        return self._share(self.enterprises_docked, self.enterprises)

    @property
    def enforcer_share(self) -> str:
        return self._share(self.enforcers_docked, self.enforcers)


def _province(code: str | None) -> str | None:
    return f"{code[:2]}0000" if code else None


def overview(session: Session) -> list[Province]:
    """Every province that has docked or pushed anything, as far as the caller sees (the session
    scopes batches, records and the register by jurisdiction)."""
    provinces: dict[str, Province] = {}

    def get(code: str | None) -> Province | None:
        code = _province(code)
        if code is None:
            return None
        if code not in provinces:
            region = session.get(Region, code)
            provinces[code] = Province(code, region.name if region else code)
        return provinces[code]

    batches = session.scalars(
        select(DockingBatch).order_by(DockingBatch.received_at.desc(), DockingBatch.id.desc())
    ).all()
    recent: Counter[str] = Counter()
    for batch in batches:
        province = get(batch.region_code or "")
        if province is None:
            continue
        province.batches += 1
        if province.last_push is None:
            province.last_push, province.last_source = batch.received_at, batch.source
        recent[province.code] += 1
        if recent[province.code] > RECENT_BATCHES:
            continue
        for rejected in batch.summary.get("rejected", []):
            for error in rejected.get("errors", []):
                code = error.get("code", "invalid_value")
                province.reasons[(code, CODES.get(code, code))] += 1
                if len(province.examples) < 10:
                    province.examples.append(
                        {
                            "source": batch.source,
                            "at": batch.received_at,
                            "type": rejected.get("type"),
                            "id": rejected.get("id"),
                            "path": error.get("path"),
                            "message": error.get("message"),
                        }
                    )
    # Constants inline: PostgreSQL matches the grouped expression to the selected one only when
    # both read substr(x, 1, 2), not two different bound parameters.
    province_code = func.substr(DockingRecord.region_code, literal_column("1"), literal_column("2"))
    counts = session.execute(
        select(province_code, DockingRecord.record_type, func.count())
        .where(DockingRecord.deleted.is_(False))
        .group_by(province_code, DockingRecord.record_type)
    )
    for prefix, record_type, count in counts:
        province = get(f"{prefix}0000")
        if province is not None:
            province.records[record_type] = count
    for province in provinces.values():
        prefix = province.code[:2] + "%"
        province.enterprises = (
            session.scalar(
                select(func.count())
                .select_from(Enterprise)
                .where(Enterprise.region_code.like(prefix))
            )
            or 0
        )
        province.enforcers = (
            session.scalar(
                select(func.count())
                .select_from(Enforcer)
                .join(Department, Enforcer.department_id == Department.id)
                .where(Department.region_code.like(prefix))
            )
            or 0
        )
        province.enterprises_docked = province.records.get("enterprise", 0)
        province.enforcers_docked = province.records.get("enforcer", 0)
    return sorted(provinces.values(), key=lambda p: p.code)
