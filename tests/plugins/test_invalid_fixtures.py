"""A bad plugin file gets every error at once, each as `file: /json/pointer: message`.

fixtures/invalid/ holds one file per kind of mistake a bureau admin makes; fixtures/
invalid_expected.json lists, for each, the exact errors expected (`pointer: message fragment`).
"""

from __future__ import annotations

import json
import shutil

import pytest

from enforcement.checklists.errors import PluginInvalid
from enforcement.checklists.loader import load_file, validate_text
from enforcement.plugins import get_plugin_manager
from support.plugins import FIXTURES, pairs

INVALID = FIXTURES / "invalid"
EXPECTED: dict[str, list[str]] = {
    name: errors
    for name, errors in json.loads((FIXTURES / "invalid_expected.json").read_text("utf-8")).items()
    if not name.startswith("_")
}


def unmatched(actual: list[str], expected: list[str]) -> tuple[list[str], list[str]]:
    """Pair each expected `pointer: fragment` with one actual `pointer: message`; return leftovers."""
    left = list(actual)
    missing = []
    for want in expected:
        pointer, fragment = want.split(": ", 1)
        for have in left:
            have_pointer, message = have.split(": ", 1)
            if have_pointer == pointer and fragment in message:
                left.remove(have)
                break
        else:
            missing.append(want)
    return missing, left


def test_every_invalid_fixture_has_its_expected_errors_listed():
    assert sorted(p.name for p in INVALID.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_reports_exactly_the_expected_errors(name):
    declaration, errors = validate_text((INVALID / name).read_text(encoding="utf-8"), name)
    assert declaration is None
    missing, unexpected = unmatched(pairs(errors), EXPECTED[name])
    assert (missing, unexpected) == ([], []), "\n".join(pairs(errors))
    assert all(e.file == name for e in errors)


def test_several_problems_at_once_are_all_reported_by_load_file():
    with pytest.raises(PluginInvalid) as caught:
        load_file(INVALID / "several_semantic_problems.json")
    assert len(caught.value.errors) == len(EXPECTED["several_semantic_problems.json"]) == 7
    lines = str(caught.value).splitlines()
    assert len(lines) == 7
    assert all(
        line.startswith(str(INVALID / "several_semantic_problems.json") + ": /") for line in lines
    )


def test_bad_json_syntax_reports_line_and_column():
    _, (error,) = validate_text((INVALID / "bad_json_syntax.json").read_text("utf-8"), "x.json")
    assert (error.line, error.column) == (8, 61)
    assert error.as_dict() == {"path": "/", "message": error.message, "line": 8, "column": 61}
    assert str(error).startswith("x.json: /: JSON 语法错误：第 8 行第 61 列")


def test_schema_errors_are_reported_before_the_semantic_checks_run():
    """Two stages: the semantic rules need a schema-valid file, so they show on the next upload."""
    text = (INVALID / "duplicate_item_id.json").read_text("utf-8").replace('"title"', '"titel"', 1)
    _, errors = validate_text(text, "x.json")
    assert sorted(pairs(errors)) == [
        "/: 缺少必填字段“title”",
        "/titel: 未知字段“titel”（自定义注释请用 x- 开头）",
    ]  # the duplicate item id is not reported yet


def test_a_bad_file_in_a_plugin_folder_does_not_stop_the_other_plugins(tmp_path):
    shutil.copy(FIXTURES / "example-plugin.json", tmp_path / "good.json")
    shutil.copy(INVALID / "several_semantic_problems.json", tmp_path / "bad.json")
    (tmp_path / "broken").mkdir()
    shutil.copy(INVALID / "bad_json_syntax.json", tmp_path / "broken" / "plugin.json")

    platform = get_plugin_manager([str(tmp_path)], load_entry_points=False)

    entry = platform.registry.get("bureau.360102.dust_extra")
    assert entry is not None and entry.source == "folder"
    assert entry.location == str(tmp_path / "good.json")
    assert {e.id for e in platform.registry.all()} >= {"steel", "dust", "bureau.360102.dust_extra"}
    files = [e.file for e in platform.registry.errors]
    assert files.count(str(tmp_path / "bad.json")) == 7
    assert files.count(str(tmp_path / "broken" / "plugin.json")) == 1
    assert platform.registry.get("bureau.360102.demo") is None
