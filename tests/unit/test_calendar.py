"""The working-day calendar: arithmetic across 春节 and 国庆 with 调休 days, the package as base,
year tables loadable as data (CSV/JSON with Chinese line errors), a missing year reported; and the
procedure as JSON validated by schemas/workflow.schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from enforcement.domain import workflow as wf
from enforcement.domain.calendar import CalendarGap, WorkingCalendar, add_months
from enforcement.domain.errors import Refused
from enforcement.services import calendar as service
from support.case_facts import CAL, HOLIDAYS, D

ROOT = Path(__file__).resolve().parents[2]


def test_a_day_off_before_spring_festival_and_the_saturday_worked_before_it():
    assert CAL.is_working_day(D(2026, 2, 14))  # Saturday, 调休上班
    assert not CAL.is_working_day(D(2026, 2, 16))  # Monday, 春节
    assert not CAL.is_working_day(D(2026, 2, 23))  # Monday, last day off
    assert CAL.is_working_day(D(2026, 2, 24))


def test_adding_working_days_across_spring_festival():
    # From Fri 2026-02-13: Sat 02-14 worked, 02-15..02-23 off → 02-14, 02-24, 02-25.
    assert CAL.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 25)) == 3


def test_adding_working_days_across_national_day_with_both_make_up_saturdays():
    # From Fri 2025-09-26: Sun 09-28 worked, 29, 30, 10-01..10-08 off, 09, 10, Sat 10-11 worked.
    assert CAL.add_working_days(D(2025, 9, 26), 3) == D(2025, 9, 30)
    assert CAL.add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)
    assert CAL.add_working_days(D(2025, 9, 30), 5) == D(2025, 10, 14)


def test_a_year_the_calendar_does_not_cover_is_reported():
    assert CAL.covers(2026) and not CAL.covers(2027)
    with pytest.raises(CalendarGap, match="缺少2027年"):
        CAL.add_working_days(D(2026, 12, 28), 5)
    assert CAL.missing(D(2026, 12, 1), D(2028, 1, 1)) == [2027, 2028]


def test_months_end_on_the_same_day_or_the_months_last_day():
    assert add_months(D(2026, 3, 1), 6) == D(2026, 9, 1)
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_the_package_agrees_with_the_state_council_notices_for_2025_and_2026():
    years = service.package_years()
    for year, (holidays, workdays, _source) in HOLIDAYS.items():
        assert years[year][0] == frozenset(holidays), year
        assert years[year][1] == frozenset(workdays), year


def test_without_loaded_years_the_calendar_is_the_packages():
    calendar = service.working_calendar(None)
    assert calendar.covers(2026) and calendar.source_of(2026).startswith("chinesecalendar")
    assert calendar.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


CSV_2027 = """# 来源：国务院办公厅关于2027年部分节假日安排的通知（示例）
日期,类型,名称
2027-01-01,休,元旦
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-20,班,春节调休
"""


def test_a_year_table_is_read_from_csv_with_its_source():
    table = service.parse_csv(CSV_2027)
    assert table.year == 2027 and D(2027, 2, 8) in table.holidays
    assert table.workdays == {D(2027, 2, 20)} and "2027年" in table.source


def test_bad_csv_lines_are_reported_in_chinese_with_their_number():
    bad = "日期,类型\n2027-01-01,休\n2027-13-01,休\n2027-01-04,放假\n2027-01-05,班\n"
    with pytest.raises(Refused) as refused:
        service.parse_csv(bad)
    text = "；".join(refused.value.messages)
    assert "第3行" in text and "格式应为" in text
    assert "第4行" in text and "应为“休”或“班”" in text
    assert "本来就上班" in text  # 2027-01-05 is a Tuesday


def test_a_year_table_is_read_from_json_and_mixed_years_are_refused():
    table = service.parse_json(
        json.dumps({"year": 2027, "source": "通知", "holidays": ["2027-01-01"], "workdays": []})
    )
    assert table.year == 2027 and table.source == "通知"
    with pytest.raises(Refused, match="不在 2027 年"):
        service.parse_json(json.dumps({"year": 2027, "holidays": ["2028-01-01"]}))
    with pytest.raises(Refused, match="只能载入一年"):
        service.parse_csv("2027-01-01,休\n2028-01-01,休\n")


def test_a_loaded_year_overrides_the_package_as_data():
    table = service.parse_csv(CSV_2027)
    merged = WorkingCalendar.build(
        {**service.package_years(), 2027: (table.holidays, table.workdays, table.source)}
    )
    assert merged.covers(2027) and not merged.is_working_day(D(2027, 2, 8))
    assert merged.is_working_day(D(2027, 2, 20))  # Saturday worked


# ---- the procedure as data ------------------------------------------------------------------------


def test_workflow_show_json_is_valid_against_its_schema():
    schema = json.loads((ROOT / "schemas" / "workflow.schema.json").read_text("utf-8"))
    data = json.loads(json.dumps(wf.workflow_data(), ensure_ascii=False))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema)
    keys = {(t["stage"], t["action"]) for t in data["transitions"]}
    assert ("execution", "serve_reminder") in keys and ("hearing", "legal_review") in keys
    assert {limit["kind"] for limit in data["limits"]} == {"working", "calendar", "months"}


def test_the_schema_refuses_a_limit_without_its_kind():
    schema = json.loads((ROOT / "schemas" / "workflow.schema.json").read_text("utf-8"))
    data = wf.workflow_data()
    del data["limits"][0]["kind"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_people_are_warned_of_a_missing_year_six_weeks_before_it_begins():
    assert CAL.gap_ahead(D(2026, 11, 10)) is None  # 2026-12-25 is still covered
    assert CAL.gap_ahead(D(2026, 11, 29)) == 2027
    assert CAL.gap_ahead(D(2027, 3, 1)) == 2027  # and while it lasts
