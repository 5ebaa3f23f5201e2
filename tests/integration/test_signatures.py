"""电子签名: collected on the draft, checked, replaced by soft delete (audited), frozen and printed
when the document is finalized; a refusal (拒签) names its witness and prints as such."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import select

from enforcement.db.scoping import UNSCOPED
from enforcement.domain.errors import Refused
from enforcement.models import AuditLog, DocumentSignature
from enforcement.services import documents as service
from enforcement.services import signatures
from support.demo import DONGHU, JINJIANG, db, enterprise_in
from support.pdfs import blank_png, pdf_images, pdf_text, signature_png
from support.web import logged_in


@pytest.fixture
def session(app):
    with app.app_context():
        yield app.appbuilder.session


@pytest.fixture
def data_dir(app):
    return Path(app.config["DATA_DIR"])


def ready(session, form_code, region=DONGHU, user="donghu"):
    document = service.draft(session, form_code, enterprise_in(session, region), user)
    blanks = service.blank_required(document)
    if blanks:
        service.update_free_text(session, document, {path: "（已填写）" for path in blanks}, user)
    return document


@pytest.mark.parametrize(
    "form_code", ["inspection_record", "inquiry_record", "rectification_order", "service_receipt"]
)
def test_signatures_and_a_refusal_print_in_the_pdf_of_each_signed_form(
    session, data_dir, form_code
):
    document = ready(session, form_code)
    first, second = (signatures.officer_name(document, r) for r in ("inspector1", "inspector2"))
    assert first and second  # the demo county's two officers
    signatures.sign(
        session, document, "inspector1", first, signature_png(), "donghu", device="手机"
    )
    signatures.sign(session, document, "inspector2", second, signature_png(4), "donghu")
    signatures.refuse(session, document, "party", "王五", "donghu", signer_name="赵六")
    final = service.finalize(session, document, "donghu", data_dir=data_dir)
    pdf = service.render_pdf(final, data_dir=data_dir)
    text = pdf_text(pdf)
    assert "拒签（见证人：王五）" in text
    sizes = [image.size for image in pdf_images(pdf)]
    assert (300, 120) in sizes  # the signatures, at the pixels they were drawn with
    assert len(sizes) >= 3  # two signatures and the QR code


def test_a_drawn_signature_is_kept_with_its_hash_time_capturer_and_device(session):
    document = ready(session, "rectification_order")
    png = signature_png()
    kept = signatures.sign(session, document, "party", " 王  五 ", png, "donghu", device="Android")
    import hashlib

    assert (kept.signer_name, kept.sha256) == ("王 五", hashlib.sha256(png).hexdigest())
    assert (kept.captured_by, kept.device, kept.refused) == ("donghu", "Android", False)
    assert kept.image == png and kept.signed_at is not None


def test_signing_a_block_again_retires_the_old_signature_without_deleting_it(session):
    document = ready(session, "inspection_record")
    first = signatures.sign(session, document, "party", "王五", signature_png(2), "donghu")
    second = signatures.sign(session, document, "party", "王五", signature_png(5), "donghu")
    assert signatures.active(session, document)["party"].id == second.id
    rows = session.scalars(
        select(DocumentSignature)
        .where(DocumentSignature.document_id == document.id)
        .execution_options(**{UNSCOPED: True})
    ).all()
    assert {row.id for row in rows} == {first.id, second.id}
    assert session.get(DocumentSignature, first.id, populate_existing=True) is None  # hidden
    signatures.withdraw(session, document, "party", "donghu")
    assert "party" not in signatures.active(session, document)
    logged = session.scalars(
        select(AuditLog).where(
            AuditLog.entity == "document_signature", AuditLog.entity_id == str(first.id)
        )
    ).all()
    assert logged, "every signature row is in the audit log"


def test_a_finalized_document_refuses_new_signatures(session, data_dir):
    document = service.finalize(
        session, ready(session, "rectification_order"), "donghu", data_dir=data_dir
    )
    with pytest.raises(Refused, match="已定稿"):
        signatures.sign(session, document, "party", "王五", signature_png(), "donghu")
    with pytest.raises(Refused, match="已定稿"):
        signatures.refuse(session, document, "party", "见证人", "donghu")


def test_a_new_version_is_signed_again(session, data_dir):
    document = ready(session, "rectification_order")
    signatures.sign(session, document, "party", "王五", signature_png(), "donghu")
    final = service.finalize(session, document, "donghu", data_dir=data_dir)
    assert final.content["signatures"]["party"]["name"] == "王五"
    newer = service.supersede(session, final, "donghu")
    assert "signatures" not in newer.content and "verification" not in newer.content
    assert signatures.active(session, newer) == {}


@pytest.mark.parametrize(
    "role, png, name, message",
    [
        ("party", blank_png(), "王五", "空白"),
        ("party", b"GIF89a....", "王五", "无法识别"),
        ("party", signature_png(), "   ", "请填写签名人姓名"),
        ("witness", signature_png(), "王五", "没有这个签名栏"),
    ],
)
def test_a_signature_is_refused_at_its_field(session, role, png, name, message):
    document = ready(session, "rectification_order")
    with pytest.raises(Refused, match=message):
        signatures.sign(session, document, role, name, png, "donghu")


def test_an_officers_block_is_signed_by_the_officer_the_document_names(session):
    document = ready(session, "rectification_order")
    named = signatures.officer_name(document, "inspector1")
    with pytest.raises(Refused, match=f"该栏应由本文书所列执法人员{named}签名"):
        signatures.sign(session, document, "inspector1", "冒名者", signature_png(), "donghu")
    assert signatures.sign(session, document, "inspector1", named, signature_png(), "donghu")


def test_an_officer_cannot_refuse_and_a_refusal_needs_a_witness(session):
    document = ready(session, "rectification_order")
    with pytest.raises(Refused, match="执法人员不能拒签"):
        signatures.refuse(session, document, "inspector1", "王五", "donghu")
    with pytest.raises(Refused, match="见证人"):
        signatures.refuse(session, document, "party", "  ", "donghu")


def test_the_signature_pages_sign_refuse_and_keep_what_was_typed(app):
    with db(app) as session:
        document_id = ready(session, "rectification_order").id
    client = logged_in(app, "donghu")
    page = client.get(f"/document-signatures/{document_id}/")
    assert page.status_code == 200 and "被检查单位负责人" in page.get_data(as_text=True)
    image = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    with db(app) as session:
        from enforcement.models import Document

        officer = signatures.officer_name(session.get(Document, document_id), "inspector1")
    saved = client.post(
        f"/document-signatures/{document_id}/sign/inspector1",
        data={"signer_name": officer, "image": image},
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) 测试"},
    )
    assert saved.status_code == 302
    empty = client.post(
        f"/document-signatures/{document_id}/sign/party",
        data={"signer_name": "保留的姓名", "image": ""},
    )
    body = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "请在签名框内签名" in body and "保留的姓名" in body
    refused = client.post(
        f"/document-signatures/{document_id}/refuse",
        data={"role": "party", "signer_name": "赵六", "witness_name": ""},
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "拒签时请填写见证人姓名" in body and "赵六" in body
    assert (
        client.post(
            f"/document-signatures/{document_id}/refuse",
            data={"role": "party", "signer_name": "赵六", "witness_name": "王五"},
        ).status_code
        == 302
    )
    edit = client.get(f"/documents/{document_id}/edit").get_data(as_text=True)
    assert "执法人员（已签名）" in edit and "被检查单位负责人（拒签）" in edit
    preview = client.get(f"/documents/{document_id}/preview").get_data(as_text=True)
    assert "拒签（见证人：王五）" in preview and "data:image/png;base64," in preview


def test_signature_pages_of_another_county_answer_404(app):
    with db(app) as session:
        document_id = ready(session, "rectification_order", JINJIANG, "jinjiang").id
    client = logged_in(app, "donghu")
    assert client.get(f"/document-signatures/{document_id}/").status_code == 404
    image = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    assert (
        client.post(
            f"/document-signatures/{document_id}/sign/party",
            data={"signer_name": "王五", "image": image},
        ).status_code
        == 404
    )


def test_the_signature_pad_script_is_served_by_the_app_itself(app):
    response = app.test_client().get("/document-signatures/signature_pad.js")
    assert response.status_code == 200 and b"SignaturePad" in response.data
