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
