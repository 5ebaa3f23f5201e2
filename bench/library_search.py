"""执法资源库 search: the full-text index (jieba + FTS5 / tsvector) beside a plain LIKE '%…%' scan,
at 10,000 entries, on SQLite and PostgreSQL.

Run from the repository root (see bench/README.md):
    .venv/bin/python bench/library_search.py                                  # SQLite
    scripts/with-postgres.sh .venv/bin/python bench/library_search.py         # SQLite and PostgreSQL

1. Build a database with tests/support/databases.py's build_app (migrations with the national
   catalogue, permissions, regions), then add N synthetic entries (default 10,000: the size of the
   national standards list) with a title, a number, an issuer and a body of ~1,200 characters cut
   from the real Chinese texts of the 25 key items and the research notes. Rows are inserted in
   bulk; their tokens are cut once (services/library/text.py, as the service cuts them) and written
   to each engine's index as services/library/index.py writes them.
2. Run Q queries (default 100: 29 everyday search words, in a shuffled order) through
   `services.library.search` (count + first page of 20, ranked, snippets marked) and through
   `services.library.like_scan` (count + first page of 20, a LIKE over the normalized text), as a
   national user and as a county inspector (the session's scoping on), alternating the two sides.
3. Print p50/p95/mean per side and engine, the ratio, and how far the two engines agree on the
   first 10 results; write bench/results/library_search.json.

PostgreSQL runs when ENFORCEMENT_TEST_POSTGRES_URL is set (scripts/with-postgres.sh sets it), else
it is reported as not measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform as pyplatform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "library_search.json"
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "tests"))

QUERIES = [
    "粉尘",
    "煤气",
    "有限空间",
    "除尘系统",
    "泄爆",
    "铝镁",
    "熔融金属",
    "起重机",
    "通风",
    "气体检测",
    "应急预案",
    "安全培训",
    "重大事故隐患",
    "行政处罚",
    "安全生产法",
    "GB 15577",
    "深井铸造",
    "冷却水",
    "作业审批",
    "警示标志",
    "防爆",
    "监护人员",
    "隐患排查",
    "责令限期改正",
    "安全",
    "电梯",
    "压力容器",
    "焊接",
    "危险化学品",
]
ISSUERS = [
    "应急管理部",
    "国家市场监督管理总局、国家标准化管理委员会",
    "工业和信息化部",
    "住房和城乡建设部",
]
PREFIXES = ["GB", "GB/T", "AQ", "AQ/T", "YB", "JB/T"]


def sentences() -> list[str]:
    """Real Chinese sentences from the repository: the key items' content, methods and bases, and the
    library's national catalogue."""
    seed = ROOT / "platform" / "enforcement" / "services" / "library" / "seed" / "national.json"
    texts = [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "plugins").glob("*/plugin.json"))
    ]
    texts.append(seed.read_text(encoding="utf-8"))
    pieces: list[str] = []
    for text in texts:
        for piece in re.split(r"[。；\n]", text):
            piece = re.sub(r"[\"{}\[\]\\]|[a-z_]+\":", "", piece).strip()
            if len(re.findall(r"[\u4e00-\u9fff]", piece)) >= 12:
                pieces.append(piece[:160] + "。")
    return pieces


