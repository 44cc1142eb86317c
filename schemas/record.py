"""The record: one JSON object per input document (SPEC §4).

These models are the single source of the contract; ``kehoach schema`` exports them.
Every ``span`` indexes into ``Record.text``; :func:`Record` checks that on construction.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.0"

Status = Literal["ok", "partial", "failed"]
PageMethod = Literal["text", "pdf_text", "ocr"]
InputForm = Literal["clean", "stripped", "ocr_noisy", "mixed", "empty"]
# how restoration read a page: the document's form, or ocr_vie for a page tesseract vie read in this run
PageForm = Literal["clean", "stripped", "ocr_noisy", "mixed", "empty", "ocr_vie"]
DeadlineKind = Literal[
    "date", "before_date", "month", "quarter", "year", "from_year_onward", "period", "recurring", "relative"
]
Operator = Literal[">", ">=", "<", "<=", "=", "range", "increase", "decrease", "maintain"]
AgencyKind = Literal[
    "party", "state_central", "ministry", "people_committee", "people_council", "department", "office",
    "police", "military", "mass_organisation", "press", "health_facility", "school", "steering_committee",
    "other",
]

Span = tuple[int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: str
    size_bytes: int = Field(ge=0)


class ErrorItem(_Model):
    stage: str
    code: str
    message: str
    page: int | None = None


BBox = tuple[float, float, float, float]


class Page(_Model):
    number: int = Field(ge=1)
    method: PageMethod
    chars: int = Field(ge=0)
    ocr_confidence: float | None = Field(default=None, ge=0, le=100)
    span: Span | None = Field(default=None, description="where this page's text lies in the record's text")
    width: float | None = Field(default=None, description="PDF points, or pixels for an image")
    height: float | None = None
    dpi: float | None = Field(default=None, description="the resolution the page was OCR'd at")


class Located(_Model):
    """Where an item was printed (SPEC §4.1): its page and the box of the words its span covers on
    that page, in the page's units; ``boxes`` has one ``[page, x0, y0, x1, y1]`` per line it covers."""

    page: int | None = Field(default=None, ge=1)
    bbox: BBox | None = None
    boxes: list[tuple[int, float, float, float, float]] = []


class Restored(_Model):
    span: Span
    original: str
    restored: str


class Table(_Model):
    page: int = Field(ge=1)
    bbox: BBox | None = None
    kind: Literal["data", "layout"] = "data"
    span: Span | None = Field(default=None, description="where its rows lie in the record's text (TAB between cells)")
    header: list[str] = []
    rows: list[list[str]] = Field(default=[], description="cell texts; a merged cell's text stands in its first cell")
    cells: list[dict] = Field(default=[], description="row, col, rowspan, colspan, text of every cell")


class Quality(_Model):
    model_config = ConfigDict(extra="allow")
    input_form: InputForm
    encoding: str
    restored_tokens: int = 0
    page_forms: list[PageForm] = Field(default=[], description=(
        "per page, how restoration read it: the document's input_form, or ocr_vie for a page OCR'd "
        "with tesseract vie in this run (corrected with the vie channel)"))
    restored: list[Restored] = Field(default=[], description="each word restoration changed")
    plausibility: float | None = Field(default=None, ge=0, le=1, description="share of valid Vietnamese syllables")


class Signer(_Model):
    name: str | None = None
    position: str | None = None
    authority: str | None = None


class DocumentInfo(_Model):
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = Field(default=None, description="the printed symbol after the number, e.g. /KH-UBND")
    year: int | None = None
    month: int | None = None
    issuer: str | None = None
    place: str | None = None
    date: dt.date | None = None
    title: str | None = None
    signer: Signer | None = None
    recipients: list[str] = []
    subject: str | None = Field(default=None, description="a letter's V/v line, without V/v")
    addressees: list[str] = Field(default=[], description="the Kính gửi list")


class Attached(_Model):
    doc_type: str
    title: str | None = None
    section: str | None = Field(default=None, description="the id of the attached plan's first section")


class Section(Located):
    id: str
    parent: str | None
    level: int = Field(ge=1)
    label: str | None
    title: str | None
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    inferred: bool = Field(default=False, description="heading missing from the text, implied by the numbering")


class Reference(Located):
    text: str
    span: Span
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    normalized_id: str | None = None
    title: str | None = None


class Mention(Located):
    span: Span
    surface: str


class Agency(_Model):
    name: str
    kind: AgencyKind
    mentions: list[Mention] = []


class Task(Located):
    id: str
    section: str | None = Field(description="the section id; None for a sentence of a letter without numbered items")
    text: str
    span: Span
    lead: list[str] = []
    support: list[str] = []
    deadline: str | None = None
    source: Literal["outline", "table", "sentence"] = "outline"
    lead_text: str | None = Field(default=None, description="a table's lead cell that names no agency")
    product: str | None = None
    monitor: str | None = None


class Indicator(Located):
    text: str
    span: Span
    name: str | None = None
    operator: Operator
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    target_year: int | None = None


class Deadline(Located):
    text: str
    span: Span
    kind: DeadlineKind
    start: dt.date | None = None
    end: dt.date | None = None
    recurrence: str | None = None
    task: str | None = None


class Record(_Model):
    schema_version: Literal["1.0"] = SCHEMA_VERSION
    source: Source
    status: Status
    errors: list[ErrorItem] = []
    pages: list[Page] = []
    quality: Quality
    text: str = ""
    document: DocumentInfo = DocumentInfo()
    attached: list[Attached] = []
    tables: list[Table] = []
    sections: list[Section] = []
    references: list[Reference] = []
    agencies: list[Agency] = []
    tasks: list[Task] = []
    indicators: list[Indicator] = []
    deadlines: list[Deadline] = []

    @model_validator(mode="after")
    def _spans_inside_text(self) -> Record:
        n = len(self.text)

        def check(span: Span, what: str) -> None:
            start, end = span
            if not 0 <= start <= end <= n:
                raise ValueError(f"{what} span {span} is outside text of length {n}")

        for table in self.tables:
            if table.span is not None:
                check(table.span, f"table on page {table.page}")
        for page in self.pages:
            if page.span is not None:
                check(page.span, f"page {page.number}")
        for section in self.sections:
            check((section.start, section.end), f"section {section.id}")
        for item in [*self.references, *self.tasks, *self.indicators, *self.deadlines]:
            check(item.span, type(item).__name__.lower())
        for agency in self.agencies:
            for mention in agency.mentions:
                check(mention.span, f"agency {agency.name!r}")
        if self.status == "failed" and not self.errors:
            raise ValueError("a failed record must say why in errors")
        return self
