"""执法文书 services: draft from a record, edit the free text, finalize (gapless 文号), supersede,
render PDF/DOCX, blank forms, admin-only soft delete and restore. The 案卷 is services/case_file.py.

Every writing function is a unit of work (db/unit_of_work.py): the outermost call commits, a call
inside another unit joins it and commits nothing.

Finalizing numbers a document from the gapless counter of its department, year and 文号 code
(services/numbering.py: the counter row stays locked until the unit commits, so concurrent
finalizations get consecutive numbers, never a gap or a duplicate). Two papers share a number with
a record instead: a case's 立案审批表 takes the case's number (drawn from the same counter when the
case was opened), and a 整改指令 takes the number of its 责令限期整改指令书. The PDF is rendered from
the frozen content once the number is committed (after the lock is released); it is deterministic,
so a failed write is simply rendered again on the next download.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from enforcement.db.acting import current_actor
from enforcement.db.scoping import UNSCOPED
from enforcement.db.unit_of_work import after_commit, transaction, unit_of_work
from enforcement.documents import DocumentError, get_form
from enforcement.documents.contexts import build_context, coercion, procedure
from enforcement.documents.render import (
    cn_date,
    docx_from_context,
    format_number,
    pdf_from_context,
    render_html,
)
from enforcement.domain.calendar import CalendarGap
from enforcement.domain.values import as_int64
from enforcement.models import (
    AppUser,
    Case,
    Department,
    Document,
    Enterprise,
    Hazard,
    RectificationOrder,
)
from enforcement.services import numbering, signatures, verification
from enforcement.services.calendar import working_calendar
from enforcement.services.docking import readonly

# Free-text parts an inspector edits before finalizing: (path in the content, label, kind).
# kind "lines": one item per line, printed as a numbered list.
COMMON_EDITABLE = [("legal_basis", "依据", "text"), ("date", "文书日期", "text")]
EDITABLE: dict[str, list[tuple[str, str, str]]] = {
    "inspection_plan": [("items", "检查事项", "lines"), ("methods", "检查方式", "text"),
                        ("inspection.start", "检查时间", "text"), ("author", "编制人", "text")],
    "inspection_record": [("inspection.place", "检查场所", "text"),
                          ("inspection.start", "检查开始时间", "text"),
                          ("inspection.end", "检查结束时间", "text"),
                          ("situation", "检查情况", "lines"), ("findings", "存在隐患", "lines")],
    "rectification_order": [("problems", "存在问题", "lines")],
    "onsite_measures_decision": [("inspection.date", "检查日期", "text"),
                                 ("problems", "违法违规行为和事故隐患", "lines"),
                                 ("measures", "现场处理决定", "lines")],
    "rectification_review": [("original.title", "原决定", "text"),
                             ("original.number", "原决定文号", "text"),
                             ("original.date", "原决定日期", "text"), ("opinion", "复查意见", "lines")],
    "case_filing_approval": [("case.name", "案由", "text"), ("case.source", "案件来源", "text"),
                             ("case.summary", "案情摘要", "lines"),
                             ("handler_opinion", "承办人意见", "lines")],
    "inquiry_record": [("inquiry.start", "询问开始时间", "text"), ("inquiry.end", "询问结束时间", "text"),
                       ("inquiry.place", "询问地点", "text"), ("interviewee.name", "被询问人", "text"),
                       ("interviewee.position", "职务", "text"),
                       ("questions_answers", "问答内容", "lines")],
    "case_review_approval": [("facts", "违法事实", "lines"), ("evidence", "证据", "lines"),
                             ("violated", "违反条款", "text"), ("discretion", "裁量理由", "lines"),
                             ("proposal", "处理意见", "lines")],
    "penalty_notice": [("facts", "违法事实", "lines"), ("evidence", "证据", "lines"),
                       ("violated", "违反条款", "text"), ("penalty", "拟处罚内容", "text"),
                       ("contact.person", "联系人", "text"), ("contact.phone", "联系电话", "text"),
                       ("contact.address", "机关地址", "text")],
    "hearing_notice": [("facts", "违法事实", "lines"), ("violated", "违反条款", "text"),
                       ("penalty", "拟处罚内容", "text"), ("contact.person", "联系人", "text"),
                       ("contact.phone", "联系电话", "text")],
    "penalty_decision_unit": [("facts", "违法事实", "lines"), ("evidence", "证据", "lines"),
                              ("violated", "违反条款", "text"), ("penalty", "处罚内容", "text"),
                              ("payment.bank", "缴款银行", "text"), ("payment.account", "账号", "text")],
    "service_receipt": [("service.method", "送达方式", "text"), ("service.place", "送达地点", "text"),
                        ("service.receiver", "收件人", "text"), ("service.note", "备注", "text")],
    "case_closing_approval": [("case.decision_number", "处罚决定书文号", "text"),
                              ("penalty", "处罚内容", "text"), ("execution", "执行情况", "lines"),
                              ("closing_reason", "结案理由", "lines")],
}  # fmt: skip
EDITABLE["penalty_decision_person"] = EDITABLE["penalty_decision_unit"]
# What a finalized document may not leave blank (the rest of its editable parts may be empty).
REQUIRED_TO_FINALIZE: dict[str, tuple[str, ...]] = {
    "rectification_order": ("problems",),
    "onsite_measures_decision": ("problems", "measures"),
    "rectification_review": ("original.number", "opinion"),
    "case_filing_approval": ("case.name", "case.summary"),
    "inquiry_record": ("interviewee.name", "questions_answers"),
    "case_review_approval": ("facts", "violated", "proposal"),
    "penalty_notice": ("facts", "violated", "penalty"),
    "hearing_notice": ("facts", "violated", "penalty"),
    "penalty_decision_unit": ("facts", "violated", "penalty"),
    "penalty_decision_person": ("facts", "violated", "penalty"),
    "service_receipt": ("service.receiver",),
    "case_closing_approval": ("closing_reason",),
}
# The documents each step of the procedure offers to generate, in the order they are needed.
STEP_FORMS: dict[str, tuple[str, ...]] = {
    "scheme": ("inspection_plan",),
    "inspection": ("inspection_record", "onsite_measures_decision"),
    "rectification": ("rectification_order", "rectification_review"),
    "case": (
        "case_filing_approval",
        "inquiry_record",
        "case_review_approval",
        "penalty_notice",
        "hearing_notice",
        "penalty_decision_unit",
        "penalty_decision_person",
        "service_receipt",
        "case_closing_approval",
    ),
}

# The forms of the procedure's later steps (先行登记保存 … 移送): their parts live beside their context.
EDITABLE.update(procedure.EDITABLE)
REQUIRED_TO_FINALIZE.update(procedure.REQUIRED_TO_FINALIZE)
STEP_FORMS["case"] = (*STEP_FORMS["case"], *procedure.CASE_STEP_FORMS)
# 行政强制 (查封扣押, 停止供电) and the investigation's 询问通知书, 勘验笔录, 抽样取证凭证, the same way.
EDITABLE.update(coercion.EDITABLE)
REQUIRED_TO_FINALIZE.update(coercion.REQUIRED_TO_FINALIZE)
STEP_FORMS["case"] = (*STEP_FORMS["case"], *coercion.CASE_STEP_FORMS)
# 行政处罚法 第六十四条（二）: the party is told the hearing's time and place seven days before it,
# working days (第八十五条).
HEARING_NOTICE_DAYS = 7
_CN_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})")


def editable_fields(form_code: str) -> list[tuple[str, str, str]]:
    return EDITABLE.get(form_code, []) + COMMON_EDITABLE


def get_path(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def _username(actor: Any) -> str | None:
    if actor is None:
        return current_actor().username
    return actor if isinstance(actor, str) else getattr(actor, "username", None)


def _unscoped(statement: Any) -> Any:
    return statement.execution_options(**{UNSCOPED: True})


def parse_subject(subject: Any) -> tuple[str, Any]:
    """``"enterprise:12"``, ``("case", 3)`` or an ORM record → (kind, record or id)."""
    if isinstance(subject, str):
        kind, _, ident = subject.partition(":")
        number = as_int64(ident, minimum=1)
        if not kind or number is None:
            raise DocumentError("文书对象格式应为 类型:编号")
        return kind, number
    if isinstance(subject, tuple):
        return subject[0], subject[1]
    if isinstance(subject, Enterprise):
        return "enterprise", subject
    return type(subject).__name__.lower(), subject


@transaction
def draft(
    session: Session,
    form_code: str,
    subject: Any,
    actor: Any = None,
    *,
    department: Department | None = None,
    pm: Any = None,
) -> Document:
    """A new draft of a form, filled from the subject record (the inspector then edits the free text)."""
    form = get_form(form_code, pm)
    kind, record = parse_subject(subject)
    refused = readonly.refusal(session, kind, record)  # a docked subject is read-only here
    if refused:
        raise DocumentError(refused)
    username = _username(actor)
    enterprise = None
    if kind == "enterprise":
        enterprise = record if isinstance(record, Enterprise) else session.get(Enterprise, record)
        if enterprise is None:
            raise DocumentError("执法对象不存在或不在您的管辖范围内")
        record = enterprise
    department = department or numbering.department_for(
        session, enterprise.region_code if enterprise else None, username
    )
    content = build_context(session, form, kind, record, department)
    known = content.get("record") or {}
    if enterprise is None and known.get("enterprise_id"):
        enterprise = session.get(Enterprise, known["enterprise_id"])
    if department is None and enterprise is not None:  # learnt from the record: fill again
        department = numbering.department_for(session, enterprise.region_code, None)
        content = build_context(session, form, kind, record, department)
    document = Document(
        form_code=form.code,
        title=form.name,
        subject_kind=kind,
        subject_id=known.get("id")
        or getattr(record, "id", record if isinstance(record, int) else None),
        enterprise_id=enterprise.id if enterprise else None,
        region_code=known.get("region_code")
        or (enterprise.region_code if enterprise else None)
        or (department.region_code if department else None),
        department_id=department.id if department else None,
        number_code=form.number_code,
        status="draft",
        content=content,
        created_by=username,
    )
    session.add(document)
    session.flush()  # its id, also when the caller's unit commits later
    return document


@transaction
def update_free_text(
    session: Session, document: Document, values: dict[str, Any], actor: Any = None
) -> Document:
    """Change the editable parts of a draft; a final document refuses (supersede it instead)."""
    if document.status != "draft":
        raise DocumentError("已定稿的文书不能修改，请作废后生成新版本")
    allowed = {path: kind for path, _label, kind in editable_fields(document.form_code)}
    content = copy.deepcopy(document.content)
    for path, value in values.items():
        if path not in allowed:
            raise DocumentError(f"“{path}”不是可编辑的内容")
        _set_path(content, path, str(value or "").replace("\r\n", "\n").strip())
    document.content = content
    return document


def blank_required(document: Document) -> dict[str, str]:
    """{path: message} for each part the document may not be finalized without."""
    labels = {path: label for path, label, _kind in editable_fields(document.form_code)}
    missing = {}
    for path in (*REQUIRED_TO_FINALIZE.get(document.form_code, ()), "date"):
        value = get_path(document.content, path)
        parts = value if isinstance(value, list) else [value]
        if not any(str(part or "").strip() for part in parts):
            missing[path] = f"定稿前请填写{labels.get(path, path)}"
    return missing


def _parse_day(text: Any) -> dt.date | None:
    match = _CN_DATE.search(str(text or ""))
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _hearing_too_soon(session: Session, document: Document, today: dt.date) -> dict[str, str]:
    """A 听证会通知书 is refused when the hearing it names is not 7 working days after the notice
    (the day the case recorded it, else today): the rule of the procedure's 通知听证会 step."""
    if document.form_code != "hearing_meeting_notice":
        return {}
    day = _parse_day(get_path(document.content, "hearing.time"))
    if day is None:
        return {}
    case = session.get(Case, document.subject_id) if document.subject_kind == "case" else None
    noticed = (case.hearing_noticed_on if case is not None else None) or today
    try:
        earliest = working_calendar(session).add_working_days(noticed, HEARING_NOTICE_DAYS)
    except CalendarGap as gap:
        return {"hearing.time": str(gap)}
    if day < earliest:
        return {
            "hearing.time": "听证会应在通知送达7个工作日后举行（《中华人民共和国行政处罚法》"
            f"第六十四条第（二）项、第八十五条），最早于{earliest.isoformat()}举行"
        }
    return {}


