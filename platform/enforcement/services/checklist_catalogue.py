"""What a builder picks from and what is in force: the laws the platform knows, and the checklists in
force for the caller's region with their issuers and how many inspections used each version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.models import AnswerSet, ChecklistUpload, LibraryEntry
from enforcement.plugins import Platform
from enforcement.services import checklists


def sets_in_force(session: Session, platform: Platform) -> list[dict[str, Any]]:
    """The checklists in force for the caller's region: who issued them, since when, and how many
    inspections (in the caller's region) used each of their versions."""
    used: dict[tuple[str, str], int] = {}
    for plugin_id, version, count in session.execute(
        select(AnswerSet.plugin_id, AnswerSet.plugin_version, func.count(AnswerSet.id)).group_by(
            AnswerSet.plugin_id, AnswerSet.plugin_version
        )
    ):
        used[(plugin_id, version)] = count
    since = dict(
        session.execute(
            select(ChecklistUpload.id, ChecklistUpload.published_at).where(
                ChecklistUpload.status.in_(["active", "retired"])
            )
        ).all()
    )
    jurisdiction = current_actor().jurisdiction
    rows = []
    for entry in platform.registry.active().values():
        if not entry.visible_to(jurisdiction):
            continue
        versions = [e for e in platform.registry.all() if e.id == entry.id]
        upload_id = (
            int(entry.location.split(":", 1)[1]) if entry.location.startswith("upload:") else None
        )
        rows.append(
            {
                "id": entry.id,
                "title": entry.declaration["title"],
                "version": entry.version,
                "issuer": entry.declaration["issuer"]["name"],
                "since": since.get(upload_id) if upload_id is not None else None,
                "builtin": entry.source != "uploaded",
                "uses": [
                    {"version": e.version, "inspections": used.get((e.id, e.version), 0)}
                    for e in versions
                ],
            }
        )
    return rows


# The library collections whose titles a 违法依据 / 处罚依据 may cite.
LAW_COLLECTIONS = ("laws", "rules", "standards")


def known_laws(session: Session, platform: Platform) -> list[dict[str, Any]]:
    """The laws a builder may pick from: the library's catalogue (in force, visible to the caller)
    and the bases the visible plugins cite, each with the articles cited so far."""
    articles: dict[str, set[str]] = {}
    for entry in checklists.visible_entries(platform, current_actor().jurisdiction):
        for item in entry.declaration["items"]:
            for basis in [*item.get("legal_basis", []), item.get("penalty_basis", {})]:
                law = basis.get("law")
                if law:
                    cited = articles.setdefault(law, set())
                    if basis.get("article"):
                        cited.add(basis["article"])
    rows = session.execute(
        select(LibraryEntry.title, LibraryEntry.number)
        .where(LibraryEntry.collection.in_(LAW_COLLECTIONS), LibraryEntry.status == "current")
        .order_by(LibraryEntry.title)
        .limit(2000)
    )
    for title, number in rows:
        name = title if title.startswith("《") else f"《{title}》"
        if number and number not in name:
            name = f"{name}({number})"
        articles.setdefault(name, set())
    return [
        {"law": law, "articles": sorted(cited, key=_article_order)}
        for law, cited in sorted(articles.items())
    ]


_NUMERALS = {c: n for n, c in enumerate("零一二三四五六七八九")}


def _article_order(article: str) -> tuple[int, str]:
    """第十二条 before 第一百零二条: the Chinese numeral's value, then the text."""
    value, current = 0, 0
    for char in article:
        if char in _NUMERALS:
            current = _NUMERALS[char]
        elif char in "十百千":
            value += (current or 1) * {"十": 10, "百": 100, "千": 1000}[char]
            current = 0
    return value + current, article
