"""The demo data set (seed 2021) as tests rely on it: its logins and regions, and finders for records.

Finders read across jurisdictions (UNSCOPED) and fail with a message naming what the demo lacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import (
    AppUser,
    Case,
    Department,
    Enforcer,
    Enterprise,
    EnterpriseTag,
    Equipment,
)

DEMO_PASSWORD = "Demo@2026!"  # every demo login's (enforcement.demo.DEMO_PASSWORD)
DONGHU = "360102"  # 南昌市东湖区: the inspector `donghu`
NANCHANG = "360100"  # 南昌市: the leader `nanchang`
JINJIANG = "510104"  # 成都市锦江区: the inspector `jinjiang`
CHENGDU = "510100"  # 成都市
LEADER = "nanchang"
INSPECTOR = "donghu"


@contextmanager
def db(app: Any) -> Iterator[Any]:
    """The app's session inside an app context; closed on the way out (no objects are kept)."""
    with app.app_context():
        session = app.appbuilder.session
        try:
            yield session
        finally:
            session.remove()


def user(session: Any, username: str) -> AppUser:
    found = session.scalar(select(AppUser).where(AppUser.username == username))
    assert found is not None, f"no demo login {username}"
    return found


def enterprise_in(session: Any, region_code: str) -> Enterprise:
    """The first live demo enterprise of the region."""
    found = session.scalars(
        select(Enterprise)
        .where(Enterprise.region_code == region_code, Enterprise.deleted_at.is_(None))
        .order_by(Enterprise.id)
        .execution_options(**{UNSCOPED: True})
    ).first()
    assert found is not None, f"no demo enterprise in {region_code}"
    return found


@dataclass(frozen=True)
class DustEnterprise:
    id: int
    name: str
    collectors: list[str]  # names of its live dry dust collectors


def dust_enterprise(session: Any, region_code: str) -> DustEnterprise:
    """A demo enterprise of the region tagged dust with at least one dry dust collector."""
    found = session.execute(
        select(Enterprise.id, Enterprise.name)
        .join(EnterpriseTag, EnterpriseTag.enterprise_id == Enterprise.id)
        .join(Equipment, Equipment.enterprise_id == Enterprise.id)
        .where(
            Enterprise.region_code == region_code,
            Enterprise.deleted_at.is_(None),
            EnterpriseTag.tag == "dust",
            Equipment.equipment_type == "dry_dust_collector",
            Equipment.deleted_at.is_(None),
        )
        .order_by(Enterprise.id)
        .execution_options(**{UNSCOPED: True})
    ).first()
    assert found is not None, f"no dust enterprise with a dry dust collector in {region_code}"
    names = session.scalars(
        select(Equipment.name)
        .where(
            Equipment.enterprise_id == found.id,
            Equipment.equipment_type == "dry_dust_collector",
            Equipment.deleted_at.is_(None),
        )
        .order_by(Equipment.id)
        .execution_options(**{UNSCOPED: True})
    ).all()
    return DustEnterprise(found.id, found.name, list(names))


def enforcers_in(session: Any, region_code: str) -> list[Enforcer]:
    """The 执法人员 of the region's department(s), in id order (each holds a 执法证)."""
    return list(
        session.scalars(
            select(Enforcer)
            .join(Department, Enforcer.department_id == Department.id)
            .where(Department.region_code == region_code)
            .order_by(Enforcer.id)
            .execution_options(**{UNSCOPED: True})
        )
    )


def case_in(session: Any, region_code: str) -> Case:
    """The first demo case of the region."""
    found = session.scalars(
        select(Case)
        .where(Case.region_code == region_code)
        .order_by(Case.id)
        .execution_options(**{UNSCOPED: True})
    ).first()
    assert found is not None, f"no demo case in {region_code}"
    return found


def count(session: Any, model: type, *where: Any) -> int:
    """Rows of a model across every jurisdiction."""
    statement = select(func.count()).select_from(model).where(*where)
    return session.scalar(statement.execution_options(**{UNSCOPED: True})) or 0
