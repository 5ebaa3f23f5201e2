"""检查事项编辑器: drafts of a plugin declaration built in the browser, their errors, diff, publication.

A draft is saved as it is, also when invalid; its errors are those of `enforcement checklists
validate` (the loader). Publishing goes through the same path as an uploaded plugin.json
(services/checklists.py: `upload_plugin`, then `publish`), so the meta-schema, the semantic checks,
the id's owner and the region rules are applied once, in one place. Versions are identified by the
content (the declaration without its version number): publishing unchanged content is refused, and a
version number already taken is raised to the next minor version.

A province may require its approval before its cities and counties publish (ChecklistApproval, off
by default): their publication waits as 待审核 until a province user other than the draft's authors
approves it (four-eyes) or returns it with a reason; the approved diff is kept on the draft, so the
audit log records it with the approval.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.checklists.compiler import canonical_json
from enforcement.checklists.diff import diff_declarations
from enforcement.checklists.errors import PluginError
from enforcement.checklists.loader import validate_text
from enforcement.checklists.validation import validator_for
from enforcement.db.acting import current_actor
from enforcement.db.unit_of_work import transaction
from enforcement.domain.errors import Conflict, FieldError, Refused
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import (
    AnswerSet,
    ChecklistApproval,
    ChecklistDraft,
    ChecklistUpload,
)
from enforcement.models.base_data import Enterprise
from enforcement.plugins import ChecklistEntry, Platform
from enforcement.services import checklists

DRAFT_FILE = "plugin.json"
UNCHANGED = "内容与正在使用的版本相同，无需发布"
OUTSIDE = "发布单位的行政区划不在您的管辖范围内：只能发布本辖区的检查事项"
MAX_DECLARATION_BYTES = 1024 * 1024


class OutsideRegion(Refused):
    """Publishing for a region outside the caller's jurisdiction: 403."""

    status = 403


def content_hash(declaration: Any) -> str:
    """What identifies a version's content: the declaration without its version number."""
    if isinstance(declaration, dict):
        declaration = {k: v for k, v in declaration.items() if k != "version"}
    return hashlib.sha256(canonical_json(declaration).encode("utf-8")).hexdigest()


def declaration_errors(platform: Platform, declaration: Any) -> list[dict[str, Any]]:
    """The loader's errors for a declaration, exactly as `enforcement checklists validate` lists them."""
    text = json.dumps(declaration, ensure_ascii=False)
    errors = validate_text(text, DRAFT_FILE, set(platform.registry.equipment_types))[1]
    return [error.as_dict() for error in errors]


def _draft_region(declaration: Any) -> str:
    """The bureau a new draft belongs to: the caller's region; a national user's, the issuer's."""
    jurisdiction = current_actor().jurisdiction
    if jurisdiction.region_code is not None:
        return jurisdiction.region_code
    issuer = declaration.get("issuer") if isinstance(declaration, dict) else None
    region = issuer.get("region") if isinstance(issuer, dict) else None
    return region if isinstance(region, str) and len(region) == 6 and region.isdigit() else "000000"


def _check_size(declaration: Any) -> None:
    if not isinstance(declaration, dict):
        raise Refused(FieldError("/declaration", "declaration 应为 JSON 对象"))
    if len(json.dumps(declaration, ensure_ascii=False).encode("utf-8")) > MAX_DECLARATION_BYTES:
        raise Refused(FieldError("/declaration", "检查事项超过 1 MB，请拆分为多个检查事项"))


def _describe(draft: ChecklistDraft, declaration: dict[str, Any]) -> None:
    plugin_id, title = declaration.get("id"), declaration.get("title")
    draft.plugin_id = plugin_id[:120] if isinstance(plugin_id, str) else None
    draft.title = title[:200] if isinstance(title, str) else None
    draft.content_sha256 = content_hash(declaration)


