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
