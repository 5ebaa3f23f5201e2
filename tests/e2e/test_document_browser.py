"""An inspector of 东湖区 generates, edits, finalizes and downloads a 责令限期整改指令书 in a real
browser (desktop and phone); the first page of the PDF is rendered to a PNG in test-artifacts."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from enforcement.models import Enterprise
from support.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"


def donghu_enterprise(server) -> tuple[int, str]:
    app = server.app
    with app.app_context():
        session = app.appbuilder.session
        try:
            enterprise = session.scalars(
                select(Enterprise)
                .where(Enterprise.region_code == "360102", Enterprise.deleted_at.is_(None))
                .order_by(Enterprise.id)
            ).first()
            return enterprise.id, enterprise.name
        finally:
            session.remove()


def test_an_inspector_generates_edits_finalizes_and_downloads_a_rectification_order_in_the_browser(
    browsing,
):
    page = browsing.page
    browsing.log_in("donghu", DEMO_PASSWORD)
    enterprise_id, name = donghu_enterprise(browsing.server)
    browsing.goto(f"/documents/new?form=rectification_order&subject=enterprise:{enterprise_id}")
    expect(page.locator("#subject-label")).to_have_text(name)
    browsing.shot("confirm")
    with page.expect_navigation():
        page.click("#create-draft")
    expect(page.locator("#document-edit")).to_have_attribute("data-status", "draft")
    problem = "除尘器泄爆口朝向人员通道（浏览器测试）"
    page.fill("textarea[name=problems]", problem)
    browsing.shot("draft")
    with page.expect_navigation():
        page.click("#finalize")
    expect(page.locator("#document-edit")).to_have_attribute("data-status", "final")
    number = page.locator("#document-number strong").inner_text()
    assert number.startswith("（赣东）应急责改〔") and number.endswith("号")
    browsing.shot("final")
    with page.expect_download() as download_info:
        page.click("#download-pdf")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"rectification_order-{browsing.viewport}.pdf"
    download_info.value.save_as(str(pdf_path))
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    text = "".join("".join((p.extract_text() or "").split()) for p in reader.pages)
    assert number in text and problem in text and "".join(name.split()) in text
    if shutil.which("pdftoppm"):  # poppler-utils (scripts/system-deps.sh)
        png = ARTIFACTS / f"rectification_order-{browsing.viewport}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf_path),
                str(png),
            ],
            check=True,
        )
        assert png.with_suffix(".png").stat().st_size > 10_000
