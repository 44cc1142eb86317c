"""Photos and scans (.png .jpg .jpeg .tif .tiff, multi-page TIFF) via tesseract ``vie``, each page
at the resolution it was scanned at (boxes in the image's pixels).

A page's size is checked against ``--max-pixels`` from the file's header, before a pixel is
decoded: a 300 KB PNG can declare 2.5 billion pixels (a decompression bomb)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageSequence, UnidentifiedImageError

from pipeline.document import PageText
from pipeline.errors import CorruptFile, ImageTooLarge, OcrFailed, TooManyPages
from pipeline.ingest.base import ReadResult
from pipeline.limits import Limits
from pipeline.ingest.ocr import ocr_dpi, ocr_page


def read_image(path: Path, data: bytes, options: dict) -> ReadResult:
    limits = Limits.from_options(options)
    pages: list[PageText] = []
    problems: list[tuple[str, str, int | None]] = []
    for number, frame in enumerate(_frames(data, limits), start=1):
        native = _native_dpi(frame)
        dpi = ocr_dpi(native)
        scale = 1.0
        if native and dpi < native:
            # read finer scans downsampled; boxes still in the image's own pixels
            scale = native / dpi
            frame = frame.resize((round(frame.width / scale), round(frame.height / scale)), Image.LANCZOS)
        try:
            pages.append(ocr_page(frame, number, dpi, scale))
        except OcrFailed as exc:  # this page stays blank; the others are read
            problems.append((exc.code, str(exc), number))
            pages.append(PageText(number=number, method="ocr", width=frame.width * scale, height=frame.height * scale,
                                  dpi=dpi))
    return ReadResult(pages=pages, encoding="ocr", warnings=problems)


def _frames(data: bytes, limits: Limits) -> Iterator[Image.Image]:
    """The pages of the image, each decoded only after its size is checked; what Pillow raises on
    a damaged or oversized file becomes this document's error."""
    # Pillow refuses (DecompressionBombError) images over twice this and warns over it; the check
    # in _check_size refuses at the limit itself, and the warning is turned into that refusal
    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise TooManyPages(f"the image has {frames} pages, over the limit of {limits.max_pages} (--max-pages)")
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                _check_size(frame, number, limits)
                frame = frame.copy()
                yield frame
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(f"the image is larger than the limit of {limits.max_pixels} pixels (--max-pixels)") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptFile(f"the image cannot be decoded ({type(exc).__name__}: {exc})") from exc


def _check_size(frame: Image.Image, number: int, limits: Limits) -> None:
    """Refuse a page over the pixel limit before it is decoded (the size is the header's)."""
    if frame.width * frame.height > limits.max_pixels:
        raise ImageTooLarge(f"page {number} is {frame.width}×{frame.height} pixels, over the limit of "
                            f"{limits.max_pixels} pixels (--max-pixels)", page=number)


def _native_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
    return value if value and value > 1 else None
