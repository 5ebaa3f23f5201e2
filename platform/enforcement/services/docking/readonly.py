"""A docked inspection, hazard, rectification order or case is read-only on the platform: its
documents were made by the source system (they arrive as docked documents), so the platform offers
no 生成… button for it (web/documents/views.document_panel) and refuses a draft of one
(services/documents.draft), as services/cases.py refuses moving a docked case on."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from enforcement.models import Case, Hazard, Inspection, RectificationOrder

SUBJECTS: dict[str, type] = {
    "inspection": Inspection,
    "hazard": Hazard,
    "rectification": RectificationOrder,
    "case": Case,
}
LABELS = {"inspection": "检查", "hazard": "隐患", "rectification": "整改指令书", "case": "案件"}


def docked(session: Session, kind: str, record: Any) -> Any | None:
    """The subject row when it came through docking (a document subject: kind and row or id)."""
    for name, model in SUBJECTS.items():
        if isinstance(record, model):
            kind = name
            break
    model = SUBJECTS.get(kind)
    if model is None:
        return None
    row = record if isinstance(record, model) else None
    if row is None and isinstance(record, int):
        row = session.get(model, record)
    return row if row is not None and getattr(row, "docking_source", None) else None


def refusal(session: Session, kind: str, record: Any) -> str | None:
    """Why no document may be generated for the subject (None: it may)."""
    row = docked(session, kind, record)
    if row is None:
        return None
    label = next(n for k, n in LABELS.items() if isinstance(row, SUBJECTS[k]))
    return (
        f"该{label}为{row.docking_source_label}数据，在本平台只读，不能在此生成新的执法文书；"
        "文书请在来源系统制作后对接"
    )
