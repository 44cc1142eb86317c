"""OCR of skewed and turned scans: kehoach (straightened, turned upright) beside bare ``tesseract -l vie``.

    .venv/bin/python bench/skew.py [--pages 3] [--dpi 200] [--angles 0 1 2 3 5 90 180 270] [--seed 7]

Pages of plan text are typeset and scanned as in ``bench/ocr_native.py`` (the same pages, the same
scanner damage), then turned counter-clockwise by each angle, as a page lies crooked on the glass or
is fed sideways or upside down, and saved as a PNG at the scan's resolution. Each is read two ways,
scored by syllable accuracy against the typeset text (``kehoach eval``'s measure), with the seconds
each took:

  bare     ``tesseract page.png - -l vie``, as a user would run it;
  kehoach  kehoach's image reader (``pipeline.ingest.image``): skew found by a projection profile and
           straightened, a page that reads as turned turned upright by tesseract's orientation
           detection, words in reading order.
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

from PIL import Image  # noqa: E402

from bench.ocr_native import page, text_lines  # noqa: E402
from pipeline.evaluate import syllable_accuracy  # noqa: E402
from pipeline.ingest.image import read_image  # noqa: E402

PER_PAGE = 44


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--angles", type=float, nargs="+", default=[0, 1, 2, 3, 5, 90, 180, 270])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines = text_lines(args.pages * PER_PAGE)
    rng = random.Random(args.seed)
    pages = []
    for p in range(args.pages):
        chunk = lines[p * PER_PAGE:(p + 1) * PER_PAGE]
        pages.append(("\n".join(chunk), page(chunk, args.dpi, rng)))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "page.png"
        for angle in args.angles:
            scores = {"bare": [0, 0], "kehoach": [0, 0]}
            seconds = {"bare": 0.0, "kehoach": 0.0}
            for gold, image in pages:
                image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255).save(
                    png, dpi=(args.dpi, args.dpi))
                started = time.perf_counter()
                bare = subprocess.run(["tesseract", str(png), "-", "-l", "vie"], capture_output=True, text=True,
                                      check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
                seconds["bare"] += time.perf_counter() - started
                started = time.perf_counter()
                ours = "\n".join(p.text for p in read_image(png, png.read_bytes(), {}).pages)
                seconds["kehoach"] += time.perf_counter() - started
                for name, text in (("bare", bare), ("kehoach", ours)):
                    matched, total = syllable_accuracy(text, gold)
                    scores[name][0] += matched
                    scores[name][1] += total
            results[angle] = {name: round(m / t, 4) for name, (m, t) in scores.items()}
            results[angle]["seconds"] = {k: round(v, 1) for k, v in seconds.items()}
            print(f"{angle:g}°: bare {results[angle]['bare']:.2%} ({seconds['bare']:.1f} s), "
                  f"kehoach {results[angle]['kehoach']:.2%} ({seconds['kehoach']:.1f} s)", flush=True)
    print(json.dumps({"dpi": args.dpi, "pages": args.pages, "results": results}))


if __name__ == "__main__":
    main()
