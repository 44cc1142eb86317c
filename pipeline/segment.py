"""Segmentation: the header block (issuer, number, place and date, document type, title), the
outline (``sections``), and the closing block (signer, recipients).

Everything here matches on :func:`pipeline.vntext.skey` — lowercase, diacritic-free, OCR
confusions undone, one character per character — so it works on stripped and OCR-damaged text
before restoration, and every match offset is an offset into ``Document.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from dictionaries.places import infer_province, places
from pipeline import header
from pipeline.document import Document
from pipeline.ingest import MEDIA_TYPES
from pipeline.vntext import fold, ocr_key, skey, upper_share
from schemas import Attached, DocumentInfo, Section, Signer

# Issuing organs -> proper form (the locality is appended from the place gazetteer).
ORGANS = [
    ("uy ban nhan dan", "Ủy ban nhân dân"), ("ubnd", "Ủy ban nhân dân"),
    ("hoi dong nhan dan", "Hội đồng nhân dân"), ("hdnd", "Hội đồng nhân dân"),
    ("ban thuong vu tinh uy", "Ban Thường vụ Tỉnh ủy"), ("ban thuong vu thanh uy", "Ban Thường vụ Thành ủy"),
    ("ban thuong vu dang uy", "Ban Thường vụ Đảng ủy"), ("tinh uy", "Tỉnh ủy"), ("thanh uy", "Thành ủy"),
    ("dang uy", "Đảng ủy"), ("so y te", "Sở Y tế"),
]
POSITIONS = [
    ("pho chanh van phong", "Phó Chánh Văn phòng"), ("chanh van phong", "Chánh Văn phòng"),
    ("bo truong", "Bộ trưởng"), ("thu truong", "Thứ trưởng"), ("cuc truong", "Cục trưởng"),
    ("pho cuc truong", "Phó Cục trưởng"), ("pho truong phong", "Phó Trưởng phòng"), ("truong phong", "Trưởng phòng"),
    ("pho chu tich", "Phó Chủ tịch"), ("chu tich", "Chủ tịch"), ("pho bi thu", "Phó Bí thư"),
    ("bi thu", "Bí thư"), ("pho giam doc", "Phó Giám đốc"), ("giam doc", "Giám đốc"),
    ("pho truong ban", "Phó Trưởng ban"), ("truong ban", "Trưởng ban"),
]

# Outline labels on the original line: roman "II.", OCR'd "I1.", "|.", "V.TO"; arabic "2.1."; letter "a)".
_ROMAN = re.compile(r"^(?P<label>[IVXl1|]{1,5})\s*[.)]\s*(?P<rest>\S.*)?$")
_ARABIC = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)]\s*(?P<rest>[^\W\d_\"“].*)$")
_LETTER = re.compile(r"^(?P<junk>[^\w\s]?[\W\dr]{0,7}?)(?P<label>[a-zđ¢])\s*\)\s*(?P<rest>\S.*)$")
_BULLET = re.compile(r"^\s*[-+•–*]\s*\S")
# a charter's or a regulation's chapters and articles: "Chương I" (its title on the next line, or after
# it), "Điều 5. Nguyên tắc tổ chức, hoạt động"
_CHAPTER = re.compile(r"^(?P<label>(?:Chương|CHƯƠNG)\s+(?P<number>[IVXLC]{1,6}|\d{1,2}))\b\s*[.:\-–]?\s*(?P<rest>.*)$")
# the parts above the roman headings of a long report or a list of procedures: "Phần thứ nhất"
# (its title on the next line), "PHẦN II. NỘI DUNG CỤ THỂ …"
_PART = re.compile(r"^(?P<label>(?:Phần|PHẦN)\s+(?:(?:thứ|THỨ)\s+(?P<ordinal>\w+)|(?P<roman>[IVX]{1,5}))\b)"
                   r"\s*[.:\-–]?\s*(?P<rest>.*)$")
_ORDINALS = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
             "muoi": 10}
_ARTICLE = re.compile(r"^(?P<label>(?:Điều|ĐIỀU)\s+(?P<number>\d{1,3}))\s*[.:]\s*(?P<rest>\S.*)?$")
# The closing block opens with "Nơi nhận:" (OCR: "Nffi nhan:", "Noi nhgn:") (key form).
_RECIPIENTS = re.compile(r"^n\S{1,3}\s*nh\S{1,2}n\s*:", re.M)
# Signing marks: "TM. ỦY BAN NHÂN DÂN", "T/M BAN THƯỜNG VỤ", "T™™.UY BAN", "KT. CHỦ TỊCH" (key form).
_AUTHORITY = re.compile(r"\b(?P<mark>t\s*/\s*m|(?:t\s*m{1,3}|kt|tl|tuq)\s*[./])\s*(?P<org>[a-z ]{3,40})")
# A police or army officer signs with the rank before the name: "Thiếu tướng Trương Minh Đương".
_RANK = re.compile(r"^(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy|uý)\s+|^(?:Đại|Thượng|Trung|Thiếu)\s+(?:TƯỚNG|TÁ)\s+")
_SIGNED = re.compile(r"\b(?:da|pa)\s*ky\s*:\s*(?P<name>.+)$", re.M)
_LETTERS_ORDER = "abcdđefghiklmnopqrstuvxy"
ROMAN_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass
class Line:
    start: int
    end: int
    text: str
    key: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(text) if end is None else end
    lines, pos = [], start
    for raw in text[start:end].split("\n"):
        lines.append(Line(pos, pos + len(raw), raw, skey(raw)))
        pos += len(raw) + 1
    return lines


def canonical_issuer(raw: str, locality_hint: str | None = None) -> str | None:
    """``UY BAN NHAN DAN XA KIEN HAI`` -> ``Ủy ban nhân dân xã Kiến Hải``; ``UBND tinh`` plus the
    plan's province -> ``Ủy ban nhân dân tỉnh Quảng Ngãi``."""
    key = re.sub(r"\s+", " ", ocr_key(raw)).strip(" ,.")
    for organ_key, organ in ORGANS:
        if key.startswith(organ_key):
            rest = key[len(organ_key):].strip()
            if not rest:
                return organ
            if rest in ("tinh", "thanh pho") and locality_hint:
                return f"{organ} {rest.replace('tinh', 'tỉnh').replace('thanh pho', 'thành phố')} {locality_hint}"
            words = rest.split()
            for n in range(len(words), 0, -1):  # the longest run of words that names a place
                place = places().get(" ".join(words[:n]))
                if place:
                    return f"{organ} {place}"
            return f"{organ} {raw.strip()[len(organ_key):].strip()}"
    return raw.strip() or None


