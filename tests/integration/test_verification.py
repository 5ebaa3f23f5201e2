"""扫码验真: a finalized document's QR code (decoded off the rendered page) opens a public page that
shows its 文号, status and the PDF's SHA-256 and nothing else; equipment labels open the equipment's
checks for an inspector of its jurisdiction only."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from enforcement.services import documents as service
from enforcement.services import verification
from support import factories
from support.demo import DONGHU, JINJIANG, db, enterprise_in
from support.pdfs import decode_qr, page_qr_codes, pdf_images
from support.web import logged_in


def finalized(app, form_code="rectification_order", region=DONGHU, user="donghu"):
    with db(app) as session:
        document = service.draft(session, form_code, enterprise_in(session, region), user)
        blanks = service.blank_required(document)
        if blanks:
            service.update_free_text(session, document, {p: "（已填写）" for p in blanks}, user)
        document = service.finalize(session, document, user, data_dir=Path(app.config["DATA_DIR"]))
        pdf = service.render_pdf(document, data_dir=Path(app.config["DATA_DIR"]))
        return document.id, document.number, document.verify_token, document.sha256, pdf


def visible_text(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return [t.strip() for t in tree.body.itertext() if t.strip()]


def test_the_qr_code_printed_on_a_finalized_pdf_decodes_to_its_verification_url(app):
    app.config["PUBLIC_BASE_URL"] = "https://zhifa.example.gov.cn"
    try:
        _id, _number, token, sha256, pdf = finalized(app)
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    url = f"https://zhifa.example.gov.cn/verify/{token}"
    assert page_qr_codes(pdf) == [url]  # scanned off the rendered page, as a phone would
    assert url in [text for image in pdf_images(pdf) for text in decode_qr(image)]
    assert hashlib.sha256(pdf).hexdigest() == sha256


def test_the_verification_page_shows_number_status_and_hash_and_nothing_else(app):
    _id, number, token, sha256, _pdf = finalized(app)
    response = app.test_client().get(f"/verify/{token}")  # no login
    assert response.status_code == 200
    assert visible_text(response.get_data(as_text=True)) == [
        "执法文书验真",
        "文号",
        number,
        "状态",
        "有效",
        "文书电子文件摘要（SHA-256）",
        sha256,
    ]
    assert len(token) == 22 and str(_id) != token


def test_a_superseded_document_verifies_as_no_longer_in_force(app):
    document_id, _number, token, _sha, _pdf = finalized(app)
    with db(app) as session:
        from enforcement.models import Document

        newer = service.supersede(session, session.get(Document, document_id), "donghu")
        service.update_free_text(session, newer, {"problems": "更正后的问题"}, "donghu")
        service.finalize(session, newer, "donghu", data_dir=Path(app.config["DATA_DIR"]))
    page = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "已被新版本替代，不再有效" in page


@pytest.mark.parametrize(
    "token", ["x" * 22, "AAAAAAAAAAAAAAAAAAAAAA", "1", "../../etc/passwd", "%00" * 8]
)
def test_a_wrong_token_answers_404(app, token):
    assert app.test_client().get(f"/verify/{token}").status_code == 404


def test_a_draft_has_no_verification_and_its_page_no_link(app):
    with db(app) as session:
        draft = service.draft(
            session, "rectification_order", enterprise_in(session, DONGHU), "donghu"
        )
        assert draft.verify_token is None and "verification" not in draft.content
        draft_id = draft.id
    page = logged_in(app, "donghu").get(f"/documents/{draft_id}/edit").get_data(as_text=True)
    assert 'id="verify-link"' not in page


def test_the_document_page_shows_the_same_verification_link(app):
    document_id, _number, token, _sha, _pdf = finalized(app)
    page = logged_in(app, "donghu").get(f"/documents/{document_id}/edit").get_data(as_text=True)
    assert f"/verify/{token}" in page


def test_verification_lookups_are_rate_limited_per_address(app):
    _id, _number, token, _sha, _pdf = finalized(app)
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        codes = [client.get(f"/verify/{token}").status_code for _ in range(4)]
    finally:
        app.config["VERIFY_RATE_LIMIT"] = "30 per minute"
    assert codes == [200, 200, 200, 429]


def test_an_equipment_label_opens_its_checks_for_an_inspector_of_its_county_only(app):
    with db(app) as session:
        with factories.as_system():
            own = factories.equipment(session, enterprise_in(session, DONGHU), "1号除尘器")
            foreign = factories.equipment(session, enterprise_in(session, JINJIANG), "锦江除尘器")
        own_id, foreign_id = own.id, foreign.id
    client = logged_in(app, "donghu")
    label = client.get(f"/equipment-label/{own_id}")
    assert label.status_code == 200
    uri = re.findall(r'src="data:image/png;base64,([^"]+)"', label.get_data(as_text=True))[0]
    target = decode_qr(Image.open(io.BytesIO(base64.b64decode(uri))))[0]
    assert target.endswith(f"/equipment-label/{own_id}/checks")
    checks = client.get(target.split("localhost", 1)[-1])
    assert checks.status_code == 200 and "1号除尘器" in checks.get_data(as_text=True)

    assert client.get(f"/equipment-label/{foreign_id}").status_code == 404
    assert client.get(f"/equipment-label/{foreign_id}/checks").status_code == 404
    owner = logged_in(app, "jinjiang")
    assert owner.get(f"/equipment-label/{foreign_id}/checks").status_code == 200
    anonymous = app.test_client().get(f"/equipment-label/{own_id}/checks")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_verification_url_uses_the_public_base_url_when_set(app):
    with app.test_request_context("/", base_url="http://127.0.0.1:8080/"):
        assert verification.public_url("t" * 22) == "http://127.0.0.1:8080/verify/" + "t" * 22
        app.config["PUBLIC_BASE_URL"] = "https://zhifa.example.gov.cn/"
        try:
            assert verification.public_url("t" * 22) == (
                "https://zhifa.example.gov.cn/verify/" + "t" * 22
            )
        finally:
            app.config["PUBLIC_BASE_URL"] = None


def test_a_document_an_admin_deleted_verifies_as_withdrawn(app):
    document_id, _number, token, _sha, _pdf = finalized(app)
    with db(app) as session:
        from enforcement.models import Document

        service.delete(session, session.get(Document, document_id), "文号错误，已收回", "system")
    page = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "已撤销，不再有效" in page and "文号错误" not in page


def test_a_draft_pdf_carries_no_qr_code(app):
    with db(app) as session:
        draft = service.draft(
            session, "rectification_order", enterprise_in(session, DONGHU), "donghu"
        )
        pdf = service.render_pdf(draft)
    assert page_qr_codes(pdf) == []


def test_the_equipment_page_links_to_its_label_and_checks(app):
    with db(app) as session:
        with factories.as_system():
            own = factories.equipment(session, enterprise_in(session, DONGHU), "2号除尘器")
        own_id = own.id
    page = logged_in(app, "donghu").get(f"/equipment/show/{own_id}").get_data(as_text=True)
    assert f"/equipment-label/{own_id}" in page and f"/equipment-label/{own_id}/checks" in page
