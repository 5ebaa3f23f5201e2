"""What each kind checks against the database and how it saves: create or update, never delete.

The USCC and region rules are services/base_data.py's, the same the form and the API apply.
Matching is on natural keys (USCC, 企业+设备类型+设备名称, 执法证号), so re-importing a file is
harmless; an empty optional cell never blanks a stored value; a soft-deleted record comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enforcement.db.scoping import UNSCOPED
from enforcement.domain.fields import ENFORCER_FIELDS, ENTERPRISE_FIELDS, EQUIPMENT_FIELDS
from enforcement.models import Department, Enforcer, Enterprise, Equipment, TrainingRecord
from enforcement.services import base_data
from enforcement.services.importing.columns import COLUMNS, TRAINING_COLUMNS
from enforcement.services.importing.rows import Row


@dataclass
class Context:
    session: Session
    regions: base_data.RegionCheck  # the caller's jurisdiction, and the region rule
    departments: dict[str, list[Department]]
    first_row: dict[Hashable, Row] = field(default_factory=dict)


def load_context(session: Session) -> Context:
    departments: dict[str, list[Department]] = {}
    for department in session.scalars(select(Department).order_by(Department.name)):
        if department.region_code:
            departments.setdefault(department.region_code, []).append(department)
    return Context(session, base_data.RegionCheck(session), departments)


def _unscoped(statement: Any) -> Any:
    """Also see other regions' and soft-deleted rows: duplicates must be found wherever they are."""
    return statement.execution_options(**{UNSCOPED: True})


# -- checks ----------------------------------------------------------------------------------------


def check_enterprise(context: Context, row: Row) -> None:
    values = row.values
    if values.get("region_code"):
        problem = context.regions.problem(values["region_code"])
        if problem:
            row.error("行政区划代码", problem)
    if values.get("uscc"):
        found = base_data.registered_enterprise(context.session, values["uscc"])
        if found is not None and not context.regions.in_jurisdiction(found.region_code):
            row.error("统一社会信用代码", base_data.USCC_ELSEWHERE)
        row.target = found  # ours: this row updates it


def check_equipment(context: Context, row: Row) -> None:
    values = row.values
    if not values.get("uscc"):
        return
    # A scoped query: an enterprise outside the jurisdiction simply does not exist here.
    enterprise = context.session.scalars(
        select(Enterprise).where(Enterprise.uscc == values["uscc"])
    ).first()
    if enterprise is None:
        row.error("统一社会信用代码", "未找到该统一社会信用代码对应的企业，请先登记或导入该企业")
        return
    row.parent = enterprise
    if values.get("equipment_type") and values.get("name"):
        # Unscoped to find soft-deleted equipment too; the enterprise is ours, so is its equipment.
        row.target = context.session.scalars(
            _unscoped(
                select(Equipment)
                .where(
                    Equipment.enterprise_id == enterprise.id,
                    Equipment.equipment_type == values["equipment_type"],
                    Equipment.name == values["name"],
                )
                .order_by(Equipment.deleted_at.is_not(None), Equipment.id)
            )
        ).first()


def _department(context: Context, row: Row) -> None:
    region_code = row.values.get("department_region")
    if not region_code:
        return
    candidates = context.departments.get(region_code, [])
    wanted = row.values.get("department_name")
    names = "、".join(d.name for d in candidates)
    if not candidates:
        row.error("所属部门行政区划代码", f"行政区划代码“{region_code}”下没有执法部门")
    elif wanted:
        matching = [d for d in candidates if d.name == wanted]
        if matching:
            row.parent = matching[0]
        else:
            row.error("所属部门名称", f"该行政区划下没有“{wanted}”，可选：{names}")
    elif len(candidates) == 1:
        row.parent = candidates[0]
    else:
        row.error("所属部门名称", f"该行政区划下有多个部门，请填写所属部门名称，可选：{names}")
    if row.parent is not None and not context.regions.in_jurisdiction(row.parent.region_code):
        row.error("所属部门行政区划代码", "所选执法部门不在您的管辖范围内")


def check_enforcer(context: Context, row: Row) -> None:
    _department(context, row)
    if row.values.get("certificate_no"):
        found = context.session.scalars(
            _unscoped(
                select(Enforcer).where(Enforcer.certificate_no == row.values["certificate_no"])
            )
        ).first()
        if found is not None and not context.regions.in_jurisdiction(found.department.region_code):
            row.error("执法证号", "该执法证号已在其他辖区登记")
        row.target = found
    # Judged on the cells as typed: an invalid cell is already reported, not "missing" too.
    given = [name for name in TRAINING_COLUMNS if row.cells.get(name) is not None]
    if given and len(given) < len(TRAINING_COLUMNS):
        for column in COLUMNS["enforcers"]:
            if column.field in TRAINING_COLUMNS and column.field not in given:
                row.error(column.header, "登记培训时，培训日期、培训课程、培训学时须同时填写")


