"""The five built-in checklists, and the design's example plugin, as a bureau admin would load them."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from enforcement.checklists.compiler import compile_plugin
from enforcement.checklists.loader import load_file, validate_text
from enforcement.plugins import builtin_plugins_dir, get_plugin_manager
from support.plugins import (
    BUILTIN_ITEM_COUNTS,
    FIXTURES,
    ROOT,
    assert_matches_snapshot,
    builtin,
    example,
    pairs,
    snapshot_of,
)

BUILTINS = sorted(BUILTIN_ITEM_COUNTS)


@pytest.mark.parametrize("plugin_id", BUILTINS)
def test_builtin_validates_without_errors(plugin_id):
    path = ROOT / "plugins" / plugin_id / "plugin.json"
    declaration = load_file(path)
    assert declaration["id"] == plugin_id
    assert declaration["issuer"]["level"] == "ministry"


@pytest.mark.parametrize("plugin_id", BUILTINS)
def test_builtin_compiles_with_expected_item_count(plugin_id):
    declaration = builtin(plugin_id)
    compiled = compile_plugin(declaration)
    assert len(declaration["items"]) == BUILTIN_ITEM_COUNTS[plugin_id]
    assert list(compiled.answers_schema["properties"]) == [i["id"] for i in declaration["items"]]
    assert compiled.answers_schema["required"] == [i["id"] for i in declaration["items"]]
    groups = [g for category in compiled.ui_schema["elements"] for g in category["elements"]]
    # grouped by section (first-seen order), so every item appears once, not always in file order
    assert sorted(g["options"]["item_id"] for g in groups) == sorted(
        i["id"] for i in declaration["items"]
    )
    assert len(compiled.sha256) == 64


@pytest.mark.parametrize("plugin_id", BUILTINS)
def test_builtin_keeps_x_source_and_x_confidence_on_every_item(plugin_id):
    declaration = builtin(plugin_id)
    assert declaration.get("x-source"), "the plugin names its source document"
    for item in declaration["items"]:
        assert item.get("x-source"), item["id"]
        assert item.get("x-confidence") in ("high", "medium", "low"), item["id"]


@pytest.mark.parametrize("plugin_id", BUILTINS)
def test_builtin_compiled_schemas_match_golden_snapshot(plugin_id):
    assert_matches_snapshot(plugin_id, snapshot_of(compile_plugin(builtin(plugin_id))))


def test_example_plugin_compiled_schemas_match_golden_snapshot():
    compiled = compile_plugin(example())
    assert_matches_snapshot("bureau.360102.dust_extra", snapshot_of(compiled))


def test_compiling_twice_gives_the_same_hash():
    assert compile_plugin(builtin("steel")).sha256 == compile_plugin(builtin("steel")).sha256


def test_example_plugin_is_accepted_exactly_as_it_is():
    path = FIXTURES / "example-plugin.json"
    declaration, errors = validate_text(path.read_text(encoding="utf-8"), path.name)
    assert pairs(errors) == []
    assert declaration == json.loads(path.read_text(encoding="utf-8"))
    compiled = compile_plugin(declaration)
    item = compiled.answers_schema["properties"]["bureau.360102.dust_extra.explosion_control"]
    assert item["type"] == "array"  # one entry per dry dust collector


# SHA-256 of ../shared/design/example-plugin.json as the design hands it out (2026-11).
EXAMPLE_PLUGIN_SHA256 = "1be449c1a55fefe8cb2b13e98c380f8d09bb88a4a4b0d79920dd5d7ecaf83f79"


def test_example_plugin_fixture_is_a_byte_for_byte_copy_of_the_design():
    fixture = (FIXTURES / "example-plugin.json").read_bytes()
    assert hashlib.sha256(fixture).hexdigest() == EXAMPLE_PLUGIN_SHA256
    shared = ROOT.parent / "shared" / "design" / "example-plugin.json"
    if shared.exists():  # beside the repository on the developers' machines
        assert shared.read_bytes() == fixture


def test_plugin_manager_registers_the_five_builtins_as_builtin():
    platform = get_plugin_manager([], load_entry_points=False)
    entries = {e.id: e for e in platform.registry.all()}
    assert sorted(entries) == BUILTINS
    assert {e.source for e in entries.values()} == {"builtin"}
    assert platform.registry.errors == []
    assert builtin_plugins_dir() == ROOT / "plugins"
    for entry in entries.values():  # every built-in goes through the one generic adapter
        assert platform.hook_names(entry) == ["register_checklists", "register_equipment_types"]


def test_the_example_in_the_admin_guide_is_the_design_example_and_valid():
    guide = (ROOT / "docs" / "checklist-plugins.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", guide, re.DOTALL)
    complete = [json.loads(b) for b in blocks if '"schema_version"' in b]
    assert complete == [example()]
    declaration, errors = validate_text(blocks[0], "checklist-plugins.md")
    assert errors == [] and declaration == example()