def parse_header(doc: Document, lines: list[Line]) -> int:
    """Fill ``doc.info`` from the header (:mod:`pipeline.header`); return the index of the first
    line of the body."""
    doc.info, body_line = header.parse([line.text for line in lines])
    return body_line


def infer_issuer_from_preamble(doc: Document, lines: list[Line]) -> None:
    """Plans without their header (seeds 000, 003) say who issues them: "UBND tỉnh ban hành Kế hoạch"."""
    text_key = re.sub(r"\s+", " ", " ".join(line.key for line in lines[:80]))
    match = re.search(r"((?:ban thuong vu )?(?:uy ban nhan dan|ubnd|tinh uy|thanh uy|dang uy)(?: [a-z]+){0,4}?)"
                      r"(?:\s+da)?\s+ban hanh\s+(?:ke hoach|chuong trinh|quyet dinh)", text_key)
    if match:
        doc.info.issuer = canonical_issuer(match.group(1), infer_province(doc.text))


# ---------------------------------------------------------------- outline

@dataclass
class _Open:
    kind: str  # part | roman (or a chapter) | article | arabic | letter
    section: Section
    number: int  # roman ordinal / arabic last component / letter index


def _letter_index(label: str) -> int:
    label = "c" if label == "¢" else label
    return _LETTERS_ORDER.index(label) if label in _LETTERS_ORDER else -1


