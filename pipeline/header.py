"""The header of an administrative document, read by the layout Nghị định 30/2020/NĐ-CP (Phụ lục I)
gives every type: top left the issuer (the parent organ over the issuing one) and ``Số: …``; top
right the national motto and ``<place>, ngày … tháng … năm …``; then the type and its title
(``KẾ HOẠCH`` + trích yếu), or for a letter (công văn) a ``V/v …`` subject under the number; then
``Kính gửi:``.

The readers put the two top blocks one after the other (left column, then right), and plain text
may still hold them interleaved on one line (``UY BAN NHAN DAN CONG HOA XA HOI…``, seeds 001, 002,
004); the patterns below read the header region as one string, on the OCR-tolerant key
(:func:`pipeline.vntext.skey`, one character per character, so every match is an offset into the
text), and so hold for both. A draft's blank number or day gives a null ``number``/``date`` with
``symbol``/``year``/``month`` kept; an incoming-document stamp (``ĐẾN Số: 1614``) is never the
number.
"""

from __future__ import annotations

import datetime as dt
import re

from dictionaries.agencies import ABBREVIATIONS, LOCAL_HEADS, NATIONAL
from dictionaries.places import UNITS, places, provinces
from pipeline.vntext import fold, skey, upper_share
from schemas import DocumentInfo

# Document types by key, the longest first where one begins another ("bao cao de xuat").
DOC_TYPES = {
    "bao cao de xuat": "Báo cáo đề xuất", "ke hoach": "Kế hoạch", "chuong trinh": "Chương trình",
    "quyet dinh": "Quyết định", "de an": "Đề án", "bao cao": "Báo cáo", "huong dan": "Hướng dẫn",
    "chi thi": "Chỉ thị", "nghi quyet": "Nghị quyết", "thong bao": "Thông báo", "phuong an": "Phương án",
    "ket luan": "Kết luận", "cong van": "Công văn", "to trinh": "Tờ trình", "dieu le": "Điều lệ",
    "de cuong": "Đề cương", "phu luc": "Phụ lục", "tham luan": "Tham luận", "quy che": "Quy chế",
    "quy dinh": "Quy định", "phieu trinh": "Phiếu trình", "bien ban": "Biên bản", "danh sach": "Danh sách",
    "cong dien": "Công điện", "giay moi": "Giấy mời", "lenh": "Lệnh", "thong tu": "Thông tư",
    "nghi dinh": "Nghị định",
}
# The motto block: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ĐẢNG CỘNG SẢN VIỆT NAM".
_MOTTO = re.compile(r"c\s*o\s*n\s*g\s*h\s*o\s*a\s*x\s*a\s*h\s*o\s*i\s*c\s*h\s*u\s*n\s*g\s*h\s*i\s*a\s*v\s*i\s*e\s*t\s*n\s*a\s*m"
                    r"|\S{2,4}\s+l\S{1,2}p\s*-\s*t\S{0,2}\s*do\s*-\s*h\S{1,2}nh\s*ph\S{1,2}c"
                    r"|dang\s+cong\s+san\s+viet\s+nam")
# "Số: 93/KH-UBND", "So 3197/KH-UBND", a draft's "Số:      /UBND-NC" (the number left blank), the
# blank and the symbol on two lines (a Word header whose number sits in its own cell).
_NUMBER = re.compile(r"(?<![a-z])so\s*[:.]?\s*(?P<num>[^\s/]{1,6})?\s*/\s*(?P<sym>[a-z0-9][a-z0-9\-/.()&]*[a-z0-9)])")
# A line that begins with the number ("Số: …", OCR'd "Số. …", a handwritten number OCR could not read).
_NUMBER_LINE = re.compile(r"^\s*so\s*[:.]")
# The incoming-document stamp a scan may carry: "ĐẾN Số: 1614 Ngày: ...".
_STAMP = re.compile(r"den\s*$")
# "Hà Nội, ngày 06 tháng 10 năm 2025"; the day or month may be blank in a draft; OCR'd "ngay 31thang".
# A handwritten day or month OCR cannot read leaves a mark or two there: the date is then null.
_DATE = re.compile(r"ngay\s*(?:(?P<d>[0-9lo|]{1,2})(?=\s*thang)|\S{1,3})?\s*thang\s*(?:(?P<m>[0-9lo|/]?[0-9lo])(?=\s*n)|\S{1,3})?\s*"
                   r"n[a-z]{0,3}m\s*(?P<y>(?:19|20)\d\d)")
