"""案卷 (case file): a case's final documents, and those of the findings it came from, merged into
one PDF behind its 案卷（首页） and 卷内目录, in the order of the 立卷 rules.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.documents import DocumentError, get_form
from enforcement.documents.render import cn_date, html_to_pdf, render_html
from enforcement.models import Document, Hazard, case_hazard
from enforcement.services.documents import render_pdf

# 案卷 order (天津 立卷规定, research.md §3): the decision first, then the procedure in order.
CASE_FILE_ORDER = [
    "penalty_decision_unit", "penalty_decision_person", "case_filing_approval", "inquiry_record",
    "inspection_record", "rectification_order", "onsite_measures_decision", "rectification_review",
    "penalty_notice", "hearing_notice", "case_review_approval", "service_receipt",
    "case_closing_approval",
]  # fmt: skip
RETENTION_CHOICES = ("永久", "定期30年", "定期10年")


def case_documents(session: Session, case: Any) -> list[Document]:
    """Every document of a case and of the findings it came from, oldest first."""
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
