"""Each field of the base data defined once: name, Chinese label, kind, bounds, rule.

The tables below feed every entry point the same way: the FAB forms (labels, validators, hints), the
REST API schemas, the importer's columns and template, and the Excel export headers. `Field.clean`
is the one rule: it takes what a person typed (a form string, a spreadsheet cell) or what a client
sent (JSON), and returns the stored value or raises `FieldError` with a Chinese message.

Checks that need the database (a region exists and lies in the jurisdiction, a USCC is not taken)
are the services' job; everything that can be said from the value alone is said here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from enforcement.domain import codes
from enforcement.domain.errors import FieldError
from enforcement.domain.uscc import USCCError, normalize_uscc

PHONE_PATTERN = re.compile(r"^[0-9+\-() ]{5,32}$")
TAG_SEPARATORS = re.compile(r"[、,，;；]+")
DATE_PATTERN = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?)?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Characters that have no place in a name or an address: NUL and other controls, bidi overrides
# (they make "文件.exe" read as "exe.件文"), and lone surrogates (not text at all).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INT64_MAX = 2**63 - 1
# Record ids and other INTEGER columns: 32-bit on PostgreSQL, so the same bound on both engines.
INT32_MAX = 2**31 - 1

KINDS = ("text", "choice", "tags", "uscc", "region", "phone", "integer", "number", "date")


def _choices(table: Mapping[str, str]) -> str:
    return "、".join(table.values())


# One scan for all three (most text has none): the characters below, in the order of the checks.
_SUSPECT = re.compile(
    "[" + "".join(sorted(_BIDI_CONTROLS)) + "\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


def _bad_character(text: str) -> str | None:
    if _SUSPECT.search(text) is None:
        return None
    for char in text:
        if char in _BIDI_CONTROLS:
            return "不能包含文字方向控制字符"
        if 0xD800 <= ord(char) <= 0xDFFF:
            return "包含无效字符"
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            return "不能包含控制字符"
    return None


@dataclass(frozen=True)
class Field:
    """One field of a record, as every entry point sees it."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    min_length: int = 0
    choices: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    multiline: bool = False
    # Under the form's input and in the import template (which also lists a coded field's choices).
    hint: str = ""
    aliases: tuple[str, ...] = ()  # other spreadsheet headers accepted for this column
    not_after_today: bool = False
    # A text field's shape (full match) and what to say when it does not fit ("应为…").
    pattern: str = ""
    pattern_message: str = ""
    # What a new record gets when the field is left blank (the column's default; a test keeps
    # them equal). `clean` still answers None for a blank: an import's empty cell keeps the
    # stored value, so applying the default is the creating entry point's business.
    default: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    @property
    def path(self) -> str:
        return f"/{self.name}"

    def error(self, message: str) -> FieldError:
        return FieldError(self.path, message)

    def is_blank(self, value: Any) -> bool:
        if value is None:
            return True
        if isinstance(value, str):
            return not value.strip()
        if isinstance(value, list | tuple):
            return not value
        return False

    def clean(self, value: Any) -> Any:
        """The value to store, from typed text or a JSON value; FieldError when it is wrong.

        A blank value is None (or [] for tags); a required field refuses it.
        """
        if self.is_blank(value):
            if self.required:
                raise self.error(f"请填写{self.label}")
            return [] if self.kind == "tags" else None
        cleaner = getattr(self, f"_clean_{self.kind}")
        return cleaner(value)

    # -- one cleaner per kind -----------------------------------------------------------------

    def _text_of(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self.error(f"{self.label}应为文字")
        text = value.strip()
        bad = _bad_character(text)
        if bad:
            raise self.error(f"{self.label}{bad}")
        return text

    def _clean_text(self, value: Any) -> str:
        text = self._text_of(value)
        if self.max_length is not None and len(text) > self.max_length:
            raise self.error(f"{self.label}不能超过{self.max_length}个字符（当前{len(text)}个）")
        if len(text) < self.min_length:
            raise self.error(f"{self.label}至少{self.min_length}个字符")
        if self.pattern and not re.fullmatch(self.pattern, text):
            raise self.error(f"{self.label}{self.pattern_message or '格式不正确'}")
        return text

    def _clean_choice(self, value: Any) -> str:
        text = self._text_of(value)
        code = codes.code_for(dict(self.choices), text)
        if code is None:
            raise self.error(f"无法识别的{self.label}“{text}”，可选：{_choices(self.choices)}")
        return code

    def _clean_tags(self, value: Any) -> list[str]:
        if isinstance(value, str):
            parts = [part.strip() for part in TAG_SEPARATORS.split(value) if part.strip()]
        elif isinstance(value, list | tuple) and all(isinstance(part, str) for part in value):
            parts = [part.strip() for part in value if part.strip()]
        else:
            raise self.error(f"{self.label}应为文字列表")
        table = dict(self.choices)
        unknown = [part for part in parts if codes.code_for(table, part) is None]
        if unknown:
            listed = "、".join(f"“{part}”" for part in unknown)
            raise self.error(f"无法识别的{self.label}{listed}，可选：{_choices(table)}")
        found = {codes.code_for(table, part) for part in parts}
        return [code for code in table if code in found]

    def _clean_uscc(self, value: Any) -> str:
        try:
            return normalize_uscc(self._text_of(value))
        except USCCError as exc:
            raise self.error(str(exc)) from None

    def _clean_region(self, value: Any) -> str:
        text = self._text_of(value)
        if not re.fullmatch(r"\d{6}", text):
            raise self.error(f"应为6位数字的行政区划代码，当前为“{text}”")
        return text

    def _clean_phone(self, value: Any) -> str:
        text = self._text_of(value)
        if not PHONE_PATTERN.match(text):
            raise self.error(f"{self.label}格式不正确：“{text}”")
        return text

    def _number(self, value: Any) -> float:
        if isinstance(value, bool):
            raise self.error(f"{self.label}应为数字")
        if isinstance(value, int | float):
            number = float(value) if isinstance(value, float) else value
        else:
            text = self._text_of(value)
            try:
                number = float(text) if self.kind == "number" else int(text)
            except ValueError:
                noun = "数字" if self.kind == "number" else "整数"
                raise self.error(f"{self.label}应为{noun}，当前为“{text}”") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise self.error(f"{self.label}应为有限的数字")
        low = self.minimum if self.minimum is not None else -INT64_MAX
        high = self.maximum if self.maximum is not None else INT64_MAX
        if not low <= number <= high:
            raise self.error(
                f"{self.label}应在{_plain(low)}到{_plain(high)}之间，当前为{_plain(number)}"
            )
        return number

    def _clean_integer(self, value: Any) -> int:
        number = self._number(value)
        if isinstance(number, float) and not number.is_integer():
            raise self.error(f"{self.label}应为整数，当前为{_plain(number)}")
        return int(number)

    def _clean_number(self, value: Any) -> float:
        return float(self._number(value))

    def _clean_date(self, value: Any) -> dt.date:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            text = self._text_of(value)
            match = COMPACT_DATE.match(text) or DATE_PATTERN.match(text)
            if match is None:
                raise self.error(f"{self.label}格式不正确：“{text}”，请填写如 2024-03-15")
            try:
                day = dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise self.error(f"{self.label}不存在：“{text}”") from None
        if day.year < 1900:
            raise self.error(f"{self.label}早于1900年，请检查")
        if self.not_after_today and day > dt.date.today():
            raise self.error(f"{self.label}不能晚于今天")
        return day


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def fields_by_name(table: tuple[Field, ...]) -> dict[str, Field]:
    return {f.name: f for f in table}


def clean_record(
    table: tuple[Field, ...], data: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], list[FieldError]]:
    """Clean every field present in `data` (all fields unless `partial`): values and every error."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for f in table:
        if partial and f.name not in data:
            continue
        try:
            values[f.name] = f.clean(data.get(f.name))
        except FieldError as exc:
            errors.append(exc)
    return values, errors


# ---------------------------------------------------------------------------------------------
# The tables. Lengths are the columns' (models/base_data.py); a test keeps them equal.

USCC_HINT = "18位，由市场监管部门核发；系统按 GB 32100-2015 校验"

ENTERPRISE_FIELDS: tuple[Field, ...] = (
    Field("name", "企业名称", required=True, min_length=2, max_length=200, hint="营业执照上的全称"),
    Field("uscc", "统一社会信用代码", "uscc", required=True, hint=USCC_HINT),
    Field(
        "region_code",
        "行政区划代码",
        "region",
        required=True,
        hint="企业所在区县的6位代码（GB/T 2260），如 360102；无区县的地级市填市级代码",
    ),
    Field(
        "sector",
        "行业类别",
        "choice",
        required=True,
        choices=codes.SECTORS,
    ),
    Field(
        "tags",
        "专项标签",
        "tags",
        choices=codes.TAGS,
        hint="决定适用的专项检查事项：钢铁、铝加工（深井铸造）、粉尘涉爆、有限空间、涉氨制冷",
    ),
    # Required everywhere (docs/DECISIONS.md): the documents print it as the place inspected.
    Field(
        "address",
        "地址",
        required=True,
        max_length=300,
        hint="注册地址或经营地址",
        aliases=("注册地址/经营地址", "注册地址", "经营地址", "企业地址"),
    ),
    Field("scale", "企业规模", "choice", choices=codes.SCALES),
    Field(
        "status",
        "经营状态",
        "choice",
        choices=codes.ENTERPRISE_STATUSES,
        default="operating",
    ),
    Field("principal_name", "主要负责人", max_length=64),
    Field("principal_phone", "主要负责人电话", "phone"),
    Field("contact_name", "联系人", max_length=64),
    Field("contact_phone", "联系电话", "phone"),
    Field("employees", "从业人数", "integer", minimum=0, maximum=9_999_999, hint="整数"),
    # The registered position, read against an inspection's (docs/DECISIONS.md "Location").
    Field(
        "latitude", "纬度", "number", minimum=-90, maximum=90, hint="WGS-84 十进制度，如 28.68234"
    ),
    Field(
        "longitude",
        "经度",
        "number",
        minimum=-180,
        maximum=180,
        hint="WGS-84 十进制度，如 115.89352",
    ),
)

EQUIPMENT_FIELDS: tuple[Field, ...] = (
    Field(
        "equipment_type",
        "设备类型",
        "choice",
        required=True,
        choices=codes.EQUIPMENT_TYPES,
    ),
    Field("name", "设备名称", required=True, max_length=120),
    Field("serial_no", "设备编号", max_length=64),
    Field("location", "安装位置", max_length=200),
    Field("capacity", "容量/规格", "number", minimum=0, maximum=1e12),
    Field("notes", "备注", max_length=2000, multiline=True),
)

ENFORCER_FIELDS: tuple[Field, ...] = (
    Field("name", "姓名", required=True, max_length=64),
    Field(
        "certificate_no",
        "执法证号",
        required=True,
        max_length=32,
        pattern=r"[0-9A-Za-z\-]{6,32}",
        pattern_message="应为6-32位数字或字母",
        hint="6-32位数字或字母",
    ),
    Field("position", "职务", max_length=64),
    Field("phone", "联系电话", "phone"),
)

TRAINING_FIELDS: tuple[Field, ...] = (
    Field("date", "培训日期", "date", required=True, not_after_today=True, hint="如 2024-03-15"),
    Field("course", "培训课程", required=True, max_length=200),
    Field(
        "hours",
        "学时",
        "number",
        required=True,
        minimum=0.1,
        maximum=1000,
        hint="数字，如 8 或 1.5",
    ),
)
