"""Base data of the demo: departments, enforcers with their trainings, enterprises with their
equipment, and the demo logins.

Reproducible: every value comes from one `random.Random(seed)` and a fixed reference date, and the
whole data set is planned from the region table alone before the database is looked at, so the same
seed always yields the same rows. Idempotent: a plan row is inserted only when its natural key is
missing — department (region_code, name), enterprise USCC, 执法证号, equipment (enterprise USCC,
type, name), training (执法证号, date, course), username.

执法证号 scheme: the six-digit region code of the enforcer's department followed by a two-digit
sequence number, e.g. "36010201" is the first enforcer of 东湖区应急管理局 (360102).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from enforcement.db.scoping import UNSCOPED
from enforcement.demo.tables import (
    CITY_POSITIONS,
    COUNTY_POSITIONS,
    COURSES,
    DEMO_ACCOUNTS,
    DEMO_AUTHORS,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    EMPLOYEES_BY_SCALE,
    ENFORCERS_PER_CITY,
    ENFORCERS_PER_COUNTY,
    ENTERPRISES_PER_CITY,
    GENERIC_BRANDS,
    GENERIC_CONFINED_SPACES,
    GIVEN_NAMES,
    LARGE_SUFFIXES,
    MINISTRY_NAME,
    MOBILE_PREFIXES,
    NAME_PREFIX_WEIGHTS,
    ORG_CODE_ALPHABET,
    PILOT_CITIES,
    PROFILES,
    ROADS,
    SCALES,
    STATUS_WEIGHTS,
    SUFFIXES,
    SURNAMES,
    TRAINING_YEARS,
    TRAININGS_PER_ENFORCER,
    UNTRAINED_SHARE,
    PilotCity,
    SectorProfile,
)
from enforcement.domain.uscc import make_uscc
from enforcement.models import (
    AppUser,
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)

# ------------------------------------------------------------------------------------------------
# Plan
# ------------------------------------------------------------------------------------------------


class DemoDataError(RuntimeError):
    """The demo data cannot be loaded; the message is Chinese and shown to the operator."""


@dataclass
class DemoSummary:
    """How many rows one call added (a second call with the same seed adds nothing)."""

    departments: int = 0
    enforcers: int = 0
    training_records: int = 0
    enterprises: int = 0
    equipment: int = 0
    users: int = 0

    def __str__(self) -> str:
        return (
            f"新增执法部门 {self.departments}、执法人员 {self.enforcers}、培训记录 {self.training_records}、"
            f"执法对象 {self.enterprises}、设备 {self.equipment}、用户 {self.users}"
        )


@dataclass(frozen=True)
class PlannedDepartment:
    region_code: str | None
    name: str
    level: str


@dataclass(frozen=True)
class PlannedTraining:
    date: dt.date
    course: str
    hours: float


@dataclass(frozen=True)
class PlannedEnforcer:
    certificate_no: str
    name: str
    department: tuple[str | None, str]  # (region_code, name)
    position: str
    phone: str
    trainings: tuple[PlannedTraining, ...]


@dataclass(frozen=True)
class PlannedEquipment:
    equipment_type: str
    name: str
    location: str | None
    capacity: float | None


@dataclass
class PlannedEnterprise:
    uscc: str
    name: str
    address: str
    region_code: str
    sector: str
    scale: str
    status: str
    principal_name: str
    principal_phone: str
    contact_name: str
    contact_phone: str
    employees: int
    tags: list[str]
    equipment: list[PlannedEquipment] = field(default_factory=list)


@dataclass
class DemoPlan:
    departments: list[PlannedDepartment]
    enforcers: list[PlannedEnforcer]
    enterprises: list[PlannedEnterprise]


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _landline(rng: random.Random, city: PilotCity) -> str:
    first = rng.randint(2, 8)
    rest = rng.randrange(10 ** (city.landline_digits - 1))
    return f"{city.area_code}-{first}{rest:0{city.landline_digits - 1}d}"


def _plan_trainings(rng: random.Random) -> tuple[PlannedTraining, ...]:
    if rng.random() < UNTRAINED_SHARE:
        return ()
    start = dt.date(TRAINING_YEARS[0], 1, 1)
    span = (dt.date(TRAINING_YEARS[1], 12, 31) - start).days
    count = rng.randint(*TRAININGS_PER_ENFORCER)
    records = [
        PlannedTraining(
            start + dt.timedelta(days=rng.randrange(span + 1)), course, float(rng.choice(hours))
        )
        for course, hours in rng.sample(COURSES, count)
    ]
    return tuple(sorted(records, key=lambda t: (t.date, t.course)))


def _plan_enforcers(
    rng: random.Random, department: PlannedDepartment, count: int, positions: tuple[str, ...]
) -> list[PlannedEnforcer]:
    assert department.region_code is not None
    enforcers = []
    for seq in range(1, count + 1):
        position = positions[min(seq - 1, len(positions) - 1)]
        enforcers.append(
            PlannedEnforcer(
                certificate_no=f"{department.region_code}{seq:02d}",
                name=_person_name(rng),
                department=(department.region_code, department.name),
                position=position,
                phone=_mobile(rng),
                trainings=_plan_trainings(rng),
            )
        )
    return enforcers


def _numbered(
    rng: random.Random, count: tuple[int, int], template: str, values: tuple[float, ...]
) -> list[tuple[str, float]]:
    """Names "1号…（value…）" with a capacity each, e.g. 1号高炉（1080m³）."""
    result = []
    for i in range(1, rng.randint(*count) + 1):
        value = rng.choice(values)
        result.append((template.format(i=i, v=f"{value:g}"), value))
    return result


def _steel_equipment(rng: random.Random, _profile: SectorProfile) -> list[PlannedEquipment]:
    items = [
        PlannedEquipment("blast_furnace", name, "炼铁厂", v)
        for name, v in _numbered(
            rng, (1, 2), "{i}号高炉（{v}m³）", (450, 580, 1080, 1250, 1780, 2500)
        )
    ]
    items += [
        PlannedEquipment("converter", name, "炼钢厂", v)
        for name, v in _numbered(rng, (1, 3), "{i}号转炉（{v}t）", (50, 80, 100, 120, 150))
    ]
    holders = rng.sample(("高炉煤气柜", "转炉煤气柜"), rng.randint(1, 2))
    items += [
        PlannedEquipment("gas_holder", f"{kind}（{v}万m³）", "能源动力厂", v * 10000)
        for kind in holders
        for v in [rng.choice((5, 8, 10, 15, 20))]
    ]
    items += [
        PlannedEquipment("molten_metal_crane", name, "炼钢厂主厂房", v)
        for name, v in _numbered(rng, (2, 4), "{i}号铸造起重机（{v}t）", (100, 160, 200, 240, 320))
    ]
    return items


def _aluminum_equipment(rng: random.Random, _profile: SectorProfile) -> list[PlannedEquipment]:
    items = [
        PlannedEquipment("deep_well_casting_machine", name, "铸造车间", v)
        for name, v in _numbered(rng, (1, 2), "{i}号深井铸造机（井深{v}m）", (6, 7, 8, 9, 10))
    ]
    items += [
        PlannedEquipment("melting_furnace", name, "熔铸车间", v)
        for name, v in _numbered(rng, (1, 2), "{i}号熔炼炉（{v}t）", (20, 25, 30, 40, 50))
    ]
    items += [
        PlannedEquipment("holding_furnace", name, "熔铸车间", v)
        for name, v in _numbered(rng, (1, 2), "{i}号保温炉（{v}t）", (20, 25, 30, 40, 50))
    ]
    return items


def _dust_equipment(rng: random.Random, profile: SectorProfile) -> list[PlannedEquipment]:
    items = []
    for i in range(1, rng.randint(1, 3) + 1):
        workshop = rng.choice(profile.dust_workshops)
        airflow = rng.choice((8000, 12000, 20000, 30000, 45000))
        items.append(
            PlannedEquipment(
                "dry_dust_collector",
                f"{workshop}{i}号布袋除尘器（{airflow}m³/h）",
                workshop,
                airflow,
            )
        )
    return items


def _confined_space_equipment(rng: random.Random, profile: SectorProfile) -> list[PlannedEquipment]:
    pool = profile.confined_spaces + GENERIC_CONFINED_SPACES
    return [
        PlannedEquipment("confined_space", name, None, None)
        for name in rng.sample(pool, rng.randint(1, 4))
    ]


def _ammonia_equipment(rng: random.Random, _profile: SectorProfile) -> list[PlannedEquipment]:
    charge = rng.choice((2, 5, 8, 12, 20, 30))
    return [
        PlannedEquipment(
            "ammonia_refrigeration", f"液氨制冷系统（充装量{charge}t）", "制冷机房", charge
        )
    ]


TAG_EQUIPMENT: dict[str, Callable[[random.Random, SectorProfile], list[PlannedEquipment]]] = {
    "steel": _steel_equipment,
    "aluminum": _aluminum_equipment,
    "dust": _dust_equipment,
    "confined_space": _confined_space_equipment,
    "ammonia": _ammonia_equipment,
}


def _enterprise_name(
    rng: random.Random, city: PilotCity, profile: SectorProfile, scale: str, used: set[str]
) -> str:
    brands = city.brands + GENERIC_BRANDS
    for _ in range(500):
        prefix = rng.choices((city.short, city.province_short, ""), weights=NAME_PREFIX_WEIGHTS)[0]
        suffix = rng.choice(LARGE_SUFFIXES if scale == "large" else SUFFIXES)
        name = f"{prefix}{rng.choice(brands)}{rng.choice(profile.products)}{suffix}"
        if name not in used:
            used.add(name)
            return name
    raise DemoDataError(f"无法为{city.short}生成不重复的企业名称")


def _uscc(rng: random.Random, county_code: str, used: set[str]) -> str:
    while True:
        org = "".join(rng.choice(ORG_CODE_ALPHABET) for _ in range(8))
        code = make_uscc("9", "1", county_code, org)
        if code not in used:
            used.add(code)
            return code


def _plan_enterprises(
    rng: random.Random, city: PilotCity, counties: list[Region], names: set[str], codes: set[str]
) -> list[PlannedEnterprise]:
    count = rng.randint(*ENTERPRISES_PER_CITY)
    profiles = [p for p in PROFILES for _ in range(p.minimum_per_city)]
    profiles += rng.choices(PROFILES, weights=[p.weight for p in PROFILES], k=count - len(profiles))
    rng.shuffle(profiles)
    places = list(counties) + rng.choices(counties, k=count - len(counties))
    rng.shuffle(places)
    enterprises = []
    for profile, county in zip(profiles, places, strict=True):
        scale = rng.choices(SCALES, weights=profile.scale_weights)[0]
        tags = set(profile.tags) | {tag for tag, p in profile.maybe_tags if rng.random() < p}
        enterprise = PlannedEnterprise(
            uscc=_uscc(rng, county.code, codes),
            name=_enterprise_name(rng, city, profile, scale, names),
            address=f"{county.full_name}{rng.choice(ROADS)}{rng.randint(1, 888)}号",
            region_code=county.code,
            sector=profile.sector,
            scale=scale,
            status=rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
            principal_name=_person_name(rng),
            principal_phone=_mobile(rng),
            contact_name=_person_name(rng),
            contact_phone=_mobile(rng) if rng.random() < 0.6 else _landline(rng, city),
            employees=rng.randint(*EMPLOYEES_BY_SCALE[scale]),
            tags=[tag for tag in TAG_EQUIPMENT if tag in tags],
        )
        for tag in enterprise.tags:
            enterprise.equipment += TAG_EQUIPMENT[tag](rng, profile)
        enterprises.append(enterprise)
    return enterprises


def plan_demo(regions: dict[str, Region], seed: int = 2021) -> DemoPlan:
    """The whole data set, from the region table alone (no database access): same seed, same plan."""
    rng = random.Random(seed)
    departments = [PlannedDepartment(None, MINISTRY_NAME, "ministry")]
    enforcers: list[PlannedEnforcer] = []
    enterprises: list[PlannedEnterprise] = []
    names: set[str] = set()
    codes: set[str] = set()
    for city in PILOT_CITIES:
        province = regions.get(city.code[:2] + "0000")
        city_region = regions.get(city.code + "00")
        if province is None or city_region is None:
            raise DemoDataError(
                f"行政区划表中缺少试点城市{city.short}（{city.code}00），请重新导入行政区划"
            )
        counties = sorted(
            (
                r
                for r in regions.values()
                if r.parent_code == city_region.code and r.level == "county"
            ),
            key=lambda r: r.code,
        )
        if not counties:
            raise DemoDataError(f"行政区划表中缺少{city_region.name}的区县，请重新导入行政区划")
        departments.append(
            PlannedDepartment(province.code, f"{province.name}应急管理厅", "province")
        )
        city_department = PlannedDepartment(
            city_region.code, f"{city_region.name}应急管理局", "city"
        )
        departments.append(city_department)
        enforcers += _plan_enforcers(rng, city_department, ENFORCERS_PER_CITY, CITY_POSITIONS)
        for county in counties:
            county_department = PlannedDepartment(county.code, f"{county.name}应急管理局", "county")
            departments.append(county_department)
            count = rng.randint(*ENFORCERS_PER_COUNTY)
            enforcers += _plan_enforcers(rng, county_department, count, COUNTY_POSITIONS)
        enterprises += _plan_enterprises(rng, city, counties, names, codes)
    return DemoPlan(departments, enforcers, enterprises)


# ------------------------------------------------------------------------------------------------
# Load
# ------------------------------------------------------------------------------------------------


def _unscoped(statement):  # noqa: ANN001, ANN202 - a SQLAlchemy Select
    """Every row counts for the natural-key checks, including soft-deleted ones."""
    return statement.execution_options(**{UNSCOPED: True})


def _load_departments(
    session: Session, plan: DemoPlan, summary: DemoSummary
) -> dict[tuple[str | None, str], Department]:
    existing = {(d.region_code, d.name): d for d in session.scalars(_unscoped(select(Department)))}
    for planned in plan.departments:
        key = (planned.region_code, planned.name)
        if key not in existing:
            department = Department(
                name=planned.name, region_code=planned.region_code, level=planned.level
            )
            session.add(department)
            existing[key] = department
            summary.departments += 1
    return existing


def _load_enforcers(
    session: Session,
    plan: DemoPlan,
    departments: dict[tuple[str | None, str], Department],
    summary: DemoSummary,
) -> None:
    existing = {e.certificate_no: e for e in session.scalars(_unscoped(select(Enforcer)))}
    trained = set(
        session.execute(
            _unscoped(
                select(Enforcer.certificate_no, TrainingRecord.date, TrainingRecord.course).join(
                    TrainingRecord, TrainingRecord.enforcer_id == Enforcer.id
                )
            )
        ).tuples()
    )
    for planned in plan.enforcers:
        enforcer = existing.get(planned.certificate_no)
        if enforcer is None:
            enforcer = Enforcer(
                name=planned.name,
                certificate_no=planned.certificate_no,
                department=departments[planned.department],
                position=planned.position,
                phone=planned.phone,
            )
            session.add(enforcer)
            existing[planned.certificate_no] = enforcer
            summary.enforcers += 1
        for training in planned.trainings:
            if (planned.certificate_no, training.date, training.course) not in trained:
                enforcer.trainings.append(
                    TrainingRecord(date=training.date, course=training.course, hours=training.hours)
                )
                summary.training_records += 1


def _load_enterprises(session: Session, plan: DemoPlan, summary: DemoSummary) -> None:
    existing = {e.uscc: e for e in session.scalars(_unscoped(select(Enterprise)))}
    registered = set(
        session.execute(
            _unscoped(
                select(Enterprise.uscc, Equipment.equipment_type, Equipment.name).join(
                    Equipment, Equipment.enterprise_id == Enterprise.id
                )
            )
        ).tuples()
    )
    for planned in plan.enterprises:
        enterprise = existing.get(planned.uscc)
        if enterprise is None:
            enterprise = Enterprise(
                name=planned.name,
                uscc=planned.uscc,
                address=planned.address,
                region_code=planned.region_code,
                sector=planned.sector,
                scale=planned.scale,
                status=planned.status,
                principal_name=planned.principal_name,
                principal_phone=planned.principal_phone,
                contact_name=planned.contact_name,
                contact_phone=planned.contact_phone,
                employees=planned.employees,
            )
            enterprise.tags = planned.tags
            session.add(enterprise)
            existing[planned.uscc] = enterprise
            summary.enterprises += 1
        for item in planned.equipment:
            if (planned.uscc, item.equipment_type, item.name) not in registered:
                session.add(
                    Equipment(
                        enterprise=enterprise,
                        equipment_type=item.equipment_type,
                        name=item.name,
                        location=item.location,
                        capacity=item.capacity,
                    )
                )
                summary.equipment += 1


def _role(session: Session, name: str, created: dict[str, Role]) -> Role:
    role = created.get(name) or session.scalar(select(Role).where(Role.name == name))
    if role is None:  # permissions are synchronised separately (sync_permissions)
        role = Role(name=name)
        session.add(role)
        created[name] = role
    return role


def _load_users(
    session: Session,
    plan: DemoPlan,
    departments: dict[tuple[str | None, str], Department],
    summary: DemoSummary,
) -> None:
    by_region = {d.region_code: departments[(d.region_code, d.name)] for d in plan.departments}
    existing = set(session.scalars(select(AppUser.username)))
    # Hashed the way FAB hashes any new user's password (its FAB_PASSWORD_HASH_METHOD setting).
    method = (
        current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt")
        if has_app_context()
        else "scrypt"
    )
    password = generate_password_hash(DEMO_PASSWORD, method=method, salt_length=16)
    new_roles: dict[str, Role] = {}
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        user = AppUser(
            username=account.username,
            first_name=account.first_name,
            last_name=account.last_name,
            email=f"{account.username}@{DEMO_EMAIL_DOMAIN}",
            active=True,
            password=password,
            department=by_region[account.department_region] if account.department_region else None,
        )
        user.roles = [_role(session, account.role, new_roles)]
        session.add(user)
        summary.users += 1
    for username, last_name, first_name in DEMO_AUTHORS:
        if username not in existing:
            session.add(
                AppUser(
                    username=username,
                    first_name=first_name,
                    last_name=last_name,
                    email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                    active=False,  # authors of generated records only: no login
                    password=generate_password_hash(secrets.token_urlsafe(32), method=method),
                )
            )


def load_base_data(session: Session, seed: int = 2021) -> DemoSummary:
    """Add the base data of the five pilot cities (idempotent; the caller's unit of work commits)."""
    if not session.scalar(select(func.count()).select_from(Region)):
        raise DemoDataError(
            "行政区划表为空：请先导入行政区划（enforcement regions load）再加载演示数据"
        )
    prefixes = tuple(city.code[:2] for city in PILOT_CITIES)
    regions = {
        r.code: r
        for r in session.scalars(
            select(Region).where(func.substr(Region.code, 1, 2).in_(prefixes)).order_by(Region.code)
        )
    }
    plan = plan_demo(regions, seed)
    summary = DemoSummary()
    with session.no_autoflush:
        departments = _load_departments(session, plan, summary)
        _load_enforcers(session, plan, departments, summary)
        _load_enterprises(session, plan, summary)
        _load_users(session, plan, departments, summary)
    session.flush()
    return summary
