"""Excel output: list exports and the blank import templates.

One writer for both: pandas holds the table (values already made plain), xlsxwriter writes it cell
by cell with explicit types. Writing ourselves rather than through DataFrame.to_excel keeps row
order (pandas writes column by column, which xlsxwriter's constant_memory mode cannot take) and
keeps text as text (a value like "=1+1" must never become a formula).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from enforcement.domain.uscc import make_uscc
from enforcement.services.importing.columns import COLUMNS, KINDS

# Above this many rows xlsxwriter flushes each row to disk instead of keeping the sheet in memory.
CONSTANT_MEMORY_ROWS = 5000
# Column widths are measured on the first rows only: enough for a sensible width, cheap on 100k rows.
WIDTH_SAMPLE_ROWS = 1000
MIN_WIDTH, MAX_WIDTH = 8, 60
LIST_SEPARATOR = "、"
PlainValue = str | int | float | None


def _plain(value: Any) -> PlainValue:
    """A cell value Excel shows as the user expects: numbers stay numbers, the rest becomes text."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else value
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        parts = (_plain(v) for v in value)
        return LIST_SEPARATOR.join(str(p) for p in parts if p is not None)
    return str(value)


def _display_width(text: str) -> int:
    """Chinese characters take two columns of an Excel width unit."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _sheet_name(name: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "", name).strip("'").strip()
    return cleaned[:31] or "数据"


def _write_sheet(
    workbook: Workbook, name: str, frame: pd.DataFrame, as_text: bool = False
) -> Worksheet:
    """Bold frozen header, widths from the content, then the rows in order (constant_memory safe).

    as_text formats the whole columns as text, so codes typed into a template keep leading zeros.
    """
    sheet = workbook.add_worksheet(_sheet_name(name))
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    column_format = workbook.add_format({"num_format": "@"}) if as_text else None
    for position, title in enumerate(frame.columns):
        sample = frame.iloc[:WIDTH_SAMPLE_ROWS, position]
        widest = max(
            [_display_width(str(title))] + [_display_width(str(v)) for v in sample if v is not None]
        )
        sheet.set_column(
            position, position, min(max(widest + 2, MIN_WIDTH), MAX_WIDTH), column_format
        )
    sheet.freeze_panes(1, 0)
    for position, title in enumerate(frame.columns):
        sheet.write_string(0, position, str(title), header)
    for row_number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for position, value in enumerate(values):
            if value is None or value == "":
                continue  # a blank cell, not an empty string: Excel's "blank" filters find it
            if isinstance(value, str):
                sheet.write_string(row_number, position, value)
            else:
                sheet.write_number(row_number, position, value)
    return sheet


def _frame(headers: list[str], rows: Iterable[list[Any]]) -> pd.DataFrame:
    # dtype=object: no coercion of ints to floats or of text to dates; the values are final.
    return pd.DataFrame([[_plain(v) for v in row] for row in rows], columns=headers, dtype=object)


def _workbook(output: io.BytesIO, rows: int) -> Workbook:
    # in_memory would override constant_memory, so large exports go through temporary files.
    options = {"constant_memory": True} if rows > CONSTANT_MEMORY_ROWS else {"in_memory": True}
    return xlsxwriter.Workbook(output, options)


def export_xlsx(
    columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]], sheet: str = "数据"
) -> bytes:
    """rows as an .xlsx file; columns are (key in each row, Chinese header). Missing keys are blank."""
    frame = _frame(
        [title for _, title in columns], ([row.get(k) for k, _ in columns] for row in rows)
    )
    output = io.BytesIO()
    workbook = _workbook(output, len(frame))
    _write_sheet(workbook, sheet, frame)
    workbook.close()
    return output.getvalue()


# ---------------------------------------------------------------------------------------------
# Import templates

EXAMPLE_USCC = make_uscc("9", "1", "360102", "MA35EX01")
EXAMPLES: dict[str, dict[str, str]] = {
    "enterprises": {
        "name": "南昌示例机械制造有限公司",
        "uscc": EXAMPLE_USCC,
        "region_code": "360102",
        "sector": "机械",
        "tags": "粉尘涉爆、有限空间作业",
        "address": "江西省南昌市东湖区示例路1号",
        "scale": "小型",
        "status": "在产",
        "principal_name": "张三",
        "principal_phone": "13800000000",
        "contact_name": "李四",
        "contact_phone": "0791-88888888",
        "employees": "120",
    },
    "equipment": {
        "uscc": EXAMPLE_USCC,
        "equipment_type": "有限空间",
        "name": "1号污水井",
        "serial_no": "YX-001",
        "location": "污水处理站",
        "notes": "每季度检测一次",
    },
    "enforcers": {
        "name": "王五",
        "certificate_no": "36010220240001",
        "department_region": "360102",
        "department_name": "东湖区应急管理局",
        "position": "执法大队队员",
        "phone": "0791-86666666",
        "training_date": "2024-03-15",
        "training_course": "工贸行业重大事故隐患判定标准解读",
        "training_hours": "8",
    },
}
NOTES = (
    "第1行为表头，请勿修改；带 * 的列为必填。",
    "第2行为示例数据，导入前请删除。",
    "留空的选填项不会清除系统中已有的内容；重复导入同一文件不会产生重复记录。",
    "出错的行不会导入，系统会逐行列出问题，其余行照常保存。",
)


def template_xlsx(kind: str) -> bytes:
    """A blank import template: headers and one example row, and a "填写说明" sheet."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind: {kind!r}")
    columns = COLUMNS[kind]
    example = EXAMPLES[kind]
    data = _frame(
        [f"{c.header}*" if c.required else c.header for c in columns],
        [[example.get(c.field) for c in columns]],
    )
    instructions = _frame(
        ["列名", "是否必填", "填写说明"],
        [
            [
                c.header,
                "必填" if c.required else "选填",
                "；".join(
                    part
                    for part in (c.hint, "也可用列名：" + "、".join(c.aliases) if c.aliases else "")
                    if part
                ),
            ]
            for c in columns
        ]
        + [[None, None, None]]
        + [["说明", None, note] for note in NOTES],
    )
    output = io.BytesIO()
    workbook = _workbook(output, len(data))
    _write_sheet(workbook, KINDS[kind], data, as_text=True)
    _write_sheet(workbook, "填写说明", instructions)
    workbook.close()
    return output.getvalue()
