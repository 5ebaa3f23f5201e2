"""HTML (Jinja) → PDF (WeasyPrint) and DOCX (docxtpl), from one context per form."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import threading
from pathlib import Path
from typing import Any

import jinja2
from lxml import html as lxml_html

from enforcement.documents import FONT_FAMILY, TEMPLATES_DIR, FormSpec, number_pattern, worker
from enforcement.documents.fonts import LocalFetcher, check_font_dir, font_css, font_dir
from enforcement.documents.qr import qr_data_uri

DRAFT_NUMBER = "（草稿：定稿时编号）"
# Every form's blank version shows these rows when the catalogue names no fields.
DEFAULT_BLANK_FIELDS = ("当事人", "地址", "法定代表人（负责人）", "联系电话", "事由", "内容")
FIELD_LABELS = {
    "party": "当事人",
    "case_name": "案件名称",
    "case_source": "案件来源",
    "summary": "案情摘要",
    "legal_basis": "依据",
    "handler_opinion": "承办人意见",
    "approval": "审批意见",
    "inspection_time": "检查时间",
    "inspectors": "执法人员及执法证号",
    "items": "检查事项",
    "methods": "检查方式",
    "place": "检查场所",
    "findings": "检查情况",
    "signatures": "签名",
    "inspection_date": "检查日期",
    "problems": "存在问题",
    "measures": "处理措施",
    "remedy": "救济途径",
    "deadlines": "整改期限",
    "original_decision": "原决定及文号",
    "opinion": "复查意见",
    "interviewee": "被询问人",
    "inquiry_time": "询问时间",
    "questions_answers": "问答内容",
    "facts": "违法事实",
    "evidence": "证据",
    "violated": "违反条款",
    "penalty": "处罚内容",
    "contact": "联系人及电话",
    "proposal": "处理意见",
    "payment": "履行方式和期限",
    "served_document": "送达文书名称及文号",
    "method": "送达方式",
    "receiver": "收件人",
    "server": "送达人",
    "filed_on": "立案日期",
    "decision_number": "处罚决定书文号",
    "execution": "执行情况",
    "closing_reason": "结案理由",
    "cause": "案由",
    "result": "处理结果",
    "closed_on": "结案时间",
    "handlers": "承办人",
    "archived_on": "归档日期",
    "archive_no": "归档号",
    "retention": "保存期限",
    "documents": "卷内文书",
}


def _lines(text: Any) -> list[str]:
    """Free text → its non-empty lines (a list is taken as is); a leading "1." or "1、" is dropped."""
    if text is None:
        return []
    items = text if isinstance(text, list | tuple) else str(text).splitlines()
    return [re.sub(r"^\s*\d+\s*[.、．]\s*", "", str(i)).strip() for i in items if str(i).strip()]


class _PluginLoader(jinja2.BaseLoader):
    """Templates that plugins registered as strings, looked up by their template name."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, None, Any]:
        if template not in self.sources:
            raise jinja2.TemplateNotFound(template)
        return self.sources[template], None, lambda: True


@functools.cache
def environment() -> tuple[jinja2.Environment, _PluginLoader]:
    plugin_loader = _PluginLoader()
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(TEMPLATES_DIR)), plugin_loader]),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,  # a missing field prints a blank, never an error
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["lines"] = _lines
    return env, plugin_loader


def format_number(agency: str, code: str, year: int, serial: int) -> str:
    """The 文号, e.g. （赣东）应急责改〔2026〕3号 (research.md §3; codes research-2.md §3.3)."""
    return number_pattern().format(agency=agency, code=code, year=year, serial=serial)


def cn_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def render_html(form: FormSpec, context: dict[str, Any]) -> str:
    env, plugin_loader = environment()
    if form.template_source is not None:
        plugin_loader.sources[form.template] = form.template_source
    template = env.get_template(form.template)
    data = {
        "agency": {},
        "party": {},
        "inspectors": [],
        "remedy": {},
        "draft_number": DRAFT_NUMBER,
        "blank_fields": [FIELD_LABELS.get(f, f) for f in form.fields] or DEFAULT_BLANK_FIELDS,
        "signatures": {},
        "verification": {},
        **context,
        "form": form.as_dict(),
    }
    url = (data["verification"] or {}).get("url")
    if url:  # 扫码验真: the QR code is drawn from the frozen URL, so the render stays deterministic
        data["verification"] = {**data["verification"], "qr": qr_data_uri(url)}
    return template.render(**data)


_THREAD = threading.local()


