"""Skew found by the projection profile and boxes carried back from a turned page (no tesseract)."""

import pytest
from PIL import Image

from pipeline.ingest.orient import Turn, looks_turned, skew_angle
from tests.conftest import render_page


@pytest.mark.parametrize("angle", [0.0, 0.8, -2.5, 4.0])
def test_skew_angle_is_found_within_a_fifth_of_a_degree(seed_lines, angle):
    page = render_page(seed_lines[:20]).rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    assert skew_angle(page) == pytest.approx(angle, abs=0.2)


def test_a_page_without_lines_has_no_skew():
    assert skew_angle(Image.new("L", (1200, 1700), 255)) == 0.0
    noise = Image.effect_noise((1200, 1700), 80).point(lambda v: 0 if v < 60 else 255)
    assert skew_angle(noise) == 0.0


@pytest.mark.parametrize("angle", [90, 180, 270, 2.0, -3.5])
def test_a_box_on_the_turned_page_goes_back_to_where_it_was_printed(angle):
    """A black square printed on the page, found on the turned image, maps back onto itself."""
    page = Image.new("L", (600, 900), 255)
    page.paste(0, (100, 650, 160, 700))
    turn = Turn(angle, page.size)
    turned = turn.apply(page)
    dark = turned.point(lambda v: 255 if v < 128 else 0).getbbox()
    back = turn.box_back(dark)
    assert back == pytest.approx((100, 650, 160, 700), abs=4 + abs(angle % 90) * 1.5)


def test_a_reading_looks_turned_when_its_words_stand_up_or_tesseract_is_unsure():
    level = [(0, 0, 60, 20)] * 10
    standing = [(0, 0, 20, 60)] * 10
    assert not looks_turned(92.0, level)
    assert looks_turned(92.0, standing)
    assert looks_turned(40.0, level)
    assert not looks_turned(40.0, level[:3])  # too few words to say
