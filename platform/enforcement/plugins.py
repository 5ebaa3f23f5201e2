"""The plugin manager factory and the checklist registry (no module-level manager).

Sources, in order: the built-in ``plugins/`` folder, folders named by ``ENFORCEMENT_PLUGIN_DIRS``,
plugins uploaded through the admin pages (stored in the database, added by the web layer), and
Python packages on the entry-point group ``enforcement``. Built-ins take no special path: each
``plugin.json`` is wrapped by the same ``JsonChecklistPlugin`` as a bureau's file.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from enforcement import hookspecs
from enforcement.checklists.compiler import CompiledChecklist, compile_plugin
from enforcement.checklists.errors import PluginError, PluginInvalid
from enforcement.checklists.loader import load_file
from enforcement.domain import codes
from enforcement.domain.jurisdiction import Jurisdiction

hookimpl = hookspecs.hookimpl


@dataclass
class ChecklistEntry:
    """One version of one checklist, as the registry knows it."""

    declaration: dict[str, Any]
    source: str  # builtin | folder | uploaded | package
    location: str
    status: str = "active"  # draft | active | retired
    hooks: list[str] = field(default_factory=list)
    _compiled: CompiledChecklist | None = None

    @property
    def id(self) -> str:
        return self.declaration["id"]

    @property
    def version(self) -> str:
        return self.declaration["version"]

    @property
    def scope_region(self) -> str | None:
        """The issuing bureau's region: only its subtree sees the plugin (None: national)."""
        issuer = self.declaration["issuer"]
        return None if issuer["level"] == "ministry" else issuer.get("region")

    @property
    def compiled(self) -> CompiledChecklist:
        if self._compiled is None:
            self._compiled = compile_plugin(self.declaration)
        return self._compiled

    def visible_to(self, jurisdiction: Jurisdiction) -> bool:
        """A bureau's plugin is seen inside its region and by national users, never by neighbours."""
        if self.scope_region is None or jurisdiction.is_national:
            return not jurisdiction.denied
        return jurisdiction.contains(self.scope_region) or Jurisdiction(self.scope_region).contains(
            jurisdiction.region_code
        )

    def applies_to(self, enterprise: dict[str, Any]) -> bool:
        """Which enterprises the checklist is for: tags, sectors, equipment, and the issuer's region."""
        rule = self.declaration.get("applies_to", {})
        if self.scope_region and not Jurisdiction(self.scope_region).contains(
            enterprise.get("region_code")
        ):
            return False
        if rule.get("all_enterprises"):
            return True
        tags, sectors, types = (
            rule.get("tags", []),
            rule.get("sectors", []),
            rule.get("equipment_types", []),
        )
        if not (tags or sectors or types):
            return True
        have_types = {e["equipment_type"] for e in enterprise.get("equipment", [])}
        return (
            bool(set(tags) & set(enterprise.get("tags", [])))
            or enterprise.get("sector") in sectors
            or bool(set(types) & have_types)
        )


class ChecklistRegistry:
    """Every known version of every checklist, and the equipment types they may repeat over."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], ChecklistEntry] = {}
        self.equipment_types: dict[str, str] = dict(codes.EQUIPMENT_TYPES)
        self.errors: list[PluginError] = []

    def add(self, entry: ChecklistEntry) -> None:
        self._entries[(entry.id, entry.version)] = entry

    def add_equipment_types(self, types: Iterable[dict[str, str]]) -> None:
        for equipment_type in types:
            self.equipment_types.setdefault(equipment_type["id"], equipment_type["title"])

    def all(self) -> list[ChecklistEntry]:
        return sorted(self._entries.values(), key=lambda e: (e.id, _version_key(e.version)))

    def get(self, plugin_id: str, version: str | None = None) -> ChecklistEntry | None:
        if version is not None:
            return self._entries.get((plugin_id, version))
        return self.active().get(plugin_id)

    def active(self) -> dict[str, ChecklistEntry]:
        """The newest active version of each checklist."""
        newest: dict[str, ChecklistEntry] = {}
        for entry in self.all():
            if entry.status == "active":
                newest[entry.id] = entry
        return newest

    def retire(self, plugin_id: str, version: str) -> None:
        entry = self._entries.get((plugin_id, version))
        if entry is not None:
            entry.status = "retired"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class JsonChecklistPlugin:
    """The one adapter from a validated plugin.json to pluggy hooks (built-ins and bureaus alike)."""

    def __init__(self, entry: ChecklistEntry) -> None:
        self.entry = entry

    @hookimpl
    def register_checklists(self) -> list[dict[str, Any]]:
        return [self.entry.declaration]

    @hookimpl
    def register_equipment_types(self) -> list[dict[str, str]]:
        return list(self.entry.declaration.get("equipment_types", []))


class DefaultHooks:
    """The core's own behaviour, shipped as a plugin through the same hooks (datasette style)."""

    @hookimpl(trylast=True)
    def suggest_measures(
        self, item: dict[str, Any], entry: dict[str, Any], enterprise: dict[str, Any]
    ) -> dict[str, Any]:
        from enforcement.checklists.measures import default_measures

        return default_measures(item)

    @hookimpl
    def extra_checks(
        self, declaration: dict[str, Any], answers: dict[str, Any], enterprise: dict[str, Any]
    ) -> list[dict[str, str]]:
        from enforcement.checklists.measures import equipment_coverage_errors

        return equipment_coverage_errors(declaration, answers, enterprise)