def _font_config() -> Any:
    """One FontConfiguration per thread, reused: a fresh one per render costs twice the time and
    leaves font objects in reference cycles (~5 MB a render until the garbage collector runs).
    Rendering happens in worker processes (`enforcement.documents.worker`): each keeps its own."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_THREAD, "font_config", None)
    if config is None:
        config = _THREAD.font_config = FontConfiguration()
        _THREAD.font_sheets = {}
    return config


def _font_stylesheet(font_dir: str) -> Any:
    """The @font-face rules of the platform's font (templates/_fonts.css), URLs resolved in FONT_DIR;
    made once per thread and folder: WeasyPrint loads each face into the FontConfiguration once."""
    from weasyprint import CSS

    config = _font_config()
    sheet = _THREAD.font_sheets.get(font_dir)
    if sheet is None:
        directory = Path(font_dir)
        sheet = _THREAD.font_sheets[font_dir] = CSS(
            string=font_css(),
            base_url=directory.as_uri() + "/",
            url_fetcher=LocalFetcher(directory),
            font_config=config,
        )
    return sheet


def pdf_in_this_process(html: str, font_dir: str) -> bytes:
    """WeasyPrint here and now (a render worker's job); reads only local template and font files."""
    from weasyprint import HTML

    document = HTML(
        string=html,
        base_url=str(TEMPLATES_DIR),
        url_fetcher=LocalFetcher(TEMPLATES_DIR, Path(font_dir)),
    )
    return document.write_pdf(stylesheets=[_font_stylesheet(font_dir)], font_config=_font_config())


def html_to_pdf(html: str) -> bytes:
    """The PDF of a rendered form, made in a worker process (`RenderError` when it fails)."""
    directory = font_dir()
    check_font_dir(directory)
    return worker.render_pdf(html, str(directory))


def pdf_from_context(form: FormSpec, context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_html(form, context))


# DOCX ---------------------------------------------------------------------------------------------

_BLOCK_TAGS = {"p", "h1", "li", "tr"}


def html_blocks(html: str) -> list[dict[str, str]]:
    """The rendered form as blocks (title, paragraphs, list items, table rows) with their text."""
    tree = lxml_html.fromstring(html)
    blocks: list[dict[str, str]] = []
    counters: dict[int, int] = {}
    for element in tree.body.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in _BLOCK_TAGS:
            continue
        if tag in {"p", "li"} and any(a.tag in {"td", "li"} for a in element.iterancestors()):
            if tag == "p":
                continue  # part of a cell: the row's text already has it
        if tag == "tr":
            cells = [
                " ".join(cell.text_content().split())
                for cell in element
                if isinstance(cell.tag, str) and cell.tag in {"td", "th"}
            ]
            blocks.append({"kind": "row", "text": "｜".join(c for c in cells if c)})
            continue
        if tag == "li" and any(a.tag in {"td"} for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if tag == "li":
            parent = id(element.getparent())
            counters[parent] = counters.get(parent, 0) + 1
            text = f"{counters[parent]}. {text}"
        kind = {"h1": "title", "li": "item"}.get(tag, element.get("class", "") or "text")
        blocks.append({"kind": kind.split()[0], "text": text})
    return blocks


@functools.cache
def _docx_template_bytes() -> bytes:
    """A one-paragraph-per-block Word template (made with python-docx, filled by docxtpl)."""
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(25), Mm(22)
    normal = word.styles["Normal"]
    normal.font.name = FONT_FAMILY
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    word.add_paragraph("{%p for b in blocks %}")
    word.add_paragraph("{%p if b.kind == 'title' %}")
    title = word.add_paragraph("{{ b.text }}")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(20)
    word.add_paragraph("{%p elif b.kind in ('kind', 'agency') %}")
    centered = word.add_paragraph("{{ b.text }}")
    centered.alignment = WD_ALIGN_PARAGRAPH.CENTER
    word.add_paragraph("{%p elif b.kind == 'number' %}")
    word.add_paragraph("{{ b.text }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word.add_paragraph("{%p else %}")
    word.add_paragraph("{{ b.text }}")
    word.add_paragraph("{%p endif %}")
    word.add_paragraph("{%p endfor %}")
    footer = section.footer.paragraphs[0]
    footer.text = "{{ footer }}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def html_to_docx(html: str, footer: str = "") -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(_docx_template_bytes()))
    template.render({"blocks": html_blocks(html), "footer": footer}, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def docx_from_context(form: FormSpec, context: dict[str, Any]) -> bytes:
    return html_to_docx(render_html(form, context), footer=form.name)
