"""The page layout every reader fills and every stage shares (STYLE: docling's items with ``prov``,
spaCy's ``Doc`` with ``Span`` views).

A page is a list of :class:`Line` in reading order, each a list of :class:`Word` with a box in the
page's units (PDF points, or pixels for images; ``None`` where the input has no positions: Word, text
files), plus the :class:`Table` objects read on it. A page's text is *derived*: its lines joined by
``\\n``, the words of a line by a space, the cells of a table row by a TAB. Nothing is stored twice:
a span of the record's ``text`` is traced back to its words through :class:`OffsetMap`, which every
stage that changes characters (normalise, restore) carries forward.

Reading order is decided here too, for the readers that have positions: words are grouped into line
pieces, and where a page prints two blocks side by side (the header's issuer and motto columns, the
signature block beside ``Nơi nhận``) each column is read whole before the next
(:func:`reading_order`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

BBox = tuple[float, float, float, float]


def union(boxes) -> BBox | None:
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Word:
    text: str
    bbox: BBox | None = None
    tab_before: bool = False  # a table row's cells are separated by TAB in the page text


@dataclass
class Line:
    words: list[Word] = field(default_factory=list)
    kind: str = "text"  # "text" | "table_row"

    @property
    def text(self) -> str:
        parts: list[str] = []
        for i, word in enumerate(self.words):
            if i:
                parts.append("\t" if word.tab_before else " ")
            parts.append(word.text)
        return "".join(parts)

    @property
    def bbox(self) -> BBox | None:
        return union(w.bbox for w in self.words)


def text_line(text: str, bbox: BBox | None = None) -> Line:
    """A line of text without word positions (Word paragraphs, text files), kept exactly as it is."""
    return Line([Word(text, bbox)] if text else [])


@dataclass
class Cell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    bbox: BBox | None = None


@dataclass
class Table:
    """A table as read: cells with their grid position and spans; ``kind`` is ``layout`` for the
    borderless tables that only place a header's or signature's two columns side by side."""

    page: int
    cells: list[Cell]
    n_rows: int
    n_cols: int
    bbox: BBox | None = None
    kind: str = "data"
    header_rows: int = 1
    lines: tuple[int, int] | None = None  # its rows' first and last line in the page's lines
    def grid(self) -> list[list[str]]:
        """Rows of cell texts; a merged cell's text stands in its first row and column, the rest ''."""
        rows = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            if cell.row < self.n_rows and cell.col < self.n_cols:
                rows[cell.row][cell.col] = cell.text
        return rows

    def row_lines(self) -> list[Line]:
        """The table as page lines, one per row, TAB between cells (the shape ``../shared/plans``
        texts have): every row has one field per column; a merged cell's text stands in its first
        row and column, the fields it covers are empty."""
        lines = []
        for row in self.grid():
            words: list[Word] = []
            for c, text in enumerate(row):
                box = self._box(len(lines), c)
                pieces = " ".join(text.split()).split(" ")
                for j, piece in enumerate(pieces):
                    words.append(Word(piece, box if piece else None, tab_before=c > 0 and j == 0))
            lines.append(Line(words, kind="table_row"))
        return lines

    def _box(self, row: int, col: int) -> BBox | None:
        for cell in self.cells:
            if cell.row == row and cell.col == col:
                return cell.bbox
        return None


@dataclass
class PageText:
    """One page as a reader produced it, before normalisation: lines in reading order, tables."""

    number: int
    method: str  # "text" | "pdf_text" | "ocr"
    lines: list[Line] = field(default_factory=list)
    confidence: float | None = None
    width: float | None = None
    height: float | None = None
    dpi: float | None = None
    tables: list[Table] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def add_table(self, table: Table) -> None:
        """Append a table's rows to the page's lines (TAB between cells) and keep where they are."""
        rows = table.row_lines()
        if not rows:
            return
        first = len(self.lines)
        self.lines.extend(rows)
        table.lines = (first, len(self.lines) - 1)
        self.tables.append(table)

    def line_offset(self, index: int) -> int:
        """Where line ``index`` starts in :attr:`text`."""
        return sum(len(line.text) + 1 for line in self.lines[:index])

    @classmethod
    def from_text(cls, number: int, text: str, method: str = "text", **kw) -> PageText:
        return cls(number=number, method=method, lines=[text_line(t) for t in text.split("\n")], **kw)


