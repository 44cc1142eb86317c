"""Agencies: every agency named, canonicalised (SPEC §4 ``agencies``).

Matching runs on word keys (lowercase, diacritics and OCR confusions folded: ``Sb Y te``, ``SO Y té``
and ``Sở Y tế`` share ``so y te``), with abbreviations expanded (``UBND`` -> ``uy ban nhan dan``,
``SYT`` -> ``so y te``), longest gazetteer phrase first (``dictionaries/agencies.py``). A local
organ takes the locality that follows it (``Công an tỉnh`` + ``Quảng Ngãi``) or, when the text says
only ``tỉnh``/``xã``, the issuing locality of the document. Agencies outside the gazetteer are
recognised by their head noun (``Sở``, ``Phòng``, ``Trung tâm``...) followed by capitalised words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from dictionaries.agencies import (ABBREVIATIONS, ALIASES, HEAD_NOUNS, HEAD_TITLES, LOCAL_HEADS, NATIONAL,
                                   PARTY_BODIES, PARTY_COMMITTEES, PLACE_NAMED, YOUTH_UNION)
from dictionaries.places import infer_province, places, province_units
from pipeline.document import Document
from pipeline.ocr_damage import D_READ_AS
from pipeline.vntext import WORD, fold, folded_syllables, has_diacritics, is_valid_syllable, ocr_key
from schemas import Agency, Mention

UNITS = {"tinh": "tỉnh", "thanh pho": "thành phố", "xa": "xã", "phuong": "phường", "huyen": "huyện",
         "quan": "quận", "thi xa": "thị xã", "thi tran": "thị trấn", "dac khu": "đặc khu",
         "xaa": "xã", "x": "xã", "xi": "xã"}   # OCR: x3a, x&, HPND xi
_CAC = {"cac", "cec", "cic"}   # "các", also as OCR leaves it ("céc")
OWN = "*"  # key of the issuer's own "unit place" in a localities dict
_WORD = re.compile(r"[^\W_]+")
_SO_OCR = {"s", "sb", "sd", "se", "s6", "so"}
FUZZY_MIN = 88  # rapidfuzz ratio for a damaged name to count as a gazetteer name
_BREAK = re.compile(r"[;:.()]")
_DASH = re.compile(r"\s[-–—]|^[-–—]")
# "TT. Tỉnh ủy", "VP. HĐND tỉnh": a recipients list's Thường trực and Văn phòng, cut short with a dot
# before the organ they belong to (the dot does not end the name there)
_DOTTED_TITLE = re.compile(r"(TT|VP)\.\s*(?=Tỉnh ủy|Thành ủy|Huyện ủy|Đảng ủy|HĐND|UBND|TU\b|Hội đồng|Ủy ban)")
_DOTTED_EXPANSION = {"TT": "thuong truc", "VP": "van phong"}
# places whose name holds its unit word: "Hồ Chí Minh" alone is the man, the city is "thành phố Hồ Chí Minh"
_NAMED_WITH_UNIT = {"Hồ Chí Minh": "thành phố Hồ Chí Minh"}


@dataclass(slots=True)
class _Word:
    key: str
    start: int
    end: int
    surface: str
    break_before: bool      # ; : . ( ) before it: no name runs across
    comma_before: bool      # a comma: gazetteer names may hold one, guessed ones do not
    line_before: bool       # a line break before it: gazetteer names run across, guessed ones do not
    dash_before: bool = False   # " - " before it: a name ends there ("Trung tâm ... tỉnh - Đẩy nhanh")
    cell_before: bool = False   # a TAB (a table's next cell) before it


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    last = 0
    joined_at = -1  # where a dotted title's organ starts: no break before it
    for match in _WORD.finditer(text):
        gap = text[last:match.start()]
        brk = (bool(_BREAK.search(gap)) or not out) and match.start() != joined_at
        comma = "," in gap or "/" in gap    # "xã/phường/thị trấn" lists units as commas do
        line = "\n" in gap
        key = _word_key(match.group(0))
        if match.group(0)[:1] == "S" and key in _SO_OCR:
            key = "so"  # "S Y tế", "Sb Y te", "S¢ Tài chính": Sở cut short by OCR
        if match.group(0) == "B":
            key = "bo"  # "B Chính trị", "B§ Chính trị": Bộ cut short by OCR
        elif match.group(0).isupper() and key not in ABBREVIATIONS:
            key = _ABBREVIATION_OCR.get(key, key)
        expansion = ABBREVIATIONS.get(key) if match.group(0).isupper() or key in ("ubnd", "hdnd") else None
        dotted = _DOTTED_TITLE.match(text, match.start()) if match.group(0) in _DOTTED_EXPANSION else None
        if dotted:
            expansion, joined_at = _DOTTED_EXPANSION[match.group(0)], dotted.end()
        parts = expansion.split() if expansion else [key]
        for i, part in enumerate(parts):
            out.append(_Word(part, match.start(), match.end(), match.group(0), brk and i == 0,
                             comma and i == 0, line and i == 0, i == 0 and bool(_DASH.search(gap)),
                             i == 0 and "\t" in gap))
        last = match.end()
    return out


# abbreviations with the Đ that OCR reads as P or B: HPND, KHHGP -> hdnd, khhgd
_ABBREVIATION_OCR = {key[:i] + letter + key[i + 1:]: key for key in ABBREVIATIONS
                     for i, c in enumerate(key) if c == "d" for letter in D_READ_AS
                     if key[:i] + letter + key[i + 1:] not in ABBREVIATIONS}


@lru_cache(maxsize=100_000)
def _word_key(word: str) -> str:
    """The word's key, OCR's confusions undone; a word printed with its marks and valid as it is
    is taken as written (``Thuế`` is the tax office, not OCR's ``thue`` for ``thực``)."""
    if has_diacritics(word) and is_valid_syllable(word.lower()):
        return fold(word)
    return ocr_key(word).lower()


@lru_cache(maxsize=10_000)
def _comma_positions(name: str) -> frozenset[int]:
    """Indices of the words of ``name`` that follow a comma: ``Sở Văn hóa, Thể thao`` -> {3}."""
    positions, index, previous_end = set(), 0, 0
    for match in WORD.finditer(name):
        if index and "," in name[previous_end:match.start()]:
            positions.add(index)
        previous_end, index = match.end(), index + 1
    return frozenset(positions)


@lru_cache(maxsize=10_000)
def _phrase_key(name: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in WORD.findall(name))


@lru_cache(maxsize=1)
def _gazetteer() -> dict[tuple[str, ...], tuple[str, str, str]]:
    """phrase key -> (canonical name, kind, role); role: national, local, committee, body, place_named."""
    table: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for name, kind in NATIONAL.items():
        table[_phrase_key(name)] = (name, kind, "national")
    for name, kind in LOCAL_HEADS.items():
        table[_phrase_key(name)] = (name, kind, "local")
    for committee in PARTY_COMMITTEES:
        for body, kind in PARTY_BODIES.items():
            name = f"{body} {committee}".strip()
            table[_phrase_key(name)] = (name, kind, "committee")
    for name, kind in PLACE_NAMED.items():
        table[_phrase_key(name)] = (name, kind, "place_named")
    for alias, name in ALIASES.items():
        table[_phrase_key(alias)] = table[_phrase_key(name)]
    return table


@lru_cache(maxsize=1)
def _place_keys() -> dict[tuple[str, ...], str]:
    """Place names without unit word, folded -> proper: ("kien", "hai") -> "Kiến Hải"."""
    out = {}
    for key, name in places().items():
        words = tuple(key.split())
        if not any(" ".join(words[:n]) in UNITS for n in (1, 2)):
            out.setdefault(words, name)
    return out


def document_localities(doc: Document) -> dict[str, str]:
    """Unit -> place the document implies: its issuer's (``xã`` -> ``Kiến Hải``) and the province
    it names most (``thành phố`` -> ``Hải Phòng``). Worked out once per document."""
    key = ("localities", getattr(doc.info, "issuer", None), len(doc.text))
    if key not in doc.cache:
        doc.cache[key] = _localities_of(doc)
    return doc.cache[key]


def _localities_of(doc: Document) -> dict[str, str]:
    found: dict[str, str] = {}
    issuer = getattr(doc.info, "issuer", None) or ""
    match = re.search(r"\b(tỉnh|thành phố|xã|phường|đặc khu)\s+(\S.*)$", issuer)
    if match:
        found[match.group(1)] = match.group(2)
        found[OWN] = f"{match.group(1)} {match.group(2)}"
    province = infer_province(doc.text) if doc.text else None
    if province:
        unit = province_units().get(fold(province), "tỉnh")
        found.setdefault(unit, province)
    return found


def _unit_at(words: list[_Word], i: int) -> tuple[str | None, int]:
    """A unit word at ``words[i]`` (``tỉnh``, ``thành phố``, OCR'd ``Thành phí``): (unit, words used)."""
    for n in (2, 1):
        key = " ".join(w.key for w in words[i:i + n])
        if len(words[i:i + n]) < n or (words[i].break_before and i):
            continue
        if key not in UNITS and n == 2:
            # "Thành phí", "Thạnh phú": OCR'd "thành phố" right after an agency head
            close = process.extractOne(key, [u for u in UNITS if " " in u], scorer=fuzz.ratio, score_cutoff=85)
            key = close[0] if close else key
        if key in UNITS:
            if n == 1 and words[i].surface.lower() == "quân":
                continue   # "Quân khu", "Quân đội": the one unit (quận) a common word folds to (OCR's
                # "tính" for "tỉnh", "xí" for "xã" must still count)
            return UNITS[key], n
    return None, 0


def _locality(words: list[_Word], i: int) -> tuple[str | None, str | None, int]:
    """Unit word and place name starting at ``words[i]``: (unit, place, words used). Several units
    and no place (``các huyện, thành phố``) make a collective unit: ``các huyện, thành phố``."""
    plural = i < len(words) and words[i].key in _CAC and not words[i].break_before
    unit, used = _unit_at(words, i + plural)
    used += plural if unit else 0
    units = [unit] if unit else []
    while (unit and i + used < len(words) and words[i + used].comma_before and not words[i + used].break_before
           and words[i + used].surface[:1].islower()):
        more, n = _unit_at(words, i + used)
        if not more:
            break
        units.append(more)
        used += n
    if len(units) > 1 or (plural and unit):
        return ("các " if plural else "") + ", ".join(units), None, used
    place, j = None, i + used
    if j < len(words) and not (words[j].break_before or words[j].comma_before) and (
            words[j].surface[:1].isupper() or unit and words[j].surface.isdigit()):
        # a place named without its unit word must be a two-word Title Case name (Kiến Thụy):
        # one word, or capitals (CỘNG HÒA in the national motto), are too often something else.
        # Since 2025 many wards and communes are numbered: "phường 2 Bảo Lộc", "xã Bảo Lâm 2"
        for n in (4, 3, 2, 1) if unit else (4, 3, 2):
            key = tuple(w.key for w in words[j:j + n])
            span = words[j:j + n]
            if (len(key) == n and key in _place_keys()
                    and all(w.surface[:1].isupper() or unit and w.surface.isdigit() for w in span)
                    and any(w.surface[:1].isupper() for w in span)   # ("xã 2 hộ dân": no number alone)
                    and (unit or not any(w.surface.isupper() for w in span))
                    and (n > 1 or not span[0].line_before)):
                place, used = _place_keys()[key], used + n
                break
    return unit, place, used


def _lookup(words: list[_Word], i: int, n: int, fuzzy: bool):
    """The gazetteer entry for ``words[i:i+n]``: exact on keys, or, with ``fuzzy``, the closest
    (OCR left ``Thuong true`` for ``Thường trực``) of the entries of that length that share the first word."""
    table = _gazetteer()
    keys = tuple(w.key for w in words[i:i + n])
    if not fuzzy or n < 2:
        return table.get(keys)
    joined = " ".join(keys)
    best, best_score = None, FUZZY_MIN
    for first in _near_first_words(keys[0]):
        for phrase in _by_first_word().get((first, n), ()):
            score = fuzz.ratio(joined, " ".join(phrase))
            if score >= best_score:
                best, best_score = table[phrase], score
    return best


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    return frozenset(first for first, _ in _by_first_word())


@lru_cache(maxsize=1)
def _longest_name() -> dict[str, int]:
    """First word -> the most words a gazetteer name that starts with it has."""
    longest: dict[str, int] = {}
    for first, n in _by_first_word():
        longest[first] = max(n, longest.get(first, 0))
    return longest


@lru_cache(maxsize=10_000)
def _near_first_words(word: str) -> tuple[str, ...]:
    """The gazetteer's first words ``word`` may be: itself, or, when it is none, those one edit away
    with the same initial (OCR's ``Mt tran`` for ``Mặt trận``)."""
    firsts = _first_words()
    if word in firsts or len(word) < 2 or word in folded_syllables():
        return (word,)   # a word as it is written ("dân") is no OCR error for another ("đảng")
    near = process.extract(word, [f for f in firsts if f[:1] == word[:1]], scorer=Levenshtein.distance,
                           score_cutoff=1, limit=None)
    return (word,) + tuple(sorted(f for f, _, _ in near))


@lru_cache(maxsize=1)
def _by_first_word() -> dict[tuple[str, int], list[tuple[str, ...]]]:
    index: dict[tuple[str, int], list[tuple[str, ...]]] = {}
    for phrase in _gazetteer():
        index.setdefault((phrase[0], len(phrase)), []).append(phrase)
    return index


def _match_at(words: list[_Word], i: int, localities: dict[str, str]):
    """The longest agency starting at ``words[i]``: (name, kind, words used) or None. Exact names
    first; only if none fits, the closest name of each length. A name starts with a capital
    (``ban chỉ đạo`` in running text is a description, not a name)."""
    if not words[i].surface[:1].isupper() or (i and words[i - 1].start == words[i].start):
        return None   # (nor inside an abbreviation's expansion)
    longest = max((_longest_name().get(first, 0) for first in _near_first_words(words[i].key)), default=0)
    if not longest:
        return None   # no gazetteer name starts with this word, or with one it may be an OCR error for
    lengths = range(min(longest, len(words) - i), 0, -1)
    for fuzzy, n in [(False, n) for n in lengths] + [(True, n) for n in lengths]:
        if n > 1 and any(w.break_before for w in words[i + 1:i + n]):
            continue
        hit = _lookup(words, i, n, fuzzy)
        if not hit or any(words[i + k].comma_before and k not in _comma_positions(hit[0]) for k in range(1, n)):
            continue  # a comma in the text where the name has none: two names, not one
        name, kind, role = hit
        if role == "national":
            return name, kind, n
        unit, place, used = _locality(words, i + n)
        if role == "place_named":
            place = place or (localities.get("tỉnh") if name == "Tỉnh đoàn" else None)
            return (f"{name} {place}", kind, n + used) if place else None
        if role == "committee":
            committee = next(c for c in PARTY_COMMITTEES if name.endswith(c))
            if place is None:   # "Thành ủy", "Thành ủy Thành phố": the document's own city
                place = localities.get(unit or PARTY_COMMITTEES[committee])
            place = _NAMED_WITH_UNIT.get(place, place)
            return (f"{name} {place}" if place else name), kind, n + used
        if name.startswith("Đảng ủy") or name == "Ban Thường vụ":
            inner = _match_at(words, i + n, localities) if i + n < len(words) else None
            if inner and not (words[i + n].break_before or words[i + n].comma_before):
                return f"{name} {inner[0]}", kind, n + inner[2]
        if unit is None and place is None:
            own = localities.get(OWN, "")
            if name == "Trạm Y tế" and own.startswith(("xã", "phường")):
                return f"{name} {own}", kind, n   # a commune's plan: its own health station
            if kind == "health_facility":
                # "(Trung tâm y tế liên xã, phường trong tương lai)": in lowercase, a description
                described = (n >= 2 and len(name.split()) >= 2 and any(c.isupper() for c in name.split()[-2])
                             and words[i + n - 2].surface.islower())
                return None if described else (name, kind, n)
            if kind in ("steering_committee", "office", "department", "school", "press", "mass_organisation"):
                # a local body named bare (Ban Chỉ đạo, Văn phòng, Chi cục, Hội Nông dân) is the
                # issuing locality's own
                return " ".join(p for p in (name, own) if p), kind, n
            return None
        if place is None:
            place = localities.get(unit)
        if name == YOUTH_UNION[0] and unit in YOUTH_UNION[1] and place:
            return f"{YOUTH_UNION[1][unit]} {place}", kind, n + used
        if unit is None and kind == "press":
            return f"{name} {place}", kind, n + used   # "Đài Phát thanh và Truyền hình Hà Nội"
        if unit is None:
            unit = next((u for u, p in localities.items() if p == place and u != OWN), None)
            if unit is None and fold(place) in province_units():
                unit = province_units()[fold(place)]
        if kind in ("people_committee", "people_council") and place is None and "," in (unit or "") \
                and not unit.startswith("các "):
            # the committees of several kinds of unit are one collective, written with "các" whether
            # or not the text prints it: "UBND xã, phường" is "Ủy ban nhân dân các xã, phường"
            unit = "các " + unit
        return " ".join(p for p in (name, unit, place) if p), kind, n + used
    return None


def _enumeration_at(words: list[_Word], i: int) -> list[tuple[str, str, int, int]]:
    """``các Sở: Giáo dục và Đào tạo, Nội vụ`` names two departments; return (name, kind, first,
    last word index) for each name after a plural head ``Sở``/``Bộ`` and a colon."""
    if words[i].key not in ("so", "bo") or i + 1 >= len(words) or not words[i + 1].break_before:
        return []
    head = "Sở" if words[i].key == "so" else "Bộ"
    out, j = [], i + 1
    while j < len(words):
        best = None
        for fuzzy in (False, True):  # an exact name of any length before a close one
            for n in range(min(7, len(words) - j), 0, -1):
                if n > 1 and any(w.break_before for w in words[j + 1:j + n]):
                    continue
                candidate = " ".join((fold(head),) + tuple(w.key for w in words[j:j + n]))
                for name in NATIONAL:
                    if not name.startswith(head + " "):
                        continue
                    target = " ".join(_phrase_key(name))
                    if candidate == target or (fuzzy and fuzz.ratio(candidate, target) >= FUZZY_MIN):
                        best = (name, NATIONAL[name], j, j + n - 1)
                        break
                if best:
                    break
            if best:
                break
        if not best:
            break
        out.append(best)
        j = best[3] + 1
        if j < len(words) and words[j].key == "va" and not words[j].break_before:
            j += 1
    return out


def _head_noun_at(words: list[_Word], i: int):
    """An agency outside the gazetteer: a head noun, then capitalised words (``Phòng Kinh tế``),
    on one line, and not cut short (a lowercase word right after means the name goes on)."""
    for n in (2, 1):
        head = " ".join(w.key for w in words[i:i + n])
        if head in HEAD_NOUNS and words[i].surface[:1].isupper() and not words[i].surface.isupper():
            j = i + n
            while j < len(words) and not (words[j].break_before or words[j].line_before or words[j].comma_before) and (
                    words[j].surface[:1].isupper() and not words[j].surface.isupper()):
                j += 1
            cut_short = (j < len(words) and not words[j].break_before and not words[j].line_before
                         and words[j].surface[:1].islower())
            if j > i + n and not cut_short:
                return HEAD_NOUNS[head], j - i
    return None


# Heads of bodies named by what they do, whose names Vietnamese writes with one capital per name
# (Nghị định 30/2020, Phụ lục II): "Trung tâm Phát triển quỹ đất", "Ban Quản lý dự án đầu tư xây
# dựng số 1", "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch" (tbkl-cao-toc, tbkl-pci in
# ../shared/real). Such a name runs on in small letters, so it ends where the sentence goes on.
_OPEN_HEADS = {"trung tam": "office", "ban quan ly": "office", "chi cuc": "department", "cuc": "department",
               "phong": "department", "benh vien": "health_facility", "vien": "other"}
# what follows such a name in a task: its verb, or a preposition
# (as printed, with their marks: "đê điều" is no "để")
_NAME_ENDS = {"chủ", "phối", "có", "khẩn", "tham", "thực", "tổ", "để", "theo", "tại", "của", "với", "cho",
              "trong", "nhằm", "được", "đã", "đang", "sẽ", "cần", "phải", "tiếp", "nghiên", "rà", "kiểm",
              "báo", "hướng", "làm", "giao", "trên", "thuộc"}
_NAME_ENDS_PAIRS = {("chủ", "trì"), ("phối", "hợp"), ("có", "trách"), ("khẩn", "trương"), ("tham", "mưu"),
                    ("thực", "hiện"), ("tổ", "chức"), ("tiếp", "tục"), ("nghiên", "cứu"), ("rà", "soát"),
                    ("kiểm", "tra"), ("báo", "cáo"), ("hướng", "dẫn"), ("làm", "việc"), ("trên", "địa")}
_PAIRED = {first for first, _ in _NAME_ENDS_PAIRS}
_HEAD_FIRSTS = {head.split()[0] for head in (*HEAD_NOUNS, *_OPEN_HEADS)} | {"ubnd", "uy"}
_PROVINCIAL = {"trung tam", "ban quan ly"}
# the head of a body before its name: "Trưởng Ban Quản lý …", "Giám đốc Trung tâm …", "và Chủ tịch UBND"
_TITLE_ENDS = {title.split()[-1] for title in HEAD_TITLES}
_TITLE_FIRSTS = {title.split()[0] for title in HEAD_TITLES}
_OPEN_MAX = 14


def _open_name_at(words: list[_Word], i: int, localities: dict[str, str]) -> tuple[str, int, int, str] | None:
    """A body outside the gazetteer named by a head, one capital and words in small letters
    (``Trung tâm Phát triển quỹ đất tỉnh``): (kind, words of the name, words used, the locality
    after it), the name ending before a break, a dash, a line, or the verb or preposition that goes
    on; a unit word after it is taken with its place, or the document's (``tỉnh`` -> ``tỉnh Lâm Đồng``)."""
    for n in (3, 2, 1):
        head = " ".join(w.key for w in words[i:i + n])
        if head in _OPEN_HEADS:
            break
    else:
        return None
    first = i + n
    previous = words[i - 1] if i else None
    if (previous and not (words[i].break_before or words[i].line_before or words[i].comma_before)
            and previous.surface[:1].isupper() and not (previous.break_before or previous.line_before)
            and previous.key not in _TITLE_ENDS):
        return None   # (the second syllable of a name: "Hải Phòng, Hưng Yên"; not "Giao Ban", "Trưởng Ban")
    capital = any(w.surface[:1].isupper() and not w.surface.isupper() for w in words[i + 1:first + 1])
    if (not words[i].surface[:1].isupper() or words[i].surface.isupper() or first + 1 >= len(words)
            or not capital or _ends_name(words, first)):
        return None   # (the name's one capital: "Trung tâm Phát triển", "Ban Quản lý dự án")
    j = first + 1
    while j < len(words) and j - i <= _OPEN_MAX and not _ends_name(words, j):
        unit, used = _unit_at(words, j)
        if unit:
            k = j + used
            while (k < len(words) and not _ends_name(words, k) and not words[k].comma_before
                   and not words[k].dash_before and words[k].surface[:1].isupper()):
                k += 1
            place = " ".join(w.surface for w in words[j + used:k]) or localities.get(unit)
            return (_OPEN_HEADS[head], j - i, k - i, f"{unit} {place}") if place else None
        j += 1
    if j - i > _OPEN_MAX:
        return None
    # a provincial organ takes the province the document is about (docs/annotation.md); a Phòng,
    # a Chi cục or a hospital belongs to a department or stands alone
    province = next((f"{unit} {localities[unit]}" for unit in ("tỉnh", "thành phố") if localities.get(unit)), "")
    return _OPEN_HEADS[head], j - i, j - i, province if head in _PROVINCIAL else ""


def _ends_name(words: list[_Word], j: int) -> bool:
    word = words[j]
    if word.break_before or word.line_before or word.cell_before:
        return True
    if (word.dash_before or word.comma_before) and not word.surface[:1].isupper():
        return True   # ("Thi đua - Khen thưởng", "Đầu tư, Thương mại" go on)
    if (word.dash_before or word.comma_before) and word.key in _HEAD_FIRSTS:
        return True   # another body: "Ban Quản lý Khu kinh tế, Sở Khoa học", "Phòng Tham mưu - Công an tỉnh"
    following = words[j + 1] if j + 1 < len(words) else None
    if word.key == "va":   # "Đầu tư, Thương mại và Du lịch" goes on; "... và các sở", "... và Chủ tịch" do not
        return (following is None or not following.surface[:1].isupper()
                or following.key in _HEAD_FIRSTS or following.key in _TITLE_FIRSTS)
    printed = word.surface.lower()
    return printed in _NAME_ENDS and word.surface[:1].islower() and (
        (printed, following.surface.lower() if following else "") in _NAME_ENDS_PAIRS or printed not in _PAIRED)


_RESTATED = re.compile(r"\(\s*([A-ZĐ]{2,8})\s*\)")


def _without_restated_abbreviations(text: str) -> str:
    """``Ủy ban nhân dân (UBND) các xã``, ``Trung tâm Y tế (TTYT) các huyện``: the abbreviation in
    brackets restates the name before it; blank it out (same length, so offsets hold) and the name
    runs on to its locality."""
    def blank(match: re.Match[str]) -> str:
        expansion = ABBREVIATIONS.get(fold(match.group(1)), "").split()
        before = [_word_key(w) for w in _WORD.findall(text[max(0, match.start() - 60):match.start()])]
        restated = expansion and before[-len(expansion):] == expansion
        return " " * len(match.group(0)) if restated else match.group(0)

    text = _RESTATED.sub(blank, text) if "(" in text else text
    return _PORTFOLIO.sub(lambda m: m.group(1) + " " * (len(m.group(0)) - len(m.group(1))), text) \
        if "CVP" in text else text


# the deputy chief's portfolio between the office and its committee: "Phó CVP (NC) UBND tỉnh",
# "PCVP VX UBND tỉnh" (two plans' recipients): blanked, so that the office meets its committee
_PORTFOLIO = re.compile(r"(CVP)\s*(?:\([A-ZĐ]{1,4}\)|[A-ZĐ]{2,3})(?=\s+UBND\b)")


def find_agencies(text: str, localities: dict[str, str] | None = None):
    """Yield ``(name, kind, start, end)`` for every agency mention in ``text``."""
    localities = localities or {}
    words = _words(_without_restated_abbreviations(text))
    i = 0
    while i < len(words):
        listed = _enumeration_at(words, i)
        if listed:
            for name, kind, first, last in listed:
                yield name, kind, words[first].start, words[last].end
            i = listed[-1][3] + 1
            continue
        expert = _expert_bodies_at(words, i, localities)
        if expert:
            name, used = expert
            yield name, "department", words[i].start, words[i + used - 1].end
            i += used
            continue
        hit = _match_at(words, i, localities)
        if hit:
            name, kind, used = hit
            yield name, kind, words[i].start, words[i + used - 1].end
            i += used
            continue
        opened = _open_name_at(words, i, localities)
        if opened:
            kind, named, used, local = opened
            start = words[i].start
            name = " ".join(text[start:words[i + named - 1].end].split())
            yield f"{name} {local}".strip(), kind, start, words[i + used - 1].end
            i += used
            continue
        generic = _head_noun_at(words, i)
        if generic:
            kind, used = generic
            start, end = words[i].start, words[i + used - 1].end
            yield text[start:end], kind, start, end
            i += used
            continue
        i += 1


_EXPERT_BODIES = ("cac", "co", "quan", "chuyen", "mon")


def _expert_bodies_at(words: list[_Word], i: int, localities: dict[str, str]) -> tuple[str, int] | None:
    """``các cơ quan chuyên môn (trực) thuộc UBND tỉnh``: a committee's departments as one collective
    (letters and conclusions of ../shared/real address and task them so), named after the committee:
    ``Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh Lâm Đồng``; (name, words used) or None."""
    n = len(_EXPERT_BODIES)
    if tuple(w.key for w in words[i:i + n]) != _EXPERT_BODIES:
        return None
    j = i + n + (i + n < len(words) and words[i + n].key == "truc")
    if j >= len(words) or words[j].key != "thuoc" or j + 1 >= len(words):
        return None
    committee = _match_at(words, j + 1, localities)
    if not committee or committee[1] != "people_committee":
        return None
    return f"Các cơ quan chuyên môn thuộc {committee[0]}", j + 1 - i + committee[2]


def canonical_agency(raw: str, doc: Document) -> str | None:
    """The canonical name of the agency ``raw`` names, if it names one from its first word."""
    for name, _, start, _ in find_agencies(raw, document_localities(doc)):
        return merged_names(doc).get(name, name) if start == 0 else None
    return None


# words a document drops or adds when it names the same body again: "Ban Chỉ đạo (công tác) Dân số
# và Phát triển", "Trung tâm Y tế (các) huyện", "Đài Phát thanh - / và Truyền hình"
_VARIANT_NOISE = re.compile(r"\b(?:cong tac|chuong trinh|cac|va)\b|[-,]")


def variant_key(name: str) -> str:
    """What two names of one body in one document share: ``Ban Chỉ đạo công tác Dân số và Phát
    triển tỉnh X`` and ``Ban Chỉ đạo Dân số và Phát triển tỉnh X`` -> the same key."""
    return " ".join(_VARIANT_NOISE.sub(" ", fold(name)).split())


def merged_names(doc: Document) -> dict[str, str]:
    """Name found -> the name the document's agencies list it under (see :func:`extract_agencies`)."""
    return doc.agency_aliases or {}


def extract_agencies(doc: Document) -> Document:
    """Every agency named; names of one body that differ only in filler words are one agency, under
    the name the document uses most."""
    found: dict[str, Agency] = {}
    for name, kind, start, end in find_agencies(doc.text, document_localities(doc)):
        agency = found.setdefault(name, Agency(name=name, kind=kind, mentions=[]))
        agency.mentions.append(Mention(span=(start, end), surface=doc.text[start:end]))
    groups: dict[str, list[Agency]] = {}
    for agency in found.values():
        groups.setdefault(variant_key(agency.name), []).append(agency)
    names: dict[str, str] = {}
    merged: list[Agency] = []
    for variants in groups.values():
        # most mentioned; on a tie the plainest name (without the filler words), then the first
        keep = max(variants, key=lambda a: (len(a.mentions), -len(a.name)))
        for other in variants:
            names[other.name] = keep.name
            if other is not keep:
                keep.mentions.extend(other.mentions)
        keep.mentions.sort(key=lambda m: m.span)
        merged.append(keep)
    doc.agency_aliases = names
    doc.agencies = sorted(merged, key=lambda a: a.mentions[0].span)
    return doc
