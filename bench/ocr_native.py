"""OCR accuracy of scanned PDFs read at the scan's own resolution, beside bare ``tesseract -l vie``.

    .venv/bin/python bench/ocr_native.py [--pages 4] [--dpi 200 240] [--seed 7]

Pages of plan text (the development plans of ../shared/plans when present, else seed 003) are
typeset in DejaVu Serif at each resolution, degraded as a paper copy through an office scanner is
(``scripts/ocr_pairs.py``'s ``scan``: half of them a worn copy, skew, blur, the scanner's resolution
and JPEG), and put in a PDF
as the page image at that resolution, as a scanner's PDF holds it. Three readings of the same
pages, scored by syllable accuracy against the typeset text (``kehoach eval``'s measure):

  bare     ``tesseract page.png - -l vie`` on the image at its own resolution;
  kehoach  ``kehoach``'s PDF reader (native resolution, red channel, word boxes, reading order);
  300 dpi  the page rendered at 300 dpi and OCR'd, as kehoach did before (upsampling);
  corrected  kehoach's reading after restoration with the tesseract vie channel (``ocr_vie``), as
           ``kehoach run`` restores an OCR'd page; with the share of words bare tesseract read right
           that correction made wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fpdf import FPDF  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from pipeline.evaluate import syllable_accuracy  # noqa: E402
from pipeline.ingest.ocr import ocr_words  # noqa: E402
from pipeline.ingest.pdf import read_pdf  # noqa: E402
from pipeline.restore import load  # noqa: E402
from pipeline.vntext import WORD  # noqa: E402
from scripts.ocr_pairs import scan  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
PLANS = ROOT.parent / "shared" / "plans"


def text_lines(limit: int) -> list[str]:
    """Body lines of held-out plan text, wrapped to what fits an A4 line at 12 pt."""
    sources = sorted(PLANS.glob("*.txt"))[:6] if PLANS.exists() else [ROOT / "corpus" / "003.txt"]
    lines: list[str] = []
    for path in sources:
        for paragraph in path.read_text(encoding="utf-8").splitlines():
            paragraph = paragraph.strip()
            if not paragraph or "\t" in paragraph:
                continue
            words, current = paragraph.split(), ""
            for word in words:
                if len(current) + len(word) + 1 > 82:
                    lines.append(current)
                    current = word
                else:
                    current = f"{current} {word}".strip()
            if current:
                lines.append(current)
            if len(lines) >= limit:
                return lines[:limit]
    return lines


def page(lines: list[str], dpi: int, rng: random.Random) -> Image.Image:
    """The page as paper (typeset at 300 dpi, the copy's damage applied there), scanned at ``dpi``."""
    font = ImageFont.truetype(FONT, 38)
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((180, 200 + i * 70), line, font=font, fill=0)
    return scan(image, rng, dpi)   # half of them a worn copy; skew, blur, the scanner's dpi and JPEG


def made_wrong(read: str, corrected: str, gold: str) -> tuple[int, int]:
    """(words ``read`` had right that ``corrected`` changed, words ``read`` had right); restoration
    keeps lines and, but for a glued word it splits, words, so the two are compared line by line."""
    from rapidfuzz.distance import Levenshtein

    read_words, gold_words = WORD.findall(read), WORD.findall(gold)
    right = set()
    for block in Levenshtein.opcodes(read_words, gold_words).as_matching_blocks():
        right.update(range(block.a, block.a + block.size))
    changed, index = 0, 0
    for before, after in zip(read.split("\n"), corrected.split("\n")):
        a, b = WORD.findall(before), WORD.findall(after)
        if len(a) == len(b):
            changed += sum(1 for i, (x, y) in enumerate(zip(a, b)) if x != y and index + i in right)
        index += len(a)
    return changed, len(right)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--dpi", type=int, nargs="+", default=[200, 240])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model", help="restoration model (default: the one shipped)")
    args = parser.parse_args()
    per_page = 44
    restorer = load(args.model)
    lines = text_lines(args.pages * per_page)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for dpi in args.dpi:
            rng = random.Random(args.seed)
            scores = {"bare": [0, 0], "kehoach": [0, 0], "300 dpi": [0, 0], "corrected": [0, 0]}
            seconds = {"bare": 0.0, "kehoach": 0.0, "correction": 0.0}
            harmed = [0, 0]
            for p in range(args.pages):
                chunk = lines[p * per_page:(p + 1) * per_page]
                gold = "\n".join(chunk)
                image = page(chunk, dpi, rng)
                png = tmp / f"p{dpi}_{p}.png"
                image.save(png, dpi=(dpi, dpi))
                pdf = FPDF(format="A4")
                pdf.add_page()
                pdf.image(str(png), x=0, y=0, w=210, h=297)
                pdf_path = tmp / f"p{dpi}_{p}.pdf"
                pdf.output(str(pdf_path))

                started = time.perf_counter()
                bare = subprocess.run(["tesseract", str(png), "-", "-l", "vie"], capture_output=True, text=True,
                                      check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
                seconds["bare"] += time.perf_counter() - started
                started = time.perf_counter()
                ours = read_pdf(pdf_path, pdf_path.read_bytes(), {}).pages[0]
                seconds["kehoach"] += time.perf_counter() - started
                assert ours.dpi == dpi, (ours.dpi, dpi)
                up = image.resize((round(image.width * 300 / dpi), round(image.height * 300 / dpi)), Image.BICUBIC)
                upsampled = "\n".join(" ".join(w.text for w in line) for line in ocr_words(up)[0])
                started = time.perf_counter()
                corrected = restorer.restore(ours.text, "ocr_vie")
                seconds["correction"] += time.perf_counter() - started
                harmed = [x + y for x, y in zip(harmed, made_wrong(ours.text, corrected, gold))]
                for name, text in (("bare", bare), ("kehoach", ours.text), ("300 dpi", upsampled),
                                   ("corrected", corrected)):
                    matched, total = syllable_accuracy(text, gold)
                    scores[name][0] += matched
                    scores[name][1] += total
            results[dpi] = {k: round(m / t, 4) for k, (m, t) in scores.items()}
            results[dpi]["right words made wrong"] = round(harmed[0] / harmed[1], 4)
            results[dpi]["seconds"] = {k: round(v, 1) for k, v in seconds.items()}
            print(f"{dpi} dpi, {args.pages} pages: " + ", ".join(f"{k} {v:.2%}" for k, v in results[dpi].items()
                                                                  if k != "seconds")
                  + f" ({harmed[0]} of {harmed[1]} right words made wrong); seconds bare {seconds['bare']:.1f}, "
                    f"kehoach {seconds['kehoach']:.1f}, correction {seconds['correction']:.1f}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
