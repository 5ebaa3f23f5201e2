"""工作日 arithmetic over the State Council's yearly holiday and 调休 arrangement (pure).

行政处罚法(2021) 第八十五条: "二日""三日""五日""七日" are working days, not counting 法定节假日;
行政强制法 第六十九条 does the same for its periods of ten days or less. A working day is a Monday to
Friday that is not a 法定节假日, or a weekend day the arrangement makes a working day (调休上班).

The tables come from `services/calendar.py` (the `chinesecalendar` package, overridden per year by an
admin-loaded table). A year neither covers is a gap: arithmetic that crosses it raises
`CalendarGap` instead of guessing, and callers report it (a guard refuses, a clock warns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from enforcement.domain.errors import Refused

ONE_DAY = dt.timedelta(days=1)
# Working-day periods reach about 3 weeks ahead (催告 10, 送达 7 working days); the State Council
# publishes the next year's arrangement in November.
GAP_WARNING_DAYS = 45


class CalendarGap(Refused):
    """A date in a year whose holiday arrangement is not in the calendar."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"工作日历缺少{year}年的法定节假日安排，无法计算工作日期限；"
            f"请管理员载入{year}年的安排（enforcement calendar load）"
        )


@dataclass(frozen=True)
class WorkingCalendar:
    """Holidays (days off, weekday or not) and 调休 working days, for the years it covers."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)  # weekend days worked
    years: frozenset[int] = field(default_factory=frozenset)
    # Where each year's table came from ("chinesecalendar 1.11.0", "载入：国办发明电〔2026〕…").
    sources: tuple[tuple[int, str], ...] = ()

    @classmethod
    def build(
        cls,
        years: dict[int, tuple[Iterable[dt.date], Iterable[dt.date], str]],
    ) -> WorkingCalendar:
        """From {year: (holidays, 调休 workdays, source)}; a later year table replaces nothing else."""
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for year, (off, on, _source) in years.items():
            holidays |= {d for d in off if d.year == year}
            workdays |= {d for d in on if d.year == year}
        return cls(
            frozenset(holidays),
            frozenset(workdays),
            frozenset(years),
            tuple(sorted((year, table[2]) for year, table in years.items())),
        )

    def covers(self, year: int) -> bool:
        return year in self.years

    def missing(self, start: dt.date, end: dt.date) -> list[int]:
        """The years between two dates (inclusive) the calendar does not cover."""
        low, high = sorted((start.year, end.year))
        return [year for year in range(low, high + 1) if year not in self.years]

    def gap_ahead(self, today: dt.date, days: int = GAP_WARNING_DAYS) -> int | None:
        """The first year up to `days` ahead that is not covered: deadlines reaching into it are
        refused until someone loads it, so people are told before they meet the refusal."""
        missing = self.missing(today, today + dt.timedelta(days=days))
        return missing[0] if missing else None

    def source_of(self, year: int) -> str | None:
        return dict(self.sources).get(year)

    def is_working_day(self, day: dt.date) -> bool:
        if not self.covers(day.year):
            raise CalendarGap(day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The last day of a period of `days` working days that starts the day after `start`
        (行政处罚法 counts from the day after the event, like 民法典 第二百零一条)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, left = start, days
        while left:
            day += ONE_DAY
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day `months` later; a day the month lacks is its last day (民法典 第二百零二条)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    for day in range(start.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, start.day)


EMPTY = WorkingCalendar()
