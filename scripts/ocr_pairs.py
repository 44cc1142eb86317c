"""Make aligned (clean, OCR'd) line pairs: render corpus text to page images, OCR them with
tesseract ``-l eng`` (how seeds 001/002/004 were damaged) or ``--lang vie`` (how scans are read),
and pair each OCR'd line with its source.

    python scripts/ocr_pairs.py --corpus ../shared/lm-corpus --pages 300 -o build/ocr_pairs.tsv
    python scripts/ocr_pairs.py --corpus ../shared/lm-corpus --heldout bench/heldout_files.txt \\
        --pages 30 -o bench/data/heldout_ocr.tsv

The pairs teach ``kehoach lm build`` the OCR channel (which syllable a damaged token was); the
held-out pairs are the OCR-noisy test set of ``bench/restore.py``. Needs tesseract with ``eng`` and
fonts with Vietnamese glyphs (Debian: tesseract-ocr-eng, fonts-liberation2, fonts-freefont-ttf,
fonts-dejavu-core).
"""

from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from difflib import SequenceMatcher
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.vntext import fold  # noqa: E402

# (font, weight). Plans are set in Times New Roman: Liberation Serif 2 (Debian's fonts-liberation2;
# 1.07 in fonts-liberation lacks the Vietnamese glyphs) has its metrics, FreeSerif (fonts-freefont-ttf)
# is another Times; DejaVu (fonts-dejavu-core) for the rest. Fonts not installed are skipped.
FONT_CHOICES = [
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf", 5),
    ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf", 1),
    ("/usr/share/fonts/truetype/freefont/FreeSerif.ttf", 2),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 3),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", 1),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 1),
]
FONTS = [(path, weight) for path, weight in FONT_CHOICES if Path(path).exists()]
WIDTH, HEIGHT, MARGIN = 2000, 2800, 120
A4_300DPI = (2480, 3508)


def wrap(paragraphs: list[str], font: ImageFont.FreeTypeFont, width: int = WIDTH) -> list[str]:
    lines = []
    for para in paragraphs:
        current = ""
        for word in para.split():
            trial = f"{current} {word}".strip()
            if font.getlength(trial) > width - 2 * MARGIN and current:
                lines.append(current)
                current = word
            else:
                current = trial
        if current:
            lines.append(current)
    return lines


def render_and_ocr(job: tuple[int, list[str], str, list[tuple[str, int]], str, str]) -> list[tuple[str, str]]:
    seed, paragraphs, damage, fonts, tesseract, lang = job
    rng = random.Random(seed)
    font_path = rng.choices([f for f, _ in fonts], weights=[w for _, w in fonts])[0]
    width, height = (A4_300DPI if damage == "scan" else (WIDTH, HEIGHT))
    size = rng.randint(38, 54) if damage == "scan" else rng.randint(30, 54)  # (scan: 9-13 pt at 300 dpi)
    font = ImageFont.truetype(font_path, size)
    if rng.random() < 0.1:
        paragraphs = [p.upper() for p in paragraphs]
    lines = wrap(paragraphs, font, width)
    step = int(size * 1.6)
    lines = lines[: (height - 2 * MARGIN) // step]
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + i * step), line, font=font, fill=0)
    if damage == "scan":
        image = scan(image, rng)
    elif rng.random() < 0.5:  # a scan is never sharp: blur, or lose resolution and get it back
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    else:
        factor = rng.uniform(0.6, 0.9)
        small = image.resize((int(WIDTH * factor), int(HEIGHT * factor)), Image.BILINEAR)
        image = small.resize((WIDTH, HEIGHT), Image.BILINEAR)
    if damage == "degrade":
        image = degrade(image, rng)
    with tempfile.NamedTemporaryFile(suffix=".png") as tmp:
        image.save(tmp.name)
        ocr = subprocess.run([tesseract, tmp.name, "stdout", "-l", lang, "--psm", "6"],
                             capture_output=True, text=True, check=True).stdout
    return align(lines, [line for line in ocr.splitlines() if line.strip()])


