"""Two costs of the framework, paid where they are needed instead of on every request or start.

**URL builders.** Werkzeug compiles two Python functions per route (generated code, `compile()`)
the moment the route is added, for `url_for`. FAB registers some 350 routes, so building an app cost
0.2–0.4 s in that alone, for every web worker and CLI command, although a process builds URLs for a
few dozen of them. `LazyBuilderRule` compiles a route's builder the first time it builds a URL.

**Schema checks.** Flask-AppBuilder's REST decorator re-checks its own constant argument schemas on
every request.

`flask_appbuilder.api.rison` calls `jsonschema.validate(instance, schema)`, which validates the
*schema* against the JSON Schema meta-schema before validating the instance: about a third of the
time of a 50-row API list here. The stand-in below keeps the same behaviour (same errors, same
best-match message) but checks each schema once and reuses its validator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_appbuilder.api
import jsonschema
from jsonschema.exceptions import best_match
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A route whose URL builders are compiled on first use (the same functions, later)."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: Callable[..., tuple[str, str]] | None = None

        def build(*args: Any, **kwargs: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(self, append_unknown)
            return compiled(*args, **kwargs)

        return build


class CachedJsonschema:
    """The part of the `jsonschema` module FAB's API package uses: `validate` and `ValidationError`."""

    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        # id(schema) -> (schema, validator); the schema is kept so its id cannot be reused.
        self._validators: dict[int, tuple[Any, Any]] = {}

    def validator(self, schema: Any) -> Any:
        cached = self._validators.get(id(schema))
        if cached is None or cached[0] is not schema:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            cached = (schema, cls(schema))
            self._validators[id(schema)] = cached
        return cached[1]

    def validate(self, instance: Any, schema: Any) -> None:
        error = best_match(self.validator(schema).iter_errors(instance))
        if error is not None:
            raise error


def install() -> None:
    if not isinstance(flask_appbuilder.api.jsonschema, CachedJsonschema):
        flask_appbuilder.api.jsonschema = CachedJsonschema()  # type: ignore[assignment]
