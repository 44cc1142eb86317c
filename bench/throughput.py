"""Throughput benchmark: pages per second and peak memory of ``kehoach run`` beside the bare tools.

    .venv/bin/python bench/throughput.py [--text-pages 200] [--scan-pages 40] [--memory-docs 1000]
                                         [--repeat N] [--cases abc]

Inputs are made from the seed plans (corpus/00*.txt), multiplied:
  (a) text-layer PDFs (DejaVu Serif, A4) vs bare ``pdfplumber`` ``extract_text`` on the same files;
  (b) scanned PDFs (each page a 300 dpi image) vs bare ``tesseract <png> - -l vie`` on the same page
      images, run from the command line;
  (c) OCR'd text files (the seeds as they come);
each at 1 and 2 workers (the baselines in 1 and 2 processes). Overhead = (ours - bare) / bare.
Memory: peak RSS of the benchmark process and of its biggest child (a worker); and a long run of
``--memory-docs`` small documents through one worker, its RSS sampled as the batch goes.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fpdf import FPDF  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from pipeline.runner import run  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SEEDS = sorted((ROOT / "corpus").glob("00[0-4].txt"))


def seed_lines() -> list[str]:
    clean = (ROOT / "corpus" / "003.txt").read_text(encoding="utf-8")
    return [line.strip() for line in clean.splitlines() if line.strip()]


def make_text_pdfs(folder: Path, pages: int, per_file: int = 10) -> list[Path]:
    lines, files, made = seed_lines(), [], 0
    while made < pages:
        pdf = FPDF()
        pdf.add_font("DejaVu", fname=FONT)
        pdf.set_font("DejaVu", size=12)
        for _ in range(min(per_file, pages - made)):
            pdf.add_page()
            chunk = lines[(made * 30) % len(lines):][:30] or lines[:30]
            pdf.multi_cell(0, 7, "\n".join(chunk))
            made += 1
        path = folder / f"text{len(files):03d}.pdf"
        pdf.output(str(path))
        files.append(path)
    return files


def page_image(lines: list[str]) -> Image.Image:
    font = ImageFont.truetype(FONT, 38)
    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines[:45]):
        draw.text((180, 200 + i * 68), line[:95], font=font, fill=0)
    return image


def make_scans(folder: Path, pages: int, per_file: int = 5) -> tuple[list[Path], list[Path]]:
    lines, pdfs, pngs = seed_lines(), [], []
    for start in range(0, pages, per_file):
        pdf = FPDF()
        for k in range(start, min(start + per_file, pages)):
            png = folder / f"page{k:04d}.png"
            page_image(lines[(k * 45) % len(lines):] + lines).save(png, dpi=(300, 300))
            pngs.append(png)
            pdf.add_page()
            pdf.image(str(png), x=0, y=0, w=210, h=297)
        path = folder / f"scan{len(pdfs):03d}.pdf"
        pdf.output(str(path))
        pdfs.append(path)
    return pdfs, pngs


def make_texts(folder: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        path = folder / f"ocr{i:04d}.txt"
        path.write_text(SEEDS[i % len(SEEDS)].read_text(encoding="utf-8") + f"\n{i}\n", encoding="utf-8")
        files.append(path)
    return files


def bare_pdfplumber(path: Path) -> int:
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def bare_tesseract(path: Path) -> int:
    subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True, check=True,
                   env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return 1


def timed_pool(function, items: list[Path], processes: int) -> float:
    started = time.perf_counter()
    if processes == 1:
        for item in items:
            function(item)
    else:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(function, items))
    return time.perf_counter() - started


def timed_run(files: list[Path], workers: int, out: Path) -> tuple[float, int]:
    started = time.perf_counter()
    summary = run(files, out, workers=workers, force=True)
    elapsed = time.perf_counter() - started
    assert not summary.by_status.get("failed"), summary.as_dict()
    return elapsed, sum(summary.pages_by_method.values())


def children_rss_mb() -> dict[int, float]:
    """VmRSS of this process's children, from /proc."""
    out = {}
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != me:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[int(entry.name)] = int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return out