# 行政处罚法 第五十一条: 当场处罚 only for 警告 or a fine up to 200元 (公民) / 3000元 (单位), 本数 included.
ONSITE_LIMITS = {"onsite_penalty_unit": Decimal(3000), "onsite_penalty_person": Decimal(200)}


def _onsite_over_limit(session: Session, document: Document) -> dict[str, str]:
    limit = ONSITE_LIMITS.get(document.form_code)
    if limit is None or document.subject_kind != "case" or document.subject_id is None:
        return {}
    case = session.get(Case, document.subject_id)
    if case is None or case.fine_total <= limit:
        return {}
    return {
        "penalty": f"罚款{case.fine_total:,.2f}元超过当场处罚的限额（{limit:,.0f}元以下，"
        "《中华人民共和国行政处罚法》第五十一条），应当适用普通程序作出行政处罚决定书"
    }


def _data_dir(data_dir: str | Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    from flask import current_app

    return Path(current_app.config["DATA_DIR"])


@transaction
def finalize(
    session: Session,
    document: Document,
    actor: Any = None,
    *,
    data_dir: str | Path | None = None,
    pm: Any = None,
    today: dt.date | None = None,
) -> Document:
    """Number the draft (gapless per department, year and 文号 code; a case's 立案审批表 takes the
    case's number), freeze it; once committed, store its PDF (a failure there is reported, never
    undoes the number: the PDF renders again)."""
    folder = _data_dir(data_dir)  # resolved now: the PDF is stored after the unit, maybe elsewhere
    if document.status != "draft":
        raise DocumentError("只有草稿可以定稿")
    missing = blank_required(document)
    missing.update(_hearing_too_soon(session, document, today or dt.date.today()))
    missing.update(_onsite_over_limit(session, document))
    missing.update(coercion.period_errors(document.form_code, document.content))
    if missing:
        raise DocumentError("；".join(missing.values()))
    form = get_form(document.form_code, pm)
    document_id, department_id = document.id, document.department_id
    username = _username(actor)
    year = (today or dt.date.today()).year
    serial = None
    case = _case_numbering(session, document)
    if case is not None:  # no serial to draw: lock the draft itself
        session.execute(select(Document.id).where(Document.id == document_id).with_for_update())
    elif form.number_code and department_id:
        serial = numbering.next_serial(session, department_id, year, form.number_code)
    # Read again under the lock: a concurrent finalization of this very draft has committed by now.
    document = session.get(Document, document_id, populate_existing=True)
    if document is None or document.status != "draft":
        raise DocumentError("该文书已定稿或已删除")
    content = dict(document.content)
    if case is not None:
        # The serial is the case's (drawn when it was opened): a new version keeps the number.
        document.number, document.year = case.number, case.filed_on.year
        content["number"] = document.number
    elif serial is not None:
        agency = content.get("agency", {}).get("abbreviation") or ""
        document.number = format_number(agency, form.number_code, year, serial)
        document.year, document.serial = year, serial
        content["number"] = document.number
    content["finalized_on"] = cn_date(today or dt.date.today())
    # The signatures collected on the draft are frozen with it; the QR code links to its token.
    content["signatures"] = signatures.for_rendering(session, document)
    document.verify_token = verification.new_token()
    content["verification"] = verification.verification_of(document)
    document.content = content
    document.status = "final"
    document.finalized_by = username
    document.finalized_at = dt.datetime.now().replace(microsecond=0)
    if document.number and form.number_code == "责改":
        _number_rectification_order(session, document)
    if document.supersedes_id:
        previous = session.get(Document, document.supersedes_id)
        if previous is not None and previous.status == "final":
            previous.status = "superseded"
    session.flush()
    after_commit(
        session,
        "store_pdf",
        functools.partial(store_pdf, session, document, data_dir=folder, pm=pm),
    )
    return document


def _case_numbering(session: Session, document: Document) -> Case | None:
    """The case whose number a 立案审批表 carries (its subject, or its hazard's case), if any."""
    if document.form_code != numbering.CASE_FILING_FORM:
        return None
    case_id = None
    if document.subject_kind == "case":
        case_id = document.subject_id
    elif document.subject_kind == "hazard":
        hazard = session.get(Hazard, document.subject_id)
        case_id = hazard.case_id if hazard is not None else None
    return session.get(Case, case_id) if case_id else None


def _number_rectification_order(session: Session, document: Document) -> None:
    """The 整改指令 record takes the 文号 of its finalized 责令限期整改指令书: one number, one paper."""
    order_id = None
    if document.subject_kind == "rectification":
        order_id = document.subject_id
    elif document.subject_kind == "hazard":
        hazard = session.get(Hazard, document.subject_id)
        order_id = hazard.rectification_order_id if hazard is not None else None
    order = session.get(RectificationOrder, order_id) if order_id else None
    if order is not None:
        order.number = document.number


def store_pdf(
    session: Session, document: Document, *, data_dir: str | Path | None = None, pm: Any = None
) -> bytes:
    """Render the final document's PDF, keep it under DATA_DIR/documents with its SHA-256.

    Rendered before its unit of work opens, so SQLite's write lock is held for the UPDATE only."""
    pdf = pdf_from_context(get_form(document.form_code, pm), document.content)
    digest = hashlib.sha256(pdf).hexdigest()
    relative = (
        Path("documents") / str(document.year or "unnumbered") / f"{document.id}-{digest[:16]}.pdf"
    )
    target = _data_dir(data_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf)
    document_id = document.id
    with unit_of_work(session):
        session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(sha256=digest, file_path=str(relative))
        )
    return pdf


