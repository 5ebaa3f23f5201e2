"""The demo's fixed tables: accounts, pilot cities, sector profiles, names, courses.

The five pilot cities are those of 应急厅函〔2021〕259号 (南昌、成都、贵阳、铜川、银川).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
# The logins the demo's generated records are made under (plans, schemes, cases across the five
# cities). They are accounts that cannot log in (inactive), so pages name them instead of showing
# 未登记人员: (login, 姓, 名).
DEMO_AUTHORS: tuple[tuple[str, str, str], ...] = (
    ("demo_leader", "演示数据", "（计划下达人）"),
    ("demo_director", "演示数据", "（审批领导）"),
    ("demo_inspector", "演示数据", "（执法人员）"),
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