# What 10,000 national standards are about: many industries, each standard about one subject. The
# first ones are the key items' subjects, whose entries also quote the key items' real texts.
KEY_SUBJECTS = [
    "粉尘防爆",
    "可燃性粉尘除尘系统",
    "铝镁粉加工",
    "有限空间作业",
    "缺氧危险作业",
    "工业企业煤气",
    "高温熔融金属吊运",
    "炼钢",
    "炼铁",
    "铝合金深井铸造",
    "冶金起重机",
    "金属粉尘湿式除尘",
]
OTHER_SUBJECTS = """
锅炉 压力容器 压力管道 电梯 客运索道 大型游乐设施 场（厂）内专用机动车辆 叉车 塔式起重机 施工升降机
建筑施工脚手架 高处作业吊篮 模板支撑 基坑支护 隧道施工 桥梁施工 城镇燃气 液化石油气瓶 天然气管道 油气长输管道
加油站 储油库 危险化学品仓库 液氨制冷 氯气 硫化氢防护 烟花爆竹 民用爆炸物品 工业炸药 煤矿井下
金属非金属矿山 尾矿库 露天矿山边坡 地下矿山通风 矿用提升机 输送带 电力变压器 高压开关设备 低压配电
电气火灾监控 防雷装置 静电防护 焊接与切割 电焊机 砂轮机 冲压机械 剪切机械 木工机械 注塑机
印刷机械 食品加工机械 纺织机械 造纸机械 皮革加工 化纤生产 玻璃生产 水泥生产 陶瓷窑炉 耐火材料
橡胶制品 塑料制品 涂装作业 喷漆室 浸漆 电镀 酸洗 热处理 铸造车间 锻造车间
机械加工车间 汽车维修 船舶修造 港口装卸 仓储物流 冷库 商场 宾馆 餐饮场所 烟草制品
个体防护装备 安全帽 安全带 防护手套 呼吸防护用品 安全标志 安全色 职业卫生 噪声 工作场所照明
消防给水 自动喷水灭火系统 火灾自动报警 建筑防火 疏散通道 应急照明 应急救援预案 事故调查 安全培训 安全生产标准化
""".split()
ASPECTS = [
    "安全规程",
    "安全技术规范",
    "技术要求",
    "检验方法",
    "安全管理规范",
    "设计规范",
    "通用技术条件",
    "安全评价导则",
]
TEMPLATES = [
    "本标准规定了{s}的术语和定义、基本要求、技术要求、检验方法和检验规则。",
    "本标准适用于{s}的设计、制造、安装、使用、维护和检验。",
    "{s}的使用单位应当建立安全管理制度，明确岗位责任，并对作业人员进行培训。",
    "{s}应设置明显的安全警示标志，并定期进行检查和维护保养。",
    "新建、改建、扩建{s}项目的安全设施应与主体工程同时设计、同时施工、同时投入使用。",
    "对{s}进行检验时，应按本标准规定的项目和方法逐项进行，并如实记录。",
    "{s}发生异常情况时，应立即停止作业，采取措施，并报告有关负责人。",
    "下列文件对于本文件的应用是必不可少的。凡是注日期的引用文件，仅注日期的版本适用于本文件。",
    "本标准由全国安全生产标准化技术委员会提出并归口。",
    "{s}的作业环境应保持整洁，通道畅通，照明充足。",
]


def synthetic_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """About 10% of the entries are on the key items' subjects (and quote their real texts), the
    rest spread over 120 other subjects; each body has ~1,200 characters."""
    pool = sentences()
    rows = []
    for i in range(count):
        key = rng.random() < 0.1
        subject = rng.choice(KEY_SUBJECTS if key else OTHER_SUBJECTS)
        body_parts: list[str] = []
        while sum(map(len, body_parts)) < 1200:
            if key and rng.random() < 0.5:
                body_parts.append(rng.choice(pool))
            else:
                body_parts.append(rng.choice(TEMPLATES).format(s=subject))
        year = rng.randint(1995, 2025)
        rows.append(
            {
                "collection": "standards",
                "title": subject + rng.choice(ASPECTS),
                "number": f"{rng.choice(PREFIXES)} {10000 + i}-{year}",
                "issuer": rng.choice(ISSUERS),
                "status": rng.choice(["current"] * 6 + ["revised", "repealed"]),
                "effective_on": dt.date(year, rng.randint(1, 12), 1),
                "summary": None,
                "body": "".join(body_parts),
            }
        )
    return rows


