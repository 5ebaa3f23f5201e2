"""Checklist use cases: upload → validate → preview → publish / retire; applicable forms; answers.

Writes are units of work (db/unit_of_work.py); the in-memory registry changes only once the database
change is committed, so a rolled-back publication is never offered to inspectors.

Plugin ids belong to their issuer: built-in, folder and package ids to the platform (never uploaded),
an uploaded id to the issuing region of its first upload (`ChecklistOwner`), a `bureau.<code>.` id
to region <code> even before that. Every version of an id is issued for its owner's region, so no
bureau can replace another's checklist; an id the uploader may not see is refused with one fixed
message that says nothing about it (whether it exists, its versions, its owner).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from enforcement.checklists.compiler import CompiledChecklist
from enforcement.checklists.errors import PluginError
from enforcement.checklists.loader import validate_text
from enforcement.checklists.measures import bases_on, major_finding, with_case
from enforcement.checklists.validation import validator_for
from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import after_commit, transaction
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import (
    AnswerSet,
    ChecklistOwner,
    ChecklistUpload,
    CompiledSchema,
    Enterprise,
)
from enforcement.plugins import ChecklistEntry, Platform, get_plugin_manager

_LOCK = threading.Lock()
EXTENSION = "enforcement.platform"

# The one answer to an id the uploader may not use: the same whether it exists elsewhere or not.
ID_TAKEN = "该检查事项编号已被占用，请换一个编号（建议以“bureau.本单位行政区划代码.”开头）"
PLATFORM_ID = "该编号属于内置、目录或扩展包插件，不能通过上传覆盖"
# `bureau.<six-digit region code>.…`: the naming the guide recommends, reserved for that region.
_RESERVED = re.compile(r"^bureau\.([0-9]{6})\.")


def platform_of(app: Flask | None = None) -> Platform:
    """The app's plugin platform: built on first use, with the uploaded plugins from the database."""
    app = app or current_app
    platform = app.extensions.get(EXTENSION)
    if platform is None:
        with _LOCK:
            platform = app.extensions.get(EXTENSION)
            if platform is None:
                platform = get_plugin_manager(app.config["PLUGIN_DIRS"])
                _load_uploads(app.appbuilder.session, platform)
                app.extensions[EXTENSION] = platform
    return platform


def _load_uploads(session: Session, platform: Platform) -> None:
    try:
        # Only versions issued for the id's owner: one published by another region before ids had
        # owners would otherwise replace the owner's checklist.
        uploads = session.scalars(
            select(ChecklistUpload)
            .join(ChecklistOwner, ChecklistOwner.plugin_id == ChecklistUpload.plugin_id)
            .where(
                ChecklistUpload.status.in_(["active", "retired"]),
                ChecklistUpload.scope_region.is_not_distinct_from(ChecklistOwner.region_code),
            )
        ).all()
    except (OperationalError, ProgrammingError):  # not migrated yet (CLI before `db upgrade`)
        session.rollback()
        return
    for upload in uploads:
        platform.register(_entry(upload))


def _entry(upload: ChecklistUpload) -> ChecklistEntry:
    return ChecklistEntry(
        upload.declaration, "uploaded", f"upload:{upload.id}", status=upload.status
    )


def visible_entries(platform: Platform, jurisdiction: Jurisdiction) -> list[ChecklistEntry]:
    return [e for e in platform.registry.all() if e.visible_to(jurisdiction)]


@dataclass(frozen=True)
class IdOwner:
    """Who a plugin id belongs to: the platform, or a region (None: national, a ministry issuer)."""

    platform: bool
    region: str | None = None
    claimed: bool = True  # False: reserved by its `bureau.<code>.` name, not uploaded yet


def id_owner(session: Session, platform: Platform, plugin_id: str) -> IdOwner | None:
    """The owner of a plugin id; None: nobody, the first upload claims it."""
    if any(e.id == plugin_id and e.source != "uploaded" for e in platform.registry.all()):
        return IdOwner(platform=True)
    row = session.get(ChecklistOwner, plugin_id)
    if row is not None:
        return IdOwner(platform=False, region=row.region_code)
    reserved = _RESERVED.match(plugin_id)
    if reserved:
        return IdOwner(platform=False, region=reserved.group(1), claimed=False)
    return None


def _owner_problem(
    owner: IdOwner | None, entry: ChecklistEntry, filename: str
) -> tuple[PluginError | None, bool]:
    """The refusal an id's owner implies for this upload, and whether the id is foreign (then
    nothing else about it may be checked or said: not even whether the version exists)."""
    jurisdiction = current_actor().jurisdiction
    if owner is None:
        return None, False
    if owner.platform:
        return PluginError(
            filename, "/id", PLATFORM_ID if jurisdiction.is_national else ID_TAKEN
        ), True
    if not jurisdiction.contains(owner.region):
        return PluginError(filename, "/id", ID_TAKEN), True
    if entry.scope_region != owner.region:
        # The owner lies in the uploader's jurisdiction: nothing to hide, say what is expected.
        expected = owner.region or "部级（全国）"
        return PluginError(
            filename,
            "/issuer/region",
            f"插件编号“{entry.id}”属于 {expected} 的检查事项：每个版本的发布单位行政区划都应为 "
            f"{expected}，其他单位请换一个编号",
        ), False
    return None, False