@transaction
def supersede(session: Session, document: Document, actor: Any = None) -> Document:
    """A new draft version of a final document (the old one is marked superseded when it is finalized)."""
    if document.status != "final":
        raise DocumentError("只有已定稿的文书可以生成新版本")
    content = copy.deepcopy(document.content)
    for frozen in ("number", "finalized_on", "signatures", "verification"):
        content.pop(frozen, None)  # a new version is numbered, signed and verified anew
    newer = Document(
        form_code=document.form_code,
        title=document.title,
        subject_kind=document.subject_kind,
        subject_id=document.subject_id,
        enterprise_id=document.enterprise_id,
        region_code=document.region_code,
        department_id=document.department_id,
        number_code=document.number_code,
        status="draft",
        content=content,
        version=document.version + 1,
        supersedes_id=document.id,
        created_by=_username(actor),
    )
    session.add(newer)
    session.flush()
    return newer


def render_pdf(document: Document, *, data_dir: str | Path | None = None, pm: Any = None) -> bytes:
    """The stored file of a final document (when intact), else a render of its content."""
    if document.status != "draft" and document.file_path:
        try:
            path = _data_dir(data_dir) / document.file_path
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == document.sha256:
                return data
        except (OSError, RuntimeError):
            pass
    return pdf_from_context(get_form(document.form_code, pm), _printed(document))


