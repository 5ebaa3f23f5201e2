"""The framework stand-ins behave like the originals: cached schema checks, lazily built URL builders."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask_appbuilder.api import get_list_schema
from werkzeug.routing import BuildError, Map, Rule

from enforcement.web.fab_speedups import CachedJsonschema, LazyBuilderRule

BAD_ARGUMENTS: list[Any] = [
    {"page": "first"},
    {"page_size": "many", "page": 0},
    {"order_direction": "sideways"},
    {"filters": [{"col": "name"}]},
]


@pytest.mark.parametrize("instance", BAD_ARGUMENTS)
def test_bad_list_arguments_fail_with_the_same_message_as_jsonschema(instance: Any) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(instance=instance, schema=get_list_schema)
    with pytest.raises(jsonschema.ValidationError) as cached:
        CachedJsonschema().validate(instance=instance, schema=get_list_schema)
    assert str(cached.value) == str(expected.value)


def test_good_list_arguments_pass() -> None:
    CachedJsonschema().validate(instance={"page": 0, "page_size": 50}, schema=get_list_schema)


def test_each_schema_is_checked_against_the_meta_schema_once(monkeypatch: Any) -> None:
    checks: list[Any] = []
    validator_class = jsonschema.validators.validator_for(get_list_schema)
    original = validator_class.check_schema
    monkeypatch.setattr(
        validator_class, "check_schema", classmethod(lambda cls, s: checks.append(s) or original(s))
    )
    cache = CachedJsonschema()
    for _ in range(5):
        cache.validate(instance={"page": 0}, schema=get_list_schema)
    assert len(checks) == 1


def test_an_invalid_schema_is_still_refused() -> None:
    with pytest.raises(jsonschema.SchemaError):
        CachedJsonschema().validate(instance={}, schema={"type": "no-such-type"})


ROUTES = [
    ("/enterprise/show/<pk>", {"pk": "7"}),
    (
        "/api/v1/statistics/<report>",
        {"report": "key_items", "region": "360100", "to": "2026-11-29"},
    ),
    ("/case/<int:pk>/step/<string:step>", {"pk": 12, "step": "立案"}),
    ("/library/file/<path:name>", {"name": "粉尘/GB 15577.pdf"}),
    ("/static/<path:filename>", {"filename": "a b.css", "v": "1"}),
]


@pytest.mark.parametrize(("rule", "values"), ROUTES)
def test_a_lazily_compiled_route_builds_the_same_url_as_werkzeug(
    rule: str, values: dict[str, Any]
) -> None:
    plain = Map([Rule(rule, endpoint="e")]).bind("example.org")
    lazy = Map([LazyBuilderRule(rule, endpoint="e")]).bind("example.org")
    for append_unknown in (True, False):
        expected = plain.build("e", values, append_unknown=append_unknown)
        assert lazy.build("e", values, append_unknown=append_unknown) == expected
        assert lazy.build("e", values, append_unknown=append_unknown) == expected  # compiled once


def test_a_route_missing_a_value_builds_no_url_lazily_either() -> None:
    lazy = Map([LazyBuilderRule("/case/<int:pk>", endpoint="e")]).bind("example.org")
    with pytest.raises(BuildError) as missing:
        lazy.build("e", {})
    assert "pk" in str(missing.value)
