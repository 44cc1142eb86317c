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