def cut(rows: list[dict[str, Any]]) -> list[tuple[list[str], list[str], list[str]]]:
    """Each row's title, number-and-issuer and body tokens, cut once for both engines."""
    from enforcement.services.library import text as tokens

    return [
        (
            tokens.tokens(row["title"]),
            tokens.tokens(f"{row['number']}\n{row['issuer']}"),
            tokens.tokens(row["body"]),
        )
        for row in rows
    ]


def load(app: Any, rows: list[dict[str, Any]], cuts: list[Any]) -> dict[str, str]:
    """Insert the rows and their index rows; on PostgreSQL vacuum (the all-visible pages)."""
    from sqlalchemy import insert, text

    from enforcement.db.acting import SYSTEM, acting_as
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.domain import library as rules
    from enforcement.models import LibraryEntry
    from enforcement.services.library.index import PostgresIndex, SqliteIndex

    with app.app_context(), acting_as(SYSTEM):
        session = app.appbuilder.session
        sqlite = session.get_bind().dialect.name == "sqlite"
        start = 10_000
        for offset in range(0, len(rows), 1000):
            chunk = rows[offset : offset + 1000]
            entries, documents = [], []
            for n, row in enumerate(chunk, start=start + offset):
                entries.append(
                    {
                        **row,
                        "id": n,
                        "key_item_sets": [],
                        "search_text": rules.search_text(
                            row["title"], row["number"], row["issuer"], row["body"]
                        ),
                        "created_by": "bench",
                        "created_at": dt.datetime(2026, 1, 1),
                        "updated_at": dt.datetime(2026, 1, 1),
                    }
                )
                title, meta, body = cuts[n - start]
                if sqlite:
                    documents.append({"id": n, **SqliteIndex.columns(title, meta, body)})
                else:
                    documents.append({"id": n, **PostgresIndex.vectors(title, meta, body)})
            with unit_of_work(session):
                session.execute(insert(LibraryEntry), entries)
                if sqlite:
                    session.execute(
                        text(
                            "INSERT INTO library_fts (rowid, title, meta, body, opening) "
                            "VALUES (:id, :t, :m, :b, :o)"
                        ),
                        documents,
                    )
                else:
                    session.execute(
                        text(
                            "INSERT INTO library_fts (entry_id, document, ranking) VALUES "
                            "(:id, CAST(:document AS tsvector), CAST(:ranking AS tsvector))"
                        ),
                        documents,
                    )
        if sqlite:
            session.execute(text("ANALYZE"))
        session.commit()
        visible = {} if sqlite else vacuum(session.get_bind())
        session.remove()
    return visible


def vacuum(engine: Any) -> dict[str, str]:
    """What autovacuum does after 10,000 inserts: statistics, and the visibility map that lets the
    covering index answer without the table; returns the pages marked all-visible.

    Under scripts/with-postgres.sh (synchronous_commit = off) a VACUUM right after the load marks
    almost no page all-visible: a row's hint bit may be set only once its commit is flushed to the
    WAL, and PostgreSQL keeps one commit position per group of transactions in the commit log, that
    of the group's latest, unflushed commit. One synchronous commit flushes the WAL. And an
    autovacuum ANALYZE started during the load holds back the horizon under which rows count as
    visible to all: the VACUUM is repeated, a second apart, until (nearly) every page is marked or
    30 s have passed. Autovacuum itself comes a minute after the inserts, when both are over."""
    from sqlalchemy import text

    tables = ["library_fts", "library_entry"]
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("SET synchronous_commit = on"))
        connection.execute(text("CREATE TEMPORARY TABLE wal_flushed (x int)"))
        connection.execute(text("DROP TABLE wal_flushed"))
        deadline = time.monotonic() + 30
        while True:
            for table in tables:
                connection.execute(text(f"VACUUM ANALYZE {table}"))
            rows = connection.execute(
                text(
                    "SELECT relname, relallvisible, relpages FROM pg_class "
                    "WHERE relname = ANY(:names)"
                ),
                {"names": tables},
            ).all()
            if all(visible >= 0.99 * pages for _, visible, pages in rows):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(1)
    return {name: f"{visible}/{pages}" for name, visible, pages in rows}


