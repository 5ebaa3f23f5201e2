"""One spreadsheet row: its cells read by the columns' rules, its errors, what it will update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from enforcement.domain.errors import FieldError, Refused
from enforcement.services.importing.columns import Column


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class CellError(Refused):
    """A cell value that cannot be accepted; the message is Chinese and shown to the user."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message, path)


@dataclass
class Row:
    number: int
    cells: dict[str, str | None]  # field -> the text as read
    values: dict[str, Any] = field(default_factory=dict)  # field -> parsed value, None if bad
    errors: list[RowError] = field(default_factory=list)
    target: Any = None  # the stored record this row updates, when there is one
    parent: Any = None  # the enterprise of an equipment row, the department of an enforcer

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


def parse_row(number: int, cells: Sequence[Any], positions: dict[int, Column]) -> Row:
    """Every cell through its column's rule; each refused cell an error, its value None."""
    row = Row(number, {column.field: cells[position] for position, column in positions.items()})
    for position, column in positions.items():
        text = cells[position]
        row.values[column.field] = None
        if text is None:
            # An empty optional cell keeps the stored value; an empty required one is refused.
            missing = column.blank()
            if missing is not None:
                row.error(column.header, missing.message)
            continue
        try:
            row.values[column.field] = column.parse(text)
        except FieldError as exc:
            row.error(column.header, exc.message)
        except Refused as exc:
            row.error(column.header, str(exc))
    return row
