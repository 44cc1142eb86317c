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
    ("month", re.compile(rf"\b(?:cham nhat|{_TRUOC}|trong) (?:trong |la |vao )?thang (\d{{1,2}})\s*(?:/|{_NAM})\s*{_Y}")),
    ("quarter", re.compile(rf"\bquy (iv|iii|ii|i|[1-4])\s*(?:/|{_NAM})\s*{_Y}")),
    ("before_year", re.compile(rf"\bden (?:het )?{_NAM} {_Y}")),
    ("from_year_onward", re.compile(rf"\b{_TU} {_NAM} {_Y}(?! den)")),
    ("recurring", re.compile(rf"\b(?:dinh ky )?hang ({_NAM}|quy|thang|tuan)\b")),
    # "Thời gian thực hiện:", also as OCR and restoration leave it ("Thai gian thức hiển:")
    ("year", re.compile(rf"(?:th\w{{1,3}} gian th\w{{1,3}} h\w{{2,4}}\s*:\s*|\btrong {_NAM} |\bke hoach {_NAM} "
                        rf"|\bchi tieu {_NAM} )(?:{_NAM} )?{_Y}(?![\d/])")),
]
# "đến năm 2030" that ends the name of a programme, a strategy or a vision is its horizon, not a
# deadline: "Chương trình Chăm sóc sức khỏe người cao tuổi đến năm 2030 (Chương trình 1579)"
_NAME_BEFORE = re.compile(r"\b(?:chuong trinh|chien lu\w\w|de an|d[uy] an|ke hoach|tam nhin)\b[^;.:()]*$")
_NAME_AFTER = re.compile(r"^\s*\(\s*(?:chuong trinh|quyet dinh|ke hoach|de an)\b")
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
        if label == "month":
            month, year = int(m.group(1)), int(m.group(2))
            return "month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), None
        if label == "quarter":
            q, year = _ROMAN[m.group(1)], int(m.group(2))
            last_month = 3 * q
            return ("quarter", date(year, last_month - 2, 1),
                    date(year, last_month, calendar.monthrange(year, last_month)[1]), None)
        if label == "before_year":
            return "before_date", None, date(int(m.group(1)), 12, 31), None
        if label == "recurring":
            unit = m.group(1)
            return "recurring", None, None, {"quy": "quarterly", "thang": "monthly", "tuan": "weekly"}.get(
                unit, "yearly")
        if label == "year":
            year = int(m.group(1))
            return "year", date(year, 1, 1), date(year, 12, 31), None
    except ValueError:
        return None
    return None


def _task_at(doc: Document, position: int) -> str | None:
    for task in doc.tasks:
        if task.span[0] <= position < task.span[1]:
            return task.id
    return None
