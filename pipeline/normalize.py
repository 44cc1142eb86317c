"""Normalisation: NFC, one tone-placement convention, page furniture out, symbols split across a
line break joined, whitespace tidied. Pages are joined with a blank line and each page's place in
the result is kept (``Document.page_spans``), so anything found later traces back to its page."""

from __future__ import annotations

import re
import unicodedata

from pipeline.document import Document
from pipeline.layout import OffsetMap
from pipeline.vntext import input_form, normalise_tones, ocr_key, plausibility

# Gazette running header/footer: "CONG BAO/S6 77+78/Ngay 02-6-2025 77", "80 CONG BAO/So 77+78/...".
_GAZETTE = re.compile(r"^\s*\d*\s*cong\s*bao\s*/")
# A PDF producer's footer line: "http://www.tcpdf.org".
_PRODUCER = re.compile(r"^\s*https?://www\.tcpdf\.org\s*$", re.I)
# Digital-signature metadata that PDF-to-text tools append: "bookmark0", ISO timestamps, "Việt Nam",
# and "Name <mail@host> đã ký lên văn bản này!".
_SIG_LINE = re.compile(r"^\s*(?P<name>[^<>\n]+?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*đã ký lên văn bản này!?\s*$")
_SIG_FURNITURE = re.compile(r"^\s*(bookmark\d+|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}|Việt Nam)\s*$")
# A run of two letters: a line without one is OCR dust ("r \", "9 r r", "> 9") or a page number...
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
# ... unless it carries a date/number ("26/12", "2030", "90%.") that belongs to the text.
_KEEP_NUMBERS = re.compile(r"\d+[/.-]\d+|\b(19|20)\d\d\b|\d\s*[%‰]")
# A symbol cut at a line break: "149-" + "KL/TW", "135/CDS-" + "KHTC", "78-" + "CTr/TU".
_SPLIT_SYMBOL = re.compile(r"(?<=[\w])-[ \t]*\n(?:[ \t]*\n)*[ \t]*(?=[A-ZĐ][A-Za-zĐđ]{0,7}(?:/|\b))")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# Three or more line breaks: one blank line is enough to separate blocks.
_BLANK_LINES = re.compile(r"\n{3,}")
# Below this share of Vietnamese syllables (seeds: OCR'd 0.6+, English 0.15) a text is not Vietnamese.
MIN_VIETNAMESE = 0.35
MIN_WORDS_FOR_LANGUAGE = 12


def is_furniture(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if _GAZETTE.match(ocr_key(stripped)) or _PRODUCER.match(stripped) or _SIG_FURNITURE.match(stripped):
        return True
    return not _TWO_LETTERS.search(stripped) and not _KEEP_NUMBERS.search(stripped)


def _tidy_line(line: str) -> str:
    """Spaces collapsed, a table row's TABs kept (one per cell boundary), ends stripped."""
    line = re.sub(r"[ \u00a0]+", " ", line)
    line = re.sub(r" *\t *", "\t", line)
    return line.strip(" ") if "\t" in line else line.strip()


def _sub_mapped(pattern: re.Pattern, repl: str, text: str, positions: list[int]) -> tuple[str, list[int]]:
    """``pattern.sub(repl, text)`` with ``positions`` (one per character, and the end) carried along:
    a replacement's characters map to where its match began."""
    out, new_positions, last = [], [], 0
    for match in pattern.finditer(text):
        out.append(text[last:match.start()])
        new_positions.extend(positions[last:match.start()])
        out.append(repl)
        new_positions.extend([positions[match.start()]] * len(repl))
        last = match.end()
    out.append(text[last:])
    new_positions.extend(positions[last:])
    return "".join(out), new_positions


def clean_page(text: str) -> tuple[str, list[dict]]:
    """Return the page's text without furniture, and the digital signatures found on it."""
    page, signatures, _ = clean_page_mapped(text)
    return page, signatures


def clean_page_mapped(text: str, base: int = 0) -> tuple[str, list[dict], list[int]]:
    """:func:`clean_page`, and for each character of the result (and its end) the position in
    ``text`` it came from, plus ``base``."""
    signatures: list[dict] = []
    out: list[str] = []
    positions: list[int] = []
    offset = 0
    for raw_line in text.split("\n"):
        line_start = offset
        offset += len(raw_line) + 1
        line = unicodedata.normalize("NFC", raw_line).replace("\r", "")
        match = _SIG_LINE.match(line)
        if match:
            signatures.append({"name": match["name"].strip(), "email": match["email"]})
            continue
        if is_furniture(line):
            continue
        tidy = normalise_tones(_tidy_line(line))
        ident = list(range(base + line_start, base + line_start + len(raw_line) + 1))
        positions.extend(ident[:-1] if tidy == raw_line else OffsetMap(ident).rewrite(raw_line, tidy).positions[:-1])
        positions.append(base + line_start + len(raw_line))  # the newline after it
        out.append(tidy)
    page = "\n".join(out)
    positions = positions[:len(page)] + [base + len(text)]
    page, positions = _sub_mapped(_SPLIT_SYMBOL, "-", page, positions)
    page, positions = _sub_mapped(_BLANK_LINES, "\n\n", page, positions)
    lead = len(page) - len(page.lstrip("\n"))
    page = page.strip("\n")
    return page, signatures, positions[lead:lead + len(page)] + [positions[-1]]


def normalise(doc: Document) -> Document:
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    signatures: list[dict] = []
    positions: list[int] = []
    offset = 0
    for page, base in zip(doc.pages, doc.page_bases):
        text, found, page_positions = clean_page_mapped(page.text, base)
        signatures.extend(s for s in found if s not in signatures)
        if parts:
            parts.append("\n\n")
            positions.extend([base - 1, base - 1])
            offset += 2
        spans.append((offset, offset + len(text)))
        parts.append(text)
        positions.extend(page_positions[:-1])
        offset += len(text)
    positions.append(doc.page_bases[-1] + len(doc.pages[-1].text) if doc.pages else 0)
    doc.text = "".join(parts)
    doc.offsets = OffsetMap(positions)
    doc.page_spans = spans
    doc.quality.update(
        input_form=input_form(doc.text, ocr=any(page.method == "ocr" for page in doc.pages)),
        encoding=doc.encoding,
        plausibility=round(plausibility(doc.text), 4),
    )
    if signatures:
        doc.quality["digital_signatures"] = signatures
    words = len(_LETTER_RUN.findall(doc.text))
    if words >= MIN_WORDS_FOR_LANGUAGE and doc.quality["plausibility"] < MIN_VIETNAMESE:
        # English, French...: restoration would turn it into Vietnamese-looking nonsense
        doc.quality["language"] = "other"
        doc.add_error("normalise", "not_vietnamese",
                      f"the text does not read as Vietnamese (only {doc.quality['plausibility']:.0%} of its words "
                      f"are Vietnamese syllables); it is kept as it is, without restoration")
    else:
        doc.quality["language"] = "vi"
    return doc

