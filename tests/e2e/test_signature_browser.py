"""电子签名 on a phone (390 px, touch): an inspector and the enterprise's person sign a 责令限期整改指令书
with a finger, the person's refusal is recorded with a witness, the draft is finalized, and the
PDF carries the signatures, the 拒签 line and a QR code that opens the public verification page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from enforcement.services import documents as service
from support.demo import DEMO_PASSWORD, DONGHU, db, enterprise_in
from support.pdfs import page_qr_codes, pdf_images, pdf_text
from support.touch import draw_with_finger

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"


@pytest.fixture
def viewport() -> str:
    """Signatures are a phone's job: this module runs on the 390-px touch viewport only."""
    return "phone"


def draft_order(app) -> int:
    with db(app) as session:
        document = service.draft(
            session, "rectification_order", enterprise_in(session, DONGHU), "donghu"
        )
        service.update_free_text(
            session,
            document,
            {"problems": "有限空间作业未执行审批制度", "date": "2026年11月29日"},
            "donghu",
        )
        return document.id


def test_signatures_drawn_by_touch_on_a_phone_are_printed_in_the_finalized_pdf(browsing):
    page = browsing.page
    assert page.viewport_size["width"] == 390
    document_id = draft_order(browsing.server.app)
    browsing.log_in("donghu", DEMO_PASSWORD)
    browsing.goto(f"/documents/{document_id}/edit")
    page.tap("#signatures")
    expect(page.locator("#signatures-page")).to_be_visible()
    browsing.shot("blocks")

    # The first officer signs with a finger.
    page.tap("#block-inspector1 .sig-sign")
    expect(page.locator("#sign-pad")).to_be_visible()
    pad = page.locator("#sign-pad").bounding_box()
    assert pad is not None and pad["width"] >= 300  # the whole width of the phone, nearly
    page.tap("#sign-save")  # empty: refused in the page, nothing sent
    expect(page.locator("#sign-error")).to_have_text("请在框内签名后再保存")
    draw_with_finger(page, "#sign-pad")
    expect(page.locator("#sign-error")).to_have_text("")  # the stroke answered the note
    browsing.shot("signed")
    with page.expect_navigation():
        page.tap("#sign-save")
    expect(page.locator("#block-inspector1 .label-success")).to_have_text("已签名")
    expect(page.locator("#block-inspector1 img.sig-thumb")).to_be_visible()

    # The enterprise's person refuses; the witness is named.
    page.tap("#block-party summary")
    page.fill("#refuse-signer", "赵六")
    page.fill("#refuse-witness", "王五")
    with page.expect_navigation():
        page.tap("#refuse-submit")
    expect(page.locator("#block-party .sig-refused")).to_contain_text("拒签（见证人：王五）")
    browsing.shot("refused")

    browsing.goto(f"/documents/{document_id}/edit")
    with page.expect_navigation():
        page.tap("#finalize")
    expect(page.locator("#document-edit")).to_have_attribute("data-status", "final")
    verify_link = page.locator("#verify-link a").get_attribute("href")
    browsing.shot("final")

    response = page.request.get(f"/documents/{document_id}/pdf")
    assert response.ok
    pdf = response.body()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "signed_rectification_order-phone.pdf").write_bytes(pdf)
    text = pdf_text(pdf)
    assert "拒签（见证人：王五）" in text
    # The canvas's PNG (CSS size × the phone's pixel ratio of 2) is in the PDF, beside the QR code.
    drawn = [image for image in pdf_images(pdf) if image.size[0] >= 2 * 300]
    assert drawn, [image.size for image in pdf_images(pdf)]
    assert drawn[0].convert("LA").getchannel("A").getbbox() is not None  # ink, not a blank
    codes = page_qr_codes(pdf)
    assert len(codes) == 1 and codes[0].endswith(verify_link)

    # Anyone scanning the code, without logging in, sees the document's number and status.
    public = browsing.page.context.browser.new_context(base_url=browsing.server.url)
    try:
        other = public.new_page()
        other.goto(codes[0])
        expect(other.locator("#verify-status")).to_have_text("有效")
        expect(other.locator("#verify-number")).to_contain_text("应急责改")
    finally:
        public.close()