@dataclass
class UploadResult:
    upload: ChecklistUpload | None
    errors: list[PluginError]


@transaction
def upload_plugin(session: Session, platform: Platform, text: str, filename: str) -> UploadResult:
    """Validate an uploaded plugin.json and keep it as a draft; every error at once, nothing saved then.

    The first upload of an id claims it for the issuing region; later versions must come from there.
    """
    declaration, errors = validate_text(text, filename, set(platform.registry.equipment_types))
    if errors:
        return UploadResult(None, errors)
    assert declaration is not None
    actor = current_actor()
    entry = ChecklistEntry(declaration, "uploaded", filename, status="draft")
    problems = []
    if not actor.jurisdiction.is_national:
        if entry.scope_region is None or not actor.jurisdiction.contains(entry.scope_region):
            problems.append(
                PluginError(
                    filename,
                    "/issuer/region",
                    "发布单位的行政区划不在您的管辖范围内：只能发布本辖区的检查事项",
                )
            )
    owner = id_owner(session, platform, entry.id)
    problem, foreign = _owner_problem(owner, entry, filename)
    if problem is not None:
        problems.append(problem)
    if not foreign and _version_exists(session, platform, entry.id, entry.version):
        problems.append(
            PluginError(filename, "/version", f"版本 {entry.version} 已存在：修改后请提升版本号")
        )
    if problems:
        return UploadResult(None, problems)
    upload = ChecklistUpload(
        plugin_id=declaration["id"],
        version=declaration["version"],
        title=declaration["title"],
        status="draft",
        scope_region=entry.scope_region,
        declaration=declaration,
        filename=filename,
        file_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        uploaded_by=actor.username,
    )
    claim = owner is None or not owner.claimed
    try:
        # A savepoint: a concurrent upload that claimed the id or took the version first only
        # refuses this one (PostgreSQL; SQLite serialises writers anyway).
        with session.begin_nested():
            if claim:
                session.add(
                    ChecklistOwner(
                        plugin_id=entry.id,
                        region_code=entry.scope_region,
                        claimed_by=actor.username,
                    )
                )
            session.add(upload)
    except IntegrityError:
        message = ID_TAKEN if claim else f"版本 {entry.version} 已存在：修改后请提升版本号"
        return UploadResult(None, [PluginError(filename, "/id" if claim else "/version", message)])
    return UploadResult(upload, [])


def _version_exists(session: Session, platform: Platform, plugin_id: str, version: str) -> bool:
    return platform.registry.get(plugin_id, version) is not None or (
        session.scalar(
            select(ChecklistUpload.id).where(
                ChecklistUpload.plugin_id == plugin_id, ChecklistUpload.version == version
            )
        )
        is not None
    )


def may_publish(session: Session, platform: Platform, upload: ChecklistUpload) -> bool:
    """Whether the upload is issued for its id's owner (a draft of another region's id, uploaded
    before ids had owners, never is)."""
    owner = id_owner(session, platform, upload.plugin_id)
    return owner is None or (not owner.platform and owner.region == upload.scope_region)


@transaction
def publish(session: Session, platform: Platform, upload: ChecklistUpload) -> None:
    """Make a draft the active version: inspectors of the region get it at once (no restart)."""
    if upload.status != "draft":
        raise ValueError("只有草稿可以发布")
    if not may_publish(session, platform, upload):
        raise ValueError(ID_TAKEN)
    # Uploads claim their id (older ones were given owners by migration 0008): this is a safeguard.
    if session.get(ChecklistOwner, upload.plugin_id) is None:
        session.add(
            ChecklistOwner(
                plugin_id=upload.plugin_id,
                region_code=upload.scope_region,
                claimed_by=current_actor().username,
            )
        )
    upload.status = "active"
    upload.published_by = current_actor().username
    upload.published_at = dt.datetime.now().replace(microsecond=0)
    entry = _entry(upload)
    store_compiled(session, entry.compiled)
    after_commit(session, "register_checklist", lambda: platform.register(entry))


@transaction
def retire(session: Session, platform: Platform, upload: ChecklistUpload) -> None:
    """Stop offering a version for new inspections; it stays readable for the ones that used it."""
    if upload.status != "active":
        raise ValueError("只有已发布的版本可以停用")
    upload.status = "retired"
    plugin_id, version = upload.plugin_id, upload.version
    after_commit(session, "retire_checklist", lambda: platform.registry.retire(plugin_id, version))


