"""The published docking spec: generated from the platform's own tables, its examples valid, its
errors coded and in Chinese, its cursor opaque and strict."""

from __future__ import annotations

import json
import re

import pytest

from enforcement.domain.fields import ENFORCER_FIELDS, ENTERPRISE_FIELDS, EQUIPMENT_FIELDS
from enforcement.services.docking import generate, spec
from enforcement.services.docking.export import BadCursor, decode, encode
from enforcement.services.docking.push import _envelope, content_hash

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_published_files_are_what_the_generator_writes():
    for name, schema in generate.schemas().items():
        published = (generate.SPEC_DIR / name).read_text(encoding="utf-8")
        assert published == generate.dump(schema), f"{name}: run python -m {generate.__name__}"


@pytest.mark.parametrize(
    ("record_type", "table", "extra"),
    [
        ("enterprise", ENTERPRISE_FIELDS, set()),
        ("equipment", EQUIPMENT_FIELDS, {"enterprise_id"}),
        ("enforcer", ENFORCER_FIELDS, {"department_id"}),
    ],
)
def test_base_data_uses_the_field_names_and_code_tables_of_the_platform(record_type, table, extra):
    schema = spec.schema_of(record_type)
    assert set(schema["properties"]) == {f.name for f in table} | extra
    for f in table:
        prop = schema["properties"][f.name]
        assert prop["title"] == f.label
        if f.kind == "choice":
            assert prop["enum"] == list(f.choices)
        if f.max_length and f.kind == "text":
            assert prop["maxLength"] == f.max_length
        assert (f.name in schema["required"]) == f.required


@pytest.mark.parametrize("record_type", spec.TYPES)
def test_every_example_of_the_spec_is_accepted_by_the_push_checks(record_type):
    example = spec.schema_of(record_type)["examples"][0]
    item, problems = _envelope(0, {"type": record_type, "id": "1", "data": example})
    assert problems == []
    assert item is not None and item.digest == content_hash(example)


def test_inspection_results_name_the_checklist_its_version_the_item_and_the_equipment():
    results = spec.schema_of("inspection")["properties"]["results"]["items"]
    assert {"checklist_id", "checklist_version", "item_id", "equipment_id"} <= set(
        results["properties"]
    )
    assert {"checklist_id", "checklist_version", "item_id"} <= set(results["required"])


def test_schema_errors_have_a_path_a_chinese_message_and_a_stable_code():
    problems = spec.problems(
        "enterprise", {"name": 5, "colour": "red", "sector": "mining", "uscc": "x" * 18}
    )
    by_path = {p.path: p for p in problems}
    assert by_path["/data/name"].code == "wrong_type"
    assert by_path["/data/colour"].code == "unknown_field"
    assert by_path["/data/sector"].code == "not_in_code_table"
    assert by_path["/data/region_code"].code == "missing"
    assert by_path["/data/uscc"].code == "bad_format"
    assert all(CJK.search(p.message) for p in problems)
    assert {p.code for p in problems} <= set(spec.CODES)


def test_the_uscc_check_digit_is_the_platforms_own_rule():
    data = dict(spec.schema_of("enterprise")["examples"][0], uscc="91360102MA35L0XX1E")
    _, problems = _envelope(3, {"type": "enterprise", "id": "1", "data": data})
    assert [(p.path, p.code) for p in problems] == [("/records/3/data/uscc", "invalid_uscc")]
    assert "校验位" in problems[0].message


def test_content_hash_ignores_key_order_and_spacing():
    assert content_hash(json.loads('{"a": 1, "b": [1, 2]}')) == content_hash({"b": [1, 2], "a": 1})


def test_a_cursor_round_trips_and_a_forged_one_is_refused():
    assert decode(encode(12345)) == 12345
    assert decode(None) == 0
    for forged in ("garbage!", encode(5) + "==", "djIuNQ", "djEuLTE"):
        with pytest.raises(BadCursor):
            decode(forged)


@pytest.mark.parametrize(
    ("record_type", "table"),
    [
        ("enterprise", ENTERPRISE_FIELDS),
        ("equipment", EQUIPMENT_FIELDS),
        ("enforcer", ENFORCER_FIELDS),
    ],
)
def test_values_the_schema_admits_are_stored_as_the_field_rules_would_store_them(
    record_type, table
):
    from enforcement.domain.fields import clean_record
    from enforcement.services.docking.kinds import clean

    samples = {
        "tags": ["dust", "aluminum"],
        "employees": 12.0,
        "capacity": 3,
        "latitude": 28,
        "sector": "machinery",
        "region_code": "360102",
    }
    data = dict(spec.schema_of(record_type)["examples"][0])
    data.update({k: v for k, v in samples.items() if k in data or k in {f.name for f in table}})
    assert spec.problems(record_type, data) == []
    fast, errors = clean(table, data)
    full, full_errors = clean_record(table, data, partial=True)
    assert errors == full_errors == []
    assert fast == full
    assert [type(v) for v in fast.values()] == [type(v) for v in full.values()]


def test_the_fast_uscc_check_answers_as_the_field_rule_does():
    import random

    from enforcement.domain.errors import FieldError
    from enforcement.domain.fields import ENTERPRISE_FIELDS
    from enforcement.domain.uscc import make_uscc
    from enforcement.services.docking.kinds import uscc_value

    field = next(f for f in ENTERPRISE_FIELDS if f.name == "uscc")
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = [make_uscc("9", "1", "360102", f"{n:08d}") for n in range(200)]
    codes += ["".join(rng.choice(alphabet) for _ in range(18)) for _ in range(400)]
    codes += [c[:-1] + rng.choice(alphabet) for c in codes[:200]]
    codes += ["91 360102 MA35L0XX1M", "９1360102MA35L0XX1M", "A1360102MA35L0XX1M"]

    def answer(check):
        try:
            return check(field, code)
        except FieldError as exc:
            return ("refused", exc.message)

    for code in codes:
        assert answer(uscc_value) == answer(lambda f, value: f.clean(value)), code
