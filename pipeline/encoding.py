"""Text encodings: detect, decode, and convert the legacy Vietnamese font encodings to Unicode.

Vietnamese text from before ~2005 was typed in TCVN3 (ABC, ".VnTime" fonts) or VNI ("VNI-Times")
8-bit font encodings; such files, and PDFs made from them, read as Windows-1252 mojibake
(``KÕ ho¹ch`` for ``Kế hoạch``; ``Keá hoaïch`` in VNI). The tables below are the published
TCVN 5712:1993 (VN3) and VNI-Windows layouts; a decoding is chosen by which one yields the most
valid Vietnamese syllables (:func:`pipeline.vntext.plausibility`), never assumed.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from pipeline.errors import UndecodableText
from pipeline.vntext import plausibility

# TCVN3 (ABC): one byte per precomposed letter, read here through cp1252.
_TCVN3 = {
    "¸": "á", "µ": "à", "¶": "ả", "·": "ã", "¹": "ạ",
    "¨": "ă", "¾": "ắ", "»": "ằ", "¼": "ẳ", "½": "ẵ", "Æ": "ặ",
    "©": "â", "Ê": "ấ", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ë": "ậ",
    "®": "đ",
    "Ð": "é", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ñ": "ẹ",
    "ª": "ê", "Õ": "ế", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Ö": "ệ",
    "Ý": "í", "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Þ": "ị",
    "ã": "ó", "ß": "ò", "á": "ỏ", "â": "õ", "ä": "ọ",
    "«": "ô", "è": "ố", "å": "ồ", "æ": "ổ", "ç": "ỗ", "é": "ộ",
    "¬": "ơ", "í": "ớ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "î": "ợ",
    "ó": "ú", "ï": "ù", "ñ": "ủ", "ò": "ũ", "ô": "ụ",
    "\u00ad": "ư", "ø": "ứ", "õ": "ừ", "ö": "ử", "÷": "ữ", "ù": "ự",
    "ý": "ý", "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI-Windows: a base letter followed by one mark byte; a few letters are single bytes.
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_VNI_MARKS = {
    "ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT,
    "â": _CIRC, "ê": _BREVE,
    "á": _CIRC + _ACUTE, "à": _CIRC + _GRAVE, "å": _CIRC + _HOOK, "ã": _CIRC + _TILDE, "ä": _CIRC + _DOT,
    "é": _BREVE + _ACUTE, "è": _BREVE + _GRAVE, "ú": _BREVE + _HOOK, "ü": _BREVE + _TILDE, "ë": _BREVE + _DOT,
}
_VNI_MARKS.update({k.upper(): v for k, v in list(_VNI_MARKS.items())})
_VNI_LETTERS = {
    "ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị",
    "Ô": "Ơ", "Ö": "Ư", "Ñ": "Đ", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị",
}
_VOWELS = set("aeiouyAEIOUYơưƠƯ")


def tcvn3_to_unicode(text: str) -> str:
    """``KÕ ho¹ch`` -> ``Kế hoạch``."""
    return text.translate(_TCVN3_TABLE)


def vni_to_unicode(text: str) -> str:
    """``Keá hoaïch`` -> ``Kế hoạch``."""
    out: list[str] = []
    for ch in text:
        if ch in _VNI_MARKS and out and out[-1] in _VOWELS:
            out.append(_VNI_MARKS[ch])
        elif ch in _VNI_LETTERS:
            out.append(_VNI_LETTERS[ch])
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


LEGACY_CONVERTERS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}


# A legacy reading is taken only when it is this much more plausible than the text as it is.
LEGACY_MARGIN = 0.05


def best_legacy_reading(text: str) -> tuple[str, str, float]:
    """Return (text, encoding label, plausibility) for the most plausible of: the text as it is,
    read as TCVN3, read as VNI. Used for .txt files and for PDF text layers."""
    best = ("unicode", text, plausibility(text))
    if best[2] > 1.0 - LEGACY_MARGIN:  # no reading can beat it by the margin
        return text, "unicode", best[2]
    for label, convert in LEGACY_CONVERTERS.items():
        converted = convert(text)
        score = plausibility(converted)
        if score > best[2] + LEGACY_MARGIN:
            best = (label, converted, score)
    return best[1], best[0], best[2]


@dataclass
class DecodedText:
    text: str
    encoding: str
    plausibility: float
    # lines of a UTF-8 text that held bytes which are not UTF-8 (each such byte read as U+FFFD)
    replaced_lines: int = 0

    @property
    def warning(self) -> str | None:
        """One line for the user when the bytes were not all valid, None when they were."""
        if not self.replaced_lines:
            return None
        lines = "1 line" if self.replaced_lines == 1 else f"{self.replaced_lines} lines"
        return f"{lines} held bytes that are not valid UTF-8; each such byte was read as U+FFFD"


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1) > 0.02


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a text file's bytes: BOMs first, then UTF-16 without BOM, UTF-8, and the 8-bit
    Vietnamese code pages; legacy font encodings are converted. Raises UndecodableText."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(name, errors="replace")
            return _finish(text, name if name != "utf-8-sig" else "utf-8")
    if len(data) >= 4 and data.count(0) > len(data) // 4:
        # UTF-16 without BOM: every other byte of ASCII-range text is NUL.
        le = data[1::2].count(0) > data[0::2].count(0)
        try:
            return _finish(data.decode("utf-16-le" if le else "utf-16-be"), "utf-16")
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise UndecodableText("the file holds binary data, not text (is it misnamed?)")
    try:
        return _finish(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # One stray byte in a UTF-8 file (a bad copy, a truncated download) spoils its line, not the
    # file: when most lines with letters beyond ASCII are valid UTF-8, the file is UTF-8.
    lenient, bad, nonascii = _utf8_by_line(data)
    if bad * 2 <= nonascii:
        return lenient
    candidates = []
    for name in ("cp1258", "cp1252"):
        try:
            candidates.append(_finish(data.decode(name), name))
        except UnicodeDecodeError:
            continue
    # a short UTF-8 text with a bad line among few: the code pages read it as nonsense
    if lenient.plausibility >= 0.3 and (not candidates or lenient.plausibility > max(c.plausibility for c in candidates)):
        return lenient
    if not candidates:
        raise UndecodableText("the bytes are not valid in any supported text encoding")
    best = max(candidates, key=lambda d: d.plausibility)
    if best.plausibility < 0.3:
        raise UndecodableText(
            f"the text does not read as Vietnamese in any supported encoding (best: {best.encoding}, "
            f"{best.plausibility:.0%} valid syllables)"
        )
    return best


def _utf8_by_line(data: bytes) -> tuple[DecodedText, int, int]:
    """The bytes read as UTF-8 line by line, bad bytes replaced; with the number of lines that held
    bad bytes and of lines holding any byte beyond ASCII."""
    bad = nonascii = 0
    lines = []
    for line in data.split(b"\n"):
        if not line.isascii():
            nonascii += 1
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            bad += 1
            lines.append(line.decode("utf-8", errors="replace"))
    decoded = _finish("\n".join(lines), "utf-8")
    decoded.replaced_lines = bad
    return decoded, bad, nonascii


def _finish(text: str, encoding: str) -> DecodedText:
    text = unicodedata.normalize("NFC", text)
    converted, legacy, score = best_legacy_reading(text)
    if legacy != "unicode":
        encoding = f"{encoding}+{legacy}" if encoding not in ("cp1252", "cp1258") else legacy
    return DecodedText(converted, encoding, score)