@transaction
def create_draft(session: Session, declaration: Any) -> ChecklistDraft:
    """Keep a declaration as a new draft, valid or not."""
    _check_size(declaration)
    actor = current_actor()
    draft = ChecklistDraft(
        region_code=_draft_region(declaration),
        declaration=declaration,
        revision=1,
        status="draft",
        created_by=actor.username,
        updated_by=actor.username,
    )
    _describe(draft, declaration)
    session.add(draft)
    session.flush()
    return draft


@transaction
def update_draft(
    session: Session, draft: ChecklistDraft, declaration: Any, revision: Any
) -> ChecklistDraft:
    """Replace the declaration when `revision` is the draft's current one (else 409: reload)."""
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise Refused(FieldError("/version", "请提供草稿的版本号 version（整数）"))
    if revision != draft.revision:
        raise Conflict(
            FieldError(
                "/version",
                f"草稿已被他人或另一窗口修改，请重新打开后再编辑（当前版本 {draft.revision}）",
            )
        )
    _check_size(declaration)
    draft.declaration = declaration
    draft.revision += 1
    draft.updated_by = current_actor().username
    if draft.status in ("pending", "returned", "published"):
        draft.status = "draft"  # an edited draft is no longer the one submitted or published
    _describe(draft, declaration)
    session.flush()
    return draft


def active_entry(platform: Platform, plugin_id: Any) -> ChecklistEntry | None:
    """The active version of the draft's plugin id, when the caller may see it."""
    if not isinstance(plugin_id, str):
        return None
    entry = platform.registry.get(plugin_id)
    if entry is None or not entry.visible_to(current_actor().jurisdiction):
        return None
    return entry


def used_items(session: Session, plugin_id: str) -> set[str]:
    """Item ids that recorded inspections (in the caller's region) of this plugin answered."""
    used: set[str] = set()
    for answers in session.scalars(
        select(AnswerSet.answers).where(AnswerSet.plugin_id == plugin_id)
    ):
        if isinstance(answers, dict):
            used.update(answers)
    return used


def draft_diff(session: Session, platform: Platform, draft: ChecklistDraft) -> dict[str, Any]:
    declaration = draft.declaration if isinstance(draft.declaration, dict) else {}
    active = active_entry(platform, draft.plugin_id)
    before = active.declaration if active is not None else None
    used = used_items(session, draft.plugin_id) if active is not None and draft.plugin_id else set()
    diff = diff_declarations(before, declaration, used)
    diff["needs_publishing"] = before is None or content_hash(before) != draft.content_sha256
    return diff


def needs_publishing(platform: Platform, draft: ChecklistDraft) -> bool:
    active = active_entry(platform, draft.plugin_id)
    return active is None or content_hash(active.declaration) != draft.content_sha256


def plugin_json(draft: ChecklistDraft) -> str:
    """The declaration as a plugin.json file (what `enforcement checklists validate` reads)."""
    return json.dumps(draft.declaration, ensure_ascii=False, indent=2) + "\n"


# -- approval -----------------------------------------------------------------------------------


def province_of(region: str) -> str:
    return region[:2] + "0000"


def approval_setting(session: Session, province: str) -> bool:
    row = session.get(ChecklistApproval, province)
    return bool(row and row.required)


def approval_required(session: Session, region: str | None) -> bool:
    """Whether the province of `region` requires its approval (a province's own sets do not)."""
    if not region or region.endswith("0000"):
        return False
    return approval_setting(session, province_of(region))


@transaction
def set_approval(session: Session, province: str, required: bool) -> ChecklistApproval:
    """A province (or a national user) turns its approval of city and county checklists on or off."""
    if len(province) != 6 or not province.isdigit() or not province.endswith("0000"):
        raise Refused(FieldError("/region", "请指定省级行政区划代码（以 0000 结尾）"))
    jurisdiction = current_actor().jurisdiction
    if not (jurisdiction.is_national or jurisdiction.region_code == province):
        raise OutsideRegion(FieldError("/region", "只有省级应急管理部门可以设置本省的审核要求"))
    row = session.get(ChecklistApproval, province)
    if row is None:
        row = ChecklistApproval(region_code=province, required=required)
        session.add(row)
    row.required = required
    row.updated_by = current_actor().username
    session.flush()
    return row