def _title(lines: list[Line], i: int, rest: str, kind: str, blank_breaks: bool,
           paragraphs: bool = False, measure: int = 0) -> str | None:
    """The item's title: its printed text up to ':' or the end of its first sentence, or, for a
    heading, its line(s) up to the next item. Where each line is a paragraph (a Word file), the
    title is in the item's own paragraph; elsewhere a line much shorter than the text's ``measure``
    (a full line's length) ended its paragraph: a line wraps only when it is full."""
    pieces = [rest]
    if kind != "roman" and not paragraphs:
        j = i + 1
        last = lines[i]
        while j < len(lines):
            if len(last.text.strip()) < SHORT_LINE * measure:
                break
            line = lines[j]
            if line.blank:
                if blank_breaks:
                    break
                j += 1
                continue
            stripped = line.text.strip()
            if "\t" in stripped or any(pattern.match(stripped) for pattern in (
                    _BULLET, _ARABIC, _ROMAN, _LETTER, _PART, _CHAPTER, _ARTICLE)):
                break   # (the next item, or a table's row: "1. Kết quả năm 2024" over "STT TAB Nội dung …")
            joined = " ".join(pieces)
            if re.search(r"[:.;]\s*$", joined) or len(joined) > 800:
                break
            pieces.append(line.text)
            last = line
            j += 1
    out = []
    for text in pieces:
        cut = re.search(r":|[.;](?=\s|$)", text)
        if cut:
            out.append(text[:cut.start()])
            break
        out.append(text)
    return re.sub(r"\s+", " ", " ".join(out)).strip(" ,") or None


# A line shorter than this share of a full line ended its paragraph.
SHORT_LINE = 0.6

# Document types whose numbered paragraphs are rows or articles, not an outline.
NOT_OUTLINED = ("Danh sách", "Phụ lục", "Điều lệ", "Quy chế", "Quy định", "Nghị định", "Thông tư")


def _part_number(part: re.Match) -> int | None:
    if part["roman"]:
        return ROMAN_NUMERALS.index(part["roman"]) + 1 if part["roman"] in ROMAN_NUMERALS else None
    return _ORDINALS.get(fold(part["ordinal"]))


def _heading_title(lines: list[Line], i: int, rest: str, blank_breaks: bool) -> str | None:
    """A part's or chapter's title: after its label on the line, or on the line(s) below it."""
    rest = rest.strip()
    return _title(lines, i, rest, "roman", blank_breaks) if rest else _next_title(lines, i)


def _next_title(lines: list[Line], i: int) -> str | None:
    """A chapter's title printed on the line after ``Chương I``."""
    following = [line for line in lines[i + 1:i + 6] if not line.blank]
    if not following or _ARTICLE.match(following[0].text.lstrip()) or _CHAPTER.match(following[0].text.lstrip()):
        return None
    title = [following[0].text]
    for line in following[1:]:   # a title in capitals may run over lines ("… MA TÚY / TRONG THỜI GIAN TỚI")
        text = line.text.strip()
        if upper_share(title[0]) < 0.7 or upper_share(text) < 0.7 or any(
                pattern.match(text) for pattern in (_ROMAN, _ARABIC, _LETTER, _BULLET, _PART, _CHAPTER, _ARTICLE)):
            break
        title.append(text)
    return re.sub(r"\s+", " ", " ".join(title)).strip() or None


def _roman_heading(stripped: str, romans: int) -> re.Match | None:
    """A roman heading: ``II. NHIỆM VỤ`` in capitals (OCR'd ``I1.``, ``|.`` too), or in ordinary
    case when its numeral is the next one (``II. Nhiệm vụ, giải pháp trong thời gian tới``, as
    conclusions and reports print them)."""
    roman = _ROMAN.match(stripped)
    if not roman or not re.search(r"[IVX|]", roman["label"]):
        return None
    head = (roman["rest"] or "").split(":")[0]
    if upper_share(head) >= 0.7 and len(head) >= 4:
        return roman
    label = roman["label"]
    if (romans < len(ROMAN_NUMERALS) and label == ROMAN_NUMERALS[romans] and head[:1].isupper()
            and 4 <= len(head) <= 250):
        return roman
    return None