def render_docx(document: Document, *, pm: Any = None) -> bytes:
    return docx_from_context(get_form(document.form_code, pm), _printed(document))


def preview_html(document: Document, *, pm: Any = None) -> str:
    return render_html(get_form(document.form_code, pm), _printed(document))


def _printed(document: Document) -> dict[str, Any]:
    """What prints: a final document's frozen content; a draft's with the signatures so far."""
    session = object_session(document)
    if document.status != "draft" or session is None or not signatures.slots_of(document):
        return document.content
    return {**document.content, "signatures": signatures.for_rendering(session, document)}


def blank(form_code: str, fmt: str = "pdf", *, pm: Any = None) -> bytes:
    """A form with every field empty (文书模板查询), as PDF or DOCX."""
    form = get_form(form_code, pm)
    context: dict[str, Any] = {}
    if fmt == "docx":
        return docx_from_context(form, context)
    if fmt != "pdf":
        raise DocumentError("格式只能是 PDF 或 DOCX")
    return pdf_from_context(form, context)


def _is_admin(session: Session, username: str | None) -> bool:
    if username == "system":  # the command line
        return True
    user = session.scalar(_unscoped(select(AppUser).where(AppUser.username == username)))
    return user is not None and any(role.name == "admin" for role in user.roles)


@transaction
def delete(session: Session, document: Document, reason: str, actor: Any = None) -> Document:
    """文书管理（删除）: a system admin marks a document deleted, with a reason (audited, restorable)."""
    username = _username(actor)
    if not _is_admin(session, username):
        raise PermissionError("只有系统管理员可以删除文书")
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError("请填写删除原因")
    document.deleted_at = dt.datetime.now().replace(microsecond=0)
    document.deleted_by = username
    document.delete_reason = reason
    _flush_audited(session, reason)
    return document


