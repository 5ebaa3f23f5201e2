"""Demo data set for the five pilot cities of 应急厅函〔2021〕259号 (南昌、成都、贵阳、铜川、银川).

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
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

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
from enforcement.models.scoping import UNSCOPED
from enforcement.services.demo_workbench import load_workbench_demo

# ------------------------------------------------------------------------------------------------
# Data tables
# ------------------------------------------------------------------------------------------------

# fmt: off
REFERENCE_DATE = dt.date(2026, 1, 1)
TRAINING_YEARS = (REFERENCE_DATE.year - 2, REFERENCE_DATE.year - 1)  # 2024-2025
DEMO_PASSWORD = "Demo@2026!"
MINISTRY_NAME = "应急管理部"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    department_region: str | None  # six-digit code of the demo department; None: no department
    last_name: str
    first_name: str
    description: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "admin", None, "系统", "管理员", "系统管理员（全国，不属于任何部门）"),
    DemoAccount("jiangxi", "leader", "360000", "江西省厅", "领导", "领导：江西省应急管理厅"),
    DemoAccount("nanchang", "leader", "360100", "南昌市局", "领导", "领导：南昌市应急管理局"),
    DemoAccount("donghu", "inspector", "360102", "东湖区局", "执法人员", "执法人员：南昌市东湖区应急管理局"),
    DemoAccount("jinjiang", "inspector", "510104", "锦江区局", "执法人员", "执法人员：成都市锦江区应急管理局"),
    DemoAccount("docking_jx", "docking", "360000", "江西省厅", "数据对接", "数据对接（REST API）：江西省应急管理厅"),
)
DEMO_USERS: list[tuple[str, str, str]] = [(a.username, a.role, a.description) for a in DEMO_ACCOUNTS]
DEMO_EMAIL_DOMAIN = "demo.example.com"


@dataclass(frozen=True)
class PilotCity:
    code: str  # four-digit GB/T 2260 city code
    short: str  # 南昌
    province_short: str  # 江西
    area_code: str  # landline area code
    landline_digits: int
    brands: tuple[str, ...]  # local brand words for company names


PILOT_CITIES: tuple[PilotCity, ...] = (
    PilotCity("3601", "南昌", "江西", "0791", 8, ("洪城", "赣江", "豫章", "滕王", "昌北", "瑶湖", "洪都", "八一")),
    PilotCity("5101", "成都", "四川", "028", 8, ("蜀铝", "天府", "锦城", "蓉城", "岷江", "青城", "川西", "蜀都")),
    PilotCity("5201", "贵阳", "贵州", "0851", 8, ("黔粉", "筑城", "林城", "黔灵", "阳明", "黔中", "乌江", "黔兴")),
    PilotCity("6102", "铜川", "陕西", "0919", 7, ("秦建", "耀州", "药王", "玉华", "金锁", "照金", "秦川", "漆水")),
    PilotCity("6401", "银川", "宁夏", "0951", 8, ("塞上", "贺兰", "凤城", "西夏", "黄河", "朔方", "宁丰", "银湖")),
)
ENTERPRISES_PER_CITY = (60, 80)
ENFORCERS_PER_COUNTY = (2, 4)
ENFORCERS_PER_CITY = 3
UNTRAINED_SHARE = 0.15
TRAININGS_PER_ENFORCER = (1, 5)

GENERIC_BRANDS: tuple[str, ...] = (
    "华兴", "鑫源", "恒达", "永盛", "金泰", "宏昌", "瑞丰", "博远", "东升", "中联", "长青", "盛达",
    "隆鑫", "昌盛", "聚源", "祥和", "泰丰", "荣达", "新宇", "金诚", "汇通", "振华", "远航", "德润",
)
SUFFIXES: tuple[str, ...] = ("有限公司", "有限公司", "有限公司", "有限公司", "有限责任公司")
LARGE_SUFFIXES: tuple[str, ...] = ("股份有限公司", "集团有限公司", "有限公司")
NAME_PREFIX_WEIGHTS = (6, 2, 2)  # city short name, province short name, none


@dataclass(frozen=True)
class SectorProfile:
    """A kind of enterprise: its sector, name words, tags and equipment flavour."""

    key: str
    sector: str
    products: tuple[str, ...]
    weight: int  # relative frequency
    minimum_per_city: int  # guarantees every sector and every tag appears
    tags: tuple[str, ...] = ()  # always set
    maybe_tags: tuple[tuple[str, float], ...] = ()  # set with this probability
    scale_weights: tuple[int, int, int, int] = (1, 6, 14, 6)  # large, medium, small, micro
    dust_workshops: tuple[str, ...] = ("打磨车间",)
    confined_spaces: tuple[str, ...] = ()  # added to the generic list


PROFILES: tuple[SectorProfile, ...] = (
    SectorProfile("steel", "metallurgy", ("钢铁", "特钢", "钢业"), 4, 2, ("steel",),
                  (("confined_space", 0.7),), (4, 5, 2, 0),
                  confined_spaces=("煤气管道检修人孔", "高炉煤气除尘器", "烧结机风箱")),
    SectorProfile("ferroalloy", "metallurgy", ("铁合金", "铸管", "冶金材料"), 2, 0, (),
                  (("confined_space", 0.5),), (1, 5, 6, 1), confined_spaces=("电炉烟道",)),
    SectorProfile("aluminum", "nonferrous", ("铝业", "铝材", "铝合金"), 4, 2, ("aluminum",),
                  (("dust", 0.3), ("confined_space", 0.3)), (2, 6, 5, 0),
                  ("抛光车间", "铝灰处理车间"), ("铸造冷却水池", "铝灰渣坑")),
    SectorProfile("copper", "nonferrous", ("铜业", "有色金属", "锌业"), 2, 0, (),
                  (("confined_space", 0.4),), (1, 4, 6, 1)),
    SectorProfile("cement", "building_materials", ("水泥", "建材", "玻璃", "陶瓷"), 5, 1, (),
                  (("confined_space", 0.6),), (2, 6, 8, 1),
                  confined_spaces=("生料均化库", "熟料库", "煤粉仓", "窑尾预热器")),
    SectorProfile("board", "building_materials", ("人造板", "木业", "装饰材料"), 3, 0, ("dust",),
                  (("confined_space", 0.2),), dust_workshops=("砂光车间", "木工车间", "开料车间")),
    SectorProfile("machinery", "machinery", ("机械", "机电", "装备制造", "汽车零部件", "农机"), 8, 1, (),
                  (("dust", 0.25), ("confined_space", 0.35)), (1, 6, 12, 4),
                  ("打磨车间", "喷粉车间", "抛光车间"), ("喷漆房地坑",)),
    SectorProfile("polishing", "machinery", ("五金", "金属制品", "精密铸件"), 4, 1, ("dust",),
                  (("confined_space", 0.2),), (0, 3, 12, 8), ("抛光车间", "打磨车间")),
    SectorProfile("furniture", "light_industry", ("家具", "木业", "门业"), 4, 1, ("dust",),
                  (("confined_space", 0.2),), (0, 4, 12, 6), ("木工车间", "砂光车间", "开料车间")),
    SectorProfile("grain", "light_industry", ("粮油", "面粉", "米业", "饲料"), 4, 1, ("dust",),
                  (("confined_space", 0.6),), (1, 5, 12, 4), ("清理车间", "制粉车间", "筒仓工作塔"),
                  ("1号筒仓", "2号筒仓", "地下输送廊道")),
    SectorProfile("frozen_food", "light_industry", ("食品", "冷冻食品", "肉类加工", "乳业"), 3, 1,
                  ("ammonia",), (("confined_space", 0.5),), (1, 5, 10, 2),
                  confined_spaces=("冷库地坑", "废水调节池")),
    SectorProfile("brewery", "light_industry", ("酒业", "酿造", "纸业", "饮品"), 3, 0, (),
                  (("confined_space", 0.75), ("ammonia", 0.1)), (1, 5, 10, 3),
                  confined_spaces=("1号发酵罐", "2号发酵罐", "浆池", "酒糟池")),
    SectorProfile("spinning", "textile", ("纺织", "棉纺", "麻纺", "化纤"), 4, 1, ("dust",),
                  (("confined_space", 0.2),), (1, 5, 10, 3), ("开清棉车间", "清梳车间", "络筒车间")),
    SectorProfile("dyeing", "textile", ("服饰", "印染", "针织"), 3, 0, (),
                  (("confined_space", 0.45),), (0, 4, 12, 5), confined_spaces=("印染废水池",)),
    SectorProfile("tobacco", "tobacco", ("烟叶复烤", "烟草物流", "卷烟材料"), 1, 1, (),
                  (("dust", 0.3), ("confined_space", 0.4)), (2, 5, 3, 0), ("制丝车间", "打叶复烤车间")),
    SectorProfile("cold_storage", "commerce", ("冷链物流", "冷藏", "农产品批发"), 3, 1, ("ammonia",),
                  (("confined_space", 0.3),), (0, 4, 10, 4), confined_spaces=("冷库地坑",)),
    SectorProfile("trade", "commerce", ("商贸", "仓储物流", "百货"), 3, 0, (),
                  (("confined_space", 0.3),), (0, 3, 12, 8)),
)

GENERIC_CONFINED_SPACES: tuple[str, ...] = (
    "1号污水井", "2号污水井", "原料储罐", "地下管沟", "化粪池", "污水处理调节池", "循环水池",
    "电缆沟", "储料仓", "消防水池",
)

SCALES: tuple[str, ...] = ("large", "medium", "small", "micro")
EMPLOYEES_BY_SCALE: dict[str, tuple[int, int]] = {
    "large": (1000, 6000),
    "medium": (300, 999),
    "small": (20, 299),
    "micro": (5, 19),
}
STATUS_WEIGHTS: dict[str, int] = {"operating": 88, "suspended": 8, "closed": 4}

ROADS: tuple[str, ...] = (
    "建设路", "工业大道", "解放路", "人民路", "创业路", "科技大道", "滨江路", "迎宾大道", "长安路",
    "兴业路", "经开大道", "光明路", "和平路", "新华路", "园区一路", "园区二路", "产业大道", "民营路",
    "纬二路", "经三路",
)

SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "吕", "丁", "任", "姚",
    "卢", "钟", "谭", "汪", "熊", "万", "龙", "雷", "付", "严", "苏", "邹",
)
GIVEN_NAMES: tuple[str, ...] = (
    "伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平",
    "刚", "建华", "志强", "海燕", "晓东", "文博", "思远", "雨婷", "国栋", "建军", "红梅", "立新",
    "春华", "德明", "海涛", "俊杰", "丽娟", "永刚", "振宇", "玉兰", "明辉", "晓燕", "成刚", "家豪",
    "子轩", "欣怡", "宏伟", "秀兰", "卫东", "文静", "鹏飞", "志刚", "金凤", "庆华",
)
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "198", "199",
)

CITY_POSITIONS: tuple[str, ...] = ("执法支队长", "工贸监管科科长", "执法人员")
COUNTY_POSITIONS: tuple[str, ...] = ("执法大队长", "执法中队长", "执法人员", "执法人员")

COURSES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("工贸行业重大事故隐患判定标准解读", (4, 8)),
    ("粉尘防爆安全规程(GB 15577)培训", (8, 16)),
    ("有限空间作业安全培训", (8, 12)),
    ("行政执法程序与文书制作", (16, 24, 32)),
    ("冶金企业和有色金属企业安全生产规定解读", (8, 12)),
    ("涉氨制冷企业液氨使用专项治理", (4, 8)),
    ("铝加工（深井铸造）企业安全检查要点", (8, 16)),
    ("安全生产行政处罚自由裁量基准", (8, 12)),
    ("互联网+执法系统操作培训", (4, 8)),
    ("新《安全生产法》专题培训", (16, 24, 32)),
)

ORG_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # digits and capitals without I O Z S V
# fmt: on

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
    password = generate_password_hash(DEMO_PASSWORD, method="scrypt", salt_length=16)
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


def load_demo(session: Session, seed: int = 2021) -> DemoSummary:
    """Add the demo data set of the five pilot cities (idempotent); returns what was added."""
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
    session.commit()
    load_workbench_demo(session, seed)
    from enforcement.services.demo_cases import load_case_demo

    load_case_demo(session, seed)
    _link_users_to_enforcers(session)
    return summary


def _link_users_to_enforcers(session: Session) -> None:
    """Each demo login with a department acts as that department's busiest inspector, so that
    我的工作提醒 shows real work when the account is tried (idempotent)."""
    from enforcement.models.workbench import task_enforcer

    busiest: dict[int, int] = {}  # department id → enforcer id
    rows = session.execute(
        select(Enforcer.department_id, Enforcer.id, func.count(task_enforcer.c.task_id))
        .outerjoin(task_enforcer, task_enforcer.c.enforcer_id == Enforcer.id)
        .group_by(Enforcer.department_id, Enforcer.id)
        .order_by(Enforcer.department_id, func.count(task_enforcer.c.task_id).desc(), Enforcer.id)
        .execution_options(**{UNSCOPED: True})
    )
    for department_id, enforcer_id, _ in rows:
        busiest.setdefault(department_id, enforcer_id)
    taken = set(
        session.scalars(select(AppUser.enforcer_id).where(AppUser.enforcer_id.is_not(None)))
    )
    for user in session.scalars(select(AppUser).where(AppUser.enforcer_id.is_(None))):
        enforcer_id = busiest.get(user.department_id) if user.department_id else None
        role_names = {role.name for role in user.roles}
        if enforcer_id and enforcer_id not in taken and role_names & {"inspector", "leader"}:
            user.enforcer_id = enforcer_id
            taken.add(enforcer_id)
    session.commit()
