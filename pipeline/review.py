"""``kehoach review OUT``: a static site under ``OUT/review/`` for checking a batch against its pages
(SPEC §6). It opens from disk with no server and fetches nothing: the pages are rendered with Jinja2,
the scripts and styles are files beside them, and the page images are rendered once, at screen
resolution, under ``review/pages/`` (named by the source's content hash, so a re-run skips them).

Each document page shows the record's text with every item wrapped in one element carrying
``data-kind`` and ``data-span="start,end"``. Items overlap (an agency inside a task inside a
section, a deadline that runs past the end of an indicator): nesting is kept where spans nest, and
where two cross, the inner one is closed and reopened as a continuation (``data-cont``) that carries
neither ``data-kind`` nor ``data-span``, so each item is still counted once.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pipeline.batch import Entry, read_batch
from pipeline.graph import Link, build_links, number_key
from pipeline.store import write_atomic
from schemas import Record

SCREEN_DPI = 96
KINDS = ("section", "task", "reference", "indicator", "deadline", "agency")
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)} | {"restored": len(KINDS)}
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}


@dataclass(frozen=True)
class Mark:
    """One highlighted span of the text: an item of the record (``index`` into the page's item
    data), or a restored word (``index`` None, ``original`` for the hover)."""
    start: int
    end: int
    kind: str
    index: int | None = None
    anchor: str | None = None
    original: str | None = None


def _open_tag(mark: Mark, continued: bool) -> str:
    if mark.kind == "restored":
        cont = " cont" if continued else ""
        return f'<span class="restored{cont}" title="{escape(mark.original or "", quote=True)}">'
    classes = f"hl k-{mark.kind}"
    attributes = f' data-item="{mark.index}"'
    if continued:
        return f'<span class="{classes} cont" data-cont="{mark.kind}"{attributes}>'
    anchor = f' id="{mark.anchor}"' if mark.anchor else ""
    return (f'<span class="{classes}"{anchor} data-kind="{mark.kind}" '
            f'data-span="{mark.start},{mark.end}"{attributes}>')


def highlight(text: str, marks: list[Mark]) -> Markup:
    """``text`` as HTML with one element per mark. Marks that nest are nested; a mark that crosses
    the end of an enclosing one is closed there and reopened as a continuation."""
    size = len(text)
    marks = [m for m in marks if 0 <= m.start <= m.end <= size]
    opening: dict[int, list[Mark]] = {}
    for mark in sorted(marks, key=lambda m: (m.start, -m.end, _PRIORITY[m.kind])):
        opening.setdefault(mark.start, []).append(mark)
    boundaries = sorted({0, size, *(m.start for m in marks), *(m.end for m in marks)})
    out: list[str] = []
    stack: list[Mark] = []
    position = 0
    for boundary in boundaries:
        out.append(escape(text[position:boundary], quote=False))
        position = boundary
        if any(m.end == boundary for m in stack):
            reopen = []
            while any(m.end == boundary for m in stack):
                top = stack.pop()
                out.append("</span>")
                if top.end != boundary:
                    reopen.append(top)
            for mark in reversed(reopen):
                out.append(_open_tag(mark, continued=True))
                stack.append(mark)
        for mark in opening.get(boundary, []):
            out.append(_open_tag(mark, continued=False))
            if mark.end == boundary:  # an empty span: an element with nothing in it
                out.append("</span>")
            else:
                stack.append(mark)
    out.extend("</span>" for _ in stack)
    return Markup("".join(out))


def _located(item) -> dict:
    return {"page": item.page, "boxes": [list(box) for box in item.boxes]}


def document_items(record: Record) -> tuple[list[dict], list[Mark]]:
    """The items of a record as the data the page's script shows, and their marks in the text."""
    items: list[dict] = []
    marks: list[Mark] = []

    def add(kind: str, span, data: dict, anchor: str | None = None) -> None:
        marks.append(Mark(span[0], span[1], kind, len(items), anchor))
        items.append({"kind": kind, "span": list(span), **data})

    for section in record.sections:
        add("section", (section.start, section.end),
            {"label": " ".join(filter(None, [section.label, section.title])) or section.id,
             "fields": {"id": section.id, "level": section.level, "inferred": section.inferred},
             **_located(section)}, anchor=f"section-{section.id}")
    for i, task in enumerate(record.tasks):
        add("task", task.span, {"label": task.text, "fields": {
            "id": task.id, "section": task.section, "lead": "; ".join(task.lead) or task.lead_text,
            "support": "; ".join(task.support), "deadline": task.deadline, "product": task.product,
            "source": task.source}, **_located(task)}, anchor=f"task-{i}")
    for i, ref in enumerate(record.references):
        add("reference", ref.span, {"label": ref.text, "fields": {
            "number": ref.normalized_id, "type": ref.doc_type, "issuer": ref.issuer,
            "date": ref.date.isoformat() if ref.date else None, "title": ref.title}, **_located(ref)},
            anchor=f"reference-{i}")
    for i, ind in enumerate(record.indicators):
        add("indicator", ind.span, {"label": ind.text, "fields": {
            "name": ind.name, "operator": ind.operator, "value": ind.value, "value_max": ind.value_max,
            "unit": ind.unit, "target_year": ind.target_year}, **_located(ind)}, anchor=f"indicator-{i}")
    for i, deadline in enumerate(record.deadlines):
        add("deadline", deadline.span, {"label": deadline.text, "fields": {
            "kind": deadline.kind, "start": deadline.start.isoformat() if deadline.start else None,
            "end": deadline.end.isoformat() if deadline.end else None, "recurrence": deadline.recurrence,
            "task": deadline.task}, **_located(deadline)}, anchor=f"deadline-{i}")
    for i, agency in enumerate(record.agencies):
        for j, mention in enumerate(agency.mentions):
            add("agency", mention.span, {"label": mention.surface, "fields": {
                "agency": agency.name, "kind": agency.kind}, **_located(mention)},
                anchor=f"agency-{i}" if j == 0 else None)
    for change in record.quality.restored:
        marks.append(Mark(change.span[0], change.span[1], "restored", original=change.original))
    return items, marks


