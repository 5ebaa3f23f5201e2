"""Answer validation throughput: naive jsonschema, a reused jsonschema validator, fastjsonschema, ours.

Run from the repository root:  .venv/bin/python bench/validate_answers.py [--count 10000]

1. One ~30-item declaration: the items of the five built-ins (钢8 + 铝7 + 粉6 + 有限空间4 + 责任7 =
   32 items, 13 of them per equipment) in one synthetic plugin `bench`, compiled once.
2. The same seeded submissions as the parity test (tests/support/answers.py): about half of
   them broken on purpose, 1-3 mutations each.
3. Submissions per second for
   - naive:      `jsonschema.validate(answers, schema)` per submission (checks the schema and builds
                 a validator every call; stops at the first error) - measured on a subset and
                 extrapolated, it is too slow for all of them;
   - reused:     one `jsonschema.Draft202012Validator` (date format checked), `list(iter_errors())`:
                 all errors;
   - fastjsonschema (only when installed; not a project dependency): compiled once, first error
                 only, draft-07 (the compiled schema uses no 2020-12-only keyword);
   - ours:       `enforcement.checklists.validation.FastValidator.errors()`: all errors, normalised
                 to {path, message}, as the platform calls it;
   and the ratio ours / naive (target >= 200).
4. Plugin loading: `get_plugin_manager()` for the built-ins, the first (cold) call and the median of
   20 more; and compiling all five.

Prints a table and writes bench/results/validate_answers.json.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform as pyplatform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "validate_answers.json"
sys.path.insert(0, str(ROOT / "platform"))
sys.path.insert(0, str(ROOT / "tests"))

import jsonschema  # noqa: E402

from enforcement.checklists.compiler import compile_plugin  # noqa: E402
from enforcement.checklists.loader import semantic_errors  # noqa: E402
from enforcement.checklists.validation import FastValidator  # noqa: E402
from enforcement.plugins import get_plugin_manager  # noqa: E402
from support.answers import submissions  # noqa: E402

BUILTINS = ["steel", "aluminum", "dust", "confined_space", "duty7"]
TARGET_RATIO = 200


def combined_declaration() -> dict[str, Any]:
    """All built-in items in one plugin `bench` (item ids prefixed so the loader's rules hold)."""
    items, types = [], {}
    for plugin_id in BUILTINS:
        declaration = json.loads((ROOT / "plugins" / plugin_id / "plugin.json").read_text("utf-8"))
        for equipment_type in declaration.get("equipment_types", []):
            types.setdefault(equipment_type["id"], equipment_type)
        for item in declaration["items"]:
            item = copy.deepcopy(item)
            item["id"] = f"bench.{item['id']}"
            items.append(item)
    declaration = {
        "schema_version": 1,
        "id": "bench",
        "version": "1.0.0",
        "title": "五个内置检查事项合并（基准测试）",
        "issuer": {"level": "ministry", "name": "应急管理部"},
        "equipment_types": list(types.values()),
        "items": items,
    }
    problems = semantic_errors(declaration, "bench", set())
    assert not problems, problems
    return declaration


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(function: Any, samples: list[Any]) -> tuple[float, int]:
    """(seconds, number judged invalid) for running `function` (True = valid) over samples."""
    started = time.perf_counter()
    invalid = sum(1 for answers in samples if not function(answers))
    return time.perf_counter() - started, invalid


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return commit + ("+uncommitted changes" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="submissions (default 10000)")
    parser.add_argument("--naive", type=int, default=200, help="subset for naive validate()")
    args = parser.parse_args()

    declaration = combined_declaration()
    compiled = compile_plugin(declaration)
    schema = compiled.answers_schema
    started = time.perf_counter()
    samples = submissions(declaration, args.count)
    generated = time.perf_counter() - started
    print(
        f"{len(declaration['items'])} items, {args.count} submissions generated in {generated:.1f} s"
    )

    results: list[dict[str, Any]] = []

    def record(
        name: str, errors: str, measured: int, seconds: float, invalid: int, note: str
    ) -> None:
        results.append(
            {
                "validator": name,
                "errors": errors,
                "submissions_measured": measured,
                "seconds": round(seconds, 4),
                "submissions_per_second": round(rate(measured, seconds), 1),
                "invalid_found": invalid,
                "note": note,
            }
        )

    # naive: jsonschema.validate() per submission, on a subset (the same first N submissions)
    format_checker = jsonschema.FormatChecker(["date"])

    def naive(answers: Any) -> bool:
        try:
            jsonschema.validate(answers, schema, format_checker=format_checker)
        except jsonschema.ValidationError:
            return False
        return True

    subset = samples[: args.naive]
    seconds, invalid = timed(naive, subset)
    record(
        "jsonschema.validate() per submission (naive)",
        "first",
        len(subset),
        seconds,
        invalid,
        f"measured on the first {len(subset)} submissions, rate extrapolated to all",
    )

    reused = jsonschema.Draft202012Validator(schema, format_checker=format_checker)
    seconds, invalid = timed(lambda answers: not list(reused.iter_errors(answers)), samples)
    record(
        "jsonschema Draft202012Validator, reused, iter_errors",
        "all",
        len(samples),
        seconds,
        invalid,
        "plain jsonschema matches `pattern` with Python's re, whose `$` also matches before a final "
        "newline: it accepts evidence hashes ending in \\n that ECMA-262 (the others) refuses",
    )

    try:
        import fastjsonschema
    except ImportError:
        fastjsonschema = None
    if fastjsonschema is not None:
        draft7 = {**schema, "$schema": "http://json-schema.org/draft-07/schema#"}
        validate = fastjsonschema.compile(draft7, formats={})

        def fast_first(answers: Any) -> bool:
            try:
                validate(answers)
            except fastjsonschema.JsonSchemaException:
                return False
            return True

        seconds, invalid = timed(fast_first, samples)
        record(
            f"fastjsonschema {fastjsonschema.VERSION}, compiled once",
            "first",
            len(samples),
            seconds,
            invalid,
            "draft-07 semantics, its own date format; not a project dependency; slow here because "
            "its generated code evaluates each `if` with try/except and formats an error message "
            "with locals() whenever the condition does not hold",
        )
    else:
        print("fastjsonschema not installed: skipped (pip install fastjsonschema to compare)")

    ours = FastValidator(schema)
    seconds, invalid = timed(lambda answers: not ours.errors(answers), samples)
    record("ours: FastValidator.errors (jsonschema-rs)", "all", len(samples), seconds, invalid, "")

    naive_rate = results[0]["submissions_per_second"]
    ours_rate = results[-1]["submissions_per_second"]
    ratio = ours_rate / naive_rate

    # plugin loading
    started = time.perf_counter()
    get_plugin_manager()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(20):
        started = time.perf_counter()
        platform = get_plugin_manager()
        warm.append(time.perf_counter() - started)
    assert sorted(e.id for e in platform.registry.all()) == sorted(BUILTINS), (
        platform.registry.errors
    )
    started = time.perf_counter()
    for entry in platform.registry.all():
        compile_plugin(entry.declaration)
    compile_seconds = time.perf_counter() - started

    print()
    print(f"{'validator':<58} {'errors':<6} {'measured':>8} {'subm/s':>10} {'invalid':>8}")
    for row in results:
        print(
            f"{row['validator']:<58} {row['errors']:<6} {row['submissions_measured']:>8} "
            f"{row['submissions_per_second']:>10.1f} {row['invalid_found']:>8}"
        )
    print(
        f"\nours / naive = {ratio:.0f}x (target >= {TARGET_RATIO}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}); "
        f"naive rate from {len(subset)} submissions, extrapolated"
    )
    print(
        f"plugin loading (get_plugin_manager, 5 built-ins): cold {cold * 1000:.1f} ms, "
        f"median of 20 {statistics.median(warm) * 1000:.1f} ms; compiling all five {compile_seconds * 1000:.1f} ms"
    )

    report = {
        "benchmark": "bench/validate_answers.py",
        "at": dt.datetime.now().replace(microsecond=0).isoformat(),
        "python": pyplatform.python_version(),
        "commit": git_commit(),
        "machine": f"{pyplatform.system()} {pyplatform.machine()}, {os.cpu_count()} CPUs",
        "schema": {
            "items": len(declaration["items"]),
            "per_equipment_items": sum(1 for i in declaration["items"] if "repeat" in i),
            "answers_schema_bytes": len(json.dumps(schema, ensure_ascii=False).encode()),
            "sha256": compiled.sha256,
        },
        "submissions": {
            "count": args.count,
            "generator": "tests/support/answers.py submissions(), seed 20260101",
            "invalid_by_reference": results[1]["invalid_found"],
        },
        "results": results,
        "ours_over_naive": round(ratio, 1),
        "requirement": f"ours_over_naive >= {TARGET_RATIO}",
        "met": ratio >= TARGET_RATIO,
        "plugin_loading": {
            "what": "get_plugin_manager() with the five built-ins (entry points scanned too)",
            "cold_ms": round(cold * 1000, 2),
            "median_of_20_ms": round(statistics.median(warm) * 1000, 2),
            "compile_all_five_ms": round(compile_seconds * 1000, 2),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
