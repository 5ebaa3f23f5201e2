"""The working-day calendar every guard, clock and reminder uses (行政处罚法 第八十五条).

Base: the maintained `chinesecalendar` package (the State Council's 放假安排 per year). Override: a
year an admin loaded with `enforcement calendar load <file>` (table `calendar_year`) replaces the
package's year entirely, e.g. when the next year's arrangement is published before the package is.
A year neither covers stays uncovered: `domain/calendar.py` raises `CalendarGap` on it.

File formats (one year per file):

* CSV, UTF-8, header ``日期,类型,名称`` (or ``date,kind,name``); 类型 is ``休`` (a day off, e.g.
  2027-02-06) or ``班`` (a weekend day worked, 调休上班); 名称 is optional (春节 …). Lines starting
  with ``#`` are comments; ``# 来源：国办发明电〔2026〕…`` names the source.
* JSON: ``{"year": 2027, "source": "国办发明电…", "holidays": ["2027-01-01", …],
  "workdays": ["2027-02-07", …]}``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.unit_of_work import transaction
from enforcement.domain.calendar import WorkingCalendar
from enforcement.domain.errors import FieldError, Refused
from enforcement.models import CalendarYear

OFF, ON = "休", "班"
_KINDS = {"休": OFF, "holiday": OFF, "off": OFF, "班": ON, "workday": ON, "work": ON}


@functools.cache
def package_years() -> dict[int, tuple[frozenset[dt.date], frozenset[dt.date], str]]:
    """{year: (holidays, 调休 workdays, source)} as the installed `chinesecalendar` has them."""
    import chinese_calendar
    from chinese_calendar import constants

    source = f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip()
    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return {
        year: (
            frozenset(d for d in constants.holidays if d.year == year),
            frozenset(d for d in constants.workdays if d.year == year),
            source,
        )
        for year in sorted(years)
    }


def _dates(text: str) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(d) for d in text.split(",") if d.strip())


def working_calendar(session: Session | None) -> WorkingCalendar:
    """The package's years, each replaced by an admin-loaded year where one exists."""
    years = dict(package_years())
    if session is not None:
        for row in session.scalars(select(CalendarYear)):
            years[row.year] = (_dates(row.holidays), _dates(row.workdays), f"载入：{row.source}")
    return WorkingCalendar.build(years)


@dataclass
class YearTable:
    year: int
    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)
    source: str = ""


def _line_error(line: int, message: str) -> FieldError:
    return FieldError(f"/{line}", f"第{line}行：{message}")


def _day(raw: str, line: int, errors: list[FieldError]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        errors.append(_line_error(line, f"日期“{raw.strip()}”格式应为 年-月-日，如 2027-01-01"))
        return None


def _check(table: YearTable, errors: list[FieldError]) -> None:
    both = table.holidays & table.workdays
    if both:
        errors.append(FieldError("", f"{min(both).isoformat()} 不能既是休息日又是调休上班日"))
    for day in sorted(table.workdays):
        if day.weekday() < 5:
            errors.append(
                FieldError("", f"{day.isoformat()} 是周一至周五，本来就上班，不应列为调休上班日")
            )
    if not table.holidays:
        errors.append(FieldError("", "文件中没有任何休息日"))


def parse_csv(text: str, source: str = "") -> YearTable:
    """A CSV year table; every bad line is reported with its number (Chinese)."""
    errors: list[FieldError] = []
    table = YearTable(0, source=source)
    years: set[int] = set()
    header_seen = False
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for number, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip():
            continue
        first = row[0].strip()
        if first.startswith("#"):
            comment = ",".join(row).lstrip("#").strip()
            for prefix in ("来源：", "来源:", "source:"):
                if comment.startswith(prefix) and not table.source:
                    table.source = comment[len(prefix) :].strip()
            continue
        if not header_seen:
            header_seen = True
            if first in ("日期", "date"):
                continue
        if len(row) < 2:
            errors.append(_line_error(number, "应有“日期,类型”两列"))
            continue
        day = _day(first, number, errors)
        kind = _KINDS.get(row[1].strip().lower())
        if kind is None:
            errors.append(_line_error(number, f"类型“{row[1].strip()}”应为“休”或“班”"))
            continue
        if day is None:
            continue
        years.add(day.year)
        (table.holidays if kind == OFF else table.workdays).add(day)
    if len(years) > 1:
        errors.append(
            FieldError(
                "", f"一个文件只能载入一年，文件含有：{'、'.join(map(str, sorted(years)))}年"
            )
        )
    table.year = min(years) if years else 0
    _check(table, errors)
    if errors:
        raise Refused(errors)
    return table


def parse_json(text: str, source: str = "") -> YearTable:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(_line_error(exc.lineno, f"JSON 格式错误（{exc.msg}）")) from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise Refused("JSON 应为对象，且含整数 year")
    errors: list[FieldError] = []
    table = YearTable(data["year"], source=source or str(data.get("source") or ""))
    for key, into in (("holidays", table.holidays), ("workdays", table.workdays)):
        values = data.get(key, [])
        if not isinstance(values, list):
            errors.append(FieldError(f"/{key}", f"{key} 应为日期列表"))
            continue
        for index, raw in enumerate(values):
            try:
                day = dt.date.fromisoformat(str(raw))
            except ValueError:
                errors.append(
                    FieldError(f"/{key}/{index}", f"{key} 第{index + 1}项“{raw}”不是日期")
                )
                continue
            if day.year != table.year:
                errors.append(FieldError(f"/{key}/{index}", f"{raw} 不在 {table.year} 年"))
            into.add(day)
    _check(table, errors)
    if errors:
        raise Refused(errors)
    return table


def parse_file(path: Path, source: str = "") -> YearTable:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise Refused("文件应为 UTF-8 编码") from None
    if path.suffix.lower() == ".json":
        return parse_json(text, source)
    return parse_csv(text, source)


@transaction
def load_year(session: Session, table: YearTable, actor: str | None = None) -> CalendarYear:
    """Store (or replace) one year; it overrides the package's year from now on."""
    if not 2000 <= table.year <= 2100:
        raise Refused(f"年份 {table.year} 超出范围")
    row = session.get(CalendarYear, table.year) or CalendarYear(year=table.year)
    row.holidays = ",".join(d.isoformat() for d in sorted(table.holidays))
    row.workdays = ",".join(d.isoformat() for d in sorted(table.workdays))
    row.source = (table.source or "管理员载入（未注明来源）")[:300]
    row.loaded_by = actor
    row.loaded_at = dt.datetime.now().replace(microsecond=0)
    session.add(row)
    return row


def describe_year(calendar: WorkingCalendar, year: int) -> dict[str, object]:
    """What `enforcement calendar show <year>` prints."""
    if not calendar.covers(year):
        return {"year": year, "covered": False, "source": None, "holidays": [], "workdays": []}
    return {
        "year": year,
        "covered": True,
        "source": calendar.source_of(year),
        "holidays": sorted(d.isoformat() for d in calendar.holidays if d.year == year),
        "workdays": sorted(d.isoformat() for d in calendar.workdays if d.year == year),
    }