def parse_outline(doc: Document, lines: list[Line], body_end: int) -> list[Section]:
    nonblank = [line for line in lines if not line.blank]
    blank_share = 1 - len(nonblank) / max(len(lines), 1)
    blank_breaks = blank_share < 0.3
    # a Word file's lines are its paragraphs: an item's title never runs on into the next one
    paragraphs = doc.source.media_type in (MEDIA_TYPES["docx"], MEDIA_TYPES["doc"])
    lengths = sorted(len(line.text.strip()) for line in nonblank)
    measure = lengths[int(len(lengths) * 0.75)] if lengths else 0
    sections: list[Section] = []
    stack: list[_Open] = []
    romans = 0
    # a letter or a conclusion may number its items 1., 2. with no roman part above them; a list
    # (of people, of units) or a charter's articles numbered so are no outline
    has_romans = any(_roman_heading(line.text.lstrip(), 0) for line in lines if line.start < body_end) or \
        doc.info.doc_type in NOT_OUTLINED
    # chapters and articles make the outline of a charter or regulation (Điều lệ, Quy chế, Quy định),
    # or of any text divided into chapters; a decision's own "Điều 1." … are not an outline (SPEC §5)
    chapters = any(_CHAPTER.match(line.text.lstrip()) for line in lines if line.start < body_end)
    articles = chapters or doc.info.doc_type in ("Điều lệ", "Quy chế", "Quy định")

    def open_section(kind: str, number: int, label: str | None, title: str | None, start: int,
                     parent: _Open | None, sid: str, inferred: bool = False) -> _Open:
        section = Section(id=sid, parent=parent.section.id if parent else None,
                          level=(parent.section.level + 1) if parent else 1, label=label, title=title,
                          start=start, end=start, inferred=inferred)
        sections.append(section)
        return _Open(kind, section, number)

    def close_to(level: int, pos: int) -> None:
        while stack and stack[-1].section.level >= level:
            stack.pop().section.end = pos

    for i, line in enumerate(lines):
        if line.start >= body_end:
            break
        stripped = line.text.lstrip()
        offset = line.start + (len(line.text) - len(stripped))
        part = _PART.match(stripped)
        # (a heading: alone on its line, or its title in capitals; not "Phần thứ hai của báo cáo …")
        number = _part_number(part) if part and (not part["rest"].strip() or upper_share(part["rest"]) >= 0.7) \
            else None
        if number:
            romans = 0   # (each part numbers its roman headings afresh)
            close_to(1, offset)
            title = _heading_title(lines, i, part["rest"], blank_breaks)
            stack.append(open_section("part", number, part["label"], title, offset, None, f"P{number}"))
            continue
        chapter = _CHAPTER.match(stripped) if chapters else None
        if chapter:
            romans += 1
            close_to(1, offset)
            title = _heading_title(lines, i, chapter["rest"], blank_breaks)
            stack.append(open_section("roman", romans, chapter["label"], title, offset, None, chapter["number"]))
            continue
        article = _ARTICLE.match(stripped) if articles else None
        if article:
            parent = next((o for o in stack if o.kind == "roman"), None)
            close_to(parent.section.level + 1 if parent else 1, offset)
            # (an article's title is its heading line, up to a colon: "Điều 1. Tên gọi: HỘI …")
            title = (article["rest"] or "").partition(":")[0].strip(" .;") or None
            number = article["number"]
            sid = f"{parent.section.id}.{number}" if parent else number
            stack.append(open_section("article", int(number), article["label"] + ".", title, offset, parent, sid))
            continue
        roman = _roman_heading(stripped, romans)
        if roman:
            printed = ROMAN_NUMERALS.index(roman["label"]) + 1 if roman["label"] in ROMAN_NUMERALS else 0
            # the first heading's numeral as printed (an excerpt that starts at "V."); after it the
            # count, which repairs OCR (its "I1." for II, a "V." read for II)
            romans = printed if romans == 0 and printed > 1 else romans + 1
            part_open = stack[0] if stack and stack[0].kind == "part" else None
            close_to(part_open.section.level + 1 if part_open else 1, offset)
            rest = roman["rest"] or ""
            title = _title(lines, i, rest, "roman", blank_breaks)
            sid = ROMAN_NUMERALS[romans - 1] if romans <= len(ROMAN_NUMERALS) else str(romans)
            sid = f"{part_open.section.id}.{sid}" if part_open else sid
            stack.append(open_section("roman", romans, roman["label"] + ".", title, offset, part_open, sid))
            continue
        letter = _LETTER.match(stripped)
        if letter and letter["junk"].strip() and stack and stack[-1].kind == "letter" \
                and _letter_index(letter["label"]) == stack[-1].number + 1:
            arabic = None  # "7 . rb) Sở ..." is item b) behind OCR dust, not item 7
        else:
            arabic = _ARABIC.match(stripped)
        if arabic and (stack or not has_romans):
            parts = [int(p) for p in arabic["label"].split(".")]
            roman_open = next((o for o in stack if o.kind == "roman"), None) or \
                next((o for o in stack if o.kind == "part"), None)
            # parent: the article or the roman section (or part), then the arabic path prefix (2.1 under 2)
            parent = next((o for o in reversed(stack) if o.kind == "article"), None) or roman_open
            prefix: list[int] = []
            for o in stack:
                if o.kind == "arabic" and len(prefix) < len(parts) - 1 and o.number == parts[len(prefix)]:
                    parent = o
                    prefix.append(o.number)
            depth = (parent.section.level + 1) if parent else 1
            close_to(depth, offset)
            rest = arabic["rest"]
            title = _title(lines, i, rest, "arabic", blank_breaks, paragraphs, measure)
            base = parent.section.id if parent else ""
            sid = f"{base}.{parts[-1]}" if base else str(parts[-1])
            stack.append(open_section("arabic", parts[-1], stripped[:arabic.end("label")] + ".", title, offset,
                                      parent, sid))
            continue
        if letter and stack:
            index = _letter_index(letter["label"])
            parent = next((o for o in reversed(stack) if o.kind in ("arabic", "article", "roman")), None)
            last_letter = stack[-1] if stack[-1].kind == "letter" else None
            expected = last_letter.number + 1 if last_letter else 0
            if letter["junk"].strip() and index != expected:
                continue
            if index < 0:
                continue
            if index == 0 and last_letter is not None and parent is not None and parent.kind == "arabic":
                # letters restart: the numbered heading above them was lost (seed 000, II.5)
                grand = next((o for o in stack if o.kind == "roman"), None)
                close_to(parent.section.level, offset)
                sid = f"{grand.section.id}.{parent.number + 1}" if grand else str(parent.number + 1)
                parent = open_section("arabic", parent.number + 1, None, None, offset, grand, sid, inferred=True)
                stack.append(parent)
            if parent is None:
                continue
            close_to(parent.section.level + 1, offset)
            rest = letter["rest"]
            label = "c" if letter["label"] == "¢" else letter["label"]
            title = _title(lines, i, rest, "letter", blank_breaks, paragraphs, measure)
            stack.append(open_section("letter", index, stripped[len(letter["junk"]):letter.end("label")] + ")",
                                      title, offset + len(letter["junk"]), parent, f"{parent.section.id}.{label}"))
            continue
    close_to(1, body_end)
    _end_before_closing_paragraph(sections, lines, body_end)
    return sections


