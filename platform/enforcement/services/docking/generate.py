"""Writes the published data spec, schemas/docking/v1/*.schema.json, from the platform's own tables.

One vocabulary: a base-data record's `data` is the field table of domain/fields.py (the names, bounds
and code tables the pages, the REST API and the importer use); the workflow records use the names of
the workbench and case APIs (web/workbench/schemas.py, web/cases/schemas.py) and their code tables.
`python -m enforcement.services.docking.generate` rewrites the files; tests/unit/test_docking_spec.py
fails while a file differs from what this module generates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from enforcement.domain import codes, planning
from enforcement.domain.fields import (
    ENFORCER_FIELDS,
    ENTERPRISE_FIELDS,
    EQUIPMENT_FIELDS,
    Field,
)
from enforcement.domain.workflow import PARTY_KINDS, PENALTY_KINDS, STAGE_LABELS

VERSION = "1.0.0"
SPEC_DIR = Path(__file__).resolve().parents[4] / "schemas" / "docking" / "v1"
BASE_URI = "https://enforcement.example.gov.cn/schemas/docking/v1/"

REGION = {
    "type": "string",
    "pattern": "^[0-9]{6}$",
    "title": "行政区划代码",
    "description": "GB/T 2260 六位代码",
}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
DATETIME = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$",
}
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}


def ref(label: str) -> dict[str, Any]:
    """Another record of the same source, by the id that source gave it."""
    return {
        "type": ["string", "integer"],
        "minLength": 1,
        "maxLength": 64,
        "title": label,
        "description": "同一来源系统中该记录的 id",
    }


def refs(label: str, most: int = 200) -> dict[str, Any]:
    return {"type": "array", "items": ref(label), "maxItems": most, "title": label}


def text(label: str, most: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": most, "title": label, **extra}


def choice(label: str, table: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "string",
        "enum": list(table),
        "title": label,
        "description": "；".join(f"{k}：{v}" for k, v in table.items()),
    }


def dated(label: str) -> dict[str, Any]:
    return {**DATE, "title": label}


def timed(label: str) -> dict[str, Any]:
    return {**DATETIME, "title": label}


def from_field(f: Field) -> dict[str, Any]:
    """A field of domain/fields.py as JSON Schema (its rule in full stays Field.clean's)."""
    out: dict[str, Any] = {"title": f.label}
    if f.hint:
        out["description"] = f.hint
    if f.kind == "choice":
        out.update(type="string", enum=list(f.choices))
        out["description"] = "；".join(f"{k}：{v}" for k, v in f.choices.items())
    elif f.kind == "tags":
        out.update(
            type="array", items={"type": "string", "enum": list(f.choices)}, uniqueItems=True
        )
    elif f.kind == "uscc":
        out.update(type="string", pattern="^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
    elif f.kind == "region":
        out.update(type="string", pattern="^[0-9]{6}$")
    elif f.kind == "phone":
        out.update(type="string", pattern=r"^[0-9+\-() ]{5,32}$")
    elif f.kind in ("integer", "number"):
        out["type"] = f.kind
        if f.minimum is not None:
            out["minimum"] = f.minimum
        if f.maximum is not None:
            out["maximum"] = f.maximum
    elif f.kind == "date":
        out.update(DATE)
    else:
        out["type"] = "string"
        if f.max_length is not None:
            out["maxLength"] = f.max_length
        if f.min_length:
            out["minLength"] = f.min_length
        if f.pattern:
            out["pattern"] = f"^(?:{f.pattern})$"
    return out


def from_table(table: tuple[Field, ...]) -> tuple[dict[str, Any], list[str]]:
    return {f.name: from_field(f) for f in table}, [f.name for f in table if f.required]


RESULTS = {
    "pass": "符合",
    "fail": "不符合",
    "not_applicable": "不适用",
}

PARTICIPANT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": text("参加人员姓名", 64),
        "position": text("职务", 64),
        "phone": text("联系电话", 32),
        "unit": text("单位", 200),
    },
}


