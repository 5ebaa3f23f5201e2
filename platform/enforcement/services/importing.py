"""批量导入: enterprises, their equipment, and enforcers with their trainings, from .xlsx or .csv.

Every row is validated and every bad cell reported (row numbers as Excel shows them: the header is
row 1). Valid rows are saved, each in its own SAVEPOINT, so a row refused by the database layer
(the jurisdiction check in before_flush, a constraint) becomes a row error without undoing the
others. An import only creates or updates: an empty optional cell keeps the stored value, nothing
is deleted, and matching on natural keys (USCC, 执法证号, …) makes re-importing a file harmless.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from enforcement.db.unit_of_work import chunked, unit_of_work
from enforcement.domain import codes
from enforcement.domain.jurisdiction import Jurisdiction
from enforcement.domain.uscc import USCCError, normalize_uscc
from enforcement.models import (
    Department,
    Enforcer,
    Enterprise,
    Equipment,
    Region,
    TrainingRecord,
)
from enforcement.models.scoping import UNSCOPED, OutOfJurisdiction, current_actor
from enforcement.services.audit import record_event

log = logging.getLogger(__name__)

KINDS: dict[str, str] = {
    "enterprises": "执法对象（企业）",
    "equipment": "设备台账",
    "enforcers": "执法人员及培训记录",
}
FILE_COLUMN = "文件"  # the column named in errors about the whole file
ELSEWHERE = "该统一社会信用代码已在其他辖区登记"
# Same rule as the web forms, so a phone accepted here can be saved there too.
PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{5,32}$")
TAG_SEPARATORS = re.compile(r"[、,，;；]+")
DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")


# ---------------------------------------------------------------------------------------------
# Results


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


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is Chinese and shown to the user."""


class CellError(ValueError):
    """A cell value that cannot be accepted; the message is Chinese and shown to the user."""


# ---------------------------------------------------------------------------------------------
# Reading


def _cell_text(value: Any) -> str | None:
    """Every cell as stripped text (or None), whatever type the spreadsheet stored."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # Excel stores every number as a float: 8.0 is "8", never "8.0".
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    return text or None


def _frame(lines: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """First line = headers; the index is the spreadsheet row number; fully blank rows dropped."""
    rows = [[_cell_text(v) for v in line] for line in lines]
    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    headers = [h or "" for h in rows[0]] + [""] * (width - len(rows[0]))
    body: list[list[str | None]] = []
    numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if any(v is not None for v in row):
            body.append(row + [None] * (width - len(row)))
            numbers.append(number)
    return pd.DataFrame(body, columns=headers, index=numbers, dtype=object)


def _xlsx_lines(data: bytes) -> list[tuple[Any, ...]]:
    # Whatever the parser trips on (not a zip, encrypted, broken XML), the upload is at fault.
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # The first sheet holds the data (the template's second sheet is the instructions).
            return list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except Exception as exc:
        raise ImportFileError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密、未损坏") from exc


def _csv_lines(data: bytes) -> list[list[str]]:
    # Excel saves "CSV UTF-8" with a BOM and plain "CSV" in the system code page (GBK in China).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFileError(f"CSV 文件格式错误：{exc}") from exc


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The first sheet (or the CSV) as text: columns = header cells, index = Excel row number.

    Every value is a stripped str or None; fully blank rows are left out (their numbers too).
    Raises ImportFileError with a Chinese message when the file cannot be read.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _frame(_xlsx_lines(data))
    if suffix == ".csv":
        return _frame(_csv_lines(data))
    if suffix == ".xls":
        raise ImportFileError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入")
    raise ImportFileError(f"不支持的文件类型“{suffix or filename}”，只支持 .xlsx 或 .csv 文件")


# ---------------------------------------------------------------------------------------------
# Cell parsers: str -> value, raising CellError with a Chinese message


Parser = Callable[[str], Any]


def _choices(table: dict[str, str]) -> str:
    return "、".join(table.values())


def _text(max_length: int) -> Parser:
    def parse(text: str) -> str:
        if len(text) > max_length:
            raise CellError(f"不能超过{max_length}个字符（当前{len(text)}个）")
        return text

    return parse


def _coded(table: dict[str, str], noun: str) -> Parser:
    def parse(text: str) -> str:
        code = codes.code_for(table, text)
        if code is None:
            raise CellError(f"无法识别的{noun}“{text}”，可选：{_choices(table)}")
        return code

    return parse


def _tags(text: str) -> list[str]:
    parts = [p.strip() for p in TAG_SEPARATORS.split(text) if p.strip()]
    unknown = [p for p in parts if codes.code_for(codes.TAGS, p) is None]
    if unknown:
        listed = "、".join(f"“{p}”" for p in unknown)
        raise CellError(f"无法识别的专项标签{listed}，可选：{_choices(codes.TAGS)}")
    found = {codes.code_for(codes.TAGS, p) for p in parts}
    return [tag for tag in codes.TAGS if tag in found]


def _uscc(text: str) -> str:
    try:
        return normalize_uscc(text)
    except USCCError as exc:
        raise CellError(str(exc)) from None


def _region_code(text: str) -> str:
    if not re.fullmatch(r"\d{6}", text):
        raise CellError(f"应为6位数字的行政区划代码，当前为“{text}”")
    return text


def _phone(text: str) -> str:
    if not PHONE_PATTERN.match(text):
        raise CellError(f"电话号码格式不正确：“{text}”")
    return text


def _count(text: str) -> int:
    if not re.fullmatch(r"\d{1,7}", text):
        raise CellError(f"应为不小于0的整数，当前为“{text}”")
    return int(text)


def _date(text: str) -> dt.date:
    compact = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    match = compact or DATE_PATTERN.match(text)
    if match is None:
        raise CellError(f"日期格式不正确：“{text}”，请填写如 2024-03-15")
    try:
        value = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(f"日期不存在：“{text}”") from None
    if value > dt.date.today():
        raise CellError(f"培训日期不能晚于今天：“{text}”")
    return value


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"应为数字，当前为“{text}”") from None
    if not 0 < value <= 1000:
        raise CellError(f"应大于0且不超过1000，当前为“{text}”")
    return value


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: its header, the field it fills, and how a cell is read."""

    header: str
    field: str
    required: bool
    parse: Parser
    hint: str
    aliases: tuple[str, ...] = ()


