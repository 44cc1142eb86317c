"""PDFs: characters and their boxes from pdfium, words and lines in reading order, ruled tables.

pypdfium2 gives every character with its box in one pass over the text page (about 10 µs a
character), several times faster than pdfminer's layout analysis, which pdfplumber runs for
``extract_text``; pdfplumber's table finder is still the tool for ruled tables, so it is opened
only for the pages that draw enough lines to hold one. A page whose text layer is empty, not
plausible Vietnamese (TCVN3/VNI fonts are converted first; glyph garbage is not), or only a stamp
over a scanned image is rendered at the image's own resolution and OCR'd.

Boxes are in PDF points with the origin at the page's top left (as pdfplumber's ``top``).
"""

from __future__ import annotations

import ctypes
import io
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

from pipeline.encoding import LEGACY_CONVERTERS, best_legacy_reading
from pipeline.errors import CorruptPdf, EncryptedFile, OcrFailed, TooManyPages, one_line
from pipeline.ingest.base import ReadResult
from pipeline.limits import Limits
from pipeline.ingest.ocr import ocr_dpi, ocr_page
from pipeline.layout import Cell, PageText, Table, Word, pieces_from_words, place_tables, reading_order

# A text layer is kept when at least this share of its words are Vietnamese syllables.
MIN_PLAUSIBILITY = 0.5
# ... and when it has at least this many letters (a scan may carry a stray text object) ...
MIN_LETTERS = 20
# ... unless it is this short and an image covers most of the page: a copy stamp over a scan.
STAMP_LETTERS = 200
SCAN_COVER = 0.5
# A page drawing fewer path objects than this has no ruled table worth pdfplumber's time.
MIN_RULINGS = 8
# A gap between two characters wider than this share of the font size is a word space.
WORD_GAP = 0.15


def read_pdf(path: Path, data: bytes, options: dict) -> ReadResult:
    password = options.get("password") or ""
    try:
        pdf = pypdfium2.PdfDocument(data, password=password or None)
    except pypdfium2.PdfiumError as exc:
        if "password" in str(exc).lower():
            hint = "the password given is wrong" if password else "give it with --password"
            raise EncryptedFile(f"the PDF is encrypted; {hint}") from exc
        raise CorruptPdf(f"the PDF cannot be parsed ({one_line(exc)})") from exc
    limits = Limits.from_options(options)
    try:
        count = len(pdf)
    except pypdfium2.PdfiumError as exc:
        raise CorruptPdf(f"the PDF's page tree cannot be read ({one_line(exc)})") from exc
    if count > limits.max_pages:
        pdf.close()
        raise TooManyPages(f"the PDF has {count} pages, over the limit of {limits.max_pages} (--max-pages)")
    result = ReadResult(pages=[], encoding="pdf")
    unreadable = 0
    encodings: set[str] = set()
    # Scanned pages are OCR'd by a few threads (tesseract runs as a subprocess, so threads are
    # enough); rendering stays at most two pages ahead of them, so memory does not grow with the
    # page count.
    threads = max(1, int(options.get("ocr_threads") or 1))
    pending: dict[int, Future] = {}
    plumber = _Plumber(data, password)
    with ThreadPoolExecutor(threads) as pool:
        for index in range(count):
            number = index + 1
            try:
                page = pdf[index]
                width, height = page.get_size()
                chars = _chars(page, height)
                native = _scan_dpi(page, width, height)
            except pypdfium2.PdfiumError as exc:
                result.warnings.append(("page_unreadable", f"page cannot be read ({one_line(exc)})", number))
                result.pages.append(PageText(number=number, method="pdf_text"))
                unreadable += 1
                continue
            raw = "".join(c[0] for c in chars)
            converted, encoding, score = best_legacy_reading(raw)
            letters = sum(ch.isalpha() for ch in converted)
            is_stamp = native is not None and letters < STAMP_LETTERS
            if letters >= MIN_LETTERS and score >= MIN_PLAUSIBILITY and not is_stamp:
                encodings.add(encoding)
                convert = LEGACY_CONVERTERS.get(encoding)
                tables = plumber.tables(index, number, convert) if _rulings(page) >= MIN_RULINGS else []
                words = _words(chars, convert)
                result.pages.append(_assemble(number, words, tables, width, height))
            else:
                dpi = ocr_dpi(native)
                # a huge page (a 200-inch sheet) is read at the resolution that keeps it within the
                # pixel limit, rather than rendered to gigabytes
                fit = 72 * (limits.max_pixels / max(width * height, 1.0)) ** 0.5
                if fit < dpi:
                    result.warnings.append(("image_too_large", f"the page is {width / 72:.0f}×{height / 72:.0f} inches; "
                                            f"read at {fit:.0f} dpi instead of {dpi:.0f} to stay within "
                                            f"{limits.max_pixels} pixels (--max-pixels)", number))
                    dpi = fit
                try:
                    image = page.render(scale=dpi / 72, grayscale=False).to_pil()
                except pypdfium2.PdfiumError as exc:
                    result.warnings.append(("page_unreadable", f"page cannot be rendered ({one_line(exc)})", number))
                    result.pages.append(PageText(number=number, method="ocr", width=width, height=height))
                    unreadable += 1
                    page.close()
                    continue
                result.pages.append(PageText(number=number, method="ocr", width=width, height=height, dpi=dpi))
                pending[number] = pool.submit(ocr_page, image, number, dpi, 72 / dpi)
                del image
                while len(pending) > threads + 1:
                    _collect(result, pending, min(pending))
            page.close()
        for number in sorted(pending):
            _collect(result, pending, number)
    plumber.close()
    pdf.close()
    if count and unreadable == count:
        raise CorruptPdf(f"none of the PDF's {count} pages can be read ({result.warnings[0][1]})")
    legacy = encodings - {"unicode"}
    result.encoding = "pdf+" + "+".join(sorted(legacy)) if legacy else "pdf"
    return result