# A paragraph after the last item that speaks to all the recipients at once: "Yêu cầu các sở, ngành
# và UBND các xã … tổ chức thực hiện", "Trong quá trình thực hiện, nếu có khó khăn …", "Trên đây là …",
# "Nhận được văn bản này …" (key form). It ends the last item: the work it gives is nobody's item.
_CLOSING_PARAGRAPH = re.compile(r"^(?:yeu cau|trong qua trinh|tren day la|nhan duoc (?:van ban|cong van))\b")


def _end_before_closing_paragraph(sections: list[Section], lines: list[Line], body_end: int) -> None:
    """Cut the open sections at the first closing paragraph after the last item's first line."""
    if not sections:
        return
    last_start = max(s.start for s in sections)
    for line in lines:
        if line.start <= last_start or line.start >= body_end:
            continue
        if _CLOSING_PARAGRAPH.match(line.key.lstrip()):
            for section in sections:
                if section.start < line.start < section.end:
                    section.end = line.start
            return


# ---------------------------------------------------------------- closing

def parse_closing(doc: Document, lines: list[Line], start_index: int) -> int:
    """Recipients and signer; return the offset where the closing block starts."""
    closing_start = len(doc.text)
    rec_index = None
    for i in range(start_index, len(lines)):
        if _RECIPIENTS.match(lines[i].key.strip()):
            rec_index = i
            closing_start = lines[i].start
            break
    sign_index = None
    for i in range(start_index, len(lines)):
        if _AUTHORITY.search(lines[i].key) and upper_share(lines[i].text) > 0.5 and (
                rec_index is None or i >= rec_index or i > len(lines) - 15):
            sign_index = i
            closing_start = min(closing_start, lines[i].start) if rec_index is None else closing_start
            break
    region = lines[min(x for x in (rec_index, sign_index, len(lines)) if x is not None):]
    doc.info.recipients = _recipients(region) if rec_index is not None else []
    doc.info.signer = _signer(doc, region)
    return closing_start