def _outline(record: Record) -> list[dict]:
    """The sections as a tree: each node with its children."""
    nodes = {s.id: {"id": s.id, "label": s.label, "title": s.title, "children": []} for s in record.sections}
    roots = []
    for section in record.sections:
        parent = nodes.get(section.parent) if section.parent else None
        (parent["children"] if parent else roots).append(nodes[section.id])
    return roots


# ---- page images -------------------------------------------------------------------------------

def _source_path(record: Record, out_dir: Path) -> Path | None:
    """The document's file as the run named it (relative to where the run was started, usually the
    current folder), or beside OUT when the batch was moved with its inputs."""
    path = Path(record.source.path)
    for candidate in (path, out_dir / path, out_dir.parent / path):
        if candidate.is_file():
            return candidate
    return None


def _save_image(image, target: Path) -> None:
    image = image.convert("L") if image.mode in ("1", "P", "LA", "I", "I;16", "F") else image.convert("RGB")
    tmp = target.with_name(f".{target.name}.kehoach-tmp")
    image.save(tmp, format="WEBP", quality=60, method=2)
    os.replace(tmp, target)


def render_pages(record: Record, out_dir: Path, site: Path) -> tuple[dict[int, dict], str | None]:
    """The record's pages as images under ``site/pages/<hash>/``, rendered once, at screen resolution;
    ``{page number: {src, width, height}}`` and, when there are none, why."""
    measured = [p for p in record.pages if p.width and p.height]
    if not measured:
        return {}, None if not record.pages else "this kind of file has no fixed pages to show"
    source = _source_path(record, out_dir)
    if source is None:
        return {}, f"page images unavailable: {record.source.path} not found"
    folder = site / "pages" / record.source.sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    pages: dict[int, dict] = {}
    wanted = {p.number: p for p in measured}
    missing = [n for n in wanted if not (folder / f"{n}.webp").exists()]
    try:
        if missing:
            _render_missing(source, record.source.media_type, missing, folder)
    except Exception as exc:  # a file that changed or went bad since the run: the page shows no image
        return {}, f"page images unavailable: {type(exc).__name__}: {exc}".splitlines()[0]
    for number, page in wanted.items():
        if (folder / f"{number}.webp").exists():
            pages[number] = {"src": f"pages/{folder.name}/{number}.webp", "width": page.width,
                             "height": page.height}
    return pages, None


def _render_missing(source: Path, media_type: str, numbers: list[int], folder: Path) -> None:
    if media_type == "application/pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(source))
        try:
            for number in numbers:
                if number <= len(pdf):
                    page = pdf[number - 1]
                    bitmap = page.render(scale=SCREEN_DPI / 72)
                    _save_image(bitmap.to_pil(), folder / f"{number}.webp")
                    page.close()
        finally:
            pdf.close()
    elif source.suffix.lower() in _IMAGE_SUFFIXES or media_type.startswith("image/"):
        from PIL import Image, ImageSequence

        with Image.open(source) as image:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number in numbers:
                    frame = frame.copy()
                    scale = SCREEN_DPI / float((frame.info.get("dpi") or (300, 300))[0] or 300)
                    if scale < 1:
                        frame = frame.resize((max(1, int(frame.width * scale)), max(1, int(frame.height * scale))))
                    _save_image(frame, folder / f"{number}.webp")


