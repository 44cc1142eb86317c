"""Word documents (.docx): body paragraphs and tables in document order, automatic numbering rendered
as Word prints it, manual line breaks kept, pages where Word last broke them.

python-docx gives the package and the XML; the reading is done here on the body's elements because
python-docx's ``paragraph.text`` leaves out the numbers Word draws (``w:numPr``, directly or through the
paragraph's style) and ``document.tables`` loses where each table stands among the paragraphs.
Header and signature layout tables (borderless two-column blocks) are read column by column, as
they are printed; data tables become ``tables`` and, in the text, one line per row with a TAB
between cells. Word has no fixed pages; ``w:lastRenderedPageBreak`` marks where Word broke them the
last time it laid the document out, and explicit page breaks do too.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from pipeline.errors import CorruptDocx, DocxTooLarge, one_line
from pipeline.ingest.base import ReadResult
from pipeline.limits import Limits
from pipeline.layout import Cell, PageText, Table, split_spaced_columns, text_line

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# A TAB in a paragraph lines up a second column (``Số: …`` TAB ``Hà Nội, ngày …``): read as a wide gap.
COLUMN_GAP = "     "
# A layout table's text holds one of these: the motto, a number line, the closing block's marks.
_LAYOUT_MARKS = re.compile(r"CỘNG HÒA|CỘNG HOÀ|Độc lập|Số:|Nơi nhận|\bTM\.|\bKT\.|\bTL\.|\bTUQ\.|Kính gửi", re.I)
MAX_LAYOUT_ROWS = 4
MAX_LAYOUT_COLS = 3


def read_docx(path: Path, data: bytes, options: dict) -> ReadResult:
    limits = Limits.from_options(options)
    _check_inflated_size(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        numbering = Numbering.load(document)
    except (PackageNotFoundError, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, EOFError,
            etree.LxmlError, zlib.error, NotImplementedError) as exc:
        raise CorruptDocx(f"not a readable .docx file ({type(exc).__name__}: {one_line(exc)})") from exc
    reader = _Reader(numbering)
    reader.block(body)
    return ReadResult(pages=reader.finish(), encoding="utf-8")


def _check_inflated_size(data: bytes, limits: Limits) -> None:
    """Refuse a .docx whose parts would inflate past the limit, from the sizes its zip directory
    declares (a few MB can hold gigabytes of XML). A part that inflates past its declared size is
    stopped there by zipfile, and fails its CRC check: the declared sizes are binding."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise CorruptDocx(f"not a readable .docx file ({type(exc).__name__}: {one_line(exc)})") from exc
    if total > limits.max_docx_bytes:
        raise DocxTooLarge(f"the .docx inflates to {total / 2**20:.0f} MB, over the limit of "
                           f"{limits.max_docx_bytes / 2**20:.0f} MB (--max-docx-mb)")


def _grid_middle(tbl, n_cols: int) -> float:
    """The grid column (fractional) at the table's horizontal middle, from ``w:tblGrid`` widths."""
    widths = [int(w) for w in (g.get(_W + "w") for g in tbl.iter(_W + "gridCol")) if w and w.isdigit()]
    if len(widths) != n_cols or not sum(widths):
        return n_cols / 2
    half, acc = sum(widths) / 2, 0
    for i, width in enumerate(widths):
        if acc + width >= half:
            return i + (half - acc) / width
        acc += width
    return n_cols / 2


def _hidden(el, paragraph) -> bool:
    """Inside a text box of the paragraph, or in the fallback copy Word keeps of a drawing (its text
    would be read twice)."""
    for ancestor in el.iterancestors():
        if ancestor is paragraph:
            return False
        if ancestor.tag in (_W + "txbxContent", _MC + "Fallback"):
            return True
    return False


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------------
# Numbering


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


