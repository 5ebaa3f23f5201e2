"""批量导入: enterprises, their equipment, and enforcers with their trainings, from .xlsx or .csv.

Every row is validated and every bad cell reported (row numbers as Excel shows them: the header is
row 1). A cell is read by its field's rule (domain/fields.py) and a row checked by the base-data
rules (services/base_data.py), the same the pages and the API apply. Valid rows are saved, each in
its own SAVEPOINT, so a row refused by the database layer (the jurisdiction check in before_flush,
a constraint) becomes a row error without undoing the others. An import only creates or updates:
an empty optional cell keeps the stored value, nothing is deleted, and matching on natural keys
(USCC, 执法证号, …) makes re-importing a file harmless.

reading.py reads the file, columns.py matches its headers, rows.py reads each row, kinds.py checks
and saves each kind of record.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.acting import current_actor
from enforcement.db.audit import record_event
from enforcement.db.scoping import OutOfJurisdiction
from enforcement.db.unit_of_work import chunked, unit_of_work
from enforcement.services.importing import kinds
from enforcement.services.importing.columns import (
    COLUMNS,
    FILE_COLUMN,
    KINDS,
    Column,
    match_headers,
)
from enforcement.services.importing.reading import ImportFileError, read_table
from enforcement.services.importing.rows import (
    CellError,
    ImportResult,
    Row,
    RowError,
    parse_row,
)

__all__ = [
    "COLUMNS",
    "FILE_COLUMN",
    "KINDS",
    "CellError",
    "Column",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "import_file",
    "read_table",
]

log = logging.getLogger(__name__)


def _save_row(session: Session, rules: kinds.KindRules, row: Row) -> str | None:
    """Save one row in its own SAVEPOINT; a refusal rolls back this row only."""
    try:
        with session.begin_nested():
            outcome = rules.save(session, row)
            session.flush()
        return outcome
    except OutOfJurisdiction as exc:
        row.error(rules.jurisdiction_column, str(exc))
    except (IntegrityError, DataError):
        log.warning("import row %s refused by the database", row.number, exc_info=True)
        row.error(rules.key_column, "保存失败：与已有数据冲突或数据超出允许范围，请核对后重试")
    return None


def import_file(
    session: Session, kind: str, data: bytes, filename: str, max_rows: int = 20000
) -> ImportResult:
    """Import a .xlsx or .csv file of `kind` (enterprises, equipment, enforcers) as one unit of work.

    Rows with errors are left out and reported; the other rows are saved (each in its SAVEPOINT).
    Counts are per row.
    """
    if kind not in COLUMNS:
        raise ValueError(f"unknown import kind: {kind!r}")
    result = ImportResult()
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        result.errors.append(RowError(1, FILE_COLUMN, str(exc)))
        return result
    if table.columns.empty:
        result.errors.append(RowError(1, FILE_COLUMN, "文件是空的：第1行应为表头"))
        return result
    positions, header_problems = match_headers(kind, [str(c) for c in table.columns])
    if header_problems:
        result.errors.extend(RowError(1, header, problem) for header, problem in header_problems)
        return result
    if len(table) > max_rows:
        result.errors.append(
            RowError(
                1,
                FILE_COLUMN,
                f"共{len(table)}行数据，超过单次导入上限{max_rows}行，请拆分后分批导入（本次未导入任何数据）",
            )
        )
        return result

    rules = kinds.RULES[kind]
    order = {column.header: position for position, column in positions.items()}
    session.info["audit_reason"] = f"批量导入 {filename}"
    try:
        with unit_of_work(session):
            context = kinds.load_context(session)
            rows = zip(table.index, table.itertuples(index=False, name=None), strict=True)
            # Committed every few hundred rows: a long import does not hold the write lock (and
            # keep every save and login waiting) for its whole run.
            for number, cells in chunked(session, rows):
                row = parse_row(int(number), cells, positions)
                kinds.check_repeats(kind, context, row)
                rules.check(context, row)
                outcome = None if row.errors else _save_row(session, rules, row)
                if outcome is None:
                    # In the order of the file's columns, as the user reads the row.
                    result.errors.extend(sorted(row.errors, key=lambda e: order.get(e.column, 999)))
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
            actor = current_actor()
            record_event(
                session,
                "import",
                username=actor.username,
                remote_addr=actor.remote_addr,
                entity=kind,
                summary=f"批量导入{KINDS[kind]} {filename}：新增{result.created}，更新{result.updated}，"
                f"无变化{result.unchanged}，出错{len(result.errors)}",
                values={
                    "filename": filename,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "errors": len(result.errors),
                },
            )
            session.flush()  # audited with the file name, also inside a caller's unit
    finally:
        session.info.pop("audit_reason", None)
    return result
