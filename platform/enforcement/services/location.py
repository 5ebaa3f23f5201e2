"""Location with a place: an inspection's recorded position read against its enterprise's address."""

from __future__ import annotations

from typing import Any

from enforcement.domain import geo


def _point(record: Any) -> tuple[float, float] | None:
    latitude, longitude = getattr(record, "latitude", None), getattr(record, "longitude", None)
    return None if latitude is None or longitude is None else (latitude, longitude)


def location_note(inspection: Any) -> str:
    """“距企业登记位置约 120 米”, or why there is no distance (no fix, no registered position)."""
    return geo.location_note(_point(inspection), _point(getattr(inspection, "enterprise", None)))
