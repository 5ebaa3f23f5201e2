"""Helpers of the plugin tests: paths, the built-in declarations, golden snapshots, error pairs."""

from __future__ import annotations

import copy
import difflib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from enforcement.checklists.compiler import CompiledChecklist
from enforcement.checklists.errors import PluginError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "plugins" / "fixtures"
SNAPSHOTS = ROOT / "tests" / "plugins" / "snapshots"
# id → number of items (钢8条, 铝7条, 粉6条, 有限空间4条, 责任7条)
BUILTIN_ITEM_COUNTS = {"steel": 8, "aluminum": 7, "dust": 6, "confined_space": 4, "duty7": 7}


@cache
def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def builtin(plugin_id: str) -> dict[str, Any]:
    """A fresh copy of a built-in declaration, read from plugins/<id>/plugin.json."""
    return copy.deepcopy(_read(ROOT / "plugins" / plugin_id / "plugin.json"))


def example() -> dict[str, Any]:
    """The design's example plugin (a county bureau's dust checklist), from the fixtures copy."""
    return copy.deepcopy(_read(FIXTURES / "example-plugin.json"))


def pairs(errors: list[PluginError]) -> list[str]:
    """`pointer: message` for each error, the shape a bureau admin sees (file name left out)."""
    return [f"{e.pointer or '/'}: {e.message}" for e in errors]


def snapshot_of(compiled: CompiledChecklist) -> dict[str, Any]:
    return {
        "plugin_id": compiled.plugin_id,
        "version": compiled.version,
        "sha256": compiled.sha256,
        "answers_schema": compiled.answers_schema,
        "ui_schema": compiled.ui_schema,
    }


def assert_matches_snapshot(name: str, data: Any) -> None:
    """Compare with snapshots/<name>.json; UPDATE_SNAPSHOTS=1 rewrites the file instead.

    A mismatch fails with a unified diff of the pretty-printed JSON (first 120 lines).
    """
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(
            f"no snapshot {path.relative_to(ROOT)}: run with UPDATE_SNAPSHOTS=1 to create it"
        )
    expected = path.read_text(encoding="utf-8")
    if expected != text:
        diff = list(
            difflib.unified_diff(
                expected.splitlines(),
                text.splitlines(),
                f"snapshots/{name}.json (golden)",
                f"{name} (compiled now)",
                lineterm="",
            )
        )
        shown = "\n".join(diff[:120]) + (
            f"\n… {len(diff) - 120} more lines" if len(diff) > 120 else ""
        )
        pytest.fail(
            f"compiled {name} differs from its golden snapshot "
            f"(if the change is intended: UPDATE_SNAPSHOTS=1 pytest tests/plugins):\n{shown}",
            pytrace=False,
        )