# A letter's subject: "V/v triển khai …" (OCR: "V/V", "Vív").
_SUBJECT = re.compile(r"^[ \t]*v\s*[/.]\s*v\b\.?[ \t]*", re.M)
# "Kính gửi:" (OCR: "Kinh gui").
_ADDRESSEES = re.compile(r"^[ \t]*kinh\s*gui\s*:?", re.M)
# Where a title or subject ends: the preamble, the addressees, or the body's first outline item.
_TITLE_END = re.compile(r"^(thu\S{0,2}\s+hi\S{0,3}n|can\s+cu|theo\s+de\s+nghi|xet\s+de\s+nghi|kinh\s*gui|-{3,}|"
                        r"\(\s*(?:ban\s+hanh\s+)?kem\s+theo|"
                        r"(?:[ivx]+|\d+)\s*[.)]\s)")
HEADER_LINES = 60
# Organ nouns that begin a name of their own: a second line starting so is the issuing organ under
# its parent ("UBND TỈNH LÂM ĐỒNG" / "SỞ NỘI VỤ"); other second lines continue the first.
_ORGAN_NOUNS = ("so", "cuc", "ban", "van phong", "cong an", "phong", "trung tam", "chi cuc", "vu", "dang uy",
                "hoi", "doan", "tong cuc", "bo", "uy ban", "thanh tra", "truong", "benh vien", "bo chi huy",
                "tinh uy", "thanh uy", "huyen uy", "chi bo", "to", "doi")


def parse(lines: list[str]) -> tuple[DocumentInfo, int]:
    """The header of a document whose lines (in reading order) are ``lines``, and the index of the
    first line after it (after the title, the subject or the addressees)."""
    first = header_start(lines)
    header, body_line = _parse(lines[first:])
    return header, first + body_line


# Lines a header's top block may hold before the motto: the issuer (up to four), a rule, the number
# and a letter's subject (two or three); more mean something else stands before the header.
_HEADER_TOP = 9
_RULE = re.compile(r"^[-_=*.\s]+$")


def header_start(lines: list[str]) -> int:
    """The line the header begins on. It is the first line, but for text saved from a legal
    database's web page, whose notices and summary table ("Số hiệu:", "Loại văn bản:", "Tình
    trạng:") come first: then the header is the block of capitals (the issuer), rules and number
    standing right above the national motto."""
    nonblank = 0
    for motto, line in enumerate(lines[:HEADER_LINES]):
        if _MOTTO.search(skey(line)):
            break
        nonblank += bool(line.strip())
    else:
        return 0
    if nonblank <= _HEADER_TOP:
        return 0
    start = motto
    while start > 0:
        line = lines[start - 1].strip()
        if line and not _RULE.match(line) and upper_share(line) < 0.7 and not _NUMBER_LINE.match(skey(line)):
            break
        start -= 1
    block = [line for line in lines[start:motto] if line.strip() and not _RULE.match(line.strip())]
    before = [skey(line) for line in lines[:start]]
    if start == 0 or not any(upper_share(line) >= 0.7 for line in block) or any(
            _NUMBER_LINE.match(k) or _SUBJECT.match(k) for k in before):
        return 0   # (the top block itself, read so, or a letter whose number and subject came first)
    return start


