"""救济途径: who hears a 行政复议 and which court a 行政诉讼 goes to, named from the department's region.

《行政复议法》(2023, in force 2024-01-01) 第二十四条: the 复议机关 of a county-level or higher local
department is the 本级人民政府 alone (the 上一级主管部门 is no longer an option), so the forms print
"向____人民政府申请行政复议，或者在六个月内依法向____人民法院提起行政诉讼" (legal-review.md finding 13).

The court: a county-level department is sued at the basic court of its county (行政诉讼法 第十四条、
第十八条). For a city- or province-level department the court depends on the province's 集中管辖
designation, which the data does not hold: the blank is left for the inspector to fill.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from enforcement.models import Region


def government_name(session: Session, region: Region | None) -> str:
    """The 本级人民政府 without its suffix: 南昌市东湖区, 南昌市, 江西省, 北京市朝阳区."""
    if region is None:
        return ""
    if region.level != "county" or not region.parent_code:
        return region.name
    parent = session.get(Region, region.parent_code)
    return (parent.name if parent is not None else "") + region.name


def court_name(session: Session, region: Region | None) -> str:
    """The basic people's court of a county-level region (without 人民法院); empty above it."""
    if region is None or region.level != "county":
        return ""
    return government_name(session, region)


def remedy_context(session: Session, region_code: str | None) -> dict[str, Any]:
    region = session.get(Region, region_code) if region_code else None
    return {
        "government": government_name(session, region),
        "court": court_name(session, region),
        "source": "《中华人民共和国行政复议法》(2023) 第二十条、第二十四条；《中华人民共和国行政诉讼法》第四十六条",
    }
