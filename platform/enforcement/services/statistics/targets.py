"""The denominators of the notice's three targets, declared per region and year by its leader."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import transaction
from enforcement.domain.errors import FieldError, Refused
from enforcement.models import Region
from enforcement.models.statistics import RegionTarget

FIELDS = ("region_code", "year", "enterprises_expected", "enforcers_expected", "cases_expected")
LABELS = {
    "region_code": "行政区划代码",
    "year": "年度",
    "enterprises_expected": "应录入执法对象数（如登记注册的企业数）",
    "enforcers_expected": "应录入执法人员数（持证执法人员数）",
    "cases_expected": "应办案件数（含线下办理）",
}
LIMIT = 10_000_000


def _count(values: dict[str, Any], key: str, errors: list[FieldError]) -> int | None:
    raw = str(values.get(key) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > LIMIT:
        errors.append(FieldError(f"/{key}", f"{LABELS[key]}应为不超过{LIMIT}的非负整数"))
        return None
    return int(raw)


@transaction
def declare(session: Session, values: dict[str, Any]) -> RegionTarget:
    """Create or change the region's declaration for the year (inside the actor's jurisdiction)."""
    errors: list[FieldError] = []
    code = str(values.get("region_code") or "").strip()
    if session.get(Region, code) is None:
        errors.append(FieldError("/region_code", "行政区划代码不存在"))
    elif not current_actor().jurisdiction.contains(code):
        errors.append(FieldError("/region_code", "该行政区划不在您的管辖范围内"))
    year_text = str(values.get("year") or "").strip()
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        errors.append(FieldError("/year", "年度应为2000至2100之间的年份"))
    counts = {k: _count(values, k, errors) for k in FIELDS[2:]}
    if errors:
        raise Refused(errors)
    year = int(year_text)
    target = session.scalar(
        select(RegionTarget).where(RegionTarget.region_code == code, RegionTarget.year == year)
    )
    if target is None:
        target = RegionTarget(region_code=code, year=year)
        session.add(target)
    for key, value in counts.items():
        setattr(target, key, value)
    target.updated_by = current_actor().username
    session.flush()
    return target


def listed(session: Session) -> list[dict[str, Any]]:
    """The declarations the actor may read, newest year first, with the region's name."""
    rows = session.execute(
        select(RegionTarget, Region.full_name)
        .join(Region, Region.code == RegionTarget.region_code)
        .order_by(RegionTarget.year.desc(), RegionTarget.region_code)
    )
    return [
        {"region": name, "target": target, "fields": {k: getattr(target, k) for k in FIELDS}}
        for target, name in rows
    ]
