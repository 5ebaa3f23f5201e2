"""Two instances mirror each other through the docking API alone: everything one exports, an empty
one accepts, with the same counts per type and the same content hashes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from enforcement.domain.uscc import make_uscc
from enforcement.models import (
    Case,
    DockedDocument,
    DockingRecord,
    Hazard,
    Inspection,
    RectificationOrder,
    Task,
)
from enforcement.services import checklists, rectification
from enforcement.services.docking import spec
from enforcement.services.docking.kinds import BASE_ORDER
from support import factories
from support.databases import build_app, close_app, fresh_database
from support.demo import db
from support.docking import demo_subject, finalized
from support.web import api_token, export_all

PASSWORD = "Mirror@2026!"
WORKFLOW = tuple(t for t in spec.TYPES if t not in BASE_ORDER)
NOTE = "经复查，隐患均已整改。"


def local_recheck(app: Any) -> int:
    """A local inspection's hazards on an order, re-inspected and all found rectified: the order."""
    with db(app) as session:
        walk = factories.hazards(session, checklists.platform_of(app))
    with db(app) as session, factories.as_inspector():
        order = factories.order(
            session, walk, issued_on=dt.date(2026, 11, 1), deadline=dt.date(2026, 11, 20)
        )
        task = rectification.report_completion(session, order, on=dt.date(2026, 11, 10))
        task.note = NOTE
        for hazard_id in walk.hazard_ids:
            rectification.close_hazard(
                session, session.get(Hazard, hazard_id), task, on=dt.date(2026, 11, 12)
            )
        return order.id


def test_an_empty_instance_mirrors_another_through_the_api(app, tmp_path):
    source = app.test_client()
    # A province docks the spec's examples, with the base data and records they name.
    named = {"inspection": "I-501", "hazard": "H-9", "case": "C-3"}
    docked = [
        {
            "type": "enterprise",
            "id": "E-1001",
            "data": {
                "name": "南昌洪城铝业镜像测试有限公司",
                "uscc": make_uscc("9", "1", "360102", "MR000001"),
                "region_code": "360102",
                "sector": "nonferrous",
                "address": "江西省南昌市东湖区镜像路1号",
                "tags": ["aluminum"],
            },
        },
        {
            "type": "equipment",
            "id": "Q-7",
            "data": {
                "enterprise_id": "E-1001",
                "equipment_type": "melting_furnace",
                "name": "7号炉",
            },
        },
        {
            "type": "department",
            "id": "D-1",
            "data": {"name": "南昌市镜像测试局", "region_code": "360100", "level": "city"},
        },
        *(
            {
                "type": "enforcer",
                "id": f"P-{n}",
                "data": {
                    "name": f"镜像{n}",
                    "certificate_no": f"MR00000{n}",
                    "department_id": "D-1",
                },
            }
            for n in (1, 2)
        ),
        *(
            {"type": t, "id": named.get(t, f"{t}-1"), "data": spec.schema_of(t)["examples"][0]}
            for t in WORKFLOW
        ),
    ]
    pushed = source.post(
        "/api/v1/docking/batch",
        json={"source": "jx-sys", "records": docked},
        headers=api_token(source, "docking_jx"),
    )
    assert pushed.json["rejected"] == [], pushed.json["rejected"]

    # Documents generated and finalized on the platform leave as documents too (PDF hash, download).
    on_case = finalized(app, "inquiry_record", f"case:{demo_subject(app, Case)}")
    on_inspection = finalized(
        app, "inspection_record", f"inspection:{demo_subject(app, Inspection)}"
    )

    # A local order re-inspected on the platform leaves with its re-inspection.
    rechecked = local_recheck(app)

    admin = api_token(source, "admin")
    exported = {t: export_all(source, admin, t)[0] for t in (*BASE_ORDER, *WORKFLOW)}
    live = {t: [r for r in rs if not r.get("deleted")] for t, rs in exported.items()}
    assert all(live[t] for t in ("department", "enterprise", "equipment", "enforcer"))

    url = fresh_database(app.config["ENGINE_NAME"], tmp_path, "mirror")
    target = build_app(url, tmp_path / "data")
    try:
        with target.app_context():
            sm = target.appbuilder.sm
            sm.add_user(
                "mirror",
                "镜像",
                "管理员",
                "mirror@example.invalid",
                sm.find_role("admin"),
                PASSWORD,
            )
        client = target.test_client()
        headers = api_token(client, "mirror", PASSWORD)
        accepted: Counter[str] = Counter()
        for record_type, records in exported.items():
            for start in range(0, len(records), 10_000):
                answer = client.post(
                    "/api/v1/docking/batch",
                    json={"source": "mirror-a", "records": records[start : start + 10_000]},
                    headers=headers,
                )
                assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
                assert answer.json["rejected"] == [], answer.json["rejected"][:3]
                accepted[record_type] += answer.json["accepted"]
        # The same records, the same content: counts and hashes per type.
        with target.app_context():
            stored = target.appbuilder.session.scalars(
                select(DockingRecord).where(DockingRecord.deleted.is_(False))
            ).all()
        for record_type, records in live.items():
            mine = [r for r in stored if r.record_type == record_type]
            assert accepted[record_type] == len(records) == len(mine), record_type
            assert sorted(r.content_hash for r in mine) == sorted(r["hash"] for r in records)
        # And the mirror exports them again: records without references, byte for byte.
        again, _ = export_all(client, headers, "enterprise")
        assert sorted(r["hash"] for r in again) == sorted(r["hash"] for r in live["enterprise"])
        # Documents: the local ones among them, each a docked document of the mirror now, listed
        # with the same file hash; exported again, the same records.
        local = {r["id"] for r in live["document"] if "origin" not in r}
        assert {str(on_case), str(on_inspection)} <= local
        with target.app_context():
            mirrored = target.appbuilder.session.scalars(select(DockedDocument)).all()
            assert sorted(d.sha256 for d in mirrored) == sorted(
                r["data"]["sha256"] for r in live["document"]
            )
            assert all(d.docking_source == "mirror-a" for d in mirrored)
        # The local re-inspection did on the mirror what it did here: a done 复查 task, with its
        # note, that closed the order's hazards.
        with target.app_context():
            session = target.appbuilder.session
            mirrored_order = session.get(
                RectificationOrder,
                session.scalars(
                    select(DockingRecord.local_id).where(
                        DockingRecord.record_type == "rectification",
                        DockingRecord.external_id == str(rechecked),
                    )
                ).one(),
            )
            assert mirrored_order.hazards
            assert all(h.status == "rectified" for h in mirrored_order.hazards)
            recheck = session.get(Task, mirrored_order.recheck_task_id)
            assert (recheck.kind, recheck.status, recheck.note) == ("recheck", "done", NOTE)
        documents, _ = export_all(client, headers, "document")
        assert sorted(r["hash"] for r in documents) == sorted(r["hash"] for r in live["document"])
    finally:
        close_app(target)
