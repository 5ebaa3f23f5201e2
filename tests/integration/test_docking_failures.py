"""A partial failure of a push loses nothing that was accepted."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from enforcement.db.acting import Actor, acting_as
from enforcement.db.scoping import UNSCOPED
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.domain.uscc import make_uscc
from enforcement.models import DockingRecord, Enterprise
from enforcement.services.docking import push, upsert

PROVINCE = Actor("docking_jx", Jurisdiction("360000"))


def record(n: int, uscc: str | None = None) -> dict[str, Any]:
    return {
        "type": "enterprise",
        "id": f"F{n}",
        "data": {
            "name": f"失败测试企业{n}有限公司",
            "uscc": uscc or make_uscc("9", "1", "360102", f"FT{n:06d}"),
            "region_code": "360102",
            "sector": "machinery",
            "address": "江西省南昌市测试路",
        },
    }


def stored(app: Any, source: str) -> int:
    statement = (
        select(func.count()).select_from(DockingRecord).where(DockingRecord.source == source)
    )
    return app.appbuilder.session.scalar(statement.execution_options(**{UNSCOPED: True}))


def test_a_record_the_database_refuses_is_rejected_alone(app, monkeypatch):
    with app.app_context(), acting_as(PROVINCE):
        session = app.appbuilder.session
        taken = session.scalars(
            select(Enterprise.uscc).where(Enterprise.region_code.like("36%")).limit(1)
        ).one()
        # As if another writer registered the USCC after the chunk looked for it.
        monkeypatch.setattr(upsert.Pusher, "_prefetch", lambda self, items, mappings: None)
        answer, _ = push.push_batch(
            session, "race", [record(1), record(2, uscc=taken), record(3)], digest="a" * 64
        )
        assert answer["accepted"] == 2
        (rejected,) = answer["rejected"]
        assert (rejected["index"], rejected["errors"][0]["code"]) == (1, "conflict")
        assert stored(app, "race") == 2


def test_a_failure_after_some_chunks_keeps_the_committed_ones(app, monkeypatch):
    monkeypatch.setattr(push, "CHUNK", 2)
    calls = {"n": 0}
    original = upsert.Pusher.run_chunk

    def failing(self: Any, items: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the server went away")
        return original(self, items)

    monkeypatch.setattr(upsert.Pusher, "run_chunk", failing)
    with app.app_context(), acting_as(PROVINCE):
        session = app.appbuilder.session
        with pytest.raises(RuntimeError):
            push.push_batch(session, "crash", [record(n) for n in range(10, 14)], digest="b" * 64)
        assert stored(app, "crash") == 2