@transaction
def restore(session: Session, document: Document, actor: Any = None, reason: str = "") -> Document:
    username = _username(actor)
    if not _is_admin(session, username):
        raise PermissionError("只有系统管理员可以恢复文书")
    document.deleted_at = None
    document.deleted_by = None
    document.delete_reason = None
    _flush_audited(session, reason or "恢复文书")
    return document


def _flush_audited(session: Session, reason: str) -> None:
    """Flush now, so the audit log (written at flush) records this reason, even inside a larger unit."""
    session.info["audit_reason"] = reason
    try:
        session.flush()
    finally:
        session.info.pop("audit_reason", None)


def deleted_documents(session: Session) -> list[Document]:
    """Soft-deleted documents (the admin page): the only query that sees them."""
    return list(
        session.scalars(
            _unscoped(
                select(Document)
                .where(Document.deleted_at.is_not(None))
                .order_by(Document.deleted_at.desc())
            )
        )
    )


def get_deleted(session: Session, document_id: int) -> Document | None:
    return session.scalar(
        _unscoped(
            select(Document).where(Document.id == document_id, Document.deleted_at.is_not(None))
        )
    )


def documents_of(session: Session, kind: str, subject_id: int) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(Document.subject_kind == kind, Document.subject_id == subject_id)
            .order_by(Document.id)
        )
    )