# -- saving: "created", "updated" or "unchanged" ---------------------------------------------------


def _assign(record: object, values: dict[str, Any]) -> bool:
    """Copy the non-empty values; an empty cell never blanks a stored value."""
    changed = False
    for name, value in values.items():
        if value is not None and getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _restore(record: Any) -> bool:
    """A soft-deleted record that is imported again comes back."""
    if record.deleted_at is None:
        return False
    record.deleted_at = None
    record.deleted_by = None
    return True


def _pick(row: Row, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's values of the record's columns that the sheet has (others stay as stored)."""
    return {name: row.values[name] for name in names if name in row.values}


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


ENTERPRISE_COLUMNS = tuple(f.name for f in ENTERPRISE_FIELDS if f.kind != "tags")
EQUIPMENT_COLUMNS = tuple(f.name for f in EQUIPMENT_FIELDS)
ENFORCER_COLUMNS = tuple(f.name for f in ENFORCER_FIELDS)


def save_enterprise(session: Session, row: Row) -> str:
    values = _pick(row, ENTERPRISE_COLUMNS)
    tags = row.values.get("tags")
    if row.target is None:
        enterprise = Enterprise(**_present(values))  # a blank status: the column's default
        enterprise.tags = tags or []
        session.add(enterprise)
        return "created"
    enterprise = row.target
    changed = _assign(enterprise, values)
    if tags is not None and set(tags) != set(enterprise.tags):
        enterprise.tags = tags
        changed = True
    changed = _restore(enterprise) or changed
    return "updated" if changed else "unchanged"


def save_equipment(session: Session, row: Row) -> str:
    values = _pick(row, EQUIPMENT_COLUMNS)
    if row.target is None:
        session.add(Equipment(enterprise_id=row.parent.id, **_present(values)))
        return "created"
    changed = _assign(row.target, values)
    changed = _restore(row.target) or changed
    return "updated" if changed else "unchanged"


def save_enforcer(session: Session, row: Row) -> str:
    values = {**_pick(row, ENFORCER_COLUMNS), "department_id": row.parent.id}
    outcome = "unchanged"
    enforcer = row.target
    if enforcer is None:
        enforcer = Enforcer(**_present(values))
        session.add(enforcer)
        outcome = "created"
    else:
        changed = _assign(enforcer, values)
        if _restore(enforcer) or changed:
            outcome = "updated"
    date, course, hours = (row.values.get(name) for name in TRAINING_COLUMNS)
    if date is not None:
        same = [t for t in enforcer.trainings if t.date == date and t.course == course]
        if not same:
            enforcer.trainings.append(TrainingRecord(date=date, course=course, hours=hours))
            outcome = "updated" if outcome == "unchanged" else outcome
        elif same[0].hours != hours:
            same[0].hours = hours
            outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


# -- the kinds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindRules:
    check: Callable[[Context, Row], None]
    save: Callable[[Session, Row], str]
    key_fields: tuple[str, ...]  # the natural key, unique within a file
    key_column: str  # where a repeated key or a database conflict is reported
    repeated: str  # the message for a repeated key, {row} = the first row with it
    jurisdiction_column: str  # where a refusal by the jurisdiction check is reported
    # When set, the key may repeat (one enforcer, one training per row) if these fields agree.
    same_fields: tuple[str, ...] = ()


RULES: dict[str, KindRules] = {
    "enterprises": KindRules(
        check_enterprise,
        save_enterprise,
        key_fields=("uscc",),
        key_column="统一社会信用代码",
        repeated="与第{row}行的统一社会信用代码重复",
        jurisdiction_column="行政区划代码",
    ),
    "equipment": KindRules(
        check_equipment,
        save_equipment,
        key_fields=("uscc", "equipment_type", "name"),
        key_column="设备名称",
        repeated="与第{row}行重复（同一企业、设备类型和设备名称）",
        jurisdiction_column="统一社会信用代码",
    ),
    "enforcers": KindRules(
        check_enforcer,
        save_enforcer,
        key_fields=("certificate_no",),
        key_column="执法证号",
        repeated="与第{row}行（同一执法证号）填写的不一致",
        jurisdiction_column="所属部门行政区划代码",
        same_fields=("name", "department_region", "department_name", "position", "phone"),
    ),
}


def check_repeats(kind: str, context: Context, row: Row) -> None:
    """The second row with a key already seen in this file is an error pointing to the first."""
    rules = RULES[kind]
    key = tuple(row.values.get(name) for name in rules.key_fields)
    if None in key:
        return
    first = context.first_row.setdefault(key, row)
    if first is row:
        return
    message = rules.repeated.format(row=first.number)
    if not rules.same_fields:
        row.error(rules.key_column, message)
        return
    for column in COLUMNS[kind]:
        mine, theirs = row.values.get(column.field), first.values.get(column.field)
        if column.field in rules.same_fields and None not in (mine, theirs) and mine != theirs:
            row.error(column.header, message)