def _parse(lines: list[str]) -> tuple[DocumentInfo, int]:
    header = DocumentInfo()
    body_line = 0
    region = lines[:HEADER_LINES]
    text = "\n".join(region)
    key = skey(text)
    starts = [0]
    for line in region:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return max(i for i, s in enumerate(starts) if s <= offset)

    type_index = _type_line(region)
    limit = starts[type_index] if type_index is not None else len(text)

    def printed_as_number(m: re.Match) -> bool:
        # "Số:" begins its line, or follows the issuer's capitals on an interleaved one; never a
        # stamp's "ĐẾN Số:" or a "Luật số 163/2024/QH15" in the text
        before = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        return not _STAMP.search(key[max(0, m.start() - 8):m.start()]) and (
            not before.strip() or upper_share(before) > 0.7)

    number = next((m for m in _NUMBER.finditer(key, 0, limit) if printed_as_number(m)), None)
    if number is None and type_index is not None:
        number = next((m for m in _NUMBER.finditer(key, 0, starts[min(type_index + 4, len(region))])
                       if printed_as_number(m)), None)
    if number:
        sym = text[number.start("sym"):number.end("sym")]
        header.symbol = "/" + sym
        num = number["num"] or ""
        if num.isdigit():
            header.number = f"{num}/{sym}"
    # digits kept as printed (the OCR key reads a digit glued to a word as a letter: "ngày24")
    digits_key = fold(text).lower() if len(fold(text)) == len(text) else key
    date = _DATE.search(digits_key, 0, limit if type_index is not None else starts[min(25, len(region))])
    if date:
        day, month, year = (_int(date[g]) for g in ("d", "m", "y"))
        if year is None:
            year = _int(key[date.start("y"):date.end("y")])
        header.year, header.month = year, month
        if day and month and year:
            try:
                header.date = dt.date(year, month, day)
            except ValueError:
                header.date = None
        header.place = _place(text, key, date.start())
    number_line = next((i for i, line in enumerate(region[:type_index]) if _NUMBER_LINE.match(skey(line))), None)
    top = min(x for x in (number_line, line_of(number.start()) if number and number.start() < limit else None,
                          type_index, 8 if type_index is None else None) if x is not None)
    header.issuer = _issuer(region[:top])
    # double-spaced text (a blank line after every line, as OCR'd seeds are) does not end a title at a blank
    blank_breaks = sum(not line.strip() for line in region) < 0.3 * max(len(region), 1)

    if type_index is not None:
        header.doc_type = _doc_type(region[type_index])
        header.title, end = _block_after(region, type_index + 1, blank_breaks=blank_breaks)
        body_line = end
    subject = next((m for m in _SUBJECT.finditer(key) if m.start() < (starts[type_index] if type_index else len(key))), None)
    if subject:
        first = line_of(subject.start())
        lines_after = [region[first][subject.end() - starts[first]:], *region[first + 1:]]
        header.subject, end = _block_after(lines_after, 0, subject=True, blank_breaks=blank_breaks)
        if header.doc_type is None:
            header.doc_type = "Công văn"
            body_line = max(body_line, first + end)
    addressees = _ADDRESSEES.search(key, starts[body_line] if body_line < len(starts) else 0)
    if addressees is None:
        addressees = _ADDRESSEES.search(key)
    if addressees and line_of(addressees.start()) < len(region) - 1:
        first = line_of(addressees.start())
        names, end = _addressees(region, first, addressees.end() - starts[first])
        header.addressees = names
        body_line = max(body_line, end)
    return header, body_line


def _int(value: str | None) -> int | None:
    if not value:
        return None
    value = value.replace("l", "1").replace("/", "1").replace("|", "1").replace("o", "0")
    return int(value) if value.isdigit() else None


def _type_line(region: list[str]) -> int | None:
    """The line naming the document's type in capitals (``KẾ HOẠCH``, ``TỜ TRÌNH``), in the header:
    before ``Kính gửi:`` and within its first 25 lines of text (a letter's attached ``DANH SÁCH``
    is not its type)."""
    seen = 0
    for i, line in enumerate(region):
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        k = " ".join(re.sub(r"\(.*?\)", " ", skey(stripped)).strip(" :").split())
        if seen > 25 or _ADDRESSEES.match(k):
            return None
        if upper_share(stripped) < 0.7:
            continue
        for type_key in DOC_TYPES:
            if k == type_key or (k.startswith(type_key + " ") and len(k.split()) <= len(type_key.split()) + 3
                                 and not _MOTTO.search(k)):
                return i
    return None


