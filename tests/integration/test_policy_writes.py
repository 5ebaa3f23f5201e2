"""Writes are checked from each model's declared policy, however the change was made (nothing kept).

Forms set a relationship, the API a column, and the foreign key syncs only at flush: either way the
record must land inside the actor's jurisdiction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from enforcement.db.acting import Actor, acting_as
from enforcement.db.scoping import UNSCOPED, OutOfJurisdiction
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import Department, Enforcer, Equipment, Region, TrainingRecord
from support.demo import enterprise_in

DONGHU = "360102"  # 南昌市东湖区
XIHU = "360103"  # 南昌市西湖区
JINJIANG = "510104"  # 成都市锦江区
AS_DONGHU = Actor("donghu", Jurisdiction(DONGHU))


@pytest.fixture
def session(app: Any) -> Iterator[Any]:
    with app.app_context():
        session = app.appbuilder.session
        try:
            yield session
        finally:
            session.rollback()


def _flush_as_donghu(session: Any) -> None:
    with acting_as(AS_DONGHU):
        session.flush()


def _enforcer_in(session: Any, region_code: str) -> Enforcer:
    found = session.scalars(
        select(Enforcer)
        .join(Department)
        .where(Department.region_code == region_code)
        .order_by(Enforcer.id)
        .execution_options(**{UNSCOPED: True})
    ).first()
    assert found is not None, f"no demo enforcer in {region_code}"
    return found


def test_an_enterprise_moved_out_by_its_column_is_refused(session):
    enterprise = enterprise_in(session, DONGHU)
    assert enterprise.region is not None  # loaded: the relationship still names the old county
    enterprise.region_code = JINJIANG
    with pytest.raises(OutOfJurisdiction, match=JINJIANG):
        _flush_as_donghu(session)


def test_an_enterprise_moved_out_by_its_relationship_is_refused(session):
    enterprise = enterprise_in(session, DONGHU)
    enterprise.region = session.get(Region, JINJIANG)
    with pytest.raises(OutOfJurisdiction, match=JINJIANG):
        _flush_as_donghu(session)


def test_an_enterprise_changed_inside_its_county_is_written(session):
    enterprise = enterprise_in(session, DONGHU)
    enterprise.address = "东湖区新地址1号"
    _flush_as_donghu(session)


def test_equipment_moved_to_another_countys_enterprise_is_refused(session):
    own, foreign = enterprise_in(session, DONGHU), enterprise_in(session, JINJIANG)
    equipment = Equipment(enterprise=own, equipment_type="confined_space", name="测试污水井")
    session.add(equipment)
    _flush_as_donghu(session)
    equipment.enterprise = foreign
    with pytest.raises(OutOfJurisdiction):
        _flush_as_donghu(session)


def test_a_training_record_follows_its_enforcer(session):
    own, foreign = _enforcer_in(session, DONGHU), _enforcer_in(session, JINJIANG)
    own.trainings.append(TrainingRecord(date=dt.date(2025, 3, 1), course="有限空间", hours=4))
    _flush_as_donghu(session)
    foreign.trainings.append(TrainingRecord(date=dt.date(2025, 3, 1), course="有限空间", hours=4))
    with pytest.raises(OutOfJurisdiction):
        _flush_as_donghu(session)


def test_an_enforcer_moved_to_another_countys_department_is_refused(session):
    enforcer = _enforcer_in(session, DONGHU)
    other = session.scalars(
        select(Department).where(Department.region_code == XIHU).order_by(Department.id)
    ).first()
    if other is None:
        pytest.skip("no demo department in 西湖区")
    enforcer.department_id = other.id
    with pytest.raises(OutOfJurisdiction, match="执法部门"):
        _flush_as_donghu(session)
