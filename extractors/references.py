"""References: every citation of another document (SPEC §4 ``references``).

Three symbol grammars (Nghị định 30/2020 for administrative documents, the Luật ban hành VBQPPL for
normative ones, Quy định 399-QĐ/TW for Party documents; ``../shared/reference/vn_conventions.json``):

    normative        01/2022/TT-BYT, 22/2021/QĐ-UBND, 64/2025/QH15
    Party            149-KL/TW, 16-KH/TU, 78-CTr/TU, 14-KH/ĐU
    administrative   1745/QĐ-TTg, 1220/TTr-SYT, 135/CDS-KHTC (no type code: a công văn)

OCR variants are matched with optional spaces (``149- KL/TW``) and canonicalised (``QD`` -> ``QĐ``,
``BU``/``PU``/``DU`` -> ``ĐU``). The type, date and issuer around the symbol are read from the text
before and after it. Documents cited by name alone (``Luật Thủ đô``, ``Chiến lược Dân số Việt Nam
đến năm 2030``) are references with ``title`` and no symbol.
"""

from __future__ import annotations

import re
from datetime import date

from extractors.agencies import canonical_agency
from pipeline.document import Document
from pipeline.ocr_damage import D_READ_AS, Q_READ_AS
from pipeline.vntext import fold, has_diacritics, skey
from schemas import Reference

# Type codes of Nghị định 30/2020 Phụ lục III and Quy định 399-QĐ/TW -> full type name.
TYPE_CODES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QyĐ": "Quy định",
    "QĐi": "Quy định", "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình",
    "KH": "Kế hoạch", "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản",
    "TTr": "Tờ trình", "HĐ": "Hợp đồng", "CĐ": "Công điện", "BGN": "Bản ghi nhớ", "KL": "Kết luận",
    "TT": "Thông tư", "NĐ": "Nghị định", "TTr-": "Tờ trình", "TT-": "Thông tư", "L": "Luật", "PL": "Pháp lệnh",
    "TTg": "Quyết định", "CV": "Công văn", "TTLT": "Thông tư liên tịch", "NQLT": "Nghị quyết liên tịch",
}
# Codes whose Đ OCR (or a keyboard without Vietnamese) loses: folded -> canonical.
_CANONICAL_CODES = {
    "qd": "QĐ", "nd": "NĐ", "du": "ĐU", "bu": "ĐU", "pu": "ĐU", "duk": "ĐUK", "hdnd": "HĐND", "qdi": "QĐi",
    "qyd": "QyĐ", "cd": "CĐ", "bgddt": "BGDĐT", "sgddt": "SGDĐT", "da": "ĐA", "ttg": "TTg", "ttr": "TTr",
    "ctr": "CTr", "bcsd": "BCSĐ", "hd": "HD", "dct": "ĐCT",
}
# ... and the OCR of QĐ (``pipeline.ocr_damage``): the Đ read as P or B, the Q as O or 0
_CANONICAL_CODES |= {q + d: "QĐ" for q in "q" + Q_READ_AS for d in "d" + D_READ_AS}
# A document type named before its symbol, folded -> canonical.
TYPE_WORDS = {fold(name): name for name in [
    "Kế hoạch", "Kết luận", "Nghị quyết", "Quyết định", "Chỉ thị", "Tờ trình", "Thông tư", "Công văn",
    "Chương trình", "Nghị định", "Thông báo", "Báo cáo", "Hướng dẫn", "Quy định", "Luật", "Đề án",
    "Chiến lược", "Công điện", "Thông tri", "Quy chế", "Pháp lệnh", "Thông tư liên tịch", "Văn bản",
]}

_CODE = r"[A-ZĐ0][A-Za-zĐđ]{0,5}"
_ISSUER = r"[A-ZĐ][A-Za-zĐđ0-9]{0,9}(?:\s?-\s?[A-ZĐ][A-Za-zĐđ0-9]{0,9}){0,2}"
NORMATIVE = re.compile(rf"(?<![\d/])(\d{{1,4}})\s?/\s?((?:19|20)\d\d)\s?/\s?({_CODE}\d*)(?:\s?-\s?({_ISSUER}))?(?![\w/])")
PARTY = re.compile(rf"(?<![\d/])(\d{{1,5}})\s?-\s?({_CODE})\s?/\s?({_CODE}(?:-{_CODE})?)(?![\w/])")
ADMIN = re.compile(rf"(?<![\d/])(\d{{1,5}})\s?/\s?({_CODE})\s?-\s?({_ISSUER})(?![\w/])")