def _doc_type(line: str) -> str:
    k = " ".join(re.sub(r"\(.*?\)", " ", skey(line.strip())).strip(" :").split())
    return next(name for type_key, name in DOC_TYPES.items() if k == type_key or k.startswith(type_key + " "))


def _block_after(lines: list[str], i: int, subject: bool = False, blank_breaks: bool = True) -> tuple[str | None, int]:
    """A title or subject: the lines from ``i`` up to a blank line (after the first), the preamble
    or the addressees; return it joined, and the index of the line after it."""
    parts: list[str] = []
    while i < len(lines) and len(parts) < 8:
        line = lines[i].strip()
        k = skey(line)
        if not line:
            if parts and blank_breaks:
                break
            i += 1
            continue
        if (parts or k.startswith("kinh")) and _TITLE_END.match(k):
            break
        if parts and not subject and _is_authority_line(line, k, lines, i + 1):
            break
        if _MOTTO.search(k) or (subject and (_DATE.search(k) or _NUMBER_LINE.match(k))):
            break
        if subject and parts and upper_share(line) > 0.7:
            break
        parts.append(line)
        i += 1
    title = re.sub(r"\s+", " ", " ".join(parts)).strip(" ;,") or None
    if title and title.startswith("(") and title.endswith(")"):
        title = title[1:-1].strip()
    return title, i


# Who issues a decision, printed in capitals between its title and its preamble (Nghị định 30,
# Mẫu 1.1: "QUYẾT ĐỊNH / Về việc … / ỦY BAN NHÂN DÂN TỈNH SƠN LA / Căn cứ …").
_AUTHORITY_LINE = re.compile(r"^(?:chu tich |bo truong |giam doc |thu truong )?(?:uy ban nhan dan|hoi dong nhan dan|"
                             r"chinh phu|thu tuong|ban thuong vu|ban chap hanh|bo |so |cuc |tong cuc )")
_PREAMBLE = re.compile(r"^(can\s+cu|theo\s+de\s+nghi|xet\s+de\s+nghi)")


def _is_authority_line(line: str, key: str, lines: list[str], after: int) -> bool:
    """Whether ``line`` names the authority that issues the decision: in capitals, an organ or its
    head, and followed by the preamble."""
    if upper_share(line) < 0.7 or not _AUTHORITY_LINE.match(key):
        return False
    following = next((l.strip() for l in lines[after:after + 3] if l.strip()), "")
    return bool(_PREAMBLE.match(skey(following)))


def title_after(lines: list[str], i: int) -> tuple[str | None, int]:
    """The title printed from line ``i`` (after a type line), and the index of the line after it."""
    region = lines[i:i + 12]
    blank_breaks = sum(not line.strip() for line in region) < 0.3 * max(len(region), 1)
    title, end = _block_after(lines, i, blank_breaks=blank_breaks)
    return title, end


# a line of an addressees list at least this share of the list's longest that ends without
# punctuation was cut at the margin: the next line goes on with it
WRAPPED_SHARE, WRAPPED_MIN = 0.8, 40   # (and this long: "- Sở Y tế" / "- Sở Nội vụ" were not cut)


