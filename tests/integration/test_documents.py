"""执法文书: generated from the record, numbered without gaps, frozen when final, PDF + DOCX with the
CJK font embedded, deleted (softly, with a reason) by an admin only, and archived as a 案卷."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.documents import DocumentError, forms
from enforcement.models import AuditLog, Department, Document
from enforcement.models.document import FrozenDocument
from enforcement.services import case_file
from enforcement.services import documents as service
from support import factories
from support.demo import DONGHU, JINJIANG, db, enterprise_in
from support.web import logged_in

IMPLEMENTED = [code for code, form in forms().items() if form.implemented]
ROOT = Path(__file__).resolve().parents[2]
CJK_FONT = (
    ROOT / "node_modules/@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf"
)


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def squeeze(value: str) -> str:
    return "".join(value.split())


def complete(session, document):
    """What the inspector types before finalizing: every part a final document may not lack."""
    blanks = service.blank_required(document)
    if blanks:
        service.update_free_text(session, document, {path: "（已填写）" for path in blanks})
    return document


def pdf_fonts(data: bytes) -> list[dict]:
    """Every font dictionary of every page, descended into Type0 fonts."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                found.append(descendant.get_object())
    return found


@pytest.fixture
def session(app):
    with app.app_context():
        yield app.appbuilder.session


@pytest.fixture
def enterprise(session):
    return enterprise_in(session, DONGHU)


@pytest.fixture
def data_dir(app):
    return Path(app.config["DATA_DIR"])


def test_catalogue_lists_every_2017_form_with_stage_and_source():
    catalogue = forms()
    names = [form.name for form in catalogue.values()]
    assert len(catalogue) >= 48
    for name in ("立案审批表", "责令限期整改指令书", "文书送达回执", "结案审批表", "卷内目录"):
        assert name in names
    assert all(form.stage and form.source and form.confidence for form in catalogue.values())
    assert catalogue["rectification_order"].number_code == "责改"
    assert catalogue["rectification_order"].to_enterprise
    assert not catalogue["case_filing_approval"].to_enterprise
    assert len(IMPLEMENTED) >= 14


