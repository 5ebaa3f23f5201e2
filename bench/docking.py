"""数据对接 push: 100,000 generated enterprise records through the docking service, beside a plain
bulk INSERT of the same rows into the same table.

Run from the repository root:  .venv/bin/python bench/docking.py          (SQLite)
                               scripts/with-postgres.sh .venv/bin/python bench/docking.py  (both)

1. Generate N records (default 100,000) of type `enterprise` in the counties of 江西 (GB/T 2260),
   each with a valid USCC, a name, a sector, tags, an address, a scale and a head count: the JSON a
   provincial system sends.
2. Docking: a migrated empty database (tests/support/databases.py's build_app), then
   `services.docking.push.push_batch` in batches of 10,000 as the province's docking account
   (jurisdiction 360000): every record validated against the published JSON Schema and the field
   rules (USCC check digit, region, code tables), upserted with its mapping row and audited.
3. Peer: another empty database, the same rows (already clean) inserted with one executemany
   `INSERT INTO enterprise` per 10,000 rows: no validation, no mapping, no audit.
4. Print records/s of both and the ratio (the target: docking ≥ 1/3 of bulk); write
   bench/results/docking.json. The HTTP layer (JSON parsing of the body) is measured separately on
   one batch through the Flask test client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "docking.json"
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "tests"))

BATCH = 10_000
SECTORS = ["metallurgy", "nonferrous", "building_materials", "machinery", "light_industry"]
TAGS = [[], ["dust"], ["aluminum"], ["confined_space"], ["ammonia", "confined_space"]]


def counties(app: Any) -> list[str]:
    from sqlalchemy import select

    from enforcement.models import Region

    with app.app_context():
        return list(
            app.appbuilder.session.scalars(
                select(Region.code).where(Region.level == "county", Region.code.like("36%"))
            )
        )


def generate(count: int, codes: list[str], rng: random.Random) -> list[dict[str, Any]]:
    from enforcement.domain.uscc import make_uscc

    records = []
    for i in range(count):
        region = rng.choice(codes)
        records.append(
            {
                "type": "enterprise",
                "id": f"E{i:07d}",
                "data": {
                    "name": f"江西测试{i:07d}号实业有限公司",
                    "uscc": make_uscc("9", "1", region, f"B{i:07d}"),
                    "region_code": region,
                    "sector": rng.choice(SECTORS),
                    "tags": rng.choice(TAGS),
                    "address": f"江西省测试路{i}号",
                    "scale": rng.choice(["large", "medium", "small", "micro"]),
                    "employees": rng.randint(5, 5000),
                },
            }
        )
    return records


def fresh_app(engine: str, folder: Path, label: str) -> Any:
    from support.databases import build_app, fresh_database

    return build_app(fresh_database(engine, folder, label), folder / f"data-{label}")


def run_docking(app: Any, records: list[dict[str, Any]]) -> tuple[float, dict[str, int]]:
    from enforcement.db.acting import Actor, acting_as
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.services.docking.push import push_batch

    totals: dict[str, Any] = {"accepted": 0, "unchanged": 0, "rejected": 0}
    with app.app_context(), acting_as(Actor("docking_bench", Jurisdiction("360000"))):
        session = app.appbuilder.session
        started = time.perf_counter()
        for start in range(0, len(records), BATCH):
            answer, _ = push_batch(
                session, "bench", records[start : start + BATCH], digest=f"{start:064d}"
            )
            totals["accepted"] += answer["accepted"]
            totals["unchanged"] += answer["unchanged"]
            totals["rejected"] += len(answer["rejected"])
        elapsed = time.perf_counter() - started
        # The export of what was pushed, paged as the province would mirror it.
        from enforcement.services.docking.export import export_page

        started, since, exported = time.perf_counter(), None, 0
        while True:
            page = export_page(session, "enterprise", since, limit=2000)
            session.rollback()  # each page its own transaction, as each request is
            exported += len(page.records)
            since = page.next
            if not page.more:
                break
        totals["exported"] = exported
        totals["export_seconds"] = time.perf_counter() - started  # type: ignore[assignment]
    return elapsed, totals


def run_bulk(app: Any, records: list[dict[str, Any]]) -> float:
    import datetime as dt

    from sqlalchemy import insert

    from enforcement.models import Enterprise, EnterpriseTag

    now = dt.datetime.now().replace(microsecond=0)
    with app.app_context():
        engine = app.appbuilder.session.get_bind()
        started = time.perf_counter()
        with engine.begin() as connection:
            for start in range(0, len(records), BATCH):
                chunk = records[start : start + BATCH]
                rows = []
                tags = []
                for n, record in enumerate(chunk, start=start + 1):
                    data = {k: v for k, v in record["data"].items() if k != "tags"}
                    rows.append(
                        {
                            **data,
                            "id": n,
                            "status": "operating",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    tags += [{"enterprise_id": n, "tag": t} for t in record["data"]["tags"]]
                connection.execute(insert(Enterprise.__table__), rows)
                if tags:
                    connection.execute(insert(EnterpriseTag.__table__), tags)
        return time.perf_counter() - started


def run_http(app: Any, records: list[dict[str, Any]]) -> float:
    """One batch through POST /api/v1/docking/batch (a docking account created for the run)."""
    from support.web import api_token

    with app.app_context():
        sm = app.appbuilder.sm
        from enforcement.models import Department

        session = app.appbuilder.session
        department = Department(
            name="江西省应急管理厅（测试）", region_code="360000", level="province"
        )
        session.add(department)
        session.commit()
        user = sm.add_user(
            "bench_docking",
            "对接",
            "测试",
            "bench@example.invalid",
            sm.find_role("docking"),
            "Bench@2026!x",
        )
        user.department_id = department.id
        session.commit()
    client = app.test_client()
    headers = api_token(client, "bench_docking", "Bench@2026!x")
    body = json.dumps({"source": "bench-http", "records": records}, ensure_ascii=False).encode()
    started = time.perf_counter()
    answer = client.post(
        "/api/v1/docking/batch", data=body, content_type="application/json", headers=headers
    )
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200 and answer.json["accepted"] == len(records), answer.json
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    engines = ["sqlite"] + (
        ["postgresql"] if os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL") else []
    )
    results: dict[str, Any] = {
        "records": args.records,
        "python": pyplatform.python_version(),
        "machine": pyplatform.machine(),
        "engines": {},
    }
    with tempfile.TemporaryDirectory(prefix="docking-bench-") as tmp:
        folder = Path(tmp)
        for engine in engines:
            from support.databases import close_app

            docking_app = fresh_app(engine, folder, f"{engine}-docking")
            records = generate(args.records, counties(docking_app), random.Random(args.seed))
            docking_seconds, totals = run_docking(docking_app, records)
            assert totals["accepted"] == args.records == totals["exported"], totals
            close_app(docking_app)
            bulk_app = fresh_app(engine, folder, f"{engine}-bulk")
            bulk_seconds = run_bulk(bulk_app, records)
            close_app(bulk_app)
            http_app = fresh_app(engine, folder, f"{engine}-http")
            http_records = generate(BATCH, counties(http_app), random.Random(args.seed + 1))
            http_seconds = run_http(http_app, http_records)
            close_app(http_app)
            figures = {
                "docking_seconds": round(docking_seconds, 2),
                "docking_records_per_s": round(args.records / docking_seconds),
                "bulk_seconds": round(bulk_seconds, 2),
                "bulk_records_per_s": round(args.records / bulk_seconds),
                "ratio": round(bulk_seconds and (bulk_seconds / docking_seconds), 3),
                "export_records_per_s": round(totals["exported"] / totals["export_seconds"]),
                "http_batch_of_10000_seconds": round(http_seconds, 2),
                "http_records_per_s": round(BATCH / http_seconds),
            }
            results["engines"][engine] = figures
            print(
                f"{engine:10s} docking {figures['docking_records_per_s']:>8} rec/s "
                f"({docking_seconds:.1f} s)  bulk INSERT {figures['bulk_records_per_s']:>8} rec/s "
                f"({bulk_seconds:.1f} s)  docking/bulk = {figures['ratio']:.2f} (target ≥ 0.33)  "
                f"HTTP batch {figures['http_records_per_s']} rec/s  "
                f"export {figures['export_records_per_s']} rec/s"
            )
    if "postgresql" not in results["engines"]:
        print("postgresql: not measured (run under scripts/with-postgres.sh)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