def _addressees(region: list[str], first: int, col: int) -> tuple[list[str], int]:
    """The ``Kính gửi:`` list: what follows the colon on its line, and the ``- …;`` lines after it."""
    names: list[str] = []
    rest = region[first][col:].strip(" :")
    if rest:
        names.extend(p for p in re.split(r";\s*", rest) if p.strip())
    i = first + 1
    while i < len(region):
        line = region[i].strip()
        if not line:
            following = next((l.strip() for l in region[i + 1:] if l.strip()), "")
            if names and not (names[-1].rstrip().endswith((";", ",")) and following.startswith(("-", "+", "–", "•"))):
                break   # (a blank line inside the list, after an item that says more follow, is spacing)
            i += 1
            continue
        previous = region[i - 1].rstrip()
        # a line of the list nearly as long as its longest, ending without punctuation, was cut at
        # the margin (judged from the second line on: one line alone says nothing of the margin)
        cut = i - 1 > first and len(previous) >= max(WRAPPED_MIN, WRAPPED_SHARE * max(len(l.rstrip())
                                                                                  for l in region[first:i])) \
            and not previous.endswith((";", ".", ":"))
        wrapped = bool(names) and (names[-1].rstrip().endswith(",") or line[:1].islower() or cut)
        if names and not line.startswith(("-", "+", "–", "•")) and wrapped:
            names[-1] = f"{names[-1].rstrip()} {line}"   # an item wrapped onto the next line
            i += 1
            continue
        if line.startswith(("-", "+", "–", "•")) or (not names and len(line) < 120):
            names.append(line)
            i += 1
            if not line.startswith(("-", "+", "–", "•")) and not re.search(r"[;,]$", line):
                break
            continue
        break
    cleaned = [re.sub(r"\s+", " ", n).strip(" -–•+;.,") for n in names]
    return [n for n in cleaned if n], i


def _place(text: str, key: str, date_start: int) -> str | None:
    """The place printed before ``, ngày``: on the same line, or the line above when the date line
    begins with ``ngày``."""
    line_start = text.rfind("\n", 0, date_start) + 1
    before = text[line_start:date_start].strip().rstrip(",").strip()
    if not before:
        prev_end = line_start - 1
        prev_start = text.rfind("\n", 0, max(prev_end, 0)) + 1
        before = text[prev_start:max(prev_end, prev_start)].strip().rstrip(",").strip()
    # the number or the motto may share the line (interleaved columns)
    k = skey(before)
    for pattern in (_NUMBER, _MOTTO):
        cut = None
        for m in pattern.finditer(k):
            cut = m.end()
        if cut is not None:
            before = before[cut:].strip(" ,")
            k = skey(before)
    before = re.sub(r"^/\S+\s+", "", before)
    if not before or len(before) > 40:
        return None
    folded = fold(before).strip(" ,.")
    return places().get(folded) or provinces().get(folded) or before


# ---------------------------------------------------------------------------------------------
# The issuer


def _issuer(lines: list[str]) -> str | None:
    """The issuing organ from the header's top-left block: the capitals before ``Số:``, the motto
    taken out (``ỦY BAN NHÂN DÂN`` + ``TỈNH LÂM ĐỒNG``; ``UBND TỈNH LÂM ĐỒNG`` over ``SỞ NỘI VỤ``)."""
    parts: list[str] = []
    for line in lines:
        k = skey(line)
        if _NUMBER_LINE.match(k):
            break
        motto = _MOTTO.search(k)
        piece = (line[:motto.start()] if motto else line).strip()
        if not piece or upper_share(piece) < 0.7 or len(piece) < 2:
            if parts and motto is None and piece and upper_share(piece) < 0.7:
                break
            continue
        if re.search(r"\d{2}[:/]\d{2}", piece) or _type_line([piece]) is not None:
            continue  # a stamp's or signature's date and time; the type line
        parts.append(piece)
        if len(parts) == 4:
            break
    if not parts:
        return None
    # each line is a new organ when it starts with an organ noun; else it continues the one above
    organs: list[str] = []
    for part in parts:
        folded = _expand(fold(part))
        if organs and not any(folded == n or folded.startswith(n + " ") for n in _ORGAN_NOUNS):
            organs[-1] += " " + part
        else:
            organs.append(part)
    issuing = organ_name(organs[-1])
    parent = organ_name(organs[0]) if len(organs) > 1 else None
    if parent and issuing and not _has_locality(issuing):
        locality = _locality_of(parent)
        if locality and (fold(issuing).startswith(("so ", "cong an", "van phong", "ban ", "hoi ", "doan ")) ):
            issuing = f"{issuing} {locality}"
    return issuing


