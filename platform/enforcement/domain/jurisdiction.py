"""Jurisdiction as a range of GB/T 2260 region codes.

A department's jurisdiction is its region's subtree. Because GB/T 2260 codes are hierarchical
(2 digits province, 4 city, 6 county), a subtree is one contiguous code range, so scoping is a
single indexed BETWEEN on both SQLite and PostgreSQL (no recursive query, no LIKE).
"""

from __future__ import annotations

from dataclasses import dataclass


def region_level(code: str) -> str:
    """'province', 'city' or 'county' for a six-digit code."""
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"行政区划代码应为6位数字：{code!r}")
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def parent_code(code: str) -> str | None:
    level = region_level(code)
    if level == "province":
        return None
    if level == "city":
        return code[:2] + "0000"
    return code[:4] + "00"


def significant_prefix(code: str) -> str:
    return {"province": code[:2], "city": code[:4], "county": code}[region_level(code)]


@dataclass(frozen=True)
class Jurisdiction:
    """None as region_code means the whole country (ministry level and system administrators).

    `denied` is the jurisdiction of a user without a department: nothing at all.
    """

    region_code: str | None
    denied: bool = False

    @property
    def is_national(self) -> bool:
        return self.region_code is None and not self.denied

    @property
    def code_range(self) -> tuple[str, str] | None:
        if self.denied:
            return "1", "0"  # an empty range: low > high
        if self.region_code is None:
            return None
        prefix = significant_prefix(self.region_code)
        return prefix.ljust(6, "0"), prefix.ljust(6, "9")

    def contains(self, code: str | None) -> bool:
        if self.denied:
            return False
        if self.region_code is None:
            return True
        if not code:
            return False
        low, high = self.code_range  # type: ignore[misc]
        return low <= code <= high


NATIONAL = Jurisdiction(None)
DENIED = Jurisdiction(None, denied=True)
