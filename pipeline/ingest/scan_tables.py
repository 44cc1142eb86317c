"""Ruled tables on scanned pages, found from their ruling lines (OpenCV morphology).

A scanned annex or letter prints its tables with ruling lines (``../shared/real``: the scoring table
of cv-4552's annex, the members' table of scan-skm-atvsld). Read as a page, tesseract runs a row's
cells together into one line, reads the rules as ``|`` and ``_``, and may drop a row altogether.
Here a page's horizontal rules are the thin strokes a morphological opening by a long, flat kernel
keeps (letters are shorter); three or more stacked one above the other are a table's rows. Its
columns are the columns of pixels that ink covers from one rule to the next, row by row, and a cell
spans the rows or columns whose rule between them is missing (a merged cell). The rules are then
erased from the image tesseract reads, so that each word is read in its cell's open space, and every
word is placed in the cell its centre falls in (the page is read once, not cell by cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from PIL import Image

from pipeline.layout import BBox, Cell, Table, Word

# Pages are looked at for rules at about this resolution (dpi): a rule is still a line there, and
# a 250-dpi page takes a sixth of the time.
WORK_DPI = 100
# Horizontal strokes shorter than this (inches) are letters or underlines, not rules; a rule that
# bounds a table row runs at least across its narrowest column ("Stt", about a third of an inch).
MIN_RULE = 0.3
# A table's rules run at least this long (inches), and a table is at least two rules apart.
MIN_TABLE_WIDTH = 1.0
# Rules closer than this (inches) are one rule printed thick or scanned double.
SAME_RULE = 0.06
# A rule is at most this thick on average (inches, as found: thickened by two pixels); a word
# whose letters a faint threshold runs together is as thick as its letters are tall.
RULE_THICKNESS = 0.05
# Pieces of a rule at one height this far apart (inches) are one rule a faint scan broke, if
# they ink this share of its length.
RULE_GAP = 1.5
RULE_INKED = 0.6
# A rule inside a table that does not cross it (under a header cell spanning columns) runs under
# one column at least, half an inch.
MIN_INNER_RULE = 0.5
# Ink solid over a square this big (inches) is no line: the dark margin outside a scanned sheet,
# a filled box. It is ignored.
SOLID = 0.08
# Two rules one above the other bound a row of the same table when they are at most this far apart
# (inches: a cell of a dozen lines) and overlap by this share of the shorter one.
MAX_ROW_HEIGHT = 3.0
SAME_TABLE = 0.5
# In a row, a column of pixels is a vertical rule where ink covers this share of the row's height
# (a scanned rule has breaks; a letter's stroke covers half of a one-line row at most).
RULE_INK = 0.85
# Ink is what is darker than the paper by this many grey levels, within these bounds.
PAPER_MARGIN = 25
RULE_INK_MIN, RULE_INK_MAX = 100, 230
# Vertical strokes shorter than this (inches) are letters; a row is at least a line of text tall.
MIN_RULE_DOWN = 0.15
# A rule between two grid cells separates them when it covers this share of their common side.
SEPARATES = 0.6


@dataclass
class Rule:
    at: float  # y of a horizontal rule, x of a vertical one (pixels)
    start: float
    end: float


@dataclass
class Grid:
    """A ruled table found on a page image: its rules' positions and its cells, in the frame of
    the page turned straight by ``skew`` degrees (pixels)."""

    ys: list[float]
    xs: list[float]
    cells: list[tuple[int, int, int, int]]  # row, col, rowspan, colspan
    skew: float = 0.0
    size: tuple[int, int] = (0, 0)  # the page's (width, height)

    @cached_property
    def _turns(self) -> tuple[np.ndarray, np.ndarray]:
        """The page's turn straight (by minus the skew) and back, as 2×3 affine matrices."""
        centre = (self.size[0] / 2, self.size[1] / 2)
        return cv2.getRotationMatrix2D(centre, -self.skew, 1.0), cv2.getRotationMatrix2D(centre, self.skew, 1.0)

    def straight(self, x: float, y: float) -> tuple[float, float]:
        """A point of the page as filed, in the straightened frame the grid is in."""
        if not self.skew:
            return x, y
        m = self._turns[0]
        return m[0, 0] * x + m[0, 1] * y + m[0, 2], m[1, 0] * x + m[1, 1] * y + m[1, 2]

    def on_page(self, box: BBox) -> BBox:
        """A box of the straightened frame on the page as filed (the box around its turned corners)."""
        if not self.skew:
            return box
        m = self._turns[1]
        corners = np.array([[box[0], box[1], 1], [box[2], box[1], 1], [box[0], box[3], 1], [box[2], box[3], 1]])
        xs, ys = corners @ m[0], corners @ m[1]
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())

    @property
    def straight_bbox(self) -> BBox:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    @property
    def bbox(self) -> BBox:
        return self.on_page(self.straight_bbox)

    def cell_box(self, row: int, col: int, rowspan: int, colspan: int) -> BBox:
        return self.xs[col], self.ys[row], self.xs[col + colspan], self.ys[row + rowspan]

    def holds(self, word: Word) -> bool:
        """Whether the word's centre lies inside the table."""
        x, y = self.straight((word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2)
        x0, y0, x1, y1 = self.straight_bbox
        return x0 <= x <= x1 and y0 <= y <= y1


def find_grids(grey: Image.Image, dpi: float, skew: float = 0.0) -> tuple[list[Grid], np.ndarray | None]:
    """The ruled tables on a grey page image whose lines rise by ``skew`` degrees, and a mask of
    their rules on the page (None when there is none).

    The page is looked at shrunk to about WORK_DPI, its ink turned straight (a rule across a page
    skewed by 0.7° drifts by a sixth of an inch). Horizontal rules are found by a morphological
    opening, the pieces a faint scan breaks them into joined; a stack of at least three that overlap
    is a table's rows. Vertical rules are found row by row, from the columns of pixels that ink
    covers from the row's top rule to its bottom one."""
    factor = max(1, int(dpi // WORK_DPI))
    small = grey.reduce(factor) if factor > 1 else grey
    work = dpi / factor
    pixels = np.asarray(small)
    # a rule is printed thin and scanned faint: anything darker than the paper by a little is ink
    # (the paper's level is the page's median; Otsu's threshold, pulled down by a scan's dark
    # margins, loses half of a faint rule)
    paper = float(np.median(pixels[::2, ::2]))
    ink = ((pixels < min(RULE_INK_MAX, max(RULE_INK_MIN, paper - PAPER_MARGIN))) * 255).astype(np.uint8)
    solid = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((_px(SOLID, work),) * 2, np.uint8))
    if solid.any():
        ink = cv2.bitwise_and(ink, cv2.bitwise_not(cv2.dilate(solid, np.ones((3, 3), np.uint8))))
    height, width = ink.shape
    if skew:
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0)
        ink = cv2.warpAffine(ink, turn, (width, height), flags=cv2.INTER_NEAREST, borderValue=0)
    across = _strokes(ink, (_px(MIN_RULE, work), 1))
    stacks = _stacks(_horizontal_rules(across, work), work)
    if not stacks:
        return [], None
    wide = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    grids: list[Grid] = []
    mask = np.zeros_like(ink)
    for stack in stacks:
        grid = _grid(stack, wide, work)
        if grid is None:
            continue
        x0, y0, x1, y1 = (round(v) for v in grid.straight_bbox)
        pad = _px(SAME_RULE, work)
        region = (slice(max(0, y0 - pad), y1 + pad + 1), slice(max(0, x0 - pad), x1 + pad + 1))
        down = _strokes(ink[region], (1, _px(MIN_RULE_DOWN, work)))
        mask[region] = cv2.bitwise_or(mask[region], cv2.bitwise_and(cv2.bitwise_or(across[region], down), ink[region]))
        grid.ys, grid.xs = [y * factor for y in grid.ys], [x * factor for x in grid.xs]
        grid.skew, grid.size = skew, grey.size
        grids.append(grid)
    if not grids:
        return [], None
    if skew:
        back = cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0)
        mask = cv2.warpAffine(mask, back, (width, height), flags=cv2.INTER_NEAREST, borderValue=0)
    if factor > 1:
        mask = cv2.resize(mask, grey.size, interpolation=cv2.INTER_NEAREST)
    return grids, mask


