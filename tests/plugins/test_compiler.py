"""plugin.json → answers schema (if/then, per-equipment arrays) + UI schema, and what they enforce."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from enforcement.checklists.compiler import compile_plugin
from enforcement.checklists.loader import validate_text
from enforcement.checklists.validation import FastValidator, reference_errors
from enforcement.plugins import get_plugin_manager
from support.plugins import BUILTIN_ITEM_COUNTS, builtin, example

EXPLOSION = "bureau.360102.dust_extra.explosion_control"
CLEANING = "bureau.360102.dust_extra.cleaning_record"
PHOTO = "a" * 64
DOCUMENT = "b" * 64


def errors(schema: dict[str, Any], answers: Any) -> list[str]:
    """Both validators must agree; return `pointer: message` pairs."""
    fast = FastValidator(schema).errors(answers)
    assert fast == reference_errors(schema, answers)
    return [f"{e['path']}: {e['message']}" for e in fast]


def example_answers(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        EXPLOSION: [{"equipment_id": 11, "answer": "compliant"}],
        CLEANING: {
            "answer": True,
            "last_cleaning_date": "2026-11-20",
            "evidence": {"document": [DOCUMENT]},
        },
    }
    answers.update(overrides)
    return answers


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return compile_plugin(example()).answers_schema


def test_example_answers_are_valid(schema):
    assert errors(schema, example_answers()) == []


def test_conditional_follow_up_is_required_only_when_its_condition_holds(schema):
    compliant = [{"equipment_id": 11, "answer": "compliant"}]
    failed = [{"equipment_id": 11, "answer": "non_compliant", "evidence": {"photo": [PHOTO]}}]
    assert errors(schema, example_answers(**{EXPLOSION: compliant})) == []
    assert errors(schema, example_answers(**{EXPLOSION: failed})) == [
        f"/{EXPLOSION}/0/defect: 此项必填",
        f"/{EXPLOSION}/0/missing_measures: 此项必填",
    ]
    failed[0].update(missing_measures=["泄爆", "隔爆"], defect="未设置泄爆装置和隔爆阀")
    assert errors(schema, example_answers(**{EXPLOSION: failed})) == []
    # a follow-up given although its condition does not hold is allowed (and still type-checked)
    compliant[0]["defect"] = "无"
    assert errors(schema, example_answers(**{EXPLOSION: compliant})) == [
        f"/{EXPLOSION}/0/defect: 内容过短"
    ]


def test_evidence_minimum_applies_only_when_its_condition_holds(schema):
    no_files = {"answer": True, "last_cleaning_date": "2026-11-20"}
    assert errors(schema, example_answers(**{CLEANING: no_files})) == [
        f"/{CLEANING}/evidence: 此项必填"
    ]
    no_files["evidence"] = {"document": []}
    assert errors(schema, example_answers(**{CLEANING: no_files})) == [
        f"/{CLEANING}/evidence/document: 数量不足"
    ]
    # answered false: the document rule no longer holds, the photo rule does
    dirty = {"answer": False, "evidence": {"document": []}}
    assert errors(schema, example_answers(**{CLEANING: dirty})) == [
        f"/{CLEANING}/evidence/photo: 此项必填"
    ]
    dirty["evidence"] = {"photo": [PHOTO]}
    assert errors(schema, example_answers(**{CLEANING: dirty})) == []
    assert errors(
        schema, example_answers(**{CLEANING: {"answer": False, "evidence": {"photo": ["x"]}}})
    ) == [f"/{CLEANING}/evidence/photo/0: 格式不正确"]


def test_unconditional_evidence_minimum_always_applies():
    declaration = example()
    del declaration["items"][1]["evidence"][0]["when"]  # the document is needed whatever the answer
    schema = compile_plugin(declaration).answers_schema
    dirty = {"answer": False, "evidence": {"photo": [PHOTO]}}
    assert errors(schema, example_answers(**{CLEANING: dirty})) == [
        f"/{CLEANING}/evidence/document: 此项必填"
    ]


def test_follow_up_may_depend_on_another_items_answer():
    declaration = example()
    declaration["items"][1]["follow_ups"].append(
        {
            "id": "collector_note",
            "title": "除尘系统不合格时的清扫说明",
            "when": {"item": CLEANING, "schema": {"const": False}},
            "answer": {"type": "string", "minLength": 2},
        }
    )
    declaration["items"].append(
        {
            **copy.deepcopy(declaration["items"][1]),
            "id": "bureau.360102.dust_extra.followup",
            "follow_ups": [
                {
                    "id": "reason",
                    "title": "清扫制度不健全的原因",
                    "when": {"item": CLEANING, "schema": {"const": False}},
                    "answer": {"type": "string", "minLength": 2},
                }
            ],
            "evidence": [],
        }
    )
    declaration, problems = validate_text(json.dumps(declaration), "x.json")
    assert problems == []
    schema = compile_plugin(declaration).answers_schema
    other = {"answer": True}
    good = example_answers(**{"bureau.360102.dust_extra.followup": dict(other)})
    assert errors(schema, good) == []
    dirty = {"answer": False, "evidence": {"photo": [PHOTO]}, "collector_note": "积尘"}
    bad = example_answers(**{CLEANING: dirty, "bureau.360102.dust_extra.followup": dict(other)})
    assert errors(schema, bad) == ["/bureau.360102.dust_extra.followup/reason: 此项必填"]


def test_per_equipment_item_compiles_to_an_array_of_entries(schema):
    item = schema["properties"][EXPLOSION]
    assert item["type"] == "array"
    assert item["items"]["required"] == ["equipment_id", "answer"]
    assert errors(schema, example_answers(**{EXPLOSION: {"answer": "compliant"}})) == [
        f"/{EXPLOSION}: 类型不正确"
    ]
    assert errors(schema, example_answers(**{EXPLOSION: [{"answer": "compliant"}]})) == [
        f"/{EXPLOSION}/0/equipment_id: 此项必填"
    ]


def enterprise(*pieces: tuple[int, str]) -> dict[str, Any]:
    return {
        "id": 7,
        "tags": ["dust"],
        "sector": "machinery",
        "region_code": "360102",
        "equipment": [{"id": i, "equipment_type": t, "name": f"{t}#{i}"} for i, t in pieces],
    }


def test_extra_checks_default_requires_one_entry_per_registered_piece():
    platform = get_plugin_manager([], load_entry_points=False)
    facts = enterprise(
        (11, "dry_dust_collector"), (12, "dry_dust_collector"), (13, "wet_dust_collector")
    )
    declaration = example()

    def check(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
        found = platform.pm.hook.extra_checks(
            declaration=declaration,
            answers=example_answers(**{EXPLOSION: entries}),
            enterprise=facts,
        )
        return [error for result in found for error in result]

    ok = [{"equipment_id": 11, "answer": "compliant"}, {"equipment_id": 12, "answer": "compliant"}]
    assert check(ok) == []
    assert check(ok[:1]) == [
        {"path": f"/{EXPLOSION}", "message": "设备台账中编号 12 的设备尚未检查"}
    ]
    assert check([*ok, {"equipment_id": 13, "answer": "compliant"}]) == [
        {"path": f"/{EXPLOSION}/2/equipment_id", "message": "该设备不在企业设备台账中"}
    ]
    assert check([*ok, {"equipment_id": 12, "answer": "compliant"}]) == [
        {"path": f"/{EXPLOSION}/2/equipment_id", "message": "同一设备重复作答"}
    ]
    assert check([{"equipment_id": 99, "answer": "compliant"}, ok[0], ok[0]]) == [
        {"path": f"/{EXPLOSION}/0/equipment_id", "message": "该设备不在企业设备台账中"},
        {"path": f"/{EXPLOSION}/2/equipment_id", "message": "同一设备重复作答"},
        {"path": f"/{EXPLOSION}", "message": "设备台账中编号 12 的设备尚未检查"},
    ]


def test_enterprise_without_the_equipment_answers_an_empty_list():
    platform = get_plugin_manager([], load_entry_points=False)
    facts = enterprise()
    answers = example_answers(**{EXPLOSION: []})
    schema = compile_plugin(example()).answers_schema
    assert errors(schema, answers) == []
    assert platform.pm.hook.extra_checks(
        declaration=example(), answers=answers, enterprise=facts
    ) == [[]]


def test_old_answers_still_validate_against_their_pinned_schema_after_a_new_version():
    store: dict[str, dict[str, Any]] = {}  # compiled schemas kept by hash forever
    v1 = compile_plugin(example())
    store[v1.sha256] = v1.answers_schema
    answers = example_answers()
    pinned = v1.sha256  # what the inspection record keeps

    declaration = example()
    declaration["version"] = "1.1.0"
    declaration["items"][0]["answer"]["enum"] = ["qualified", "unqualified", "not_applicable"]
    for rule in declaration["items"][0]["follow_ups"] + declaration["items"][0]["evidence"]:
        rule["when"]["schema"]["const"] = "unqualified"
    v2 = compile_plugin(declaration)
    store[v2.sha256] = v2.answers_schema

    assert v2.sha256 != v1.sha256
    assert compile_plugin(example()).sha256 == pinned  # recompiling v1 gives the same hash
    assert errors(store[pinned], answers) == []
    assert errors(store[v2.sha256], answers) == [f"/{EXPLOSION}/0/answer: 请选择有效选项"]


def resolve(schema: dict[str, Any], scope: str) -> dict[str, Any]:
    node: Any = schema
    for part in scope.removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("plugin_id", [*sorted(BUILTIN_ITEM_COUNTS), "example"])
def test_every_ui_control_points_into_the_answers_schema(plugin_id):
    declaration = example() if plugin_id == "example" else builtin(plugin_id)
    compiled = compile_plugin(declaration)
    controls = [
        control
        for category in compiled.ui_schema["elements"]
        for group in category["elements"]
        for control in group["elements"]
    ]
    assert controls
    for control in controls:
        scope = control["scope"]
        assert isinstance(resolve(compiled.answers_schema, scope), dict), scope
        if "rule" in control:
            assert control["rule"]["effect"] == "SHOW"
            condition = control["rule"]["condition"]["scope"]
            # shown after an answer, never after another field
            assert condition.endswith("/properties/answer")
            assert isinstance(resolve(compiled.answers_schema, condition), dict), condition


def test_annotations_do_not_reach_the_answers_schema():
    declaration = example()
    declaration["items"][1]["answer"]["x-hint"] = "看现场"
    compiled = compile_plugin(declaration)
    answer = compiled.answers_schema["properties"][CLEANING]["properties"]["answer"]
    assert answer == {"type": "boolean"}
    assert compiled.answers_schema == compile_plugin(example()).answers_schema
