"""The forms of the procedure's later steps (先行登记保存 … 移送), each generated from a demo case's
record: a golden test per form asserts what a reader of the paper needs — the title, the 文号 where
the catalogue numbers it, the party, the case, the articles and the periods (working days where the
law counts them so) — and a few are read back from the real PDF."""

from __future__ import annotations

import io

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader
from sqlalchemy import select

from enforcement.documents import forms
from enforcement.models import Case, Penalty
from enforcement.services import documents as service

PUNISH = "《中华人民共和国行政处罚法》"
COERCE = "《中华人民共和国行政强制法》"
SAFETY = "《中华人民共和国安全生产法》"
REMEDY = "人民政府申请行政复议，或者在六个月内依法向"
# form → text the printed form must carry (besides its title, the party and the case's name)
GOLDEN: dict[str, tuple[str, ...]] = {
    "evidence_preservation_approval": (f"{PUNISH}第五十六条", "7个工作日内作出处理决定"),
    "evidence_preservation_notice": (
        f"{PUNISH}第五十六条",
        "不得销毁或者转移",
        "7个工作日内作出处理决定",
    ),
    "evidence_disposal_approval": (f"{PUNISH}第五十六条", "7个工作日内作出处理决定"),
    "evidence_disposal_decision": (f"{PUNISH}第五十六条", "现作出如下处理决定"),
    "statement_record": (f"{PUNISH}第七条、第四十五条", "不因你（单位）陈述、申辩而给予更重的处罚"),
    "hearing_meeting_notice": (
        f"{PUNISH}第六十四条",
        "举行听证的7个工作日前送达",
        "委托一至二人代理",
        "申请回避",
        "视为放弃听证权利",
    ),
    "hearing_record": (f"{PUNISH}第六十四条", "申辩和质证", "听证主持人"),
    "hearing_report": (f"{PUNISH}第六十五条", "听证主持人（签名）"),
    "collective_discussion": (f"{PUNISH}第五十七条第二款", "集体讨论决定", "结论性意见"),
    "legal_review_opinion": (f"{PUNISH}第五十八条", "法律职业资格", "未经法制审核或者审核未通过的"),
    "no_penalty_decision": (
        f"{PUNISH}第三十三条第一款、第五十七条第一款第（二）项",
        "决定不予行政处罚",
        "第三十三条第三款",
        "人民政府申请行政复议，或者在六个月内依法向",
    ),
    "case_extension_approval": ("立案之日起", "申请延期至"),
    "onsite_penalty_unit": (
        "第五十一条、第五十二条",
        "自收到本决定书之日起15日内",
        "每日按罚款数额的3%加处罚款",
        "人民政府申请行政复议，或者在六个月内依法向",
    ),
    "onsite_penalty_person": (
        "第五十一条、第五十二条",
        "被处罚人",
        "人民政府申请行政复议，或者在六个月内依法向",
    ),
    "fine_reminder": (f"{COERCE}第三十五条、第四十五条、第五十四条", "10个工作日内", "陈述和申辩"),
    "enforcement_reminder": (f"{COERCE}第五十四条", "送达10个工作日后", "陈述和申辩"),
    "additional_fine_decision": (
        f"{PUNISH}第七十二条第一款第（一）项、{COERCE}第四十五条",
        "不超过罚款数额",
        "人民政府申请行政复议，或者在六个月内依法向",
    ),
    "fine_deferral_approval": (f"{PUNISH}第六十六条第二款", "确有经济困难"),
    "fine_deferral_approval_letter": (f"{PUNISH}第六十六条第二款", "第七十二条第二款"),
    "enforcement_application": (
        f"{COERCE}第五十三条、第五十四条、第五十五条",
        "第七十二条第一款第（四）项",
        "三个月内",
        "申请机关负责人（签名）",
    ),
    "transfer_approval": (
        f"{PUNISH}第二十七条",
        "《行政执法机关移送涉嫌犯罪案件的规定》第五条",
        "3日内",
    ),
    "transfer_letter": (f"{PUNISH}第二十七条", "涉嫌犯罪案件移送书", "涉案物品清单"),
    # 行政强制 (查封扣押, 停止供电) and the investigation's records: contexts/coercion.py
    "coercion_approval": (
        f"{SAFETY}第六十五条第一款第（四）项；{COERCE}第十八条",
        "实施前向行政机关负责人报告并经批准",
        "由两名以上行政执法人员实施",
        "出示执法身份证件",
        "通知当事人到场",
        "救济途径",
        "听取当事人的陈述和申辩",
        "制作现场笔录",
        "二十四小时内",
    ),
    "seizure_decision": (
        f"{SAFETY}第六十五条第一款第（四）项；{COERCE}第二十四条、第二十五条",
        "不符合保障安全生产的国家标准或者行业标准",
        "违法生产、储存、使用、经营、运输的危险物品",
        "查封扣押期限为30日",
        "延长期限不得超过30日",
        "查封扣押（场所、设施、财物）清单",
        "当场交付",  # 第二十四条第一款
        "保管费用由本机关承担",  # 第二十六条第三款
        REMEDY,
    ),
    "seizure_list": (f"{COERCE}第二十四条", "一式二份，由当事人和行政机关分别保存"),
    "seizure_extension_decision": (
        f"{COERCE}第二十五条",
        "经本机关负责人批准",
        "延长期限不得超过30日",
        REMEDY,
    ),
    "seizure_disposal_decision": (
        f"{COERCE}第二十七条、第二十八条",
        "予以没收",
        "依法销毁",
        "解除查封扣押并立即退还财物",
        REMEDY,
    ),
    "inquiry_notice": (f"{PUNISH}第五十五条", "出示执法证件", "如实回答询问", "不得拒绝或者阻挠"),
    "inspection_survey_record": (f"{PUNISH}第四十六条、第五十五条", "出示执法证件", "勘验人"),
    "sampling_voucher": (f"{PUNISH}第五十六条", "抽样取证"),
    "power_stop_notice": (f"{SAFETY}第七十条", "主要负责人批准", "停止供电二十四小时前通知"),
    "power_stop_decision": (
        f"{SAFETY}第七十条；{COERCE}第四十三条",
        "有发生生产安全事故的现实危险",
        "提前二十四小时通知",
        "不在夜间或者法定节假日实施",
        "及时解除",
        REMEDY,
    ),
    "power_restore_notice": (f"{SAFETY}第七十条第三款", "消除事故隐患", "恢复"),
}
NEW_FORMS = sorted(GOLDEN)


