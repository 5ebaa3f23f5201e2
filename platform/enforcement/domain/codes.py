"""Code tables of the 工贸 domain: sectors, special tags, equipment types, levels.

Each table maps a stable English code (stored, used by the API) to its Chinese label (shown).
Sources: 应急厅〔2019〕17号 (eight sectors; items 1-4 verbatim, 5-8 recalled: confidence medium),
应急厅函〔2021〕259号 (the 工贸专项 tags). The tags are orthogonal to sectors.
"""

from __future__ import annotations

SECTORS: dict[str, str] = {
    "metallurgy": "冶金",
    "nonferrous": "有色",
    "building_materials": "建材",
    "machinery": "机械",
    "light_industry": "轻工",
    "textile": "纺织",
    "tobacco": "烟草",
    "commerce": "商贸",
}

TAGS: dict[str, str] = {
    "steel": "钢铁",
    "aluminum": "铝加工（深井铸造）",
    "dust": "粉尘涉爆",
    "confined_space": "有限空间作业",
    "ammonia": "涉氨制冷",
}

# The equipment register drives "逐设备" checks; checklist plugins may declare more types.
EQUIPMENT_TYPES: dict[str, str] = {
    "blast_furnace": "高炉",
    "converter": "转炉",
    "electric_arc_furnace": "电弧炉",
    "gas_holder": "煤气柜",
    "gas_pipeline": "煤气管道及设施",
    "molten_metal_crane": "吊运熔融金属起重机",
    "deep_well_casting_machine": "深井铸造机",
    "melting_furnace": "熔炼炉",
    "holding_furnace": "保温炉",
    "dry_dust_collector": "干式除尘系统",
    "wet_dust_collector": "湿式除尘系统",
    "confined_space": "有限空间",
    "ammonia_refrigeration": "液氨制冷系统",
    "other": "其他设备",
}

SCALES: dict[str, str] = {
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
}

ENTERPRISE_STATUSES: dict[str, str] = {
    "operating": "在产",
    "suspended": "停产",
    "closed": "关闭",
}

DEPARTMENT_LEVELS: dict[str, str] = {
    "ministry": "部级",
    "province": "省级",
    "city": "市级",
    "county": "县级",
}

REGION_LEVELS: dict[str, str] = {
    "province": "省级",
    "city": "地级",
    "county": "县级",
}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of a code, or the code itself when unknown (never an exception)."""
    if code is None:
        return ""
    return table.get(code, code)


def code_for(table: dict[str, str], text: str) -> str | None:
    """Accept either a code or its Chinese label (spreadsheets carry labels); None when unknown."""
    text = text.strip()
    if text in table:
        return text
    for code, name in table.items():
        if name == text:
            return code
    return None