USCC_HINT = "18位，数字和大写字母"
COLUMNS: dict[str, tuple[Column, ...]] = {
    "enterprises": (
        Column("企业名称", "name", True, _text(200), "营业执照上的全称"),
        Column("统一社会信用代码", "uscc", True, _uscc, f"{USCC_HINT}；已存在的企业按此代码更新"),
        Column(
            "行政区划代码",
            "region_code",
            True,
            _region_code,
            "企业所在区县的6位代码（GB/T 2260），如 360102；无区县的地级市填市级代码",
        ),
        Column(
            "行业类别",
            "sector",
            True,
            _coded(codes.SECTORS, "行业类别"),
            f"可选：{_choices(codes.SECTORS)}",
        ),
        Column(
            "专项标签",
            "tags",
            False,
            _tags,
            f"可选：{_choices(codes.TAGS)}；多个用“、”“,”或“；”分隔；填写后替换原有标签，留空则保留",
        ),
        Column(
            "注册地址/经营地址",
            "address",
            False,
            _text(300),
            "",
            aliases=("注册地址", "经营地址", "地址", "企业地址"),
        ),
        Column(
            "企业规模",
            "scale",
            False,
            _coded(codes.SCALES, "企业规模"),
            f"可选：{_choices(codes.SCALES)}",
        ),
        Column(
            "经营状态",
            "status",
            False,
            _coded(codes.ENTERPRISE_STATUSES, "经营状态"),
            f"可选：{_choices(codes.ENTERPRISE_STATUSES)}；新企业留空为“在产”",
        ),
        Column("主要负责人", "principal_name", False, _text(64), ""),
        Column("主要负责人电话", "principal_phone", False, _phone, ""),
        Column("联系人", "contact_name", False, _text(64), ""),
        Column("联系电话", "contact_phone", False, _phone, ""),
        Column("从业人数", "employees", False, _count, "整数"),
    ),
    "equipment": (
        Column("统一社会信用代码", "uscc", True, _uscc, "设备所属企业的代码，企业须已登记"),
        Column(
            "设备类型",
            "equipment_type",
            True,
            _coded(codes.EQUIPMENT_TYPES, "设备类型"),
            f"可选：{_choices(codes.EQUIPMENT_TYPES)}",
        ),
        Column(
            "设备名称",
            "name",
            True,
            _text(120),
            "同一企业、同一类型下按设备名称匹配，已存在的设备会被更新",
        ),
        Column("设备编号", "serial_no", False, _text(64), ""),
        Column("安装位置", "location", False, _text(200), ""),
        Column("备注", "notes", False, _text(2000), ""),
    ),
    "enforcers": (
        Column("姓名", "name", True, _text(64), ""),
        Column(
            "执法证号",
            "certificate_no",
            True,
            _text(32),
            "已存在的人员按此证号更新；同一证号可填多行，每行登记一次培训",
        ),
        Column(
            "所属部门行政区划代码",
            "department_region",
            True,
            _region_code,
            "所属应急管理部门所在的6位行政区划代码，如 360102",
        ),
        Column(
            "所属部门名称",
            "department_name",
            False,
            _text(100),
            "该行政区划下有多个部门时必填",
        ),
        Column("职务", "position", False, _text(64), ""),
        Column("联系电话", "phone", False, _phone, ""),
        Column("培训日期", "training_date", False, _date, "如 2024-03-15；培训三列须同时填写"),
        Column(
            "培训课程", "training_course", False, _text(200), "同一人同一日期同一课程只登记一次"
        ),
        Column("培训学时", "training_hours", False, _hours, "数字，如 8 或 1.5"),
    ),
}
TRAINING_FIELDS = ("training_date", "training_course", "training_hours")