def scan(page: Image.Image, rng: random.Random, dpi: int | None = None) -> Image.Image:
    """An A4 page typeset at 300 dpi as an office scanner files it: half the pages a worn copy
    first (``degrade``), a slight skew, the optics' blur, the scanner's resolution (200 to 300 dpi,
    as the scans in ../shared/real are) and its JPEG compression."""
    if rng.random() < 0.5:
        page = degrade(page, rng)
    page = page.rotate(rng.uniform(-0.4, 0.4), resample=Image.BILINEAR, fillcolor=255)
    dpi = dpi or rng.choice((200, 240, 300))
    page = page.filter(ImageFilter.GaussianBlur(0.6)).resize(
        (round(page.width * dpi / 300), round(page.height * dpi / 300)), Image.LANCZOS)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=75)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def degrade(image: Image.Image, rng: random.Random) -> Image.Image:
    """What a paper copy and an office scanner do to a page: a slight skew, ink that spreads or
    thins, the scanner's black-and-white threshold over paper noise, JPEG compression."""
    image = image.rotate(rng.uniform(-0.6, 0.6), resample=Image.BILINEAR, fillcolor=255)
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.MinFilter(3) if rng.random() < 0.5 else ImageFilter.MaxFilter(3))
    if rng.random() < 0.6:
        noise = Image.effect_noise(image.size, rng.uniform(10, 40))
        image = Image.blend(image, noise, 0.25)
        threshold = rng.randint(110, 170)
        image = image.point(lambda v: 255 if v > threshold else 0)
    if rng.random() < 0.5:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=rng.randint(20, 60))
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return image


def align(clean: list[str], noisy: list[str]) -> list[tuple[str, str]]:
    """Pair lines in order; where tesseract merged or dropped lines, keep only confident matches."""
    pairs = []
    matcher = SequenceMatcher(None, [fold(c)[:40] for c in clean], [fold(n)[:40] for n in noisy], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs.extend(zip(clean[i1:i2], noisy[j1:j2]))
    return [(c, n) for c, n in pairs if SequenceMatcher(None, fold(c), fold(n)).ratio() > 0.6]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path)
    source.add_argument("--paragraphs", type=Path,
                        help="read paragraphs from this file (one a line) instead of the corpus: on a "
                             "machine without it (--dump-paragraphs writes one)")
    parser.add_argument("--dump-paragraphs", type=Path, help="write the shuffled paragraphs here and stop")
    parser.add_argument("--fonts", type=Path, help="a folder holding the fonts (by file name) when not installed")
    parser.add_argument("--tesseract", default="tesseract", help="the tesseract command")
    parser.add_argument("--heldout", type=Path, help="use only the files listed here")
    parser.add_argument("--exclude", type=Path, default=Path("bench/heldout_files.txt"))
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--lang", default="eng", help="tesseract's language: eng (the seeds' damage) or vie")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    damage = parser.add_mutually_exclusive_group()
    damage.add_argument("--degrade", action="store_const", const="degrade", dest="damage",
                        help="add scan damage: skew, ink spread, binarisation over noise, JPEG")
    damage.add_argument("--scan", action="store_const", const="scan", dest="damage",
                        help="an A4 page at 300 dpi scanned at 200-300 dpi (half of them a worn copy): "
                             "as bench/ocr_native.py makes its scans")
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()

    if args.paragraphs:
        paragraphs = args.paragraphs.read_text(encoding="utf-8").splitlines()
    else:
        from pipeline.restore.corpus import iter_files, read_exclusions  # needs the full install
        only = read_exclusions(args.heldout) if args.heldout else None
        exclude = set() if only else read_exclusions(args.exclude)
        paragraphs = [line for _, lines in iter_files(args.corpus, exclude, only) for line in lines
                      if len(line) > 40 and sum(c.isalpha() for c in line) > 0.7 * len(line)]
        random.Random(args.seed).shuffle(paragraphs)
    if args.dump_paragraphs:
        args.dump_paragraphs.write_text("\n".join(paragraphs[:args.pages * 12]) + "\n", encoding="utf-8")
        return
    if args.output is None:
        parser.error("-o/--output is required")
    fonts = [(str(args.fonts / Path(f).name), w) for f, w in FONT_CHOICES
             if (args.fonts / Path(f).name).exists()] if args.fonts else FONTS
    jobs = [(args.seed * 100000 + i, paragraphs[i * 12:(i + 1) * 12], args.damage, fonts, args.tesseract, args.lang)
            for i in range(args.pages)]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with ProcessPoolExecutor(args.workers) as pool, open(args.output, "w", encoding="utf-8") as out:
        for pairs in pool.map(render_and_ocr, jobs):
            for clean, noisy in pairs:
                out.write(f"{clean}\t{noisy}\n")
                count += 1
    print(f"{count} line pairs from {args.pages} pages -> {args.output}")


if __name__ == "__main__":
    main()
