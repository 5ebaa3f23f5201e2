"""The cached stand-in for FAB's per-request `jsonschema.validate` behaves like the original."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask_appbuilder.api import get_list_schema

from enforcement.web.fab_speedups import CachedJsonschema

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
