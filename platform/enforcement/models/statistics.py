"""统计查询: key-item results, the current matrix cell, the per-region rollup, declared denominators.

`ItemResult` is what an inspection found per key item (and per equipment where the item repeats);
`ItemCell` is the current status of one enterprise against one item (the 重点事项 matrix);
`ItemRollup` counts cells per region at every level (county, city, province, nation `000000`),
sector, item and status; `CountyAnswer` holds a county's unfiltered 重点事项情况 ready to read. The
four are written by services/statistics/maintain.py in the same
flush as the inspection or hazard change they follow, so a report is current the moment the change
commits. `RegionTarget` holds what a region declares as the denominators of the notice's targets.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db.policies import Audited, NotAudited, RegionScoped
from enforcement.models.base_data import _now

NATION = "000000"
# The rollup's sector of the rows that count every sector: what a report without a sector filter
# reads (a fifth of the rows to add up).
ALL_SECTORS = "*"

# A cell's status, worst first where an enterprise's equipment disagree.
CELL_STATUSES: dict[str, str] = {
    "unchecked": "未检查",
    "compliant": "合格",
    "violation": "发现违法",
    "rectifying": "整改中",
    "rectified": "已整改",
    "escalated": "已立案",
}
# The hazard statuses of services/rectification.py and services/cases.py, as cell statuses.
HAZARD_TO_CELL: dict[str, str] = {
    "open": "violation",
    "rectifying": "rectifying",
    "rectified": "rectified",
    "escalated": "escalated",
}
# Which status wins when equipment of one enterprise differ (an open finding outweighs the rest).
CELL_RANK: dict[str, int] = {
    "escalated": 5,
    "violation": 4,
    "rectifying": 3,
    "rectified": 2,
    "compliant": 1,
    "unchecked": 0,
}


class ItemResult(RegionScoped, NotAudited, Model):
    """One key item's result at one finished inspection (per equipment where the item repeats).

    Not audited: derived from the audited answer set when the inspection finishes, never edited.
    """

    __tablename__ = "stat_item_result"
    __table_args__ = (
        Index("ix_stat_item_result_region_item", "region_code", "item_id"),
        Index("ix_stat_item_result_enterprise_item", "enterprise_id", "item_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        ForeignKey("inspection.id"), nullable=False, index=True
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), nullable=False)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False)
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False)
    item_id: Mapped[str] = mapped_column(String(160), nullable=False)
    equipment_id: Mapped[int | None] = mapped_column(Integer)
    checked_on: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    violation: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ItemCell(RegionScoped, NotAudited, Model):
    """The current status of one enterprise against one key item: a cell of the matrix.

    Not audited: kept by services/statistics/maintain.py from the audited inspections and hazards.
    """

    __tablename__ = "stat_item_cell"
    # Covers what a report reads of a cell (migration 0021): a county's cells are read from the
    # index alone (services/statistics/items.py).
    __table_args__ = (
        Index(
            "ix_stat_item_cell_region",
            "region_code",
            "item_id",
            "enterprise_id",
            "status",
            "plugin_id",
            "checked_on",
            "sector",
        ),
    )
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False)
    sector: Mapped[str] = mapped_column(String(32), nullable=False)
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    checked_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    @property
    def status_label(self) -> str:
        return CELL_STATUSES.get(self.status, self.status)


class ItemRollup(RegionScoped, NotAudited, Model):
    """Cells per region (every level, `000000` the nation), sector (`*` all), item and status.

    A report reads the rows of one parent's children: a few hundred rows whatever the level.
    Not audited: a count kept in the same flush as the cells it counts.
    """

    __tablename__ = "stat_item_rollup"
    __table_args__ = (Index("ix_stat_item_rollup_parent", "parent_code", "sector", "item_id"),)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    sector: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(6))
    plugin_id: Mapped[str] = mapped_column(String(120), nullable=False)
    cells: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CountyAnswer(RegionScoped, NotAudited, Model):
    """A county's 重点事项情况 without filters, stored: what a request would count, read in one row.

    Kept by services/statistics/answers.py in the same transaction as every write that changes it;
    `payload` (the table) or `matrix` (the enterprises × items) NULL, or another `format`, means
    "answer live". Not audited: derived from the audited inspections, hazards and enterprises,
    rewritten whenever they change.
    """

    __tablename__ = "stat_county_answer"
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    format: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    matrix: Mapped[bytes | None] = mapped_column(LargeBinary)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=_now)


class RegionTarget(RegionScoped, Audited, Model):
    """What a region declares for a year as the denominators of the notice's three targets."""

    __audit_entity__ = "region_target"
    __tablename__ = "stat_region_target"
    __table_args__ = (UniqueConstraint("region_code", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    # 应录入的执法人员、执法对象 (e.g. enterprises known from the registry), 应办案件 (online or not).
    enforcers_expected: Mapped[int | None] = mapped_column(Integer)
    enterprises_expected: Mapped[int | None] = mapped_column(Integer)
    cases_expected: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, onupdate=_now)

    def __str__(self) -> str:
        return f"{self.region_code} {self.year}年目标分母"
