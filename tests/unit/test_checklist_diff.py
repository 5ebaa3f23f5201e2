"""The builder's diff of two plugin versions is exact: items by id, every changed leaf with its
wording before and after, moves, and the breaking changes named."""

from __future__ import annotations

import copy
from typing import Any

from enforcement.checklists.diff import diff_declarations


def _item(n: int, **extra: Any) -> dict[str, Any]:
    item = {
        "id": f"p.i{n}",
        "title": f"事项{n}",
        "content": f"内容{n}",
        "answer": {"type": "string", "enum": ["compliant", "non_compliant", "not_applicable"]},
        "follow_ups": [
            {
                "id": "why",
                "title": "原因",
                "when": {"schema": {"const": "non_compliant"}},
                "answer": {"type": "array", "items": {"type": "string", "enum": ["甲", "乙"]}},
            }
        ],
    }
    item.update(extra)
    return item


BEFORE = {
    "id": "p",
    "version": "1.0.0",
    "title": "旧",
    "items": [_item(1), _item(2), _item(3), _item(4)],
}


def test_the_diff_lists_exactly_what_changed() -> None:
    after = copy.deepcopy(BEFORE)
    after["version"] = "1.1.0"
    after["title"] = "新"
    one, two, three, four = after["items"]
    one["content"] = "内容一（改）"
    two["answer"] = {"type": "boolean"}
    three["follow_ups"][0]["answer"]["items"]["enum"] = ["甲"]
    after["items"] = [two, one, three, _item(5)]
    diff = diff_declarations(BEFORE, after, used_items={"p.i4"})
    assert diff == {
        "from_version": "1.0.0",
        "to_version": "1.1.0",
        "added": [{"id": "p.i5", "title": "事项5", "index": 3}],
        "removed": [{"id": "p.i4", "title": "事项4", "used": True}],
        "changed": [
            {
                "id": "p.i2",
                "title": "事项2",
                "fields": [
                    {
                        "path": "/answer/type",
                        "label": "题型",
                        "before": "string",
                        "after": "boolean",
                    },
                    {
                        "path": "/answer/enum",
                        "label": "选项",
                        "before": ["compliant", "non_compliant", "not_applicable"],
                        "after": None,
                    },
                ],
            },
            {
                "id": "p.i1",
                "title": "事项1",
                "fields": [
                    {
                        "path": "/content",
                        "label": "检查内容",
                        "before": "内容1",
                        "after": "内容一（改）",
                    }
                ],
            },
            {
                "id": "p.i3",
                "title": "事项3",
                "fields": [
                    {
                        "path": "/follow_ups/0/answer/items/enum",
                        "label": "选项",
                        "before": ["甲", "乙"],
                        "after": ["甲"],
                    },
                ],
            },
        ],
        "moved": [
            {"id": "p.i2", "title": "事项2", "index": 0},
            {"id": "p.i1", "title": "事项1", "index": 1},
        ],
        "plugin": [{"path": "/title", "label": "名称", "before": "旧", "after": "新"}],
        "breaking": [
            {
                "item_id": "p.i2",
                "kind": "answer_type",
                "path": "/answer",
                "message": "答题方式已改变：按旧版本填写的答案不再适用",
            },
            {
                "item_id": "p.i3",
                "kind": "choice_removed",
                "path": "/follow_ups/why/answer",
                "message": "删除了选项：乙",
                "choices": ["乙"],
            },
            {
                "item_id": "p.i4",
                "kind": "used_item_removed",
                "path": "",
                "message": "删除的事项已有检查记录使用：旧记录仍按原版本显示",
            },
        ],
        "same": False,
    }


def test_an_item_removed_that_no_inspection_used_is_not_breaking() -> None:
    after = copy.deepcopy(BEFORE)
    after["items"] = after["items"][:3]
    diff = diff_declarations(BEFORE, after, used_items=set())
    assert diff["removed"] == [{"id": "p.i4", "title": "事项4", "used": False}]
    assert diff["breaking"] == []


def test_the_same_content_under_another_version_number_is_the_same() -> None:
    after = copy.deepcopy(BEFORE)
    after["version"] = "2.0.0"
    assert diff_declarations(BEFORE, after)["same"] is True


def test_a_first_version_is_all_added() -> None:
    diff = diff_declarations(None, BEFORE)
    assert [a["id"] for a in diff["added"]] == ["p.i1", "p.i2", "p.i3", "p.i4"]
    assert diff["from_version"] is None and diff["breaking"] == []