def _header_key(text: str) -> str:
    """Headers match after removing spaces and the required mark: "企业名称 *" is "企业名称"."""
    return re.sub(r"\s+", "", text).rstrip("*＊")


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass
class _Row:
    number: int
    cells: dict[str, str | None]  # field -> the text as read
    values: dict[str, Any] = field(default_factory=dict)  # field -> parsed value, None if bad
    errors: list[RowError] = field(default_factory=list)
    target: Any = None  # the stored record this row updates, when there is one
    parent: Any = None  # the enterprise of an equipment row, the department of an enforcer

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


@dataclass
class _Context:
    session: Session
    jurisdiction: Jurisdiction
    regions: dict[str, Region]
    leaf_regions: set[str]  # counties, and the cities without counties (东莞, 中山, 儋州)
    departments: dict[str, list[Department]]
    first_row: dict[Hashable, _Row] = field(default_factory=dict)


def _load_context(session: Session) -> _Context:
    regions = {r.code: r for r in session.scalars(select(Region))}
    parents = {r.parent_code for r in regions.values() if r.level == "county"}
    leaves = {
        code
        for code, r in regions.items()
        if r.level == "county" or (r.level == "city" and code not in parents)
    }
    departments: dict[str, list[Department]] = {}
    for department in session.scalars(select(Department).order_by(Department.name)):
        if department.region_code:
            departments.setdefault(department.region_code, []).append(department)
    return _Context(session, current_actor().jurisdiction, regions, leaves, departments)


def _unscoped(statement: Any) -> Any:
    """Also see other regions' and soft-deleted rows: duplicates must be found wherever they are."""
    return statement.execution_options(**{UNSCOPED: True})


def _in_jurisdiction(context: _Context, region_code: str | None) -> bool:
    return context.jurisdiction.contains(region_code)


def _check_region(context: _Context, row: _Row, column: str, code: str) -> None:
    region = context.regions.get(code)
    if region is None:
        row.error(column, f"行政区划代码“{code}”不存在")
    elif code not in context.leaf_regions:
        row.error(column, f"“{code}”（{region.full_name}）不是区县级行政区划，请填写区县代码")
    elif not _in_jurisdiction(context, code):
        row.error(column, f"“{code}”（{region.full_name}）不在您的管辖范围内")


def _check_enterprise(context: _Context, row: _Row) -> None:
    values = row.values
    if values.get("region_code"):
        _check_region(context, row, "行政区划代码", values["region_code"])
    if values.get("uscc"):
        found = context.session.scalars(
            _unscoped(select(Enterprise).where(Enterprise.uscc == values["uscc"]))
        ).first()
        if found is not None and not _in_jurisdiction(context, found.region_code):
            row.error("统一社会信用代码", ELSEWHERE)  # never say where: that is not ours to tell
        row.target = found


def _check_equipment(context: _Context, row: _Row) -> None:
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


