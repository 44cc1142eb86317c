"""Tokens, and what is never restored.

A line is cut into tokens; each word gets its candidates from the channel, and what is not a
damaged word gets none and is left as written: numbers, document symbols (``149-KL/TW``), URLs,
e-mail addresses, outline labels, acronyms (``UBND``, ``BYT``), codes (``CO2``, ``G6PD``), and
words with no Vietnamese reading (``Zalo``). A few tokens are written a fixed way whatever the
model says: an acronym whose Đ was lost (``QD`` -> ``QĐ``), a Roman numeral whose I OCR read as 1.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from dictionaries.agencies import ABBREVIATIONS
from pipeline.ocr_damage import DUST, HORN, OCR_GLYPHS, d_lost
from pipeline.restore.channel import Candidates, Channel
from pipeline.vntext import SYLLABLE_SHAPE, WORD, fold, has_diacritics, input_form, ocr_key


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    candidates: Candidates                     # () = fixed: read as written, or as ``spelled``
    spelled: str = ""                          # how it is written when it is not a syllable (QĐ, II)
    garbled: bool = False                      # OCR'd beyond any syllable the corpus writes (st, Grng, nhittng)
    dust: bool = False                         # a mark OCR left on a word (thuc ’hién): no context for the model
    spaced: bool = False                       # a word OCR glued to the one before (31thang): a space goes before it
    joined: bool = False                       # one syllable OCR cut in two (quy ết): written without the space


# Spans that are never words to restore.
_PROTECTED = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                 # URL, e-mail
    r"|(?=[^\W_]*[A-ZĐ\d])[^\W_]+(?:\s?[-/]\s?[^\W_]+)*/[^\W_]+(?:-[^\W_]+)*"  # symbols with a slash:
                                          # 149-KL/TW (not xa/phuong/thi tran, nor thi tran/09 huyen)
    r"|[^\W_]*\d[^\W_]*(?:-[^\W_]+)+"                                     # KH-2025, 16-KH
    r"|\b[A-ZĐ]{1,6}(?:-[A-ZĐ][A-Za-zĐđ]{0,6})+\b"                        # KH-UBND, QĐ-TTg
    r"|^\s*(?:[IVXLC1l|]{1,6}|[a-zđ])(?=\s?[.)])"                         # outline labels: II. a) I1.
    r"|(?<![^\W\d_])(?<![^\W\d_] )[a-zA-ZđĐ]{1,2}(?=\))"   # ... behind OCR dust: 7 . rb) (not Sở Y te))
    r"|(?<=khóa )[IVXLC]+\b|(?<=khoá )[IVXLC]+\b|(?<=khoa )[IVXLC]+\b"    # khóa XII
    r"|(?<=%)o\b",                                                         # ‰ read as %o
    re.M)
# every span _PROTECTED finds but an outline label holds one of these: lines without any skip it (it is slow)
_PROTECTED_HINT = re.compile(r"[/@)%-]|www\.|kho", re.I)
_OUTLINE_LABEL = re.compile(r"\s*(?:[IVXLC1l|]{1,6}|[a-zđ])(?=\s?[.)])")
_ROMAN_OCR = re.compile(r"(?=\S*[IVX])[IVX1]*1[IVX1]*")   # I1, I11, XI1 (not 11)
# a Roman numeral after the word that numbers with one (Chương V, hạng I, Mục Ill: OCR's l for I)
_ROMAN_AFTER = re.compile(r"[IVX][IVXl1]*")
_NUMBERED_BY_ROMAN = {"chuong", "muc", "phan", "hang", "loai", "phu luc", "khoa"}
_GLYPH_IN_WORD = re.compile(r"[^\W\d_][¢€§©®¥&@]|[¢€§©®¥&][^\W\d_]")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+(?![^\W_])"
                    r"|[^\W_¢€§©®¥]+(?:(?:[¢€§©®¥&@](?![¢€§©®¥&@])|(?<=[uoitUOIT])['’](?=[^\W\d_]))[^\W_]*)*"
                    r"|[¢€§©®¥][^\W_]+|[^\w\s]")
NUMBER_THEN_WORD = re.compile(r"^(\d{2,}|[02-9])([^\W\d_]{3,})$")  # 31thang: OCR lost the space (not 1anh: an l)
_NUMBER_UNIT = re.compile(r"\d+(?:[kmc]?g|[kcmd]?m[23]?|ml|ha|kwh?)", re.I)   # 100g, 5kg, 20ml, 30m2

# Acronyms whose Đ an unaccented keyboard lost, and for some of them tesseract -l eng too (seed 002:
# 3898/QP-UBND, 0D-UBND, KHHGPD; only where no other reading is plausible: not GDPT, NB). They have
# no Vietnamese reading, so the channel never proposes them.
ACRONYMS = {a.replace("Đ", "D"): a for a in ("QĐ", "NĐ", "HĐND", "KHHGĐ", "BCĐ", "GDĐT", "BGDĐT", "SGDĐT")}
ACRONYMS |= {lost: a for a in ("QĐ", "HĐND", "KHHGĐ", "BCĐ") for lost in d_lost(a)}
# abbreviations plans use that have the shape of a syllable (BYT, SYT, TYT): never restored when in capitals
KNOWN_ACRONYMS = frozenset(ABBREVIATIONS)


def tokenize(line: str, form: str, channel: Channel) -> list[Token]:
    """The tokens of ``line``, each word with its candidates for text of input form ``form``."""
    if _PROTECTED_HINT.search(line):
        protected = [m.span() for m in _PROTECTED.finditer(line)]
    else:
        label = _OUTLINE_LABEL.match(line)
        protected = [label.span()] if label else []
    tokens: list[Token] = []
    for start, end, word in split_tokens(line):
        if word.islower() and word.isalpha() and not (protected and _inside(protected, start)):
            tokens.append(_word_token(start, end, word, line, form, channel))   # (most words: none of the below)
            continue
        # (QĐ also when OCR lowered its second letter: 1745/Qb-TTg)
        spelled = ACRONYMS.get(word) or (ACRONYMS.get(word.upper()) if word[:1] == "Q" else None)
        if spelled:
            tokens.append(Token(start, end, word, ((spelled.lower(), 0.0),), spelled))
            continue
        if (_ROMAN_OCR.fullmatch(word) and not line[:start].strip()
                or _ROMAN_AFTER.fullmatch(word) and tokens and fold(tokens[-1].text.lower()) in _NUMBERED_BY_ROMAN):
            roman = word.replace("1", "I").replace("l", "I")  # an outline label whose I OCR read as 1: I1. -> II.
            tokens.append(Token(start, end, word, ((roman.lower(), 0.0),), roman))
            continue
        if _inside(protected, start) or not word[0].isalnum() and not word.isalpha():
            dust = word in DUST and (line[start - 1:start].isalpha() or line[end:end + 1].isalpha())
            # an apostrophe between two words OCR glued together stands for the space it lost
            # (Chu’ong’trmh: Chương trình); one that is a horn is read with its word (thu'c)
            gap = " " if (word in "'’" and form != "stripped" and line[start - 1:start].isalpha()
                          and line[end:end + 1].isalpha()) else ""
            tokens.append(Token(start, end, word, (), spelled=gap, dust=dust))
            continue
        if form == "stripped" and any(c.isdigit() for c in word):
            tokens.append(Token(start, end, word, ()))   # (text no OCR read: NH4, NO3, CO2 are as typed)
            continue
        split = NUMBER_THEN_WORD.match(word)
        if split:
            cut = start + len(split.group(1))
            tokens.append(Token(start, cut, split.group(1), ()))
            tokens.append(Token(cut, end, split.group(2), channel.read(split.group(2).lower(), form), spaced=True))
            continue
        # no letter, no word: digits, or digits with an OCR glyph ("1¥"), are left as they are;
        # capitals that cannot be a syllable are an acronym: UBND, KT, HĐND, BHYT (or a known
        # one that could be read as one: BYT, CT); but not what the OCR'd training pairs show
        # tesseract making of a word in capitals and the corpus never writes (NUGC, THUG, VOL)
        lower = word.lower()
        acronym = len(word) >= 2 and word.isalpha() and word.isupper() and (
            lower in KNOWN_ACRONYMS
            or not SYLLABLE_SHAPE.match(fold(word)) and (lower not in channel.ocr or lower in channel.unigrams))
        if acronym or not word.isalpha() and (not any(c.isalpha() for c in word) or _code(word)):
            tokens.append(Token(start, end, word, ()))
        else:
            tokens.append(_word_token(start, end, word, line, form, channel))
    return tokens


def _word_token(start: int, end: int, word: str, line: str, form: str, channel: Channel) -> Token:
    """A word to restore, with its candidates: none for a letter glued to a sign ("T™™.", "K." in
    "KT."), an abbreviation rather than a syllable OCR cut short."""
    if len(word) == 1 and end < len(line) and not line[end].isspace() and line[end] not in ",;)":
        return Token(start, end, word, ())
    lower = word.lower()
    candidates = channel.read(lower, form)
    # (garbled, and read by the channel no better than an edit away: dugc and méi have readings)
    garbled = (bool(candidates) and form != "stripped" and channel.garbled(lower)
               and max(p for _, p in candidates) <= channel.EDIT)
    return Token(start, end, word, candidates, garbled=garbled)


def split_tokens(line: str):
    """``(start, end, token)``: words made of letters and ASCII digits, every other non-space
    character alone (``¼``, ``²`` and other numeric signs are never part of a word)."""
    for match in _TOKEN.finditer(line):
        token, offset = match.group(0), match.start()
        if (token.isalpha() or token.isascii() and token.isalnum() or all(_wordish(c) for c in HORN.sub("", token))
                or token[0].isdigit() and token[-1].isdigit()):
            yield offset, match.end(), token
            continue
        run = 0
        for i, c in enumerate(token + " "):
            if i < len(token) and _wordish(c):
                continue
            if i > run:
                yield offset + run, offset + i, token[run:i]
            if i < len(token):
                yield offset + i, offset + i + 1, c
            run = i + 1


def is_clean_line(line: str) -> bool:
    """A line whose words are all valid syllables and mostly marked was not damaged: leave it. A
    short line needs more marks to count (``Đã ký: Vo Van Minh`` is two-fifths marked, and damaged)."""
    if input_form(line, ocr=True) != "clean" or _GLYPH_IN_WORD.search(line):
        return False
    words = [w for w in WORD.findall(line) if w.isalpha()]
    return len(words) >= 8 or sum(map(has_diacritics, words)) >= 0.6 * len(words)


def capital_inside(word: str) -> bool:
    """A capital after two or more small letters: where OCR glued two words (hanhK, hiénKé)."""
    return any(b.isupper() and a.islower() for a, b in zip(word[1:], word[2:]))


def _code(word: str) -> bool:
    """A number with its unit (``100g``, ``5kg``) or a code with digits in capitals that no syllable
    spells (``CO2``, ``G6PD``, ``H5N1``; but ``S6`` and ``T6NG`` are OCR for SỐ and TỔNG)."""
    if _NUMBER_UNIT.fullmatch(word):
        return True
    if not any(c.isdigit() for c in word) or any(c.islower() for c in word) or sum(c.isalpha() for c in word) < 2:
        return False
    key = ocr_key(word.lower())
    return not (key.isalpha() and SYLLABLE_SHAPE.match(key))


def _wordish(c: str) -> bool:
    return c.isalpha() or "0" <= c <= "9" or c in OCR_GLYPHS


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` lies in one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]