# "số" (also as OCR leaves it: "sé", "sd") and one or two digits cut off the number that follows
_SPLIT_NUMBER = re.compile(r"\bs[a-z]?\s+(\d{1,2})\s$")
_TYPE_BEFORE = re.compile(r"(" + "|".join(sorted((re.escape(k) for k in TYPE_WORDS), key=len, reverse=True))
                          + r")\s*(?:s[a-z]?\s*)?[:.]?\s*$")  # "số", also OCR-d "sé", "sd"
_DATE_AFTER = re.compile(r"^[\s,(]*(?:ban hanh\s*)?ngay\s*(\d{1,2})\s*(?:[/.-]|\s*thang\s*)\s*(\d{1,2})"
                         r"\s*(?:[/.-]|\s*nam\s*)\s*((?:19|20)\d\d)")
_OF = re.compile(r"^[\s,)]*cua\s+")
_ISSUER_END = re.compile(r"\s+(?:ve|va|tai|nham|theo|de|sau day|ngay|da|trong|,)\s|[,;:.()\n]")

# Names cited without a symbol: national strategies and programmes, whose names end with their
# horizon ("... đến năm 2030", "... giai đoạn 2026-2035"). Local programmes and schemes named the
# same way are too often descriptions rather than citations, so they are left out.
# Matched on the key, so that they hold on unrestored text; the name must start with a capital.
_NAMED = re.compile(
    r"(?<![\w])(chien lu[a-z]{2,3}|chuong trinh(?=\s+muc\s+tieu\s+qu[a-z]{1,3}\s+gia))\s+"  # OCR: luge, qudc
    r"([^.;:()]{3,200}?(?:den\s+nam\s+\d{4}|giai\s+doan\s+\d{4}\s?-\s?\d{4}))")
_LOCALLY = re.compile(r" tren dia ban(?: (?:xa|phuong|huyen|tinh|thanh pho|ca nuoc))?(?= (?:giai doan|den nam) )")
# (the name is looked at ahead, not taken: a second law after a comma is matched on its own)
_LAW = re.compile(r"(?<![\w])(bo luat|luat)\s+(?=([^\s,.;:()]+(?:,?\s+[^\s,.;:()]+){0,8}))")


def extract_references(doc: Document) -> Document:
    text = doc.text
    key = skey(text)
    own = getattr(doc.info, "number", None)
    found: list[dict] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (("normative", NORMATIVE), ("party", PARTY), ("administrative", ADMIN)):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            symbol, doc_type = _canonical_symbol(kind, match)
            start, number = match.start(), match.group(1)
            split = _SPLIT_NUMBER.search(key[max(0, start - 12):start])
            if symbol and split:
                # "Quyết định số 11 72/0D-UBND": OCR put a space inside the number
                number = split.group(1) + number
                symbol = split.group(1) + symbol
                start -= len(split.group(0)) - split.group(0).index(split.group(1))
            if symbol is None or symbol == own:
                continue
            before = _TYPE_BEFORE.search(key[max(0, start - 40):start])
            if before:
                doc_type = TYPE_WORDS[before.group(1)]
                start = start - (len(key[max(0, start - 40):start]) - before.start())
            taken.append((match.start(), match.end()))
            item = {"text": text[start:match.end()], "span": [start, match.end()], "doc_type": doc_type,
                    "number": number, "symbol": symbol, "date": None, "issuer": None,
                    "normalized_id": symbol, "title": None}
            end = _read_date_and_issuer(text, key, match.end(), item, doc)
            item["text"], item["span"] = text[start:end], [start, end]
            found.append(item)
    found.extend(_named_references(text, key, taken))
    found.sort(key=lambda r: r["span"][0])
    doc.references = [Reference(**item) for item in found]
    return doc


def _canonical_symbol(kind: str, match: re.Match[str]) -> tuple[str | None, str | None]:
    if kind == "normative":
        number, year, code, issuer = match.groups()
        code = _code(code)
        if issuer:
            return f"{int(number):02d}/{year}/{code}-{_issuer(issuer)}", TYPE_CODES.get(code, "Văn bản")
        if not re.match(r"^(QH|UBTVQH)\d+$", code):
            return None, None
        return f"{int(number):02d}/{year}/{code}", "Luật"
    if kind == "party":
        number, code, issuer = match.groups()
        code, issuer = _code(code), _issuer(issuer)
        if code not in TYPE_CODES:
            return None, None
        return f"{number}-{code}/{issuer}", TYPE_CODES[code]
    number, code, issuer = match.groups()
    code, issuer = _code(code), _issuer(issuer)
    if code not in TYPE_CODES or code in ("TTg",):
        # no type code: a công văn whose symbol is issuer-unit (135/CDS-KHTC)
        return f"{number}/{code}-{issuer}", "Công văn"
    return f"{number}/{code}-{issuer}", TYPE_CODES[code]


