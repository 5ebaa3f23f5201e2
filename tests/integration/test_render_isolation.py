"""Rendering can never take the server down: a PDF worker that dies (an exit, a segfault as Pango's)
or hangs costs that one request a Chinese error; the app keeps answering and the next render works.

The crash is the test-only hook of enforcement.documents.worker: ENFORCEMENT_TEST_RENDER_CRASH, read
by the server at each render, makes that render's worker die or hang instead of rendering.
"""

from __future__ import annotations

import io
import tempfile
import threading
import time

import pytest
from pypdf import PdfReader

from enforcement.documents import RenderError, forms, worker
from enforcement.documents.fonts import font_dir
from enforcement.documents.render import pdf_from_context, render_html
from enforcement.models import Document
from enforcement.services import documents as service
from support.demo import enterprise_in

DONGHU = "360102"
FORM = forms()["rectification_order"]


def text_of(pdf: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("crash", ["exit", "segfault"])
def test_a_worker_that_dies_fails_that_render_only_and_the_next_one_works(monkeypatch, crash):
    assert "责令限期整改指令书" in text_of(pdf_from_context(FORM, {}))
    monkeypatch.setenv(worker.CRASH_VARIABLE, crash)
    with pytest.raises(RenderError, match="排版进程异常退出"):
        pdf_from_context(FORM, {"party": {"name": "某某公司"}})
    monkeypatch.delenv(worker.CRASH_VARIABLE)
    assert "某某公司" in text_of(pdf_from_context(FORM, {"party": {"name": "某某公司"}}))


def test_a_hung_render_is_killed_at_the_timeout(monkeypatch):
    monkeypatch.setenv("ENFORCEMENT_RENDER_TIMEOUT", "3")
    monkeypatch.setenv(worker.CRASH_VARIABLE, "hang")
    with pytest.raises(RenderError, match="超时"):
        pdf_from_context(FORM, {})
    monkeypatch.delenv(worker.CRASH_VARIABLE)
    # The next render starts a fresh worker (a cold interpreter): the default timeout again.
    monkeypatch.delenv("ENFORCEMENT_RENDER_TIMEOUT")
    assert pdf_from_context(FORM, {}).startswith(b"%PDF")


def test_one_crash_does_not_fail_the_render_running_beside_it():
    pool = worker.RenderPool(size=2, max_tasks=100)
    long_html = render_html(forms()["inspection_record"], {"situation": "现场检查情况\n" * 200})
    results: dict[str, object] = {}

    def run(name: str, html: str, crash: str | None) -> None:
        try:
            results[name] = pool.render(html, str(font_dir()), 60, crash)
        except RenderError as exc:
            results[name] = exc

    try:
        run("warm", "<p>预热</p>", None)
        beside = threading.Thread(target=run, args=("beside", long_html, None))
        beside.start()
        run("crash", "<p>崩溃</p>", "exit")
        beside.join()
        run("after", "<p>之后</p>", None)
    finally:
        pool.shutdown()
    assert isinstance(results["crash"], RenderError)
    assert isinstance(results["beside"], bytes) and "现场检查情况" in text_of(results["beside"])
    assert isinstance(results["after"], bytes)


def test_a_worker_is_replaced_after_its_quota_and_leaves_no_files(tmp_path, monkeypatch):
    created: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(**kwargs: str) -> str:
        created.append(real_mkdtemp(dir=tmp_path, **kwargs))
        return created[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    pool = worker.RenderPool(size=1, max_tasks=2)
    try:
        for _ in range(3):
            assert pool.render("<p>文书</p>", str(font_dir()), 60).startswith(b"%PDF")
    finally:
        pool.shutdown()
    assert len(created) == 2  # the first worker retired after two renders, a second one started
    for _ in range(100):  # the retired worker is ended in the background
        if not list(tmp_path.iterdir()):
            break
        time.sleep(0.1)
    assert list(tmp_path.iterdir()) == []


def test_finalizing_while_the_renderer_crashes_answers_a_message_and_the_app_keeps_going(
    app, as_user, monkeypatch
):
    client = as_user("donghu")
    with app.app_context():
        enterprise = enterprise_in(app.appbuilder.session, DONGHU)
        document = service.draft(
            app.appbuilder.session, "rectification_order", enterprise, "donghu"
        )
        document_id = document.id
    edit_url = f"/documents/{document_id}/edit"
    monkeypatch.setenv(worker.CRASH_VARIABLE, "segfault")
    answer = client.post(
        edit_url,
        data={"problems": "除尘器未接地", "date": "2026年3月5日", "then": "finalize"},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    assert "文书已定稿，PDF 暂未生成" in answer.get_data(
        as_text=True
    )  # numbered, told, nothing lost
    assert client.get("/documents/").status_code == 200  # the server is still there
    monkeypatch.delenv(worker.CRASH_VARIABLE)
    pdf = client.get(f"/documents/{document_id}/pdf")
    assert pdf.status_code == 200 and "除尘器未接地" in text_of(pdf.data)
    with app.app_context():
        assert app.appbuilder.session.get(Document, document_id).status == "final"