def _authors(draft: ChecklistDraft) -> set[str]:
    return {name for name in (draft.created_by, draft.updated_by, draft.submitted_by) if name}


def _may_approve(draft: ChecklistDraft) -> bool:
    jurisdiction = current_actor().jurisdiction
    return jurisdiction.is_national or jurisdiction.region_code == province_of(draft.region_code)


def may_review(draft: ChecklistDraft) -> bool:
    """Whether the caller may approve or return this draft now (a province user, not its author)."""
    return (
        draft.status == "pending"
        and _may_approve(draft)
        and current_actor().username not in _authors(draft)
    )


# -- publishing ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What publishing did: "published" (with the version) or "pending" (待审核)."""

    status: str
    plugin_id: str
    version: str | None = None
    upload_id: int | None = None


def _issuer_region(declaration: dict[str, Any]) -> str | None:
    issuer = declaration["issuer"]
    return None if issuer["level"] == "ministry" else issuer.get("region")


def _checked(session: Session, platform: Platform, draft: ChecklistDraft) -> dict[str, Any]:
    """The draft's declaration when it may be published now; else Refused (422) / OutsideRegion."""
    errors = declaration_errors(platform, draft.declaration)
    if errors:
        raise Refused([FieldError(e["path"], e["message"]) for e in errors])
    declaration: dict[str, Any] = draft.declaration
    jurisdiction = current_actor().jurisdiction
    region = _issuer_region(declaration)
    if not jurisdiction.is_national and (region is None or not jurisdiction.contains(region)):
        raise OutsideRegion(FieldError("/issuer/region", OUTSIDE))
    if not needs_publishing(platform, draft):
        raise Refused(FieldError("/", UNCHANGED))
    return declaration


def _version_taken(session: Session, platform: Platform, plugin_id: str, version: str) -> bool:
    return platform.registry.get(plugin_id, version) is not None or (
        session.scalar(
            select(ChecklistUpload.id).where(
                ChecklistUpload.plugin_id == plugin_id, ChecklistUpload.version == version
            )
        )
        is not None
    )


def _free_version(session: Session, platform: Platform, plugin_id: str, version: str) -> str:
    """`version` if it is free, else the next minor version above every taken one."""
    if not _version_taken(session, platform, plugin_id, version):
        return version
    taken = [e.version for e in platform.registry.all() if e.id == plugin_id]
    taken += list(
        session.scalars(
            select(ChecklistUpload.version).where(ChecklistUpload.plugin_id == plugin_id)
        )
    )
    major, minor = max(tuple(int(p) for p in v.split(".")) for v in [*taken, version])[:2]
    return f"{major}.{minor + 1}.0"


def _publish_now(
    session: Session, platform: Platform, draft: ChecklistDraft, declaration: dict[str, Any]
) -> Outcome:
    version = _free_version(session, platform, declaration["id"], declaration["version"])
    if version != declaration["version"]:
        declaration = {**declaration, "version": version}
        draft.declaration = declaration
    text = json.dumps(declaration, ensure_ascii=False, indent=2)
    result = checklists.upload_plugin(session, platform, text, f"编辑器草稿 {draft.id}")
    if result.errors:
        raise Refused([_field_error(e) for e in result.errors])
    upload = result.upload
    assert upload is not None
    checklists.publish(session, platform, upload)
    draft.status = "published"
    draft.published_version = version
    draft.published_sha256 = draft.content_sha256
    draft.published_upload_id = upload.id
    session.flush()
    return Outcome("published", declaration["id"], version, upload.id)


def _field_error(error: PluginError) -> FieldError:
    return FieldError(error.pointer or "/", error.message)


@transaction
def publish_draft(session: Session, platform: Platform, draft: ChecklistDraft) -> Outcome:
    """Publish now, or submit for the province's approval where it requires one."""
    declaration = _checked(session, platform, draft)
    jurisdiction = current_actor().jurisdiction
    region = _issuer_region(declaration)
    own_province = jurisdiction.is_national or (
        jurisdiction.region_code is not None and jurisdiction.region_code.endswith("0000")
    )
    if not own_province and approval_required(session, region):
        if draft.status != "pending":
            draft.status = "pending"
            draft.submitted_by = current_actor().username
            draft.submitted_at = dt.datetime.now().replace(microsecond=0)
            draft.review_reason = None
            session.flush()
        return Outcome("pending", declaration["id"])
    return _publish_now(session, platform, draft, declaration)


