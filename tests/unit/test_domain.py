"""Pure domain rules: USCC, jurisdiction ranges, code tables, and the layout rules of the package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from stdnum.cn import uscc as stdnum_uscc

from enforcement.domain import codes
from enforcement.domain.jurisdiction import (
    DENIED,
    NATIONAL,
    Jurisdiction,
    parent_code,
    region_level,
)
from enforcement.domain.uscc import USCCError, make_uscc, normalize_uscc

ROOT = Path(__file__).resolve().parents[2]
VALID = "91360102MA35L5Y22X"


def test_valid_uscc_is_accepted_and_compacted():
    code = make_uscc("9", "1", "360102", "MA35L5Y2")
    assert stdnum_uscc.is_valid(code)
    assert normalize_uscc(" " + code.lower()[:9] + " " + code[9:] + " ") == code


def test_uscc_with_wrong_check_digit_is_refused_with_chinese_message():
    code = make_uscc("9", "1", "360102", "MA35L5Y2")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(USCCError, match="校验位错误"):
        normalize_uscc(wrong)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("", "不能为空"), ("9136010", "应为18位"), ("91360102MA35L5Y2IO", "格式错误")],
)
def test_malformed_uscc_is_refused_with_the_reason(value, fragment):
    with pytest.raises(USCCError, match=fragment):
        normalize_uscc(value)


def test_region_levels_follow_gbt_2260():
    assert region_level("360000") == "province"
    assert region_level("360100") == "city"
    assert region_level("360102") == "county"
    assert parent_code("360102") == "360100"
    assert parent_code("360100") == "360000"
    assert parent_code("360000") is None


def test_county_jurisdiction_contains_only_its_county():
    county = Jurisdiction("360102")
    assert county.contains("360102")
    assert not county.contains("360103")
    assert not county.contains("510104")


def test_city_jurisdiction_contains_its_counties_and_not_neighbours():
    city = Jurisdiction("360100")
    assert city.contains("360102") and city.contains("360124")
    assert not city.contains("360202")
    assert city.code_range == ("360000", "360199") or city.code_range == ("360100", "360199")


def test_province_jurisdiction_spans_the_province():
    province = Jurisdiction("360000")
    assert province.contains("360102") and province.contains("361102")
    assert not province.contains("510104")


def test_national_sees_all_and_user_without_department_sees_nothing():
    assert NATIONAL.contains("650102")
    assert not DENIED.contains("360102")
    low, high = DENIED.code_range
    assert low > high  # an empty BETWEEN range


def test_code_tables_accept_codes_and_chinese_labels():
    assert len(codes.SECTORS) == 8
    assert codes.code_for(codes.SECTORS, "冶金") == "metallurgy"
    assert codes.code_for(codes.SECTORS, "metallurgy") == "metallurgy"
    assert codes.code_for(codes.SECTORS, "钢材") is None
    assert set(codes.TAGS) == {"steel", "aluminum", "dust", "confined_space", "ammonia"}


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


FRAMEWORKS = {"flask", "flask_appbuilder", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "wtforms"}


def imported_modules(source: str) -> list[str]:
    """Every module a Python source imports, at any depth (function-level imports too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_domain_imports_no_framework():
    paths = list((ROOT / "platform" / "enforcement" / "domain").glob("*.py"))
    assert len(paths) >= 5
    for path in paths:
        for name in imported_modules(path.read_text(encoding="utf-8")):
            assert name.split(".")[0] not in FRAMEWORKS, f"{path.name} imports {name}"
    # The check sees a framework import, a nested one included, when there is one.
    found = imported_modules("import flask\n\ndef f():\n    from sqlalchemy.orm import Session\n")
    assert [n.split(".")[0] for n in found] == ["flask", "sqlalchemy"]
