"""How workbench values read on a Chinese page: checklists and items by title, the selection rule in
words, no "None"/"True"/"False"."""

from __future__ import annotations

from typing import Any

from flask import g

from enforcement.domain import codes, planning
from enforcement.services import checklists
from enforcement.services.reminders import people_labels
from enforcement.web.base import app_session


def checklist_titles(ids: Any) -> str:
    """检查事项 by title, not by plugin id (shown on the plan and scheme pages)."""
    registry = checklists.platform_of().registry
    titles = []
    for plugin_id in ids or []:
        entry = registry.get(plugin_id)
        titles.append(entry.declaration["title"] if entry is not None else plugin_id)
    return "；".join(titles) or "不限"


def item_titles(ids: Any) -> str:
    """检查内容 as "code title" (item ids are "<plugin>.<item>")."""
    registry = checklists.platform_of().registry
    out = []
    for item_id in ids or []:
        entry = registry.get(str(item_id).split(".", 1)[0])
        items = {i["id"]: i for i in entry.declaration["items"]} if entry is not None else {}
        item = items.get(item_id)
        out.append(f"{item.get('code') or ''} {item['title']}".strip() if item else str(item_id))
    return "；".join(out)


def selection_label(rule: Any) -> str:
    """The plan's selection rule in words (it is stored as JSON)."""
    rule = rule or {}
    tags = "、".join(codes.TAGS.get(t, t) for t in rule.get("tags") or []) or "不限"
    sectors = "、".join(codes.SECTORS.get(t, t) for t in rule.get("sectors") or []) or "不限"
    sample = rule.get("sample_size")
    parts = [
        f"专项标签：{tags}",
        f"行业：{sectors}",
        f"行政区划：{rule.get('region_code') or '不限'}",
        f"双随机抽取 {sample} 家" if sample else "符合条件的企业全部检查",
        f"每项任务 {rule.get('inspectors_per_task') or planning.MIN_INSPECTORS} 名以上执法人员",
    ]
    return "；".join(parts)


def text(value: Any) -> Any:
    """No "None", "True" or "False" on a Chinese page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def person(username: Any) -> str:
    """A login (下达人, 编制人, 审批人 …) as the person's name and post; looked up once per request."""
    if not username:
        return ""
    cache = g.setdefault("_people_labels", {})
    if username not in cache:
        cache.update(people_labels(app_session(), [str(username)]))
    return cache.get(username, str(username))
