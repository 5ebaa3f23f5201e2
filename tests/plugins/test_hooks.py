"""Every hook of enforcement.hookspecs: documented in docs/plugin_hooks.md, and tested here.

A test covers a hook when its name contains the hook's name (checked below).
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pluggy
import pytest

from enforcement import hookspecs
from enforcement.checklists.loader import validate_text
from enforcement.hookspecs import hookimpl
from enforcement.plugins import ChecklistEntry, get_plugin_manager
from support.plugins import ROOT, example

DOC = ROOT / "docs" / "plugin_hooks.md"
EXPLOSION = "bureau.360102.dust_extra.explosion_control"
CLEANING = "bureau.360102.dust_extra.cleaning_record"


def hookspec_names() -> list[str]:
    return sorted(
        name
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, f"{hookspecs.PROJECT}_spec")
    )


def documented_hooks() -> dict[str, dict[str, Any]]:
    """`## name(arg, …)` sections of docs/plugin_hooks.md, with their argument names and "Calling" row."""
    hooks = {}
    for section in DOC.read_text(encoding="utf-8").split("\n## ")[1:]:
        heading, _, body = section.partition("\n")
        match = re.fullmatch(r"([a-z_]+)\(([a-z_, ]*)\)", heading.strip())
        assert match, f"hook heading should read `name(arg, …)`: {heading!r}"
        calling = re.search(r"^\| Calling \| (.+) \|$", body, re.MULTILINE)
        assert calling, f"{heading}: no `| Calling | … |` row"
        hooks[match[1]] = {
            "args": [a.strip() for a in match[2].split(",") if a.strip()],
            "calling": calling[1],
        }
    return hooks


def test_every_hookspec_is_documented_in_plugin_hooks_md():
    assert hookspec_names() == [
        "case_transitioned",
        "extra_checks",
        "register_checklists",
        "register_documents",
        "register_equipment_types",
        "suggest_measures",
    ]
    assert sorted(documented_hooks()) == hookspec_names()


def test_every_documented_hook_has_the_arguments_and_calling_convention_of_its_spec():
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, doc in documented_hooks().items():
        spec = getattr(pm.hook, name).spec
        assert doc["args"] == list(spec.argnames), name
        assert ("historic" in doc["calling"]) == bool(spec.opts.get("historic")), name
        assert ("firstresult" in doc["calling"]) == bool(spec.opts.get("firstresult")), name


def test_every_hookspec_has_a_test_named_after_it():
    tests = [name for name in globals() if name.startswith("test_") and "every" not in name]
    for hook in hookspec_names():
        assert any(hook in test for test in tests), f"no test named after {hook}"


# register_checklists ---------------------------------------------------------------------------


def test_register_checklists_is_historic_a_plugin_registered_later_is_used_without_rebuilding():
    platform = get_plugin_manager([], load_entry_points=False)
    pm, registry = platform.pm, platform.registry
    declaration = example()
    assert registry.get(declaration["id"]) is None

    entry = ChecklistEntry(declaration, "uploaded", "upload:1")
    platform.register(entry)  # what publishing an uploaded plugin does

    assert platform.pm is pm and platform.registry is registry
    assert registry.get(declaration["id"]) is entry
    assert registry.active()[declaration["id"]] is entry
    assert platform.hook_names(entry) == ["register_checklists", "register_equipment_types"]
    assert len(entry.compiled.sha256) == 64

    newer = copy.deepcopy(declaration)
    newer["version"] = "1.1.0"
    platform.register(ChecklistEntry(newer, "uploaded", "upload:2"))
    assert registry.active()[declaration["id"]].version == "1.1.0"
    assert registry.get(declaration["id"], "1.0.0") is entry  # old inspections keep theirs


def test_register_checklists_of_a_python_plugin_registered_after_start_enters_as_package():
    platform = get_plugin_manager([], load_entry_points=False)
    declaration = example()

    class Late:
        @hookimpl
        def register_checklists(self) -> list[dict[str, Any]]:
            return [declaration]

    platform.pm.register(Late(), name="late")
    entry = platform.registry.get(declaration["id"])
    assert entry is not None and entry.source == "package"
    assert entry.location == f"package:{declaration['id']}"


def test_register_checklists_from_a_package_is_validated_like_a_file():
    platform = get_plugin_manager([], load_entry_points=False)
    bad = example()
    bad["id"] = "bureau.360102.broken"
    bad["items"][0]["answer"] = {"type": "object"}

    class Broken:
        @hookimpl
        def register_checklists(self) -> list[dict[str, Any]]:
            return [bad, example()]

    platform.pm.register(Broken(), name="broken")
    assert platform.registry.get("bureau.360102.broken") is None
    assert platform.registry.get("bureau.360102.dust_extra").source == "package"  # the good one
    assert [str(e) for e in platform.registry.errors] == [
        "package:bureau.360102.broken: /items/0/answer/type: "
        "取值无效“object”，可选：string、boolean、number、integer、array"
    ]


PACKAGE_MODULE = """
from enforcement.hookspecs import hookimpl

