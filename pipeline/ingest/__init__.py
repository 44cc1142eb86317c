"""Ingestion: one reader per input format (STYLE: docling's backends). The format is sniffed from
the file's first bytes; the extension only breaks ties, and a mismatch is reported."""

from __future__ import annotations

import zipfile
import io
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import CorruptDocx, EmptyFile, UnsupportedFormat
from pipeline.ingest.base import ReadResult
from pipeline.ingest.doc import read_doc
from pipeline.ingest.docx import read_docx
from pipeline.ingest.image import read_image
from pipeline.ingest.pdf import read_pdf
from pipeline.ingest.txt import read_txt

Reader = Callable[[Path, bytes, dict], ReadResult]

READERS: dict[str, Reader] = {"pdf": read_pdf, "image": read_image, "docx": read_docx, "doc": read_doc,
                              "txt": read_txt}
EXTENSIONS = {
    ".pdf": "pdf", ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image",
    ".docx": "docx", ".doc": "doc", ".txt": "txt",
}
MEDIA_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "tiff": "image/tiff",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "txt": "text/plain",
    "doc": "application/msword",
}


def sniff(data: bytes) -> str | None:
    """The format the bytes say they are (``png``, ``pdf``...), or None for no known signature."""
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # an OLE2 compound file: Word 97-2003 holds a WordDocument stream
        return "doc" if "WordDocument".encode("utf-16-le") in data else None
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return "broken_zip"   # a zip cut short (a download or copy that stopped) or damaged
        return "zip"
    return None


def kind_of(fmt: str) -> str:
    return {"png": "image", "jpeg": "image", "tiff": "image"}.get(fmt, fmt)


def choose_reader(path: Path, data: bytes) -> tuple[str, str, str | None]:
    """Return (reader kind, media type, mismatch message or None). Raises for empty/unsupported."""
    if not data:
        raise EmptyFile("the file is empty (0 bytes)")
    by_extension = EXTENSIONS.get(path.suffix.lower())
    sniffed = sniff(data)
    if sniffed == "broken_zip" and by_extension == "docx":
        raise CorruptDocx("the Word file is damaged or cut short: its zip directory cannot be read")
    if sniffed in (None, "zip", "broken_zip"):
        if by_extension == "txt" or (by_extension is None and sniffed is None and path.suffix == ""):
            return "txt", MEDIA_TYPES["txt"], None
        if by_extension in (None, "txt"):
            raise UnsupportedFormat(f"unsupported file type '{path.suffix or '(none)'}'; "
                                    f"kehoach reads {', '.join(sorted(EXTENSIONS))}")
        raise UnsupportedFormat(f"the file is named {path.suffix} but its content is not a {by_extension} file")
    kind = kind_of(sniffed)
    mismatch = None
    if by_extension is not None and by_extension != kind:
        mismatch = f"the file is named {path.suffix} but holds a {sniffed.upper()}; read as {sniffed.upper()}"
    elif by_extension is None:
        mismatch = f"unexpected extension '{path.suffix}' for a {sniffed.upper()} file; read as {sniffed.upper()}"
    return kind, MEDIA_TYPES.get(sniffed, "application/octet-stream"), mismatch