def _letter(n: int) -> str:
    # Word's letters: a..z, then aa..zz
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One level's number in Word's ``w:numFmt``: 3 -> ``III`` (upperRoman), ``c`` (lowerLetter)."""
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False  # w:isLgl: the numbers of the levels above are shown as decimals
    style: str | None = None


@dataclass
class Numbering:
    """``numbering.xml``: each list's levels, and which paragraph style carries which list."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, str] = field(default_factory=dict)  # numId -> abstractNumId
    overrides: dict[str, dict[int, Level | int]] = field(default_factory=dict)
    style_num: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, document) -> Numbering:
        numbering = cls()
        part = document.part
        try:
            root = part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is not None:
            for abstract in root.iter(_W + "abstractNum"):
                levels = {int(lvl.get(_W + "ilvl")): _level(lvl) for lvl in abstract.iter(_W + "lvl")}
                numbering.abstract[abstract.get(_W + "abstractNumId")] = levels
            for num in root.iter(_W + "num"):
                num_id = num.get(_W + "numId")
                ref = num.find(_W + "abstractNumId")
                if ref is None:
                    continue
                numbering.nums[num_id] = ref.get(_W + "val")
                for override in num.iter(_W + "lvlOverride"):
                    ilvl = int(override.get(_W + "ilvl"))
                    lvl = override.find(_W + "lvl")
                    start = override.find(_W + "startOverride")
                    if lvl is not None:
                        numbering.overrides.setdefault(num_id, {})[ilvl] = _level(lvl)
                    elif start is not None:
                        numbering.overrides.setdefault(num_id, {})[ilvl] = int(start.get(_W + "val"))
        styles = document.styles.element
        based: dict[str, str] = {}
        for style in styles.iter(_W + "style"):
            style_id = style.get(_W + "styleId")
            base = style.find(_W + "basedOn")
            if base is not None:
                based[style_id] = base.get(_W + "val")
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                num_id = _val(num_pr, "numId")
                ilvl = _val(num_pr, "ilvl")
                numbering.style_num[style_id] = (num_id, None if ilvl is None else int(ilvl))
        # a style inherits its base's list
        for style_id in list(based):
            seen, current = set(), style_id
            while current not in numbering.style_num and current in based and current not in seen:
                seen.add(current)
                current = based[current]
            if current in numbering.style_num and style_id not in numbering.style_num:
                numbering.style_num[style_id] = numbering.style_num[current]
        return numbering

    def label(self, paragraph) -> str:
        """The number Word prints before this paragraph ('' for none), counting it."""
        ppr = paragraph.find(_W + "pPr")
        num_id, ilvl, style = None, None, None
        if ppr is not None:
            style_el = ppr.find(_W + "pStyle")
            style = style_el.get(_W + "val") if style_el is not None else None
            num_pr = ppr.find(_W + "numPr")
            if num_pr is not None:
                num_id = _val(num_pr, "numId")
                lvl = _val(num_pr, "ilvl")
                ilvl = None if lvl is None else int(lvl)
        if num_id is None and style in self.style_num:
            num_id, ilvl = self.style_num[style]
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id = self.nums[num_id]
        levels = dict(self.abstract.get(abstract_id, {}))
        if ilvl is None:
            ilvl = next((i for i, lv in levels.items() if style and lv.style == style), 0)
        overrides = self.overrides.get(num_id, {})
        for i, override in overrides.items():
            if isinstance(override, Level):
                levels[i] = override
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for i, override in overrides.items():
                start = override if isinstance(override, int) else override.start
                counters[i] = start - 1
        level = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [i for i in counters if i > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return "-" if not level.text or ord(level.text[0]) >= 0xE000 or level.text[0] in "•●■□◦▪" else level.text

        def number(match: re.Match) -> str:
            i = int(match.group(1)) - 1
            lv = levels.get(i, Level())
            n = counters.get(i, lv.start)
            return format_number(n, "decimal" if level.legal and i < ilvl else lv.fmt)

        return re.sub(r"%(\d)", number, level.text)


def _val(element, name: str) -> str | None:
    child = element.find(_W + name)
    return None if child is None else child.get(_W + "val")


def _level(lvl) -> Level:
    start = _val(lvl, "start")
    return Level(
        fmt=_val(lvl, "numFmt") or "decimal",
        text=_val(lvl, "lvlText") if _val(lvl, "lvlText") is not None else "",
        start=int(start) if start and start.lstrip("-").isdigit() else 1,
        legal=lvl.find(_W + "isLgl") is not None,
        style=_val(lvl, "pStyle"),
    )


# ---------------------------------------------------------------------------------------------
# Reading the body


class _Reader:
    def __init__(self, numbering: Numbering):
        self.numbering = numbering
        self.pages: list[PageText] = [PageText(number=1, method="text")]

    @property
    def page(self) -> PageText:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(PageText(number=len(self.pages) + 1, method="text"))

    def block(self, parent) -> None:
        for child in parent:
            tag = child.tag
            if tag == _W + "p":
                self.paragraph(child)
            elif tag == _W + "tbl":
                self.table(child)
            elif tag == _W + "sdt":
                content = child.find(_W + "sdtContent")
                if content is not None:
                    self.block(content)

    def paragraph(self, p) -> None:
        lines = self.paragraph_lines(p, breaks=True)
        for line in lines:
            if line == "\f":
                if self.page.lines:
                    self.new_page()
                continue
            self.page.lines.append(text_line(line))

    def paragraph_lines(self, p, breaks: bool) -> list[str]:
        """The paragraph's text with its printed number; ``\\f`` where a page broke inside it."""
        label = self.numbering.label(p)
        lines = [label + " " if label else ""]
        boxes: list[list[str]] = []
        for el in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "lastRenderedPageBreak",
                         _W + "noBreakHyphen", _W + "txbxContent"):
            if _hidden(el, p):
                continue
            tag = el.tag
            if tag == _W + "txbxContent":
                # a text box: its paragraphs are lines of their own, after this one
                boxes.extend(self.paragraph_lines(q, breaks=False) for q in el.iter(_W + "p"))
            elif tag == _W + "t":
                lines[-1] += el.text or ""
            elif tag == _W + "tab":
                if el.getparent().tag != _W + "tabs":   # (a tab stop the paragraph defines is no tab)
                    lines[-1] += COLUMN_GAP
            elif tag in (_W + "br", _W + "cr"):
                lines.extend(["\f", ""] if el.get(_W + "type") == "page" and breaks else [""])
            elif tag == _W + "lastRenderedPageBreak" and breaks:
                if any(s.strip() for s in lines[1:]) or lines[0].strip() != label.strip():
                    # (a page that broke after the number alone breaks before the paragraph: the
                    # number is printed with its text)
                    lines.extend(["\f", ""])
                else:
                    lines.insert(0, "\f")
            elif tag == _W + "noBreakHyphen":
                lines[-1] += "-"
        for box in boxes:
            lines.extend(box)
        return [_nfc(line) for line in lines]

    def cell_text(self, tc) -> list[str]:
        out: list[str] = []
        for child in tc:
            if child.tag == _W + "p":
                out.extend(s for s in self.paragraph_lines(child, breaks=False) if s != "\f")
            elif child.tag == _W + "tbl":
                nested, lines_by_cell = self.read_table(child)
                self.page.tables.append(nested)  # counted; its text goes in this cell
                layout = self.layout_lines(child, nested, lines_by_cell)
                out.extend(layout if layout is not None else ("\t".join(row) for row in nested.grid()))
        return out

    def read_table(self, tbl) -> tuple[Table, dict[tuple[int, int], list[str]]]:
        """The table's cells (merged cells with their spans) and each cell's lines."""
        cells: list[Cell] = []
        open_merges: dict[int, Cell] = {}
        rows = tbl.findall(_W + "tr")
        cell_lines: dict[tuple[int, int], list[str]] = {}
        for r, tr in enumerate(rows):
            col = 0
            for tc in tr.findall(_W + "tc"):
                tcpr = tc.find(_W + "tcPr")
                span = int(_val(tcpr, "gridSpan") or 1) if tcpr is not None else 1
                vmerge = tcpr.find(_W + "vMerge") if tcpr is not None else None
                lines = self.cell_text(tc)
                if vmerge is not None and vmerge.get(_W + "val") != "restart" and col in open_merges:
                    open_merges[col].rowspan += 1
                    cell_lines[(open_merges[col].row, col)].extend(s for s in lines if s.strip())
                else:
                    cell = Cell(row=r, col=col, text="", colspan=span)
                    cells.append(cell)
                    cell_lines[(r, col)] = lines
                    if vmerge is not None:
                        open_merges[col] = cell
                    else:
                        open_merges.pop(col, None)
                col += span
        for cell in cells:
            cell.text = " ".join(" ".join(s.split()) for s in cell_lines[(cell.row, cell.col)] if s.strip())
        n_cols = max((c.col + c.colspan for c in cells), default=0)
        return Table(page=self.page.number, cells=cells, n_rows=len(rows), n_cols=n_cols), cell_lines

    def layout_lines(self, tbl, table: Table, lines_by_cell) -> list[str] | None:
        """A header or signature block's lines as printed: its left half top to bottom, then its
        right half, cells of a half that share a row joined on one line (``Số:`` | ``/UBND-NC``);
        None when the table is a data table."""
        text = " ".join(" ".join(lines) for lines in lines_by_cell.values())
        filled = max((sum(1 for c in table.cells if c.row == r and c.text) for r in range(table.n_rows)), default=0)
        if table.n_rows > MAX_LAYOUT_ROWS or filled > MAX_LAYOUT_COLS or not _LAYOUT_MARKS.search(text):
            return None
        table.kind = "layout"
        middle = _grid_middle(tbl, table.n_cols)
        out: list[str] = []
        for side in (False, True):
            for r in range(table.n_rows):
                cells = sorted((c for c in table.cells if c.row == r and (c.col + c.colspan / 2 >= middle) == side),
                               key=lambda c: c.col)
                blocks = [[s for s in lines_by_cell[(c.row, c.col)] if s.strip()] for c in cells]
                blocks = [b for b in blocks if b]
                if len(blocks) > 1 and all(len(b) == 1 for b in blocks):
                    blocks = [[" ".join(b[0] for b in blocks)]]
                for block in blocks:
                    out.extend(block)
            out.append("")
        return out

    def table(self, tbl) -> None:
        table, lines_by_cell = self.read_table(tbl)
        table.page = self.page.number
        layout = self.layout_lines(tbl, table, lines_by_cell)
        if layout is not None:
            self.page.tables.append(table)
            self.page.lines.extend(text_line(s) for s in layout)
        else:
            self.page.add_table(table)

    def finish(self) -> list[PageText]:
        pages = [p for p in self.pages if p.lines or p.number == 1]
        for page in pages:
            page.lines = split_spaced_columns(page.lines)
        return pages
