"""Scanned plans through the real tesseract `vie`: an image and an image-only PDF rendered from
seed 003's text with DejaVu Serif."""

import json

import pytest
from typer.testing import CliRunner

from cli import app
from pipeline.evaluate import syllable_accuracy
from tests.conftest import render_page

pytestmark = pytest.mark.tesseract
runner = CliRunner()


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_scanned_page_is_ocrd(tmp_path, seed_lines, fmt):
    page = render_page(seed_lines)
    path = tmp_path / f"scan.{fmt}"
    page.save(path, resolution=300) if fmt == "pdf" else page.save(path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "scan.json").read_text())
    assert [p["method"] for p in record["pages"]] == ["ocr"]
    assert record["pages"][0]["ocr_confidence"] > 50
    matched, total = syllable_accuracy(record["text"], "\n".join(seed_lines))
    assert matched / total >= 0.95, (matched, total)


@pytest.mark.parametrize("angle", [3, 90, 180, 270])
def test_skewed_and_turned_scans_are_read_upright(tmp_path, seed_lines, angle):
    """A scan lying crooked, sideways or upside down is read as if it were straight, and its words'
    boxes are on the page as filed: cropped there and turned back, each crop reads as its word."""
    import random

    import pytesseract
    from PIL import Image

    from pipeline.ingest.image import read_image

    filed = render_page(seed_lines[:16]).rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    path = tmp_path / "scan.png"
    filed.save(path, dpi=(300, 300))
    page = read_image(path, path.read_bytes(), {}).pages[0]
    matched, total = syllable_accuracy(page.text, "\n".join(seed_lines[:16]))
    assert matched / total >= 0.95, (angle, matched, total, page.text[:300])
    assert (page.width, page.height) == filed.size
    words = [w for line in page.lines for w in line.words if len(w.text) >= 5 and w.text.isalpha()]
    for word in random.Random(3).sample(words, 5):
        x0, y0, x1, y1 = (round(v) for v in word.bbox)
        assert 0 <= x0 < x1 <= filed.width and 0 <= y0 < y1 <= filed.height, word
        crop = filed.crop((x0 - 4, y0 - 4, x1 + 4, y1 + 4)).rotate(-angle, expand=True, fillcolor=255)
        framed = Image.new("L", (crop.width + 40, crop.height + 40), 255)
        framed.paste(crop, (20, 20))
        assert word.text in pytesseract.image_to_string(framed, lang="vie", config="--psm 7"), word
