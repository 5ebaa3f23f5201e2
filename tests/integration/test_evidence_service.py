"""services/evidence.py on its own: checks by content, one file per SHA-256 and one row per file and
region, committed by the service (the page only maps its refusals to 413/404/422)."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from enforcement.db.acting import Actor, acting_as
from enforcement.db.scoping import UNSCOPED
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.models import EvidenceFile
from enforcement.services import evidence
from support.demo import enterprise_in

DONGHU, JINJIANG, NANMING = "360102", "510104", "520102"
DONGHU_INSPECTOR = Actor(username="donghu", jurisdiction=Jurisdiction(DONGHU))


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n%" + uuid.uuid4().hex.encode() + b"\n%%EOF\n"


def rows_of(session, sha: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(EvidenceFile)
        .where(EvidenceFile.sha256 == sha)
        .execution_options(**{UNSCOPED: True})
    )


def test_the_same_bytes_are_stored_once_and_committed_by_the_service(app, tmp_path):
    data = pdf_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with app.app_context(), acting_as(DONGHU_INSPECTOR):
        session = app.appbuilder.session
        enterprise_id = enterprise_in(session, DONGHU).id
        first = evidence.store_evidence(session, data, "笔录.pdf", enterprise_id, data_dir=tmp_path)
        again = evidence.store_evidence(session, data, "copy.pdf", enterprise_id, data_dir=tmp_path)
        session.rollback()  # nothing pending: the service's unit of work has committed
        assert first == again == evidence.StoredEvidence(sha, len(data), "application/pdf")
        assert rows_of(session, sha) == 1
        row, path = evidence.find_evidence(session, sha, tmp_path)
        assert (row.original_name, row.region_code, row.uploaded_by) == (
            "笔录.pdf",
            DONGHU,
            "donghu",
        )
        assert path.read_bytes() == data
        assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_refusals_name_the_field_and_store_nothing(app, tmp_path):
    with app.app_context(), acting_as(DONGHU_INSPECTOR):
        session = app.appbuilder.session
        own = enterprise_in(session, DONGHU).id
        foreign = enterprise_in(session, JINJIANG).id
        exe = b"MZ\x90\x00" + b"\x00" * 60
        cases = [
            (exe, own, 1000, evidence.EvidenceError, "/file", "文件类型不支持"),
            (b"", own, 1000, evidence.EvidenceError, "/file", "文件为空"),
            (pdf_bytes(), own, 16, evidence.EvidenceTooLarge, "/file", "文件超过"),
            (
                pdf_bytes(),
                foreign,
                1000,
                evidence.UnknownEnterprise,
                "/enterprise_id",
                "企业不存在",
            ),
            (pdf_bytes(), None, 1000, evidence.UnknownEnterprise, "/enterprise_id", "企业不存在"),
        ]
        for data, enterprise_id, limit, error, path, message in cases:
            with pytest.raises(error) as refused:
                evidence.store_evidence(
                    session, data, "x.pdf", enterprise_id, data_dir=tmp_path, max_bytes=limit
                )
            assert refused.value.path == path and message in refused.value.message
            assert rows_of(session, hashlib.sha256(data).hexdigest()) == 0
    assert not (tmp_path / "evidence").exists()


def test_a_file_is_found_only_inside_the_jurisdiction(app, tmp_path):
    data = pdf_bytes()
    with app.app_context():
        session = app.appbuilder.session
        with acting_as(DONGHU_INSPECTOR):
            enterprise_id = enterprise_in(session, DONGHU).id
            sha = evidence.store_evidence(
                session, data, "a.pdf", enterprise_id, data_dir=tmp_path
            ).sha256
            assert evidence.find_evidence(session, sha, tmp_path) is not None
            assert evidence.find_evidence(session, "../" + sha[3:], tmp_path) is None
        with acting_as(Actor(username="jinjiang", jurisdiction=Jurisdiction(JINJIANG))):
            session.expunge_all()  # no identity-map hit from the other actor's request
            assert evidence.find_evidence(session, sha, tmp_path) is None


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7", "application/pdf"),
        (b"GIF89a", None),
        (b"RIFF\x00\x00\x00\x00WAVE", None),
    ],
)
def test_the_type_is_read_from_the_bytes(head, kind):
    assert evidence.sniff_content_type(head + b"\x00" * 16) == kind


def test_two_regions_upload_the_same_file_both_read_it_and_a_third_does_not(app, tmp_path):
    data = pdf_bytes()
    sha = hashlib.sha256(data).hexdigest()
    uploaders = {"donghu": DONGHU, "jinjiang": JINJIANG}
    with app.app_context():
        session = app.appbuilder.session
        for username, region in uploaders.items():
            with acting_as(Actor(username=username, jurisdiction=Jurisdiction(region))):
                session.expunge_all()
                enterprise_id = enterprise_in(session, region).id
                stored = evidence.store_evidence(
                    session, data, f"{username}.pdf", enterprise_id, data_dir=tmp_path
                )
                assert stored.sha256 == sha
        for username, region in uploaders.items():
            with acting_as(Actor(username=username, jurisdiction=Jurisdiction(region))):
                session.expunge_all()
                row, path = evidence.find_evidence(session, sha, tmp_path)
                assert (row.region_code, row.original_name) == (region, f"{username}.pdf")
                assert path.read_bytes() == data
        with acting_as(Actor(username="nanming", jurisdiction=Jurisdiction(NANMING))):
            session.expunge_all()
            assert evidence.find_evidence(session, sha, tmp_path) is None
        assert rows_of(session, sha) == 2
    stored_files = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert stored_files == [evidence.evidence_path(tmp_path, sha)]  # the bytes are stored once
