"""执法文书: the catalogue of standard forms (data), their Jinja templates, PDF and DOCX rendering.

Nothing here touches the database: a form is rendered from one data dictionary (its *context*),
built by a context builder (`enforcement.documents.contexts`) from a record or given as a dict. The
PDF (WeasyPrint) and the DOCX (docxtpl) are made from the same HTML, so they carry the same text.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from enforcement.domain.errors import Refused

HERE = Path(__file__).resolve().parent
CATALOGUE_FILE = HERE / "catalogue.json"
TEMPLATES_DIR = HERE / "templates"
SCHEMA_NAME = "document-catalogue.schema.json"
# The 宋体-style face of official documents. The platform installs it itself (`npm ci`, package.json)
# and the PDF renderer declares it by @font-face (templates/_fonts.css), so no system font is needed;
# WeasyPrint embeds a subset of it in every PDF. See `enforcement.documents.fonts`.
FONT_FAMILY = "Noto Serif SC"
FONT_PACKAGE = "@expo-google-fonts/noto-serif-sc"


class DocumentError(Refused):
    """A document operation refused with a Chinese message for the user (422)."""


class RenderError(DocumentError):
    """The PDF could not be made (renderer crashed, timed out or lacks its font); nothing else is
    affected: the next render starts a fresh worker."""


def setting(name: str, default: Any = None) -> Any:
    """A rendering setting: the app's config (inside a request or command), else the
    ENFORCEMENT_<NAME> environment variable, else the default (scripts and tests without an app)."""
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get(name) not in (None, ""):
        return current_app.config[name]
    return os.environ.get(f"ENFORCEMENT_{name}") or default


@dataclass(frozen=True)
class FormSpec:
    """One catalogue entry (see schemas/document-catalogue.schema.json)."""

    code: str
    name: str
    stage: str
    to_enterprise: bool
    number_code: str | None
    fields: tuple[str, ...]
    template: str
    implemented: bool
    source: str
    confidence: str
    decision: bool = False
    order: int = 0
    number_confidence: str | None = None
    plugin: str | None = None  # name of the plugin that registered it (None: core)
    template_source: str | None = field(default=None, compare=False, repr=False)

    @property
    def numbered(self) -> bool:
        return bool(self.number_code)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "stage": self.stage,
            "to_enterprise": self.to_enterprise,
            "number_code": self.number_code,
            "numbered": self.numbered,
            "decision": self.decision,
        }


def _schema_path() -> Path:
    for candidate in (HERE.parents[2] / "schemas" / SCHEMA_NAME, HERE / SCHEMA_NAME):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(SCHEMA_NAME)


@functools.cache
def catalogue_schema() -> dict[str, Any]:
    return json.loads(_schema_path().read_text(encoding="utf-8"))


def validate_entry(entry: dict[str, Any]) -> list[str]:
    """Errors of one catalogue entry, as `/pointer: message` lines (empty when valid)."""
    validator = jsonschema.Draft202012Validator(catalogue_schema()["$defs"]["form"])
    return [
        f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(entry)
    ]


def _spec(entry: dict[str, Any], plugin: str | None = None, source: str | None = None) -> FormSpec:
    keys = set(FormSpec.__dataclass_fields__) - {"plugin", "template_source", "fields"}
    values = {k: v for k, v in entry.items() if k in keys}
    return FormSpec(
        **values, fields=tuple(entry.get("fields", [])), plugin=plugin, template_source=source
    )


@functools.cache
def core_catalogue() -> dict[str, Any]:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(catalogue_schema()).validate(data)
    return data


def number_pattern() -> str:
    return core_catalogue()["number_pattern"]


def forms(pm: Any = None) -> dict[str, FormSpec]:
    """Every form, core first then those of plugins (`register_documents`), in catalogue order.

    A plugin entry with a code the core already has is ignored (the core's forms are the
    national 式样); an invalid one is skipped — `plugin_errors(pm)` lists why.
    """
    result = {e["code"]: _spec(e) for e in core_catalogue()["forms"]}
    for name, entry, source in _plugin_forms(pm):
        if entry["code"] not in result and not validate_entry(entry):
            result[entry["code"]] = _spec(
                {**entry, "order": entry.get("order", 1000 + len(result))}, name, source
            )
    return dict(sorted(result.items(), key=lambda kv: kv[1].order))


def _plugin_forms(pm: Any) -> list[tuple[str, dict[str, Any], str | None]]:
    if pm is None:
        return []
    found = []
    for impl in pm.hook.register_documents.get_hookimpls():
        for item in impl.function(**{a: None for a in impl.argnames}) or []:
            found.append((impl.plugin_name, dict(item.get("form", {})), item.get("template")))
    return found


def plugin_errors(pm: Any) -> list[str]:
    errors = []
    for name, entry, _source in _plugin_forms(pm):
        errors += [f"{name}:{entry.get('code', '?')}: {e}" for e in validate_entry(entry)]
    return errors


def get_form(code: str, pm: Any = None) -> FormSpec:
    try:
        return forms(pm)[code]
    except KeyError:
        raise DocumentError(f"没有这种文书：{code}") from None
