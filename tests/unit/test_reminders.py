"""我的工作提醒 buckets for a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcement.domain.reminders import (
    LATER,
    OVERDUE,
    SOON,
    TODAY,
    WorkItem,
    bucket,
    bucket_of,
    for_owner,
)

CLOCK = dt.date(2026, 3, 20)


def item(days: int, title: str = "x", kind: str = "case", owners: tuple[str, ...] = ("donghu",)):
    return WorkItem(kind, title, CLOCK + dt.timedelta(days=days), owners, f"/{kind}/{title}")


def test_items_fall_into_overdue_today_soon_and_later_for_a_fixed_clock():
    result = bucket([item(-1, "a"), item(0, "b"), item(3, "c"), item(4, "d")], CLOCK)
    assert [i.title for i in result.buckets[OVERDUE]] == ["a"]
    assert [i.title for i in result.buckets[TODAY]] == ["b"]
    assert [i.title for i in result.buckets[SOON]] == ["c"]
    assert [i.title for i in result.buckets[LATER]] == ["d"]
    assert result.counts == {OVERDUE: 1, TODAY: 1, SOON: 1, LATER: 1}
    assert result.urgent == 3


def test_due_soon_window_is_configurable():
    assert bucket_of(CLOCK + dt.timedelta(days=5), CLOCK, soon_days=7) == SOON
    assert bucket_of(CLOCK + dt.timedelta(days=5), CLOCK, soon_days=3) == LATER
    assert bucket_of(CLOCK + dt.timedelta(days=1), CLOCK, soon_days=0) == LATER
    with pytest.raises(ValueError):
        bucket([], CLOCK, soon_days=-1)


def test_each_bucket_is_sorted_earliest_first_then_kind_and_title():
    result = bucket(
        [item(-1, "z", "task"), item(-5, "y"), item(-1, "b", "case"), item(-1, "a", "case")], CLOCK
    )
    assert [i.title for i in result.buckets[OVERDUE]] == ["y", "a", "b", "z"]
    assert result.days_left(result.buckets[OVERDUE][0]) == -5


def test_only_the_owners_items_are_theirs():
    items = [item(1, "mine"), item(1, "theirs", owners=("jinjiang",))]
    assert [i.title for i in for_owner(items, "donghu")] == ["mine"]


def test_an_empty_list_has_zero_counts():
    assert bucket([], CLOCK).counts == {OVERDUE: 0, TODAY: 0, SOON: 0, LATER: 0}
