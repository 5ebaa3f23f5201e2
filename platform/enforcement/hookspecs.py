"""The plugin hooks of the platform (pluggy), in the style of pytest's hookspec module.

Every checklist — built-in or a bureau's — is a plugin. A `plugin.json` is wrapped by one generic
adapter (`enforcement.plugins.JsonChecklistPlugin`) that implements the registration hooks; Python
packages on the entry-point group ``enforcement`` may implement any hook. Hooks are documented here
and each has a test (tests/plugins/test_hooks.py asserts both).
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "enforcement"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(historic=True)
def register_checklists() -> list[dict[str, Any]]:
    """Return checklist declarations (validated ``plugin.json`` contents) this plugin provides.

    Historic: a plugin registered while the platform runs (a bureau publishing a new version) is
    called at once and its checklists are used without a restart. Each declaration carries its
    ``id`` and ``version``; the registry keeps every version (old inspections pin theirs).
    """


@hookspec(historic=True)
def register_equipment_types() -> list[dict[str, str]]:
    """Return equipment types ``[{"id": "dry_dust_collector", "title": "干式除尘系统"}]``.

    Items with ``repeat.for_each: equipment`` are answered once per registered piece of a type;
    a type must be declared by some plugin (or the core table) before an item may repeat over it.
    """


@hookspec
def extra_checks(
    declaration: dict[str, Any], answers: dict[str, Any], enterprise: dict[str, Any]
) -> list[dict[str, str]]:
    """Cross-item rules JSON Schema cannot say; return errors ``[{"path", "message"}]``.

    Called after schema validation passed, with the enterprise as a plain dict (``id``, ``tags``,
    ``sector``, ``region_code``, ``equipment``: list of ``{"id", "equipment_type", "name"}``).
    All implementations run; their errors are concatenated.
    """


@hookspec(firstresult=True)
def suggest_measures(
    item: dict[str, Any], entry: dict[str, Any], enterprise: dict[str, Any]
) -> dict[str, Any] | None:
    """Propose 处理措施 for a failed item: the first non-None answer wins.

    Return ``{"measures": [...], "fine": {"min", "max"} | None, "basis": "…", "note": "…"}``. The
    core's default (trylast) derives it from the item's ``penalty_basis``; a bureau's discretion
    rules (自由裁量基准) override it by returning earlier.
    """


@hookspec
def case_transitioned(case: Any, action: str, source: str, target: str, actor: str) -> None:
    """Called after every transition of a case's procedure stage (立案 → … → 归档).

    For notifications and provincial docking; it must not change the case.
    """


@hookspec
def register_documents() -> list[dict[str, Any]]:
    """Return extra 执法文书 forms: ``[{"form": {catalogue entry}, "template": "<Jinja HTML>"}]``.

    The entry follows ``schemas/document-catalogue.schema.json`` (code, name, stage, 文号 code, …);
    the template extends ``_layout.html`` and fills its ``body`` block from the form's context. Asked
    each time the catalogue is read, so a plugin's forms appear with it; an invalid entry, or one
    whose code the core already has, is left out.
    """
