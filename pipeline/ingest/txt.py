"""Plain text, e.g. what an earlier OCR run left: encoding detected, legacy encodings converted.
A form feed (\\f) separates pages; without one the file is one page."""

from __future__ import annotations

from pathlib import Path

from pipeline.document import PageText
from pipeline.encoding import decode_bytes
from pipeline.ingest.base import ReadResult


def read_txt(path: Path, data: bytes, options: dict) -> ReadResult:
    decoded = decode_bytes(data)
    chunks = decoded.text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    pages = [PageText.from_text(i + 1, chunk) for i, chunk in enumerate(chunks)]
    return ReadResult(pages=pages, encoding=decoded.encoding)
