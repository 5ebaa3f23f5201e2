"""Location with a place: the haversine distance and how it reads in Chinese."""

from __future__ import annotations

import pytest

from enforcement.domain import geo
from enforcement.domain import signatures as slots


def test_one_degree_of_latitude_is_about_111_kilometres():
    assert geo.haversine_m(28.0, 115.0, 29.0, 115.0) == pytest.approx(111_195, rel=1e-3)


def test_the_distance_between_two_points_in_nanchang_matches_a_known_value():
    # 八一广场 → 滕王阁, about 2.6 km apart (WGS-84).
    metres = geo.haversine_m(28.6781, 115.9062, 28.6817, 115.8817)
    assert 2_300 < metres < 2_600


def test_a_position_reads_as_a_distance_from_the_registered_one_in_chinese():
    # 0.001° of latitude ≈ 111 m.
    assert geo.location_note((28.6801, 115.9), (28.6790, 115.9)) == "距企业登记位置约 120 米"
    assert geo.location_note((28.68, 115.9), (28.68, 115.9)) == "距企业登记位置不足 10 米"
    assert geo.location_note((28.70, 115.9), (28.68, 115.9)) == "距企业登记位置约 2.2 公里"


def test_without_registered_coordinates_the_note_says_so():
    assert geo.location_note((28.68, 115.9), None) == geo.NO_REGISTERED
    assert "未登记坐标" in geo.NO_REGISTERED
    assert geo.location_note(None, (28.68, 115.9)) == "未获取现场位置"


def test_the_four_signed_forms_have_two_officers_and_the_party_who_alone_may_refuse():
    for code in ("inspection_record", "inquiry_record", "rectification_order", "service_receipt"):
        roles = {slot.role: slot.may_refuse for slot in slots.slots(code)}
        assert roles == {"inspector1": False, "inspector2": False, "party": True}, code
    assert slots.slots("penalty_notice") == ()