def memory_run(folder: Path, count: int, out: Path) -> list[tuple[int, float]]:
    files = make_texts(folder, count)
    samples: list[tuple[int, float]] = []
    done = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = children_rss_mb()
            if rss:
                samples.append((done[0], max(rss.values())))
            time.sleep(0.5)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    run(files, out, workers=1, force=True, on_result=lambda path, record: done.__setitem__(0, done[0] + 1))
    stop.set()
    thread.join()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text-pages", type=int, default=200)
    parser.add_argument("--scan-pages", type=int, default=40)
    parser.add_argument("--text-files", type=int, default=200)
    parser.add_argument("--memory-docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="measure each case this many times; report the median")
    parser.add_argument("--cases", default="abc", help="which of the cases (a), (b), (c) to measure: e.g. b")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "a").mkdir(), (tmp / "b").mkdir(), (tmp / "c").mkdir(), (tmp / "m").mkdir()
        text_pdfs = make_text_pdfs(tmp / "a", args.text_pages) if "a" in args.cases else []
        scans, pngs = make_scans(tmp / "b", args.scan_pages) if "b" in args.cases else ([], [])
        texts = make_texts(tmp / "c", args.text_files) if "c" in args.cases else []
        rows = []
        for label, files, pages, bare, items in (
                ("(a) text-layer PDF", text_pdfs, args.text_pages, bare_pdfplumber, text_pdfs),
                ("(b) scanned PDF", scans, args.scan_pages, bare_tesseract, pngs),
                ("(c) OCR'd text", texts, args.text_files, None, None)):
            if label[1] not in args.cases:
                continue
            for workers in (1, 2):
                # each measured --repeat times, ours and bare in turn, the median kept: on a small
                # shared machine one run can be off by a third
                ours_runs, base_runs = [], []
                for _ in range(args.repeat):
                    elapsed, counted = timed_run(files, workers, tmp / f"out-{label[1]}-{workers}")
                    ours_runs.append(elapsed)
                    if bare:
                        base_runs.append(timed_pool(bare, items, workers))
                ours = statistics.median(ours_runs)
                base = statistics.median(base_runs) if bare else None
                rows.append((label, workers, counted, ours, base))
                overhead = f"{100 * (ours - base) / base:+6.0f}%" if base else "     —"
                print(f"{label:<20} workers={workers}  {counted:5d} pages  ours {counted / ours:7.2f} pages/s"
                      + (f"  bare {pages / base:7.2f} pages/s  overhead {overhead}" if base else ""), flush=True)
        for label in ("(a) text-layer PDF", "(b) scanned PDF", "(c) OCR'd text"):
            if label[1] not in args.cases:
                continue
            one = next(r for r in rows if r[0] == label and r[1] == 1)
            two = next(r for r in rows if r[0] == label and r[1] == 2)
            print(f"{label:<20} speed-up 2 workers / 1: {one[3] / two[3]:.2f}x")
        print(f"peak RSS: benchmark process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
              f"largest child (a worker) {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
        if args.memory_docs:
            samples = memory_run(tmp / "m", args.memory_docs, tmp / "out-m")
            # the worker's samples (the biggest child while the batch runs; not those taken after the
            # last record came back, when the worker is being shut down and frees its memory)
            worker = [s for s in samples if s[1] > 50 and s[0] < args.memory_docs]
            marks = [s for s in worker if s[0] >= 50]
            if marks:
                first, last = marks[0], worker[-1]
                print(f"memory over {args.memory_docs} documents, one worker: RSS {first[1]:.0f} MB after "
                      f"{first[0]} documents, {last[1]:.0f} MB after {last[0]}; max {max(s[1] for s in worker):.0f} MB")


if __name__ == "__main__":
    main()