def _types() -> dict[str, dict[str, Any]]:
    enterprise, enterprise_required = from_table(ENTERPRISE_FIELDS)
    equipment, equipment_required = from_table(EQUIPMENT_FIELDS)
    enforcer, enforcer_required = from_table(ENFORCER_FIELDS)
    stages = {str(stage): label for stage, label in STAGE_LABELS.items()}
    penalty_kinds = {k.key: k.label for k in PENALTY_KINDS}
    return {
        "department": {
            "title": "执法部门",
            "properties": {
                "name": text("部门名称", 100, minLength=2),
                "region_code": REGION,
                "level": choice("层级", codes.DEPARTMENT_LEVELS),
            },
            "required": ["name", "region_code", "level"],
            "example": {"name": "南昌市应急管理局", "region_code": "360100", "level": "city"},
        },
        "enforcer": {
            "title": "执法人员",
            "properties": {**enforcer, "department_id": ref("所属执法部门")},
            "required": [*enforcer_required, "department_id"],
            "example": {
                "name": "张三",
                "certificate_no": "JX36010200123",
                "position": "科员",
                "phone": "0791-86000000",
                "department_id": "D-3601",
            },
        },
        "enterprise": {
            "title": "执法对象（企业）",
            "properties": enterprise,
            "required": enterprise_required,
            "example": {
                "name": "南昌洪城铝业有限公司",
                "uscc": "91360102MA35L0XX1M",
                "region_code": "360102",
                "sector": "nonferrous",
                "tags": ["aluminum", "dust"],
                "address": "南昌市东湖区八一大道1号",
                "scale": "small",
                "employees": 120,
            },
        },
        "equipment": {
            "title": "设备台账",
            "properties": {"enterprise_id": ref("所属企业"), **equipment},
            "required": ["enterprise_id", *equipment_required],
            "example": {
                "enterprise_id": "E-1001",
                "equipment_type": "melting_furnace",
                "name": "1号熔炼炉",
                "serial_no": "RL-01",
                "capacity": 20,
            },
        },
        "plan": {
            "title": "监督检查计划",
            "properties": {
                "title": text("计划名称", 200, minLength=1),
                "year": {"type": "integer", "minimum": 2000, "maximum": 2100, "title": "年度"},
                "kind": choice("计划类型", planning.PLAN_KINDS),
                "period_start": dated("起始日期"),
                "period_end": dated("截止日期"),
                "region_code": REGION,
                "status": choice("状态", planning.PLAN_STATUSES),
                "approved_by": text("批准人", 128),
                "item_set_ids": {
                    "type": "array",
                    "items": text("检查事项 id", 120),
                    "maxItems": 100,
                    "title": "检查事项",
                },
                "enterprise_ids": refs("计划检查的企业", 100_000),
            },
            "required": ["title", "year", "kind", "region_code", "status"],
            "example": {
                "title": "2026年度工贸行业监督检查计划",
                "year": 2026,
                "kind": "annual",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "region_code": "360100",
                "status": "approved",
                "item_set_ids": ["aluminum"],
                "enterprise_ids": ["E-1001"],
            },
        },
        "inspection": {
            "title": "现场检查（逐项、逐设备结果）",
            "properties": {
                "plan_id": ref("所属计划"),
                "enterprise_id": ref("被检查企业"),
                "region_code": REGION,
                "status": choice("状态", planning.INSPECTION_STATUSES),
                "started_at": timed("开始时间"),
                "finished_at": timed("结束时间"),
                "latitude": {"type": "number", "minimum": -90, "maximum": 90, "title": "纬度"},
                "longitude": {"type": "number", "minimum": -180, "maximum": 180, "title": "经度"},
                "enforcer_ids": refs("检查人员", 20),
                "participants": {"type": "array", "items": PARTICIPANT, "maxItems": 100},
                "results": {
                    "type": "array",
                    "title": "检查结果",
                    "maxItems": 5000,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["checklist_id", "checklist_version", "item_id", "result"],
                        "properties": {
                            "checklist_id": text("检查事项 id", 120, minLength=1),
                            "checklist_version": text("检查事项版本", 32, minLength=1),
                            "item_id": text("检查项 id", 120, minLength=1),
                            "equipment_id": ref("设备（逐设备检查时）"),
                            "result": choice("结论", RESULTS),
                            "note": text("说明", 2000),
                        },
                    },
                },
            },
            "required": ["enterprise_id", "region_code", "status", "started_at", "results"],
            "example": {
                "enterprise_id": "E-1001",
                "region_code": "360102",
                "status": "finished",
                "started_at": "2026-03-02T09:00:00+08:00",
                "finished_at": "2026-03-02T11:30:00+08:00",
                "enforcer_ids": ["P-1", "P-2"],
                "results": [
                    {
                        "checklist_id": "aluminum",
                        "checklist_version": "1.1.0",
                        "item_id": "aluminum.ljg01",
                        "equipment_id": "Q-7",
                        "result": "fail",
                        "note": "深井铸造机未设置紧急排放装置",
                    }
                ],
            },
        },
        "hazard": {
            "title": "问题隐患",
            "properties": {
                "inspection_id": ref("发现隐患的检查"),
                "enterprise_id": ref("企业"),
                "region_code": REGION,
                "plugin_id": text("检查事项 id", 120),
                "plugin_version": text("检查事项版本", 32),
                "item_id": text("检查项 id", 120),
                "equipment_id": ref("设备"),
                "title": text("隐患名称", 300, minLength=1),
                "description": text("隐患描述", 4000),
                "is_major": {"type": "boolean", "title": "重大事故隐患"},
                "measure": choice("处理措施", planning.HAZARD_MEASURES),
                "status": choice("状态", planning.HAZARD_STATUSES),
                "deadline": dated("整改期限"),
                "rectified_on": dated("整改完成日期"),
            },
            "required": [
                "inspection_id",
                "enterprise_id",
                "region_code",
                "plugin_id",
                "plugin_version",
                "item_id",
                "title",
                "is_major",
                "status",
            ],
            "example": {
                "inspection_id": "I-501",
                "enterprise_id": "E-1001",
                "region_code": "360102",
                "plugin_id": "aluminum",
                "plugin_version": "1.1.0",
                "item_id": "aluminum.ljg01",
                "equipment_id": "Q-7",
                "title": "深井铸造机未设置紧急排放装置",
                "is_major": True,
                "measure": "deadline",
                "status": "rectifying",
                "deadline": "2026-03-20",
            },
        },
        "rectification": {
            "title": "责令限期整改指令书及复查",
            "properties": {
                "enterprise_id": ref("企业"),
                "region_code": REGION,
                "hazard_ids": refs("涉及的隐患"),
                "number": text("文号", 64),
                "issued_on": dated("下达日期"),
                "deadline": dated("整改期限"),
                "reinspections": {
                    "type": "array",
                    "title": "复查",
                    "maxItems": 20,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["inspected_on", "passed"],
                        "properties": {
                            "inspected_on": dated("复查日期"),
                            "passed": {"type": "boolean", "title": "复查合格"},
                            "enforcer_ids": refs("复查人员", 20),
                            "note": text("复查意见", 2000),
                        },
                    },
                },
            },
            "required": ["enterprise_id", "region_code", "hazard_ids", "issued_on", "deadline"],
            "example": {
                "enterprise_id": "E-1001",
                "region_code": "360102",
                "hazard_ids": ["H-9"],
                "number": "（洪东）应急责改〔2026〕12号",
                "issued_on": "2026-03-02",
                "deadline": "2026-03-20",
                "reinspections": [{"inspected_on": "2026-03-21", "passed": True}],
            },
        },
        "case": {
            "title": "立案查处（含阶段记录）",
            "properties": {
                "number": text("案号", 64),
                "title": text("案件名称", 300, minLength=1),
                "enterprise_id": ref("当事企业"),
                "region_code": REGION,
                "stage": choice("当前阶段", stages),
                "source": text("案件来源", 64),
                "facts": text("违法事实", 20000),
                "party_kind": choice("当事人类型", dict(PARTY_KINDS)),
                "party_name": text("当事人姓名", 100),
                "discovered_on": dated("发现日期"),
                "filed_on": dated("立案日期"),
                "closed_on": dated("结案日期"),
                "hazard_ids": refs("关联隐患"),
                "enforcer_ids": refs("承办人员", 20),
                "stage_history": {
                    "type": "array",
                    "title": "阶段记录",
                    "maxItems": 200,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["stage", "at"],
                        "properties": {
                            "stage": choice("进入的阶段", stages),
                            "from_stage": choice("原阶段", stages),
                            "at": timed("时间"),
                            "by": text("经办人", 128),
                            "note": text("说明", 2000),
                        },
                    },
                },
            },
            "required": ["title", "enterprise_id", "region_code", "stage", "filed_on"],
            "example": {
                "number": "（洪东）应急立〔2026〕3号",
                "title": "南昌洪城铝业有限公司未按规定设置紧急排放装置案",
                "enterprise_id": "E-1001",
                "region_code": "360102",
                "stage": "investigation",
                "party_kind": "unit",
                "filed_on": "2026-03-05",
                "hazard_ids": ["H-9"],
                "stage_history": [
                    {"stage": "filed", "at": "2026-03-05T10:00:00+08:00"},
                    {
                        "stage": "investigation",
                        "from_stage": "filed",
                        "at": "2026-03-06T09:00:00+08:00",
                    },
                ],
            },
        },
        "penalty": {
            "title": "行政处罚",
            "properties": {
                "case_id": ref("所属案件"),
                "region_code": REGION,
                "kind": choice("处罚种类", penalty_kinds),
                "amount": {"type": "number", "minimum": 0, "maximum": 1e12, "title": "金额（元）"},
                "basis": text("处罚依据", 2000),
                "decision_no": text("处罚决定书文号", 64),
                "decided_on": dated("决定日期"),
                "served_on": dated("送达日期"),
                "due_on": dated("缴纳期限"),
                "paid_amount": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1e12,
                    "title": "已缴金额（元）",
                },
                "paid_on": dated("缴纳日期"),
            },
            "required": ["case_id", "region_code", "kind"],
            "example": {
                "case_id": "C-3",
                "region_code": "360102",
                "kind": "fine",
                "amount": 30000,
                "decision_no": "（洪东）应急罚〔2026〕3号",
                "decided_on": "2026-04-10",
            },
        },
        "document": {
            "title": "执法文书",
            "properties": {
                "form": text("文书种类", 64, minLength=1, description="文书目录中的编号或名称"),
                "number": text("文号", 64),
                "title": text("标题", 300),
                "enterprise_id": ref("企业"),
                "case_id": ref("所属案件"),
                "inspection_id": ref("所属检查"),
                "region_code": REGION,
                "issued_on": dated("签发日期"),
                "sha256": {**SHA256, "title": "文件 SHA-256"},
                "file": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["url"],
                    "title": "文件",
                    "properties": {
                        "url": text("文件地址", 1000, minLength=1),
                        "filename": text("文件名", 200),
                        "content_type": text("类型", 100),
                        "size": {"type": "integer", "minimum": 0, "maximum": 2**53},
                    },
                },
            },
            "required": ["form", "region_code", "sha256", "file"],
            "example": {
                "form": "责令限期整改指令书",
                "number": "（洪东）应急责改〔2026〕12号",
                "enterprise_id": "E-1001",
                "region_code": "360102",
                "issued_on": "2026-03-02",
                "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                "file": {"url": "https://gov.example.cn/f/12.pdf", "filename": "12.pdf"},
            },
        },
    }


