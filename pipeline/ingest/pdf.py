"""PDFs via pdfplumber, page by page. A page whose text layer is empty or not plausible
Vietnamese (TCVN3/VNI mojibake is converted first; glyph garbage is not) is rendered and OCR'd."""

from __future__ import annotations

import io
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pdfplumber
import pypdfium2
from PIL import Image
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.document import PageText
from pipeline.encoding import best_legacy_reading
from pipeline.errors import CorruptFile, EncryptedFile
from pipeline.ingest.base import ReadResult
from pipeline.ingest.ocr import ocr_image

# A text layer is kept when at least this share of its words are Vietnamese syllables.
MIN_PLAUSIBILITY = 0.5
# ... and when it has at least this many letters (a scan may carry a stray text object).
MIN_LETTERS = 20
RENDER_DPI = 300


class _Renderer:
    """Pages rendered at RENDER_DPI in grey by pdfium, the document opened once (pdfplumber's
    ``to_image`` reopens it for every page and converts to RGB)."""

    def __init__(self, data: bytes, password: str):
        self.data, self.password, self.doc = data, password, None

    def __call__(self, index: int) -> Image.Image:
        if self.doc is None:
            self.doc = pypdfium2.PdfDocument(self.data, password=self.password or None)
        return self.doc[index].render(scale=RENDER_DPI / 72, grayscale=True).to_pil()

    def close(self) -> None:
        if self.doc is not None:
            self.doc.close()


def _collect(result: ReadResult, pending: dict[int, Future], number: int) -> None:
    text, confidence = pending.pop(number).result()
    page = result.pages[number - 1]
    page.text, page.confidence = text, confidence


def read_pdf(path: Path, data: bytes, options: dict) -> ReadResult:
    password = options.get("password") or ""
    try:
        pdf = pdfplumber.open(io.BytesIO(data), password=password)
        pages = pdf.pages
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            hint = "the password given is wrong" if password else "give it with --password"
            raise EncryptedFile(f"the PDF is encrypted; {hint}") from exc
        raise CorruptFile(f"the PDF cannot be parsed ({type(cause).__name__}: {cause})") from exc
    result = ReadResult(pages=[], encoding="pdf")
    encodings: set[str] = set()
    # Scanned pages are OCR'd by a few threads (tesseract runs as a subprocess, so threads are
    # enough); the renderer stays at most two pages ahead of them, so memory does not grow with
    # the page count. Each page's layout cache is dropped once the page is read.
    threads = max(1, int(options.get("ocr_threads") or 1))
    pending: dict[int, Future] = {}
    render = _Renderer(data, password)
    with pdf, ThreadPoolExecutor(threads) as pool:
        for number, page in enumerate(pages, start=1):
            try:
                raw = page.extract_text() or ""
            except Exception as exc:  # pdfminer raises many types on a damaged page  # noqa: BLE001
                result.warnings.append(("page_unreadable", f"text layer unreadable ({type(exc).__name__})", number))
                raw = ""
            text, encoding, score = best_legacy_reading(raw)
            letters = sum(ch.isalpha() for ch in text)
            if letters >= MIN_LETTERS and score >= MIN_PLAUSIBILITY:
                encodings.add(encoding)
                result.pages.append(PageText(number=number, text=text, method="pdf_text"))
            else:
                image = render(number - 1)
                result.pages.append(PageText(number=number, text="", method="ocr"))
                pending[number] = pool.submit(ocr_image, image)
                del image
                while len(pending) > threads + 1:
                    _collect(result, pending, min(pending))
            page.close()
        for number in sorted(pending):
            _collect(result, pending, number)
    render.close()
    legacy = encodings - {"unicode"}
    result.encoding = "pdf+" + "+".join(sorted(legacy)) if legacy else "pdf"
    return result
