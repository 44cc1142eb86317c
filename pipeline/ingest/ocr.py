"""Tesseract OCR with the Vietnamese model: word boxes (TSV) in reading order, a confidence per page.

Pages are OCR'd at the resolution they were scanned at: upsampling a 200-dpi scan to 300 dpi makes
tesseract ``vie`` read about 3.7 times as many syllables wrong (README, bench/ocr_native.py). Red ink
(seals, stamps) is dropped by reading the red channel, where red is as light as the paper.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache

import pytesseract
from PIL import Image

from pipeline.errors import TESSERACT_INSTALL_HINT, MissingDependency, OcrFailed, one_line
from pipeline.ingest.orient import MIN_SKEW, Turn, looks_turned, skew_angle, upright_turn
from pipeline.ingest.scan_tables import erase, fill, find_grids
from pipeline.layout import Line, PageText, Table, Word, pieces_from_words, place_tables, reading_order

# tesseract's OpenMP threads spin against each other on a small machine: one page of a 200-dpi scan
# took 3.2 s with them and 2.3 s without (2 cores, 2026-12-03); pages are read in parallel by
# workers instead. A value the user set is kept.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

LANG = "vie"
# Scans finer than this are read at DOWNSAMPLE_DPI: tesseract gains nothing above it and slows down.
MAX_NATIVE_DPI = 400
DOWNSAMPLE_DPI = 300
# A scan that says nothing of its resolution is taken to be at this one.
DEFAULT_DPI = 300
# tesseract (Leptonica) refuses an image wider or taller than this many pixels.
TESSERACT_MAX_SIDE = 32767


@lru_cache(maxsize=1)
def check_tesseract() -> str:
    """Return tesseract's version; raise MissingDependency if it or its Vietnamese data is absent."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise MissingDependency(f"tesseract is not installed; {TESSERACT_INSTALL_HINT}")
    langs = pytesseract.get_languages(config="")
    if LANG not in langs:
        raise MissingDependency(
            f"tesseract has no Vietnamese data ('{LANG}' not in {sorted(langs)}); {TESSERACT_INSTALL_HINT}"
        )
    return str(pytesseract.get_tesseract_version())


def ocr_dpi(native: float | None) -> float:
    """The resolution to OCR a scan of ``native`` dpi at: its own, never more; above
    MAX_NATIVE_DPI, DOWNSAMPLE_DPI."""
    if not native or native <= 0:
        return DEFAULT_DPI
    return float(DOWNSAMPLE_DPI) if native > MAX_NATIVE_DPI else float(round(native))


def drop_red(image: Image.Image) -> Image.Image:
    """The grey image tesseract reads: the red channel of a colour scan (red seals and stamps turn
    as light as the paper, black and blue ink stay dark), the image itself when it is grey."""
    if image.mode == "L":
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB").getchannel("R")


