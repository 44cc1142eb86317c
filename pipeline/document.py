"""The one object that flows through every stage: ingest -> normalise -> restore -> segment ->
extract -> record (STYLE: spaCy's Doc, docling's ConversionResult)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from schemas import (
    Agency, Deadline, DocumentInfo, ErrorItem, Indicator, Reference, Section, Source, Task,
)


@dataclass
class PageText:
    """One page as a reader produced it, before normalisation."""

    number: int
    text: str
    method: str  # "text" | "pdf_text" | "ocr"
    confidence: float | None = None


@dataclass
class Document:
    path: Path
    source: Source
    pages: list[PageText] = field(default_factory=list)
    errors: list[ErrorItem] = field(default_factory=list)
    encoding: str = "unknown"
    failed: bool = False
    # set by normalise: the record's text and where each page lies in it
    text: str = ""
    page_spans: list[tuple[int, int]] = field(default_factory=list)
    quality: dict = field(default_factory=dict)
    # set by segment and the extractors
    info: DocumentInfo = field(default_factory=DocumentInfo)
    sections: list[Section] = field(default_factory=list)
    body_span: tuple[int, int] = (0, 0)
    references: list[Reference] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    # what a stage works out once per document for the stages after it (e.g. its localities)
    cache: dict = field(default_factory=dict)

    def add_error(self, stage: str, code: str, message: str, page: int | None = None, *, fatal: bool = False) -> None:
        self.errors.append(ErrorItem(stage=stage, code=code, message=message, page=page))
        self.failed = self.failed or fatal
