"""执法文书 PDFs need no system font: every implemented form, rendered where fontconfig knows no
font at all (FONTCONFIG_FILE → an empty configuration), carries its Chinese text in the PDF's text
layer, set in the embedded subset of the Noto Serif SC the platform installs from npm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from enforcement.documents import RenderError, forms
from enforcement.documents.fonts import LocalFetcher, check_font_dir, font_dir, font_files

ROOT = Path(__file__).resolve().parents[2]
EMPTY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig></fontconfig>
"""
# Runs in a child process: fontconfig reads FONTCONFIG_FILE once, when it is loaded.
RENDER_ALL = """
import io, json, sys
sys.path.insert(0, sys.argv[1])
from pypdf import PdfReader
from weasyprint.text.ffi import fontconfig
from enforcement.documents import forms
from enforcement.documents.contexts import sample_texts
from enforcement.documents.render import format_number, pdf_from_context
import datetime as dt

config = fontconfig.FcInitLoadConfigAndFonts()
system_fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem).nfont
data = {
    "agency": {"name": "南昌市东湖区应急管理局", "abbreviation": "赣东"},
    "party": {"name": "南昌堃犇铝业有限公司", "address": "南昌市东湖区八一大道1号",
              "legal_rep": "张三", "phone": "0791-88888888"},
    "inspectors": [{"name": "李四", "certificate_no": "36010200001"}],
    "date": "2026年3月5日",
    "legal_basis": "《中华人民共和国安全生产法》第九十九条第（二）项",
    "number": format_number("赣东", "责改", 2026, 3),
}
data.update(sample_texts(None, None, dt.date(2026, 3, 5)))
out = {"system_fonts": system_fonts, "forms": {}}
for form in forms().values():
    if not form.implemented:
        continue
    pdf = pdf_from_context(form, data)
    reader = PdfReader(io.BytesIO(pdf))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object().get("/DescendantFonts", [font]):
                d = descendant.get_object()
                fonts.append([str(d["/BaseFont"]), sorted(k for k in d["/FontDescriptor"]
                              if k.startswith("/FontFile"))])
    out["forms"][form.code] = {
        "text": "".join("".join((p.extract_text() or "").split()) for p in reader.pages),
        "numbered": form.numbered,
        "fonts": fonts,
        "bytes": len(pdf),
    }
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def rendered_without_system_fonts(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("fontconfig")
    (folder / "fonts.conf").write_text(EMPTY_FONTCONFIG)
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(folder / "fonts.conf"),
        "XDG_CACHE_HOME": str(folder / "cache"),
        "PYTHONWARNINGS": "ignore",
    }
    child = subprocess.run(
        [sys.executable, "-c", RENDER_ALL, str(ROOT / "platform")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


def test_the_renderer_sees_no_system_font_at_all(rendered_without_system_fonts):
    assert rendered_without_system_fonts["system_fonts"] == 0


@pytest.mark.parametrize("code", [c for c, f in forms().items() if f.implemented])
def test_every_form_prints_its_chinese_text_in_the_shipped_embedded_font(
    rendered_without_system_fonts, code
):
    form = rendered_without_system_fonts["forms"][code]
    assert "南昌堃犇铝业有限公司" in form["text"]  # 堃犇: outside GB2312, still covered
    assert "".join(forms()[code].name.split()) in form["text"]
    if form["numbered"]:
        assert "（赣东）应急责改〔2026〕3号" in form["text"]
    assert form["fonts"] and all(
        "NotoSerifSC" in name.replace("-", "") and files == ["/FontFile2"]
        for name, files in form["fonts"]
    )
    assert form["bytes"] < 200_000  # a subset, not the 15 MB font


def test_the_font_comes_from_font_dir_and_its_absence_is_a_clear_refusal(tmp_path, monkeypatch):
    assert all((font_dir() / name).is_file() for name in font_files())
    monkeypatch.setenv("ENFORCEMENT_FONT_DIR", str(tmp_path))
    assert font_dir() == tmp_path.resolve()
    with pytest.raises(RenderError, match="找不到文书字体.*ENFORCEMENT_FONT_DIR"):
        check_font_dir(font_dir())


def test_the_renderer_reads_no_url_but_its_own_files(tmp_path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "a.ttf").write_bytes(b"font")
    (tmp_path / "secret.txt").write_text("x")
    fetch = LocalFetcher(tmp_path / "fonts")
    answer = fetch((tmp_path / "fonts" / "a.ttf").as_uri())
    body = answer.read() if hasattr(answer, "read") else answer["string"]
    assert body == b"font"
    for url in (
        (tmp_path / "secret.txt").as_uri(),
        (tmp_path / "fonts" / ".." / "secret.txt").as_uri(),
        "http://127.0.0.1/x.png",
        "ftp://example.invalid/x",
    ):
        with pytest.raises(ValueError):
            fetch(url)
