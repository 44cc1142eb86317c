"""Vietnamese text helpers: diacritic folding, OCR-tolerant keys, syllable validity, plausibility.

Matching in the skeleton is done on *keys*: text lowercased, diacritics removed, and the OCR
confusions seen in the seeds undone, so that ``Ké hoach s6``, ``Ke hoach so`` and ``Kế hoạch số``
share the key ``ke hoach so``.
"""

from __future__ import annotations

import pickle
import re
import unicodedata
from functools import lru_cache
from importlib import resources

from dictionaries import underthesea_path
from pipeline.ocr_damage import CHAR_FOLD, DIGIT_IN_WORD, WORD_FIXES

_LETTER = r"[^\W\d_]"
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


class _StripTable(dict):
    """``str.translate`` table that works out each character's diacritic-free form once."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "đĐ":
            base = "d" if ch == "đ" else "D"
        else:
            first = unicodedata.normalize("NFD", ch)[0]
            base = first if first.isascii() or not first.isalpha() else ch
        self[code] = base
        return base


_STRIP = _StripTable()


def strip_diacritics(text: str) -> str:
    """``Kế hoạch Đảng`` -> ``Ke hoach Dang`` (case kept, one char out per char in)."""
    return text.translate(_STRIP)


def fold(text: str) -> str:
    """Lowercase, diacritic-free key: ``Ủy ban`` -> ``uy ban``."""
    return strip_diacritics(text).lower()


def skey(text: str) -> str:
    """Like :func:`ocr_key` but one character out per character in, so a regex match on the key
    gives offsets into the original text: ``S6:93 /KH-UBND`` -> ``so:93 /kh-ubnd``."""
    folded = fold(text.translate(CHAR_FOLD))

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if _is_ocr_mixed(word):
            word = "".join(DIGIT_IN_WORD.get(c, c) for c in word)
        return word

    return re.sub(r"[a-z0-9]*[0-9][a-z0-9]*", fix, folded)  # only words with a digit can change


def _is_ocr_mixed(word: str) -> bool:
    """A token mixing letters and digits is an OCR'd word (``s6``, ``x4``, ``1anh``), not a number."""
    has_alpha = any(c.isalpha() for c in word)
    has_digit = any(c.isdigit() for c in word)
    return has_alpha and has_digit and (not word[0].isdigit() or word[0] == "1")


def ocr_key(text: str) -> str:
    """A key that also undoes common OCR confusions: ``S6:93 /KH-UBND`` -> ``so:93 /kh-ubnd``,
    ``Thanh iy`` -> ``thanh uy``, ``Pang`` -> ``dang``. Keeps numbers that are numbers."""
    def fix(match: re.Match[str]) -> str:
        # "ii" never occurs in Vietnamese: it is OCR for ủ/ũ (ciia -> của, Vii -> Vũ)
        # "lt" inside a word is OCR for ư (THlTC -> THUC)
        word = match.group(0).replace("ii", "u")
        word = word[0] + word[1:].replace("lt", "u") if len(word) > 2 else word
        return WORD_FIXES.get(word, word)

    return re.sub(r"[a-z]+", fix, skey(text))


# Vietnamese syllable structure on the folded form: onset, vowel nucleus, coda. The word lists the
# syllable file is built from also hold abbreviations and letters ("s", "stc", "sd"): not syllables.
# The vowel clusters Vietnamese writes, folded (iê/yê/uô/ươ -> ie/ye/uo/uo; ươi -> uoi): "dean", "bea",
# "yeon" have the letters of a syllable but none of its nuclei.
_NUCLEI = ("uyeu|uoi|uou|ieu|yeu|oai|oay|uay|uya|uye|uyu|oeo|ia|ie|ya|ye|ua|uo|oa|oe|ue|uy|ai|ao|au|ay|eo|eu|"
           "iu|oi|ui|uu|oo|a|e|i|o|u|y")
SYLLABLE_SHAPE = re.compile(rf"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?(?:{_NUCLEI})"
                            r"(?:ch|ng|nh|[cmnpt])?$")


_CHECKED = re.compile(r"(?:ch|[ptc])$")   # a stop coda: the syllable carries sắc or nặng, never another tone
_NO_RHYME = re.compile(r"i(?:c|ng)$")      # written ich, inh: "cic", "ning" are OCR, not Vietnamese
_CHECKED_TONES = {"\u0301", "\u0323"}
# iê, yê, uô and ươ never go bare (the i of gi and the u of qu belong to the onset: giẻ, gieo)
_BARE_CLUSTER = re.compile(r"(?<!g)[iy]e|(?<!q)uo")
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0303\u0309\u0323"))