def _check_enforcer(context: _Context, row: _Row) -> None:
    values = row.values
    region_code = values.get("department_region")
    if region_code:
        candidates = context.departments.get(region_code, [])
        wanted = values.get("department_name")
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
        if row.parent is not None and not _in_jurisdiction(context, row.parent.region_code):
            row.error("所属部门行政区划代码", "所选执法部门不在您的管辖范围内")
    if values.get("certificate_no"):
        found = context.session.scalars(
            _unscoped(select(Enforcer).where(Enforcer.certificate_no == values["certificate_no"]))
        ).first()
        if found is not None and not _in_jurisdiction(context, found.department.region_code):
            row.error("执法证号", "该执法证号已在其他辖区登记")
        row.target = found
    # Judged on the cells as typed: an invalid cell is already reported, not "missing" too.
    given = [name for name in TRAINING_FIELDS if row.cells.get(name) is not None]
    if given and len(given) < len(TRAINING_FIELDS):
        for column in COLUMNS["enforcers"]:
            if column.field in TRAINING_FIELDS and column.field not in given:
                row.error(column.header, "登记培训时，培训日期、培训课程、培训学时须同时填写")


# ---------------------------------------------------------------------------------------------
# Saving: returns "created", "updated" or "unchanged"


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


def _pick(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: values.get(name) for name in names}


ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "region_code",
    "sector",
    "address",
    "scale",
    "status",
    "principal_name",
    "principal_phone",
    "contact_name",
    "contact_phone",
    "employees",
)


def _save_enterprise(session: Session, row: _Row) -> str:
    fields = _pick(row.values, *ENTERPRISE_FIELDS)
    tags = row.values.get("tags")
    if row.target is None:
        enterprise = Enterprise(**{k: v for k, v in fields.items() if v is not None})
        enterprise.tags = tags or []
        session.add(enterprise)
        return "created"
    enterprise = row.target
    changed = _assign(enterprise, fields)
    if tags is not None and set(tags) != set(enterprise.tags):
        enterprise.tags = tags
        changed = True
    changed = _restore(enterprise) or changed
    return "updated" if changed else "unchanged"


def _save_equipment(session: Session, row: _Row) -> str:
    fields = _pick(row.values, "equipment_type", "name", "serial_no", "location", "notes")
    if row.target is None:
        equipment = Equipment(
            enterprise_id=row.parent.id, **{k: v for k, v in fields.items() if v is not None}
        )
        session.add(equipment)
        return "created"
    changed = _assign(row.target, fields)
    changed = _restore(row.target) or changed
    return "updated" if changed else "unchanged"


def _save_enforcer(session: Session, row: _Row) -> str:
    fields = _pick(row.values, "name", "certificate_no", "position", "phone")
    fields["department_id"] = row.parent.id
    outcome = "unchanged"
    enforcer = row.target
    if enforcer is None:
        enforcer = Enforcer(**{k: v for k, v in fields.items() if v is not None})
        session.add(enforcer)
        outcome = "created"
    else:
        changed = _assign(enforcer, fields)
        if _restore(enforcer) or changed:
            outcome = "updated"
    date, course, hours = (row.values.get(name) for name in TRAINING_FIELDS)
    if date is not None:
        same = [t for t in enforcer.trainings if t.date == date and t.course == course]
        if not same:
            enforcer.trainings.append(TrainingRecord(date=date, course=course, hours=hours))
            outcome = "updated" if outcome == "unchanged" else outcome
        elif same[0].hours != hours:
            same[0].hours = hours
            outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


@dataclass(frozen=True)
class _Kind:
    check: Callable[[_Context, _Row], None]
    save: Callable[[Session, _Row], str]
    key_fields: tuple[str, ...]  # the natural key, unique within a file
    key_column: str  # where a repeated key or a database conflict is reported
    repeated: str  # the message for a repeated key, {row} = the first row with it
    jurisdiction_column: str  # where a refusal by the jurisdiction check is reported
    # When set, the key may repeat (one enforcer, one training per row) if these fields agree.
    same_fields: tuple[str, ...] = ()


