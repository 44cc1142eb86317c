"""Photos and scans (.png .jpg .jpeg .tif .tiff, multi-page TIFF) via tesseract ``vie``."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from pipeline.document import PageText
from pipeline.errors import CorruptFile
from pipeline.ingest.base import ReadResult
from pipeline.ingest.ocr import ocr_image


def read_image(path: Path, data: bytes, options: dict) -> ReadResult:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CorruptFile(f"the image cannot be decoded ({exc})") from exc
    pages = []
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        text, confidence = ocr_image(frame.copy())
        pages.append(PageText(number=number, text=text, method="ocr", confidence=confidence))
    return ReadResult(pages=pages, encoding="ocr")
