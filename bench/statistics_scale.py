"""统计查询 at national scale: the platform's query path beside a hand-written GROUP BY, and Excel.

Run from the repository root (PostgreSQL, one throwaway cluster):

    scripts/with-postgres.sh .venv/bin/python bench/statistics_scale.py --scale 0.1
    .venv/bin/python bench/statistics_scale.py --scale 0.01          # SQLite, a quick look

1. A migrated database with the GB/T 2260 regions (tests/support/databases.build_app), then a
   generated data set: `--scale 1` is 500,000 operating enterprises spread over every county and
   10,000,000 key-item results over three years (2024-01-01 … 2026-11-28), each failed item a
   hazard in one of the four statuses; the matrix cells as the platform keeps them and the rollup
   rebuilt from them (services/statistics/maintain.recount). Bulk-loaded with COPY on PostgreSQL;
   then every county's stored answer computed by the platform (services/statistics/answers.fill,
   as migration 0026 does), on the analyzed tables.
2. Per drill level (nation, province, city, county), `--repeat` requests on regions drawn at
   random, alternating: the platform's path (`services.statistics.report(..., "key_items", …)`, as
   a request runs it: scoped session, child regions, rollup or cells, the per-item table) and a
   hand-written GROUP BY over the base tables (the latest result of each enterprise × item, its
   hazard's status) in the same run; their figures are asserted identical. At county level the
   platform reads the county's stored answer (no filter).
   Then the write side (`--skip-writes` to skip): per random county, one enterprise's cells
   refreshed as a finished inspection refreshes them, and the county's answer recomputed.
3. Excel: `--excel-rows` rows (1,000,000 by default) written by the platform's writer
   (services/statistics/export.write_sheet, streaming) and by bare xlsxwriter `constant_memory`
   with `write_row`, each in its own child process (time, peak RSS of the child).

Prints a table and writes bench/results/statistics.json (not committed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "statistics.json"
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "tests"))

FULL_ENTERPRISES = 500_000
FULL_RESULTS = 10_000_000
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 1), dt.date(2026, 11, 28)
VIOLATION_RATE = 0.08
SECTORS = [
    "metallurgy",
    "nonferrous",
    "building_materials",
    "machinery",
    "light_industry",
    "textile",
]
TAG_PLUGINS = ["steel", "aluminum", "dust", "confined_space"]
HAZARD_TO_CELL = {
    "open": "violation",
    "rectifying": "rectifying",
    "rectified": "rectified",
    "escalated": "escalated",
}


def plugin_items() -> dict[str, list[str]]:
    out = {}
    for folder in sorted((ROOT / "plugins").iterdir()):
        declaration = json.loads((folder / "plugin.json").read_text(encoding="utf-8"))
        out[declaration["id"]] = [item["id"] for item in declaration["items"]]
    return out


# -- the data set -----------------------------------------------------------------------------------


class Writer:
    """Rows of one table into a temporary TSV (COPY on PostgreSQL) or a list (SQLite)."""

    def __init__(self, folder: Path, table: str, columns: list[str]) -> None:
        self.table, self.columns = table, columns
        self.path = folder / f"{table}.tsv"
        self.file = self.path.open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, delimiter="\t", lineterminator="\n")
        self.count = 0

    def add(self, *values: Any) -> None:
        # Booleans as 1/0: PostgreSQL's COPY reads them as booleans, SQLite stores the integers.
        self.writer.writerow(
            ["\\N" if v is None else int(v) if isinstance(v, bool) else v for v in values]
        )
        self.count += 1

    def load(self, engine: Any) -> None:
        self.file.close()
        raw = engine.raw_connection()
        try:
            if engine.dialect.name == "postgresql":
                with raw.cursor() as cursor, self.path.open("rb") as source:
                    columns = ", ".join(f'"{c}"' for c in self.columns)
                    with cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
                        while chunk := source.read(1 << 20):
                            copy.write(chunk)
            else:
                marks = ", ".join("?" for _ in self.columns)
                columns = ", ".join(f'"{c}"' for c in self.columns)
                statement = f'INSERT INTO "{self.table}" ({columns}) VALUES ({marks})'
                with self.path.open(encoding="utf-8") as source:
                    rows = [
                        [None if v == "\\N" else v for v in row]
                        for row in csv.reader(source, delimiter="\t")
                    ]
                raw.cursor().executemany(statement, rows)
            raw.commit()
        finally:
            raw.close()
        self.path.unlink()


def generate(app: Any, engine: Any, scale: float, seed: int) -> dict[str, int]:
    from sqlalchemy import text

    rng = random.Random(seed)
    with engine.connect() as connection:
        counties = [
            code
            for (code,) in connection.execute(
                text("SELECT code FROM region WHERE level = 'county' ORDER BY code")
            )
        ]
    items = plugin_items()
    enterprises = max(200, int(FULL_ENTERPRISES * scale))
    wanted_results = int(FULL_RESULTS * scale)
    per_enterprise = (
        len(items["duty7"]) + sum(len(items[p]) for p in TAG_PLUGINS) / len(TAG_PLUGINS) * 0.8
    )
    inspections_each = wanted_results / enterprises / per_enterprise
    days = (LAST_DAY - FIRST_DAY).days
    folder = Path(tempfile.mkdtemp(prefix="bench-statistics-"))
    now = "2026-11-28 12:00:00"
    w = {
        "enterprise": Writer(
            folder,
            "enterprise",
            [
                "id",
                "name",
                "uscc",
                "address",
                "region_code",
                "sector",
                "status",
                "created_at",
                "updated_at",
            ],
        ),
        "enterprise_tag": Writer(folder, "enterprise_tag", ["enterprise_id", "tag"]),
        "task": Writer(
            folder,
            "task",
            [
                "id",
                "enterprise_id",
                "region_code",
                "due_on",
                "status",
                "kind",
                "created_at",
                "updated_at",
            ],
        ),
        "inspection": Writer(
            folder,
            "inspection",
            [
                "id",
                "task_id",
                "enterprise_id",
                "region_code",
                "status",
                "started_at",
                "finished_at",
                "participants",
                "answer_set_ids",
                "updated_at",
                "version",
            ],
        ),
        "hazard": Writer(
            folder,
            "hazard",
            [
                "id",
                "inspection_id",
                "enterprise_id",
                "region_code",
                "plugin_id",
                "plugin_version",
                "item_id",
                "title",
                "is_major",
                "measure_confirmed",
                "status",
                "created_at",
                "updated_at",
            ],
        ),
        "stat_item_result": Writer(
            folder,
            "stat_item_result",
            [
                "id",
                "inspection_id",
                "enterprise_id",
                "region_code",
                "plugin_id",
                "item_id",
                "checked_on",
                "violation",
            ],
        ),
        "stat_item_cell": Writer(
            folder,
            "stat_item_cell",
            [
                "enterprise_id",
                "item_id",
                "region_code",
                "sector",
                "plugin_id",
                "status",
                "checked_on",
                "updated_at",
            ],
        ),
    }
    inspection_id = result_id = hazard_id = 0
    for enterprise_id in range(1, enterprises + 1):
        county = rng.choice(counties)
        sector = rng.choice(SECTORS)
        w["enterprise"].add(
            enterprise_id,
            f"基准企业{enterprise_id}",
            f"91{county}{enterprise_id:010d}",
            "基准路",
            county,
            sector,
            "operating",
            now,
            now,
        )
        plugins = ["duty7"]
        if rng.random() < 0.8:
            tag = rng.choice(TAG_PLUGINS)
            plugins.append(tag)
            w["enterprise_tag"].add(enterprise_id, tag)
        count = int(inspections_each) + (1 if rng.random() < inspections_each % 1 else 0)
        visits = sorted(FIRST_DAY + dt.timedelta(days=rng.randrange(days)) for _ in range(count))
        latest: dict[str, tuple[str, dt.date]] = {}
        for number, day in enumerate(visits):
            inspection_id += 1
            last_visit = number == len(visits) - 1
            w["task"].add(inspection_id, enterprise_id, county, day, "done", "inspection", now, now)
            w["inspection"].add(
                inspection_id,
                inspection_id,
                enterprise_id,
                county,
                "finished",
                f"{day} 09:00:00",
                f"{day} 11:00:00",
                "[]",
                "{}",
                now,
                1,
            )
            for plugin in plugins:
                for item in items[plugin]:
                    result_id += 1
                    failed = rng.random() < VIOLATION_RATE
                    w["stat_item_result"].add(
                        result_id, inspection_id, enterprise_id, county, plugin, item, day, failed
                    )
                    status = "compliant"
                    if failed:
                        hazard_id += 1
                        hazard = (
                            rng.choices(list(HAZARD_TO_CELL), weights=[25, 25, 40, 10])[0]
                            if last_visit
                            else "rectified"
                        )
                        w["hazard"].add(
                            hazard_id,
                            inspection_id,
                            enterprise_id,
                            county,
                            plugin,
                            "1.0.0",
                            item,
                            "基准隐患",
                            rng.random() < 0.05,
                            True,
                            hazard,
                            f"{day} 10:00:00",
                            now,
                        )
                        status = HAZARD_TO_CELL[hazard]
                    latest[item] = (status, day)
        for item, (status, day) in latest.items():
            plugin = item.split(".", 1)[0]
            w["stat_item_cell"].add(enterprise_id, item, county, sector, plugin, status, day, now)
    for writer in w.values():
        writer.load(engine)
    folder.rmdir()
    with engine.begin() as connection:
        from enforcement.services.statistics.maintain import recount

        recount(connection)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table, column in (
                ("enterprise", "id"),
                ("task", "id"),
                ("inspection", "id"),
                ("hazard", "id"),
                ("stat_item_result", "id"),
            ):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"
                    )
                )
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE")
            )
        else:
            connection.execute(text("ANALYZE"))
            connection.commit()
    answers_seconds = fill_answers(app, engine)
    with engine.connect() as connection:
        rollup = connection.scalar(text("SELECT count(*) FROM stat_item_rollup"))
        stored = connection.scalar(text("SELECT count(*) FROM stat_county_answer"))
    return {
        "enterprises": enterprises,
        "inspections": inspection_id,
        "item_results": result_id,
        "hazards": hazard_id,
        "cells": w["stat_item_cell"].count,
        "rollup_rows": int(rollup or 0),
        "county_answers": int(stored or 0),
        "answers_seconds": round(answers_seconds, 1),
    }


def fill_answers(app: Any, engine: Any) -> float:
    """Every county's stored 重点事项情况 answer, by the platform's own code (as migration 0026
    fills them), on the analyzed tables, with the app's checklists as the matrix's columns (as a
    request's write stores them); returns the seconds it took."""
    from enforcement.services.checklists import platform_of
    from enforcement.services.statistics import answers

    started = time.perf_counter()
    with app.app_context(), engine.begin() as connection:
        platform_of(app)
        stored = answers.fill(connection)
    seconds = time.perf_counter() - started
    print(f"stored answers of {stored} counties in {seconds:.1f} s", flush=True)
    return seconds


def counted(engine: Any) -> dict[str, int]:
    """The sizes of a data set built before (--reuse)."""
    from sqlalchemy import text

    tables = {
        "enterprises": "enterprise",
        "inspections": "inspection",
        "item_results": "stat_item_result",
        "hazards": "hazard",
        "cells": "stat_item_cell",
        "rollup_rows": "stat_item_rollup",
        "county_answers": "stat_county_answer",
    }
    with engine.connect() as connection:
        return {
            name: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for name, table in tables.items()
        }


# -- the two query paths -------------------------------------------------------------------------------

BASELINE = """
SELECT {child} AS child, s.status, count(*) FROM (
  SELECT r.region_code, r.enterprise_id,
         CASE WHEN NOT r.violation THEN 'compliant'
              ELSE COALESCE((SELECT CASE h.status WHEN 'open' THEN 'violation' ELSE h.status END
                             FROM hazard h
                             WHERE h.inspection_id = r.inspection_id AND h.item_id = r.item_id
                             LIMIT 1), 'violation') END AS status
  FROM (SELECT r.*, row_number() OVER (PARTITION BY r.enterprise_id, r.item_id
                                       ORDER BY r.checked_on DESC, r.inspection_id DESC) AS rn
        FROM stat_item_result r {where}) r
  WHERE r.rn = 1
) s GROUP BY {child}, s.status
"""
DIGITS = {"nation": 2, "province": 4, "city": 6}
STATUSES = ["compliant", "violation", "rectifying", "rectified", "escalated"]


def baseline(connection: Any, level: str, region: str) -> dict[str, dict[str, int]]:
    from sqlalchemy import text

    if level == "county":
        child = "s.enterprise_id"
        where = "WHERE r.region_code = :low"
        low = high = region
    else:
        child = f"substr(s.region_code, 1, {DIGITS[level]})"
        prefix = "" if level == "nation" else region[: {"province": 2, "city": 4}[level]]
        low, high = prefix.ljust(6, "0"), prefix.ljust(6, "9")
        where = "" if level == "nation" else "WHERE r.region_code BETWEEN :low AND :high"
    statement = text(BASELINE.format(child=child, where=where))
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for key, status, count in connection.execute(statement, {"low": low, "high": high}):
        code = str(key) if level == "county" else str(key).ljust(6, "0")
        out[code][status] += int(count)
    return dict(out)


def platform_figures(table: Any, level: str) -> dict[str, dict[str, int]]:
    out = {}
    for row in table.rows:
        key = str(row["enterprise_id"]) if level == "county" else row["region_code"]
        if row["checked"]:
            out[key] = {s: int(row[s]) for s in STATUSES}
    return out


def pick_regions(engine: Any, rng: random.Random, repeat: int) -> dict[str, list[str]]:
    from sqlalchemy import text

    with engine.connect() as connection:
        counties = [
            c
            for (c,) in connection.execute(text("SELECT DISTINCT region_code FROM stat_item_cell"))
        ]
        cities = sorted({c[:4] + "00" for c in counties})
        provinces = sorted({c[:2] + "0000" for c in counties})
        known = {c for (c,) in connection.execute(text("SELECT code FROM region"))}
    cities = [c for c in cities if c in known]
    return {
        "nation": ["000000"] * repeat,
        "province": [rng.choice(provinces) for _ in range(repeat)],
        "city": [rng.choice(cities) for _ in range(repeat)],
        "county": [rng.choice(sorted(counties)) for _ in range(repeat)],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def measure_queries(
    app: Any, engine: Any, repeat: int, seed: int, levels: list[str]
) -> list[dict[str, Any]]:
    from enforcement.db.acting import SYSTEM, acting_as
    from enforcement.services import statistics as service
    from enforcement.services.checklists import platform_of

    rng = random.Random(seed)
    regions = pick_regions(engine, rng, repeat)
    rows = []
    with app.app_context(), acting_as(SYSTEM):
        platform = platform_of(app)
        session = app.appbuilder.session
        for level, codes in regions.items():
            if level not in levels:
                continue
            ours, theirs = [], []
            for turn, code in enumerate([codes[0]] + codes):  # turn 0 warms the caches
                started = time.perf_counter()
                query = service.parse_query(session, platform, {"region": code})
                table = service.report(session, platform, "key_items", query)
                mine = time.perf_counter() - started
                session.rollback()
                with engine.connect() as connection:
                    started = time.perf_counter()
                    peer = baseline(connection, level, code)
                    other = time.perf_counter() - started
                mine_figures = platform_figures(table, level)
                peer_figures = {k: v for k, v in peer.items() if sum(v.values())}
                if mine_figures != peer_figures:
                    keys = sorted(set(mine_figures) | set(peer_figures))
                    differ = [
                        (k, mine_figures.get(k), peer_figures.get(k))
                        for k in keys
                        if mine_figures.get(k) != peer_figures.get(k)
                    ][:3]
                    raise AssertionError(f"figures differ at {level} {code}: {differ}")
                if turn:
                    ours.append(mine)
                    theirs.append(other)
            row = {
                "level": level,
                "requests": len(ours),
                "platform_p50_ms": percentile(ours, 0.5) * 1000,
                "platform_p95_ms": percentile(ours, 0.95) * 1000,
                "group_by_p50_ms": percentile(theirs, 0.5) * 1000,
                "group_by_p95_ms": percentile(theirs, 0.95) * 1000,
            }
            row["speedup_p50"] = row["group_by_p50_ms"] / max(row["platform_p50_ms"], 1e-6)
            rows.append(row)
            print(
                f"{level:9s} ours p50 {row['platform_p50_ms']:8.1f} ms p95 {row['platform_p95_ms']:8.1f} ms"
                f" | GROUP BY p50 {row['group_by_p50_ms']:9.1f} ms p95 {row['group_by_p95_ms']:9.1f} ms"
                f" | ×{row['speedup_p50']:.1f}",
                flush=True,
            )
        session.remove()
    return rows


def measure_writes(engine: Any, repeat: int, seed: int) -> dict[str, Any]:
    """What keeping a county's answer adds to a write: per random county, one enterprise's cells
    refreshed as an inspection finishing refreshes them (maintain.refresh_cells without the
    answer), then the county's answer recomputed and stored (answers.refresh); rolled back."""
    from sqlalchemy import text

    from enforcement.services.statistics import answers, maintain

    rng = random.Random(seed + 1)
    with engine.connect() as connection:
        counties = sorted(
            c for (c,) in connection.execute(text("SELECT region_code FROM stat_county_answer"))
        )
    cells, stored = [], []
    for turn in range(repeat + 1):  # turn 0 warms the caches
        county = rng.choice(counties)
        with engine.connect() as connection:
            keys = [
                (e, i)
                for e, i in connection.execute(
                    text(
                        "SELECT enterprise_id, item_id FROM stat_item_cell WHERE enterprise_id ="
                        " (SELECT min(enterprise_id) FROM stat_item_cell WHERE region_code = :c)"
                    ),
                    {"c": county},
                )
            ]
            connection.rollback()  # the read above began one
            transaction = connection.begin()
            started = time.perf_counter()
            maintain.refresh_cells(connection, keys, answers=False)
            middle = time.perf_counter()
            answers.refresh(connection, [county])
            ended = time.perf_counter()
            transaction.rollback()
        if turn:
            cells.append(middle - started)
            stored.append(ended - middle)
    out = {
        "requests": repeat,
        "cells_p50_ms": percentile(cells, 0.5) * 1000,
        "answer_p50_ms": percentile(stored, 0.5) * 1000,
        "answer_p95_ms": percentile(stored, 0.95) * 1000,
    }
    print(
        f"write: one enterprise's cells {out['cells_p50_ms']:.1f} ms (p50),"
        f" + its county's stored answer {out['answer_p50_ms']:.1f} ms"
        f" (p50; p95 {out['answer_p95_ms']:.1f} ms)",
        flush=True,
    )
    return out


# -- Excel -----------------------------------------------------------------------------------------

EXCEL_COLUMNS = [
    ("region_code", "行政区划代码"),
    ("region_name", "企业"),
    ("checked", "已检查事项数"),
    ("compliant", "合格"),
    ("violation", "发现违法"),
    ("rectifying", "整改中"),
    ("rectified", "已整改"),
    ("escalated", "已立案"),
    ("remaining", "未消除违法数"),
    ("fines", "罚款金额（元）"),
    ("rectification_rate", "整改率"),
]


def excel_rows(count: int) -> Any:
    for n in range(count):
        yield {
            "region_code": f"{110101 + n % 3000:06d}",
            "region_name": f"基准企业{n}",
            "checked": n % 32,
            "compliant": n % 17,
            "violation": n % 3,
            "rectifying": n % 2,
            "rectified": n % 5,
            "escalated": n % 7 == 0,
            "remaining": n % 4,
            "fines": (n % 100) * 1000.5,
            "rectification_rate": (n % 100) / 100,
        }


def excel_child(kind: str, count: int, path: str) -> None:
    started = time.perf_counter()
    if kind == "ours":
        from enforcement.services.statistics import export

        book = export.workbook(path, count)
        export.write_sheet(book, "重点事项情况（全国）", EXCEL_COLUMNS, excel_rows(count))
        book.close()
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = book.add_worksheet("重点事项情况（全国）")
        sheet.write_row(0, 0, [label for _, label in EXCEL_COLUMNS])
        keys = [key for key, _ in EXCEL_COLUMNS]
        for number, row in enumerate(excel_rows(count), start=1):
            sheet.write_row(number, 0, [row[k] for k in keys])
        book.close()
    seconds = time.perf_counter() - started
    # VmHWM: this process's own peak RSS (ru_maxrss would include the parent's, inherited at fork).
    status = Path("/proc/self/status").read_text()
    peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024}))


