"""The one rule per base-data field (domain/fields.py), as every entry point applies it."""

from __future__ import annotations

import pytest
from sqlalchemy import String

from enforcement.domain.errors import FieldError, Refused
from enforcement.domain.fields import (
    ENFORCER_FIELDS,
    ENTERPRISE_FIELDS,
    EQUIPMENT_FIELDS,
    TRAINING_FIELDS,
    clean_record,
    fields_by_name,
)
from enforcement.models import Enforcer, Enterprise, Equipment, TrainingRecord

ENTERPRISE = fields_by_name(ENTERPRISE_FIELDS)


@pytest.mark.parametrize(
    ("model", "table"),
    [
        (Enterprise, ENTERPRISE_FIELDS),
        (Equipment, EQUIPMENT_FIELDS),
        (Enforcer, ENFORCER_FIELDS),
        (TrainingRecord, TRAINING_FIELDS),
    ],
)
def test_a_text_field_is_never_longer_than_its_column(model, table):
    for field in table:
        column = model.__table__.columns.get(field.name)
        if column is None or field.kind != "text":
            continue
        if isinstance(column.type, String) and column.type.length is not None:
            assert field.max_length == column.type.length, field.name
        else:  # an unbounded TEXT column still gets a bound a person can see
            assert field.max_length is not None, field.name


def test_a_spreadsheet_cell_and_a_json_value_give_the_same_stored_value():
    assert ENTERPRISE["employees"].clean("12") == ENTERPRISE["employees"].clean(12) == 12
    assert ENTERPRISE["sector"].clean("机械") == ENTERPRISE["sector"].clean("machinery")
    assert ENTERPRISE["tags"].clean("钢铁、粉尘涉爆") == ENTERPRISE["tags"].clean(["dust", "steel"])


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("employees", 99999999999999999999999, "从业人数应在0到9999999之间"),
        ("employees", "1e30", "从业人数应为整数"),
        ("employees", float("nan"), "从业人数应为有限的数字"),
        ("employees", True, "从业人数应为数字"),
        ("name", "甲\u202e乙公司", "不能包含文字方向控制字符"),
        ("name", "甲\x00乙公司", "不能包含控制字符"),
        ("name", "甲\ud800乙公司", "包含无效字符"),
        ("name", {"x": 1}, "企业名称应为文字"),
        ("name", "甲" * 201, "不能超过200个字符"),
        ("principal_phone", "abc", "主要负责人电话格式不正确"),
        ("uscc", "91360102MA35X", "应为18位"),
    ],
)
def test_a_bad_value_is_refused_at_its_field_in_chinese(name, value, message):
    with pytest.raises(FieldError) as refused:
        ENTERPRISE[name].clean(value)
    assert refused.value.path == f"/{name}"
    assert message in refused.value.message


def test_a_record_reports_every_wrong_field_at_once_and_keeps_the_good_ones():
    values, errors = clean_record(
        ENTERPRISE_FIELDS,
        {"name": "甲", "uscc": "x", "region_code": "360102", "sector": "机械", "address": "路"},
    )
    assert [error.path for error in errors] == ["/name", "/uscc"]
    assert values["sector"] == "machinery"
    assert "/name" not in [e.path for e in Refused(errors[1:]).errors]


def test_a_partial_record_checks_only_the_fields_sent():
    values, errors = clean_record(ENTERPRISE_FIELDS, {"employees": "7"}, partial=True)
    assert (values, errors) == ({"employees": 7}, [])


@pytest.mark.parametrize(
    ("model", "table"),
    [(Enterprise, ENTERPRISE_FIELDS), (Equipment, EQUIPMENT_FIELDS), (Enforcer, ENFORCER_FIELDS)],
)
def test_a_blank_optional_field_never_meets_a_not_null_column_without_its_default(model, table):
    for field in table:
        column = model.__table__.columns.get(field.name)
        if column is None:
            continue
        stored = column.default.arg if column.default is not None else None
        if field.default is not None:
            assert field.default == stored, field.name
        elif not field.required:
            assert column.nullable, f"{field.name}: optional, NOT NULL, and no default"


def test_a_certificate_number_has_the_shape_the_pages_always_asked_for():
    certificate = fields_by_name(ENFORCER_FIELDS)["certificate_no"]
    assert certificate.clean(" 36010220240001 ") == "36010220240001"
    with pytest.raises(FieldError, match="执法证号应为6-32位数字或字母"):
        certificate.clean("执法证12345")
