"""Indicators: the numeric targets a plan sets (SPEC §4 ``indicators``).

Targets are read from the list that follows a ``Chỉ tiêu`` heading or line (seed 002's "2. Chỉ tiêu
kế hoạch năm 2025 (...):" is the model case), one per item, up to the next heading. Numbers quoted
elsewhere (results of past years, dates, counts of documents) are not targets. Each item gives:

    name        the text before the value (before ":" when there is one)
    operator    >, >=, <, <=, = (a bare ": 100%"), range (103-107), increase, decrease, maintain
    value       a number: decimal comma (0,3 -> 0.3), thousands dot (60.000 -> 60000)
    unit        %, ‰ (also OCR'd "%o"/"%ở"), or the unit words after the number
    target_year the year of the heading ("năm 2025"), else of the item
"""

from __future__ import annotations

import re

from pipeline.document import Document
from pipeline.vntext import fold, skey
from schemas import Indicator

# a line that opens a list of targets: "2. Chỉ tiêu kế hoạch năm 2025 (Phụ lục chi tiết đính kèm):"
_ANCHOR = re.compile(r"^[ \t]*(?:\S{1,6}[.)][ \t]*)?(?:cac )?chi tieu[^\n]*:[ \t]*$", re.M)
# a target stated in running text: "Tập huấn cho 100% cộng tác viên", "đạt trên 90%". A word
# before it says how: "cho 100%", "đạt khoảng 22%", "phấn đấu 100%", "bảo đảm 100%", "giảm 50%",
# "tăng trên 3%", "dưới 109 bé trai/100 bé gái", "đạt từ 98% trở lên", "tăng bình quân 10 - 12%/năm";
# or it opens a list item ("- 100% phường, xã ... phải có ...") or a clause of a sentence that set
# a target ("Phấn đấu ... đạt 90%; 70% phụ nữ mang thai được tầm soát ...").
_IN_TEXT = re.compile(r"(?:\b(?P<word>cho|phan dau(?: dat)?|dat(?: khoang| tren| toi thieu| it nhat)?|tren|toi thieu|it nhat|"
                      r"bao dam|dam bao|giam(?: it nhat| toi thieu)?|tang(?: them)?(?: tren)?|(?:xuong )?duoi|"
                      r"binh quan)\s+(?P<from>tu\s+)?|^[ \t]*[-+•][ \t]*|(?P<clause>;[ \t]*))"
                      r"(?P<value>\d+(?:[.,]\d+)*)(?:\s*[-–]\s*(?P<max>\d+(?:[.,]\d+)?))?"
                      r"(?=\s*[^\W\d_%‰]|\s*[%‰])", re.M)
# a target in other units than % is taken only where the sentence says it is one (results of past
# years are quoted with the same verbs: "ước đạt 368.000 tấn", "đã đạt")
_TARGET_SENTENCE = re.compile(r"\bphan dau\b|\bchi tieu\b|\bmuc tieu\b|\bden nam (?:19|20)\d\d\b")
_RESULT_BEFORE = re.compile(r"\b(?:uoc|da|duoc)\s+$")
_HEADING = re.compile(r"^\s*(?:[ivxlc]+|\d+(?:\.\d+)*)\s*[.)]\s", re.M)
_ITEM = re.compile(r"^\s*[-+•*]\s*", re.M)
_NUMBER = r"(\d+(?:[.,]\d+)*)"
_UNIT_WORDS = ["bé trai/100 bé gái", "con/phụ nữ", "lần/năm", "triệu USD", "tỷ USD", "nghìn tỷ đồng", "tỷ đồng",
               "triệu đồng", "nghìn tấn", "tấn", "ha", "người", "trẻ", "cơ sở", "xã", "lượt", "%/năm", "%", "‰"]
# units in which running text states a target without a "Chỉ tiêu" list (the others above are
# counts of what a list's item names)
_MEASURES = {"%", "%/năm", "‰", "bé trai/100 bé gái", "con/phụ nữ", "triệu USD", "tỷ USD", "nghìn tỷ đồng",
             "tỷ đồng", "triệu đồng", "nghìn tấn", "tấn", "ha"}
_OPERATORS = [  # (operator, pattern before the number), on the key
    (">=", re.compile(r"(?:>=|≥|it nhat|toi thieu|khong duoi)\s*$")),
    ("<=", re.compile(r"(?:<=|≤|toi da|khong qua|khong vuot qua)\s*$")),
    (">", re.compile(r"(?:>|tren)\s*$")),
    ("<", re.compile(r"(?:<|duoi)\s*$")),
    ("increase", re.compile(r"\bt[ai]ng(?: them)?(?: len)?\s*$")),   # OCR: "ting 0,3%o"
    ("decrease", re.compile(r"\bgiam(?: xuong)?\s*$")),
]


def extract_indicators(doc: Document) -> Document:
    text, key = doc.text, skey(doc.text)
    found: list[Indicator] = []
    for anchor in _ANCHOR.finditer(key):
        year = re.search(r"nam ((?:19|20)\d\d)", key[anchor.start():anchor.end()])
        block_start = anchor.end()
        heading = _HEADING.search(key, block_start)
        block_end = heading.start() if heading else len(key)
        items = list(_ITEM.finditer(key, block_start, block_end))
        for i, item in enumerate(items):
            end = items[i + 1].start() if i + 1 < len(items) else block_end
            indicator = _parse(text, key, item.end(), end, int(year.group(1)) if year else None)
            if indicator:
                found.append(indicator)
    taken = [i.span for i in found]
    for match in _IN_TEXT.finditer(key):
        if any(s <= match.start() < e for s, e in taken):
            continue
        indicator = _in_text(text, key, match)
        if indicator:
            found.append(indicator)
    found.sort(key=lambda i: i.span[0])
    doc.indicators = found
    return doc