def place_tables(page: PageText, lines: list[Line], tables: list[Table]) -> PageText:
    """Put ``lines`` (in reading order) on the page, each table's rows where the table stands:
    before the first line that starts below the table's top."""
    pending = sorted(tables, key=lambda t: t.bbox[1] if t.bbox else 0.0)
    for line in lines:
        box = line.bbox
        while pending and box is not None and pending[0].bbox is not None and box[1] > pending[0].bbox[1]:
            page.add_table(pending.pop(0))
        page.lines.append(line)
    for table in pending:
        page.add_table(table)
    return page


# ---------------------------------------------------------------------------------------------
# Reading order


class Piece:
    """A run of words on one line of a page, not broken by a column gap; its box computed once."""

    __slots__ = ("words", "bbox")

    def __init__(self, words: list[Word]):
        self.words = words
        self.bbox: BBox = (min(w.bbox[0] for w in words), min(w.bbox[1] for w in words),
                           max(w.bbox[2] for w in words), max(w.bbox[3] for w in words))


def pieces_from_words(words: list[Word], gap_factor: float = 2.5) -> list[Piece]:
    """Group positioned words into line pieces: words whose vertical extents overlap by half their
    height are on one line; a horizontal gap wider than ``gap_factor`` times the line's height
    starts a new piece (the gutter between two header columns is several characters wide, a word
    space is a third of one)."""
    rows: list[list[Word]] = []
    extents: list[list[float]] = []  # each row's top and bottom, kept as words join it
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        x0, y0, x1, y1 = word.bbox
        placed = False
        for k in range(len(rows) - 1, max(len(rows) - 4, -1), -1):
            ry0, ry1 = extents[k]
            overlap = min(ry1, y1) - max(ry0, y0)
            if overlap > 0.5 * min(ry1 - ry0, y1 - y0):
                rows[k].append(word)
                extents[k] = [min(ry0, y0), max(ry1, y1)]
                placed = True
                break
        if not placed:
            rows.append([word])
            extents.append([y0, y1])
    pieces: list[Piece] = []
    for row in rows:
        row.sort(key=lambda w: w.bbox[0])
        height = max(w.bbox[3] - w.bbox[1] for w in row) or 1.0
        current = [row[0]]
        for word in row[1:]:
            if word.bbox[0] - current[-1].bbox[2] > gap_factor * height:
                pieces.append(Piece(current))
                current = [word]
            else:
                current.append(word)
        pieces.append(Piece(current))
    return pieces


