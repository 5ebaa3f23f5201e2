"""The fast path (jsonschema-rs) reports exactly what the reference (`jsonschema`) reports.

For each built-in, the example plugin and a plugin of `pattern` answers: 600 seeded random
submissions (about half broken on purpose, see tests/support/answers.py) must give the same
valid/invalid verdict and the same list of `{path, message}` errors from `FastValidator.errors` and
`reference_errors`. The edge cases that once split them are pinned below.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from enforcement.checklists.compiler import compile_plugin
from enforcement.checklists.loader import semantic_errors
from enforcement.checklists.validation import (
    FastValidator,
    ecma_regex,
    is_date,
    reference_errors,
    validator_for,
)
from support.answers import submissions
from support.plugins import BUILTIN_ITEM_COUNTS, builtin, example

# Per plugin: the jsonschema reference takes ~1 ms a submission; 600 random ones still give both
# verdicts and every common error kind (asserted), and the edge cases that once split the two
# validators are pinned one by one below.
SUBMISSIONS = 600


def text_item(item_id: str, title: str, answer: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": f"bureau.360102.patterns.{item_id}",
        "title": title,
        "content": f"{title}填写不规范。",
        "method": "查资料。",
        "severity": "general",
        "answer": answer,
        "legal_basis": [{"law": "《中华人民共和国安全生产法》"}],
        "penalty_basis": {"law": "《中华人民共和国安全生产法》", "article": "第九十七条"},
        **extra,
    }


# Answers a bureau may write with `pattern`, max* keywords; x-valid / x-invalid feed the generator.
PATTERNS_PLUGIN: dict[str, Any] = {
    "schema_version": 1,
    "id": "bureau.360102.patterns",
    "version": "1.0.0",
    "title": "格式校验（测试）",
    "issuer": {"level": "county", "region": "360102", "name": "南昌市东湖区应急管理局"},
    "items": [
        text_item(
            "region",
            "行政区划代码",
            {
                "type": "string",
                "pattern": "^\\d{6}$",
                "x-valid": ["360102", "110000"],
                "x-invalid": ["３６０１０２", "٣٦٠١٠٢", "36010", "360102\n", "3601021"],
            },
        ),
        text_item(
            "name",
            "负责人姓名",
            {
                "type": "string",
                "pattern": "^\\S(.*\\S)?$",
                "maxLength": 10,
                "x-valid": ["张三", "欧阳 明", "李"],
                "x-invalid": [
                    " 张三",
                    "张三\u3000",
                    "张\n三",
                    "张三\u2028",
                    "\ufeff张三",
                    "诸葛孔明字卧龙南阳人",
                ],
            },
        ),
        text_item(
            "certificate",
            "特种作业操作证号",
            {
                "type": "string",
                "pattern": "^[A-Z]{2}[0-9]{4}$|^T[0-9]{17}[0-9X]$",
                "x-valid": ["AB1234", "T36010219800101123X"],
                "x-invalid": ["ab1234", "AB12345", "AB1234\n", "T3601021980010112"],
            },
        ),
        text_item(
            "workers",
            "作业人数",
            {"type": "integer", "minimum": 1, "maximum": 99},
            follow_ups=[
                {
                    "id": "drill_date",
                    "title": "最近一次应急演练日期",
                    "when": {"schema": {"minimum": 10}},
                    "answer": {"type": "string", "format": "date"},
                },
                {
                    "id": "shifts",
                    "title": "作业班次",
                    "when": {"schema": {"minimum": 50}},
                    "answer": {
                        "type": "array",
                        "items": {"type": "string", "enum": ["早班", "中班", "夜班"]},
                        "minItems": 1,
                        "maxItems": 2,
                        "uniqueItems": True,
                    },
                },
            ],
        ),
        text_item("ratio", "检测合格率", {"type": "number", "minimum": 0, "maximum": 100}),
    ],
}


def declaration_of(name: str) -> dict[str, Any]:
    if name == "example":
        return example()
    if name == "patterns":
        return PATTERNS_PLUGIN
    return builtin(name)


def test_patterns_plugin_is_a_valid_plugin():
    assert semantic_errors(PATTERNS_PLUGIN, "patterns", set()) == []


@pytest.mark.parametrize("name", [*sorted(BUILTIN_ITEM_COUNTS), "example", "patterns"])
def test_fast_validator_errors_equal_reference_errors(name):
    declaration = declaration_of(name)
    schema = compile_plugin(declaration).answers_schema
    fast = FastValidator(schema)
    verdicts: Counter[bool] = Counter()
    messages: Counter[str] = Counter()
    disagreements = []
    for index, answers in enumerate(submissions(declaration, SUBMISSIONS)):
        expected = reference_errors(schema, answers)
        got = fast.errors(answers)
        verdicts[not expected] += 1
        messages.update(e["message"] for e in expected)
        assert fast.is_valid(answers) == (not expected)
        if got != expected:
            disagreements.append((index, answers, got, expected))
    assert disagreements == [], f"{len(disagreements)} disagreements; first: {disagreements[0]}"
    # the sample is a real test: plenty of both verdicts and of the common error kinds
    assert verdicts[True] > SUBMISSIONS * 0.3 and verdicts[False] > SUBMISSIONS * 0.3, verdicts
    assert {"此项必填", "类型不正确", "包含未定义的字段", "格式不正确"} <= set(messages), messages


def both(schema: dict[str, Any], value: Any) -> list[dict[str, str]]:
    fast = FastValidator(schema).errors(value)
    assert fast == reference_errors(schema, value), value
    return fast


def test_file_hash_with_a_trailing_newline_is_refused_by_both():
    """Python's `$` matches before a final newline; JSON Schema's (ECMA-262) does not."""
    schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
    assert both(schema, "a" * 64) == []
    assert both(schema, "a" * 64 + "\n") == [{"path": "/", "message": "格式不正确"}]


def test_date_is_a_real_day_of_years_1_to_9999_for_both():
    schema = {"type": "string", "format": "date"}
    for good in ("2026-11-29", "2024-02-29", "0001-01-01", "9999-12-31"):
        assert both(schema, good) == [], good
    for bad in (
        "0000-01-01",
        "2023-02-29",
        "２０２６-11-29",
        "2026-11-29\n",
        "20261129",
        "2026-11-29T00:00",
    ):
        assert both(schema, bad) == [{"path": "/", "message": "日期格式应为 YYYY-MM-DD"}], bad
    assert not is_date("0000-01-01") and is_date("2026-11-29")


@pytest.mark.parametrize(
    ("pattern", "matches", "refuses"),
    [
        ("^\\d+$", ["0123"], ["１２３", "٣"]),
        ("^\\w+$", ["a_1"], ["é", "中"]),
        ("^\\s$", ["\u3000", "\u00a0", "\ufeff", "\t"], ["\x1c", "\x85", "a"]),
        ("^[\\s,]+$", [" ,\u3000"], ["，"]),
        ("^\\S+$", ["张三"], ["张 三", "张\u3000三"]),
        ("^.$", ["a", "😀"], ["\n", "\r", "\u2028"]),
        ("^[.$]+$", ["$.", "."], ["a"]),
        ("abc$", ["xabc"], ["abc\n", "abcd"]),
        ("^\\$\\d", ["$5"], ["5"]),
    ],
)
def test_pattern_has_its_ecma_262_meaning_in_both(pattern, matches, refuses):
    schema = {"type": "string", "pattern": pattern}
    for value in matches:
        assert ecma_regex(pattern).search(value), (pattern, value)
        assert both(schema, value) == [], (pattern, value)
    for value in refuses:
        assert both(schema, value) == [{"path": "/", "message": "格式不正确"}], (pattern, value)


def test_missing_property_names_are_read_exactly_by_the_reference():
    schema = {"type": "object", "required": ["it's", "备注", 'say "hi"']}
    assert [e["path"] for e in both(schema, {})] == ["/it's", '/say "hi"', "/备注"]


def test_validator_for_reuses_one_validator_per_schema_hash():
    compiled = compile_plugin(example())
    first = validator_for(compiled.sha256, compiled.answers_schema)
    assert validator_for(compiled.sha256, compiled.answers_schema) is first
    assert validator_for("other", compiled.answers_schema) is not first