DECLARATION = {declaration}


@hookimpl
def register_checklists():
    return [DECLARATION]


@hookimpl
def register_equipment_types():
    return DECLARATION["equipment_types"]


@hookimpl
def extra_checks(declaration, answers, enterprise):
    return [{{"path": "/", "message": "from the package"}}]
"""


def ammonia_declaration() -> dict[str, Any]:
    """A province's checklist repeating over a type the core table does not know."""
    declaration = example()
    declaration.update(
        id="bureau.360000.ammonia",
        title="涉氨制冷企业补充检查事项（测试）",
        issuer={"level": "province", "region": "360000", "name": "江西省应急管理厅"},
        applies_to={"tags": ["ammonia"]},
        equipment_types=[{"id": "ammonia_valve_station", "title": "液氨阀门站"}],
    )
    item = declaration["items"][0]
    item["id"] = "bureau.360000.ammonia.valve_station"
    item["repeat"]["equipment_type"] = "ammonia_valve_station"
    declaration["items"] = [item]
    return declaration


def test_register_checklists_from_a_package_on_the_enforcement_entry_point_group(
    tmp_path, monkeypatch
):
    module = "enforcement_test_bureau_plugin"
    (tmp_path / f"{module}.py").write_text(
        PACKAGE_MODULE.format(declaration=repr(ammonia_declaration())), encoding="utf-8"
    )
    dist_info = tmp_path / "enforcement_test_bureau_plugin-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: enforcement-test-bureau-plugin\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(f"[enforcement]\njiangxi = {module}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)
    try:
        platform = get_plugin_manager([])
    finally:
        sys.modules.pop(module, None)

    entry = platform.registry.get("bureau.360000.ammonia")
    assert entry is not None and entry.source == "package"
    assert platform.registry.equipment_types["ammonia_valve_station"] == "液氨阀门站"
    assert platform.pm.get_plugin("jiangxi") is not None
    assert [d.project_name for _, d in platform.pm.list_plugin_distinfo()] == [
        "enforcement-test-bureau-plugin"
    ]
    assert platform.registry.errors == []
    # a package may implement any hook, not only registration
    found = platform.pm.hook.extra_checks(declaration=entry.declaration, answers={}, enterprise={})
    assert [{"path": "/", "message": "from the package"}] in found


# register_equipment_types ----------------------------------------------------------------------


def write(path: Path, declaration: dict[str, Any]) -> None:
    path.write_text(json.dumps(declaration, ensure_ascii=False), encoding="utf-8")


def valve_plugins() -> tuple[dict[str, Any], dict[str, Any]]:
    """The first declares ammonia_valve_station; the second only repeats over it."""
    first = ammonia_declaration()
    second = copy.deepcopy(first)
    del second["equipment_types"]
    second["id"] = "bureau.360000.ammonia_extra"
    second["items"][0]["id"] = "bureau.360000.ammonia_extra.valve_station"
    return first, second


@pytest.mark.parametrize(
    ("first_name", "second_name"), [("a.json", "b.json"), ("b.json", "a.json")]
)
def test_register_equipment_types_lets_a_second_plugin_repeat_over_a_type_declared_only_by_the_first(
    tmp_path, first_name, second_name
):
    first, second = valve_plugins()
    write(tmp_path / first_name, first)
    write(tmp_path / second_name, second)

    platform = get_plugin_manager([str(tmp_path)], load_entry_points=False)

    assert platform.registry.errors == []
    assert platform.registry.get("bureau.360000.ammonia").source == "folder"
    assert platform.registry.get("bureau.360000.ammonia_extra").source == "folder"
    assert platform.registry.equipment_types["ammonia_valve_station"] == "液氨阀门站"