def builtin_plugins_dir() -> Path:
    """`plugins/` of a checkout, or the copy shipped inside the wheel."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "plugins", here.parent / "data" / "plugins"):
        if candidate.is_dir() and any(candidate.glob("*/plugin.json")):
            return candidate
    return here.parents[2] / "plugins"


@dataclass
class Platform:
    """What `get_plugin_manager` builds: the pluggy manager and the registry it feeds."""

    pm: pluggy.PluginManager
    registry: ChecklistRegistry
    load_seconds: float = 0.0

    def register(self, entry: ChecklistEntry) -> None:
        """Add a checklist at run time (an uploaded plugin published): historic hooks fire at once."""
        self.registry.add(
            entry
        )  # before pluggy calls the historic hook, so it is not seen as a package
        self.pm.register(
            JsonChecklistPlugin(entry), name=f"{entry.source}:{entry.id}@{entry.version}"
        )

    def accept_declarations(self, declarations: list[dict[str, Any]]) -> None:
        """Historic callback of register_checklists: keep declarations from Python packages."""
        from enforcement.checklists.loader import schema_errors, semantic_errors

        for declaration in declarations or []:
            key = (declaration.get("id"), declaration.get("version"))
            if self.registry.get(*key) is not None:  # type: ignore[arg-type]
                continue
            name = f"package:{key[0]}"
            errors = schema_errors(declaration, name) or semantic_errors(
                declaration, name, set(self.registry.equipment_types)
            )
            if errors:
                self.registry.errors.extend(errors)
                continue
            self.registry.add(ChecklistEntry(declaration, "package", name))

    def hook_names(self, entry: ChecklistEntry) -> list[str]:
        plugin = self.pm.get_plugin(f"{entry.source}:{entry.id}@{entry.version}")
        if plugin is None:
            return []
        return sorted(hook.name for hook in self.pm.get_hookcallers(plugin) or [])


def _folder_entries(folder: Path, source: str, registry: ChecklistRegistry) -> list[ChecklistEntry]:
    entries = []
    # A folder holds plugin files directly (bureau drops a .json) or one sub-folder per plugin;
    # a sub-folder keeps its earlier published versions in versions/, loaded as retired
    # (inspections recorded on them are finished and shown with their own texts and rules).
    pending = (
        sorted(folder.glob("*/plugin.json"))
        + sorted(folder.glob("*/versions/*.json"))
        + sorted(folder.glob("*.json"))
    )
    failed: dict[Path, list[PluginError]] = {}
    # Again while progress is made: a file may repeat over a type that a later file declares.
    while pending:
        failed = {}
        for path in pending:
            try:
                declaration = load_file(path, set(registry.equipment_types))
            except PluginInvalid as exc:
                failed[path] = exc.errors
                continue
            registry.add_equipment_types(declaration.get("equipment_types", []))
            # a superseded version is kept for what was recorded on it, not offered for new work
            status = "retired" if path.parent.name == "versions" else "active"
            entries.append(ChecklistEntry(declaration, source, str(path), status=status))
        pending = list(failed) if len(failed) < len(pending) else []
    for errors in failed.values():
        registry.errors.extend(errors)  # a bad file never stops the others
    return entries


def get_plugin_manager(plugin_dirs: Iterable[str] = (), load_entry_points: bool = True) -> Platform:
    """Build a fresh manager: hook specs, the core defaults, built-ins, bureau folders, packages."""
    started = time.perf_counter()
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    registry = ChecklistRegistry()
    platform = Platform(pm, registry)
    pm.register(DefaultHooks(), name="core")
    # Equipment types first, so that items may repeat over a type another plugin declares.
    pm.hook.register_equipment_types.call_historic(result_callback=registry.add_equipment_types)
    pm.hook.register_checklists.call_historic(result_callback=platform.accept_declarations)
    folders = [(builtin_plugins_dir(), "builtin")] + [(Path(d), "folder") for d in plugin_dirs]
    entries: list[ChecklistEntry] = []
    for folder, source in folders:
        if folder.is_dir():
            for entry in _folder_entries(folder, source, registry):
                registry.add_equipment_types(entry.declaration.get("equipment_types", []))
                entries.append(entry)
    for entry in entries:
        platform.register(entry)
    if load_entry_points:
        pm.load_setuptools_entrypoints(hookspecs.PROJECT)
    platform.load_seconds = time.perf_counter() - started
    return platform
