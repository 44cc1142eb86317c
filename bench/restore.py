"""Restoration benchmark: syllable accuracy and speed of ``kehoach restore`` beside two baselines.

    .venv/bin/python bench/restore.py [--model dictionaries/restore.npz] [--corpus ../shared/lm-corpus]

Test sets (none of them in the model's training data):
  stripped  seed 003 with its diacritics removed; held-out corpus files (bench/heldout_files.txt,
            excluded by ``kehoach lm build``) and the development plans held out from its extra
            text (bench/heldout_plans.txt, of ../shared/plans) with their diacritics removed
  ocr       seeds 001, 002, 004 against their hand-corrected clean texts (corpus/*.clean.txt);
            held-out corpus text rendered and OCR'd with tesseract -l eng (bench/data/heldout_ocr.tsv),
            and again with scan damage: skew, ink spread, binarisation, JPEG
            (bench/data/heldout_ocr_degraded.tsv, scripts/ocr_pairs.py --degrade)
  ocr_vie   held-out corpus text OCR'd with tesseract -l vie (bench/data/heldout_vie.tsv), and
            scanned as an office scanner files a page: 200-300 dpi, half of them a worn copy
            (bench/data/heldout_vie_scan.tsv, scripts/ocr_pairs.py --lang vie --scan)
  clean     seed 003 as it is (must come back unchanged)

Beside it, the text as read (tesseract's own figure for the OCR'd sets), and two baselines on the
same text: the diacritic-free unigram choice (the most frequent syllable with the token's
skeleton) and pyvi's ``ViUtils.add_accents`` (its crashes are counted, the line kept as is).
Accuracy is the share of gold syllables reproduced exactly (case included), after aligning tokens;
both sides are put in one tone-placement convention first (``hoá`` = ``hóa``: a convention, not an error).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.normalize import normalise_tones  # noqa: E402
from pipeline.evaluate import _clean_body, restoration_input, syllable_accuracy  # noqa: E402
from pipeline.restore import Restorer, model_path  # noqa: E402
from pipeline.restore.corpus import iter_files, read_exclusions  # noqa: E402
from pipeline.vntext import WORD, fold, strip_diacritics  # noqa: E402


def heldout_lines(corpus: Path, limit: int) -> list[str]:
    only = read_exclusions(ROOT / "bench" / "heldout_files.txt")
    lines = [line for _, prose in iter_files(corpus, only=only) for line in prose if len(line) > 20]
    return lines[:limit]


def test_sets(corpus: Path | None, heldout_limit: int) -> list[tuple[str, str, str, str]]:
    """(name, form, input text, gold text)."""
    seeds = ROOT / "corpus"
    clean003 = (seeds / "003.txt").read_text(encoding="utf-8")
    sets = [("seed 003 stripped", "stripped", strip_diacritics(clean003), clean003)]
    if corpus:
        gold = "\n".join(heldout_lines(corpus, heldout_limit))
        sets.append(("held-out corpus stripped", "stripped", strip_diacritics(gold), gold))
    plans = ROOT.parent / "shared" / "plans"
    held_out = read_exclusions(ROOT / "bench" / "heldout_plans.txt")
    if plans.exists():
        gold = "\n".join(normalise_tones((plans / name).read_text(encoding="utf-8")) for name in sorted(held_out))
        sets.append(("held-out plans stripped", "stripped", strip_diacritics(gold), gold))
    for name in ("001", "002", "004"):
        clean = (seeds / f"{name}.clean.txt").read_text(encoding="utf-8")
        noisy = restoration_input((seeds / f"{name}.txt").read_text(encoding="utf-8"), clean)
        sets.append((f"seed {name} OCR", "ocr_noisy", noisy, _clean_body(clean)))
    pairs = [line.rstrip("\n").split("\t") for line in
             (ROOT / "bench" / "data" / "heldout_ocr.tsv").read_text(encoding="utf-8").splitlines()]
    sets.append(("held-out corpus OCR'd", "ocr_noisy", "\n".join(n for _, n in pairs), "\n".join(c for c, _ in pairs)))
    pairs = [line.split("\t") for line in
             (ROOT / "bench" / "data" / "heldout_ocr_degraded.tsv").read_text(encoding="utf-8").splitlines()]
    sets.append(("held-out scan-degraded OCR'd", "ocr_noisy", "\n".join(n for _, n in pairs),
                 "\n".join(c for c, _ in pairs)))
    for file, name in (("heldout_vie.tsv", "held-out tesseract vie"), ("heldout_vie_scan.tsv", "held-out vie scans")):
        path = ROOT / "bench" / "data" / file
        if path.exists():
            pairs = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
            sets.append((name, "ocr_vie", "\n".join(n for _, n in pairs), "\n".join(c for c, _ in pairs)))
    sets.append(("seed 003 clean", "clean", clean003, clean003))
    return sets


def unigram_baseline(restorer: Restorer):
    def restore(text: str) -> str:
        def choose(match):
            word = match.group(0)
            options = restorer.skeleton.get(fold(word))
            if not options or fold(word) != word.lower():
                return word
            best = options[0]
            return best.upper() if word.isupper() and len(word) > 1 else (
                best[0].upper() + best[1:] if word[0].isupper() else best)
        return WORD.sub(choose, text)
    return restore


def pyvi_baseline():
    try:
        from pyvi import ViUtils
    except ImportError:
        return None, None
    crashes = [0]

    def restore(text: str) -> str:
        out = []
        for line in text.split("\n"):
            try:
                out.append(ViUtils.add_accents(line) if line.strip() else line)
            except Exception:  # pyvi raises KeyError and others on some inputs: count, keep the line
                crashes[0] += 1
                out.append(line)
        return "\n".join(out)
    return restore, crashes


def timed(restorer: Restorer, text: str, form: str) -> float:
    started = time.perf_counter()
    restorer.restore(text, form)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "lm-corpus")
    parser.add_argument("--heldout-lines", type=int, default=2500)
    parser.add_argument("--no-pyvi", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="speed: timed runs per set, the median reported")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.exists() else None

    started = time.perf_counter()
    restorer = Restorer(args.model or model_path())
    load_s = time.perf_counter() - started
    systems = {"as read": lambda text, form: text,
               "kehoach": lambda text, form: restorer.restore(text, form),
               "unigram": lambda text, form, f=unigram_baseline(restorer): f(text)}
    pyvi, crashes = (None, None) if args.no_pyvi else pyvi_baseline()
    if pyvi:
        systems["pyvi"] = lambda text, form: pyvi(text)

    print(f"model {restorer.path} ({restorer.path.stat().st_size / 1e6:.1f} MB), loaded in {load_s:.2f} s")
    header = f"{'test set':<28} {'syllables':>9} " + " ".join(f"{name:>9}" for name in systems)
    print(header)
    speed = {}
    sets = test_sets(corpus, args.heldout_lines)
    for name, form, text, gold in sets:
        row = []
        for system, restore in systems.items():
            t0 = time.perf_counter()
            output = restore(text, form)
            elapsed = time.perf_counter() - t0
            matched, total = syllable_accuracy(normalise_tones(output), normalise_tones(gold))
            row.append(f"{100 * matched / total:8.2f}%")
            if system == "kehoach":
                speed[name] = (total, elapsed)
        print(f"{name:<28} {total:>9} " + " ".join(row))
    if crashes is not None:
        print(f"pyvi add_accents crashed on {crashes[0]} lines (kept as they were)")
    print()
    # the first pass over a set meets its words for the first time (caches cleared, as in a new
    # worker); a worker in a batch has met them in earlier documents: both are reported, each the
    # median of --repeat runs (on a shared machine one run can be a fifth off)
    cold, warm = {}, {}
    for name, form, text, _ in sets:
        cold[name], warm[name] = [], []
        for _ in range(args.repeat):
            restorer.clear_caches()
            cold[name].append(timed(restorer, text, form))
            warm[name].append(timed(restorer, text, form))
    print(f"{'speed (syllables/s, one core)':<34} {'first pass':>10} {'again':>10}   (medians of {args.repeat})")
    for name, (total, _) in speed.items():
        print(f"{name:<34} {total / statistics.median(cold[name]):10,.0f} {total / statistics.median(warm[name]):10,.0f}")
    print(f"peak memory (max RSS of this process, all systems loaded): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