@transaction
def approve(session: Session, platform: Platform, draft: ChecklistDraft) -> Outcome:
    """The province approves a 待审核 draft (not one it wrote): published, the diff kept on record."""
    if draft.status != "pending":
        raise Refused(FieldError("/status", "只有待审核的草稿可以审核"))
    if not _may_approve(draft):
        raise OutsideRegion(FieldError("/", "只有省级应急管理部门可以审核本省的检查事项"))
    if current_actor().username in _authors(draft):
        raise Refused(FieldError("/", "审核人不能是草稿的编写人或提交人（双人审核）"))
    declaration = _checked(session, platform, draft)
    draft.review_diff = draft_diff(session, platform, draft)
    draft.reviewed_by = current_actor().username
    draft.reviewed_at = dt.datetime.now().replace(microsecond=0)
    draft.review_reason = None
    return _publish_now(session, platform, draft, declaration)


@transaction
def return_draft(session: Session, platform: Platform, draft: ChecklistDraft, reason: Any) -> None:
    """The province returns a 待审核 draft with its reason; the bureau edits and submits again."""
    if draft.status != "pending":
        raise Refused(FieldError("/status", "只有待审核的草稿可以退回"))
    if not _may_approve(draft):
        raise OutsideRegion(FieldError("/", "只有省级应急管理部门可以审核本省的检查事项"))
    if current_actor().username in _authors(draft):
        raise Refused(FieldError("/", "审核人不能是草稿的编写人或提交人（双人审核）"))
    if not isinstance(reason, str) or not reason.strip():
        raise Refused(FieldError("/reason", "请填写退回原因"))
    draft.status = "returned"
    draft.review_diff = draft_diff(session, platform, draft)
    draft.review_reason = reason.strip()[:2000]
    draft.reviewed_by = current_actor().username
    draft.reviewed_at = dt.datetime.now().replace(microsecond=0)
    session.flush()


# -- trying a draft out ---------------------------------------------------------------------------


def draft_entry(platform: Platform, draft: ChecklistDraft) -> ChecklistEntry:
    """The draft as the registry would hold it (Refused while it has errors)."""
    errors = declaration_errors(platform, draft.declaration)
    if errors:
        raise Refused([FieldError(e["path"], e["message"]) for e in errors])
    return ChecklistEntry(draft.declaration, "uploaded", f"draft:{draft.id}", status="draft")


def dry_run(
    session: Session,
    platform: Platform,
    draft: ChecklistDraft,
    enterprise: Enterprise,
    answers: Any,
) -> dict[str, Any]:
    """Validate answers for an enterprise of the bureau as a submission would, and propose measures.

    Nothing is saved: the answers' errors (the server's validation) and what `suggest_measures`
    proposes for the non-compliant answers.
    """
    if not isinstance(answers, dict):
        raise Refused(FieldError("/answers", "answers 应为 JSON 对象"))
    entry = draft_entry(platform, draft)
    compiled = entry.compiled
    errors = validator_for(compiled.sha256, compiled.answers_schema).errors(answers)
    facts = checklists.enterprise_facts(enterprise)
    if not errors:
        for found in platform.pm.hook.extra_checks(
            declaration=entry.declaration, answers=answers, enterprise=facts
        ):
            errors.extend(found)
    return {
        "errors": errors,
        "applies": entry.applies_to(facts),
        "suggestions": checklists.suggestions(platform, entry, enterprise, answers),
    }


def visible_region(draft: ChecklistDraft) -> bool:
    """Belt and braces over the session's scoping: the draft lies in the caller's jurisdiction."""
    jurisdiction: Jurisdiction = current_actor().jurisdiction
    return jurisdiction.contains(draft.region_code)