def measure_excel(count: int) -> list[dict[str, Any]]:
    """Each writer twice, alternating, each run in its own child: seconds and the child's peak RSS."""
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as folder:
        for kind in ("bare", "ours", "bare", "ours"):
            path = Path(folder) / f"{kind}.xlsx"
            command = [sys.executable, __file__, "--excel-child", kind]
            command += ["--excel-rows", str(count), "--out", str(path)]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            _, status, _ = os.wait4(process.pid, 0)
            assert status == 0, f"the {kind} Excel child failed"
            assert process.stdout is not None
            measured = json.loads(process.stdout.read().strip().splitlines()[-1])
            seconds = measured["seconds"]
            run = {
                "kind": kind,
                "seconds": seconds,
                "megabytes": path.stat().st_size / 1e6,
                "peak_rss_mb": measured["peak_rss_mb"],
            }
            out.append(run)
            print(
                f"excel {kind:5s} {count:,} rows {seconds:6.1f} s, file {run['megabytes']:.1f} MB,"
                f" peak RSS {run['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    return out


# -- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=0.02, help="1 = 500,000 enterprises, 10,000,000 results"
    )
    parser.add_argument("--repeat", type=int, default=20, help="requests per level and path")
    parser.add_argument("--excel-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-excel", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument(
        "--skip-writes", action="store_true", help="skip the write-side cost of the county answers"
    )
    parser.add_argument("--database-url", default=os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL"))
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument(
        "--levels", default="nation,province,city,county", help="the drill levels to measure"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on --database-url, a data set this script built before (migrated to head)",
    )
    parser.add_argument(
        "--refill",
        action="store_true",
        help="with --reuse: compute every county's stored answer again first",
    )
    parser.add_argument("--excel-child", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.excel_child:
        excel_child(args.excel_child, args.excel_rows, args.out)
        return
    report: dict[str, Any] = {
        "scale": args.scale,
        "when": dt.datetime.now().isoformat(timespec="seconds"),
    }
    if not args.skip_queries:
        from sqlalchemy import create_engine

        from support.databases import build_app, close_app, create_test_app

        data_dir = Path(tempfile.mkdtemp(prefix="bench-statistics-data-"))
        url = args.database_url or f"sqlite:///{data_dir / 'statistics.db'}"
        if url.startswith("postgresql") and "+psycopg" not in url:
            url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        report["engine"] = "postgresql" if url.startswith("postgresql") else "sqlite"
        started = time.perf_counter()
        engine = create_engine(url)
        if args.reuse:
            import flask_migrate

            app = create_test_app(url, data_dir)
            with app.app_context():  # the schema as the code expects it (a new index, say)
                flask_migrate.upgrade()
            if args.refill:
                report["answers_seconds"] = fill_answers(app, engine)
            report["data"] = counted(engine)
        else:
            app = build_app(url, data_dir)
            report["data"] = generate(app, engine, args.scale, args.seed)
        report["build_seconds"] = round(time.perf_counter() - started, 1)
        print(f"{report['engine']}: {report['data']} in {report['build_seconds']} s", flush=True)
        levels = args.levels.split(",")
        report["queries"] = measure_queries(app, engine, args.repeat, args.seed, levels)
        if not args.skip_writes:
            report["writes"] = measure_writes(engine, args.repeat, args.seed)
        engine.dispose()
        close_app(app)
    if not args.skip_excel:
        runs = measure_excel(args.excel_rows)
        ours = min(r["seconds"] for r in runs if r["kind"] == "ours")
        bare = min(r["seconds"] for r in runs if r["kind"] == "bare")
        report["excel"] = {
            "rows": args.excel_rows,
            "runs": runs,
            "ours_seconds": ours,
            "bare_seconds": bare,
            "ratio": ours / bare,
            "ours_peak_mb": max(r["peak_rss_mb"] for r in runs if r["kind"] == "ours"),
            "bare_peak_mb": max(r["peak_rss_mb"] for r in runs if r["kind"] == "bare"),
        }
        e = report["excel"]
        print(
            f"excel {args.excel_rows:,} rows: ours {ours:.1f} s, bare {bare:.1f} s, ratio {e['ratio']:.2f};"
            f" peak ours {e['ours_peak_mb']:.0f} MB, bare {e['bare_peak_mb']:.0f} MB"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