def test_register_equipment_types_of_a_plugin_published_at_run_time_serve_later_uploads():
    first, second = valve_plugins()
    platform = get_plugin_manager([], load_entry_points=False)
    text = json.dumps(second, ensure_ascii=False)
    _, errors = validate_text(text, "b.json", set(platform.registry.equipment_types))
    assert [f"{e.pointer}: {e.message}" for e in errors] == [
        "/items/0/repeat/equipment_type: 设备类型“ammonia_valve_station”未声明：请在 equipment_types 中声明"
    ]
    platform.register(ChecklistEntry(first, "uploaded", "upload:1"))  # historic: types known now
    declaration, errors = validate_text(text, "b.json", set(platform.registry.equipment_types))
    assert errors == [] and declaration == second


def test_register_equipment_types_keeps_the_first_title():
    platform = get_plugin_manager([], load_entry_points=False)

    class Renamer:
        @hookimpl
        def register_equipment_types(self) -> list[dict[str, str]]:
            return [
                {"id": "dry_dust_collector", "title": "别的名字"},
                {"id": "boiler", "title": "锅炉"},
            ]

    platform.pm.register(Renamer())
    assert platform.registry.equipment_types["dry_dust_collector"] == "干式除尘系统"
    assert platform.registry.equipment_types["boiler"] == "锅炉"


# extra_checks ----------------------------------------------------------------------------------


FACTS = {
    "id": 7,
    "name": "南昌某铝制品有限公司",
    "tags": ["dust"],
    "sector": "nonferrous",
    "region_code": "360102",
    "equipment": [
        {"id": 11, "equipment_type": "dry_dust_collector", "name": "1号除尘器"},
        {"id": 12, "equipment_type": "dry_dust_collector", "name": "2号除尘器"},
    ],
}


def test_extra_checks_results_are_concatenated_from_two_implementations():
    platform = get_plugin_manager([], load_entry_points=False)
    seen = []

    class CleaningRecordCheck:
        @hookimpl
        def extra_checks(self, declaration, answers) -> list[dict[str, str]]:  # a subset of args
            seen.append(declaration["id"])
            return [{"path": f"/{CLEANING}/answer", "message": "清扫记录与现场不符"}]

    platform.pm.register(CleaningRecordCheck())
    answers = {
        EXPLOSION: [{"equipment_id": 11, "answer": "compliant"}],
        CLEANING: {"answer": True, "evidence": {"document": ["b" * 64]}},
    }
    results = platform.pm.hook.extra_checks(
        declaration=example(), answers=answers, enterprise=FACTS
    )
    errors = [error for result in results for error in result]
    assert len(results) == 2  # one list per implementation (the later registered first)
    assert errors == [
        {"path": f"/{CLEANING}/answer", "message": "清扫记录与现场不符"},
        {"path": f"/{EXPLOSION}", "message": "设备台账中编号 12 的设备尚未检查"},
    ]
    assert seen == ["bureau.360102.dust_extra"]


# suggest_measures ------------------------------------------------------------------------------


def test_suggest_measures_default_derives_measures_and_fine_range_from_penalty_basis():
    platform = get_plugin_manager([], load_entry_points=False)
    explosion, cleaning = example()["items"]

    major = platform.pm.hook.suggest_measures(
        item=explosion, entry={"answer": "non_compliant"}, enterprise=FACTS
    )
    # 立案查处 is no longer added for the item's `severity`: only a finding that meets a major_when
    # rule is proposed for a case (services/checklists.suggestions, legal review finding 6).
    assert major["measures"] == ["order_rectification", "fine", "suspend_operation"]
    assert major["measure_labels"] == ["责令限期整改", "罚款", "责令停产停业整顿"]
    assert major["fine"] == {"max": 50000}
    assert major["basis"] == "《中华人民共和国安全生产法》第九十九条第（二）项"

    general = platform.pm.hook.suggest_measures(
        item=cleaning, entry={"answer": False}, enterprise=FACTS
    )
    # a general hazard: no case by default
    assert general["measures"] == ["order_rectification", "fine"]

    bare = copy.deepcopy(cleaning)
    bare["penalty_basis"] = {"law": "《工贸企业粉尘防爆安全规定》"}
    minimal = platform.pm.hook.suggest_measures(
        item=bare, entry={"answer": False}, enterprise=FACTS
    )
    assert (minimal["measures"], minimal["fine"]) == (["order_rectification"], None)


