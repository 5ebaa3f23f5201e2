"""The region tree beside the enterprise list: a leader clicks province → city → county and sees its
enterprises (issue 11), within their jurisdiction — no six-digit code typed into a generic filter.

Each node links to the list filtered by FAB's "starts with" on region_code (filter index 0 of a
string column) with the region's significant prefix, so the list, its paging, sorting and Excel
export all work as usual.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enforcement.domain.jurisdiction import (
    Jurisdiction,
    parent_code,
    region_level,
    significant_prefix,
)
from enforcement.models import Enterprise, Region

FILTER_ARG = "_flt_0_region_code"  # FilterStartsWith: the first filter of a string column


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    prefix: str
    count: int


@dataclass(frozen=True)
class Tree:
    path: list[Node]  # from the user's root down to the selected region
    children: list[Node]  # the selected region's (or the root's) sub-regions with enterprises


def _counts(session: Session, length: int) -> dict[str, int]:
    """Enterprises per region prefix of `length` digits (the scoped session: own jurisdiction)."""
    prefix = func.substr(Enterprise.region_code, 1, length)
    rows = session.execute(
        select(prefix, func.count()).where(Enterprise.deleted_at.is_(None)).group_by(prefix)
    )
    return {p: n for p, n in rows}


def _node(region: Region, counts: dict[str, int]) -> Node:
    prefix = significant_prefix(region.code)
    return Node(region.code, region.name, prefix, counts.get(prefix, 0))


def region_tree(session: Session, jurisdiction: Jurisdiction, selected: str | None) -> Tree:
    """The path to `selected` (a prefix from the filter, else the user's root) and its children."""
    root = None if jurisdiction.is_national else jurisdiction.region_code
    code = None
    if selected and selected.isdigit() and len(selected) in (2, 4, 6):
        code = selected.ljust(6, "0")
        if not jurisdiction.contains(code):
            code = None
    code = code or root
    chain: list[str] = []
    walk = code
    while walk is not None:
        chain.insert(0, walk)
        if walk == root:
            break
        walk = parent_code(walk)
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(chain)))}
    path = []
    for step in chain:
        if step in regions:
            path.append(_node(regions[step], _counts(session, len(significant_prefix(step)))))
    if code is None:
        children_query = select(Region).where(Region.level == "province")
        length = 2
    elif region_level(code) == "county":
        return Tree(path, [])
    else:
        children_query = select(Region).where(Region.parent_code == code)
        length = 4 if region_level(code) == "province" else 6
    counts = _counts(session, length)
    children = [_node(r, counts) for r in session.scalars(children_query.order_by(Region.code))]
    return Tree(path, [c for c in children if c.count])
