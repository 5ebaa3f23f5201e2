"""统计查询's pure rules: which answers count as item results, the rollup rows a cell counts in."""

from __future__ import annotations

from enforcement.services.statistics.export import sheet_name
from enforcement.services.statistics.maintain import ancestry, answered_items


def test_a_county_cell_counts_in_its_county_city_province_and_the_nation():
    assert ancestry("360102") == [
        ("360102", "360100"),
        ("360100", "360000"),
        ("360000", "000000"),
        ("000000", None),
    ]


def test_an_enterprise_registered_at_city_level_counts_in_the_city_and_above():
    assert ancestry("360100") == [("360100", "360000"), ("360000", "000000"), ("000000", None)]


def test_only_compliant_and_non_compliant_answers_are_results_per_equipment_where_repeated():
    answers = {
        "dust.fc01": {"answer": "compliant"},
        "dust.fc02": [
            {"equipment_id": 7, "answer": "non_compliant"},
            {"equipment_id": 8, "answer": "compliant"},
        ],
        "dust.fc03": {"answer": "not_applicable"},
        "dust.fc04": "garbage",
        "dust.fc05": {"answer": "non_compliant", "equipment_id": "7"},
    }
    assert sorted(answered_items(answers), key=str) == sorted(
        [
            ("dust.fc01", None, False),
            ("dust.fc02", 7, True),
            ("dust.fc02", 8, False),
            ("dust.fc05", None, True),
        ],
        key=str,
    )


def test_sheet_names_are_what_excel_accepts():
    assert sheet_name("违法行为情况（江西省/南昌市）") == "违法行为情况（江西省南昌市）"
    assert len(sheet_name("地" * 40)) == 31
    assert sheet_name("[]") == "数据"
