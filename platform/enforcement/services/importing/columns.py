"""The spreadsheet columns of each kind, built from the field tables (domain/fields.py).

A column's header is its field's label (the one the pages show), its other accepted headers the
field's aliases, and a cell is read by the field's own rule (`Field.clean`): a cell refused here
is refused by the form and the API in the same words. The import-only columns (the department's
region and name, the three training columns of an enforcer's row) are fields too; a training
column keeps the training table's rule under the header the sheet has always had.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from enforcement.domain.errors import FieldError
from enforcement.domain.fields import (
    ENFORCER_FIELDS,
    ENTERPRISE_FIELDS,
    EQUIPMENT_FIELDS,
    TRAINING_FIELDS,
    Field,
    fields_by_name,
)

KINDS: dict[str, str] = {
    "enterprises": "执法对象（企业）",
    "equipment": "设备台账",
    "enforcers": "执法人员及培训记录",
}
FILE_COLUMN = "文件"  # the column named in errors about the whole file


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: the field whose rule reads it, and its line in the template."""

    rule: Field
    hint: str  # the template's 填写说明 of this column

    @property
    def header(self) -> str:
        return self.rule.label

    @property
    def field(self) -> str:
        """Where the value goes in a row (the record's field, or an import-only name)."""
        return self.rule.name

    @property
    def required(self) -> bool:
        return self.rule.required

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.rule.aliases

    def parse(self, text: str) -> Any:
        """The value of a non-blank cell; FieldError with the Chinese reason."""
        return self.rule.clean(text)

    def blank(self) -> FieldError | None:
        """What an empty cell is: nothing for an optional column (the stored value stays)."""
        try:
            self.rule.clean(None)
        except FieldError as exc:
            return exc
        return None


def column(rule: Field, hint: str | None = None, also: str = "", **changes: Any) -> Column:
    """A column reading `rule`; `hint` replaces the field's hint, `also` adds to it, `changes`
    adapt the field (an import-only name or header, a training column that is optional).

    A coded column's note starts with its choices: a sheet has no dropdown to show them.
    """
    if changes:
        rule = dataclasses.replace(rule, **changes)
    text = rule.hint if hint is None else hint
    choices = f"可选：{'、'.join(rule.choices.values())}" if rule.choices else ""
    return Column(rule, "；".join(part for part in (choices, text, also) if part))


def _pick(table: tuple[Field, ...], *names: str) -> dict[str, Field]:
    fields = fields_by_name(table)
    return {name: fields[name] for name in names}


_ENTERPRISE = fields_by_name(ENTERPRISE_FIELDS)
_EQUIPMENT = _pick(EQUIPMENT_FIELDS, "equipment_type", "name", "serial_no", "location", "notes")
_ENFORCER = fields_by_name(ENFORCER_FIELDS)
_TRAINING = fields_by_name(TRAINING_FIELDS)
ALL_THREE = "培训三列须同时填写"
TAG_HINT = "多个用“、”“,”或“；”分隔；填写后替换原有标签，留空则保留"


def _enterprise_column(rule: Field) -> Column:
    if rule.name == "uscc":
        return column(rule, also="已存在的企业按此代码更新")
    if rule.name == "tags":
        return column(rule, hint=TAG_HINT)
    if rule.name == "status":
        return column(rule, also="新企业留空为“在产”")
    return column(rule)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "enterprises": tuple(_enterprise_column(f) for f in ENTERPRISE_FIELDS),
    "equipment": (
        column(_ENTERPRISE["uscc"], hint="设备所属企业的代码，企业须已登记"),
        column(_EQUIPMENT["equipment_type"]),
        column(_EQUIPMENT["name"], hint="同一企业、同一类型下按设备名称匹配，已存在的设备会被更新"),
        column(_EQUIPMENT["serial_no"]),
        column(_EQUIPMENT["location"]),
        column(_EQUIPMENT["notes"]),
    ),
    "enforcers": (
        column(_ENFORCER["name"]),
        column(
            _ENFORCER["certificate_no"],
            also="已存在的人员按此证号更新；同一证号可填多行，每行登记一次培训",
        ),
        column(
            Field(
                "department_region",
                "所属部门行政区划代码",
                "region",
                required=True,
                hint="所属应急管理部门所在的6位行政区划代码，如 360102",
            )
        ),
        column(
            Field(
                "department_name",
                "所属部门名称",
                max_length=100,  # the department's column
                hint="该行政区划下有多个部门时必填",
            )
        ),
        column(_ENFORCER["position"]),
        column(_ENFORCER["phone"]),
        # One training per row, all three columns or none: each optional on its own.
        column(_TRAINING["date"], also=ALL_THREE, name="training_date", required=False),
        column(
            _TRAINING["course"],
            hint="同一人同一日期同一课程只登记一次",
            name="training_course",
            required=False,
        ),
        column(
            _TRAINING["hours"],
            name="training_hours",
            label="培训学时",  # beside 培训日期 and 培训课程 in a row about the person
            aliases=(_TRAINING["hours"].label,),
            required=False,
        ),
    ),
}
TRAINING_COLUMNS = ("training_date", "training_course", "training_hours")


def header_key(text: str) -> str:
    """Headers match after removing spaces and the required mark: "企业名称 *" is "企业名称"."""
    return re.sub(r"\s+", "", text).rstrip("*＊")


def match_headers(
    kind: str, headers: Sequence[str]
) -> tuple[dict[int, Column], list[tuple[str, str]]]:
    """Column position -> Column, and (header, message) for each missing required or repeated
    column (reported on row 1)."""
    by_name: dict[str, Column] = {}
    for spec in COLUMNS[kind]:
        for name in (spec.header, *spec.aliases):
            by_name[header_key(name)] = spec
    positions: dict[int, Column] = {}
    problems: list[tuple[str, str]] = []
    for position, header in enumerate(headers):
        spec = by_name.get(header_key(str(header)))
        if spec is None:
            continue  # extra columns (序号, 备注 of another system) are ignored
        if spec in positions.values():
            problems.append((spec.header, "该列重复出现，请只保留一列"))
        positions[position] = spec
    for spec in COLUMNS[kind]:
        if spec.required and spec not in positions.values():
            problems.append((spec.header, "缺少必填列"))
    return positions, problems