def is_syllable_form(word: str) -> bool:
    """Whether lowercase ``word`` has the form of a Vietnamese syllable: onset, nucleus and coda
    (``SYLLABLE_SHAPE``), and a syllable ending in p, t, c or ch has the sắc or nặng tone
    (``viec``, ``kip``, ``khảch`` cannot be written)."""
    key = fold(word)
    if not SYLLABLE_SHAPE.match(key) or _NO_RHYME.search(key):
        return False
    if _BARE_CLUSTER.search(unicodedata.normalize("NFC", unicodedata.normalize("NFD", word).translate(_TONE_MARKS))):
        return False   # "nguoi", "tien": typed without marks, not a syllable
    return not _CHECKED.search(key) or bool(_CHECKED_TONES & set(unicodedata.normalize("NFD", word)))


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Valid Vietnamese syllables, lowercase with diacritics (``dictionaries/syllables.txt``, less
    anything without the form of a syllable: abbreviations, foreign words, text typed without marks)."""
    text = resources.files("dictionaries").joinpath("syllables.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and is_syllable_form(line))


@lru_cache(maxsize=1)
def folded_syllables() -> frozenset[str]:
    return frozenset(fold(s) for s in syllables())


def has_diacritics(word: str) -> bool:
    return fold(word) != word.lower()


def is_valid_syllable(word: str) -> bool:
    """A lowercase token is a Vietnamese syllable as written, or one with its diacritics stripped."""
    return word in syllables() or (not has_diacritics(word) and word in folded_syllables())


def plausibility(text: str) -> float:
    """Share of alphabetic tokens that are valid Vietnamese syllables (with or without their
    diacritics). TCVN3/VNI mojibake, glyph garbage and foreign text score low; 0.0 for no words."""
    tokens = [t.lower() for t in WORD.findall(text) if any(c.isalpha() for c in t)]
    return sum(map(is_valid_syllable, tokens)) / len(tokens) if tokens else 0.0


def input_form(text: str, ocr: bool = False) -> str:
    """Classify text as ``clean`` (diacritics present, syllables valid), ``stripped`` (valid
    syllables, no diacritics), ``ocr_noisy`` (many invalid tokens) or ``mixed``. ``ocr``: the text
    is known to come from OCR in this run, where words in capitals are as damaged as the rest."""
    written = [w for w in WORD.findall(text) if w.isalpha()]
    if not written:
        return "empty"
    words = [w.lower() for w in written]
    with_marks = sum(1 for w in words if has_diacritics(w))
    # what is not a syllable but is typed so: acronyms in capitals (UBND, QĐ, STT, PKN) and letters
    # standing alone (điểm b, V/v). A clean plan full of them is not damaged; earlier OCR runs'
    # damage is mostly in words of small letters, where it stays counted (seeds 000-004: 8-25% of
    # words; clean plans: at most 2.3%). OCR of this run damages capitals too: all count there.
    invalid = sum(1 for w, low in zip(written, words)
                  if (ocr or len(w) > 1 and not w.isupper()) and not is_valid_syllable(low))
    marked_share, invalid_share = with_marks / len(words), invalid / len(words)
    if invalid_share > 0.05:
        return "ocr_noisy"
    if marked_share < 0.05:
        return "stripped"
    if marked_share > 0.35:
        return "clean"
    return "mixed"


# ---- one tone-placement convention (underthesea's): hoà -> hòa

@lru_cache(maxsize=1)
def _underthesea_rules() -> tuple[dict[str, str], dict[str, str]]:
    """underthesea's text-normalisation rules (character map, token map: ``hoà`` -> ``hòa``), read
    from its wheel. Its ``text_normalize`` would import all of underthesea (~0.4 s a worker) to
    apply them; the file is a plain pickle that ships with the package we depend on."""
    rules = sorted(underthesea_path("pipeline", "text_normalize").glob("tn_rules_*.bin"))
    if not rules:
        raise FileNotFoundError("underthesea's text-normalisation rules (tn_rules_*.bin) are missing")
    with open(rules[-1], "rb") as fh:
        data = pickle.load(fh)  # noqa: S301 - a data file of an installed dependency
    return data["character"], data["token"]


@lru_cache(maxsize=50_000)
def tone_placement(word: str) -> str:
    """``hoà`` -> ``hòa``, ``khoẻ`` -> ``khỏe``, ``thuỷ`` -> ``thủy``: underthesea's ``token_normalize``
    on one word (words over six letters are left alone, as there)."""
    if len(word) > 6:
        return word
    characters, tokens = _underthesea_rules()
    normalised = unicodedata.normalize("NFC", word)
    for old, new in characters.items():
        normalised = normalised.replace(old, new)
    normalised = tokens.get(normalised, normalised)
    return normalised if len(normalised) == len(word) else word


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def normalise_tones(text: str) -> str:
    return _LETTER_RUN.sub(lambda m: tone_placement(m.group(0)), text)


def upper_share(text: str) -> float:
    """The share of a text's letters in capitals: a header's organ lines and type lines are printed so."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
