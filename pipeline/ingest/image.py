"""Photos and scans (.png .jpg .jpeg .tif .tiff, multi-page TIFF) via tesseract ``vie``, each page
at the resolution it was scanned at (boxes in the image's pixels)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from pipeline.errors import CorruptFile
from pipeline.ingest.base import ReadResult
from pipeline.ingest.ocr import ocr_dpi, ocr_page


def read_image(path: Path, data: bytes, options: dict) -> ReadResult:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CorruptFile(f"the image cannot be decoded ({exc})") from exc
    pages = []
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        frame = frame.copy()
        native = _native_dpi(frame)
        dpi = ocr_dpi(native)
        scale = 1.0
        if native and dpi < native:
            # read finer scans downsampled; boxes still in the image's own pixels
            scale = native / dpi
            frame = frame.resize((round(frame.width / scale), round(frame.height / scale)), Image.LANCZOS)
        pages.append(ocr_page(frame, number, dpi, scale))
    return ReadResult(pages=pages, encoding="ocr")


def _native_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and value > 1 else None
