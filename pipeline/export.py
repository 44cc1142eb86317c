"""``kehoach export``: the batch as a workbook (openpyxl) or CSV files, one sheet per field, and as a
spaCy ``DocBin`` for people who train span or entity models on the records.

The columns are stable and documented in ``docs/export.md``: every item row starts with the
document's name in OUT, its number and its file, and ends with the item's page, its character span
and a link to the item on the review site (``OUT/review``). Dates are date cells in the workbook and
ISO dates in the CSV files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.batch import Entry
from pipeline.graph import build_links, number_key
from pipeline.review import _page_name
from pipeline.store import write_atomic


@dataclass(frozen=True)
class Column:
    name: str
    width: int  # characters, for the workbook
    get: Callable  # (entry, item) -> value


def _join(values) -> str:
    return "; ".join(v for v in values if v)


_LEAD = [
    Column("document", 24, lambda e, _: e.name),
    Column("number", 18, lambda e, _: e.record.document.number),
    Column("file", 30, lambda e, _: e.record.source.path),
]


def _tail() -> list[Column]:
    return [
        Column("page", 6, lambda e, item: item.page),
        Column("span_start", 10, lambda e, item: item.span[0] if hasattr(item, "span") else item.start),
        Column("span_end", 10, lambda e, item: item.span[1] if hasattr(item, "span") else item.end),
        Column("link", 16, None),  # filled per row: needs the item's index
    ]


DOCUMENT_COLUMNS = [
    Column("document", 24, lambda e, _: e.name),
    Column("file", 30, lambda e, _: e.record.source.path),
    Column("status", 8, lambda e, _: e.record.status),
    Column("doc_type", 12, lambda e, _: e.record.document.doc_type),
    Column("number", 18, lambda e, _: e.record.document.number),
    Column("symbol", 14, lambda e, _: e.record.document.symbol),
    Column("date", 11, lambda e, _: e.record.document.date),
    Column("place", 14, lambda e, _: e.record.document.place),
    Column("issuer", 34, lambda e, _: e.record.document.issuer),
    Column("title", 60, lambda e, _: e.record.document.title),
    Column("subject", 40, lambda e, _: e.record.document.subject),
    Column("signer", 22, lambda e, _: (e.record.document.signer.name if e.record.document.signer else None)),
    Column("signer_position", 18, lambda e, _: (e.record.document.signer.position if e.record.document.signer else None)),
    Column("pages", 6, lambda e, _: len(e.record.pages)),
    Column("read_as", 12, lambda e, _: _join(sorted({p.method for p in e.record.pages}))),
    Column("input_form", 10, lambda e, _: e.record.quality.input_form),
    *(Column(field, 9, lambda e, _, f=field: len(getattr(e.record, f)))
      for field in ("sections", "tasks", "references", "agencies", "indicators", "deadlines")),
    Column("errors", 40, lambda e, _: _join(f"{x.code}: {x.message}" for x in e.record.errors)),
    Column("link", 16, None),
]

SHEETS: dict[str, list[Column]] = {
    "documents": DOCUMENT_COLUMNS,
    "tasks": [*_LEAD,
              Column("id", 10, lambda e, t: t.id),
              Column("section", 9, lambda e, t: t.section),
              Column("task", 80, lambda e, t: t.text),
              Column("lead", 34, lambda e, t: _join(t.lead)),
              Column("lead_text", 24, lambda e, t: t.lead_text),
              Column("support", 40, lambda e, t: _join(t.support)),
              Column("deadline", 24, lambda e, t: t.deadline),
              Column("product", 30, lambda e, t: t.product),
              Column("monitor", 24, lambda e, t: t.monitor),
              Column("source", 9, lambda e, t: t.source),
              *_tail()],
    "indicators": [*_LEAD,
                   Column("name", 50, lambda e, i: i.name),
                   Column("text", 60, lambda e, i: i.text),
                   Column("operator", 10, lambda e, i: i.operator),
                   Column("value", 9, lambda e, i: i.value),
                   Column("value_max", 9, lambda e, i: i.value_max),
                   Column("unit", 12, lambda e, i: i.unit),
                   Column("target_year", 10, lambda e, i: i.target_year),
                   *_tail()],
    "deadlines": [*_LEAD,
                  Column("text", 40, lambda e, d: d.text),
                  Column("kind", 10, lambda e, d: d.kind),
                  Column("start_date", 11, lambda e, d: d.start),
                  Column("end_date", 11, lambda e, d: d.end),
                  Column("recurrence", 14, lambda e, d: d.recurrence),
                  Column("task", 10, lambda e, d: d.task),
                  *_tail()],
    "references": [*_LEAD,
                   Column("normalized_id", 20, lambda e, r: r.normalized_id),
                   Column("doc_type", 12, lambda e, r: r.doc_type),
                   Column("ref_date", 11, lambda e, r: r.date),
                   Column("ref_issuer", 30, lambda e, r: r.issuer),
                   Column("title", 50, lambda e, r: r.title),
                   Column("text", 50, lambda e, r: r.text),
                   Column("in_batch", 20, None),  # the batch document it cites (the graph's link)
                   *_tail()],
    "agencies": [*_LEAD,
                 Column("name", 40, lambda e, a: a.name),
                 Column("kind", 12, lambda e, a: a.kind),
                 Column("mentions", 9, lambda e, a: len(a.mentions)),
                 Column("page", 6, lambda e, a: a.mentions[0].page if a.mentions else None),
                 Column("span_start", 10, lambda e, a: a.mentions[0].span[0] if a.mentions else None),
                 Column("span_end", 10, lambda e, a: a.mentions[0].span[1] if a.mentions else None),
                 Column("link", 16, None)],
}
ANCHORS = {"tasks": "task", "indicators": "indicator", "deadlines": "deadline", "references": "reference",
           "agencies": "agency"}


def _link(out_dir: Path, base: Path, entry: Entry, sheet: str, index: int) -> str:
    """The item on the review site, relative to the folder the export is written to."""
    page = out_dir.resolve() / "review" / _page_name(entry.name)
    target = Path(os.path.relpath(page, base.resolve())).as_posix()
    return target if sheet == "documents" else f"{target}#{ANCHORS[sheet]}-{index}"


def sheet_rows(entries: list[Entry], out_dir: Path, base: Path) -> dict[str, tuple[list[str], list[list]]]:
    """Every sheet's header and rows, values as Python objects (dates as ``datetime.date``)."""
    in_batch = {(link.source, number_key(link.number)): link.target for link in build_links(entries)}
    sheets: dict[str, tuple[list[str], list[list]]] = {}
    for sheet, columns in SHEETS.items():
        rows = []
        for entry in entries:
            items = [None] if sheet == "documents" else getattr(entry.record, sheet)
            for index, item in enumerate(items):
                row = []
                for column in columns:
                    if column.name == "link":
                        row.append(_link(out_dir, base, entry, sheet, index))
                    elif column.name == "in_batch":
                        key = number_key(item.normalized_id) if item.normalized_id else None
                        row.append(in_batch.get((entry.name, key)))
                    else:
                        row.append(column.get(entry, item))
                rows.append(row)
        sheets[sheet] = ([c.name for c in columns], rows)
    return sheets


