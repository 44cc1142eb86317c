from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# Debian's DejaVu Serif has the Vietnamese glyphs (Liberation Serif renders boxes).
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def render_page(lines: list[str], size: int = 40) -> Image.Image:
    """A white A4-ish page at ~300 dpi with the lines typeset in DejaVu Serif."""
    font = ImageFont.truetype(str(FONT), size)
    image = Image.new("L", (2480, 160 + int(size * 1.6) * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    y = 80
    for line in lines:
        draw.text((150, y), line, font=font, fill=0)
        y += int(size * 1.6)
    return image


@pytest.fixture
def seed_lines() -> list[str]:
    """The first 30 text lines of seed 003 (clean Unicode)."""
    lines = [l.strip() for l in (CORPUS / "003.txt").read_text(encoding="utf-8").splitlines() if l.strip()]
    return lines[:30]