def reading_order(pieces: list[Piece]) -> list[Line]:
    """Line pieces in reading order. Pieces are grouped into rows by vertical overlap; a run of rows
    where some row holds two or more pieces side by side is a column zone (the header's two blocks,
    the signature beside ``Nơi nhận``): its left column is read top to bottom, then its right one.
    A piece that runs from the left column into the right one ends the zone; specks beside a line
    (a scan's ``_``, ``|``) start none. A blank line separates zones from the text."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: (p.bbox[1] + p.bbox[3]) / 2):
        x0, y0, x1, y1 = piece.bbox
        if rows:
            row = rows[-1]
            ry0 = min(p.bbox[1] for p in row)
            ry1 = max(p.bbox[3] for p in row)
            # (pieces one above the other are two lines however much their boxes overlap: a skewed
            # scan's line boxes are tall, and two of them may share half their height)
            beside = all(x1 <= p.bbox[0] or p.bbox[2] <= x0 for p in row)
            if beside and min(ry1, y1) - max(ry0, y0) > 0.4 * min(ry1 - ry0, y1 - y0):
                row.append(piece)
                continue
        rows.append([piece])
    for row in rows:
        row.sort(key=lambda p: p.bbox[0])

    lines: list[Line] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        if sum(1 for p in row if _holds_text(p)) < 2:
            # one piece of text, with at most specks beside it (a scan's "_" at the margin): a line,
            # not the first row of a column zone whose gutter would be the speck's
            lines.append(Line([w for p in row for w in p.words]))
            i += 1
            continue
        # a zone: the gutter is the widest gap between its first row's pieces of text, and the right
        # column starts where the piece right of it does. The left column's first line may be short
        # ("Nơi nhận:") and the lines below it longer than the gutter's middle ("- Đ/c Chủ tịch
        # HĐND tỉnh (để b/c);"): a line ends the zone when it runs on into the right column.
        texts = [p for p in row if _holds_text(p)]
        gaps = [(texts[k + 1].bbox[0] - texts[k].bbox[2], k) for k in range(len(texts) - 1)]
        _, k = max(gaps)
        middle = (texts[k].bbox[2] + texts[k + 1].bbox[0]) / 2
        column = texts[k + 1].bbox[0]
        zone = [row]
        j = i + 1
        line_height = max(p.bbox[3] - p.bbox[1] for p in row)
        while j < len(rows):
            nxt = rows[j]
            previous_bottom = max(p.bbox[3] for p in zone[-1])
            top = min(p.bbox[1] for p in nxt)
            if top - previous_bottom > 2.5 * line_height:
                break
            if any(p.bbox[0] < middle and p.bbox[2] > column for p in nxt):
                break  # a line from the left column into the right one: the zone is over
            zone.append(nxt)
            j += 1
        left = [p for r in zone for p in r if (p.bbox[0] + p.bbox[2]) / 2 < middle]
        right = [p for r in zone for p in r if (p.bbox[0] + p.bbox[2]) / 2 >= middle]
        if lines and lines[-1].words:
            lines.append(Line())
        for column in (left, right):
            lines.extend(_merge_row_pieces(column))
            lines.append(Line())
        i = j
    return lines


def _holds_text(piece: Piece) -> bool:
    """Whether a piece prints something (two letters or digits at least), not a speck or a rule."""
    return sum(ch.isalnum() for w in piece.words for ch in w.text) >= 2


def _merge_row_pieces(pieces: list[Piece]) -> list[Line]:
    """Pieces of one column, top to bottom; pieces that share a row within it become one line."""
    lines: list[Line] = []
    last_box: BBox | None = None
    for piece in sorted(pieces, key=lambda p: ((p.bbox[1] + p.bbox[3]) / 2, p.bbox[0])):
        box = piece.bbox
        if last_box is not None and min(last_box[3], box[3]) - max(last_box[1], box[1]) > 0.4 * (box[3] - box[1]):
            lines[-1].words.extend(piece.words)
        else:
            lines.append(Line(list(piece.words)))
        last_box = box
    return lines


# A run of spaces this long inside a line of text lays out two columns ("ỦY BAN NHÂN DÂN      CỘNG HÒA…").
_SPACED = re.compile(r"(?<=\S) {4,}(?=\S)")


def split_spaced_columns(lines: list[Line]) -> list[Line]:
    """Lines of unpositioned text whose two columns were laid out with spaces (a Word header typed
    with spaces or TABs, a text file that kept them): a run of such lines is read as a zone, its
    left column first, then its right one, as :func:`reading_order` does with boxes. A line in
    the run without a gap belongs to the column its indentation puts it in."""
    out: list[Line] = []
    i = 0
    while i < len(lines):
        if lines[i].kind != "text" or not _SPACED.search(lines[i].text):
            out.append(lines[i])
            i += 1
            continue
        left: list[str] = []
        right: list[str] = []
        j = i
        while j < len(lines) and lines[j].kind == "text":
            text = lines[j].text
            gaps = list(_SPACED.finditer(text))
            if gaps:
                widest = max(gaps, key=lambda m: len(m.group(0)))
                left.append(text[:widest.start()].strip())
                right.append(text[widest.end():].strip())
            elif not text.strip():
                pass
            elif len(text) - len(text.lstrip(" ")) >= 12 and j > i:
                right.append(text.strip())  # indented far: the right column alone
            else:
                break
            j += 1
        out.extend(text_line(t) for t in left)
        out.append(Line())
        out.extend(text_line(t) for t in right)
        out.append(Line())
        i = j
    return out


# ---------------------------------------------------------------------------------------------
# Offsets: from the record's text back to the pages


class OffsetMap:
    """For each character of a derived text, the position in the readers' raw text it came from.

    ``raw`` positions are global over the pages: page ``i``'s text starts at ``bases[i]``. A stage
    that rewrites the text calls :meth:`rewrite` with the old and new text and the map follows
    (aligned line by line where the line count is kept, with Levenshtein opcodes; a replaced run is
    mapped proportionally)."""

    def __init__(self, positions: list[int]):
        self.positions = positions  # len(text) + 1 entries; the last is the end

    @classmethod
    def identity(cls, n: int, start: int = 0) -> OffsetMap:
        return cls(list(range(start, start + n + 1)))

    def __len__(self) -> int:
        return len(self.positions) - 1

    def raw(self, offset: int) -> int:
        return self.positions[max(0, min(offset, len(self.positions) - 1))]

    def rewrite(self, old: str, new: str) -> OffsetMap:
        if old == new:
            return self
        old_lines, new_lines = old.split("\n"), new.split("\n")
        if len(old_lines) != len(new_lines):
            return OffsetMap(_align(old, new, self.positions, 0))
        positions: list[int] = []
        o = 0
        for a, b in zip(old_lines, new_lines):
            # each line's characters and the newline (or, for the last, the end) after them
            positions.extend(self.positions[o:o + len(a) + 1] if a == b else _align(a, b, self.positions, o))
            o += len(a) + 1
        return OffsetMap(positions)


def _align(old: str, new: str, positions: list[int], base: int) -> list[int]:
    """Map each position of ``new`` (and its end) to ``positions[base + i]`` of the aligned ``old``."""
    out: list[int] = []
    for op in Levenshtein.opcodes(old, new):
        n_new = op.dest_end - op.dest_start
        n_old = op.src_end - op.src_start
        if op.tag == "equal":
            out.extend(positions[base + op.src_start + k] for k in range(n_new))
        elif n_new:
            for k in range(n_new):
                out.append(positions[base + op.src_start + (k * n_old) // n_new if n_old else base + op.src_start])
    out.append(positions[base + len(old)])
    return out


@dataclass
class WordIndex:
    """The positioned words of all pages, by raw offset, to find the boxes a span covers."""

    starts: list[int]
    ends: list[int]
    pages: list[int]
    lines: list[int]
    boxes: list[BBox | None]

    @classmethod
    def build(cls, pages: list[PageText], bases: list[int]) -> WordIndex:
        starts, ends, page_nos, line_nos, boxes = [], [], [], [], []
        for page, base in zip(pages, bases):
            pos = base
            for n, line in enumerate(page.lines):
                for i, word in enumerate(line.words):
                    if i:
                        pos += 1
                    starts.append(pos)
                    ends.append(pos + len(word.text))
                    page_nos.append(page.number)
                    line_nos.append(n)
                    boxes.append(word.bbox)
                    pos += len(word.text)
                pos += 1
        return cls(starts, ends, page_nos, line_nos, boxes)

    def locate(self, raw_start: int, raw_end: int) -> tuple[int | None, BBox | None, list[tuple]]:
        """(page, box on that page, (page, x0, y0, x1, y1) per line) of the words in [start, end)."""
        i = max(0, bisect_right(self.starts, raw_start) - 1)
        if i < len(self.ends) and self.ends[i] <= raw_start:
            i += 1
        page = None
        per_line: dict[tuple[int, int], list[BBox]] = {}
        while i < len(self.starts) and self.starts[i] < max(raw_end, raw_start + 1):
            if page is None:
                page = self.pages[i]
            if self.boxes[i] is not None:
                per_line.setdefault((self.pages[i], self.lines[i]), []).append(self.boxes[i])
            i += 1
        lines = [(p, *(round(v, 1) for v in union(bs))) for (p, _), bs in per_line.items()]
        box = union(tuple(b[1:]) for b in lines if b[0] == page)
        return page, (tuple(round(v, 1) for v in box) if box else None), lines