def _in_text(text: str, key: str, match: re.Match[str]) -> Indicator | None:
    """The target ``match`` found in running text, or None where its unit is not a measure or, for
    units other than percentages, its sentence does not set a target."""
    unit = _unit(text[match.end():match.end() + 40])   # (the match ends at the number: the unit is looked at ahead)
    if unit not in _MEASURES:
        return None
    sentence = key[_last_end(_SENTENCE_END, key, match.start()):match.start()]
    if match["clause"] is not None and not re.search(r"\bphan dau\b|\bdat\b", sentence):
        return None   # a clause opens with a number only in a sentence that set targets before it
    if _RESULT_BEFORE.search(key, max(0, match.start() - 8), match.start()):
        return None
    if not unit.startswith("%") and not _TARGET_SENTENCE.search(sentence):
        return None
    word = match["word"] or ""
    after = key[match.end():match.end() + 30]
    if match["max"] is not None:
        operator = "range"
    elif match["from"] and re.match(r"\s*\S+\s+tro len\b", after):
        operator = ">="
    else:
        operator = ("decrease" if word.startswith("giam") else "increase" if word.startswith("tang") else
                    "<" if "duoi" in word else ">" if "tren" in word else
                    ">=" if "toi thieu" in word or "it nhat" in word else "=")
    clause_start = _last_end(_CLAUSE_START, key, match.start("value"))
    after_clause = _CLAUSE_END.search(key, match.end())
    clause_end = after_clause.start() if after_clause else len(key)
    end = match.end()
    rest = text[end:end + 40]
    written = rest.lstrip()
    if fold(written[:len(unit)]) == fold(unit):   # the unit as printed belongs to the span ("%/ năm" does not)
        end += len(rest) - len(written) + len(unit)
    start = match.start("value") if match["word"] is None else match.start()
    return Indicator(text=text[clause_start:clause_end].strip(), span=(start, end),
                     name=re.sub(r"\s+", " ", text[clause_start:clause_end]).strip(" -:;,.") or None,
                     operator=operator, value=_number(match["value"]),
                     value_max=_number(match["max"]) if match["max"] else None, unit=unit)


# where a sentence or a clause ends; the dot of "2.000 tấn" or "48,3" is none
_SENTENCE_END = re.compile(r"\n|\.(?!\d)")
_CLAUSE_START = re.compile(r"[;:\n]|\.(?!\d)")
_CLAUSE_END = re.compile(r"[;\n]|\.(?!\d)")


def _last_end(pattern: re.Pattern[str], key: str, pos: int) -> int:
    """Where the last match of ``pattern`` before ``pos`` ends (a sentence is taken as at most
    2,000 characters long)."""
    window = max(0, pos - 2000)
    last = window
    for last_match in pattern.finditer(key, window, pos):
        last = last_match.end()
    return last


def _parse(text: str, key: str, start: int, end: int, year: int | None) -> Indicator | None:
    item_key = key[start:end]
    # the value: the last number of the item that is not a year, a count inside the name, or a date
    candidates = [m for m in re.finditer(_NUMBER + r"\s*(-\s*" + _NUMBER[1:-1] + r")?", item_key)
                  if not re.fullmatch(r"(19|20)\d\d", m.group(1)) and not _in_name(item_key, m)]
    if not candidates:
        return None
    ranges = [c for c in candidates if c.group(2)]
    colon = item_key.find(":")
    m = ranges[0] if ranges else next((c for c in candidates if c.start() > colon >= 0), candidates[-1])
    value = _number(m.group(1))
    value_max = _number(m.group(2).lstrip("- ")) if m.group(2) else None
    after = text[start + m.end():end]
    unit = _unit(after)
    before = item_key[:m.start()]
    operator = "range" if value_max is not None else next(
        (op for op, pattern in _OPERATORS if pattern.search(before)), None)
    if operator is None:
        operator = "maintain" if re.search(r"\bduy tri\b", before) else "="
    colon = text.find(":", start, start + m.start())
    name_end = colon if colon >= 0 else start + m.start()
    name = re.sub(r"\s+", " ", text[start:name_end]).strip(" -:;,.")
    item_year = re.search(r"nam ((?:19|20)\d\d)", item_key)
    return Indicator(text=text[start:end].strip(), span=(start, start + len(text[start:end].rstrip())),
                     name=name or None, operator=operator, value=value, value_max=value_max, unit=unit,
                     target_year=year or (int(item_year.group(1)) if item_year else None))


def _in_name(item_key: str, m: re.Match[str]) -> bool:
    """A number that belongs to the indicator's name: "đủ 4 bệnh", "01 lần/năm" before the colon."""
    colon = item_key.find(":")
    return 0 <= m.start() < colon


def _number(raw: str) -> float:
    """``0,3`` -> 0.3, ``60.000`` -> 60000, ``1.5`` -> 1.5."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
        return float(raw.replace(".", ""))
    return float(raw.replace(",", "."))


def _unit(after: str) -> str | None:
    stripped = after.lstrip()
    if re.match(r"%\s*[oở]|‰", stripped):
        return "‰"
    if re.match(r"%\s*/\s*năm", stripped):
        return "%/năm"
    if stripped.startswith("%"):
        return "%"
    folded = fold(stripped[:40])
    for unit in _UNIT_WORDS:
        if folded.startswith(fold(unit)):
            return unit
    words = fold(stripped).split()
    if words and words[0] in ("be",) and "100" in stripped[:25]:
        return "bé trai/100 bé gái"
    return None
