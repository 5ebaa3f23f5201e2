"""Bulk import of a catalogue (.xlsx or .csv) into the actor's region, as the base-data importer does:
every bad cell reported with its Excel row and column, valid rows saved, each in its own SAVEPOINT.

Columns (first row, Chinese headers; see schemas/library/entry.schema.json for the same fields):
栏目 标题 文号/标准号 发布机关 状态 公布日期 施行日期 重点事项类别 摘要 全文 来源. 栏目, 状态 and
重点事项类别 take the Chinese labels (法律法规, 现行有效, 粉尘涉爆 …) or the codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.scoping import OutOfJurisdiction
from enforcement.db.unit_of_work import unit_of_work
from enforcement.domain import library as rules
from enforcement.domain.errors import Refused
from enforcement.models import LibraryEntry
from enforcement.services.importing.reading import ImportFileError, read_table
from enforcement.services.library.entries import clean, index_entry

HEADERS: dict[str, str] = {
    "栏目": "collection",
    "标题": "title",
    "文号/标准号": "number",
    "发布机关": "issuer",
    "状态": "status",
    "公布日期": "published_on",
    "施行日期": "effective_on",
    "重点事项类别": "key_item_sets",
    "摘要": "summary",
    "全文": "body",
    "来源": "source",
}
LABELS = {field: header for header, field in HEADERS.items()}
MAX_ROWS = 20_000


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportOutcome:
    added: int = 0
    errors: list[RowError] = field(default_factory=list)


def _code(value: str | None, table: dict[str, str]) -> str | None:
    if value is None:
        return None
    by_label = {label: code for code, label in table.items()}
    return by_label.get(value, value)


def _values(cells: dict[str, Any]) -> dict[str, Any]:
    values = {field: cells.get(header) for header, field in HEADERS.items()}
    values["collection"] = _code(values["collection"], rules.COLLECTIONS)
    values["status"] = _code(values["status"], rules.STATUSES)
    sets = (values["key_item_sets"] or "").replace("，", ",").replace("、", ",")
    values["key_item_sets"] = [
        _code(part.strip(), rules.KEY_ITEM_SETS) for part in sets.split(",") if part.strip()
    ]
    return values


def import_catalogue(session: Session, data: bytes, filename: str) -> ImportOutcome:
    """Read, check and save; a file that cannot be read raises Refused at /file."""
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        raise Refused(str(exc), "/file") from exc
    missing = [h for h in ("栏目", "标题") if h not in table.columns]
    if missing:
        raise Refused("缺少必填列：" + "、".join(missing) + "（第1行为表头）", "/file")
    if len(table) > MAX_ROWS:
        raise Refused(f"一次最多导入 {MAX_ROWS} 行，请拆分文件", "/file")
    outcome = ImportOutcome()
    actor = current_actor()
    with unit_of_work(session):
        for number, row in table.iterrows():
            cells = {h: row[h] if h in table.columns else None for h in HEADERS}
            try:
                with session.begin_nested():
                    values = clean(session, _values(cells))
                    entry = LibraryEntry(
                        region_code=actor.jurisdiction.region_code,
                        created_by=actor.username,
                        **values,
                    )
                    session.add(entry)
                    index_entry(session, entry)
            except Refused as refused:
                outcome.errors.extend(
                    RowError(int(number), LABELS.get(e.field, ""), e.message)
                    for e in refused.errors
                )
                continue
            except OutOfJurisdiction as exc:
                outcome.errors.append(RowError(int(number), "", str(exc)))
                continue
            outcome.added += 1
    return outcome