def test_suggest_measures_bureau_override_registered_later_wins_firstresult():
    platform = get_plugin_manager([], load_entry_points=False)
    explosion, cleaning = example()["items"]

    def discretion(fine_max: int) -> object:
        class Discretion:
            @hookimpl
            def suggest_measures(self, item, enterprise) -> dict[str, Any] | None:
                if item["id"] != EXPLOSION or not enterprise["region_code"].startswith("36"):
                    return None  # not covered: leave it to the next implementation
                return {
                    "measures": ["order_rectification", "fine"],
                    "fine": {"min": 10000, "max": fine_max},
                }

        return Discretion()

    platform.pm.register(discretion(30000), name="province")
    platform.pm.register(discretion(20000), name="county")  # registered later: asked first

    proposal = platform.pm.hook.suggest_measures(item=explosion, entry={}, enterprise=FACTS)
    assert proposal == {
        "measures": ["order_rectification", "fine"],
        "fine": {"min": 10000, "max": 20000},
    }
    default = platform.pm.hook.suggest_measures(item=cleaning, entry={}, enterprise=FACTS)
    assert (default["measures"], default["fine"]) == (
        ["order_rectification", "fine"],
        {"max": 50000},
    )
    elsewhere = platform.pm.hook.suggest_measures(
        item=explosion, entry={}, enterprise={**FACTS, "region_code": "110101"}
    )
    assert elsewhere["measures"] == ["order_rectification", "fine", "suspend_operation"]  # default


# case_transitioned -----------------------------------------------------------------------------


def test_case_transitioned_is_called_with_its_arguments():
    platform = get_plugin_manager([], load_entry_points=False)
    calls = []

    class Docking:
        @hookimpl
        def case_transitioned(self, case, action, source, target, actor) -> None:
            calls.append((case.id, action, source, target, actor))

    nobody = platform.pm.hook.case_transitioned(
        case=SimpleNamespace(id=1), action="file", source="draft", target="filed", actor="zhang"
    )
    assert nobody == []  # no core implementation yet
    platform.pm.register(Docking())
    case = SimpleNamespace(id=42, stage="investigating")
    result = platform.pm.hook.case_transitioned(
        case=case,
        action="investigate",
        source="filed",
        target="investigating",
        actor="li.inspector",
    )
    assert result == []  # return values are ignored
    assert calls == [(42, "investigate", "filed", "investigating", "li.inspector")]
    assert case.stage == "investigating"


# register_documents ----------------------------------------------------------------------------


def test_register_documents_adds_a_form_that_renders_and_rejects_an_invalid_one():
    from enforcement.documents import forms, plugin_errors
    from enforcement.documents.render import render_html

    platform = get_plugin_manager([], load_entry_points=False)
    form = {
        "code": "jx.dust_notice",
        "name": "粉尘防爆专项检查告知书",
        "stage": "现场检查",
        "to_enterprise": True,
        "number_code": "粉告",
        "fields": ["party"],
        "template": "jx/dust_notice.html",
        "implemented": True,
        "source": "江西省应急管理厅",
        "confidence": "high",
    }
    template = '{% extends "_layout.html" %}{% block body %}<p>{{ party.name }}：请配合检查。</p>{% endblock %}'

    class Province:
        @hookimpl
        def register_documents(self) -> list[dict[str, Any]]:
            bad = {**form, "code": "jx.bad", "stage": "喝茶"}
            core_clash = {**form, "code": "rectification_order", "name": "冒名文书"}
            return [
                {"form": form, "template": template},
                {"form": bad, "template": template},
                {"form": core_clash, "template": template},
            ]

    assert "jx.dust_notice" not in forms(platform.pm)
    platform.pm.register(Province(), name="jiangxi")
    catalogue = forms(platform.pm)
    added = catalogue["jx.dust_notice"]
    assert added.plugin == "jiangxi" and added.numbered
    assert "jx.bad" not in catalogue
    assert catalogue["rectification_order"].name == "责令限期整改指令书"  # the core's wins
    assert any(e.startswith("jiangxi:jx.bad: /stage") for e in plugin_errors(platform.pm))
    html = render_html(
        added, {"party": {"name": "南昌某铝制品有限公司"}, "number": "（赣东）应急粉告〔2026〕1号"}
    )
    assert "南昌某铝制品有限公司：请配合检查。" in html
    assert "粉尘防爆专项检查告知书" in html and "（赣东）应急粉告〔2026〕1号" in html
