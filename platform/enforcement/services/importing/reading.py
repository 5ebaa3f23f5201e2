"""Reading an upload: the first sheet of an .xlsx or a .csv (UTF-8 or GBK) as a table of text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is Chinese and shown to the user."""


def _cell_text(value: Any) -> str | None:
    """Every cell as stripped text (or None), whatever type the spreadsheet stored."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # Excel stores every number as a float: 8.0 is "8", never "8.0".
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    return text or None


def _frame(lines: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """First line = headers; the index is the spreadsheet row number; fully blank rows dropped."""
    rows = [[_cell_text(v) for v in line] for line in lines]
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    headers = [h or "" for h in rows[0]] + [""] * (width - len(rows[0]))
    body: list[list[str | None]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if any(v is not None for v in row):
            body.append(row + [None] * (width - len(row)))
            numbers.append(number)
    return pd.DataFrame(body, columns=headers, index=numbers, dtype=object)


def _xlsx_lines(data: bytes) -> list[tuple[Any, ...]]:
    # Whatever the parser trips on (not a zip, encrypted, broken XML), the upload is at fault.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # The first sheet holds the data (the template's second sheet is the instructions).
            return list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except Exception as exc:
        raise ImportFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密、未损坏") from exc


def _csv_lines(data: bytes) -> list[list[str]]:
    # Excel saves "CSV UTF-8" with a BOM and plain "CSV" in the system code page (GBK in China).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 文件格式错误：{exc}") from exc


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The first sheet (or the CSV) as text: columns = header cells, index = Excel row number.

    Every value is a stripped str or None; fully blank rows are left out (their numbers too).
    Raises ImportFileError with a Chinese message when the file cannot be read.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _frame(_xlsx_lines(data))
    if suffix == ".csv":
        return _frame(_csv_lines(data))
    if suffix == ".xls":
        raise ImportFileError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
    raise ImportFileError(f"不支持的文件类型“{suffix or filename}”，只支持 .xlsx 或 .csv 文件")