@pytest.mark.parametrize("form_code", IMPLEMENTED)
def test_each_implemented_form_renders_from_a_demo_subject_with_party_number_and_basis(
    session, enterprise, data_dir, form_code
):
    document = service.draft(session, form_code, enterprise, "donghu")
    assert document.status == "draft" and document.region_code == DONGHU
    document = service.finalize(session, complete(session, document), "donghu", data_dir=data_dir)
    data = service.render_pdf(document, data_dir=data_dir)
    text = pdf_text(data)
    assert squeeze(enterprise.name) in text
    assert squeeze(document.content["legal_basis"]) in text
    assert squeeze(forms()[form_code].name) in text
    if forms()[form_code].numbered:
        assert document.number.startswith("（赣东）应急") and document.number in text
    # fonts embedded (a subset of the shipped Noto Serif SC), never a fallback without a font file
    fonts = pdf_fonts(data)
    assert fonts and all("NotoSerifSC" in str(f["/BaseFont"]).replace("-", "") for f in fonts)
    assert all(
        any(k in f["/FontDescriptor"] for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        for f in fonts
    )
    # the DOCX carries the same text
    word = docx.Document(io.BytesIO(service.render_docx(document)))
    word_text = squeeze("".join(p.text for p in word.paragraphs))
    assert squeeze(enterprise.name) in word_text
    assert squeeze(document.content["legal_basis"]) in word_text
    if document.number:
        assert document.number in word_text


def test_every_character_of_a_rendered_form_has_a_glyph_in_the_embedded_font(
    session, enterprise, data_dir
):
    from fontTools.ttLib import TTFont

    document = service.draft(session, "penalty_decision_unit", enterprise, "donghu")
    text = service.preview_html(document)
    from lxml import html

    visible = html.fromstring(text).body.text_content()
    cmap = TTFont(str(CJK_FONT), lazy=True).getBestCmap()
    missing = {c for c in visible if not c.isspace() and ord(c) not in cmap}
    assert missing == set()
    assert "，" in visible and "：" in visible and "（" in visible  # full-width punctuation


def test_the_final_pdf_is_stored_under_data_dir_with_its_sha256(session, enterprise, data_dir):
    import hashlib

    document = service.finalize(
        session,
        complete(session, service.draft(session, "rectification_order", enterprise, "donghu")),
        "donghu",
        data_dir=data_dir,
    )
    stored = (data_dir / document.file_path).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert service.render_pdf(document, data_dir=data_dir) == stored


def test_free_text_edits_reach_the_pdf_and_a_finalized_document_cannot_change(
    session, enterprise, data_dir
):
    document = service.draft(session, "rectification_order", enterprise, "donghu")
    service.update_free_text(
        session, document, {"problems": "1. 粉尘清扫制度未落实\n2. 未设置安全警示标志"}, "donghu"
    )
    with pytest.raises(service.DocumentError):
        service.update_free_text(session, document, {"party.name": "改名"}, "donghu")
    document = service.finalize(session, complete(session, document), "donghu", data_dir=data_dir)
    text = pdf_text(service.render_pdf(document, data_dir=data_dir))
    assert "1.粉尘清扫制度未落实" in text and "2.未设置安全警示标志" in text

    with pytest.raises(service.DocumentError):
        service.update_free_text(session, document, {"problems": "改过的"}, "donghu")
    with pytest.raises(service.DocumentError):
        service.finalize(session, complete(session, document), "donghu", data_dir=data_dir)
    document.content = {**document.content, "problems": "偷偷改"}
    with pytest.raises(FrozenDocument):
        session.commit()
    session.rollback()
    document.number = "（赣东）应急责改〔2026〕999号"
    with pytest.raises(FrozenDocument):
        session.commit()
    session.rollback()
    assert session.get(Document, document.id).content["problems"].startswith("1. 粉尘")


def test_supersede_creates_a_new_version_and_marks_the_old_one_when_finalized(
    session, enterprise, data_dir
):
    first = service.finalize(
        session,
        complete(session, service.draft(session, "penalty_notice", enterprise, "donghu")),
        "donghu",
        data_dir=data_dir,
    )
    second = service.supersede(session, first, "donghu")
    assert (second.status, second.version, second.supersedes_id) == ("draft", 2, first.id)
    service.update_free_text(session, second, {"penalty": "罚款人民币贰万元整"}, "donghu")
    second = service.finalize(session, complete(session, second), "donghu", data_dir=data_dir)
    assert session.get(Document, first.id).status == "superseded"
    assert second.number != first.number and second.serial == first.serial + 1
    assert "罚款人民币贰万元整" in pdf_text(service.render_pdf(second, data_dir=data_dir))


def test_twenty_concurrent_finalizations_get_consecutive_numbers_without_gap_or_duplicate(
    app, session, enterprise, data_dir
):
    department = session.scalar(select(Department).where(Department.region_code == DONGHU))
    drafts = [
        complete(
            session, service.draft(session, "onsite_measures_decision", enterprise, "donghu")
        ).id
        for _ in range(20)
    ]
    engine = session.get_bind()
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def work(document_id: int) -> None:
        with app.app_context(), Session(bind=engine) as own:
            try:
                start.wait()
                service.finalize(own, own.get(Document, document_id), "donghu", data_dir=data_dir)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()  # a fresh snapshot (SQLite WAL keeps the old one inside a transaction)
    serials = sorted(
        session.scalars(
            select(Document.serial).where(
                Document.department_id == department.id,
                Document.number_code == "现决",
                Document.serial.is_not(None),
            )
        )
    )
    assert serials == list(range(1, len(serials) + 1))  # no gap, no duplicate, from 1
    ours = session.scalars(select(Document).where(Document.id.in_(drafts))).all()
    assert len({d.number for d in ours}) == 20 and all(d.status == "final" for d in ours)


def test_the_filing_approval_of_a_case_carries_the_case_number(session, data_dir):
    import datetime as dt

    from enforcement.models import DocumentCounter, Enforcer
    from enforcement.services import cases

    today = dt.date.today()
    department = session.scalar(select(Department).where(Department.region_code == DONGHU))
    team = session.scalars(
        select(Enforcer).where(Enforcer.department_id == department.id).order_by(Enforcer.id)
    ).all()[:2]
    case = cases.open_case(
        session,
        factories.enterprise(session, DONGHU),
        team,
        source="inspection",
        facts="现场检查发现除尘系统未设置泄爆装置，积尘未清理。",
        discovered_on=today - dt.timedelta(days=1),
        filed_on=today,
        actor="donghu",
    )
    assert case.number.startswith(f"（赣东）应急立〔{today.year}〕")  # the 立案审批表's 代字

    def counter() -> int:
        return session.get(
            DocumentCounter, (department.id, today.year, "立"), populate_existing=True
        ).last_serial

    drawn = counter()
    document = service.draft(session, "case_filing_approval", ("case", case.id), "donghu")
    document = service.finalize(session, complete(session, document), "donghu", data_dir=data_dir)
    assert document.number == case.number and document.content["number"] == case.number
    newer = service.supersede(session, document, "donghu")
    newer = service.finalize(session, complete(session, newer), "donghu", data_dir=data_dir)
    assert newer.number == case.number  # a corrected version is still the same paper
    assert counter() == drawn  # the case drew its serial: finalizing draws none
    # A 立案审批表 of no case draws from the same counter, after the case: never the same number.
    loose = service.draft(
        session, "case_filing_approval", factories.enterprise(session, DONGHU), "donghu"
    )
    loose = service.finalize(session, complete(session, loose), "donghu", data_dir=data_dir)
    assert loose.serial == drawn + 1 and loose.number != case.number


def test_only_an_admin_deletes_a_document_with_a_reason_and_can_restore_it_audited(
    session, enterprise, data_dir
):
    document = service.draft(session, "inspection_record", enterprise, "donghu")
    with pytest.raises(PermissionError):
        service.delete(session, document, "录入错误", "nanchang")  # a leader
    with pytest.raises(PermissionError):
        service.delete(session, document, "录入错误", "donghu")
    with pytest.raises(service.DocumentError):
        service.delete(session, document, "  ", "admin")
    service.delete(session, document, "重复生成", "admin")
    document_id = document.id
    session.expire_all()
    assert session.scalar(select(Document).where(Document.id == document_id)) is None
    assert document_id in [d.id for d in service.deleted_documents(session)]
    log = session.scalars(
        select(AuditLog).where(
            AuditLog.entity == "document", AuditLog.entity_id == str(document_id)
        )
    ).all()
    assert [
        (e.action, e.reason, e.new_values["deleted_by"]) for e in log if e.action == "delete"
    ] == [("delete", "重复生成", "admin")]
    deleted = service.get_deleted(session, document_id)
    service.restore(session, deleted, "admin")
    assert session.get(Document, document_id) is not None
    assert "restore" in [
        e.action
        for e in session.scalars(
            select(AuditLog).where(
                AuditLog.entity == "document", AuditLog.entity_id == str(document_id)
            )
        )
    ]


def test_blank_forms_download_for_every_catalogue_entry(session):
    for code in ("seizure_decision", "rectification_order", "legal_review_opinion"):
        data = service.blank(code, "pdf")
        assert data.startswith(b"%PDF") and squeeze(forms()[code].name) in pdf_text(data)
        word = docx.Document(io.BytesIO(service.blank(code, "docx")))
        assert forms()[code].name in [p.text for p in word.paragraphs]


def test_case_file_has_cover_contents_and_documents_in_legal_order(session, data_dir):
    case = factories.case(session)
    # Drafted out of order: the case file puts them in the order of the filing rules.
    for code in ("case_closing_approval", "case_filing_approval", "penalty_decision_unit"):
        document = service.draft(session, code, f"case:{case.id}", "donghu")
        service.finalize(session, complete(session, document), "donghu", data_dir=data_dir)
    data = case_file.case_file_pdf(session, case, retention="永久", data_dir=data_dir)
    reader = PdfReader(io.BytesIO(data))
    pages = [squeeze(page.extract_text()) for page in reader.pages]
    assert "案卷（首页）" in pages[0] and "永久" in pages[0]
    assert "卷内目录" in pages[1]
    order = [
        next(i for i, p in enumerate(pages) if name in p and i > 1)
        for name in ("行政处罚决定书（单位）", "立案审批表", "结案审批表")
    ]
    assert order == sorted(order)


# Pages ------------------------------------------------------------------------------------------


def test_an_inspector_generates_edits_finalizes_and_downloads_a_rectification_order(
    as_user, app, enterprise
):
    client = as_user("donghu")
    subject = f"enterprise:{enterprise.id}"
    confirm = client.get(f"/documents/new?form=rectification_order&subject={subject}")
    assert confirm.status_code == 200 and enterprise.name in confirm.get_data(as_text=True)
    created = client.post(
        "/documents/new", data={"form": "rectification_order", "subject": subject}
    )
    assert created.status_code == 302
    edit_url = created.headers["Location"]
    document_id = int(edit_url.rstrip("/").split("/")[-2])
    page = client.get(edit_url).get_data(as_text=True)
    assert "存在问题" in page and "保存并定稿" in page

    too_long = client.post(edit_url, data={"problems": "长" * 5000, "legal_basis": "保留我"})
    body = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and "内容过长" in body and "保留我" in body

    finalized = client.post(
        edit_url,
        data={
            "problems": "除尘器泄爆口朝向人员通道",
            "legal_basis": "《中华人民共和国安全生产法》第六十五条",
            "date": "2026年3月5日",
            "then": "finalize",
        },
    )
    assert finalized.status_code == 302
    with app.app_context():
        document = app.appbuilder.session.get(Document, document_id)
        number = document.number
        assert document.status == "final" and number.startswith("（赣东）应急责改〔")
    pdf = client.get(f"/documents/{document_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert number in pdf_text(pdf.data) and "除尘器泄爆口朝向人员通道" in pdf_text(pdf.data)
    word = client.get(f"/documents/{document_id}/docx")
    assert number in "".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert client.post(edit_url, data={"problems": "改"}).status_code == 422
    listing = client.get("/documents/?q=" + number).get_data(as_text=True)
    assert number in listing
    export = client.get("/documents/export/")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_a_document_of_another_county_answers_404_on_every_page(app):
    with db(app) as session:  # closed before the requests: each request has its own context
        foreign = enterprise_in(session, JINJIANG)
        document_id = service.draft(session, "inspection_record", foreign, "jinjiang").id
        foreign_id, foreign_name = foreign.id, foreign.name
    pages = [
        f"/documents/{document_id}/edit",
        f"/documents/{document_id}/docx",
        f"/documents/{document_id}/preview",
        f"/documents/new?form=inspection_record&subject=enterprise:{foreign_id}",
    ]
    client = logged_in(app, "donghu")
    for url in [*pages, f"/documents/{document_id}/pdf"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/documents/{document_id}/finalize").status_code == 404
    with db(app) as session:
        assert session.get(Document, document_id).number is None
    assert foreign_name not in client.get("/documents/").get_data(as_text=True)
    owner = logged_in(app, "jinjiang")  # the same pages are there for the county of the record
    for url in pages:
        assert owner.get(url).status_code == 200, url
    assert foreign_name in owner.get("/documents/").get_data(as_text=True)


def test_the_template_library_lists_every_form_with_blank_downloads(as_user):
    client = as_user("donghu")
    page = client.get("/document-templates/").get_data(as_text=True)
    assert page.count('class="template-row"') >= 48
    assert "仅空白模板" in page and "可生成" in page
    found = client.get("/document-templates/?q=查封").get_data(as_text=True)
    assert "查封扣押决定书" in found and "询问笔录" not in found
    blank_pdf = client.get("/document-templates/blank/seizure_decision.pdf")
    assert blank_pdf.status_code == 200 and "查封扣押决定书" in pdf_text(blank_pdf.data)
    blank_docx = client.get("/document-templates/blank/seizure_decision.docx")
    assert blank_docx.status_code == 200 and blank_docx.data[:2] == b"PK"
    assert client.get("/document-templates/blank/nothing.pdf").status_code == 404


def test_only_the_admin_page_deletes_with_a_reason_and_restores(as_user, app, session, enterprise):
    document = service.draft(session, "hearing_notice", enterprise, "donghu")
    inspector = as_user("donghu")
    assert inspector.get("/document-admin/").status_code != 200
    assert (
        inspector.post(f"/document-admin/delete/{document.id}", data={"reason": "x"}).status_code
        != 200
    )
    session.expire_all()
    assert service.get_deleted(session, document.id) is None

    inspector.get("/logout/")
    admin = as_user("admin")
    assert admin.get("/document-admin/").status_code == 200
    admin.post(f"/document-admin/delete/{document.id}", data={"reason": " "})
    session.rollback()
    assert service.get_deleted(session, document.id) is None  # no reason, no deletion
    admin.post(f"/document-admin/delete/{document.id}", data={"reason": "当事人名称错误"})
    session.rollback()
    assert service.get_deleted(session, document.id).delete_reason == "当事人名称错误"
    page = admin.get("/document-admin/").get_data(as_text=True)
    assert "当事人名称错误" in page
    entry = session.scalars(
        select(AuditLog).where(
            AuditLog.entity == "document",
            AuditLog.entity_id == str(document.id),
            AuditLog.action == "delete",
        )
    ).one()
    assert (entry.username, entry.reason) == ("admin", "当事人名称错误")
    admin.post(f"/document-admin/restore/{document.id}")
    session.rollback()
    assert session.scalar(select(Document).where(Document.id == document.id)) is not None


def test_documents_are_filled_from_workbench_records_inspection_hazard_and_order(session, data_dir):
    from enforcement.models import Hazard, Inspection, RectificationOrder

    hazard = session.scalars(select(Hazard).order_by(Hazard.id)).first()
    assert hazard is not None, "the demo data set has hazards"
    inspection = session.get(Inspection, hazard.inspection_id)
    record = service.draft(session, "inspection_record", f"inspection:{inspection.id}", "admin")
    assert (record.subject_kind, record.subject_id) == ("inspection", inspection.id)
    assert record.region_code == inspection.region_code
    assert record.enterprise_id == inspection.enterprise_id
    assert hazard.title in "".join(record.content["findings"])
    assert record.content["agency"]["name"]  # the enterprise's bureau issues it

    order_doc = service.draft(session, "rectification_order", f"hazard:{hazard.id}", "admin")
    order_doc = service.finalize(session, complete(session, order_doc), "admin", data_dir=data_dir)
    text = pdf_text(service.render_pdf(order_doc, data_dir=data_dir))
    assert squeeze(hazard.title) in text and squeeze(hazard.enterprise.name) in text
    assert order_doc.number in text

    order = session.scalars(select(RectificationOrder).order_by(RectificationOrder.id)).first()
    assert order is not None, "the demo data issues rectification orders"
    review = service.draft(session, "rectification_review", f"rectification:{order.id}", "admin")
    assert review.content["original"]["number"] == order.number


def test_the_rectification_review_takes_the_opinion_written_at_the_re_inspection(session):
    from enforcement.models import RectificationOrder, Task
    from enforcement.services import rectification

    order = session.scalars(
        select(RectificationOrder)
        .where(RectificationOrder.recheck_task_id.is_not(None))
        .order_by(RectificationOrder.id)
    ).first()
    assert order is not None, "the demo data re-inspects an order"
    task = session.get(Task, order.recheck_task_id)
    rectification.record_recheck_opinion(session, task, "经复查，第一项隐患已整改完毕。")
    review = service.draft(session, "rectification_review", f"rectification:{order.id}", "admin")
    assert review.content["opinion"] == "经复查，第一项隐患已整改完毕。"


def test_a_rectification_order_takes_the_number_of_its_finalized_document(session, data_dir):
    from enforcement.models import RectificationOrder

    order = session.scalars(
        select(RectificationOrder)
        .where(RectificationOrder.number.startswith("（待定稿）"))
        .order_by(RectificationOrder.id)
    ).first()
    assert order is not None, "the demo data has an order whose document is not finalized"
    document = service.draft(session, "rectification_order", f"rectification:{order.id}", "admin")
    document = service.finalize(session, complete(session, document), "admin", data_dir=data_dir)
    session.refresh(order)
    assert document.number and "责改" in document.number
    assert order.number == document.number


def test_a_demo_case_is_carried_to_its_case_file_with_every_case_document(session, data_dir):
    from enforcement.models.case import Case

    case = session.scalars(select(Case).order_by(Case.id)).first()
    assert case is not None, "the demo data set has cases"
    codes = [
        "case_filing_approval",
        "inquiry_record",
        "case_review_approval",
        "penalty_notice",
        "hearing_notice",
        "penalty_decision_unit",
        "service_receipt",
        "case_closing_approval",
    ]
    numbers = []
    for code in codes:
        document = service.draft(session, code, f"case:{case.id}", "admin")
        assert document.region_code == case.region_code
        assert document.content["case"]["name"] == case.title
        document = service.finalize(
            session, complete(session, document), "admin", data_dir=data_dir
        )
        numbers.append(document.number)
    assert len(set(numbers)) == len(numbers)
    data = case_file.case_file_pdf(session, case, retention="定期10年", data_dir=data_dir)
    pages = [squeeze(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]
    assert "案卷（首页）" in pages[0] and "定期10年" in pages[0]
    assert squeeze(case.title) in pages[0]
    assert all(n in pages[1] for n in numbers if n)  # 卷内目录 lists every 文号
    decision = next(i for i, p in enumerate(pages) if "行政处罚决定书（单位）" in p and i > 1)
    closing = next(i for i, p in enumerate(pages) if "结案审批表" in p and i > 1)
    assert decision < closing


def test_case_file_includes_the_inspection_record_the_case_came_from(session, data_dir):
    from enforcement.models.case import Case, case_hazard
    from enforcement.models.workbench import Hazard

    hazard = session.scalars(
        select(Hazard).join(case_hazard, case_hazard.c.hazard_id == Hazard.id).order_by(Hazard.id)
    ).first()
    assert hazard is not None, "the demo data escalates hazards to cases"
    case_id = session.scalar(
        select(case_hazard.c.case_id).where(case_hazard.c.hazard_id == hazard.id)
    )
    record = service.draft(
        session, "inspection_record", f"inspection:{hazard.inspection_id}", "admin"
    )
    record = service.finalize(session, complete(session, record), "admin", data_dir=data_dir)
    unrelated = service.draft(
        session, "inspection_record", ("enterprise", hazard.enterprise_id), "admin"
    )
    case = session.get(Case, case_id)
    listed = [d.id for d in case_file.case_documents(session, case)]
    assert record.id in listed
    assert unrelated.id not in listed
    pages = [
        squeeze(p.extract_text())
        for p in PdfReader(
            io.BytesIO(case_file.case_file_pdf(session, case, data_dir=data_dir))
        ).pages
    ]
    assert record.number in pages[1]  # 卷内目录


def test_case_file_downloads_in_the_jurisdiction_only(app):
    from enforcement.models.case import Case

    with app.app_context():  # closed before the requests: each request has its own context
        case_id = app.appbuilder.session.scalar(
            select(Case.id).where(Case.region_code == "360102").order_by(Case.id)
        )
    assert case_id is not None
    clients = {}
    for username in ("donghu", "jinjiang"):
        clients[username] = logged_in(app, username)
    response = clients["donghu"].get(f"/documents/case-file/{case_id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert clients["jinjiang"].get(f"/documents/case-file/{case_id}.pdf").status_code == 404


def test_each_step_page_offers_its_documents_and_lists_the_generated_ones(app):
    from enforcement.models.case import Case
    from enforcement.models.workbench import Inspection

    with app.app_context():  # closed before the requests: each request has its own context
        session = app.appbuilder.session
        case_id = session.scalar(
            select(Case.id).where(Case.region_code == "360102").order_by(Case.id)
        )
        inspection_id = session.scalar(
            select(Inspection.id).where(Inspection.region_code == "360102").order_by(Inspection.id)
        )
    client = logged_in(app, "donghu")

    inspection_page = client.get(f"/inspection/show/{inspection_id}").get_data(as_text=True)
    assert "生成现场检查记录" in inspection_page
    assert f"subject=inspection:{inspection_id}" in inspection_page

    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    for name in ("生成立案审批表", "生成行政处罚告知书", "生成结案审批表", "下载案卷（PDF）"):
        assert name in case_page
    created = client.post(
        "/documents/new", data={"form": "case_filing_approval", "subject": f"case:{case_id}"}
    )
    assert created.status_code == 302
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert created.headers["Location"].split("?")[0] in case_page  # the draft is listed


def test_a_document_is_not_finalized_with_a_required_part_left_blank(app, session, enterprise):
    document = service.draft(session, "case_filing_approval", enterprise, "donghu")
    document_id = document.id
    service.update_free_text(session, document, {"case.name": " "})
    with pytest.raises(DocumentError, match="定稿前请填写案由"):
        service.finalize(session, document, "donghu")
    session.rollback()
    client = logged_in(app, "donghu")
    page = client.post(
        f"/documents/{document_id}/edit",
        data={"case.name": "", "case.summary": "现场检查发现未设置泄爆装置", "then": "finalize"},
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "定稿前请填写案由" in html and "现场检查发现未设置泄爆装置" in html  # typed text kept
    session.expire_all()
    kept = session.get(Document, document_id)
    assert kept.status == "draft" and kept.number is None