_KINDS: dict[str, _Kind] = {
    "enterprises": _Kind(
        _check_enterprise,
        _save_enterprise,
        key_fields=("uscc",),
        key_column="统一社会信用代码",
        repeated="与第{row}行的统一社会信用代码重复",
        jurisdiction_column="行政区划代码",
    ),
    "equipment": _Kind(
        _check_equipment,
        _save_equipment,
        key_fields=("uscc", "equipment_type", "name"),
        key_column="设备名称",
        repeated="与第{row}行重复（同一企业、设备类型和设备名称）",
        jurisdiction_column="统一社会信用代码",
    ),
    "enforcers": _Kind(
        _check_enforcer,
        _save_enforcer,
        key_fields=("certificate_no",),
        key_column="执法证号",
        repeated="与第{row}行（同一执法证号）填写的不一致",
        jurisdiction_column="所属部门行政区划代码",
        same_fields=("name", "department_region", "department_name", "position", "phone"),
    ),
}


def _check_repeats(kind: str, context: _Context, row: _Row) -> None:
    """The second row with a key already seen in this file is an error pointing to the first."""
    spec = _KINDS[kind]
    key = tuple(row.values.get(name) for name in spec.key_fields)
    if None in key:
        return
    first = context.first_row.setdefault(key, row)
    if first is row:
        return
    message = spec.repeated.format(row=first.number)
    if not spec.same_fields:
        row.error(spec.key_column, message)
        return
    for column in COLUMNS[kind]:
        mine, theirs = row.values.get(column.field), first.values.get(column.field)
        if column.field in spec.same_fields and None not in (mine, theirs) and mine != theirs:
            row.error(column.header, message)


# ---------------------------------------------------------------------------------------------
# The import


def _match_headers(kind: str, headers: Sequence[str]) -> tuple[dict[int, Column], list[RowError]]:
    """Column position -> Column; a missing required or a repeated column is an error on row 1."""
    by_name: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for name in (column.header, *column.aliases):
            by_name[_header_key(name)] = column
    positions: dict[int, Column] = {}
    errors: list[RowError] = []
    for position, header in enumerate(headers):
        column = by_name.get(_header_key(str(header)))
        if column is None:
            continue  # extra columns (序号, 备注 of another system) are ignored
        if column in positions.values():
            errors.append(RowError(1, column.header, "该列重复出现，请只保留一列"))
        positions[position] = column
    for column in COLUMNS[kind]:
        if column.required and column not in positions.values():
            errors.append(RowError(1, column.header, "缺少必填列"))
    return positions, errors


def _parse_row(number: int, cells: Sequence[Any], positions: dict[int, Column]) -> _Row:
    row = _Row(number, {column.field: cells[position] for position, column in positions.items()})
    for position, column in positions.items():
        text = cells[position]
        if text is None:
            row.values[column.field] = None
            if column.required:
                row.error(column.header, "必填项不能为空")
            continue
        try:
            row.values[column.field] = column.parse(text)
        except CellError as exc:
            row.values[column.field] = None
            row.error(column.header, str(exc))
    return row


def _save_row(session: Session, kind: _Kind, row: _Row) -> str | None:
    """Save one row in its own SAVEPOINT; a refusal rolls back this row only."""
    try:
        with session.begin_nested():
            outcome = kind.save(session, row)
            session.flush()
        return outcome
    except OutOfJurisdiction as exc:
        row.error(kind.jurisdiction_column, str(exc))
    except (IntegrityError, DataError):
        log.warning("import row %s refused by the database", row.number, exc_info=True)
        row.error(kind.key_column, "保存失败：与已有数据冲突或数据超出允许范围，请核对后重试")
    return None


def import_file(
    session: Session, kind: str, data: bytes, filename: str, max_rows: int = 20000
) -> ImportResult:
    """Import a .xlsx or .csv file of `kind` (enterprises, equipment, enforcers) as one unit of work,
    committed in chunks of rows when it is the outermost one (unit_of_work.chunked).

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
    positions, header_errors = _match_headers(kind, [str(c) for c in table.columns])
    if header_errors:
        result.errors.extend(header_errors)
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

    spec = _KINDS[kind]
    order = {column.header: position for position, column in positions.items()}
    session.info["audit_reason"] = f"批量导入 {filename}"
    try:
        with unit_of_work(session):
            context = _load_context(session)
            rows = zip(table.index, table.itertuples(index=False, name=None), strict=True)
            # Committed every few hundred rows: a long import does not hold the write lock (and
            # keep every save and login waiting) for its whole run.
            for number, cells in chunked(session, rows):
                row = _parse_row(int(number), cells, positions)
                _check_repeats(kind, context, row)
                spec.check(context, row)
                outcome = None if row.errors else _save_row(session, spec, row)
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
