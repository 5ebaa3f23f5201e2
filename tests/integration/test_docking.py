"""数据对接: push (validated upsert, idempotent replay, dry run, province check), export (cursor,
tombstones), bad input answered 4xx in Chinese, the pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from enforcement.db.scoping import UNSCOPED
from enforcement.domain.uscc import make_uscc
from enforcement.models import AuditLog, DockingRecord, Enterprise, Equipment
from support.web import api_token, logged_in

CJK = re.compile(r"[\u4e00-\u9fff]")
_serial = iter(range(1, 10**6))


def uscc(region: str = "360102") -> str:
    return make_uscc("9", "1", region, f"DK{next(_serial):06d}")


def enterprise(ident: str, region: str = "360102", **extra: Any) -> dict[str, Any]:
    data = {
        "name": f"对接测试企业{ident}有限公司",
        "uscc": uscc(region),
        "region_code": region,
        "sector": "nonferrous",
        "address": "江西省南昌市对接路1号",
        **extra,
    }
    return {"type": "enterprise", "id": ident, "data": data}


def push(client: Any, body: Any, user: str = "docking_jx", **query: str) -> Any:
    headers = api_token(client, user)
    return client.post("/api/v1/docking/batch", json=body, headers=headers, query_string=query)


def count(app: Any, statement: Any) -> int:
    with app.app_context():
        return app.appbuilder.session.scalar(statement.execution_options(**{UNSCOPED: True}))


def audit_rows(app: Any) -> int:
    return count(app, select(func.count()).select_from(AuditLog))


def test_pushed_records_land_in_the_platform_tables_marked_with_their_source(app, client):
    body = {
        "source": "jx-sys",
        "records": [
            enterprise("E1", tags=["aluminum"], employees=12),
            {
                "type": "equipment",
                "id": "Q1",
                "data": {
                    "enterprise_id": "E1",
                    "equipment_type": "melting_furnace",
                    "name": "1号炉",
                },
            },
            {
                "type": "department",
                "id": "D1",
                "data": {"name": "南昌市对接测试局", "region_code": "360100", "level": "city"},
            },
            {
                "type": "enforcer",
                "id": "P1",
                "data": {"name": "对接甲", "certificate_no": "DK000001", "department_id": "D1"},
            },
        ],
    }
    answer = push(client, body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["accepted"] == 4, answer.json
    assert answer.json["rejected"] == []
    with app.app_context():
        session = app.appbuilder.session
        found = session.scalars(
            select(Enterprise).where(Enterprise.name == "对接测试企业E1有限公司")
        ).one()
        assert found.tags == ["aluminum"]
        assert [q.name for q in found.equipment] == ["1号炉"]
        mapping = session.scalars(
            select(DockingRecord).where(DockingRecord.local_id == found.id)
        ).one()
        assert (mapping.source, mapping.record_type, mapping.external_id) == (
            "jx-sys",
            "enterprise",
            "E1",
        )
    # First-class: the province's leader finds it through the platform's own API.
    listed = client.get(
        "/api/v1/enterprise/",
        query_string={
            "q": json.dumps({"filters": [{"col": "name", "opr": "eq", "value": found.name}]})
        },
        headers=api_token(client, "jiangxi"),
    )
    assert listed.status_code == 200
    assert listed.json["count"] == 1


def test_replaying_a_batch_answers_the_same_and_changes_nothing(app, client):
    body = {"source": "jx-sys", "batch_id": "replay-1", "records": [enterprise("R1")]}
    first = push(client, body)
    before = audit_rows(app)
    again = push(client, body)
    assert again.status_code == 200
    assert again.json == first.json
    assert again.headers.get("X-Docking-Replay") == "true"
    assert audit_rows(app) == before


def test_the_same_record_in_a_new_batch_is_unchanged_not_rejected(app, client):
    record = enterprise("U1")
    push(client, {"source": "jx-sys", "records": [record]})
    before = audit_rows(app)
    answer = push(client, {"source": "jx-sys", "batch_id": "other", "records": [record]})
    assert (answer.json["accepted"], answer.json["unchanged"], answer.json["rejected"]) == (
        0,
        1,
        [],
    )
    assert audit_rows(app) == before + 0


def test_a_record_of_another_province_is_rejected_and_the_rest_kept(app, client):
    body = {
        "source": "jx-sys",
        "records": [enterprise("X1", region="510104"), enterprise("X2")],
    }
    answer = push(client, body)
    assert answer.status_code == 200
    assert answer.json["accepted"] == 1
    (rejected,) = answer.json["rejected"]
    assert (rejected["index"], rejected["type"], rejected["id"]) == (0, "enterprise", "X1")
    assert rejected["errors"][0]["code"] == "other_province"
    assert CJK.search(rejected["errors"][0]["message"])
    assert (
        count(
            app,
            select(func.count())
            .select_from(Enterprise)
            .where(Enterprise.region_code == "510104")
            .where(Enterprise.name.like("对接测试企业X1%")),
        )
        == 0
    )


def test_a_dry_run_writes_nothing_and_answers_what_the_real_run_does(app, client):
    body = {
        "source": "jx-sys",
        "records": [
            enterprise("Y1"),
            enterprise("Y2", region="510104"),
            {"type": "enterprise", "id": "Y3", "data": {"name": 5}},
        ],
    }
    api_token(client, "docking_jx")  # a first login is audited: not inside the counted window
    before = (audit_rows(app), count(app, select(func.count()).select_from(Enterprise)))
    dry = push(client, body, dry_run="true")
    assert dry.status_code == 200
    assert (audit_rows(app), count(app, select(func.count()).select_from(Enterprise))) == before
    real = push(client, body)
    strip = lambda a: {k: a[k] for k in ("accepted", "unchanged", "rejected")}  # noqa: E731
    assert strip(dry.json) == strip(real.json)
    assert real.json["accepted"] == 1


def test_rejections_carry_a_path_a_chinese_message_and_a_stable_code(client):
    body = {
        "source": "jx-sys",
        "records": [
            {"type": "enterprise", "id": "B1", "data": {"name": 5, "colour": "red"}},
            {"type": ["spaceship"], "id": "B2", "data": {}},
            enterprise("B3", uscc="913601020000000000"),
            {
                "type": "equipment",
                "id": "B4",
                "data": {"enterprise_id": "nobody", "equipment_type": "other", "name": "x"},
            },
            enterprise("B5"),
            {**enterprise("B5"), "data": {**enterprise("B5")["data"], "uscc": uscc()}},
        ],
    }
    answer = push(client, body)
    assert answer.status_code == 200
    codes = {r["index"]: {e["code"] for e in r["errors"]} for r in answer.json["rejected"]}
    assert {"wrong_type", "unknown_field", "missing"} <= codes[0]
    assert codes[1] == {"unknown_type"}
    assert codes[2] == {"invalid_uscc"}
    assert codes[3] == {"unknown_reference"}
    assert codes[5] == {"duplicate_in_batch"}
    assert 4 not in codes
    for rejected in answer.json["rejected"]:
        for error in rejected["errors"]:
            assert error["path"].startswith(f"/records/{rejected['index']}")
            assert CJK.search(error["message"])


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b'["a"]', "application/json", 400),
        (b'{"source": "s", "records": {}}', "application/json", 400),
        (b'{"source": 5, "records": []}', "application/json", 400),
        (b'{"source": "s", "records": [], "extra": 1}', "application/json", 400),
        (b"source=s", "application/x-www-form-urlencoded", 415),
        (json.dumps({"source": "s", "records": [{}] * 10_001}).encode(), "application/json", 413),
    ],
)
def test_a_body_that_is_no_batch_gets_4xx_in_chinese(client, body, content_type, status):
    headers = api_token(client, "docking_jx")
    answer = client.post(
        "/api/v1/docking/batch", data=body, content_type=content_type, headers=headers
    )
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert CJK.search(answer.json["message"])
    assert answer.json["errors"][0]["path"]


def test_a_wrong_token_gets_401_in_chinese(client):
    answer = client.post(
        "/api/v1/docking/batch",
        json={"source": "s", "records": []},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert 400 <= answer.status_code < 500
    assert CJK.search(answer.json["message"])


def test_an_inspector_may_not_push(client):
    answer = push(client, {"source": "s", "records": []}, user="donghu")
    assert answer.status_code in (401, 403)


def test_ndjson_is_read_line_by_line_and_a_bad_line_is_one_rejection(app, client):
    lines = [
        json.dumps(enterprise("N1"), ensure_ascii=False),
        "{oops",
        json.dumps(enterprise("N2"), ensure_ascii=False),
    ]
    answer = client.post(
        "/api/v1/docking/batch",
        data="\n".join(lines).encode(),
        content_type="application/x-ndjson",
        headers=api_token(client, "docking_jx"),
        query_string={"source": "jx-nd"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["accepted"] == 2
    assert [r["index"] for r in answer.json["rejected"]] == [1]


def _export_all(client: Any, record_type: str, user: str, limit: int = 500) -> list[dict[str, Any]]:
    headers = api_token(client, user)
    out, since = [], None
    while True:
        query = {"type": record_type, "limit": str(limit)}
        if since:
            query["since"] = since
        page = client.get("/api/v1/docking/export", query_string=query, headers=headers)
        assert page.status_code == 200, page.get_data(as_text=True)
        out += page.json["records"]
        since = page.json["next"]
        if not page.json["more"]:
            return out


def test_a_province_exports_only_its_own_records(client):
    records = _export_all(client, "enterprise", "docking_jx")
    assert records
    assert all(r["data"]["region_code"].startswith("36") for r in records if not r.get("deleted"))


def test_a_tombstone_soft_deletes_and_is_exported_as_deleted(app, client):
    push(client, {"source": "jx-sys", "records": [enterprise("T1")]})
    answer = push(
        client,
        {"source": "jx-sys", "records": [{"type": "enterprise", "id": "T1", "deleted": True}]},
    )
    assert answer.json["accepted"] == 1, answer.json
    page = client.get(
        "/api/v1/docking/export",
        query_string={"type": "enterprise", "limit": "2000"},
        headers=api_token(client, "docking_jx"),
    )
    # the last page of changes holds the tombstone
    records = _export_all(client, "enterprise", "docking_jx")
    mine = [r for r in records if r.get("origin", {}).get("id") == "T1"]
    assert mine and mine[-1].get("deleted") is True
    assert page.status_code == 200


def test_paging_while_another_writer_adds_records_misses_and_repeats_nothing(app, client):
    headers = api_token(client, "docking_jx")
    seen: list[str] = []
    since = None
    written: list[str] = []
    for round_ in range(1000):
        query = {"type": "equipment", "limit": "50"}
        if since:
            query["since"] = since
        page = client.get("/api/v1/docking/export", query_string=query, headers=headers)
        seen += [r["id"] for r in page.json["records"]]
        since = page.json["next"]
        if round_ < 5:  # a writer between pages: new equipment of a new enterprise
            ident = f"W{round_}"
            push(
                client,
                {
                    "source": "jx-writer",
                    "records": [
                        enterprise(ident),
                        {
                            "type": "equipment",
                            "id": f"{ident}-q",
                            "data": {
                                "enterprise_id": ident,
                                "equipment_type": "other",
                                "name": "写入中",
                            },
                        },
                    ],
                },
            )
            written.append(ident)
        elif not page.json["more"]:
            break
    with app.app_context():
        ids = app.appbuilder.session.scalars(
            select(Equipment.id)
            .join(Enterprise)
            .where(Enterprise.region_code.like("36%"))
            .execution_options(**{UNSCOPED: True})
        ).all()
    assert len(seen) == len(set(seen)), "a record was repeated"
    assert {str(i) for i in ids} <= set(seen), "a record was missed"


def test_a_bad_cursor_or_type_gets_400(client):
    headers = api_token(client, "docking_jx")
    for query in (
        {"type": "enterprise", "since": "garbage!"},
        {"type": "nope"},
        {"type": "enterprise", "limit": "0"},
    ):
        answer = client.get("/api/v1/docking/export", query_string=query, headers=headers)
        assert answer.status_code == 400
        assert CJK.search(answer.json["message"])


def test_the_spec_and_monitor_pages_are_chinese_and_generated_from_the_schemas(app, client):
    push(client, {"source": "jx-sys", "records": [enterprise("M1", region="510104")]})
    leader = logged_in(app, "jiangxi")
    spec_page = leader.get("/docking/spec/")
    assert spec_page.status_code == 200
    text = spec_page.get_data(as_text=True)
    assert "统一社会信用代码" in text and "checklist_version" in text and "示例" in text
    monitor = leader.get("/docking/monitor/")
    assert monitor.status_code == 200
    page = monitor.get_data(as_text=True)
    assert "数据对接情况" in page and "江西" in page
    assert "不属于本省" in page


def test_the_openapi_document_describes_the_docking_endpoints(client):
    document = client.get("/api/v1/_openapi", headers=api_token(client, "admin")).json
    paths = document["paths"]
    docking = {p: ops for p, ops in paths.items() if "/docking/" in p}
    assert {p.rsplit("/", 1)[-1] for p in docking} == {"batch", "export", "spec"}
    batch = next(ops for p, ops in docking.items() if p.endswith("/batch"))["post"]
    assert set(batch["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
    component = document["components"]["schemas"]["DockingBatch"]
    assert component["properties"]["records"]["maxItems"] == 10_000
    assert "type" not in component["properties"]["records"]["items"]["properties"]["id"]


def test_a_writer_thread_during_paging_leaves_nothing_missed_or_repeated(app, client):
    """A second client pushes new enterprises in a thread while this one pages through the export:
    every enterprise of the province is seen exactly once."""
    import threading

    headers = api_token(client, "docking_jx")
    writer_client = app.test_client()
    writer_headers = api_token(writer_client, "docking_jx")
    done = threading.Event()
    failures: list[str] = []

    def write() -> None:
        try:
            for n in range(8):
                batch = [enterprise(f"TW{n}-{i}") for i in range(25)]
                answer = writer_client.post(
                    "/api/v1/docking/batch",
                    json={"source": "jx-thread", "records": batch},
                    headers=writer_headers,
                )
                if answer.status_code != 200 or answer.json["accepted"] != 25:
                    failures.append(answer.get_data(as_text=True)[:200])
        finally:
            done.set()

    thread = threading.Thread(target=write)
    seen: list[str] = []
    written: list[str] = []  # the writer's enterprises: created once, so seen exactly once
    since = None
    thread.start()
    while True:
        query = {"type": "enterprise", "limit": "40", **({"since": since} if since else {})}
        page = client.get("/api/v1/docking/export", query_string=query, headers=headers)
        assert page.status_code == 200
        seen += [r["id"] for r in page.json["records"]]
        written += [r["id"] for r in page.json["records"] if _from(r, "jx-thread")]
        since = page.json["next"]
        if done.is_set() and not page.json["more"]:
            # One more page after the writer finished: whatever it committed last.
            page = client.get(
                "/api/v1/docking/export",
                query_string={"type": "enterprise", "since": since},
                headers=headers,
            )
            seen += [r["id"] for r in page.json["records"]]
            written += [r["id"] for r in page.json["records"] if _from(r, "jx-thread")]
            if not page.json["more"]:
                break
            since = page.json["next"]
    thread.join()
    assert not failures, failures
    with app.app_context():
        ids = app.appbuilder.session.scalars(
            select(Enterprise.id)
            .where(Enterprise.region_code.like("36%"))
            .execution_options(**{UNSCOPED: True})
        ).all()
    assert len(written) == len(set(written)) == 8 * 25, "a record was repeated or missed"
    assert {str(i) for i in ids} <= set(seen), "an enterprise was missed"


def _from(record: dict[str, Any], source: str) -> bool:
    return record.get("origin", {}).get("source") == source


@pytest.mark.parametrize("content_type", ["application/x-ndjson", "application/json"])
def test_a_body_over_the_byte_limit_gets_413_in_chinese(app, client, content_type):
    line = json.dumps(enterprise("BIG", address="长" * 200), ensure_ascii=False)
    body = (
        "\n".join([line] * 40)
        if "ndjson" in content_type
        else json.dumps({"source": "jx", "records": [json.loads(line)] * 40}, ensure_ascii=False)
    )
    limits = {"DOCKING_MAX_BYTES": 4096, "MAX_CONTENT_LENGTH": 8192}
    saved = {k: app.config.get(k) for k in limits}
    app.config.update(limits)
    try:
        answer = client.post(
            "/api/v1/docking/batch",
            data=body.encode() * 3,
            content_type=content_type,
            headers=api_token(client, "docking_jx"),
            query_string={"source": "jx"},
        )
    finally:
        app.config.update(saved)
    assert answer.status_code == 413, answer.get_data(as_text=True)[:200]
    assert CJK.search(answer.json["message"])