TYPES: tuple[str, ...] = tuple(_types())


def record_schema(name: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}{name}.schema.json",
        "title": body["title"],
        "x-version": VERSION,
        "x-type": name,
        "type": "object",
        "additionalProperties": False,
        "properties": body["properties"],
        "required": body["required"],
        "examples": [body["example"]],
    }


def batch_schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}batch.schema.json",
        "title": "数据对接批次",
        "x-version": VERSION,
        "type": "object",
        "additionalProperties": False,
        "required": ["source", "records"],
        "properties": {
            "source": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_.-]{1,64}$",
                "title": "来源系统标识",
            },
            "batch_id": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$", "title": "批次号"},
            "records": {
                "type": "array",
                "maxItems": 10_000,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["type", "id"],
                    "properties": {
                        "type": {"type": "string", "enum": list(TYPES), "title": "记录类型"},
                        "id": {
                            "type": ["string", "integer"],
                            "minLength": 1,
                            "maxLength": 64,
                            "title": "来源系统中的 id",
                        },
                        "deleted": {"type": "boolean", "title": "删除（墓碑）"},
                        "hash": {
                            **SHA256,
                            "title": "data 的 SHA-256（键排序、无空白的 UTF-8 JSON），可选",
                        },
                        "origin": {"type": "object", "title": "导出时的原始来源，推送时忽略"},
                        "data": {"type": "object", "title": "记录内容，见各类型的规范"},
                    },
                },
            },
        },
    }


def schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, every file of the spec."""
    out = {f"{name}.schema.json": record_schema(name, body) for name, body in _types().items()}
    out["batch.schema.json"] = batch_schema()
    return out


def dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write(folder: Path = SPEC_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(dump(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(path)
