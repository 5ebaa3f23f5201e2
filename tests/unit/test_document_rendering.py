"""The document layer without a database: catalogue data, 文号 format, templates, DOCX blocks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from enforcement.documents import CATALOGUE_FILE, forms, validate_entry
from enforcement.documents.contexts import agency_abbreviation
from enforcement.documents.render import format_number, html_blocks, render_html
from enforcement.models import Department, Region

ROOT = Path(__file__).resolve().parents[2]


def test_the_catalogue_file_is_valid_against_its_json_schema():
    schema = json.loads((ROOT / "schemas" / "document-catalogue.schema.json").read_text())
    catalogue = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(catalogue)
    codes = [form["code"] for form in catalogue["forms"]]
    assert len(codes) == len(set(codes))
    assert [f["name"] for f in catalogue["forms"][:3]] == [
        "立案审批表",
        "现场检查方案",
        "现场检查记录",
    ]


def test_an_invalid_entry_is_reported_with_its_pointer():
    entry = {**next(iter(forms().values())).__dict__}
    assert validate_entry({"code": "x"})  # required fields missing
    assert any(e.startswith("/number_code") for e in validate_entry(
        {"code": "x", "name": "某文书", "stage": "立案", "to_enterprise": False, "number_code": "ab",
         "fields": [], "template": "x.html", "implemented": False, "source": "s", "confidence": "low"}
    ))  # fmt: skip
    assert entry["code"] == "case_filing_approval"


def test_the_document_number_follows_the_agency_code_year_serial_pattern():
    assert format_number("赣东", "责改", 2026, 3) == "（赣东）应急责改〔2026〕3号"


def test_the_agency_abbreviation_is_the_province_short_name_plus_the_region():
    county = Department(name="东湖区应急管理局", region_code="360102", level="county")
    county.region = Region(
        code="360102", name="东湖区", full_name="江西省/南昌市/东湖区", level="county"
    )
    province = Department(name="江西省应急管理厅", region_code="360000", level="province")
    assert agency_abbreviation(county) == "赣东"
    assert agency_abbreviation(province) == "赣"
    assert agency_abbreviation(None) == "部"


def test_a_decision_carries_the_remedy_paragraph_and_a_draft_shows_no_number_yet():
    html = render_html(
        forms()["onsite_measures_decision"],
        {
            "party": {"name": "某公司"},
            "remedy": {"government": "南昌市东湖区"},
            "problems": "1. 甲\n2、乙",
        },
    )
    assert "如果不服本决定，可以依法在六十日内向" in html and "南昌市东湖区" in html
    assert "（草稿：定稿时编号）" in html
    blocks = html_blocks(html)
    assert {"kind": "title", "text": "现场处理措施决定书"} in blocks
    assert [b["text"] for b in blocks if b["kind"] == "item"][:2] == ["1. 甲", "2. 乙"]


def test_a_blank_form_lists_its_catalogue_fields_as_rows():
    # 鉴定委托书 is still blank only (the 查封扣押清单 is generated now)
    blank = forms()["appraisal_commission"]
    assert not blank.implemented
    blocks = html_blocks(render_html(blank, {}))
    assert any(b["kind"] == "row" for b in blocks)
    assert blocks[0] == {"kind": "kind", "text": "安全生产行政执法文书"}


# 《行政复议法》(2023) 第二十四条: the 本级人民政府 alone hears a 复议 against a local department.
DECISION_FORMS = [code for code, form in forms().items() if form.decision]


@pytest.mark.parametrize(
    "form_code",
    DECISION_FORMS,
)
def test_decision_forms_name_only_the_peoples_government_for_administrative_review(form_code):
    context = {
        "party": {"name": "某公司"},
        "remedy": {
            "government": "南昌市东湖区",
            "court": "南昌市东湖区",
            "agency": "南昌市应急管理局",
        },
    }
    text = "".join(html_blocks_text(render_html(forms()[form_code], context)).split())
    assert (
        "向南昌市东湖区人民政府申请行政复议，或者在六个月内依法向南昌市东湖区人民法院提起行政诉讼"
        in text
    )
    assert "人民政府或者" not in text and "南昌市应急管理局申请" not in text


def test_every_decision_of_the_catalogue_carries_the_review_and_litigation_paragraph():
    assert {"penalty_decision_unit", "onsite_penalty_unit", "no_penalty_decision",
            "additional_fine_decision", "onsite_measures_decision"} <= set(DECISION_FORMS)  # fmt: skip


def html_blocks_text(markup: str) -> str:
    return "".join(block["text"] for block in html_blocks(markup))


def test_notices_state_the_statement_and_hearing_periods_in_working_days():
    # 行政处罚法 第八十五条: its "三日""五日" are working days; the party reads the period from the paper
    notice = "".join(html_blocks_text(render_html(forms()["penalty_notice"], {})).split())
    hearing = "".join(html_blocks_text(render_html(forms()["hearing_notice"], {})).split())
    assert "收到本告知书之日起3个工作日内" in notice
    assert "收到本告知书之日起5个工作日内" in hearing
