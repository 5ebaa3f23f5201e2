"""A docked case or inspection is read-only everywhere: its 执法文书 panel offers no 生成… button
(a local one does) and says why, and generating a document for it is refused in Chinese."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from enforcement.models import Case, Document, Inspection
from support.demo import DONGHU, db
from support.docking import SOURCE, YX01, base, demo_subject, hazard, inspection, push, result
from support.web import logged_in

BUTTONS = 'class="panel-body document-buttons"'
READ_ONLY = 'id="document-read-only"'


def docked_case(client: Any) -> None:
    push(client, [*base("RO"), inspection("RO", [result(YX01, "fail")]), hazard("RO", YX01)])
    case = {
        "type": "case",
        "id": "C-RO",
        "data": {
            "title": "对接流程测试RO有限公司有限空间作业未经审批案",
            "enterprise_id": "E-RO",
            "region_code": DONGHU,
            "stage": "investigation",
            "filed_on": "2026-03-05",
            "hazard_ids": ["H-RO"],
            "stage_history": [{"stage": "filed", "at": "2026-03-05T10:00:00+08:00"}],
        },
    }
    answer = push(client, [case])
    assert answer["rejected"] == [], answer["rejected"]


def test_a_docked_case_and_inspection_offer_no_generate_buttons_and_refuse_a_draft(app, client):
    docked_case(client)
    with db(app) as session:
        case_id = session.scalars(select(Case.id).where(Case.docking_source == SOURCE)).one()
        inspection_id = session.scalars(
            select(Inspection.id)
            .where(Inspection.docking_source == SOURCE)
            .order_by(Inspection.id.desc())
        ).first()
        documents = session.scalar(select(func.count()).select_from(Document))
    desk = logged_in(app, "donghu")
    local_case = desk.get(f"/cases/{demo_subject(app, Case)}").get_data(as_text=True)
    assert BUTTONS in local_case and "生成" in local_case and READ_ONLY not in local_case

    page = desk.get(f"/cases/{case_id}").get_data(as_text=True)
    assert BUTTONS not in page and READ_ONLY in page
    assert "该案件为江西省对接数据，在本平台只读" in page
    shown = desk.get(f"/inspection/show/{inspection_id}")
    assert shown.status_code == 200
    page = shown.get_data(as_text=True)
    assert BUTTONS not in page and "该检查为江西省对接数据，在本平台只读" in page

    for form, subject in (
        ("inquiry_record", f"case:{case_id}"),
        ("inspection_record", f"inspection:{inspection_id}"),
    ):
        refused = desk.post("/documents/new", data={"form": form, "subject": subject})
        assert refused.status_code == 422, subject
        assert "在本平台只读，不能在此生成新的执法文书" in refused.get_data(as_text=True)
    with db(app) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == documents
