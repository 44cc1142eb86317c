"""Plain text, e.g. what an earlier OCR run left: encoding detected, legacy encodings converted.
A form feed (\\f) separates pages; without one the file is one page."""

from __future__ import annotations

from pathlib import Path

from pipeline.document import PageText
from pipeline.encoding import decode_bytes
from pipeline.errors import TextTooLong
from pipeline.ingest.base import ReadResult
from pipeline.limits import Limits

# No encoding we read takes more than this many bytes a character (UTF-8's longest).
MAX_BYTES_PER_CHAR = 4


def read_txt(path: Path, data: bytes, options: dict) -> ReadResult:
    limits = Limits.from_options(options)
    if len(data) > MAX_BYTES_PER_CHAR * limits.max_chars:  # surely too long: not even decoded
        raise TextTooLong(f"the file holds over {limits.max_chars} characters, the limit (--max-chars)")
    decoded = decode_bytes(data)
    chunks = decoded.text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    pages = [PageText.from_text(i + 1, chunk) for i, chunk in enumerate(chunks)]
    result = ReadResult(pages=pages, encoding=decoded.encoding)
    if decoded.warning:
        result.warnings.append(("invalid_bytes", decoded.warning, None))
    return result