def erase(grey: Image.Image, mask: np.ndarray) -> Image.Image:
    """The page with its tables' rules painted over in white (grown by a pixel: scanned rules are
    ragged), so that tesseract reads only the words between them."""
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    pixels = np.asarray(grey).copy()
    pixels[grown > 0] = 255
    return Image.fromarray(pixels)


def fill(grid: Grid, words: list[Word], page: int) -> Table:
    """The table with each word in the cell its centre falls in, read line by line within it."""
    boxes = [grid.cell_box(*cell) for cell in grid.cells]
    placed: list[list[Word]] = [[] for _ in boxes]
    for word in words:
        x, y = grid.straight((word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2)
        for k, box in enumerate(boxes):
            if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
                placed[k].append(word)
                break
    cells = [Cell(row=r, col=c, rowspan=rs, colspan=cs, text=_cell_text(inside), bbox=grid.on_page(box))
             for (r, c, rs, cs), box, inside in zip(grid.cells, boxes, placed)]
    return Table(page=page, cells=cells, n_rows=len(grid.ys) - 1, n_cols=len(grid.xs) - 1, bbox=grid.bbox)


def _cell_text(words: list[Word]) -> str:
    """A cell's words in reading order: lines top to bottom (words whose middles are within half a
    word's height of each other share a line), each left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        middle, height = (word.bbox[1] + word.bbox[3]) / 2, word.bbox[3] - word.bbox[1]
        if lines and abs(middle - (lines[-1][-1].bbox[1] + lines[-1][-1].bbox[3]) / 2) < height / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return " ".join(w.text for line in lines for w in sorted(line, key=lambda w: w.bbox[0]))


def _strokes(ink: np.ndarray, length: tuple[int, int]) -> np.ndarray:
    """The ink on straight strokes at least ``length`` long, across (``(n, 1)``) or down
    (``(1, n)``). A scanned rule wanders by a pixel or two, so the ink is first thickened across
    the stroke's direction: the rule then holds a straight run of pixels, and letters, whose gaps
    are along it, still do not."""
    across = length[1] == 1
    thick = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3) if across else (3, 1)))
    return cv2.morphologyEx(thick, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, length))


def _px(inches: float, dpi: float) -> int:
    return max(1, round(inches * dpi))


def _horizontal_rules(across: np.ndarray, dpi: float) -> list[Rule]:
    """The horizontal rules: thin strokes at least MIN_RULE long, the pieces of one rule (at one
    height, at most RULE_GAP apart) joined. Strokes along the image's top or bottom edge are
    the scanned sheet's edge, not a rule."""
    pieces = []
    count, _, stats, _ = cv2.connectedComponentsWithStats(across, connectivity=8)
    edge = _px(0.05, dpi)
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if w >= MIN_RULE * dpi and area / w <= RULE_THICKNESS * dpi and edge <= y and y + h <= across.shape[0] - edge:
            pieces.append(Rule(at=y + h / 2, start=float(x), end=float(x + w)))
    rules: list[Rule] = []
    inked: list[float] = []
    for piece in sorted(pieces, key=lambda r: r.start):
        for k, rule in enumerate(rules):
            if abs(rule.at - piece.at) <= SAME_RULE * dpi and piece.start - rule.end <= RULE_GAP * dpi:
                inked[k] += piece.end - max(piece.start, rule.end) if piece.end > rule.end else 0.0
                rule.end = max(rule.end, piece.end)
                break
        else:
            rules.append(Rule(piece.at, piece.start, piece.end))
            inked.append(piece.end - piece.start)
    # pieces joined over more gap than ink are strokes that happen to line up (letters' serifs
    # along a baseline), not a broken rule
    return [r for r, ink in zip(rules, inked) if ink >= RULE_INKED * (r.end - r.start)]


def _stacks(rules: list[Rule], dpi: float) -> list[list[Rule]]:
    """The rules grouped into tables: each table's rules, top to bottom. A table is bounded by
    rules at least MIN_TABLE_WIDTH long; shorter rules between them (under a merged header) join it."""
    long = sorted((r for r in rules if r.end - r.start >= MIN_TABLE_WIDTH * dpi), key=lambda r: r.at)
    stacks: list[list[Rule]] = []
    for rule in long:
        if stacks:
            last = stacks[-1][-1]
            overlap = min(last.end, rule.end) - max(last.start, rule.start)
            shorter = min(last.end - last.start, rule.end - rule.start)
            if rule.at - last.at <= MAX_ROW_HEIGHT * dpi and overlap >= SAME_TABLE * shorter:
                stacks[-1].append(rule)
                continue
        stacks.append([rule])
    tables = []
    for stack in stacks:
        if len(_positions(stack, SAME_RULE * dpi)) < 3:
            continue
        top, bottom = stack[0].at, stack[-1].at
        left, right = min(r.start for r in stack), max(r.end for r in stack)
        inner = [r for r in rules if r not in stack and top < r.at < bottom and r.end - r.start >= MIN_INNER_RULE * dpi
                 and r.start >= left - SAME_RULE * dpi and r.end <= right + SAME_RULE * dpi]
        tables.append(sorted(stack + inner, key=lambda r: r.at))
    return tables


def _vertical_rules(wide: np.ndarray, ys: list[float], left: float, right: float, dpi: float) -> list[Rule]:
    """In each row (between two rules), the columns of pixels that ink covers from the row's top
    rule to its bottom one (``wide``: the ink thickened sideways by a pixel, as a scanned rule
    wanders), as rules the row tall. A letter's stroke does not run from rule to rule."""
    found = []
    margin = _px(SAME_RULE, dpi)
    x0, x1 = max(0, round(left) - margin), min(wide.shape[1], round(right) + margin + 1)
    for top, bottom in zip(ys, ys[1:]):
        a, b = round(top), round(bottom)
        if b - a < 3:
            continue
        share = (wide[a:b, x0:x1] > 0).mean(axis=0)
        columns = np.flatnonzero(share >= RULE_INK)
        if not len(columns):
            continue
        breaks = np.flatnonzero(np.diff(columns) > 1)  # runs of neighbouring columns are one rule
        for run in np.split(columns, breaks + 1):
            found.append(Rule(at=x0 + float(run.mean()), start=float(top), end=float(bottom)))
    return found


def _positions(rules: list[Rule], tolerance: float) -> list[float]:
    """The distinct positions of rules, those within ``tolerance`` of each other taken as one."""
    groups: list[list[float]] = []
    for at in sorted(r.at for r in rules):
        if groups and at - groups[-1][-1] <= tolerance:
            groups[-1].append(at)
        else:
            groups.append([at])
    return [sum(g) / len(g) for g in groups]


def _covers(rules: list[Rule], at: float, start: float, end: float, tolerance: float) -> bool:
    """Whether the rules at position ``at`` cover ``SEPARATES`` of the stretch start-end."""
    covered = sum(max(0.0, min(r.end, end) - max(r.start, start)) for r in rules if abs(r.at - at) <= tolerance)
    return covered >= SEPARATES * (end - start)


def _grid(stack: list[Rule], wide: np.ndarray, dpi: float) -> Grid | None:
    """The table a stack of horizontal rules bounds: its columns, and its cells with their spans
    (a cell spans the grid cells no rule separates)."""
    tolerance = SAME_RULE * dpi
    ys = _positions(stack, tolerance)
    left, right = min(r.start for r in stack), max(r.end for r in stack)
    down = _vertical_rules(wide, ys, left, right, dpi)
    xs = _positions(down, tolerance)
    # rows at the top or bottom not closed by a rule on both sides are not the table's (a
    # heading's underline above it, a signature's line below)
    closed = [bool(xs) and _covers(down, xs[0], a, b, tolerance) and _covers(down, xs[-1], a, b, tolerance)
              for a, b in zip(ys, ys[1:])]
    while closed and not closed[0]:
        closed.pop(0)
        ys.pop(0)
    while closed and not closed[-1]:
        closed.pop()
        ys.pop()
    down = [r for r in down if ys and ys[0] - tolerance <= r.start and r.end <= ys[-1] + tolerance]
    xs = _positions(down, tolerance)
    if len(ys) < 3 or len(xs) < 3:
        return None
    rows, cols = len(ys) - 1, len(xs) - 1
    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covers(down, xs[c + 1], ys[r], ys[r + 1], tolerance):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not _covers(stack, ys[r + 1], xs[c], xs[c + 1], tolerance):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    cells = []
    for members in groups.values():
        top, first = min(m[0] for m in members), min(m[1] for m in members)
        bottom, last = max(m[0] for m in members), max(m[1] for m in members)
        cells.append((top, first, bottom - top + 1, last - first + 1))
    if len(cells) < 4:  # a box or two around text, not a table
        return None
    return Grid(ys=ys, xs=xs, cells=sorted(cells))
