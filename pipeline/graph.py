"""The citation graph of a batch (SPEC §6): each reference linked to the document of the batch whose
own number it cites, or to an outside node named by the reference when no document of the batch
carries that number.

A number alone does not identify a document (every province's people's committee issues a
``…/KH-UBND`` each year), so a link also needs the year and the issuer to agree wherever both the
reference and the document state them.
"""

from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from pipeline.batch import Entry
from pipeline.store import write_atomic
from schemas import Record, Reference

_DASHES = re.compile(r"[‐-―−]")


def number_key(number: str) -> str:
    """``4552/BCA-C04``, ``4552 / BCA – C04`` and ``4552/bca-c04`` are one number."""
    return _DASHES.sub("-", re.sub(r"\s+", "", number)).upper()


def _year(number: str, date) -> int | None:
    if date is not None:
        return date.year
    found = re.search(r"/((?:19|20)\d\d)/", number)
    return int(found.group(1)) if found else None


def _issuers_agree(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    a, b = a.casefold(), b.casefold()
    return a in b or b in a


@dataclass
class Link:
    source: str  # the citing document's name
    target: str | None  # the cited document's name, None when it is not in the batch
    number: str  # the reference's normalized_id
    doc_type: str | None
    mentions: list[Reference] = field(default_factory=list)

    @property
    def page(self) -> int | None:
        return self.mentions[0].page if self.mentions else None

    def as_row(self) -> dict:
        first = self.mentions[0]
        return {"document": self.source, "normalized_id": self.number, "target": self.target,
                "doc_type": self.doc_type, "mentions": len(self.mentions), "page": first.page,
                "start": first.span[0], "end": first.span[1], "text": first.text}


def _number_index(entries: list[Entry]) -> dict[str, list[tuple[str, Record]]]:
    index: dict[str, list[tuple[str, Record]]] = {}
    for entry in entries:
        number = entry.record.document.number
        if number:
            index.setdefault(number_key(number), []).append((entry.name, entry.record))
    return index


def _target(reference: Reference, source: str, candidates: list[tuple[str, Record]]) -> str | None:
    for name, record in candidates:
        info = record.document
        if name == source:
            continue
        ref_year = _year(reference.normalized_id, reference.date)
        doc_year = info.date.year if info.date else info.year
        if ref_year and doc_year and ref_year != doc_year:
            continue
        if not _issuers_agree(reference.issuer, info.issuer):
            continue
        return name
    return None


def build_links(entries: list[Entry]) -> list[Link]:
    """One link per (citing document, cited number), in batch order; a reference printed several
    times in a document is one link with several mentions."""
    index = _number_index(entries)
    links: list[Link] = []
    for entry in entries:
        own = number_key(entry.record.document.number) if entry.record.document.number else None
        by_number: dict[str, Link] = {}
        for reference in entry.record.references:
            if not reference.normalized_id:
                continue
            key = number_key(reference.normalized_id)
            if key == own:
                continue  # a document repeating its own number (a footer, an annex heading)
            link = by_number.get(key)
            if link is None:
                link = by_number[key] = Link(entry.name, None, reference.normalized_id, reference.doc_type)
                links.append(link)
            link.doc_type = link.doc_type or reference.doc_type
            if link.target is None:  # each mention may carry the issuer or date that decides it
                link.target = _target(reference, entry.name, index.get(key, []))
            link.mentions.append(reference)
    return links


def _document_node(entry: Entry) -> dict:
    info = entry.record.document
    return {"id": entry.name, "kind": "document", "label": info.number or entry.name,
            "doc_type": info.doc_type, "number": info.number, "issuer": info.issuer,
            "date": info.date.isoformat() if info.date else None, "title": info.title,
            "file": entry.record.source.path}


def graph_data(entries: list[Entry], links: list[Link]) -> dict:
    """Node-link JSON (the shape networkx's ``node_link_graph`` reads): the batch's documents, plus one
    ``reference`` node per cited number that no document of the batch carries."""
    nodes = [_document_node(entry) for entry in entries]
    outside: dict[str, dict] = {}
    edges = []
    for link in links:
        target = link.target
        if target is None:
            target = f"ref:{number_key(link.number)}"
            outside.setdefault(target, {"id": target, "kind": "reference", "label": link.number,
                                        "doc_type": link.doc_type, "number": link.number})
        edges.append({"source": link.source, "target": target, "number": link.number,
                      "in_batch": link.target is not None, "mentions": len(link.mentions), "page": link.page})
    return {"directed": True, "multigraph": False, "graph": {}, "nodes": nodes + list(outside.values()),
            "links": edges}


def graphml(data: dict) -> str:
    """The same graph as GraphML, for Gephi, yEd or networkx.read_graphml."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", xmlns=ns)
    node_keys = ["kind", "label", "doc_type", "number", "issuer", "date", "title", "file"]
    edge_keys = {"number": "string", "in_batch": "boolean", "mentions": "int", "page": "int"}
    for key in node_keys:
        ET.SubElement(root, "key", {"id": f"n_{key}", "for": "node", "attr.name": key, "attr.type": "string"})
    for key, kind in edge_keys.items():
        ET.SubElement(root, "key", {"id": f"e_{key}", "for": "edge", "attr.name": key, "attr.type": kind})
    graph = ET.SubElement(root, "graph", id="citations", edgedefault="directed")
    for node in data["nodes"]:
        element = ET.SubElement(graph, "node", id=node["id"])
        for key in node_keys:
            if node.get(key) is not None:
                ET.SubElement(element, "data", key=f"n_{key}").text = str(node[key])
    for i, edge in enumerate(data["links"]):
        element = ET.SubElement(graph, "edge", id=f"e{i}", source=edge["source"], target=edge["target"])
        for key in edge_keys:
            value = edge.get(key)
            if value is not None:
                text = str(value).lower() if isinstance(value, bool) else str(value)
                ET.SubElement(element, "data", key=f"e_{key}").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_graph(out_dir: Path, entries: list[Entry]) -> tuple[list[Link], dict[str, Path]]:
    """``OUT/graph.json``, ``OUT/graph.graphml`` and the ``links`` table of ``OUT/kehoach.sqlite``
    (rebuilt whole: the graph is derived from the records)."""
    links = build_links(entries)
    data = graph_data(entries, links)
    paths = {"json": out_dir / "graph.json", "graphml": out_dir / "graph.graphml"}
    write_atomic(paths["json"], json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    write_atomic(paths["graphml"], graphml(data))
    database = out_dir / "kehoach.sqlite"
    db = sqlite3.connect(database)
    try:
        with db:
            db.execute("DROP TABLE IF EXISTS links")
        table = sqlite_utils.Database(db)["links"]
        table.create({"document": str, "normalized_id": str, "target": str, "doc_type": str, "mentions": int,
                      "page": int, "start": int, "end": int, "text": str})
        table.insert_all([link.as_row() for link in links])
        table.create_index(["normalized_id"], if_not_exists=True)
        table.create_index(["target"], if_not_exists=True)
    finally:
        db.close()
    paths["sqlite"] = database
    return links, paths