def _collect(result: ReadResult, pending: dict[int, Future], number: int) -> None:
    try:
        ocr = pending.pop(number).result()
    except OcrFailed as exc:  # this page stays blank; the others are read
        result.warnings.append((exc.code, str(exc), number))
        return
    page = result.pages[number - 1]
    page.lines, page.confidence, page.tables = ocr.lines, ocr.confidence, ocr.tables


def _chars(page, height: float) -> list[tuple[str, float, float, float, float, float]]:
    """(character, x0, top, x1, bottom, height) of every character the page prints, in content
    order; spaces and line breaks pdfium made up are kept as plain separators (no box). The text
    comes in one call (one UTF-16 unit a character); the box, one call a character."""
    textpage = page.get_textpage()
    raw = textpage.raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP: ask one at a time
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i) or 32) for i in range(count))
    rect = pdfium_c.FS_RECTF()
    box = ctypes.byref(rect)
    loose_box, generated = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_IsGenerated
    blank = (" ", 0.0, 0.0, 0.0, 0.0, 0.0)
    out = []
    for i, ch in enumerate(text):
        if ch.isspace() or generated(raw, i):
            out.append(blank)
            continue
        # the loose box: the glyph's advance and the font's ascent/descent, so the characters of a word
        # touch and the words of a line share their top and bottom
        loose_box(raw, i, box)
        out.append((ch, rect.left, height - rect.top, rect.right, height - rect.bottom, rect.top - rect.bottom))
    textpage.close()
    return out


def _words(chars, convert) -> list[Word]:
    """Characters into words: a made-up space, a real one, or a gap wider than WORD_GAP of the
    font size ends a word; so does a jump to another line."""
    words: list[Word] = []
    text: list[str] = []
    x0 = top = x1 = bottom = 0.0
    last = None
    for c in chars:
        ch = c[0]
        if ch != " " and last is not None:
            size = max(last[5], c[5], 1.0)  # the loose box's height stands for the font size
            same_line = min(last[4], c[4]) - max(last[2], c[2]) > 0.3 * (c[4] - c[2])
            if not same_line or c[1] - last[3] > WORD_GAP * size or c[1] < last[1] - 0.5 * size:
                ch = None  # a break before this character
        if ch != c[0] or ch == " ":
            if text:
                word = "".join(text)
                words.append(Word(convert(word) if convert is not None else word, (x0, top, x1, bottom)))
                text = []
            last = None
            if c[0] == " ":
                continue
        if not text:
            x0, top, x1, bottom = c[1], c[2], c[3], c[4]
        else:
            x0, top, x1, bottom = min(x0, c[1]), min(top, c[2]), max(x1, c[3]), max(bottom, c[4])
        text.append(c[0])
        last = c
    if text:
        word = "".join(text)
        words.append(Word(convert(word) if convert is not None else word, (x0, top, x1, bottom)))
    return words


