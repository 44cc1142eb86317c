"""The scorer's own rules (``kehoach eval``)."""

from __future__ import annotations

import pytest

from pipeline.evaluate import agency_key


@pytest.mark.parametrize("a, b", [
    ("Ủy ban nhân dân các xã, phường, đặc khu", "Ủy ban nhân dân phường, xã, đặc khu"),
    ("Ủy ban nhân dân các phường, xã", "Ủy ban nhân dân xã, phường"),
    ("Công an các huyện, thị xã và thành phố", "Công an các thành phố, huyện, thị xã"),
])
def test_a_collective_is_one_agency_whatever_the_order_of_its_units(a, b):
    assert agency_key(a) == agency_key(b)


@pytest.mark.parametrize("a, b", [
    ("Ủy ban nhân dân các xã, phường", "Ủy ban nhân dân các xã, phường, đặc khu"),  # other committees
    ("Ủy ban nhân dân xã Đạ Huoai", "Ủy ban nhân dân xã Bảo Lâm 2"),
])
def test_other_agencies_stay_apart(a, b):
    assert agency_key(a) != agency_key(b)


def test_header_fields_read_wrong_are_listed_as_read_and_as_printed():
    from pipeline.evaluate import document_errors

    gold = {"number": "298/TTr-CAT-PC04", "date": "2026-03-19", "place": "Lâm Đồng",
            "signer": {"name": "Trương Minh Đương", "position": "Giám đốc"}}
    read = {"number": None, "date": "2026-03-19", "place": "Lâm Đồng",
            "signer": {"name": "Trương Minh Đương", "position": "Chủ tịch"}}
    errors = document_errors(read, gold)
    assert errors == {"extra": ["signer.position='Chủ tịch'"],
                      "missing": ["number='298/TTr-CAT-PC04'", "signer.position='Giám đốc'"]}
    assert document_errors(gold, gold) is None


def test_sections_found_wrong_are_listed_by_id_and_title():
    from pipeline.evaluate import section_errors

    gold = [{"id": "I", "title": "MỤC ĐÍCH, YÊU CẦU"}, {"id": "I.1", "title": "Kết quả năm 2024"},
            {"id": "II", "title": "NHIỆM VỤ"}]
    read = [{"id": "I", "title": "MỤC ĐÍCH, YÊU CẦU"},
            {"id": "I.1", "title": "Kết quả năm 2024 Theo báo cáo của Văn phòng UBND tỉnh, kết quả đạt 85,6 điểm"},
            {"id": "III", "title": "TỔ CHỨC THỰC HIỆN"}]
    assert section_errors(read, gold) == {
        "extra": [repr(("I.1", read[1]["title"])), repr(("III", "TỔ CHỨC THỰC HIỆN"))],
        "missing": [repr(("I.1", "Kết quả năm 2024")), repr(("II", "NHIỆM VỤ"))]}
    assert section_errors(gold, gold) is None
