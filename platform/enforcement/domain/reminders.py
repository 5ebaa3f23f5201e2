"""我的工作提醒: bucket work items by their due date against a clock (pure; no framework).

Items come from cases' statutory clocks, tasks' due dates and hazards' rectification deadlines
(`services/reminders.py` gathers them); this module only sorts them into overdue / due today /
due soon (within `soon_days`) / later, and counts them for the menu badge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

OVERDUE, TODAY, SOON, LATER = "overdue", "today", "soon", "later"
BUCKETS: tuple[str, ...] = (OVERDUE, TODAY, SOON, LATER)
BUCKET_LABELS: dict[str, str] = {
    OVERDUE: "已逾期",
    TODAY: "今天到期",
    SOON: "即将到期",
    LATER: "以后到期",
}
KIND_LABELS: dict[str, str] = {
    "case": "案件",
    "task": "执法任务",
    "hazard": "隐患整改",
    "order": "整改指令",
}
DEFAULT_SOON_DAYS = 3


@dataclass(frozen=True)
class WorkItem:
    kind: str  # "case", "task", "hazard" …
    title: str
    due_on: dt.date
    owners: tuple[str, ...] = ()  # usernames
    url: str = ""
    detail: str = ""  # e.g. the clock's name and legal source
    region_code: str | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Bucketed:
    today: dt.date
    soon_days: int
    buckets: dict[str, list[WorkItem]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(self.buckets.get(name, [])) for name in BUCKETS}

    @property
    def urgent(self) -> int:
        """The menu badge: what needs attention now (overdue, today, soon)."""
        counts = self.counts
        return counts[OVERDUE] + counts[TODAY] + counts[SOON]

    def days_left(self, item: WorkItem) -> int:
        return (item.due_on - self.today).days


def bucket_of(due_on: dt.date, today: dt.date, soon_days: int = DEFAULT_SOON_DAYS) -> str:
    if due_on < today:
        return OVERDUE
    if due_on == today:
        return TODAY
    if (due_on - today).days <= soon_days:
        return SOON
    return LATER


def bucket(
    items: Iterable[WorkItem], today: dt.date, soon_days: int = DEFAULT_SOON_DAYS
) -> Bucketed:
    """Sort items into the four buckets; inside each, earliest due first, then kind and title."""
    if soon_days < 0:
        raise ValueError("soon_days must not be negative")
    out: dict[str, list[WorkItem]] = {name: [] for name in BUCKETS}
    for item in items:
        out[bucket_of(item.due_on, today, soon_days)].append(item)
    for name in BUCKETS:
        out[name].sort(key=lambda i: (i.due_on, i.kind, i.title, i.url))
    return Bucketed(today=today, soon_days=soon_days, buckets=out)


def for_owner(items: Iterable[WorkItem], username: str) -> list[WorkItem]:
    return [item for item in items if username in item.owners]