def _clean_recipient(entry: str) -> str:
    entry = entry.strip().lstrip("-–• ").strip()
    sig = _AUTHORITY.search(skey(entry)) or re.search(r"\b(pho\s*)?c?hu\s*tich\b", skey(entry))
    if sig:
        entry = entry[:sig.start()]
    if ";" in entry:
        entry = entry[:entry.index(";")]
    tokens = entry.split()
    while tokens and (re.search(r"[\\:’'|]", tokens[-1].strip(",.;:")) or not re.search(r"\w", tokens[-1])):
        tokens.pop()
    entry = " ".join(tokens)
    entry = re.sub(r"\(\s*b\S{0,3}o\s*c\S{0,3}o\s*\)", "", entry, flags=re.I)
    return re.sub(r"\s+", " ", entry).strip(" ,.;")


def _recipients(region: list[Line]) -> list[str]:
    entries: list[str] = []
    open_entry = False
    for line in region[1:]:
        stripped = line.text.strip()
        if not stripped:
            continue
        if stripped.startswith(("-", "–", "•")):
            entries.append(stripped)
            open_entry = not re.search(r"[;.,]\s*$", stripped)
        elif entries and open_entry:
            entries[-1] += " " + stripped
            open_entry = not re.search(r"[;.,]\s*$", stripped)
        elif entries and skey(entries[-1]).lstrip("- ").startswith("luu"):
            break
        elif entries and not _AUTHORITY.search(line.key) and ":" in stripped[:20]:
            entries.append(stripped)
        if entries and skey(entries[-1]).lstrip("- ").startswith("luu") and not open_entry:
            break
    cleaned = [_clean_recipient(e) for e in entries]
    return [c for c in cleaned if len(c) >= 2]


# A head's title named after the unit headed (Nghị định 30's signing blocks: CỤC TRƯỞNG, VỤ TRƯỞNG,
# VIỆN TRƯỞNG, BỘ TRƯỞNG, THỨ TRƯỞNG), or Chánh Văn phòng.
_UNIT_HEAD = re.compile(r"(pho\s+)?(?:(?:cuc|vu|vien|bo|thu|chanh)\s+truong|chanh\s+van\s+phong)")


