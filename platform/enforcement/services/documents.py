"""执法文书 services: draft from a record, edit the free text, finalize (gapless 文号), supersede,
render PDF/DOCX, blank forms, admin-only soft delete and restore, and the 案卷 (case file) PDF.

Every writing function is a unit of work (db/unit_of_work.py): the outermost call commits, a call
inside another unit joins it and commits nothing.

Finalizing is the one place that numbers documents. The counter row of (department, year, 文号
code) is locked until the unit commits — ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the unit
began with ``BEGIN IMMEDIATE``, which holds the database write lock — so concurrent finalizations get
consecutive numbers, never a gap or a duplicate. The PDF is rendered from the frozen content once the
number is committed (after the lock is released); it is deterministic, so a failed write is simply
rendered again on the next download.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import io
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.unit_of_work import after_commit, transaction, unit_of_work
from enforcement.documents import DocumentError, get_form
from enforcement.documents.contexts import build_context
from enforcement.documents.render import (
    cn_date,
    docx_from_context,
    format_number,
    html_to_pdf,
    pdf_from_context,
    render_html,
)
from enforcement.domain.values import as_int64
from enforcement.models import AppUser, Department, Document, DocumentCounter, Enterprise, Region
from enforcement.models.scoping import UNSCOPED, current_actor

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
# 案卷 order (天津 立卷规定, research.md §3): the decision first, then the procedure in order.
CASE_FILE_ORDER = [
    "penalty_decision_unit", "penalty_decision_person", "case_filing_approval", "inquiry_record",
    "inspection_record", "rectification_order", "onsite_measures_decision", "rectification_review",
    "penalty_notice", "hearing_notice", "case_review_approval", "service_receipt",
    "case_closing_approval",
]  # fmt: skip
RETENTION_CHOICES = ("永久", "定期30年", "定期10年")
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


def editable_fields(form_code: str) -> list[tuple[str, str, str]]:
    return EDITABLE.get(form_code, []) + COMMON_EDITABLE


def _get_path(data: dict[str, Any], path: str) -> Any:
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


def department_for(
    session: Session, region_code: str | None, username: str | None
) -> Department | None:
    """The issuing department: the user's own, else the bureau of the enterprise's region or above."""
    if username:
        user = session.scalar(_unscoped(select(AppUser).where(AppUser.username == username)))
        if user is not None and user.department_id:
            return session.get(Department, user.department_id)
    code = region_code
    while code:
        department = session.scalar(
            select(Department)
            .where(Department.region_code == code)
            .order_by(Department.id)
            .limit(1)
        )
        if department is not None:
            return department
        region = session.get(Region, code)
        code = region.parent_code if region is not None else None
    return None


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
    username = _username(actor)
    enterprise = None
    if kind == "enterprise":
        enterprise = record if isinstance(record, Enterprise) else session.get(Enterprise, record)
        if enterprise is None:
            raise DocumentError("执法对象不存在或不在您的管辖范围内")
        record = enterprise
    department = department or department_for(
        session, enterprise.region_code if enterprise else None, username
    )
    content = build_context(session, form, kind, record, department)
    known = content.get("record") or {}
    if enterprise is None and known.get("enterprise_id"):
        enterprise = session.get(Enterprise, known["enterprise_id"])
    if department is None and enterprise is not None:  # learnt from the record: fill again
        department = department_for(session, enterprise.region_code, None)
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
        value = _get_path(document.content, path)
        parts = value if isinstance(value, list) else [value]
        if not any(str(part or "").strip() for part in parts):
            missing[path] = f"定稿前请填写{labels.get(path, path)}"
    return missing


def _next_serial(session: Session, department_id: int, year: int, code: str) -> int:
    key = (
        DocumentCounter.department_id == department_id,
        DocumentCounter.year == year,
        DocumentCounter.number_code == code,
    )
    query = (
        select(DocumentCounter)
        .where(*key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    counter = session.scalar(query)
    if counter is None:
        try:
            with session.begin_nested():
                session.add(
                    DocumentCounter(
                        department_id=department_id, year=year, number_code=code, last_serial=0
                    )
                )
        except IntegrityError:
            pass  # another finalization created it first: lock theirs
        counter = session.scalar(query)
    counter.last_serial += 1
    return counter.last_serial


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
    """Number the draft (gapless per department, year and 文号 code), freeze it; once committed,
    store its PDF (a failure there is reported, never undoes the number: the PDF renders again)."""
    folder = _data_dir(data_dir)  # resolved now: the PDF is stored after the unit, maybe elsewhere
    if document.status != "draft":
        raise DocumentError("只有草稿可以定稿")
    missing = blank_required(document)
    if missing:
        raise DocumentError("；".join(missing.values()))
    form = get_form(document.form_code, pm)
    document_id, department_id = document.id, document.department_id
    username = _username(actor)
    year = (today or dt.date.today()).year
    serial = None
    if form.number_code and department_id:
        serial = _next_serial(session, department_id, year, form.number_code)
    # Read again under the lock: a concurrent finalization of this very draft has committed by now.
    document = session.get(Document, document_id, populate_existing=True)
    if document is None or document.status != "draft":
        raise DocumentError("该文书已定稿或已删除")
    content = dict(document.content)
    if serial is not None:
        agency = content.get("agency", {}).get("abbreviation") or ""
        document.number = format_number(agency, form.number_code, year, serial)
        document.year, document.serial = year, serial
        content["number"] = document.number
    content["finalized_on"] = cn_date(today or dt.date.today())
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


def _number_rectification_order(session: Session, document: Document) -> None:
    """The 整改指令 record takes the 文号 of its finalized 责令限期整改指令书: one number, one paper."""
    from enforcement.models.workbench import Hazard, RectificationOrder

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
    content.pop("number", None)
    content.pop("finalized_on", None)
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
    return pdf_from_context(get_form(document.form_code, pm), document.content)


def render_docx(document: Document, *, pm: Any = None) -> bytes:
    return docx_from_context(get_form(document.form_code, pm), document.content)


def preview_html(document: Document, *, pm: Any = None) -> str:
    return render_html(get_form(document.form_code, pm), document.content)


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


def case_documents(session: Session, case: Any) -> list[Document]:
    """Every document of a case and of the findings it came from, oldest first."""
    from enforcement.models.case import case_hazard
    from enforcement.models.workbench import Hazard

    hazards = list(
        session.scalars(
            select(Hazard)
            .join(case_hazard, case_hazard.c.hazard_id == Hazard.id)
            .where(case_hazard.c.case_id == case.id)
        )
    )
    subjects = {("case", case.id)}
    subjects |= {("hazard", h.id) for h in hazards}
    subjects |= {("inspection", h.inspection_id) for h in hazards if h.inspection_id}
    subjects |= {
        ("rectification", h.rectification_order_id) for h in hazards if h.rectification_order_id
    }
    return [
        d
        for d in session.scalars(
            select(Document)
            .where(Document.subject_kind.in_({kind for kind, _ in subjects}))
            .order_by(Document.id)
        )
        if (d.subject_kind, d.subject_id) in subjects
    ]


def case_file_pdf(
    session: Session,
    case: Any,
    *,
    retention: str = "定期30年",
    pm: Any = None,
    data_dir: str | Path | None = None,
) -> bytes:
    """案卷: 案卷首页, 卷内目录, the case's final documents in legal order, the evidence list.

    ``case`` is a Case record (models/case.py): its documents are the final ones generated for the
    case itself and for the findings it came from (its hazards, their inspections and
    rectification orders), so the 现场检查记录 and 责令限期整改指令书 are in the file too.
    """
    from pypdf import PdfReader, PdfWriter

    if retention not in RETENTION_CHOICES:
        raise DocumentError("保存期限只能是永久、定期30年或定期10年")
    documents = [d for d in case_documents(session, case) if d.status == "final"]
    rank = {code: i for i, code in enumerate(CASE_FILE_ORDER)}
    documents.sort(key=lambda d: (rank.get(d.form_code, len(rank)), d.id))
    bodies = [render_pdf(d, data_dir=data_dir, pm=pm) for d in documents]
    first = documents[0].content if documents else {}
    base = {
        "agency": first.get("agency", {}),
        "party": first.get("party", {}),
        "inspectors": first.get("inspectors", []),
        "case": {
            **first.get("case", {}),
            "name": getattr(case, "title", None) or first.get("case", {}).get("name"),
        },
        "penalty": first.get("penalty"),
        "evidence": first.get("evidence"),
        "archive": {
            "date": cn_date(dt.date.today()),
            "number": f"案卷{case.id}",
            "retention": retention,
        },
    }
    page = 3  # after the cover and the contents
    listing = []
    for document, body in zip(documents, bodies, strict=True):
        pages = len(PdfReader(io.BytesIO(body)).pages)
        listing.append(
            {
                "name": document.title,
                "number": document.number,
                "date": document.content.get("finalized_on") or document.content.get("date"),
                "pages": f"{page}–{page + pages - 1}" if pages > 1 else str(page),
            }
        )
        page += pages
    cover = html_to_pdf(render_html(get_form("case_file_cover", pm), base))
    contents = html_to_pdf(
        render_html(get_form("case_file_contents", pm), {**base, "documents": listing})
    )
    writer = PdfWriter()
    for part in [cover, contents, *bodies]:
        writer.append(PdfReader(io.BytesIO(part)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
