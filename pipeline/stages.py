"""The pipeline, in order, in one place (STYLE: spaCy's factories). A stage is ``(doc) -> doc``.

    ingest -> normalise -> restore -> segment -> extractors -> record

``process_file`` runs it on one file and always returns a validated ``Record``: bad input
becomes an error record, never an exception.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from extractors.agencies import extract_agencies
from extractors.deadlines import extract_deadlines
from extractors.indicators import extract_indicators
from extractors.references import extract_references
from extractors.tasks import extract_tasks
from pipeline.document import Document
from pipeline.errors import DocumentError, MissingDependency, TextTooLong, UnreadableFile, UsageError, one_line
from pipeline.ingest import READERS, choose_reader
from pipeline.limits import Limits
from pipeline.normalize import normalise
from pipeline.restore import restore_stage
from pipeline.segment import segment
from schemas import Page, Quality, Record, Restored, Section, Source
from schemas import Table as TableModel

Stage = Callable[[Document], Document]
# The content hash of a file that could not be read: none is known (the schema wants 64 hex digits).
UNKNOWN_SHA256 = "0" * 64


@dataclass(frozen=True)
class StageSpec:
    """A stage and its contract (spaCy's ``Language.factory(requires=, assigns=)``): the Document
    attributes it reads, which an earlier stage (or ingest) must have set, and those it sets."""

    name: str
    func: Stage
    requires: frozenset[str]
    assigns: frozenset[str]


def _spec(name: str, func: Stage, requires: tuple[str, ...], assigns: tuple[str, ...]) -> StageSpec:
    return StageSpec(name, func, frozenset(requires), frozenset(assigns))


# What ingestion sets before any stage runs.
INGEST_ASSIGNS = frozenset({"pages", "source", "encoding"})
STAGES: dict[str, StageSpec] = {s.name: s for s in [
    _spec("normalise", normalise, ("pages",), ("text", "offsets", "page_spans", "quality")),
    _spec("restore", restore_stage, ("text", "quality"), ("text", "restored")),
    _spec("segment", segment, ("text",), ("info", "sections", "attached", "body_span")),
    _spec("agencies", extract_agencies, ("text", "info"), ("agencies", "agency_aliases")),
    _spec("references", extract_references, ("text", "info"), ("references",)),
    _spec("tasks", extract_tasks, ("text", "sections", "agencies", "agency_aliases"), ("tasks",)),
    _spec("deadlines", extract_deadlines, ("text", "info", "tasks"), ("deadlines",)),
    _spec("indicators", extract_indicators, ("text", "sections"), ("indicators",)),
]}
DEFAULT_PIPELINE = ["normalise", "restore", "segment", "agencies", "references", "tasks", "deadlines", "indicators"]


def build_pipeline(names: list[str] | None = None) -> list[StageSpec]:
    """The stages named, in order, each checked against its contract: an unknown name, or a stage
    placed before the one that sets what it reads, is a usage error (exit 2) before any work."""
    available = set(INGEST_ASSIGNS)
    built: list[StageSpec] = []
    for name in names or DEFAULT_PIPELINE:
        if name not in STAGES:
            raise UsageError(f"unknown stage {name!r}; known stages: {', '.join(STAGES)}")
        spec = STAGES[name]
        missing = spec.requires - available
        if missing:
            setters = sorted({s.name for s in STAGES.values() if s.assigns & missing})
            raise UsageError(f"stage {name!r} reads {', '.join(sorted(missing))}, which no stage before it sets; "
                             f"put {' or '.join(setters) or 'the stage that sets it'} before {name!r}")
        available |= spec.assigns
        built.append(spec)
    return built


def ingest(path: Path, options: dict, data: bytes | None = None) -> Document:
    try:
        data = path.read_bytes() if data is None else data
    except OSError as exc:
        return _unreadable(path, exc)
    source = Source(path=str(path), sha256=hashlib.sha256(data).hexdigest(), media_type="application/octet-stream",
                    size_bytes=len(data))
    doc = Document(path=path, source=source)
    try:
        kind, media_type, mismatch = choose_reader(path, data)
        doc.source.media_type = media_type
        if mismatch:
            doc.add_error("ingest", "extension_mismatch", mismatch)
        result = READERS[kind](path, data, options)
        limit = Limits.from_options(options).max_chars
        if sum(len(p.text) for p in result.pages) > limit:
            raise TextTooLong(f"the document's text is over {limit} characters, the limit (--max-chars)")
    except DocumentError as exc:
        doc.add_error(exc.stage, exc.code, one_line(exc), exc.page, fatal=True)
        return doc
    except MissingDependency as exc:
        doc.add_error("ingest", "missing_dependency", one_line(exc), fatal=True)
        return doc
    except MemoryError:
        doc.add_error("ingest", "out_of_memory", OUT_OF_MEMORY, fatal=True)
        return doc
    except Exception as exc:  # noqa: BLE001 - a reader's defect on this file: this document fails, the batch goes on
        doc.add_error("ingest", "internal_error", f"internal error reading the file: {type(exc).__name__}: "
                      f"{one_line(exc)}", fatal=True)
        return doc
    doc.pages = result.pages
    doc.encoding = result.encoding
    for code, message, page in result.warnings:
        doc.add_error("ingest", code, one_line(message), page)
    if not any(p.text.strip() for p in doc.pages):
        doc.add_error("ingest", "no_text", "no text found in the document (blank pages or an image without text)",
                      fatal=True)
    return doc


def _unreadable(path: Path, exc: OSError) -> Document:
    """The record of a file that is listed but cannot be read (permission, an I/O error)."""
    doc = Document(path=path, source=Source(path=str(path), sha256=UNKNOWN_SHA256,
                                            media_type="application/octet-stream", size_bytes=0))
    doc.add_error("ingest", UnreadableFile.code, f"cannot read the file: {one_line(exc.strerror or exc)}", fatal=True)
    return doc


def to_record(doc: Document) -> Record:
    pages = [
        Page(number=p.number, method=p.method, chars=len(p.text),
             ocr_confidence=None if p.confidence is None else round(p.confidence, 2),
             span=doc.page_spans[i] if i < len(doc.page_spans) else None,
             width=p.width, height=p.height, dpi=p.dpi)
        for i, p in enumerate(doc.pages)
    ]
    restored = [Restored(span=(s, e), original=o, restored=r) for s, e, o, r in doc.restored]
    quality = Quality(**{"input_form": "empty", "encoding": doc.encoding, **doc.quality, "restored": restored})
    status = "failed" if doc.failed else ("partial" if doc.errors else "ok")
    for item in [*doc.sections, *doc.references, *doc.tasks, *doc.indicators, *doc.deadlines,
                 *(m for a in doc.agencies for m in a.mentions)]:
        start, end = (item.start, item.end) if isinstance(item, Section) else item.span
        if isinstance(item, Section):
            end = min(end, start + 200)  # a section's heading, not its whole body
        item.page, item.bbox, item.boxes = doc.locate(start, end)
    return Record(
        source=doc.source, status=status, errors=doc.errors, pages=pages, quality=quality, text=doc.text,
        document=doc.info, attached=doc.attached, tables=[_table(doc, t) for t in doc.tables],
        sections=doc.sections, references=doc.references, agencies=doc.agencies,
        tasks=doc.tasks, indicators=doc.indicators, deadlines=doc.deadlines,
    )


def _table(doc: Document, table) -> TableModel:
    rows = table.grid()
    return TableModel(
        page=table.page, bbox=table.bbox, kind=table.kind, span=doc.table_span(table),
        header=rows[0] if rows and table.header_rows else [], rows=rows,
        cells=[{"row": c.row, "col": c.col, "rowspan": c.rowspan, "colspan": c.colspan, "text": c.text}
               for c in table.cells],
    )


# Python's own MemoryError: an allocation refused (a ulimit, an address-space limit), not --max-memory's kill
OUT_OF_MEMORY = "the process ran out of memory on this document (an allocation was refused)"


def failed_record(path: Path, sha256: str, size: int, code: str, message: str, stage: str = "run") -> Record:
    """The record of a document that never came back from its worker (timeout, crash)."""
    source = Source(path=str(path), sha256=sha256, media_type="application/octet-stream", size_bytes=size)
    doc = Document(path=Path(path), source=source)
    doc.add_error(stage, code, message, fatal=True)
    return to_record(doc)


def process_file(path: Path, options: dict | None = None, pipeline: list[str] | None = None,
                 data: bytes | None = None) -> Record:
    """The record of one file. ``data``: its bytes, when the caller has them (a Dask worker on
    another machine cannot read the path)."""
    options = options or {}
    stages = build_pipeline(pipeline or options.get("stages"))
    doc = ingest(Path(path), options, data)
    if not doc.failed:
        for spec in stages:
            try:
                doc = spec.func(doc)
            except MemoryError:
                doc.add_error(spec.name, "out_of_memory", OUT_OF_MEMORY, fatal=True)
                break
            except Exception as exc:  # a defect of ours on this input: record it, keep the rest
                doc.add_error(spec.name, "internal_error", f"internal error in stage {spec.name}: "
                              f"{type(exc).__name__}: {one_line(exc)}")
    try:
        return to_record(doc)
    except ValidationError as exc:
        # a defect of ours, not the input's: keep the document in the batch, say what broke
        first = exc.errors()[0]
        message = f"internal error: record failed validation at {first['loc']}: {first['msg']}"
        failed = Document(path=doc.path, source=doc.source, encoding=doc.encoding)
        failed.add_error("record", "internal_error", message, fatal=True)
        return to_record(failed)
