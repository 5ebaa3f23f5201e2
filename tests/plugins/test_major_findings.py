"""Severity follows the finding, and the item texts follow the law in force (legal review 2026-11,
findings 6–12, ../shared/domain/legal-review.md). No database: the rules are data in plugin.json."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from enforcement.checklists.compiler import compile_plugin
from enforcement.checklists.loader import validate_text
from enforcement.checklists.measures import bases_on, major_finding
from enforcement.checklists.validation import FastValidator, reference_errors
from enforcement.plugins import get_plugin_manager
from support.plugins import ROOT, builtin, example

STANDARD = "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）"


def item_of(plugin_id: str, code: str) -> dict[str, Any]:
    return next(i for i in builtin(plugin_id)["items"] if i["id"] == f"{plugin_id}.{code}")


def finding(item: dict[str, Any], answers: dict[str, Any] | None = None, **entry: Any) -> Any:
    entry = {"answer": "non_compliant", **entry}
    return major_finding(item, entry, answers or {item["id"]: entry})


# finding 6: severity follows the finding ---------------------------------------------------------


def test_example_bureau_plugin_is_still_accepted():
    text = (ROOT / "tests" / "plugins" / "fixtures" / "example-plugin.json").read_text("utf-8")
    declaration, errors = validate_text(text, "example-plugin.json")
    assert errors == [] and declaration is not None
    # Without major_when nothing is major, whatever `severity` says: the bureau has not named the
    # article of 10号令 its finding meets, so it proposes 责令限期整改, not 立案查处.
    explosion = declaration["items"][0]
    assert explosion["severity"] == "major" and "major_when" not in explosion
    assert finding(explosion, missing_measures=["泄爆"], defect="未设置泄爆装置") is None


def test_a_finding_is_major_only_under_a_rule_that_names_its_article():
    bureau = copy.deepcopy(example())
    explosion = bureau["items"][0]
    explosion["major_when"] = [
        {
            "when": {"follow_up": "missing_measures", "schema": {"contains": {"const": "泄爆"}}},
            "basis": {"law": STANDARD, "article": "第十一条", "item": "第（三）项"},
        }
    ]
    _, errors = validate_text(json.dumps(bureau, ensure_ascii=False), "bureau.json")
    assert errors == []
    major = finding(explosion, missing_measures=["隔爆", "泄爆"])
    assert major["text"] == f"{STANDARD}第十一条第（三）项"
    assert finding(explosion, missing_measures=["抗爆"]) is None
    assert major_finding(explosion, {"answer": "compliant"}, {}) is None


def test_major_when_conditions_must_name_existing_items_and_follow_ups():
    bureau = copy.deepcopy(example())
    explosion = bureau["items"][0]
    basis = {"law": STANDARD, "article": "第十一条"}
    explosion["major_when"] = [
        {"when": {"follow_up": "nothing", "schema": {"const": 1}}, "basis": basis},
        {"when": {"item": "bureau.360102.dust_extra.none", "schema": {}}, "basis": basis},
        {"when": {"schema": {"type": "no_such_type"}}, "basis": basis},
    ]
    _, errors = validate_text(json.dumps(bureau, ensure_ascii=False), "bureau.json")
    assert [(e.pointer, e.message.split("：")[0]) for e in errors] == [
        ("/items/0/major_when/0/when/follow_up", "条件引用的追问“nothing”不存在"),
        (
            "/items/0/major_when/1/when/item",
            "条件引用的检查事项“bureau.360102.dust_extra.none”不存在",
        ),
        ("/items/0/major_when/2/when/schema", "条件不是有效的 JSON Schema"),
    ]
    explosion["major_when"] = [{"when": {"schema": {}}}]  # no article: refused by the meta-schema
    _, errors = validate_text(json.dumps(bureau, ensure_ascii=False), "bureau.json")
    assert [(e.pointer, e.message) for e in errors] == [
        ("/items/0/major_when/0", "缺少必填字段“basis”")
    ]


def test_the_form_shows_the_articles_a_finding_may_be_major_under():
    groups = {
        g["options"]["item_id"]: g["options"]
        for category in compile_plugin(builtin("aluminum")).ui_schema["elements"]
        for g in category["elements"]
    }
    assert groups["aluminum.ljg05"]["major_bases"] == [
        f"{STANDARD}第五条第（三）项",
        f"{STANDARD}第十四条",
    ]
    assert "major_bases" not in groups["aluminum.ljg07"]  # no article: never major
    # a plugin without rules compiles exactly as before (its pinned hash does not move)
    example_groups = compile_plugin(example()).ui_schema["elements"][0]["elements"]
    assert all("major_bases" not in g["options"] for g in example_groups)


@pytest.mark.parametrize(
    "plugin_id, code",
    [
        ("steel", "gt01"),
        ("steel", "gt02"),
        ("steel", "gt08"),
        ("aluminum", "ljg07"),
    ],
)
def test_items_no_article_of_order_10_covers_are_never_major(plugin_id, code):
    item = item_of(plugin_id, code)
    assert item["severity"] == "general" and "major_when" not in item
    assert all("major_when" not in f for f in item["follow_ups"])


# finding 7: ljg05 ---------------------------------------------------------------------------------


def test_ljg05_does_not_demand_emergency_water_for_the_deep_well_crystallizer():
    item = item_of("aluminum", "ljg05")
    choices = [c for f in item["follow_ups"] for c in f["answer"].get("items", {}).get("enum", [])]
    assert "应急" not in item["title"] + item["content"] + "".join(choices)
    assert "结晶器不要求设置应急水源" in item["method"]  # and the inspector is told so
    old = json.loads((ROOT / "plugins" / "aluminum" / "versions" / "1.0.0.json").read_text("utf-8"))
    assert "应急冷却水源" in json.dumps(old["items"][4], ensure_ascii=False)  # 1.0.0 did


def test_ljg05_missing_monitoring_or_interlock_is_major_under_article_5_item_3():
    item = item_of("aluminum", "ljg05")
    assert item["content"].startswith(
        "铝加工深井铸造工艺的结晶器冷却水系统未设置进水压力、进水流量监测报警装置"
    )
    major = finding(item, missing=["与流槽断开装置联锁"], defect="联锁未设置")
    assert major["text"] == f"{STANDARD}第五条第（三）项"
    bypassed = finding(item, missing=["联锁已设置但未投用或失效"], defect="联锁被短接")
    assert bypassed["text"] == f"{STANDARD}第十四条"


# finding 8: aluminium wording -------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, phrase, article",
    [
        ("ljg01", "固定式浇铸炉的铝液出口未设置机械锁紧装置", "第（四）项"),
        (
            "ljg02",
            "倾动式浇铸炉流槽与模盘（分配流槽）入口连接处未设置快速切断阀（断开装置）",
            "第（六）项",
        ),
        ("ljg04", "固定式浇铸炉的铝液流槽未设置紧急排放阀", "第（五）项"),
        ("ljg06", "钢丝卷扬系统选用非钢芯钢丝绳，或者未落实钢丝绳定期检查、更换制度", "第（七）项"),
    ],
)
def test_aluminium_items_are_worded_and_judged_as_order_10_article_5(code, phrase, article):
    item = item_of("aluminum", code)
    assert phrase in item["content"]
    bases = compile_plugin(builtin("aluminum")).ui_schema
    groups = [g for c in bases["elements"] for g in c["elements"]]
    options = next(g["options"] for g in groups if g["options"]["item_id"] == item["id"])
    assert f"{STANDARD}第五条{article}" in options["major_bases"]


def test_ljg03_splits_missing_level_alarms_and_missing_interlocks_between_items_4_and_5():
    item = item_of("aluminum", "ljg03")
    alarm = finding(item, missing=["流槽与模盘（分配流槽）入口连接处未设置液位监测报警装置"])
    interlock = finding(item, missing=["液位监测报警装置未与紧急排放阀联锁"])
    assert alarm["basis"]["item"] == "第（四）项" and interlock["basis"]["item"] == "第（五）项"


def test_ljg06_emergency_power_alone_is_not_a_major_finding():
    item = item_of("aluminum", "ljg06")
    assert finding(item, problems=["卷扬系统未设置应急电源"]) is None
    assert finding(item, problems=["选用非钢芯钢丝绳"])["basis"]["item"] == "第（七）项"


# finding 9: 有限空间 ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["yx01", "yx02", "yx03", "yx04"])
def test_confined_space_items_cite_order_13_for_inspections_from_2024(code):
    item = item_of("confined_space", code)
    current = bases_on(item, dt.date(2024, 1, 1))
    cited = json.dumps([current["legal_basis"], current["penalty_basis"]], ensure_ascii=False)
    assert "应急管理部令第13号" in cited and "第59号" not in cited and "第69号" not in cited
    earlier = bases_on(item, dt.date(2023, 12, 31))
    assert "第59号" in earlier["penalty_basis"]["law"]
    assert all("第69号" not in b["law"] for b in earlier["legal_basis"])  # repealed in 2017


def test_confined_space_findings_are_major_only_where_poisoning_is_a_risk():
    item = item_of("confined_space", "yx03")
    assert finding(item, skipped_steps=["检测"], toxic_risk=True)["text"] == (
        f"{STANDARD}第十三条第（二）项"
    )
    assert finding(item, skipped_steps=["检测"], toxic_risk=False) is None


def test_no_identification_and_no_sign_are_major_only_together():
    sign, ledger = item_of("confined_space", "yx02"), item_of("confined_space", "yx04")
    no_sign = {"equipment_id": 7, "answer": "non_compliant", "problem_type": "未设置安全警示标志"}
    no_ledger = {"answer": "non_compliant", "problems": ["未建立有限空间管理台账"]}
    both = {
        sign["id"]: [{**no_sign, "toxic_risk": True}],
        ledger["id"]: {**no_ledger, "toxic_risk": True},
    }
    assert major_finding(sign, both[sign["id"]][0], both)["basis"]["item"] == "第（一）项"
    assert major_finding(ledger, both[ledger["id"]], both)["basis"]["item"] == "第（一）项"
    alone = {sign["id"]: both[sign["id"]], ledger["id"]: {"answer": "compliant"}}
    assert major_finding(sign, alone[sign["id"]][0], alone) is None


# finding 10: 粉尘 --------------------------------------------------------------------------------


def test_fc02_explosion_isolation_alone_is_non_compliant():
    declaration = builtin("dust")
    compiled = compile_plugin(declaration)
    fast = FastValidator(compiled.answers_schema)
    item = item_of("dust", "fc02")

    def submission(fc02: dict[str, Any]) -> dict[str, Any]:
        def one(i: dict[str, Any], entry: dict[str, Any]) -> Any:
            return [{"equipment_id": 1, **entry}] if "repeat" in i else entry

        plain = {"answer": "not_applicable"}
        return {i["id"]: one(i, fc02 if i is item else plain) for i in declaration["items"]}

    item = next(i for i in declaration["items"] if i["id"] == "dust.fc02")
    isolation_only = submission({"answer": "compliant", "measures_in_place": ["隔爆"]})
    errors = fast.errors(isolation_only)
    assert errors and errors == reference_errors(compiled.answers_schema, isolation_only)
    assert fast.errors(submission({"answer": "compliant"}))  # a compliant answer names a measure
    assert fast.errors(submission({"answer": "compliant", "measures_in_place": ["泄爆"]})) == []
    major = finding(item, problem="仅采取隔爆措施", defect="仅设隔爆阀")
    assert major["text"] == f"{STANDARD}第十一条第（三）项"


def test_fc06_cites_the_enterprises_duties_not_the_principals():
    item = item_of("dust", "fc06")
    laws = [(b["law"], b.get("article")) for b in item["legal_basis"]]
    assert ("《中华人民共和国安全生产法》", "第二十一条") not in laws
    assert ("《中华人民共和国安全生产法》", "第四十一条") in laws
    assert any("应急管理部令第6号" in law for law, _ in laws)
    assert finding(item, problems=["作业现场和设备设施积尘未及时规范清扫"]) is None
    heavy = finding(item, problems=["未落实粉尘清理制度，造成作业现场积尘严重"])
    assert heavy["basis"]["item"] == "第（十）项"


# finding 11: 钢铁 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, phrase, item_no",
    [
        ("gt03", "钢铁水罐冷（热）修工位设置在铁水、钢水、液渣吊运跨的地坪区域内", "第（一）项"),
        ("gt04", "中间罐漏钢坑（槽）、中间罐溢流坑（槽）、漏钢回转溜槽", "第（三）项"),
        ("gt05", "氧（副）枪自动提升、电极自动断电和升起装置联锁", "第（四）项"),
        ("gt06", "监测数据未接入24小时有人值守场所", "第（六）项"),
        ("gt07", "进入车间前的煤气管道未安装隔断装置", "第（七）项"),
    ],
)
def test_steel_items_are_worded_as_order_10_article_4(code, phrase, item_no):
    item = item_of("steel", code)
    assert phrase in item["content"]
    answers = {
        "gt04": {"missing_facilities": ["事故钢水罐"]},
        "gt05": {"missing_functions": ["出水温度监测报警"]},
        "gt07": {"missing_facilities": ["隔断装置"]},
    }.get(code, {})
    major = finding(item, **answers)
    assert (major["basis"]["article"], major["basis"]["item"]) == ("第四条", item_no)


def test_gt07_purging_alone_is_not_a_major_finding():
    assert finding(item_of("steel", "gt07"), missing_facilities=["吹扫设施"]) is None


def test_gt08_speaks_of_processes_and_equipment_to_be_phased_out_not_materials():
    item = item_of("steel", "gt08")
    assert "材料" not in item["title"] + item["content"]
    assert item["content"] == "使用应当淘汰的危及生产安全的工艺、设备。"


# finding 12 and versions --------------------------------------------------------------------------


def test_duty7_is_unchanged_and_every_changed_plugin_is_a_new_version():
    platform = get_plugin_manager([], load_entry_points=False)
    versions = {(e.id, e.version) for e in platform.registry.all()}
    for plugin_id in ("aluminum", "steel", "dust", "confined_space"):
        assert {(plugin_id, "1.0.0"), (plugin_id, "1.1.0")} <= versions
        assert platform.registry.get(plugin_id).version == "1.1.0"  # new inspections
    assert platform.registry.get("duty7").version == "1.0.0"


def test_every_changed_field_records_its_source_and_confidence():
    for plugin_id in ("aluminum", "steel", "dust", "confined_space"):
        for item in builtin(plugin_id)["items"]:
            for field, note in item.get("x-sources-1.1.0", {}).items():
                assert note["x-source"] and note["x-confidence"], (item["id"], field)
            rules = list(item.get("major_when", []))
            rules += [r for f in item["follow_ups"] for r in f.get("major_when", [])]
            for rule in rules:
                assert rule["x-source"] and rule["x-confidence"], item["id"]
