"""Plain factory functions for integration tests."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from enforcement.domain.uscc import make_uscc
from enforcement.models import Enterprise, Equipment

_serial = itertools.count(1)


def new_uscc(region_code: str) -> str:
    n = next(_serial)
    return make_uscc("9", "1", region_code, f"T{n:07d}")


def add_enterprise(
    session: Any, region_code: str, name: str | None = None, **extra: Any
) -> Enterprise:
    enterprise = Enterprise(
        name=name or f"测试企业{next(_serial)}有限公司",
        uscc=new_uscc(region_code),
        region_code=region_code,
        sector=extra.pop("sector", "machinery"),
        address=extra.pop("address", "测试路1号"),
        **extra,
    )
    session.add(enterprise)
    session.commit()
    return enterprise


def enterprise_in(session: Any, region_code: str) -> Enterprise:
    from enforcement.models.scoping import UNSCOPED

    found = session.scalars(
        select(Enterprise)
        .where(Enterprise.region_code == region_code, Enterprise.deleted_at.is_(None))
        .order_by(Enterprise.id)
        .execution_options(**{UNSCOPED: True})
    ).first()
    assert found is not None, f"no demo enterprise in {region_code}"
    return found


def equipment_of(session: Any, enterprise: Enterprise) -> Equipment:
    equipment = Equipment(
        enterprise_id=enterprise.id, equipment_type="confined_space", name="测试污水井"
    )
    session.add(equipment)
    session.commit()
    return equipment