# ---- the site ----------------------------------------------------------------------------------

def _environment() -> Environment:
    env = Environment(loader=PackageLoader("pipeline", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env


def _page_name(name: str) -> str:
    return "doc-" + re.sub(r"[^\w.-]", "_", name) + ".html"


def _counts(record: Record) -> dict[str, int]:
    return {"sections": len(record.sections), "tasks": len(record.tasks), "references": len(record.references),
            "agencies": len(record.agencies), "indicators": len(record.indicators),
            "deadlines": len(record.deadlines)}


def _read_methods(record: Record) -> str:
    methods: dict[str, int] = {}
    for page in record.pages:
        methods[page.method] = methods.get(page.method, 0) + 1
    return ", ".join(f"{n} {m}" for m, n in methods.items())


_STATUS_ORDER = {"failed": 0, "partial": 1, "ok": 2}


def _index_row(entry: Entry) -> dict:
    record, info = entry.record, entry.record.document
    return {"name": entry.name, "href": _page_name(entry.name), "status": record.status,
            "status_order": _STATUS_ORDER.get(record.status, 3), "file": record.source.path,
            "doc_type": info.doc_type or "", "number": info.number or "",
            "date": info.date.isoformat() if info.date else "", "issuer": info.issuer or "",
            "title": info.title or info.subject or "", "pages": len(record.pages), "read": _read_methods(record),
            "counts": _counts(record), "errors": [f"{e.code}: {e.message}" for e in record.errors],
            "cites": sorted({r.normalized_id for r in record.references if r.normalized_id})}


def _relations(links: list[Link], pages: dict[str, str]) -> dict[str, tuple[list[dict], list[dict]]]:
    """Per document: what it builds on (its links) and what builds on it (links to it)."""
    relations: dict[str, tuple[list[dict], list[dict]]] = {name: ([], []) for name in pages}
    for link in links:
        relations[link.source][0].append({"number": link.number, "doc_type": link.doc_type,
                                          "href": pages.get(link.target or ""), "mentions": len(link.mentions)})
        if link.target:
            relations[link.target][1].append({"name": link.source, "href": pages[link.source],
                                              "number": link.number})
    return relations


def build_site(out_dir: Path, entries: list[Entry] | None = None) -> Path:
    """Write ``OUT/review/``: ``index.html``, ``references.html``, one page per document, the assets and
    the page images. Returns the index's path."""
    out_dir = Path(out_dir)
    entries = read_batch(out_dir) if entries is None else entries
    site = out_dir / "review"
    (site / "assets").mkdir(parents=True, exist_ok=True)
    env = _environment()
    for asset in ("review.css", "review.js"):
        write_atomic(site / "assets" / asset, env.loader.get_source(env, asset)[0])

    links = build_links(entries)
    page_names = {entry.name: _page_name(entry.name) for entry in entries}
    relations = _relations(links, page_names)
    rows = {entry.name: _index_row(entry) for entry in entries}
    document_template = env.get_template("document.html")
    for entry in entries:
        record = entry.record
        items, marks = document_items(record)
        images, image_note = render_pages(record, out_dir, site)
        builds_on, built_on_by = relations[entry.name]
        html = document_template.render(
            name=entry.name, record=record, info=record.document, row=rows[entry.name],
            text=highlight(record.text, marks), items=items, images=images, image_note=image_note,
            outline=_outline(record), builds_on=builds_on, built_on_by=built_on_by,
            restored=len(record.quality.restored))
        write_atomic(site / page_names[entry.name], html)

    ordered = sorted(rows.values(), key=lambda r: (r["status_order"], r["name"]))
    cited: dict[str, dict] = {}
    for link in links:
        node = cited.setdefault(number_key(link.number), {"number": link.number, "doc_type": link.doc_type,
                                                          "target": None, "by": []})
        node["target"] = node["target"] or (page_names.get(link.target) if link.target else None)
        node["by"].append({"name": link.source, "href": page_names[link.source]})
    references = sorted(cited.values(), key=lambda n: (-len(n["by"]), n["number"]))
    write_atomic(site / "references.html", env.get_template("references.html").render(references=references))
    index = site / "index.html"
    write_atomic(index, env.get_template("index.html").render(rows=ordered, out=str(out_dir), kinds=KINDS))
    return index