def _signer(doc: Document, region: list[Line]) -> Signer | None:
    key_text = "\n".join(line.key for line in region)
    flat = "\n".join(line.text for line in region)
    marks = []
    last_mark_end = None
    for match in _AUTHORITY.finditer(key_text):
        mark = re.sub(r"[^a-z]", "", match["mark"]).replace("mmm", "m").replace("mm", "m").upper()
        org_key = re.split(r"\s{2,}|\n|\b(?:noi|bao cao)\b", match["org"].strip())[0].strip()
        start = match.start("org") + (len(match["org"]) - len(match["org"].lstrip()))
        printed = flat[start:start + len(org_key)]
        if upper_share(printed) < 0.5:
            continue   # (a signing mark's organ or position is printed in capitals: not "T1. UBND tỉnh X", a list's 11.)
        org = _proper(org_key, printed)
        if org:
            marks.append(f"{mark}. {org}")
            last_mark_end = start + len(org_key)
    position = _position_after(flat, key_text, last_mark_end) if last_mark_end is not None else None
    if position is None:
        for line in reversed(region):
            k = line.key
            if line.text.lstrip().startswith(("-", "+", "–")):
                # a recipient ("- Giám đốc Công an tỉnh (để p/h);") is not the signer; what follows
                # its ";" is the signing block's column beside it (a text whose columns were run
                # together: "- Đồng chí Bí thư Thành ủy; CHỦ TỊCH")
                k = k[line.text.rfind(";") + 1:] if ";" in line.text else ""
            k = _AUTHORITY.sub(" ", k)
            found = re.search(r"\b(pho\s*)?(c?hu\s*tich|bi\s*thu|giam\s*doc|truong\s*ban)\b", k)
            if not found and upper_share(line.text) >= 0.8:
                # a head's title printed in capitals alone on its line: CỤC TRƯỞNG, VỤ TRƯỞNG
                found = _UNIT_HEAD.fullmatch(k.strip())
            if found:
                position = _proper(re.sub(r"^hu", "chu", found.group(0).strip()))
                break
        if position is None and any(m.startswith("KT.") for m in marks):
            position = "Phó " + marks[-1].split(". ", 1)[1]
        if any(m.startswith("KT.") for m in marks) and position and not position.startswith("Phó"):
            position = "Phó " + position
    name = None
    people = [s["name"] for s in doc.quality.get("digital_signatures", []) if upper_share(s["name"]) < 0.6]
    if people:
        name = people[0]
    if name is None:
        signed = _SIGNED.search(key_text)
        if signed:
            offset = signed.start("name")
            flat = "\n".join(line.text for line in region)
            name = flat[offset:signed.end("name")].strip()
    if name is None:
        for line in reversed(region):
            candidate = _RANK.sub("", line.text.split(";")[-1].strip())
            words = candidate.split()
            if 2 <= len(words) <= 4 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words) \
                    and not re.match(r"(noi|ban|so|uy|van|phong|cac|luu)\b", fold(words[0])):
                name = candidate
                break
    if not (marks or position or name):
        return None
    return Signer(name=name, position=position, authority=" / ".join(marks) or None)


def _position_after(flat: str, key_text: str, offset: int) -> str | None:
    """The signer's position: the line in capitals right after the last signing mark
    (``KT. GIÁM ĐỐC`` / ``PHÓ GIÁM ĐỐC``; ``TL. CHỦ TỊCH`` / ``CHÁNH VĂN PHÒNG``)."""
    rest = flat[offset:].split("\n")[1:]
    rest_keys = key_text[offset:].split("\n")[1:]
    for text, key in zip(rest[:6], rest_keys[:6]):
        stripped = text.strip()
        if not stripped:
            continue
        if _AUTHORITY.search(key) or stripped.startswith(("-", "+", "–")) or len(stripped) > 40:
            continue
        letters = sum(ch.isalpha() for ch in stripped)
        if upper_share(stripped) > 0.7 and letters >= 4 and letters >= 0.7 * len(stripped.replace(" ", "")):
            return _proper(" ".join(key.split()), stripped)
        return None
    return None


