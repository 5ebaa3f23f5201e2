"""执法资源库 as plain rules: the seven collections, statuses, Chinese search terms, citations, uploads.

Text is normalized (NFKC, lower case) before it is searched or marked; cutting it into search
tokens (jieba words and character pairs) is services/library/text.py, the full-text index
services/library/index.py.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable

COLLECTIONS: dict[str, str] = {
    "laws": "法律法规",
    "rules": "部门规章",
    "standards": "安全标准",
    "documents": "相关文件",
    "cases": "典型执法案例",
    "learning": "学习资料下载",
    "templates": "文书模板",
}
# Entries are stored for these; 文书模板 is the read-only document catalogue (documents/catalogue.json).
STORED_COLLECTIONS = ("laws", "rules", "standards", "documents", "cases", "learning")

STATUSES: dict[str, str] = {"current": "现行有效", "revised": "已修订", "repealed": "已废止"}
# Ties in the ranking: a text in force before a revised one, a revised one before a repealed one.
STATUS_ORDER = {"current": 0, "revised": 1, "repealed": 2}

KEY_ITEM_SETS: dict[str, str] = {
    "steel": "钢铁企业",
    "aluminum": "铝加工（深井铸造）",
    "dust": "粉尘涉爆",
    "confined_space": "有限空间",
    "duty7": "主要负责人履职",
}
CONFIDENCE: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+")  # letters and digits apart: GB15577 is gb 15577


def normalize(text: str | None) -> str:
    """Full-width to half-width, compatibility forms folded, lower case."""
    text = text or ""
    # The quick check is much cheaper than normalizing text that is already normal (most is).
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def _runs(text: str) -> list[str]:
    return _RUNS.findall(normalize(text))


def words(text: str | None) -> list[str]:
    """The runs of Chinese characters and of letters or digits, normalized, in order."""
    return _runs(text or "")


def search_text(*parts: str | None) -> str:
    """The normalized text the benchmark's LIKE peer scans."""
    return "\n".join(normalize(p) for p in parts if p)


def _hit_pattern(query: str) -> re.Pattern[str] | None:
    runs = sorted({r for r in _runs(query)}, key=len, reverse=True)
    if not runs:
        return None
    return re.compile("|".join(re.escape(r) for r in runs), re.IGNORECASE)


def _searchable(text: str, pattern: re.Pattern[str]) -> str | None:
    """The text to find hits in with positions of `text`: the text itself when the pattern occurs
    in it as written (the common case, and cheap), else its normalized form when that keeps every
    position, else None."""
    if pattern.search(text):
        return text
    normalized = normalize(text)
    return normalized if len(normalized) == len(text) else None


def highlight(text: str | None, query: str) -> str:
    """The whole text, HTML-escaped, with every occurrence of the query's words in <mark>."""
    text = text or ""
    pattern = _hit_pattern(query)
    searchable = _searchable(text, pattern) if pattern else None
    if pattern is None or searchable is None:
        return html.escape(text)
    out, last = [], 0
    for match in pattern.finditer(searchable):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(texts: Iterable[str | None], query: str, width: int = 80) -> str:
    """About `width` characters around the first hit of the first text that has one, marked;
    without a hit the beginning of the first non-empty text."""
    pattern = _hit_pattern(query)
    first = ""
    for text in texts:
        if not text:
            continue
        first = first or text
        searchable = _searchable(text, pattern) if pattern else None
        match = pattern.search(searchable) if pattern and searchable else None
        if match is None:
            continue
        # Whitespace is collapsed in the hit's neighbourhood only: a full text runs to tens of
        # kilobytes, and every hit of a page is cut.
        low, high = max(0, match.start() - width), match.start() + 2 * width
        cut_before, cut_after = bool(text[:low].strip()), bool(text[high:].strip())
        window = _collapse(text[low:high])
        again = _searchable(window, pattern)
        found = pattern.search(again) if again else None
        start = max(0, found.start() - width // 3) if found else 0
        piece = window[start : start + width]
        prefix = "…" if start or cut_before else ""
        suffix = "…" if start + width < len(window) or cut_after else ""
        return prefix + highlight(piece, query) + suffix
    opening = _collapse(first[: 2 * width])
    more = len(opening) > width or bool(first[2 * width :].strip())
    return html.escape(opening[:width]) + ("…" if more else "")


def _collapse(text: str) -> str:
    return " ".join(text.split())


# -- citations: a checklist item's legal basis ↔ a library entry ------------------------------------

_STANDARD = re.compile(r"\b(gbz|gb|aq|jb|yb)\s*(/\s*t)?\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
_TITLE = re.compile(r"《([^》]+)》")
_STRIP = re.compile(r"[\s（）()]|中华人民共和国")


def cite_keys(text: str | None) -> set[str]:
    """What a citation names: standard numbers without year (GB15577) and book titles without
    「中华人民共和国」, spaces and brackets. A bare title (no 《》) counts as one title."""
    text = normalize(text)
    keys = {
        f"{m.group(1)}{'/t' if m.group(2) else ''}{m.group(3)}".upper()
        for m in _STANDARD.finditer(text)
    }
    titles = _TITLE.findall(text) or ([] if keys else [text])
    keys.update(_STRIP.sub("", t) for t in titles if t.strip())
    return {k for k in keys if k}


def entry_keys(title: str, number: str | None) -> set[str]:
    """The keys an entry answers to: its title and its standard number."""
    return cite_keys(f"《{title}》 {number or ''}")


# -- uploads ---------------------------------------------------------------------------------------

ACCEPTED = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".ppt": "application/vnd.ms-powerpoint",
    ".mp4": "video/mp4",
}
ACCEPTED_LABEL = "PDF、Word（.docx/.doc）、Excel（.xlsx）、PPT（.pptx/.ppt）或 MP4 视频"
_ZIP_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}


def sniff_kind(data: bytes) -> str | None:
    """The kind the bytes really are ('.pdf', '.docx', '.mp4', 'ole', …), whatever the name says."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return ".mp4"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # a legacy Office file: .doc or .ppt, the name decides which
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        for suffix, part in _ZIP_PARTS.items():
            if any(n.startswith(part) for n in names):
                return suffix
    return None


def upload_problem(filename: str, data: bytes, max_bytes: int) -> str | None:
    """Why a file is refused (a Chinese message), or None when it may be stored."""
    if len(data) > max_bytes:
        return f"文件超过 {max_bytes / (1024 * 1024):g} MB，请压缩或拆分后重新上传"
    if not data:
        return "文件为空，请重新选择"
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if suffix not in ACCEPTED:
        return f"文件类型不支持：只接受 {ACCEPTED_LABEL}"
    kind = sniff_kind(data)
    if kind == "ole" and suffix in {".doc", ".ppt"}:
        return None
    if kind != suffix:
        return f"文件内容与扩展名 {suffix} 不符（按文件内容识别），请上传真实的 {suffix} 文件"
    return None


def content_type(filename: str) -> str:
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    return ACCEPTED.get(suffix, "application/octet-stream")