def _expand(folded: str) -> str:
    return " ".join(ABBREVIATIONS.get(w, w) for w in folded.split())


def _has_locality(name: str) -> bool:
    folded = fold(name)
    return any(f" {unit} " in f" {folded} " for unit in UNITS)


def _locality_of(name: str) -> str | None:
    folded = fold(name)
    for unit in sorted(UNITS, key=len, reverse=True):
        m = re.search(rf"\b{unit} (.+)$", folded)
        if m:
            start = len(name) - len(m.group(1))
            return f"{UNITS[unit]} {name[start:]}"
    return None


def _known_names() -> dict[str, str]:
    names = {fold(n): n for n in NATIONAL}
    names.update({fold(n): n for n in LOCAL_HEADS})
    return names


def organ_name(printed: str) -> str | None:
    """An organ's name as printed in capitals, in its proper form: ``UBND TỈNH LÂM ĐỒNG`` ->
    ``Ủy ban nhân dân tỉnh Lâm Đồng``; ``CỤC CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY`` -> ``Cục Cảnh sát
    điều tra tội phạm về ma túy``. Known names come from the agency gazetteer; a locality from the
    place gazetteer; the rest is written as Vietnamese writes organ names: the organ noun and the
    first word of its proper name capitalised."""
    words = printed.split()
    if not words:
        return None
    # expand abbreviations word by word, keeping the printed words otherwise
    expanded: list[str] = []
    for w in words:
        folded = fold(w)
        if folded in ABBREVIATIONS and w.isupper():
            full = _abbreviation_words(folded)
            expanded.extend(full)
        else:
            expanded.append(w.lower())
    folded_words = [fold(w) for w in expanded]
    known = _known_names()
    head, n_head = None, 0
    for n in range(len(expanded), 0, -1):
        name = known.get(" ".join(folded_words[:n]))
        if name:
            head, n_head = name, n
            break
    rest = expanded[n_head:]
    if head is None:
        head_words = expanded[:1]
        rest = expanded[1:]
        head = head_words[0].capitalize()
        noun = next((n for n in sorted(_ORGAN_NOUNS, key=len, reverse=True)
                     if " ".join(folded_words[:len(n.split())]) == n), None)
        if noun and len(noun.split()) > 1:
            k = len(noun.split())
            head = " ".join([expanded[0].capitalize(), *expanded[1:k]])
            rest = expanded[k:]
        if rest and fold(rest[0]) not in UNITS and not any(fold(" ".join(rest[:2])) == u for u in UNITS):
            rest = [rest[0].capitalize(), *rest[1:]]
    tail = _with_locality(rest)
    return f"{head} {tail}".strip() if tail else head


def _abbreviation_words(folded: str) -> list[str]:
    full = ABBREVIATIONS[folded]
    proper = {"uy ban nhan dan": "ủy ban nhân dân", "hoi dong nhan dan": "hội đồng nhân dân",
              "ban chi dao": "ban chỉ đạo", "mat tran to quoc": "mặt trận tổ quốc",
              "uy ban mat tran to quoc": "ủy ban mặt trận tổ quốc", "van phong uy ban nhan dan": "văn phòng ủy ban nhân dân",
              "so noi vu": "sở nội vụ", "so y te": "sở y tế", "thanh pho": "thành phố"}
    return proper.get(full, full).split()


def _with_locality(words: list[str]) -> str:
    """``tỉnh lâm đồng`` -> ``tỉnh Lâm Đồng``; other words as they are."""
    folded = [fold(w) for w in words]
    for i in range(len(words)):
        for unit in sorted(UNITS, key=len, reverse=True):
            n = len(unit.split())
            if " ".join(folded[i:i + n]) == unit and i + n < len(words):
                place_key = " ".join(folded[i + n:])
                place = places().get(place_key) or provinces().get(place_key)
                if place is None:
                    place = " ".join(w.capitalize() for w in words[i + n:])
                return " ".join([*words[:i], UNITS[unit], place])
    return " ".join(words)


__all__ = ["parse", "organ_name", "title_after", "DOC_TYPES"]
