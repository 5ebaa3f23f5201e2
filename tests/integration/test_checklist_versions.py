"""A new version of a checklist is for new inspections; one recorded on the old version keeps the
texts, bases and severity it was recorded with (legal review 2026-11: the built-ins went 1.0.0 →
1.1.0, e.g. 有限空间 from 59号令 to 13号令, severity per finding)."""

from __future__ import annotations

from typing import Any

from enforcement.models import AnswerSet, Hazard, Inspection
from enforcement.plugins import get_plugin_manager
from enforcement.services import checklists, inspections
from support import factories
from support.demo import db
from support.factories import CONFINED_SPACE, acting

RECORDED = ("title", "description", "illegal_basis", "penalty_basis", "is_major", "measure")


def _recorded(hazard: Hazard) -> dict[str, Any]:
    return {**{k: getattr(hazard, k) for k in RECORDED}, "suggestion": dict(hazard.suggestion)}


def test_an_inspection_recorded_on_the_old_version_keeps_its_text_and_severity(app: Any) -> None:
    platform = get_plugin_manager(app.config["PLUGIN_DIRS"], load_entry_points=False)
    older = platform.registry.get(CONFINED_SPACE, "1.0.0")
    newer = platform.registry.get(CONFINED_SPACE, "1.1.0")
    assert (older.status, newer.status) == ("retired", "active")  # versions/ is kept, not offered
    older.status, newer.status = "active", "retired"  # as before 1.1.0 was published
    with db(app) as session:
        walk = factories.hazards(session, platform)
        inspection = session.get(Inspection, walk.inspection_id)
        answer_set = session.get(AnswerSet, inspection.answer_set_ids[CONFINED_SPACE])
        assert (answer_set.plugin_version, answer_set.status) == ("1.0.0", "submitted")
        hazards = [session.get(Hazard, i) for i in walk.hazard_ids]
        before = {h.item_id: _recorded(h) for h in hazards}
        yx01 = before["confined_space.yx01"]
        assert "第59号" in yx01["illegal_basis"] and "第八条" in yx01["illegal_basis"]
        # 1.0.0 names no article of 10号令 for any finding: recorded as 一般, 责令限期整改
        assert (yx01["is_major"], yx01["measure"]) == (False, "deadline")

        older.status, newer.status = "retired", "active"  # 1.1.0 published: new work gets it …
        assert platform.registry.get(CONFINED_SPACE).version == "1.1.0"
        with acting("donghu", "360102"):
            assert inspections.derive_hazards(session, platform, inspection) == []
        session.expire_all()
        after = {h.item_id: _recorded(session.get(Hazard, h.id)) for h in hazards}
        assert after == before  # … and the recorded findings do not move

        # the recorded inspection still shows the form it was filled in on
        compiled = checklists.recorded_compiled(session, newer, answer_set)
        assert compiled.version == "1.0.0" and compiled.sha256 == answer_set.schema_hash
        assert "第59号" in _penalty_law(compiled.ui_schema, "confined_space.yx01")
        assert "第13号" in _penalty_law(newer.compiled.ui_schema, "confined_space.yx01")

        # the same answers judged by 1.1.0 would be a 重大事故隐患 (第十三条（二）): not applied
        fresh = checklists.suggestions(
            platform, newer, inspection.enterprise, {**answer_set.answers, **_yx01_on_1_1_0()}
        )
        assert next(s for s in fresh if s["item_id"] == "confined_space.yx01")["major"]


def _penalty_law(ui_schema: dict[str, Any], item_id: str) -> str:
    groups = [g for category in ui_schema["elements"] for g in category["elements"]]
    return next(g for g in groups if g["options"]["item_id"] == item_id)["options"][
        "penalty_basis"
    ]["law"]


def _yx01_on_1_1_0() -> dict[str, Any]:
    return {
        "confined_space.yx01": {
            "answer": "non_compliant",
            **factories.MAJOR_YX01["confined_space.yx01"],
            "defect": "未经审批擅自进入污水井作业",
        }
    }
