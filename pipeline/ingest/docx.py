"""Word documents (.docx) via python-docx: body paragraphs, then table cells row by row."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError

from pipeline.document import PageText
from pipeline.errors import CorruptFile
from pipeline.ingest.base import ReadResult


def read_docx(path: Path, data: bytes, options: dict) -> ReadResult:
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptFile(f"not a readable .docx file ({type(exc).__name__})") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return ReadResult(pages=[PageText(number=1, text="\n".join(lines), method="text")], encoding="utf-8")
