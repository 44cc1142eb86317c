"""Deadlines: time expressions that bound work, resolved to ISO dates (SPEC §4 ``deadlines``).

Phrasings follow ``deadline_patterns`` in ``../shared/reference/vn_conventions.json``; they are
matched on the diacritic-free key of the text, so ``den het nam 2030`` and ``đến hết năm 2030`` are
one. A bare year counts only where it bounds work (``Thời gian thực hiện: Năm 2025``, ``trong năm
2025``, ``kế hoạch năm 2025``), not in a date or a comparison (``so với năm 2024``).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from pipeline.document import Document
from pipeline.vntext import skey
from schemas import Deadline

_Y = r"((?:19|20)\d\d)"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# words as tesseract eng leaves them in the seeds' scans: từ (tir, tor, tw), năm (ndm, nim), trước (trude)
_TU, _NAM, _TRUOC = r"t(?:u|ir|or|w)", r"n[adi]m", r"tru[od][ce]"

# (kind, pattern on the key); first match at a position wins, so longer phrasings come first
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("from_year_onward", re.compile(rf"\b{_NAM} {_Y} va (?:nhung|cac) {_NAM} tiep theo")),
    ("period", re.compile(rf"\b{_TU} ngay (\d{{1,2}})\s*/\s*(\d{{1,2}})(?:\s*/\s*(\d{{4}}))? den ngay (\d{{1,2}})"
                          rf"\s*/\s*(\d{{1,2}})\s*/\s*{_Y}")),
    ("period_months", re.compile(rf"\b(\d{{1,2}}) thang dau {_NAM},? (?:{_NAM} )?{_Y}")),
    ("period", re.compile(rf"\bgiai doan {_Y}\s*-\s*{_Y}")),
    ("period_years", re.compile(rf"\b{_TU} {_NAM} {_Y} den (?:het )?{_NAM} {_Y}")),
    ("before_date", re.compile(rf"\b(?:{_TRUOC}|cham nhat) ngay (\d{{1,2}})\s*(?:/|-|thang)\s*(\d{{1,2}})\s*"
                               rf"(?:/|-|{_NAM})\s*{_Y}")),
    ("period_month_span", re.compile(rf"\b{_TU} thang (\d{{1,2}})\s*(?:/|{_NAM})\s*{_Y} den (?:het )?thang (\d{{1,2}})"
                                     rf"\s*(?:/|{_NAM})\s*{_Y}")),
    ("month", re.compile(rf"\b(?:cham nhat|{_TRUOC}|trong) (?:trong |la |vao )?thang (\d{{1,2}})\s*(?:/|{_NAM})\s*{_Y}")),
    # a month named on its own ("tháng 4 năm 2026", "Tháng 12/2025"), not the month of a date
    ("bare_month", re.compile(rf"\bthang (\d{{1,2}})\s*(?:/|{_NAM})\s*{_Y}(?![\d/])")),
    ("quarter", re.compile(rf"\bquy (iv|iii|ii|i|[1-4])\s*(?:/|{_NAM})\s*{_Y}")),
    ("before_year", re.compile(rf"\bden (?:het )?{_NAM} {_Y}")),
    ("from_year_onward", re.compile(rf"\b{_TU} {_NAM} {_Y}(?! den)")),
    ("recurring", re.compile(rf"\b(?:dinh ky )?hang ({_NAM}|quy|thang|tuan)\b")),
    # an event the work waits for, ending its clause: "tổng kết sau khi kết thúc Đề án.", "Sau khi có
    # Quy chế" (a table's cell), "ngay sau khi Luật … được Quốc hội thông qua" (up to 25 words)
    ("relative", re.compile(r"\b(?:ngay )?sau khi(?: [^\s.;:,\n]+){1,25}?(?=\s*(?:[.;]|\n|$))")),
    # "Thời gian thực hiện:", also as OCR and restoration leave it ("Thai gian thức hiển:")
    ("year", re.compile(rf"(?:th\w{{1,3}} gian th\w{{1,3}} h\w{{2,4}}\s*:\s*|\btrong {_NAM} |\bke hoach {_NAM} "
                        rf"|\bchi tieu {_NAM} )(?:{_NAM} )?{_Y}(?![\d/])")),
    # a year on its own ("vào năm 2025", "Năm 2026", a plan's "... năm 2025"), not the year of a date
    # ("ngày 03 tháng 10 năm 2025"), nor one before the plan's (a law's "năm 2013"): see below
    ("bare_year", re.compile(rf"\b{_NAM} {_Y}(?![\d/])")),
]
# "đến năm 2030" that ends the name of a programme, a strategy or a vision is its horizon, not a
# deadline: "Chương trình Chăm sóc sức khỏe người cao tuổi đến năm 2030 (Chương trình 1579)"
_NAME_BEFORE = re.compile(r"\b(?:chuong trinh|chien lu\w\w|de an|d[uy] an|ke hoach|tam nhin)\b[^;.:()]*$")
_NAME_AFTER = re.compile(r"^\s*\(\s*(?:chuong trinh|quyet dinh|ke hoach|de an)\b")
# a year that dates a document cited just before it: "Nghị quyết số 57-NQ/TW ngày 22/12/2024 … năm 2025"
_CITED = re.compile(r"(?:\bso\s*\d+[^;.]*|\b(?:luat|nghi dinh|thong tu|quyet dinh|nghi quyet|ket luan|chi thi)\b[^;.]{0,40})$")
# a year that ends a span or a name: "đến (hết) năm 2030", "tầm nhìn đến năm 2050", "giai đoạn"
_HORIZON = re.compile(r"(?:den|toi|tu|tam nhin|giai doan|khoa|nhiem ky)\s*(?:het\s*)?$")
# what stands before the month or year of a full date
_OF_A_DATE = re.compile(r"(?:ngay\s*\d{1,2}|thang\s*\d{1,2}|\d)[\s/,-]*$")
# a line break followed by more text on the next line
_RUNS_ON = re.compile(r"[ \t]*\n[ \t]*\S")
# a space in a phrasing stands for any run of whitespace (lines break anywhere)
PATTERNS = [(label, re.compile(p.pattern.replace(" ", r"\s+"))) for label, p in PATTERNS]


def extract_deadlines(doc: Document) -> Document:
    key = skey(doc.text)
    issued = getattr(doc.info, "date", None)
    this_year = issued.year if issued else None
    taken: list[tuple[int, int]] = []
    found: list[Deadline] = []
    for label, pattern in PATTERNS:
        for match in pattern.finditer(key):
            start, end = match.span()
            if label == "year":
                start = match.start(1) - (4 if key[match.start(1) - 4:match.start(1)] == "nam " else 0)
                start = start if key[start:start + 3] == "nam" else match.start(1)
            if any(s < end and start < e for s, e in taken):
                continue
            resolved = _resolve(label, match)
            if resolved is None:
                continue
            kind, first, last, recurrence = resolved
            if label == "before_year" and (_NAME_BEFORE.search(key[max(0, start - 150):start])
                                           or _NAME_AFTER.match(key[end:end + 30])):
                continue
            if kind == "period" and this_year and first and first.year < this_year:
                continue  # a period already under way when the plan was issued describes the past
            if label == "relative" and _RUNS_ON.match(key, end) and key[:start].rstrip(" ")[-1:] not in ("\n", ""):
                continue  # a line break inside a sentence (text wrapped at the margin) ends no clause
            if label in ("bare_year", "bare_month") and _OF_A_DATE.search(key[max(0, start - 14):start]):
                continue  # the month or year of a date: "ngày 03 tháng 10 năm 2025", "15/10 năm"
            if label == "bare_year" and _HORIZON.search(key[max(0, start - 14):start]):
                continue  # "đến năm 2030" that the patterns above read or left out as a name's horizon
            if label in ("bare_year", "bare_month") and (this_year is None or first.year < this_year
                                         or _CITED.search(key[max(0, start - 60):start])):
                continue  # a year of the past, or of a document cited ("Luật … năm 2013", "số 12/2025 … năm")
            taken.append((start, end))
            found.append(Deadline(text=doc.text[start:end], span=(start, end), kind=kind, start=first, end=last,
                                  recurrence=recurrence, task=_task_at(doc, start)))
    found.sort(key=lambda d: d.span[0])
    doc.deadlines = found
    return doc


def _resolve(label: str, m: re.Match[str]):
    """(kind, start, end, recurrence) or None when the numbers are no date."""
    try:
        if label == "from_year_onward":
            return "from_year_onward", date(int(m.group(1)), 1, 1), None, None
        if label == "period" and m.lastindex == 2:
            return "period", date(int(m.group(1)), 1, 1), date(int(m.group(2)), 12, 31), None
        if label == "period":
            d1, m1, y1, d2, m2, y2 = m.groups()
            return "period", date(int(y1 or y2), int(m1), int(d1)), date(int(y2), int(m2), int(d2)), None
        if label == "period_months":
            months, year = int(m.group(1)), int(m.group(2))
            return "period", date(year, 1, 1), date(year, months, calendar.monthrange(year, months)[1]), None
        if label == "period_years":
            return "period", date(int(m.group(1)), 1, 1), date(int(m.group(2)), 12, 31), None
        if label == "before_date":
            return "before_date", None, date(int(m.group(3)), int(m.group(2)), int(m.group(1))), None
        if label in ("month", "bare_month"):
            month, year = int(m.group(1)), int(m.group(2))
            return "month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), None
        if label == "quarter":
            q, year = _ROMAN[m.group(1)], int(m.group(2))
            last_month = 3 * q
            return ("quarter", date(year, last_month - 2, 1),
                    date(year, last_month, calendar.monthrange(year, last_month)[1]), None)
        if label == "before_year":
            return "before_date", None, date(int(m.group(1)), 12, 31), None
        if label == "relative":
            return "relative", None, None, None
        if label == "recurring":
            unit = m.group(1)
            return "recurring", None, None, {"quy": "quarterly", "thang": "monthly", "tuan": "weekly"}.get(
                unit, "yearly")
        if label in ("year", "bare_year"):
            year = int(m.group(1))
            return "year", date(year, 1, 1), date(year, 12, 31), None
        if label == "period_month_span":
            m1, y1, m2, y2 = (int(g) for g in m.groups())
            return "period", date(y1, m1, 1), date(y2, m2, calendar.monthrange(y2, m2)[1]), None
    except ValueError:
        return None
    return None


def _task_at(doc: Document, position: int) -> str | None:
    for task in doc.tasks:
        if task.span[0] <= position < task.span[1]:
            return task.id
    return None
