"""The base-data record types of the spec, each stored in the platform's own table.

Each kind says how its `data` is cleaned (the field rules of domain/fields.py, as the pages and the
importer apply them), which region a record lies in (what the province check reads), how an
unmapped record finds a local one to adopt (USCC, 执法证号, …: a province docking an enterprise
the platform already knows links to it instead of refusing a duplicate), how it is written, and
what the export answers for a stored row (the same names again).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from enforcement.db.bulk import batches
from enforcement.db.scoping import UNSCOPED
from enforcement.domain import codes
from enforcement.domain.errors import FieldError
from enforcement.domain.fields import (
    ENFORCER_FIELDS,
    ENTERPRISE_FIELDS,
    EQUIPMENT_FIELDS,
    Field,
)
from enforcement.models import Department, Enforcer, Enterprise, Equipment

DEPARTMENT_FIELDS: tuple[Field, ...] = (
    Field("name", "部门名称", required=True, min_length=2, max_length=100),
    Field("region_code", "行政区划代码", "region", required=True),
    Field("level", "层级", "choice", required=True, choices=codes.DEPARTMENT_LEVELS),
)


def _unscoped(statement: Any) -> Any:
    return statement.execution_options(**{UNSCOPED: True})


# What the published schema (generated from these fields) already decides in full for a JSON
# value: a code of the table, a six-digit region, a number within the field's bounds. Field.clean
# would answer the same value (tests/unit/test_docking_spec.py); the other kinds (text: stripped and
# checked for control characters; the USCC check digit; dates) run Field.clean after the schema.
# A USCC already in its compact form (what a system sends) is checked here without stdnum's three
# passes of character cleaning (a fifth of a record's validation): the same rule as
# stdnum.cn.uscc.validate on such a value (first eight digits, the alphabet, the GB 32100 check
# digit; tests/unit/test_docking_spec.py compares the two); anything else goes through Field.clean.
_USCC = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_value(f: Field, value: Any) -> Any:
    if isinstance(value, str) and _USCC.fullmatch(value):
        total = sum(
            _USCC_ALPHABET.index(c) * w for c, w in zip(value[:17], _USCC_WEIGHTS, strict=True)
        )
        if value[-1] == _USCC_ALPHABET[(31 - total) % 31]:
            return value
    return f.clean(value)


DECIDED_BY_SCHEMA: dict[str, Callable[[Field, Any], Any]] = {
    "uscc": uscc_value,
    "choice": lambda f, value: value,
    "region": lambda f, value: value,
    "tags": lambda f, value: [code for code in f.choices if code in set(value)],
    "integer": lambda f, value: int(value),
    "number": lambda f, value: float(value),
}


def clean(
    table: tuple[Field, ...], data: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """The stored values of the fields `data` has (a field left out keeps the stored value on an
    update; a new record gets the column's default)."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in table:
        if f.name not in data:
            if f.required:
                errors.append(f.error(f"请填写{f.label}"))
            continue
        value = data[f.name]
        try:
            if value is not None and f.kind in DECIDED_BY_SCHEMA:
                values[f.name] = DECIDED_BY_SCHEMA[f.kind](f, value)
            else:
                values[f.name] = f.clean(value)
        except FieldError as exc:
            errors.append(exc)
    return values, errors


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_fields(obj: Any, table: tuple[Field, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in table:
        value = getattr(obj, f.name)
        if value is None or (f.kind == "tags" and not value):
            continue
        out[f.name] = _plain(value)
    return out


def member_of(session: Session, column: Any, values: list[str]) -> Any:
    """`column IN values`; on PostgreSQL `= ANY(array)`: one parameter, so the statement psycopg
    prepares after five runs keeps an index scan (a generic plan of 500 parameters, made while the
    table was small, scanned all the rows pushed so far, every chunk)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))
    return column.in_(values)


@dataclass(frozen=True)
class Kind:
    name: str
    model: type
    table: tuple[Field, ...]
    # The reference to a parent of the same source: (data key, parent type), or None.
    parent: tuple[str, str] | None
    # The local row an unmapped record adopts, by its natural key (values cleaned).
    natural: Callable[[Session, dict[str, Any], Any], Any]
    export: Callable[[Any], dict[str, Any]]
    soft_deleted: bool = True
    # What the audit log names a record by (its __str__, from the inserted values).
    summary: Callable[[dict[str, Any]], str] = lambda row: str(row.get("name", ""))
    # A column unique across the country: a chunk's candidates are looked up in one query.
    unique: str | None = None

    def prefetch(self, session: Session, values: list[dict[str, Any]]) -> dict[str, Any]:
        """The rows holding the unique keys of these values (any region, soft-deleted too)."""
        if self.unique is None:
            return {}
        keys = sorted({v[self.unique] for v in values if v.get(self.unique)})
        column = getattr(self.model, self.unique)
        found: dict[str, Any] = {}
        for batch in batches(keys):
            statement = select(self.model).where(member_of(session, column, batch))
            for row in session.scalars(_unscoped(statement)):
                found[getattr(row, self.unique)] = row
        return found

    def region_of(self, values: dict[str, Any], parent: Any, row: Any) -> str | None:
        if self.parent is None:
            return values.get("region_code") or (row.region_code if row is not None else None)
        return parent.region_code if parent is not None else None

    @property
    def foreign_key(self) -> str | None:
        """The column naming the parent (the data key has the same name)."""
        return self.parent[0] if self.parent else None

    def assign(self, row: Any, values: dict[str, Any], parent_id: int | None) -> bool:
        """Copy the values (and the parent, when its id is known) onto a stored row; whether
        anything changed. A soft-deleted row pushed again comes back."""
        changed = False
        for name, value in values.items():
            if name == "tags":
                if value is not None and set(value) != set(row.tags):
                    row.tags = value
                    changed = True
                continue
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if parent_id is not None and self.foreign_key:
            if getattr(row, self.foreign_key) != parent_id:
                setattr(row, self.foreign_key, parent_id)
                changed = True
        if self.soft_deleted and row.deleted_at is not None:
            row.deleted_at = None
            row.deleted_by = None
            changed = True
        return changed

    def insert_values(
        self, values: dict[str, Any], parent_id: int | None, ident: int, now: dt.datetime
    ) -> dict[str, Any]:
        """A new row's columns for an executemany INSERT: every field (its default when not
        given), the same keys for every row."""
        out: dict[str, Any] = {"id": ident}
        for f in self.table:
            if f.kind != "tags":
                out[f.name] = f.default if values.get(f.name) is None else values[f.name]
        if self.foreign_key:
            out[self.foreign_key] = parent_id
        for column in ("created_at", "updated_at"):
            if column in self.model.__table__.c:
                out[column] = now
        return out


def _enterprise_by_uscc(session: Session, values: dict[str, Any], parent: Any) -> Any:
    if not values.get("uscc"):
        return None
    return session.scalars(
        _unscoped(select(Enterprise).where(Enterprise.uscc == values["uscc"]))
    ).first()


def _department_by_name(session: Session, values: dict[str, Any], parent: Any) -> Any:
    return session.scalars(
        select(Department).where(
            Department.region_code == values.get("region_code"),
            Department.name == values.get("name"),
        )
    ).first()


def _equipment_by_name(session: Session, values: dict[str, Any], parent: Any) -> Any:
    if parent is None or parent.id is None:
        return None
    return session.scalars(
        _unscoped(
            select(Equipment).where(
                Equipment.enterprise_id == parent.id,
                Equipment.equipment_type == values.get("equipment_type"),
                Equipment.name == values.get("name"),
            )
        )
    ).first()


def _enforcer_by_certificate(session: Session, values: dict[str, Any], parent: Any) -> Any:
    if not values.get("certificate_no"):
        return None
    return session.scalars(
        _unscoped(select(Enforcer).where(Enforcer.certificate_no == values["certificate_no"]))
    ).first()


KINDS: dict[str, Kind] = {
    "department": Kind(
        "department",
        Department,
        DEPARTMENT_FIELDS,
        None,
        _department_by_name,
        lambda d: export_fields(d, DEPARTMENT_FIELDS),
        soft_deleted=False,
    ),
    "enterprise": Kind(
        "enterprise",
        Enterprise,
        ENTERPRISE_FIELDS,
        None,
        _enterprise_by_uscc,
        lambda e: export_fields(e, ENTERPRISE_FIELDS),
        unique="uscc",
    ),
    "equipment": Kind(
        "equipment",
        Equipment,
        EQUIPMENT_FIELDS,
        ("enterprise_id", "enterprise"),
        _equipment_by_name,
        lambda q: {"enterprise_id": str(q.enterprise_id), **export_fields(q, EQUIPMENT_FIELDS)},
        summary=lambda q: (
            f"{q['name']}（{codes.label(codes.EQUIPMENT_TYPES, q['equipment_type'])}）"
        ),
    ),
    "enforcer": Kind(
        "enforcer",
        Enforcer,
        ENFORCER_FIELDS,
        ("department_id", "department"),
        _enforcer_by_certificate,
        lambda p: {**export_fields(p, ENFORCER_FIELDS), "department_id": str(p.department_id)},
        summary=lambda p: f"{p['name']}（{p['certificate_no']}）",
        unique="certificate_no",
    ),
}

# The order a mirror pulls and pushes in: parents before their children.
BASE_ORDER: tuple[str, ...] = ("department", "enterprise", "equipment", "enforcer")
