"""Docked documents (文书) as rows of their own: kind, 文号, the file's SHA-256 and its reference.

The platform does not fetch or hold the province's file: a `DockedDocument` is listed on its case's
or inspection's page with the file reference and the hash, never offered as a download here. The
reverse direction, the platform's own finalized documents leaving in the export as the same record
type, is `local_export._documents`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.models import DockedDocument
from enforcement.services.docking import context as c


def write_document(ctx: c.Context, base: str, data: dict[str, Any], row: Any) -> Any:
    enterprise = ctx.ref(f"{base}/enterprise_id", "enterprise", data.get("enterprise_id"), "企业")
    case = ctx.ref(f"{base}/case_id", "case", data.get("case_id"), "案件")
    inspection = ctx.ref(f"{base}/inspection_id", "inspection", data.get("inspection_id"), "检查")
    issued = c.day(ctx, f"{base}/issued_on", data.get("issued_on"))
    # The enterprise the document names: stated, or its case's or inspection's.
    subject = case or inspection
    if subject is not None and enterprise is not None and subject.enterprise_id != enterprise.id:
        where = "case_id" if case is not None else "inspection_id"
        ctx.refuse(f"{base}/{where}", "所属案件或检查的企业与文书的企业不一致", "conflict")
    if (
        case is not None
        and inspection is not None
        and case.enterprise_id != inspection.enterprise_id
    ):
        ctx.refuse(f"{base}/inspection_id", "所属检查与所属案件不是同一企业", "conflict")
    if enterprise is not None:
        region = c.region(ctx, base, data, enterprise)
    elif subject is not None:
        region = c.region(ctx, base, data, None)
        if region is not None and region != subject.region_code:
            message = f"行政区划代码与所属记录的所在地（{subject.region_code}）不一致"
            ctx.refuse(f"{base}/region_code", message, "conflict")
    else:
        region = c.region(ctx, base, data, None)
    if ctx.problems or region is None:
        return None
    file = data["file"]
    document = row if row is not None else DockedDocument(docking_source=ctx.source)
    document.form = data["form"]
    document.title = data.get("title")
    document.number = data.get("number")
    owner = enterprise.id if enterprise is not None else None
    document.enterprise_id = owner or (subject.enterprise_id if subject is not None else None)
    document.case_id = case.id if case is not None else None
    document.inspection_id = inspection.id if inspection is not None else None
    document.region_code = region
    document.issued_on = issued
    document.sha256 = data["sha256"]
    document.file_url = file["url"]
    document.file_name = file.get("filename")
    document.content_type = file.get("content_type")
    document.size = file.get("size")
    if row is None:
        document.created_by = ctx.username
        ctx.session.add(document)
    ctx.session.flush()
    return document


def docked_documents(session: Session, kind: str, subject_id: int) -> list[DockedDocument]:
    """The docked documents of a case or an inspection the caller may see, newest first."""
    column = {"case": DockedDocument.case_id, "inspection": DockedDocument.inspection_id}.get(kind)
    if column is None:
        return []
    statement = select(DockedDocument).where(column == subject_id)
    return list(session.scalars(statement.order_by(DockedDocument.id.desc())))
