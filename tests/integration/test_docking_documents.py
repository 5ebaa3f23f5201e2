"""A docked document is a row of its own: listed on its case's and inspection's pages, marked with
its source, with the file reference and hash and no download of a file the platform does not hold;
its references are checked; a tombstone deletes it; a case is not deleted while it names it."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select

from enforcement.models import DockedDocument
from support.demo import DONGHU, db
from support.docking import YX01, base, inspection, result
from support.factories import acting
from support.web import logged_in, push_batch

SOURCE = "jx-docs"
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


push = partial(push_batch, source=SOURCE)


def document(ident: str, **data: Any) -> dict[str, Any]:
    return {
        "type": "document",
        "id": ident,
        "data": {
            "form": "现场检查记录",
            "number": f"（洪东）应急检记〔2026〕{ident}号",
            "region_code": DONGHU,
            "issued_on": "2026-03-02",
            "sha256": HASH,
            "file": {
                "url": f"https://gov.example.cn/f/{ident}.pdf",
                "filename": f"{ident}.pdf",
                "size": 204800,
            },
            **data,
        },
    }


def case(tag: str) -> dict[str, Any]:
    return {
        "type": "case",
        "id": f"C-{tag}",
        "data": {
            "title": f"对接文书测试{tag}案",
            "enterprise_id": f"E-{tag}",
            "region_code": DONGHU,
            "stage": "filed",
            "filed_on": "2026-03-05",
            "stage_history": [{"stage": "filed", "at": "2026-03-05T10:00:00+08:00"}],
        },
    }


def rows(app: Any) -> dict[str, DockedDocument]:
    with db(app) as session, acting("donghu", DONGHU):
        found = session.scalars(
            select(DockedDocument).where(DockedDocument.docking_source == SOURCE)
        ).all()
        session.expunge_all()
        return {d.number or "": d for d in found}


def test_a_docked_document_is_listed_on_its_case_and_inspection_with_reference_and_hash(
    app, client
):
    push(client, [*base("D1"), inspection("D1", [result(YX01, "fail")]), case("D1")])
    answer = push(
        client,
        [
            document("D1-1", inspection_id="I-D1", enterprise_id="E-D1"),
            document("D1-2", case_id="C-D1", form="立案审批表", title="立案审批表（对接）"),
        ],
    )
    assert (answer["accepted"], answer["rejected"]) == (2, []), answer
    found = rows(app)
    on_inspection = found["（洪东）应急检记〔2026〕D1-1号"]
    on_case = found["（洪东）应急检记〔2026〕D1-2号"]
    assert on_inspection.inspection_id and on_inspection.case_id is None
    assert on_case.case_id and on_case.enterprise_id == on_inspection.enterprise_id
    assert (on_case.sha256, on_case.file_url) == (HASH, "https://gov.example.cn/f/D1-2.pdf")

    browser = logged_in(app, "donghu")
    for path, kept in (
        (f"/inspection/show/{on_inspection.inspection_id}", on_inspection),
        (f"/cases/{on_case.case_id}", on_case),
    ):
        page = browser.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        listed = text[text.index('id="docked-documents"') :]
        listed = listed[: listed.index("</ul>")]
        assert kept.number in listed and "江西省对接" in listed
        assert kept.file_url in listed and HASH in listed
        assert "本平台不提供下载" in listed
        assert "<a " not in listed  # nothing to download or edit here
    # The case desk lists only its own.
    case_page = browser.get(f"/cases/{on_case.case_id}").get_data(as_text=True)
    assert "D1-1号" not in case_page


def test_a_docked_documents_references_are_checked(app, client):
    push(client, [*base("D2"), *base("D3"), case("D2")])
    answer = push(
        client,
        [
            document("D2-1", case_id="C-nowhere"),
            document("D2-2", case_id="C-D2", enterprise_id="E-D3"),
            document("D2-3", enterprise_id="E-D2", region_code="360103"),
        ],
    )
    assert answer["accepted"] == 0
    errors = {(e["path"], e["code"]) for r in answer["rejected"] for e in r["errors"]}
    assert errors == {
        ("/records/0/data/case_id", "unknown_reference"),
        ("/records/1/data/case_id", "conflict"),
        ("/records/2/data/region_code", "conflict"),
    }


def test_a_documents_tombstone_deletes_it_and_its_case_waits_for_it(app, client):
    push(client, [*base("D4"), case("D4"), document("D4-1", case_id="C-D4")])
    case_id = rows(app)["（洪东）应急检记〔2026〕D4-1号"].case_id
    refused = push(client, [{"type": "case", "id": "C-D4", "deleted": True}])
    [rejection] = refused["rejected"]
    assert "1 份文书" in rejection["errors"][0]["message"]
    tombstones = [
        {"type": "document", "id": "D4-1", "deleted": True},
        {"type": "case", "id": "C-D4", "deleted": True},
    ]
    assert push(client, tombstones)["accepted"] == 2
    assert "（洪东）应急检记〔2026〕D4-1号" not in rows(app)
    assert logged_in(app, "donghu").get(f"/cases/{case_id}").status_code == 404


def test_a_document_kept_only_as_received_before_is_written_when_pushed_again(app, client):
    from enforcement.db.unit_of_work import unit_of_work
    from enforcement.models import DockingRecord
    from enforcement.services.docking.push import content_hash
    from support.factories import as_system

    push(client, base("D5"))
    record = document("D5-1", enterprise_id="E-D5")
    # As a push before migration 0022 left it: the mapping with the data, no row.
    with db(app) as session, as_system(), unit_of_work(session):
        session.add(
            DockingRecord(
                source=SOURCE,
                record_type="document",
                external_id="D5-1",
                region_code=DONGHU,
                local_id=None,
                content_hash=content_hash(record["data"]),
                data=record["data"],
            )
        )
    answer = push(client, [record])
    assert (answer["accepted"], answer["unchanged"]) == (1, 0)
    assert "（洪东）应急检记〔2026〕D5-1号" in rows(app)
    assert push(client, [record], batch_id="again")["unchanged"] == 1
