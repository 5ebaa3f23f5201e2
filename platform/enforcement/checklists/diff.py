"""The difference between two versions of a plugin declaration, as a bureau reads it.

Items are matched by id (never by position), so a reorder is a move, not a removal and an addition.
Each changed item lists its changed leaves by JSON pointer with the value before and after (wording
side by side). Breaking changes are named: an answer type changed, a choice removed, an item removed
that recorded inspections used. One pass over each item: a 1,000-item set diffs well under a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from enforcement.checklists.errors import pointer

# The labels a bureau reads beside a changed field (the last key of its path).
FIELD_LABELS = {
    "title": "名称",
    "content": "检查内容",
    "method": "检查方法",
    "section": "分组",
    "severity": "隐患等级",
    "answer": "答题方式",
    "type": "题型",
    "enum": "选项",
    "follow_ups": "追问",
    "evidence": "照片和材料",
    "legal_basis": "违法依据",
    "penalty_basis": "处罚依据",
    "major_when": "重大事故隐患判定",
    "repeat": "逐设备检查",
    "when": "条件",
    "law": "法律法规",
    "article": "条",
    "clause": "款",
    "item": "项",
    "measures": "处理措施",
    "fine": "罚款",
    "caption": "说明",
    "min": "最少",
    "max": "最多",
    "code": "序号",
    "issuer": "发布单位",
    "applies_to": "适用范围",
    "description": "说明",
    "equipment_types": "设备类型",
}


def _leaves(before: Any, after: Any, path: list[Any], out: list[dict[str, Any]]) -> None:
    """Every changed leaf: objects key by key, lists index by index (a longer list adds leaves)."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in list(before) + [k for k in after if k not in before]:
            _leaves(before.get(key, _MISSING), after.get(key, _MISSING), [*path, key], out)
        return
    if isinstance(before, list) and isinstance(after, list) and _all_objects(before, after):
        for index in range(max(len(before), len(after))):
            _leaves(
                before[index] if index < len(before) else _MISSING,
                after[index] if index < len(after) else _MISSING,
                [*path, index],
                out,
            )
        return
    label_key = next((p for p in reversed(path) if isinstance(p, str)), "")
    out.append(
        {
            "path": pointer(path),
            "label": FIELD_LABELS.get(label_key, label_key),
            "before": None if before is _MISSING else before,
            "after": None if after is _MISSING else after,
        }
    )


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _all_objects(*lists: list[Any]) -> bool:
    return all(isinstance(value, dict) for values in lists for value in values)


def _choices(answer: dict[str, Any]) -> list[Any]:
    return list(answer.get("enum") or answer.get("items", {}).get("enum") or [])


def _answer_breaks(
    item_id: str, where: str, before: dict[str, Any], after: dict[str, Any]
) -> list[dict[str, Any]]:
    out = []
    if (before.get("type"), before.get("format")) != (after.get("type"), after.get("format")):
        out.append(
            {
                "item_id": item_id,
                "kind": "answer_type",
                "path": where,
                "message": "答题方式已改变：按旧版本填写的答案不再适用",
            }
        )
    else:
        removed = [c for c in _choices(before) if c not in _choices(after)]
        if removed:
            out.append(
                {
                    "item_id": item_id,
                    "kind": "choice_removed",
                    "path": where,
                    "message": "删除了选项：" + "、".join(str(c) for c in removed),
                    "choices": removed,
                }
            )
    return out


def _breaking(item_id: str, before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    out = _answer_breaks(item_id, "/answer", before["answer"], after["answer"])
    if before.get("repeat") != after.get("repeat"):
        out.append(
            {
                "item_id": item_id,
                "kind": "repeat_changed",
                "path": "/repeat",
                "message": "逐设备检查的设置已改变：按旧版本填写的答案不再适用",
            }
        )
    new_follow_ups = {f["id"]: f for f in after.get("follow_ups", [])}
    for follow_up in before.get("follow_ups", []):
        now = new_follow_ups.get(follow_up["id"])
        if now is not None:
            out += _answer_breaks(
                item_id,
                f"/follow_ups/{follow_up['id']}/answer",
                follow_up["answer"],
                now["answer"],
            )
    return out


def diff_declarations(
    before: dict[str, Any] | None, after: dict[str, Any], used_items: Iterable[str] = ()
) -> dict[str, Any]:
    """What changes from `before` (None: nothing published yet) to `after`.

    `used_items`: item ids that recorded inspections of the earlier versions answered; removing one
    of them is a breaking change.
    """
    used = set(used_items)
    old_items = {i.get("id"): i for i in (before or {}).get("items", []) if isinstance(i, dict)}
    new_items = [i for i in after.get("items", []) if isinstance(i, dict)]
    new_ids = {i.get("id") for i in new_items}
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    breaking: list[dict[str, Any]] = []
    old_order = [key for key in old_items if key in new_ids]
    new_order = [i.get("id") for i in new_items if i.get("id") in old_items]
    for index, item in enumerate(new_items):
        item_id = item.get("id")
        old = old_items.get(item_id)
        if old is None:
            added.append({"id": item_id, "title": item.get("title"), "index": index})
            continue
        if old == item:
            continue
        fields: list[dict[str, Any]] = []
        _leaves(old, item, [], fields)
        changed.append({"id": item_id, "title": item.get("title"), "fields": fields})
        if isinstance(old.get("answer"), dict) and isinstance(item.get("answer"), dict):
            breaking += _breaking(item_id, old, item)
    removed = []
    for item_id, old in old_items.items():
        if item_id in new_ids:
            continue
        was_used = item_id in used
        removed.append({"id": item_id, "title": old.get("title"), "used": was_used})
        if was_used:
            breaking.append(
                {
                    "item_id": item_id,
                    "kind": "used_item_removed",
                    "path": "",
                    "message": "删除的事项已有检查记录使用：旧记录仍按原版本显示",
                }
            )
    plugin: list[dict[str, Any]] = []
    _leaves(
        {k: v for k, v in (before or {}).items() if k not in ("items", "version")},
        {k: v for k, v in after.items() if k not in ("items", "version")},
        [],
        plugin,
    )
    moved = _moves(old_order, new_order, new_items)
    return {
        "from_version": (before or {}).get("version"),
        "to_version": after.get("version"),
        "added": added,
        "removed": removed,
        "changed": changed,
        "moved": moved,
        "plugin": plugin,
        "breaking": breaking,
        "same": not (added or removed or changed or moved or plugin),
    }


def _moves(
    old_order: list[Any], new_order: list[Any], new_items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Kept items whose place among the kept items changed (a reorder by drag and drop)."""
    index_of = {item.get("id"): n for n, item in enumerate(new_items)}
    titles = {item.get("id"): item.get("title") for item in new_items}
    return [
        {"id": key, "title": titles[key], "index": index_of[key]}
        for old_key, key in zip(old_order, new_order, strict=True)
        if old_key != key
    ]