def _rulings(page) -> int:
    return sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1))


def _scan_dpi(page, width: float, height: float) -> float | None:
    """The resolution of the image that covers most of the page (a scan), or None when none does."""
    best = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            left, bottom, right, top = obj.get_bounds()
            px_w, px_h = obj.get_px_size()
        except (pypdfium2.PdfiumError, AttributeError):
            continue
        w, h = right - left, top - bottom
        if w <= 0 or h <= 0 or (w * h) < SCAN_COVER * width * height:
            continue
        # by area, so that an image placed turned a quarter (a landscape scan on a portrait page) counts
        dpi = ((px_w * px_h) / ((w / 72) * (h / 72))) ** 0.5
        best = max(best or 0, dpi)
    return best


class _Plumber:
    """pdfplumber's table finder, the file opened only when a page needs it."""

    def __init__(self, data: bytes, password: str):
        self.data, self.password, self.pdf = data, password, None

    def tables(self, index: int, number: int, convert) -> list[Table]:
        import pdfplumber

        try:
            if self.pdf is None:
                self.pdf = pdfplumber.open(io.BytesIO(self.data), password=self.password)
            page = self.pdf.pages[index]
            found = page.find_tables()
            tables = [_table(t, number, convert) for t in found]
            page.close()
        except Exception:  # noqa: BLE001 - pdfminer raises many types on a damaged page; text still read
            return []
        return [t for t in tables if t is not None]

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _table(found, number: int, convert) -> Table | None:
    """A pdfplumber table as cells with grid positions; merged cells get their spans from the
    columns and rows their box covers."""
    xs = sorted({round(c[0], 1) for c in found.cells} | {round(c[2], 1) for c in found.cells})
    ys = sorted({round(c[1], 1) for c in found.cells} | {round(c[3], 1) for c in found.cells})
    if len(xs) < 2 or len(ys) < 3:
        return None  # a box around text, not a table
    texts = found.extract()
    cells: list[Cell] = []
    for r, row in enumerate(found.rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            col = _index(xs, box[0])
            colspan = max(1, _index(xs, box[2]) - col)
            top = _index(ys, box[1])
            rowspan = max(1, _index(ys, box[3]) - top)
            text = (texts[r][c] if r < len(texts) and c < len(texts[r]) else "") or ""
            text = " ".join(text.split())
            if convert is not None:
                text = convert(text)
            cells.append(Cell(row=top, col=col, text=text, rowspan=rowspan, colspan=colspan, bbox=tuple(box)))
    n_rows = max((c.row + c.rowspan for c in cells), default=0)
    n_cols = max((c.col + c.colspan for c in cells), default=0)
    if n_rows < 2 or n_cols < 2:
        return None
    return Table(page=number, cells=cells, n_rows=n_rows, n_cols=n_cols, bbox=tuple(found.bbox))


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def _assemble(number: int, words: list[Word], tables: list[Table], width: float, height: float) -> PageText:
    """The page's lines in reading order, each table's rows put where the table stands."""
    inside = [t.bbox for t in tables]

    def in_table(word: Word) -> bool:
        x = (word.bbox[0] + word.bbox[2]) / 2
        y = (word.bbox[1] + word.bbox[3]) / 2
        return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in inside)

    lines = reading_order(pieces_from_words([w for w in words if not in_table(w)]))
    return place_tables(PageText(number=number, method="pdf_text", width=width, height=height), lines, tables)