def measure(app: Any, queries: list[str], region: str | None) -> dict[str, Any]:
    from enforcement.db.acting import Actor, acting_as
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.services import library as service

    timings: dict[str, list[float]] = {"index": [], "like": []}
    tops: dict[str, list[int]] = {}
    counts: dict[str, list[int]] = {"index": [], "like": []}
    actor = Actor("bench", Jurisdiction(region))
    with app.app_context(), acting_as(actor):
        session = app.appbuilder.session
        for q in queries[:5]:  # warm-up: statement caches, page cache
            service.search(session, service.Filters(q=q))
            service.like_scan(session, q)
        for i, q in enumerate(queries):
            sides = [("index", service.search), ("like", None)]
            if i % 2:
                sides.reverse()
            for side, _ in sides:
                started = time.perf_counter()
                if side == "index":
                    page = service.search(session, service.Filters(q=q))
                    tops.setdefault(q, [hit.entry.id for hit in page.hits[:10]])
                else:
                    page = service.like_scan(session, q)
                timings[side].append((time.perf_counter() - started) * 1000)
                counts[side].append(page.count)
            session.rollback()
        session.remove()
    out: dict[str, Any] = {}
    for side, values in timings.items():
        ordered = sorted(values)
        out[side] = {
            "p50_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "mean_ms": round(statistics.fmean(ordered), 2),
            "max_ms": round(ordered[-1], 2),
        }
    ratios = [like / index for like, index in zip(timings["like"], timings["index"], strict=True)]
    out["queries_at_10x"] = sum(r >= 10 for r in ratios)
    slowest = sorted(zip(timings["index"], queries, strict=True), reverse=True)[:5]
    out["slowest_index_queries"] = [f"{q} {ms:.1f} ms" for ms, q in slowest]
    out["p50_ratio"] = round(out["like"]["p50_ms"] / out["index"]["p50_ms"], 1)
    out["p95_ratio"] = round(out["like"]["p95_ms"] / out["index"]["p95_ms"], 1)
    out["median_hits"] = {side: statistics.median(c) for side, c in counts.items()}
    out["hits_differ"] = sum(a != b for a, b in zip(counts["index"], counts["like"], strict=True))
    out["top10"] = tops
    return out


# The queries of tests/integration/test_library.py's cross-engine test, on the national catalogue
# alone (before the synthetic entries are loaded).
CATALOGUE_QUERIES = [
    "粉尘",
    "煤气",
    "有限空间",
    "安全生产法",
    "行政处罚",
    "重大事故隐患",
    "GB 15577",
]


def catalogue_tops(app: Any) -> dict[str, list[str]]:
    """The first three seed keys of each catalogue query (national entries, a national user)."""
    from enforcement.db.acting import Actor, acting_as
    from enforcement.domain.jurisdiction import Jurisdiction
    from enforcement.services import library as service

    with app.app_context(), acting_as(Actor("bench", Jurisdiction(None))):
        session = app.appbuilder.session
        tops = {
            q: [
                h.entry.seed_key or str(h.entry.id)
                for h in service.search(
                    session, service.Filters(q=q, scope="national"), size=3
                ).hits
            ]
            for q in CATALOGUE_QUERIES
        }
        session.remove()
    return tops


def run_engine(
    engine: str, rows: list[dict[str, Any]], cuts: list[Any], queries: list[str], folder: Path
) -> dict[str, Any]:
    from support.databases import build_app, close_app, fresh_database

    url = fresh_database(engine, folder, f"library_bench_{engine}")
    app = build_app(url, folder / "data")
    tops = catalogue_tops(app)
    started = time.perf_counter()
    all_visible = load(app, rows, cuts)
    loaded = time.perf_counter() - started
    result = {
        "entries": len(rows),
        "catalogue_top3": tops,
        "load_seconds": round(loaded, 1),
        "all_visible_pages": all_visible,
        "national": measure(app, queries, None),
        "county_360102": measure(app, queries, "360102"),
    }
    close_app(app)
    return result