@transaction
def store_compiled(session: Session, compiled: CompiledChecklist) -> CompiledSchema:
    row = session.get(CompiledSchema, compiled.sha256)
    if row is None:
        row = CompiledSchema(
            sha256=compiled.sha256,
            plugin_id=compiled.plugin_id,
            version=compiled.version,
            answers_schema=compiled.answers_schema,
            ui_schema=compiled.ui_schema,
        )
        session.add(row)
        session.flush()
    return row


def enterprise_facts(enterprise: Enterprise) -> dict[str, Any]:
    """The plain dict hooks and applicability rules see (no ORM objects leave the services)."""
    return {
        "id": enterprise.id,
        "name": enterprise.name,
        "tags": enterprise.tags,
        "sector": enterprise.sector,
        "region_code": enterprise.region_code,
        "equipment": [
            {"id": e.id, "equipment_type": e.equipment_type, "name": e.name}
            for e in enterprise.equipment
            if e.deleted_at is None
        ],
    }


def applicable(platform: Platform, enterprise: Enterprise) -> list[ChecklistEntry]:
    """The active checklists for this enterprise, visible in the actor's jurisdiction."""
    facts = enterprise_facts(enterprise)
    jurisdiction = current_actor().jurisdiction
    return [
        entry
        for entry in platform.registry.active().values()
        if entry.visible_to(jurisdiction) and entry.applies_to(facts)
    ]


def recorded_entry(
    platform: Platform, entry: ChecklistEntry, answer_set: AnswerSet | None
) -> ChecklistEntry:
    """The version an answer set was recorded on, though a newer one is active for new inspections."""
    if answer_set is None or answer_set.plugin_version == entry.version:
        return entry
    return platform.registry.get(entry.id, answer_set.plugin_version) or entry


def recorded_compiled(
    session: Session, entry: ChecklistEntry, answer_set: AnswerSet | None
) -> CompiledChecklist:
    """The form an answer set is pinned to (its schema hash): texts and rules as when it was begun."""
    if answer_set is None or answer_set.schema_hash == entry.compiled.sha256:
        return entry.compiled
    pinned = session.get(CompiledSchema, answer_set.schema_hash)
    if pinned is None:
        return entry.compiled
    return CompiledChecklist(
        pinned.plugin_id, pinned.version, pinned.answers_schema, pinned.ui_schema, pinned.sha256
    )


@dataclass
class SaveResult:
    answer_set: AnswerSet | None
    errors: list[dict[str, str]]


@transaction
def save_answers(
    session: Session,
    platform: Platform,
    enterprise: Enterprise,
    entry: ChecklistEntry,
    answers: dict[str, Any],
    *,
    submit: bool,
    answer_set: AnswerSet | None = None,
) -> SaveResult:
    """Save a draft as it is, or submit: validated against the compiled schema and the extra checks."""
    facts = enterprise_facts(enterprise)
    compiled = recorded_compiled(session, entry, answer_set)
    declaration = recorded_entry(platform, entry, answer_set).declaration
    if submit:
        errors = validator_for(compiled.sha256, compiled.answers_schema).errors(answers)
        if not errors:
            for found in platform.pm.hook.extra_checks(
                declaration=declaration, answers=answers, enterprise=facts
            ):
                errors.extend(found)
        if errors:
            return SaveResult(None, errors)
    store_compiled(session, compiled)
    if answer_set is None:
        answer_set = AnswerSet(
            enterprise_id=enterprise.id,
            plugin_id=compiled.plugin_id,
            plugin_version=compiled.version,
            schema_hash=compiled.sha256,
            created_by=current_actor().username,
            answers=answers,
        )
        session.add(answer_set)
    answer_set.answers = answers
    if submit:
        answer_set.status = "submitted"
        answer_set.submitted_at = dt.datetime.now().replace(microsecond=0)
    session.flush()
    return SaveResult(answer_set, [])


def suggestions(
    platform: Platform,
    entry: ChecklistEntry,
    enterprise: Enterprise,
    answers: dict[str, Any],
    on: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Proposed measures for every non-compliant answer (per equipment where the item repeats).

    Each says whether the finding is a 重大事故隐患 (`major`) and under which article
    (`major_basis`): only such findings are proposed for 立案查处. `on` (the inspection's date)
    picks the bases in force that day where an item lists `earlier_bases`.
    """
    facts = enterprise_facts(enterprise)
    out = []
    for declared in entry.declaration["items"]:
        item = bases_on(declared, on)
        given = answers.get(item["id"])
        entries = given if isinstance(given, list) else [given] if given else []
        for answer in entries:
            if answer.get("answer") in ("non_compliant", False):
                proposal = platform.pm.hook.suggest_measures(
                    item=item, entry=answer, enterprise=facts
                )
                major = major_finding(item, answer, answers)
                if major is not None:
                    proposal = with_case(proposal)
                out.append(
                    {
                        "item_id": item["id"],
                        "title": item["title"],
                        "equipment_id": answer.get("equipment_id"),
                        **proposal,
                        "major": major is not None,
                        "major_basis": major["text"] if major else None,
                    }
                )
    return out
