"""Docking batches as a province sends them, for the docking tests: a confined-space enterprise of
东湖区 with its inspections, results and hazards, pushed as the Jiangxi docking account; and the
东湖区 rollup read back."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.models import ItemRollup
from support import factories
from support.demo import DONGHU, db
from support.web import key_items, push_batch

YX01, YX02, YX03, YX04 = (f"confined_space.yx0{n}" for n in range(1, 5))
CS = {"checklist_id": "confined_space", "checklist_version": "1.1.0"}
SOURCE = "jx-flow"
_serial = iter(range(1, 10**6))


push = partial(push_batch, source=SOURCE)


def base(tag: str) -> list[dict[str, Any]]:
    """A confined-space enterprise of 东湖区 with two spaces, as a province docks it."""
    from enforcement.domain.uscc import make_uscc

    uscc = make_uscc("9", "1", DONGHU, f"WF{next(_serial):06d}")
    return [
        {
            "type": "enterprise",
            "id": f"E-{tag}",
            "data": {
                "name": f"对接流程测试{tag}有限公司",
                "uscc": uscc,
                "region_code": DONGHU,
                "sector": "nonferrous",
                "address": "江西省南昌市东湖区对接路2号",
                "tags": ["confined_space"],
            },
        },
        *(
            {
                "type": "equipment",
                "id": f"Q{n}-{tag}",
                "data": {
                    "enterprise_id": f"E-{tag}",
                    "equipment_type": "confined_space",
                    "name": f"{n}号污水池",
                },
            }
            for n in (1, 2)
        ),
    ]


def result(item: str, outcome: str, equipment: str | None = None) -> dict[str, Any]:
    out = {**CS, "item_id": item, "result": outcome}
    if equipment:
        out["equipment_id"] = equipment
    return out


def inspection(tag: str, results: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "inspection",
        "id": f"I-{tag}",
        "data": {
            "enterprise_id": f"E-{tag}",
            "region_code": DONGHU,
            "status": "finished",
            "started_at": "2026-03-02T09:00:00+08:00",
            "finished_at": "2026-03-02T11:30:00+08:00",
            "participants": [{"name": "张三", "position": "安全员"}],
            "results": results,
            **extra,
        },
    }


def hazard(tag: str, item: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "hazard",
        "id": f"H-{tag}",
        "data": {
            "inspection_id": f"I-{tag}",
            "enterprise_id": f"E-{tag}",
            "region_code": DONGHU,
            "plugin_id": "confined_space",
            "plugin_version": "1.1.0",
            "item_id": item,
            "title": "有限空间作业未经审批",
            "is_major": True,
            "measure": "deadline",
            "status": "rectifying",
            **extra,
        },
    }


def rollup(app: Any) -> dict[tuple[str, str], int]:
    """(item, status) → cells of 东湖区 in the confined-space rollup, all sectors."""
    with app.app_context():
        rows = app.appbuilder.session.execute(
            select(ItemRollup.item_id, ItemRollup.status, ItemRollup.cells)
            .where(
                ItemRollup.region_code == DONGHU,
                ItemRollup.sector == "*",
                ItemRollup.plugin_id == "confined_space",
            )
            .execution_options(**{UNSCOPED: True})
        )
        return {(item, status): cells for item, status, cells in rows if cells}


def delta(after: dict[Any, int], before: dict[Any, int]) -> dict[Any, int]:
    keys = set(after) | set(before)
    return {
        k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)
    }


def key_items_row(app: Any, region: str, child: str) -> dict[str, Any]:
    return next(r for r in key_items(app, region)["rows"] if r["region_code"] == child)


def finalized(app: Any, form_code: str, subject: str) -> int:
    """A document generated on the platform for `subject` ("case:3") and finalized: its PDF stored."""
    from enforcement.services import documents

    with db(app) as session, factories.as_system():
        document = documents.draft(session, form_code, subject, "admin")
        blanks = documents.blank_required(document)
        if blanks:
            documents.update_free_text(session, document, {p: "（已填写）" for p in blanks})
        return int(documents.finalize(session, document, "admin").id)


def demo_subject(app: Any, model: Any) -> int:
    """A record of `model` made on the platform (not docked) in 东湖区 of the demo data: its id."""
    with db(app) as session:
        ident = session.scalars(
            select(model.id).where(model.region_code == DONGHU, model.docking_source.is_(None))
        ).first()
    assert ident is not None
    return int(ident)