def agreement(engines: dict[str, Any], queries: list[str]) -> dict[str, int]:
    """How often the two engines put the same entries first (national user)."""
    a = engines["sqlite"]["national"]["top10"]
    b = engines["postgresql"]["national"]["top10"]
    distinct = sorted(set(queries))
    return {
        "queries": len(distinct),
        "same_first": sum(a[q][:1] == b[q][:1] for q in distinct),
        "same_top10": sum(a[q] == b[q] for q in distinct),
        "same_set10": sum(set(a[q]) == set(b[q]) for q in distinct),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(2026)
    queries = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
    rng.shuffle(queries)
    engines = ["sqlite"] + (
        ["postgresql"] if os.environ.get("ENFORCEMENT_TEST_POSTGRES_URL") else []
    )
    results: dict[str, Any] = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{pyplatform.node()} {os.cpu_count()} cores, {pyplatform.python_version()}",
        "queries": args.queries,
        "engines": {},
    }
    rows = synthetic_rows(args.entries, random.Random(15))
    started = time.perf_counter()
    cuts = cut(rows)
    results["cut_seconds"] = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory(prefix="library-bench-") as tmp:
        for engine in engines:
            results["engines"][engine] = run_engine(engine, rows, cuts, queries, Path(tmp))
    if len(engines) == 2:
        results["engines_agree"] = agreement(results["engines"], queries)
        sqlite_tops = results["engines"]["sqlite"]["catalogue_top3"]
        pg_tops = results["engines"]["postgresql"]["catalogue_top3"]
        results["catalogue_top3_same"] = [
            q for q in CATALOGUE_QUERIES if sqlite_tops[q] == pg_tops[q]
        ]
    if "postgresql" not in engines:
        results["engines"]["postgresql"] = "not measured (ENFORCEMENT_TEST_POSTGRES_URL not set)"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"{'engine':<12}{'actor':<16}{'side':<8}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for engine, result in results["engines"].items():
        if isinstance(result, str):
            print(f"{engine:<12}{result}")
            continue
        if result["all_visible_pages"]:
            pages = ", ".join(f"{t} {v}" for t, v in sorted(result["all_visible_pages"].items()))
            print(f"{engine:<12}pages all-visible after the load's VACUUM: {pages}")
        for actor in ("national", "county_360102"):
            figures = result[actor]
            for side in ("index", "like"):
                f = figures[side]
                print(
                    f"{engine:<12}{actor:<16}{side:<8}"
                    f"{f['p50_ms']:>9}{f['p95_ms']:>9}{f['mean_ms']:>9}"
                )
            print(
                f"{'':<28}LIKE ÷ index: p50 {figures['p50_ratio']}×, p95 {figures['p95_ratio']}×; "
                f"queries ≥ 10× faster: {figures['queries_at_10x']}/{len(queries)}"
            )
            print(f"{'':<28}slowest on the index: {', '.join(figures['slowest_index_queries'])}")
            if figures["hits_differ"]:
                print(f"{'':<28}queries whose count differs from LIKE's: {figures['hits_differ']}")
    if "engines_agree" in results:
        agree = results["engines_agree"]
        print(
            f"SQLite and PostgreSQL, national, {agree['queries']} distinct queries: the same first "
            f"result for {agree['same_first']}, the same first 10 (in order) for "
            f"{agree['same_top10']}, the same set of 10 for {agree['same_set10']}"
        )
    if "catalogue_top3_same" in results:
        same = results["catalogue_top3_same"]
        print(
            f"national catalogue, first 3 the same on both engines: {len(same)}/{len(CATALOGUE_QUERIES)}"
        )
        for q in CATALOGUE_QUERIES:
            if q not in same:
                tops = {e: results["engines"][e]["catalogue_top3"][q] for e in engines}
                print(f"  {q}: {tops}")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
