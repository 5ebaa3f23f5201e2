"""Conditions across items: a per-equipment item's follow-up may read a plain item's answer (as an
XLSForm question inside a repeat reads one outside it), and a plain item's follow-up may read a
per-equipment item through any / all / count of its pieces. Missing references, unquantified reads
of a repeat and circles stay errors at their pointer. The fast validator and the reference agree."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from enforcement.checklists.compiler import compile_plugin
from enforcement.checklists.loader import load_file, validate_text
from enforcement.checklists.validation import FastValidator, reference_errors
from support.plugins import FIXTURES, example, pairs

# What the example's 粉尘清理 item needs when answered "yes": the date and the 清扫记录.
CLEANED = {"last_cleaning_date": "2026-11-01", "evidence": {"document": ["a" * 64]}}
REPEAT_TO_PLAIN = FIXTURES / "cross_item_repeat_to_plain.json"
PLAIN_TO_REPEAT = FIXTURES / "cross_item_plain_to_repeat.json"


def errors_of(declaration: dict[str, Any]) -> list[str]:
    return pairs(validate_text(json.dumps(declaration, ensure_ascii=False), "p.json")[1])


def both(schema: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, str]]:
    """The fast validator's errors, checked equal to the reference's."""
    fast = FastValidator(schema).errors(answers)
    assert fast == reference_errors(schema, answers)
    return fast


def test_both_fixtures_load() -> None:
    assert load_file(REPEAT_TO_PLAIN)["id"] == "bureau.360102.cross_repeat_plain"
    assert load_file(PLAIN_TO_REPEAT)["id"] == "bureau.360102.cross_plain_repeat"


def test_a_follow_up_inside_a_repeat_is_required_for_every_piece_when_the_plain_item_matches() -> (
    None
):
    declaration = load_file(REPEAT_TO_PLAIN)
    repeated, plain = (item["id"] for item in declaration["items"])
    schema = compile_plugin(declaration).answers_schema
    pieces = [
        {"equipment_id": 1, "answer": "compliant"},
        {"equipment_id": 2, "answer": "compliant"},
    ]
    clean = {plain: {"answer": True, **CLEANED}, repeated: pieces}
    assert both(schema, clean) == []
    dusty = {plain: {"answer": False, "evidence": {"photo": ["b" * 64]}}, repeated: pieces}
    assert [e["path"] for e in both(schema, dusty)] == [
        f"/{repeated}/0/cleaning_of_collector",
        f"/{repeated}/1/cleaning_of_collector",
    ]
    answered = copy.deepcopy(dusty)
    for piece in answered[repeated]:
        piece["cleaning_of_collector"] = "滤袋积灰"
    assert both(schema, answered) == []


def test_the_phone_form_rule_inside_the_repeat_reads_the_plain_items_answer() -> None:
    declaration = load_file(REPEAT_TO_PLAIN)
    repeated, plain = (item["id"] for item in declaration["items"])
    ui = compile_plugin(declaration).ui_schema
    groups = [g for category in ui["elements"] for g in category["elements"]]
    control = next(
        c for c in groups[0]["elements"] if c["scope"].endswith("/cleaning_of_collector")
    )
    assert control["scope"] == f"#/properties/{repeated}/items/properties/cleaning_of_collector"
    assert control["rule"]["condition"] == {
        "scope": f"#/properties/{plain}/properties/answer",
        "schema": {"const": False},
    }


def _plain_to_repeat(pieces: list[str]) -> tuple[dict[str, Any], str, str, dict[str, Any]]:
    declaration = load_file(PLAIN_TO_REPEAT)
    repeated, plain = (item["id"] for item in declaration["items"])
    answers = {
        repeated: [
            {
                "equipment_id": n + 1,
                "answer": value,
                "missing_measures": ["泄爆"],
                "defect": "未设泄爆口",
            }
            if value == "non_compliant"
            else {"equipment_id": n + 1, "answer": value}
            for n, value in enumerate(pieces)
        ],
        plain: {"answer": True, **CLEANED},
    }
    for entry in answers[repeated]:
        if entry["answer"] == "non_compliant":
            entry["evidence"] = {"photo": ["c" * 64]}
    return compile_plugin(declaration).answers_schema, repeated, plain, answers


@pytest.mark.parametrize(
    ("pieces", "required"),
    [
        (["compliant", "compliant"], {"all_fine"}),
        (["compliant", "non_compliant"], {"any_failed", "photo"}),
        (["non_compliant", "non_compliant"], {"any_failed", "several_failed", "photo"}),
        ([], set()),  # no piece: neither any nor all holds
    ],
)
def test_a_plain_follow_up_reads_any_all_or_count_of_the_pieces(
    pieces: list[str], required: set[str]
) -> None:
    schema, _, plain, answers = _plain_to_repeat(pieces)
    missing = {e["path"].rsplit("/", 1)[1] for e in both(schema, answers)}
    assert {p for p in missing} == required
    assert all(e["path"].startswith(f"/{plain}") for e in both(schema, answers))


def test_the_phone_form_rule_outside_the_repeat_says_how_pieces_count() -> None:
    declaration = load_file(PLAIN_TO_REPEAT)
    repeated = declaration["items"][0]["id"]
    ui = compile_plugin(declaration).ui_schema
    groups = [g for category in ui["elements"] for g in category["elements"]]
    rules = {
        c["scope"].rsplit("/", 1)[1]: c["rule"]["condition"]
        for c in groups[1]["elements"]
        if "rule" in c
    }
    scope = f"#/properties/{repeated}/items/properties/answer"
    assert rules["any_failed"]["scope"] == scope and rules["any_failed"]["match"] == "any"
    assert rules["all_fine"]["match"] == "all"
    assert (rules["several_failed"]["match"], rules["several_failed"]["count"]) == (
        "count",
        {"minimum": 2},
    )


def _with_follow_up(item_index: int, when: dict[str, Any]) -> dict[str, Any]:
    declaration = example()
    declaration["items"][item_index]["follow_ups"].append(
        {"id": "extra", "title": "追加", "when": when, "answer": {"type": "string"}}
    )
    return declaration


REPEATED = "bureau.360102.dust_extra.explosion_control"
PLAIN = "bureau.360102.dust_extra.cleaning_record"


def test_reading_a_repeat_from_outside_without_any_all_or_count_is_an_error() -> None:
    errors = errors_of(_with_follow_up(1, {"item": REPEATED, "schema": {"const": "compliant"}}))
    assert errors == [
        f"/items/1/follow_ups/1/when/item: 引用逐设备检查事项“{REPEATED}”的答案时，"
        "须写明 match（any 任一台、all 全部）或 count（符合的台数）"
    ]


def test_any_all_or_count_on_a_plain_item_is_an_error() -> None:
    errors = errors_of(
        _with_follow_up(0, {"item": PLAIN, "match": "all", "schema": {"const": True}})
    )
    assert errors == [
        "/items/0/follow_ups/2/when/match: match、count 只能用于引用其他逐设备检查事项的答案"
    ]


def test_a_missing_reference_and_a_bad_count_are_errors_at_their_pointer() -> None:
    missing = errors_of(_with_follow_up(0, {"item": "bureau.360102.dust_extra.nope", "schema": {}}))
    assert missing == [
        "/items/0/follow_ups/2/when/item: 条件引用的检查事项“bureau.360102.dust_extra.nope”不存在"
    ]
    bad = _with_follow_up(
        1,
        {"item": REPEATED, "count": {"minimum": 3, "maximum": 1}, "schema": {"const": "compliant"}},
    )
    assert errors_of(bad) == ["/items/1/follow_ups/1/when/count: count 的下限不能高于上限"]
    empty = _with_follow_up(1, {"item": REPEATED, "count": {}, "schema": {}})
    assert errors_of(empty) == ["/items/1/follow_ups/1/when/count: 至少需要填写 1 个字段"]


def test_items_whose_conditions_read_each_other_in_a_circle_are_errors() -> None:
    declaration = _with_follow_up(0, {"item": PLAIN, "schema": {"const": False}})
    declaration["items"][1]["follow_ups"].append(
        {
            "id": "back",
            "title": "回看",
            "when": {"item": REPEATED, "match": "any", "schema": {"const": "non_compliant"}},
            "answer": {"type": "string"},
        }
    )
    circle = f"{REPEATED} → {PLAIN} → {REPEATED}"
    assert sorted(errors_of(declaration)) == [
        f"/items/0/follow_ups/2/when/item: 条件引用形成循环：{circle}",
        f"/items/1/follow_ups/1/when/item: 条件引用形成循环：{circle}",
    ]


def test_a_numbers_unit_rides_along_to_the_form_and_validates_nothing() -> None:
    declaration = example()
    declaration["items"][1]["follow_ups"].append(
        {
            "id": "height",
            "title": "积尘厚度",
            "when": {"schema": {"const": False}},
            "answer": {"type": "number", "minimum": 0, "x-unit": "毫米"},
        }
    )
    compiled = compile_plugin(declaration)
    group = compiled.ui_schema["elements"][1]["elements"][0]
    control = next(c for c in group["elements"] if c["scope"].endswith("/height"))
    assert control["options"]["unit"] == "毫米"
    entry = compiled.answers_schema["properties"][PLAIN]["properties"]["height"]
    assert entry == {"type": "number", "minimum": 0}