def _code(code: str) -> str:
    return _CANONICAL_CODES.get(fold(code), code if code in TYPE_CODES else code.upper() if len(code) <= 2 else code)


def _issuer(issuer: str) -> str:
    """Issuer codes, OCR undone: ``DU`` -> ``ĐU``, ``OMDS`` -> ``QMDS`` (no code starts with O)."""
    parts = re.split(r"\s?-\s?", issuer.strip())
    return "-".join(_CANONICAL_CODES.get(fold(p), "Q" + p[1:] if p[:1] in "O0" and len(p) > 2 else p)
                    for p in parts)


def _read_date_and_issuer(text: str, key: str, end: int, item: dict, doc: Document) -> int:
    tail = key[end:end + 200]
    match = _DATE_AFTER.match(tail)
    if match:
        day, month, year = (int(x) for x in match.groups())
        try:
            item["date"] = date(year, month, day).isoformat()
            end += match.end()
            tail = key[end:end + 200]
        except ValueError:
            pass
    of = _OF.match(tail)
    if of:
        rest = key[end + of.end():end + of.end() + 120]
        stop = _ISSUER_END.search(rest)
        length = stop.start() if stop else len(rest)
        raw = text[end + of.end():end + of.end() + length].strip()
        name = canonical_agency(raw, doc) if raw else None
        if name:
            item["issuer"] = name
            end = end + of.end() + length
    return end


def _named_references(text: str, key: str, taken: list[tuple[int, int]]) -> list[dict]:
    """References cited by name (``key``: ``skey(text)``)."""
    found = []
    for pattern in (_NAMED, _LAW):
        for match in pattern.finditer(key):
            start, end = match.start(), match.end()
            national_programme = match.group(1).startswith("chuong")
            if not text[start].isupper() or not (national_programme or text[match.start(2)].isupper()):
                continue
            if pattern is _LAW:
                length = _law_name_length(key[match.start(2):match.end(2)], text[match.start(2):match.end(2)])
                if not length:
                    continue
                end = match.start(2) + length
            if any(s < end and start < e for s, e in taken):
                continue
            title = re.sub(r"\s+", " ", text[start:end]).strip()
            title = re.sub(r"(\d{4})\s?-\s?(\d{4})$", r"\1-\2", title)
            if pattern is _NAMED:
                # "Chương trình mục tiêu quốc gia ... trên địa bàn xã giai đoạn 2026-2035": the
                # national programme, carried out locally; the locality is no part of its name
                local = _LOCALLY.search(skey(title))
                title = title[:local.start()] + title[local.end():] if local else title
            taken.append((start, end))
            doc_type = "Luật" if pattern is _LAW else "Chiến lược" if match.group(1).startswith("chien") else \
                "Chương trình"
            found.append({"text": text[start:end], "span": [start, end], "doc_type": doc_type, "number": None,
                          "symbol": None, "date": None, "issuer": None, "normalized_id": None, "title": title})
    return found


def _law_name_length(words: str, printed: str) -> int:
    """``ngan sach nha nuoc nam 2015 va`` -> the length of ``ngan sach nha nuoc``: the name runs until a
    word that starts the rest of the sentence. A comma goes on with the name where the word after it
    is in lower case, as the names of laws are written (``Luật Phòng, chống ma túy``, ``Luật Trật tự,
    an toàn giao thông đường bộ``), and ends it before a capital (``Luật Đất đai, Luật Nhà ở``). Where
    most words carry their marks a stop word is one as printed: ``thiên tai`` goes on, ``tại`` stops;
    ``Thi đua`` is no ``thì``; in OCR'd or stripped text the key decides."""
    end = 0
    printed_words = printed.split()
    marked = sum(map(has_diacritics, printed_words)) >= 0.5 * len(printed_words)   # (not OCR'd or stripped)
    for match in re.finditer(r"[^\s,]+", words):
        word = match.group(0)
        as_printed = printed[match.start():match.end()].lower()
        if word[0].isdigit() or word in _LAW_STOP and (not marked or as_printed == _LAW_STOP[word]):
            break
        if "," in words[end:match.start()] and not printed[match.start()].islower():
            break
        end = match.end()
    return end


_LAW_STOP = {   # key -> the word as printed
    "so": "số", "nam": "năm", "va": "và", "ve": "về", "cua": "của", "ngay": "ngày", "da": "đã", "duoc": "được",
    "theo": "theo", "tai": "tại", "nhu": "như", "thi": "thì", "la": "là", "co": "có", "sua": "sửa", "hien": "hiện",
    "hanh": "hành", "quy": "quy", "de": "để", "trong": "trong", "cac": "các", "nhung": "những", "voi": "với"}