def squeeze(value: str) -> str:
    return "".join(value.split())


def html_text(markup: str) -> str:
    return squeeze(lxml_html.fromstring(markup).body.text_content())


def pdf_text(data: bytes) -> str:
    return squeeze("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def session(app):
    with app.app_context():
        yield app.appbuilder.session


@pytest.fixture
def decided_case(session) -> Case:
    """A demo case with a 行政处罚决定 (文号, served, due): the 执行 forms follow it."""
    case = session.scalars(
        select(Case)
        .join(Penalty, Penalty.case_id == Case.id)
        .where(
            Penalty.decision_no.is_not(None), Penalty.kind == "fine", Penalty.due_on.is_not(None)
        )
        .order_by(Case.id)
    ).first()
    assert case is not None, "the demo data set has a decided case with a fine"
    return case


@pytest.fixture
def enterprise_case(session) -> Case:
    """A demo case of a unit with no fine decided yet (a 当场处罚 may still apply)."""
    with_fine = select(Penalty.case_id).where(Penalty.kind == "fine")
    case = session.scalars(
        select(Case).where(Case.id.not_in(with_fine), Case.party_kind == "unit").order_by(Case.id)
    ).first()
    assert case is not None
    return case


def test_every_form_the_procedure_needs_is_implemented_with_source_and_confidence():
    catalogue = forms()
    for code in NEW_FORMS:
        form = catalogue[code]
        assert form.implemented and form.template == f"forms/{code}.html", code
        assert form.source and form.confidence in ("high", "medium", "low")


@pytest.mark.parametrize("form_code", NEW_FORMS)
def test_each_procedure_form_is_generated_from_the_case_record(session, decided_case, form_code):
    document = service.draft(session, form_code, f"case:{decided_case.id}", "admin")
    text = html_text(service.preview_html(document))
    form = forms()[form_code]
    assert squeeze(form.name) in text
    assert (
        squeeze(decided_case.enterprise.name) in text
        or squeeze(decided_case.party_name or "") in text
    )
    if form_code not in ("onsite_penalty_unit", "onsite_penalty_person", "enforcement_reminder",
                         "fine_reminder", "additional_fine_decision", "enforcement_application",
                         "fine_deferral_approval_letter", "seizure_decision",
                         "seizure_extension_decision", "seizure_disposal_decision",
                         "power_stop_notice", "power_stop_decision",
                         "power_restore_notice"):  # fmt: skip
        assert squeeze(decided_case.title) in text  # the case by its name
    assert squeeze(document.content["legal_basis"]) in text
    for expected in GOLDEN[form_code]:
        assert squeeze(expected) in text, expected
    if form.numbered:
        assert "（草稿：定稿时编号）" in text


@pytest.mark.parametrize(
    "form_code", ["fine_reminder", "additional_fine_decision", "enforcement_application"]
)
def test_execution_forms_carry_the_decision_number_and_fine_of_the_case(
    session, decided_case, form_code
):
    penalty = next(p for p in decided_case.penalties if p.decision_no)
    document = service.draft(session, form_code, f"case:{decided_case.id}", "admin")
    text = html_text(service.preview_html(document))
    assert penalty.decision_no in text
    fine = sum(p.amount for p in decided_case.penalties if p.kind == "fine" and p.amount)
    assert f"{fine:,.2f}元" in text


def test_the_hearing_notice_names_the_date_the_party_asked_for_a_hearing(session):
    case = session.scalars(
        select(Case).where(Case.hearing_requested_on.is_not(None)).order_by(Case.id)
    ).first()
    if case is None:
        pytest.skip("no demo case asked for a hearing")
    document = service.draft(session, "hearing_meeting_notice", f"case:{case.id}", "admin")
    requested = case.hearing_requested_on
    assert document.content["hearing"]["requested_on"] == (
        f"{requested.year}年{requested.month}月{requested.day}日"
    )
    review = service.draft(session, "legal_review_opinion", f"case:{case.id}", "admin")
    assert "经过听证程序" in review.content["review"]["ground"]  # 第五十八条第一款（二）


@pytest.mark.parametrize(
    "form_code",
    ["transfer_letter", "hearing_meeting_notice", "no_penalty_decision",
     "enforcement_application", "evidence_preservation_notice", "seizure_decision",
     "power_stop_decision"],
)  # fmt: skip
def test_procedure_forms_open_as_real_pdfs_with_their_key_text(
    session, decided_case, data_dir, form_code
):
    document = service.draft(session, form_code, f"case:{decided_case.id}", "admin")
    blanks = service.blank_required(document)
    if blanks:
        service.update_free_text(session, document, {path: "（已填写）" for path in blanks})
    document = service.finalize(session, document, "admin", data_dir=data_dir)
    text = pdf_text(service.render_pdf(document, data_dir=data_dir))
    assert squeeze(forms()[form_code].name) in text
    assert squeeze(decided_case.enterprise.name) in text
    for expected in GOLDEN[form_code]:
        assert squeeze(expected) in text, expected
    if forms()[form_code].numbered:
        assert document.number and document.number in text


@pytest.fixture
def data_dir(app):
    from pathlib import Path

    return Path(app.config["DATA_DIR"])


def test_the_case_extension_prints_the_time_limit_of_the_rule_set_the_case_was_filed_under(
    session, decided_case
):
    document = service.draft(session, "case_extension_approval", f"case:{decided_case.id}", "admin")
    extension = document.content["extension"]
    if decided_case.filed_on.isoformat() < "2026-02-01":
        assert "第十五号" in extension["basis"] or "第15号" in extension["basis"]
        assert "第三十一条" in extension["basis"]
    else:
        assert extension["basis"] == f"{PUNISH}第六十条" and extension["limit_days"] == "90"


def test_the_review_government_and_the_court_are_named_from_the_department_region(
    session, data_dir
):
    from enforcement.models import Department
    from support.demo import DONGHU, NANCHANG, enterprise_in

    enterprise = enterprise_in(session, DONGHU)
    county = service.draft(session, "penalty_decision_unit", enterprise, "donghu")
    assert county.content["remedy"]["government"] == "南昌市东湖区"
    assert county.content["remedy"]["court"] == "南昌市东湖区"
    text = html_text(service.preview_html(county))
    assert (
        "向南昌市东湖区人民政府申请行政复议，或者在六个月内依法向南昌市东湖区人民法院提起行政诉讼"
        in text
    )
    assert "人民政府或者" not in text
    # a city's department: its 本级人民政府 is the city's; the court depends on 集中管辖 (left blank)
    city = session.scalars(select(Department).where(Department.region_code == NANCHANG)).first()
    assert city is not None
    document = service.draft(session, "penalty_decision_unit", enterprise, "admin", department=city)
    assert document.content["remedy"] == {**document.content["remedy"], "government": "南昌市"}
    assert document.content["remedy"]["court"] == ""


def test_a_hearing_notice_is_refused_when_the_hearing_is_not_seven_working_days_away(
    session, decided_case, data_dir
):
    import datetime as dt

    from enforcement.documents import DocumentError

    monday = dt.date(2026, 12, 7)
    decided_case.hearing_noticed_on = None  # the notice is served when this form is finalized
    document = service.draft(session, "hearing_meeting_notice", f"case:{decided_case.id}", "admin")
    parts = {"hearing.place": "本机关听证室", "hearing.chair": "张三"}
    # Tuesday to the Friday after: only 4 working days before the hearing → refused
    service.update_free_text(session, document, {**parts, "hearing.time": "2026年12月14日9时30分"})
    with pytest.raises(DocumentError, match="7个工作日"):
        service.finalize(session, document, "admin", data_dir=data_dir, today=monday)
    # The 7th working day after the notice is Wednesday the 16th (the procedure's rule); the 17th
    # → accepted
    service.update_free_text(session, document, {**parts, "hearing.time": "2026年12月17日9时30分"})
    document = service.finalize(session, document, "admin", data_dir=data_dir, today=monday)
    assert document.status == "final"
    assert "2026年12月17日9时30分" in html_text(service.preview_html(document))


def test_an_onsite_penalty_decision_is_refused_above_the_simple_procedure_amount(
    session, decided_case, data_dir
):
    from enforcement.documents import DocumentError

    assert decided_case.fine_total > 3000  # the demo's fines are 普通程序 amounts
    document = service.draft(session, "onsite_penalty_unit", f"case:{decided_case.id}", "admin")
    parts = {"onsite.time": "2026年8月5日10时", "onsite.place": "生产车间"}
    service.update_free_text(session, document, parts)
    with pytest.raises(DocumentError, match="第五十一条"):
        service.finalize(session, document, "admin", data_dir=data_dir)


def test_an_onsite_penalty_decision_within_the_amount_is_numbered_and_served_as_a_pdf(
    session, enterprise_case, data_dir
):
    document = service.draft(session, "onsite_penalty_unit", f"case:{enterprise_case.id}", "admin")
    parts = {
        "onsite.time": "2026年8月5日10时",
        "onsite.place": "生产车间",
        "facts": "现场作业人员未佩戴防护用品",
        "violated": "《中华人民共和国安全生产法》第四十五条",
        "penalty": "罚款人民币贰仟元整",
        "onsite.collect": "银行缴纳",
    }
    service.update_free_text(session, document, parts)
    document = service.finalize(session, document, "admin", data_dir=data_dir)
    assert "应急罚当" in document.number
    text = pdf_text(service.render_pdf(document, data_dir=data_dir))
    assert document.number in text and "行政（当场）处罚决定书（单位）" in text
    assert squeeze(enterprise_case.enterprise.name) in text
    assert "2026年8月5日10时" in text and "√自收到本决定书之日起15日内" in text
    for expected in GOLDEN["onsite_penalty_unit"]:
        assert squeeze(expected) in text, expected


def test_a_seizure_longer_than_thirty_days_is_refused_and_thirty_days_is_accepted(
    session, decided_case, data_dir
):
    from enforcement.documents import DocumentError

    document = service.draft(session, "seizure_decision", f"case:{decided_case.id}", "admin")
    parts = {"coercion.objects": "除尘器 1台", "coercion.measure": "查封"}
    # 行政强制法 第二十五条: 30 days, the first day not counted (1 May → 31 May is the longest)
    service.update_free_text(
        session,
        document,
        {**parts, "coercion.start": "2026年5月1日", "coercion.end": "2026年6月1日"},
    )
    with pytest.raises(DocumentError, match="不得超过30日"):
        service.finalize(session, document, "admin", data_dir=data_dir)
    service.update_free_text(session, document, {"coercion.end": "2026年5月31日"})
    document = service.finalize(session, document, "admin", data_dir=data_dir)
    assert document.status == "final"
    text = html_text(service.preview_html(document))
    assert "自2026年5月1日起至2026年5月31日止" in text and "除尘器1台" in text


def test_a_seizure_extension_of_more_than_thirty_days_is_refused(session, decided_case, data_dir):
    from enforcement.documents import DocumentError

    document = service.draft(
        session, "seizure_extension_decision", f"case:{decided_case.id}", "admin"
    )
    parts = {
        "refs.seizure_decision": "（锦）应急查扣〔2026〕1号",
        "extension.reason": "需对除尘器进行技术鉴定",
        "coercion.end": "2026年5月31日",
    }
    service.update_free_text(
        session, document, {**parts, "extension.days": "31", "extension.until": "2026年7月1日"}
    )
    with pytest.raises(DocumentError, match="不得超过30日"):
        service.finalize(session, document, "admin", data_dir=data_dir)
    service.update_free_text(
        session, document, {"extension.days": "30", "extension.until": "2026年6月30日"}
    )
    assert service.finalize(session, document, "admin", data_dir=data_dir).status == "final"


def test_a_seizure_form_is_not_finalized_without_what_was_seized(session, decided_case, data_dir):
    from enforcement.documents import DocumentError

    for code in ("seizure_decision", "seizure_list", "seizure_disposal_decision"):
        document = service.draft(session, code, f"case:{decided_case.id}", "admin")
        with pytest.raises(DocumentError, match="查封扣押的场所、设施、财物"):
            service.finalize(session, document, "admin", data_dir=data_dir)


def test_every_character_of_the_procedure_forms_has_a_glyph_in_the_shipped_font(
    session, decided_case
):
    from fontTools.ttLib import TTFont

    from enforcement.documents.fonts import font_dir, font_files

    regular = next(f for f in font_files() if "400Regular" in f)  # the face the body text uses
    cmap = TTFont(str(font_dir() / regular), lazy=True).getBestCmap()
    for code in NEW_FORMS:
        document = service.draft(session, code, f"case:{decided_case.id}", "admin")
        marks = {"onsite.collect": "银行缴纳"} if code.startswith("onsite") else {}
        if code.startswith("fine_deferral"):
            marks = {"deferral.kind": "延期"}
        if marks:
            service.update_free_text(session, document, marks)
        visible = lxml_html.fromstring(service.preview_html(document)).body.text_content()
        missing = {c for c in visible if not c.isspace() and ord(c) not in cmap}
        assert missing == set(), (code, missing)