def ocr_words(image: Image.Image, lang: str = LANG) -> tuple[list[list[Word]], float | None]:
    """OCR one page image; return its lines as tesseract found them (words with pixel boxes) and the
    mean word confidence (0-100), or None when tesseract found no word. Raises OcrFailed when
    tesseract refuses the page."""
    check_tesseract()
    image = drop_red(image)
    # tesseract binarises a grey image anyway; an uncompressed TIFF is the cheapest for it to read.
    # "raw" because the image keeps its source's compression otherwise (a Group 4 fax scan's, which
    # only a 1-bit image can be written in). The folder is ours alone: a worker that is killed has
    # its whole temporary folder removed by the parent (runner.LocalPool).
    with tempfile.TemporaryDirectory(prefix="kehoach-ocr-") as tmp:
        source = os.path.join(tmp, "page.tif")
        image.save(source, format="TIFF", compression="raw")
        try:
            data = pytesseract.image_to_data(source, lang=lang, output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError as exc:
            raise OcrFailed(f"tesseract could not read the page: {one_line(exc.message).strip()}") from exc
    if "text" not in data:  # tesseract wrote no table at all
        raise OcrFailed("tesseract could not read the page: it returned no result")
    lines: dict[tuple[int, int, int], list[Word]] = {}
    weighted, letters = 0.0, 0
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y, w, h = data["left"][i], data["top"][i], data["width"][i], data["height"][i]
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(Word(text, (float(x), float(y), float(x + w), float(y + h))))
        weighted += conf * len(text)
        letters += len(text)
    return [lines[k] for k in sorted(lines)], (weighted / letters if letters else None)


def ocr_page(image: Image.Image, number: int, dpi: float, scale: float = 1.0, lang: str = LANG) -> PageText:
    """One scanned page as a :class:`PageText`: OCR'd words in reading order (the header's and the
    signature's columns each read whole), ruled tables as tables where they stand, boxes on the
    page as filed, multiplied by ``scale`` (72/dpi gives PDF points). A skewed page is straightened
    before it is read, and a page that reads as if turned is turned upright and read again
    (:mod:`pipeline.ingest.orient`)."""
    side = max(image.width, image.height)
    if side > TESSERACT_MAX_SIDE:  # tesseract refuses the page outright ("Image too large")
        shrink = TESSERACT_MAX_SIDE / side
        size = (max(1, int(image.width * shrink)), max(1, int(image.height * shrink)))
        image, scale, dpi = image.resize(size, Image.LANCZOS), scale / shrink, dpi * shrink
    grey = drop_red(image)
    try:
        reading = _read_straightened(grey, number, dpi, lang)
        if looks_turned(reading.confidence, reading.boxes()):
            turn = Turn(upright_turn(grey), grey.size)
            if turn.angle:
                turned = _read_straightened(turn.apply(grey), number, dpi, lang)
                # tesseract reads a sideways page's lines as vertical text about as confidently as
                # upright ones; the upright reading is the one whose lines a reader can follow
                if (turned.confidence or 0) > (reading.confidence or 0) or not looks_turned(turned.confidence,
                                                                                           turned.boxes()):
                    reading = turned.moved(turn.box_back)
    except OcrFailed as exc:
        exc.page = number
        raise
    if scale != 1.0:
        reading = reading.moved(lambda box: tuple(v * scale for v in box))
    page = PageText(number=number, method="ocr", confidence=reading.confidence,
                    width=round(image.width * scale, 2), height=round(image.height * scale, 2), dpi=dpi)
    return place_tables(page, reading.lines, reading.tables)


@dataclass
class _Reading:
    """A page as tesseract read it: lines in reading order outside the tables, the tables."""

    lines: list[Line]
    tables: list[Table]
    confidence: float | None

    def boxes(self) -> list:
        return [w.bbox for line in self.lines for w in line.words if w.bbox is not None]

    def moved(self, move) -> _Reading:
        """The reading with every box (words, cells, tables) passed through ``move``."""
        for line in self.lines:
            for word in line.words:
                if word.bbox is not None:
                    word.bbox = move(word.bbox)
        for table in self.tables:
            table.bbox = move(table.bbox) if table.bbox else None
            for cell in table.cells:
                cell.bbox = move(cell.bbox) if cell.bbox else None
        return self


def _read_straightened(grey: Image.Image, number: int, dpi: float, lang: str) -> _Reading:
    """OCR a grey page, straightened first when it is skewed, its tables' rules erased; lines in
    reading order (decided on the straight page, where lines are level), boxes on ``grey``."""
    angle = skew_angle(grey)
    turn = Turn(-angle, grey.size) if abs(angle) >= MIN_SKEW else None
    page = turn.apply(grey) if turn else grey
    grids, rules = find_grids(page, dpi, 0.0 if turn else angle)
    tess_lines, confidence = ocr_words(erase(page, rules) if grids else page, lang)
    pieces, in_tables = [], [[] for _ in grids]
    for words in tess_lines:
        outside = []
        for word in words:
            grid = next((k for k, g in enumerate(grids) if g.holds(word)), None)
            (outside if grid is None else in_tables[grid]).append(word)
        if outside:
            pieces.extend(pieces_from_words(outside))
    reading = _Reading(reading_order(pieces), [fill(g, w, number) for g, w in zip(grids, in_tables)], confidence)
    return reading.moved(turn.box_back) if turn else reading
