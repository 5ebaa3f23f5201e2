"""检查事项 diff: the builder's item diff of a 1,000-item set beside a plain difflib comparison.

Run from the repository root:  .venv/bin/python bench/checklist_diff.py   (see bench/README.md)

1. Build a set of N items (default 1,000) by repeating the built-in plugins' items under fresh ids,
   and a second version of it: every tenth item's wording changed, every 50th answer's choices cut
   (breaking), 20 items removed, 20 added, two items swapped.
2. Diff the two R times (default 20) with `enforcement.checklists.diff.diff_declarations` (items by
   id, changed leaves with before/after, breaking changes), and with the peer: items matched by id
   and `difflib.unified_diff` of each changed item's JSON, alternating the two sides. Whole-file
   difflib of the two plugin.json files is measured once on a smaller set (--whole-items).
3. Print p50/p95/max per side and the ratio; write bench/results/checklist_diff.json. The builder's
   diff must stay under 1 s for the 1,000-item set.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import json
import platform as pyplatform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "checklist_diff.json"
sys.path.insert(0, str(ROOT / "platform"))

from enforcement.checklists.diff import diff_declarations  # noqa: E402

BUILTINS = ("steel", "aluminum", "dust", "confined_space", "duty7")


def big_set(size: int) -> dict[str, Any]:
    """A declaration of `size` items cut from the built-ins' real items (ids made unique)."""
    sources = [
        json.loads((ROOT / "plugins" / b / "plugin.json").read_text("utf-8")) for b in BUILTINS
    ]
    pool = [item for plugin in sources for item in plugin["items"]]
    base = copy.deepcopy(sources[0])
    base["id"] = "bureau.360102.bench"
    base["items"] = []
    for n in range(size):
        item = copy.deepcopy(pool[n % len(pool)])
        item["id"] = f"bureau.360102.bench.item{n:04d}"
        for follow_up in item.get("follow_ups", []):
            follow_up["when"].pop("item", None)
        item.pop("major_when", None)
        base["items"].append(item)
    return base


def next_version(before: dict[str, Any]) -> dict[str, Any]:
    after = copy.deepcopy(before)
    after["version"] = "1.1.0"
    items = after["items"]
    for n, item in enumerate(items):
        if n % 10 == 0:
            item["content"] = item["content"] + "（修订）"
        if (
            n % 50 == 0
            and isinstance(item["answer"].get("enum"), list)
            and len(item["answer"]["enum"]) > 1
        ):
            item["answer"]["enum"] = item["answer"]["enum"][:-1]
    del items[100:120]
    for n in range(20):
        extra = copy.deepcopy(items[n])
        extra["id"] = f"bureau.360102.bench.new{n:02d}"
        items.append(extra)
    items[1], items[2] = items[2], items[1]
    return after


def _lines(value: Any) -> list[str]:
    return json.dumps(value, ensure_ascii=False, indent=2).splitlines()


def peer(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The plain way: items matched by id, `difflib.unified_diff` of each changed item's JSON."""
    old = {item["id"]: item for item in before["items"]}
    out: list[str] = []
    for item in after["items"]:
        earlier = old.pop(item["id"], None)
        if earlier != item:
            out += difflib.unified_diff(_lines(earlier or {}), _lines(item), lineterm="", n=1)
    for item in old.values():
        out += difflib.unified_diff(_lines(item), [], lineterm="", n=0)
    return out


def whole_file(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Two plugin.json files through `difflib.unified_diff` (what a reviewer of the files gets)."""
    return list(difflib.unified_diff(_lines(before), _lines(after), lineterm="", n=2))


def timed(run: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    # Whole-file difflib grows far faster than linearly (160,000 similar lines at 1,000 items):
    # measured once on a smaller set.
    parser.add_argument("--whole-items", type=int, default=100)
    args = parser.parse_args()
    before = big_set(args.items)
    after = next_version(before)
    ours: list[float] = []
    theirs: list[float] = []
    diff: dict[str, Any] = {}
    lines: list[str] = []
    used = {before["items"][105]["id"]}
    for _ in range(args.rounds):
        seconds, diff = timed(lambda: diff_declarations(before, after, used))
        ours.append(seconds)
        seconds, lines = timed(lambda: peer(before, after))
        theirs.append(seconds)
    small_before = big_set(args.whole_items)
    whole_seconds, _ = timed(lambda: whole_file(small_before, next_version(small_before)))
    result = {
        "items": args.items,
        "rounds": args.rounds,
        "python": pyplatform.python_version(),
        "builder_diff": summary(ours),
        "difflib_per_item": summary(theirs),
        "difflib_whole_file": {"items": args.whole_items, "ms": round(whole_seconds * 1000, 1)},
        "ratio_p50": round(statistics.median(theirs) / statistics.median(ours), 2),
        "found": {
            "added": len(diff["added"]),
            "removed": len(diff["removed"]),
            "changed": len(diff["changed"]),
            "moved": len(diff["moved"]),
            "breaking": len(diff["breaking"]),
            "difflib_lines": len(lines),
        },
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if max(ours) >= 1.0:
        sys.exit(f"the builder's diff took {max(ours):.2f} s for {args.items} items (limit 1 s)")


if __name__ == "__main__":
    main()