def write_csv(entries: list[Entry], out_dir: Path, folder: Path) -> list[Path]:
    """One UTF-8 CSV per sheet (with a byte-order mark, so that Excel reads the diacritics)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet, (header, rows) in sheet_rows(entries, out_dir, folder).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in rows])
        path = folder / f"{sheet}.csv"
        write_atomic(path, "\ufeff" + buffer.getvalue())
        paths.append(path)
    return paths


def write_xlsx(entries: list[Entry], out_dir: Path, path: Path) -> Path:
    """One sheet per field: header row frozen, filters on, widths set, dates as date cells, the link
    column as hyperlinks."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def cell_value(value):
        if isinstance(value, str):
            return ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]  # Excel's limit per cell
        return value

    book = Workbook()
    book.remove(book.active)
    bold, link_font = Font(bold=True), Font(color="0B57D0", underline="single")
    for sheet, (header, rows) in sheet_rows(entries, out_dir, path.parent).items():
        ws = book.create_sheet(sheet)
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        link_col = header.index("link") + 1
        date_cols = [i + 1 for i, name in enumerate(header)
                     if name in ("date", "start_date", "end_date", "ref_date")]
        for r, row in enumerate(rows, start=2):
            ws.append([cell_value(v) for v in row])
            link = ws.cell(r, link_col)
            if link.value:
                link.hyperlink, link.font = link.value, link_font
            for c in date_cols:
                ws.cell(r, c).number_format = "yyyy-mm-dd"
        for i, column in enumerate(SHEETS[sheet], start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kehoach-tmp")
    book.save(tmp)
    os.replace(tmp, path)
    return path


def write_docbin(entries: list[Entry], path: Path) -> tuple[Path, int]:
    """The records as a spaCy ``DocBin``: one ``Doc`` per document with its items in the span group
    ``kehoach`` (labels AGENCY, REFERENCE, DEADLINE, INDICATOR, TASK; overlaps allowed) and the
    agencies, references and deadlines that do not overlap as ``doc.ents`` — what ``spacy train``
    reads for a span categoriser or an entity recogniser. Spans are snapped outwards to tokens."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    # the Vietnamese tokenizer without pyvi: words are what whitespace and punctuation separate
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    docs = DocBin(store_user_data=False)
    spans_written = 0
    for entry in entries:
        record = entry.record
        doc = nlp.make_doc(record.text)
        labelled = [(m.span, "AGENCY") for a in record.agencies for m in a.mentions]
        labelled += [(r.span, "REFERENCE") for r in record.references]
        labelled += [(d.span, "DEADLINE") for d in record.deadlines]
        labelled += [(i.span, "INDICATOR") for i in record.indicators]
        labelled += [(t.span, "TASK") for t in record.tasks]
        spans = []
        for (start, end), label in labelled:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None and len(span):
                spans.append(span)
        doc.spans["kehoach"] = spans
        doc.ents = filter_spans([s for s in spans if s.label_ in ("AGENCY", "REFERENCE", "DEADLINE")])
        docs.add(doc)
        spans_written += len(spans)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.kehoach-tmp")
    docs.to_disk(tmp)
    os.replace(tmp, path)
    return path, spans_written
