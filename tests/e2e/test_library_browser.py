"""An inspector of 东湖区 searches 粉尘 in the library on a phone and a desktop, opens GB 15577 and
downloads its attachment; the page fits 390 px and asks nothing from another host."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from enforcement.db.acting import SYSTEM, acting_as
from enforcement.models import LibraryEntry
from enforcement.services import library as service
from support.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% GB 15577-2018 test attachment\n%%EOF\n"


def attach_pdf_to_gb15577(server) -> int:
    """The standard's id, with a PDF attached once (the national catalogue ships without files)."""
    app = server.app
    with app.app_context(), acting_as(SYSTEM):
        session = app.appbuilder.session
        try:
            entry = session.scalars(
                select(LibraryEntry).where(LibraryEntry.seed_key == "std-gb15577")
            ).one()
            if not entry.files:
                service.add_file(
                    session, entry, "GB15577-2018.pdf", PDF, data_dir=app.config["DATA_DIR"]
                )
            return entry.id
        finally:
            session.remove()


def test_an_inspector_searches_dust_opens_a_standard_and_downloads_its_file(browsing, tmp_path):
    page = browsing.page
    entry_id = attach_pdf_to_gb15577(browsing.server)
    browsing.log_in("donghu", DEMO_PASSWORD)
    browsing.goto("/library/")
    page.fill("#library-q", "粉尘")
    with page.expect_navigation():
        page.click("#library-search-submit")
    expect(page.locator("#library-count")).to_contain_text("共找到")
    hit = page.locator(f".library-hit[data-id='{entry_id}']")
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text("粉尘")
    if browsing.is_phone:
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"the results page is {width} px wide on a 390 px phone"
    browsing.shot("results")
    with page.expect_navigation():
        hit.locator("a.library-title").click()
    expect(page.locator("#library-entry-title")).to_contain_text("粉尘防爆安全规程")
    expect(page.locator("#library-catalogue-only")).to_be_visible()
    expect(page.locator("#library-citing")).to_contain_text("FC-01")
    browsing.shot("entry")
    with page.expect_download() as download_info:
        page.locator("#library-files a.library-file").first.click()
    saved = Path(tmp_path) / "download.pdf"
    download_info.value.save_as(str(saved))
    assert saved.read_bytes() == PDF
    assert download_info.value.suggested_filename == "GB15577-2018.pdf"
    foreign = [url for url in browsing.requests if not url.startswith(browsing.server.url)]
    assert foreign == [], f"requests to other hosts: {foreign}"


def test_a_province_leader_adds_an_entry_and_a_wrong_file_is_refused_at_the_field(
    browsing, tmp_path
):
    page = browsing.page
    browsing.log_in("jiangxi", DEMO_PASSWORD)
    browsing.goto("/library/?collection=documents")
    with page.expect_navigation():
        page.click("#library-add")
    page.select_option("#f-collection", "documents")
    page.fill(
        "#f-title", f"江西省粉尘涉爆企业执法指引（{'手机' if browsing.is_phone else '电脑'}）"
    )
    page.fill("#f-issuer", "江西省应急管理厅")
    page.fill("#f-effective_on", "2024-02-30")
    with page.expect_navigation():
        page.click("#library-new-submit")
    expect(page.locator(".field-error[data-field=effective_on]")).to_contain_text("填写有效日期")
    expect(page.locator("#f-issuer")).to_have_value("江西省应急管理厅")
    if browsing.is_phone:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    browsing.shot("refused")
    page.fill("#f-effective_on", "2024-03-01")
    with page.expect_navigation():
        page.click("#library-new-submit")
    expect(page.locator("#library-entry-title")).to_contain_text("江西省粉尘涉爆企业执法指引")
    fake = Path(tmp_path) / "指引.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf")
    page.set_input_files("#library-file", str(fake))
    with page.expect_navigation():
        page.click("#library-upload-submit")
    expect(page.locator("#library-upload-error")).to_contain_text("文件内容与扩展名 .pdf 不符")
    browsing.shot("upload-refused")
