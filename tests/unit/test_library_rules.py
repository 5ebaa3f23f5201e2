"""domain/library.py and services/library/text.py: search tokens, highlighting, citations and
upload checks (no database)."""

from __future__ import annotations

import io
import zipfile

from enforcement.domain import library as rules
from enforcement.services.library import text


def test_chinese_runs_give_pairs_a_last_character_and_jiebas_longer_words():
    assert text.tokens("粉尘防爆") == ["粉尘", "尘防", "防爆", "爆"]
    assert text.tokens("ＧＢ 15577－2018") == ["gb", "15577", "2018"]
    assert (
        text.query("GB15577").required == text.query("ＧＢ１５５７７").required == ("gb", "15577")
    )
    assert text.tokens("尘") == ["尘"]
    # jieba finds 监护人员 and 监护人 (dictionary words); the pairs are there whatever it finds.
    words = text.tokens("监护人员")
    assert {"监护", "护人", "人员", "监护人", "监护人员"} <= set(words)


def test_a_query_needs_its_pairs_a_lone_character_is_a_prefix_and_words_only_rank():
    q = text.query("粉尘 粉尘爆炸")
    assert q.required == ("粉尘", "尘爆", "爆炸")
    assert text.query("尘").prefixes == ("尘",) and not text.query("尘").required
    assert not text.query("《》，。")
    q = text.query("重大事故隐患")
    assert "事故隐患" in q.boost and "事故隐患" not in q.required
    assert text.fts5_match(text.query("煤气")) == '"煤气"'
    assert text.fts5_match(text.query("尘")) == '"尘" *'
    assert text.tsquery_literal(text.query("GB 15577")) == "'gb' & '15577'"
    assert text.tsquery_literal(text.query("尘")) == "'尘':*"


def test_a_query_quotes_what_the_engines_would_read_as_syntax():
    assert text.fts5_match(text.Query(required=('a"b',))) == '"a""b"'
    assert text.tsquery_literal(text.Query(required=("a'b",))) == "'a''b'"


def test_a_tsvector_keeps_positions_and_weights_the_title():
    vector = text.tsvector_literal([("粉尘防爆", "A"), ("GB 15577", "B"), ("粉尘", "D")])
    assert vector.startswith("'粉尘':1A,7 '尘防':2A")
    assert "'gb':5B" in vector and "'15577':6B" in vector


def test_highlight_marks_every_hit_and_escapes_the_rest():
    assert rules.highlight("<b>粉尘</b>与粉尘", "粉尘") == (
        "&lt;b&gt;<mark>粉尘</mark>&lt;/b&gt;与<mark>粉尘</mark>"
    )
    assert rules.highlight("GB 15577-2018", "gb 15577") == "<mark>GB</mark> <mark>15577</mark>-2018"


def test_a_snippet_is_cut_around_the_first_hit():
    text = "甲" * 200 + "粉尘爆炸" + "乙" * 200
    snippet = rules.snippet([None, text], "粉尘", width=40)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>粉尘</mark>" in snippet
    assert rules.snippet(["没有命中"], "粉尘") == "没有命中"


def test_a_citation_matches_the_entry_by_title_or_standard_number():
    gb = rules.entry_keys("粉尘防爆安全规程", "GB 15577-2018")
    assert rules.cite_keys("《粉尘防爆安全规程》(GB 15577-2018) 8.1.1") & gb
    assert rules.cite_keys("GB15577") & gb
    assert not rules.cite_keys("GB 15577.1") & gb
    law = rules.entry_keys("中华人民共和国安全生产法", "主席令第八十八号")
    assert rules.cite_keys("《安全生产法》(2021)第三十六条") & law
    assert not rules.cite_keys("《安全生产法》") & rules.entry_keys(
        "中华人民共和国安全生产法（2014年修正）", None
    )


def _zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(part, "x")
    return buffer.getvalue()


def test_uploads_are_recognised_by_content_and_refused_in_chinese():
    pdf = b"%PDF-1.7\n..."
    mp4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16
    assert rules.upload_problem("标准.pdf", pdf, 1000) is None
    assert rules.upload_problem("课件.mp4", mp4, 1000) is None
    assert rules.upload_problem("讲义.docx", _zip("word/document.xml"), 10_000) is None
    assert rules.upload_problem("课件.pptx", _zip("ppt/presentation.xml"), 10_000) is None
    assert (
        rules.upload_problem("旧课件.ppt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 8, 1000)
        is None
    )
    assert "超过" in rules.upload_problem("标准.pdf", pdf, 5)
    assert "为空" in rules.upload_problem("标准.pdf", b"", 5)
    assert "类型不支持" in rules.upload_problem("程序.exe", pdf, 1000)
    assert "不符" in rules.upload_problem("讲义.docx", _zip("xl/workbook.xml"), 10_000)
    assert "不符" in rules.upload_problem("标准.pdf", b"MZ\x90\x00", 1000)
    assert "不符" in rules.upload_problem("视频.mp4", pdf, 1000)


def test_the_national_seed_follows_its_schema_and_links_only_known_keys():
    import json
    from pathlib import Path

    import jsonschema

    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "schemas/library/entry.schema.json").read_text(encoding="utf-8"))
    seed = root / "platform/enforcement/services/library/seed/national.json"
    entries = json.loads(seed.read_text(encoding="utf-8"))["entries"]
    for entry in entries:
        jsonschema.validate(entry, schema)
    keys = [e["key"] for e in entries]
    assert len(keys) == len(set(keys))
    assert {e["supersedes"] for e in entries} - {None} <= set(keys)
    assert not any(e.get("body") for e in entries)  # no full text we do not have


def test_a_snippet_deep_in_a_long_text_is_cut_around_its_hit_with_the_whitespace_collapsed():
    text = (
        "第一条　总则。\n\n" * 5000
        + "除尘系统应当  采取\n防止粉尘 爆炸的措施。"
        + "附则。\n" * 5000
    )
    snippet = rules.snippet([text], "粉尘", width=40)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "采取 防止<mark>粉尘</mark> 爆炸" in snippet
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) == 42  # 40 and two …
    opening = rules.snippet(["  没有\n\n命中的  长文本" + "。" * 500], "粉尘", width=10)
    assert opening == "没有 命中的 长文本…"
