"""Excel exports and import templates, read back with openpyxl as a user's Excel would."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.worksheet import Worksheet
from stdnum.cn import uscc as stdnum_uscc

from enforcement.domain import codes
from enforcement.services import exporting
from enforcement.services.exporting import export_xlsx, template_xlsx
from enforcement.services.importing import COLUMNS

COLUMNS_OF_A_LIST = [
    ("name", "企业名称"),
    ("tags", "专项标签"),
    ("inspected_on", "检查日期"),
    ("created_at", "登记时间"),
    ("employees", "从业人数"),
]


def open_sheet(data: bytes, name: str | None = None) -> Worksheet:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook[name] if name else workbook.worksheets[0]


def values(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def width_of(sheet: Worksheet, column: int) -> float:
    """xlsxwriter writes neighbouring columns of one width as one range: look the range up."""
    for dim in sheet.column_dimensions.values():
        if dim.min <= column <= dim.max:
            return dim.width
    raise AssertionError(f"no width for column {column}")


def test_export_has_chinese_headers_and_plain_values():
    rows = [
        {
            "name": "东湖机械厂",
            "tags": ["粉尘涉爆", "有限空间作业"],
            "inspected_on": dt.date(2024, 3, 15),
            "created_at": dt.datetime(2024, 3, 15, 9, 30, 5, 123),
            "employees": 120,
        },
        {"name": "西湖轻工厂", "tags": [], "inspected_on": None, "employees": None},
    ]
    sheet = open_sheet(export_xlsx(COLUMNS_OF_A_LIST, rows, sheet="执法对象"))
    assert sheet.title == "执法对象"
    assert values(sheet) == [
        ("企业名称", "专项标签", "检查日期", "登记时间", "从业人数"),
        ("东湖机械厂", "粉尘涉爆、有限空间作业", "2024-03-15", "2024-03-15 09:30:05", 120),
        ("西湖轻工厂", None, None, None, None),
    ]


def test_export_header_is_bold_and_frozen_with_readable_widths():
    rows = [{"name": "南昌示例机械制造有限公司" * 2, "employees": 1}]
    sheet = open_sheet(export_xlsx(COLUMNS_OF_A_LIST, rows))
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert width_of(sheet, 1) > 40  # 24 Chinese characters
    assert 8 <= width_of(sheet, 5) < 15
    assert all(dim.width <= exporting.MAX_WIDTH + 1 for dim in sheet.column_dimensions.values())


def test_export_keeps_text_as_text():
    rows = [{"name": '=HYPERLINK("http://x")', "tags": "https://example.com", "employees": "007"}]
    sheet = open_sheet(export_xlsx(COLUMNS_OF_A_LIST, rows))
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("http://x")'
    assert sheet["B2"].hyperlink is None
    assert sheet["E2"].value == "007"


def test_export_of_no_rows_is_a_header_only_sheet():
    sheet = open_sheet(export_xlsx(COLUMNS_OF_A_LIST, []))
    assert values(sheet) == [("企业名称", "专项标签", "检查日期", "登记时间", "从业人数")]


def test_sheet_name_is_made_acceptable_to_excel():
    sheet = open_sheet(export_xlsx([("a", "名称")], [], sheet="企业/设备:[全部]" + "很长" * 20))
    assert sheet.title.startswith("企业设备全部")
    assert len(sheet.title) == 31


def test_large_export_uses_constant_memory_and_keeps_row_order(monkeypatch):
    options_seen: list[dict[str, Any]] = []
    real_workbook = xlsxwriter.Workbook

    def spy(output: Any, options: dict[str, Any]) -> Any:
        options_seen.append(options)
        return real_workbook(output, options)

    monkeypatch.setattr(exporting.xlsxwriter, "Workbook", spy)
    count = exporting.CONSTANT_MEMORY_ROWS + 1
    rows = ({"name": f"企业{i}", "employees": i, "tags": ["钢铁"]} for i in range(count))
    data = export_xlsx(COLUMNS_OF_A_LIST, rows)
    assert options_seen == [{"constant_memory": True}]
    table = values(open_sheet(data))
    assert len(table) == count + 1
    assert table[1] == ("企业0", "钢铁", None, None, 0)
    assert table[-1] == (f"企业{count - 1}", "钢铁", None, None, count - 1)

    export_xlsx(COLUMNS_OF_A_LIST, [{"name": "小表"}])
    assert options_seen[-1] == {"in_memory": True}


@pytest.mark.parametrize("kind", ["enterprises", "equipment", "enforcers"])
def test_template_has_headers_one_example_row_and_instructions(kind):
    data = template_xlsx(kind)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[1] == "填写说明"
    table = values(workbook.worksheets[0])
    expected = tuple(f"{c.header}*" if c.required else c.header for c in COLUMNS[kind])
    assert table[0] == expected
    assert len(table) == 2
    assert all(cell.font.bold for cell in workbook.worksheets[0][1])
    instructions = values(workbook["填写说明"])
    assert instructions[0] == ("列名", "是否必填", "填写说明")
    listed = {row[0]: row[1] for row in instructions[1:] if row[0]}
    for column in COLUMNS[kind]:
        assert listed[column.header] == ("必填" if column.required else "选填")


def test_template_example_uscc_is_valid():
    for kind in ("enterprises", "equipment"):
        sheet = open_sheet(template_xlsx(kind))
        position = [c.value for c in sheet[1]].index("统一社会信用代码*")
        assert stdnum_uscc.is_valid(sheet.cell(2, position + 1).value)


def test_template_lists_the_allowed_values():
    text = "\n".join(
        str(row[2]) for row in values(open_sheet(template_xlsx("enterprises"), "填写说明"))
    )
    for table in (codes.SECTORS, codes.TAGS, codes.SCALES, codes.ENTERPRISE_STATUSES):
        assert all(label in text for label in table.values())
    equipment = "\n".join(
        str(row[2]) for row in values(open_sheet(template_xlsx("equipment"), "填写说明"))
    )
    assert all(label in equipment for label in codes.EQUIPMENT_TYPES.values())


def test_template_columns_are_text_so_codes_keep_their_digits():
    sheet = open_sheet(template_xlsx("enforcers"))
    assert sheet["C2"].value == "360102"
    assert sheet.column_dimensions["B"].number_format == "@"


def test_unknown_template_kind_is_refused():
    with pytest.raises(ValueError):
        template_xlsx("inspections")
