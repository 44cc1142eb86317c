"""The one object that flows through every stage: ingest -> normalise -> restore -> segment ->
extract -> record (STYLE: spaCy's Doc, docling's ConversionResult)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.layout import BBox, OffsetMap, PageText, Table, WordIndex
from schemas import (
    Agency, Attached, Deadline, DocumentInfo, ErrorItem, Indicator, Reference, Section, Source, Task,
)

__all__ = ["Document", "PageText", "Table"]


@dataclass
class Document:
    path: Path
    source: Source
    pages: list[PageText] = field(default_factory=list)
    errors: list[ErrorItem] = field(default_factory=list)
    encoding: str = "unknown"
    failed: bool = False
    # set by normalise: the record's text, where each page lies in it, and for every character the
    # position in the pages' raw text it came from (kept up to date by every stage that rewrites it)
    text: str = ""
    page_spans: list[tuple[int, int]] = field(default_factory=list)
    offsets: OffsetMap | None = None
    # set by restore: what was changed, as (start, end, original, restored) in the final text
    restored: list[tuple[int, int, str, str]] = field(default_factory=list)
    quality: dict = field(default_factory=dict)
    # set by segment and the extractors
    info: DocumentInfo = field(default_factory=DocumentInfo)
    attached: list[Attached] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    body_span: tuple[int, int] = (0, 0)
    references: list[Reference] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    # set by the agencies stage: name found -> the name the document's agencies list it under
    agency_aliases: dict[str, str] | None = None
    # what a stage works out once per document for its own later calls (memos, never read by another stage)
    cache: dict = field(default_factory=dict)
    _word_index: WordIndex | None = field(default=None, repr=False)
    _bases: list[int] | None = field(default=None, repr=False)

    @property
    def page_bases(self) -> list[int]:
        """Where each page's raw text starts in the global raw positions of :attr:`offsets` (worked
        out once: the readers' pages do not change after ingestion)."""
        if self._bases is None or len(self._bases) != len(self.pages):
            bases, pos = [], 0
            for page in self.pages:
                bases.append(pos)
                pos += len(page.text) + 1
            self._bases = bases
        return self._bases

    @property
    def tables(self) -> list[Table]:
        return [t for page in self.pages for t in page.tables]

    def rewrite_text(self, new: str) -> None:
        """Replace :attr:`text`, carrying the offset map forward (line by line when lines are kept)."""
        if self.offsets is not None:
            self.offsets = self.offsets.rewrite(self.text, new)
        self.text = new

    def locate(self, start: int, end: int) -> tuple[int | None, BBox | None, list[tuple]]:
        """The page a span of :attr:`text` was printed on, the box of its words on that page, and
        the box of each line it covers (``(page, x0, y0, x1, y1)``)."""
        if self.offsets is None:
            return None, None, []
        if self._word_index is None:
            self._word_index = WordIndex.build(self.pages, self.page_bases)
        index = self._word_index
        raw_start = self.offsets.raw(start)
        raw_end = self.offsets.raw(end - 1) + 1 if end > start else raw_start
        return index.locate(raw_start, raw_end)

    def text_offset(self, raw: int) -> int:
        """The first position of :attr:`text` that came from raw position ``raw`` or after it."""
        return bisect_left(self.offsets.positions, raw) if self.offsets else 0

    def table_span(self, table: Table) -> tuple[int, int] | None:
        """Where a table's rows lie in :attr:`text`."""
        if table.lines is None or self.offsets is None:
            return None
        page = self.pages[table.page - 1]
        base = self.page_bases[table.page - 1]
        first, last = table.lines
        start = self.text_offset(base + page.line_offset(first))
        end = self.text_offset(base + page.line_offset(last) + len(page.lines[last].text))
        return (min(start, len(self.text)), min(max(start, end), len(self.text)))

    def add_error(self, stage: str, code: str, message: str, page: int | None = None, *, fatal: bool = False) -> None:
        self.errors.append(ErrorItem(stage=stage, code=code, message=message, page=page))
        self.failed = self.failed or fatal