def _proper(key: str, printed: str | None = None) -> str | None:
    """A signing-block phrase in proper form: ``uy ban nhan dan`` -> ``Ủy ban nhân dân``; from the
    printed capitals where they are given (``CHÁNH VĂN PHÒNG`` -> ``Chánh Văn phòng``)."""
    key = re.sub(r"\s+", " ", key).strip()
    for organ_key, organ in ORGANS:
        if key == organ_key:
            return organ
    for pos_key, pos in POSITIONS:
        if key.replace(" ", "") == pos_key.replace(" ", ""):
            return pos
    table = {"ban thuong vu": "Ban Thường vụ", "ban chi dao": "Ban Chỉ đạo", "ban chap hanh": "Ban Chấp hành"}
    if key in table:
        return table[key]
    if printed and fold(printed).replace(" ", "") == key.replace(" ", "") and upper_share(printed) > 0.7:
        words = printed.lower().split()
        proper = " ".join(words).capitalize()
        # an office or organ named inside a position keeps its capital: "Chánh Văn phòng"
        return re.sub(r"(?<=\s)(văn phòng|ủy ban|ban chỉ đạo)", lambda m: m.group(0).capitalize(), proper)
    return key.capitalize() if key else None


# ---------------------------------------------------------------- stage

def segment(doc: Document) -> Document:
    doc.info = DocumentInfo()
    doc.attached = []
    lines = split_lines(doc.text)
    body_index = parse_header(doc, lines)
    if doc.info.issuer is None:
        infer_issuer_from_preamble(doc, lines)
    closing_start = parse_closing(doc, lines, body_index)
    body_start = lines[body_index].start if body_index < len(lines) else len(doc.text)
    attached = _attached(doc, lines, closing_start)
    if attached is not None:
        # a decision that issues a plan: the outline (and so the tasks) are the plan's
        doc_type, title, plan_index = attached
        plan_lines = lines[plan_index:]
        plan_end = _closing_offset(plan_lines)
        doc.body_span = (plan_lines[0].start if plan_lines else len(doc.text), plan_end)
        doc.sections = parse_outline(doc, plan_lines, plan_end)
        doc.attached = [Attached(doc_type=doc_type, title=title,
                                 section=doc.sections[0].id if doc.sections else None)]
        return doc
    doc.body_span = (body_start, closing_start)
    doc.sections = parse_outline(doc, lines[body_index:], closing_start)
    return doc


# "Ban hành kèm theo Quyết định này Kế hoạch ..." (key form): the decision issues a document.
_ISSUES = re.compile(r"ban\s+hanh\s+kem\s+theo\s+(?:quyet\s+dinh|nghi\s+quyet|chi\s+thi)\s+nay\s+(?P<type>[a-z ]{2,30})")


def _attached(doc: Document, lines: list[Line], closing_start: int) -> tuple[str, str | None, int] | None:
    """(type, title, index of its first body line) of the document a decision issues, where the
    text holds it after the decision: its type line in capitals after the decision's closing
    block (or after its articles), then its title."""
    if doc.info.doc_type not in ("Quyết định", "Nghị quyết", "Chỉ thị"):
        return None
    key = " ".join(line.key for line in lines[:200])
    issued = _ISSUES.search(re.sub(r"\s+", " ", key))
    if issued is None:
        return None
    wanted = max((k for k in header.DOC_TYPES if issued["type"].startswith(k + " ")), key=len, default=None)
    if wanted is None:
        return None
    start = next((i for i, line in enumerate(lines) if line.start >= closing_start), None)
    if start is None:
        return None
    for i in range(start, len(lines)):
        k = " ".join(lines[i].key.strip(" #:").split())
        if k == wanted and upper_share(lines[i].text) > 0.7:
            title, end = header.title_after([line.text for line in lines], i + 1)
            return header.DOC_TYPES[wanted], title, end
    return None


def _closing_offset(lines: list[Line]) -> int:
    """Where the closing block of ``lines`` begins (``Nơi nhận:`` or the signing marks), else their end."""
    for line in lines:
        if _RECIPIENTS.match(line.key.strip()) or (_AUTHORITY.match(line.key.strip()) and upper_share(line.text) > 0.5):
            return line.start
    return lines[-1].end if lines else 0


def title_similarity(a: str | None, b: str | None) -> float:
    if a is None or b is None:
        return 100.0 if a == b else 0.0
    return fuzz.ratio(ocr_key(a), ocr_key(b))
