"""Tasks: the numbered and lettered items of a plan's task sections, with who leads and who supports
(SPEC §4 ``tasks``).

Task sections are the top-level sections titled ``NHIỆM VỤ``, ``GIẢI PHÁP``, ``TỔ CHỨC THỰC HIỆN`` or
``NỘI DUNG``. Every item under them is a task if it has no sub-items, or has text of its own before
them; items under a heading of targets (``Chỉ tiêu …``, ``Mục tiêu …``) are not. Who leads, in
order of precedence:

1. ``Cơ quan chủ trì: Sở X, Sở Y`` (and ``Cơ quan phối hợp:`` for support);
2. an item heading that is an agency: ``1. Sở Y tế (cơ quan thường trực): Chủ trì ...``,
   ``b) Sở Tài chính: ...``, ``1. Ban Thường vụ Đảng ủy ... chỉ đạo ...``;
3. ``Giao Sở X chủ trì``, ``Đề nghị Ủy ban MTTQ ...``, ``Sở X chủ trì``;
4. an agency that opens a clause with an action: ``..., Ban Chỉ đạo tỉnh triển khai ...``;
5. the parent item's heading agency, when the item names none.

Support comes from ``phối hợp với ...`` up to the end of the clause. The deadline is what follows
``Thời gian thực hiện:``.
"""

from __future__ import annotations

import bisect
import re

from dictionaries.agencies import HEAD_TITLES
from extractors.agencies import document_localities, find_agencies, merged_names
from pipeline.document import Document
from pipeline.vntext import ocr_key, skey, upper_share
from schemas import Task

TASK_TITLES = re.compile(r"nhiem vu|giai phap|to chuc thuc hien|noi dung")
_LEAD_LINE = re.compile(r"c\w{0,2} quan chu tri\s*:")     # OCR: "Cả quan chủ trì"
_SUPPORT_LINE = re.compile(r"c\w{0,2} quan phoi hop\s*:")
_DEADLINE_LINE = re.compile(r"thoi gian (?:thuc hien|hoan thanh)\s*:\s*")
_LIST_END = re.compile(r"\n\n|\n\s*-")
_SUPPORT = re.compile(r"phoi hop (?:voi|cung)?")
_LEADS_AFTER = re.compile(r"^[\s,]*(?:\([^)]*\)\s*)?(?::\s*)?chu (?:tri|dong)")
_GIVE = r"(?:giao|de nghi)(?: cho)?"
_GIVEN_TO = re.compile(_GIVE + r"\s*$")     # "Giao Sở X", "Đề nghị Ủy ban MTTQ"
# "Sở Y tế (cơ quan thường trực) Ban Chỉ đạo ...": the body the agency before it is the standing office of
_SERVED = re.compile(r"\([^()]*\)\s*$|thuong truc\s*(?:cua\s*)?$")
# an agency opening a clause and doing something: "..., Ban Chỉ đạo Dân số và Phát triển tỉnh triển khai"
_SUBJECT_VERB = re.compile(r"\s*(?:trien khai|to chuc|thuc hien|xay dung|ban hanh|huong dan|chi dao|tham muu)\b")
_CLAUSE_END = re.compile(r"[;.\n]|\bchu tri\b")
# between the label and a heading agency, or between two of them: "và", "Các", "Các Sở:"
# ("Các Sở, ban, ngành; UBND các xã" names no agency before the committees, but does not end the heading)
# (OCR: "Céc S, Ban, Nganh")
_CAC = r"c[aeiu]c\s+"
_UNITS_WORD = r"(?:so?|ban|nganh|co quan|don vi|dia phuong)"
_GENERIC = rf"(?:{_CAC})?{_UNITS_WORD}(?:\s*[,;]?\s*(?:va\s+)?(?:{_CAC})?(?:{_UNITS_WORD}|lien quan)\b)*"
# the head of a body stands for it in a heading: "12. Chủ tịch UBND các xã, phường", "1. Thủ trưởng các
# cơ quan …, Trưởng Ban Quản lý … và Chủ tịch UBND các xã" (letters and reports: the body is the lead)
_HEAD_OF = rf"(?:{'|'.join(HEAD_TITLES)})\s+"
_CHAIN = re.compile(rf"[\s,;]*(?:{_GENERIC}[\s,;]*)?(?:va\s*)?(?:{_HEAD_OF})?(?:{_CAC})?(?:(?:so|bo)\s*:\s*)?")
# an item's heading that gives the work to the bodies it lists: "Giao …", "Đề nghị …"
_OPENER = re.compile(r"\s*" + _GIVE + r"\s+")
_LABEL = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[IVXLC1l|]+|\S)\s*[.)]\s*")


def extract_tasks(doc: Document) -> Document:
    text, sections = doc.text, doc.sections
    children: dict[str, list] = {}
    for s in sections:
        if s.parent:
            children.setdefault(s.parent, []).append(s)
    localities = document_localities(doc)
    names = merged_names(doc)
    found = _document_mentions(doc)
    # (a charter's chapter "QUYỀN HẠN, NHIỆM VỤ" lists standing duties, not work to do: not a root;
    # nor is any heading of an outline of a report to be written, a "Đề cương")
    roots = {s.id for s in sections if s.level == 1 and s.title and _task_heading(s.title)
             and not (s.label or "").lower().startswith("chương")} if doc.info.doc_type != "Đề cương" else set()
    # a letter or a meeting's conclusions: each numbered item directs someone to do something
    directive = doc.info.doc_type in DIRECTIVES and not roots
    heading_lead: dict[str, list[str]] = {}
    tasks: list[Task] = []
    parent_of = {s.id: s.parent for s in sections}
    titles = {s.id: skey(s.title) for s in sections if s.title}
    targets = {sid for sid, key in titles.items()
               if _TARGETS.match(key) or (_SCOPE.match(key) and not TASK_TITLES.search(key))}
    for s in sections:
        if not directive and (s.level == 1 or _root(s.id) not in roots):
            continue
        if _under(s.id, targets, parent_of):
            continue
        kids = children.get(s.id, [])
        own_end = kids[0].start if kids else s.end
        own = text[s.start:own_end]
        if found is None:
            mentions = list(find_agencies(own, localities))
        else:
            first = bisect.bisect_left(found, (s.start,))
            mentions = [(name, kind, start - s.start, end - s.start)
                        for start, end, name, kind in found[first:bisect.bisect_left(found, (own_end,))]
                        if end <= own_end]
        lead, support, from_heading, subject = _roles(own, mentions, names)
        if from_heading:
            heading_lead[s.id] = from_heading
        if not lead and s.parent in heading_lead:
            lead = list(heading_lead[s.parent])
        # (a body that only opens a clause in the item's text leads it when no heading names one:
        # "đôn đốc các sở, UBND các xã triển khai" under "1. Sở Công Thương" is still its work)
        lead = lead or subject
        body = _LABEL.sub("", own, count=1)
        if kids and (sum(c.isalpha() for c in body[len(s.title or ""):]) < 40 or body.rstrip().endswith(":")):
            continue   # a heading, or a heading and the paragraph that introduces its items ("… đề xuất:")
        tasks.append(Task(id=f"T{len(tasks) + 1}", section=s.id, text=own.strip(),
                          span=(s.start, s.start + len(own.rstrip())), lead=lead,
                          support=[a for a in support if a not in lead], deadline=_deadline(own)))
    tasks.extend(_table_tasks(doc, found, names, localities, start_id=len(tasks) + 1))
    if doc.info.doc_type in DIRECTIVES:  # (a plan's running text around its items gives no task: SPEC §5)
        tasks.extend(_sentence_tasks(doc, found, names, tasks))
    doc.tasks = tasks
    return doc


# A section of targets ("6. Chỉ tiêu chủ yếu đến năm 2030", "2. Mục tiêu cụ thể") lists results to
# reach, not work given to anyone, even under a "NỘI DUNG" heading: the gold of 8 documents has 23
# such sections and no task in any of them. Nor does one that says who a campaign is for or when it
# runs ("1. Đối tượng thi đua", "3. Thời gian tổ chức phong trào thi đua: …").
_TARGETS = re.compile(r"(?:cac |mot so )?(?:chi tieu|muc tieu)\b")
_SCOPE = re.compile(r"doi tuong\b|thoi gian\b")


def _under(section: str | None, heads: set[str], parent_of: dict[str, str | None]) -> bool:
    """Whether ``section`` is one of ``heads`` or lies below one."""
    while section is not None:
        if section in heads:
            return True
        section = parent_of.get(section)
    return False


# Document types whose numbered items are directives even without a "NHIỆM VỤ" heading.
DIRECTIVES = ("Công văn", "Thông báo", "Kết luận", "Chỉ thị", "Công điện")
# A sentence that gives work to an agency: "Chủ tịch UBND tỉnh giao Công an tỉnh nghiên cứu …",
# "Giao Sở Y tế tiến hành …", "Đề nghị Ủy ban nhân dân các tỉnh …", "Yêu cầu các sở …" (key form).
_ASSIGNS = re.compile(rf"(?:^|[\s,;:])(?:giao(?: cho)?|de nghi|yeu cau)\s+(?:{_GENERIC}[\s,;]*(?:va\s+)?)?"
                      rf"(?:{'|'.join(HEAD_TITLES)})?\s*$")
_OPENS_WITH_WORK = re.compile(r"\s*(?:\d+\.\s*)?(?:giao|de nghi|yeu cau)\b")
# between two bodies of one list, with their heads named: ", ", " và ", ", Trưởng "
_LISTED = re.compile(rf"[\s,;]*(?:va\s+)?(?:(?:{'|'.join(HEAD_TITLES)})\s+)?")
_SENTENCE = re.compile(r"[^.;\n]+(?:[.;]|$)", re.M)


def _sentence_tasks(doc: Document, found, names: dict[str, str], tasks: list[Task]) -> list[Task]:
    """Tasks a letter or a conclusion gives in running text outside the items already read as tasks:
    one per sentence that assigns work to an agency named right after ``giao``/``đề nghị``/``yêu
    cầu`` (and, when the sentence opens so, to each body of the list that follows); its section is
    the one that holds it (None for a closing paragraph, or a letter without numbered items)."""
    if found is None:
        return []
    start, end = doc.body_span
    taken = [t.span for t in tasks]
    out: list[Task] = []
    key = skey(doc.text)
    for sentence in _SENTENCE.finditer(doc.text, start, end):
        s0, s1 = sentence.start(), sentence.end()
        if any(a <= s0 < b for a, b in taken):
            continue
        first = bisect.bisect_left(found, (s0,))
        lead: list[str] = []
        # a sentence that opens by giving work ("Yêu cầu các sở, ngành và Ủy ban nhân dân các xã …")
        # gives it to each body of the list that follows; elsewhere in a sentence ("Hồ sơ trình, đề
        # nghị Thủ tướng …, Chủ tịch UBND tỉnh xem xét") only the body right after the verb counts
        opening = _OPENS_WITH_WORK.match(key, s0)
        listed_to = None  # where the last body given work ends, while the list goes on
        for m_start, m_end, name, _ in found[first:bisect.bisect_left(found, (s1,))]:
            given = _ASSIGNS.search(key[max(s0, m_start - 40):m_start])
            listed = opening and listed_to is not None and _LISTED.fullmatch(key[listed_to:m_start])
            if given or listed:
                name = names.get(name, name)
                if name not in lead:
                    lead.append(name)
                listed_to = m_end
            else:
                listed_to = None
        if not lead:
            continue
        inside = [s for s in doc.sections if s.start <= s0 < max(s.end, s.start + 1)]
        text = doc.text[s0:s1].strip()
        out.append(Task(id=f"T{len(tasks) + len(out) + 1}", section=inside[-1].id if inside else None,
                        text=text, span=(s0, s1), lead=lead, deadline=_deadline(text), source="sentence"))
    return out


# A task table's columns, by their header cell (key form): the task, who leads, who supports, when,
# what it delivers, who follows it up; "STT"/"TT" numbers the rows.
_COLUMNS = {
    "task": re.compile(r"nhiem vu|noi dung|cong viec|hoat dong|ten (?:de an|du an|chuong trinh)|giai phap"),
    "lead": re.compile(r"chu tri|don vi thuc hien|co quan thuc hien|trach nhiem"),
    "support": re.compile(r"phoi hop"),
    "deadline": re.compile(r"thoi gian|tien do|thoi han|thoi diem"),
    "product": re.compile(r"san pham|ket qua|hinh thuc"),
    "monitor": re.compile(r"theo doi|kiem tra|don doc|giam sat"),
    "label": re.compile(r"^\s*(?:stt|tt|so tt)\s*$"),
}
_ROMAN_CELL = re.compile(r"^\s*([IVX]{1,5}|[A-Z])\s*\.?\s*$")
# "PHỤ LỤC", "PHỤ LỤC 01", "Phụ lục II" heading an annex (key form).
_ANNEX = re.compile(r"^\s*phu luc\b")


def _columns(cells: list[str]) -> dict[str, int] | None:
    """The column of each role in a header row, or None when it is not a task table's header (it
    needs a task column and a lead column)."""
    roles: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = skey(cell)
        for role in ("label", "support", "monitor", "lead", "deadline", "product", "task"):
            if role not in roles and _COLUMNS[role].search(key):
                if role == "lead" and "phoi hop" in key and "chu tri" not in key:
                    continue
                roles[role] = i
                break
    return roles if "task" in roles and "lead" in roles and roles["task"] != roles["lead"] else None


def _table_tasks(doc: Document, found, names: dict[str, str], localities, start_id: int) -> list[Task]:
    """One task per row of each task table (SPEC §4.2): the tables readers keep as rows of TAB-separated
    cells (Word, ruled PDF tables) and those text files bring that way. ``section`` is
    ``PL<n>.<group>.<row>`` in the n-th annex, or the body section that holds the table."""
    text = doc.text
    tasks: list[Task] = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    annexes = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if _ANNEX.match(skey(line)) and sum(c.isupper() for c in line[:7]) >= 2:
            annexes += 1
        roles = _columns(line.split("\t")) if "\t" in line else None
        if roles is None:
            i += 1
            continue
        prefix = f"PL{annexes}" if annexes else _section_at(doc, offsets[i])
        width = line.count("\t") + 1
        group = None
        last_label = ""
        j = i + 1
        while j < len(lines) and "\t" in lines[j]:
            cells, starts = _cells(lines[j], offsets[j])
            if _columns(cells) is not None:
                break  # the header again, on the next page
            if (roles.get("label") == 0 and len(cells) < width and not _LABEL_CELL.fullmatch(cells[0].strip())
                    and sum(c.isalpha() for c in cells[0]) >= 8):
                # a second row under one number (the STT cell merged over both): text exports leave
                # its number cell out, so its cells start at the task column
                cells, starts = ["", *cells], [starts[0], *starts]
            task = _row_task(doc, cells, starts, roles, found, names, localities)
            label = cells[roles["label"]].strip(" .") if "label" in roles and roles["label"] < len(cells) else ""
            if task is None:
                if _ROMAN_CELL.match(label or (cells[0] if cells else "")):
                    group = (label or cells[0]).strip(" .")
                j += 1
                continue
            if _ROMAN_CELL.match(label) and not task.lead:
                group = label
                j += 1
                continue
            # a row without its own number goes on the numbered row above it (a merged STT cell)
            label = label if re.fullmatch(r"[\w.]{1,6}", label) else last_label
            last_label = label
            path = [p for p in (prefix, group, label) if p]
            task.id, task.section = f"T{start_id + len(tasks)}", ".".join(path)
            tasks.append(task)
            j += 1
        i = j
    return tasks


# what a table's number cell holds: "1", "2.3", "IV", "a"
_LABEL_CELL = re.compile(r"[\w.]{1,6}")


def _section_at(doc: Document, offset: int) -> str:
    inside = [s for s in doc.sections if s.start <= offset]
    return inside[-1].id if inside else ""


def _cells(line: str, offset: int) -> tuple[list[str], list[int]]:
    cells, starts, pos = [], [], offset
    for cell in line.split("\t"):
        cells.append(cell)
        starts.append(pos)
        pos += len(cell) + 1
    return cells, starts


def _row_task(doc: Document, cells: list[str], starts: list[int], roles: dict[str, int], found, names, localities):
    """A task from one row, or None for a row with no task text (a group row, a blank)."""
    def cell(role: str) -> str:
        i = roles.get(role)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def agencies_in(role: str) -> list[str]:
        i = roles.get(role)
        if i is None or i >= len(cells):
            return []
        start, end = starts[i], starts[i] + len(cells[i])
        if found is not None:
            first = bisect.bisect_left(found, (start,))
            hits = [n for s, e, n, _ in found[first:bisect.bisect_left(found, (end,))] if e <= end]
        else:
            hits = [n for n, _, _, _ in find_agencies(cells[i], localities)]
        out: list[str] = []
        for name in hits:
            name = names.get(name, name)
            if name not in out:
                out.append(name)
        return out

    task_text = cell("task")
    if sum(c.isalpha() for c in task_text) < 8:
        return None
    lead = agencies_in("lead")
    start = starts[0]
    end = starts[-1] + len(cells[-1])
    return Task(id="", section="", text=doc.text[start:end], span=(start, end), lead=lead,
                support=[a for a in agencies_in("support") if a not in lead], deadline=cell("deadline") or None,
                source="table", lead_text=None if lead or not cell("lead") else cell("lead"),
                product=cell("product") or None, monitor=cell("monitor") or None)


def _task_heading(title: str) -> bool:
    """A heading of task items: ``NHIỆM VỤ VÀ GIẢI PHÁP``, ``III. PHÂN CÔNG NHIỆM VỤ`` (in capitals, the
    words anywhere), ``Nhiệm vụ, giải pháp trong thời gian tới`` (in ordinary case, at its start);
    not a directive that mentions them (``Giao Sở Y tế …, giao nhiệm vụ các Trung tâm …``)."""
    key = ocr_key(title)
    return bool(TASK_TITLES.match(key.strip()) or (upper_share(title) > 0.7 and TASK_TITLES.search(key)))


def _root(section_id: str) -> str:
    return section_id.split(".")[0]


def _document_mentions(doc: Document) -> list[tuple[int, int, str, str]] | None:
    """Every agency mention the agencies stage found, ``(start, end, name, kind)`` in text order, or
    None when that stage did not run (the items are then searched on their own)."""
    if doc.agency_aliases is None:
        return None
    return sorted((m.span[0], m.span[1], a.name, a.kind) for a in doc.agencies for m in a.mentions)


def _roles(own: str, mentions: list[tuple[str, str, int, int]],
           names: dict[str, str]) -> tuple[list[str], list[str], list[str], list[str]]:
    """(lead, support, heading agencies, clause subjects) of one item's own text, from its agency ``mentions``
    ``(name, kind, start, end)``; ``names`` maps a name found to the one the document lists it under."""
    key = skey(own)
    lead: list[str] = []
    support: list[str] = []
    heading: list[str] = []
    subject: list[str] = []

    def add(target: list[str], name: str) -> None:
        name = names.get(name, name)
        if name not in target:
            target.append(name)

    lead_line = _line_span(key, _LEAD_LINE)
    support_line = _line_span(key, _SUPPORT_LINE)
    label = _LABEL.match(own)
    chain_end = label.end() if label else 0
    opener = _OPENER.match(key, chain_end)
    if opener:   # "8. Đề nghị Liên minh Hợp tác xã tỉnh, Đoàn TNCS …, Hội Nông dân tỉnh": all of them
        chain_end = opener.end()
    for name, _, start, end in mentions:
        if lead_line and lead_line[0] <= start < lead_line[1]:
            add(lead, name)
            continue
        if support_line and support_line[0] <= start < support_line[1]:
            add(support, name)
            continue
        if start == chain_end or (start > chain_end and _CHAIN.fullmatch(key[chain_end:start])):
            # the item heading opens with this agency (or a list of them)
            add(heading, name)
            chain_end = end
            continue
        clause_start = max(key.rfind(c, 0, start) for c in ";.\n")
        before = key[clause_start + 1:start]
        if _SERVED.search(before):
            continue
        if _SUPPORT.search(before):
            add(support, name)
        elif _GIVEN_TO.search(before) or _LEADS_AFTER.match(key[end:end + 40]):
            add(lead, name)
        elif _SUBJECT_VERB.match(key[end:end + 30]) and (not before.strip() or before.rstrip().endswith(",")):
            add(subject, name)
    if heading and not lead_line:
        lead = heading + [a for a in lead if a not in heading]
    return lead, support, heading, subject


def _line_span(key: str, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """Where the list after ``Cơ quan chủ trì:`` runs: to a blank line or the next dash item."""
    match = pattern.search(key)
    if not match:
        return None
    stop = _LIST_END.search(key, match.end())
    return match.end(), stop.start() if stop else len(key)


def _deadline(own: str) -> str | None:
    key = skey(own)
    match = _DEADLINE_LINE.search(key)
    if not match:
        return None
    line_end = own.find("\n", match.end())
    value = own[match.end():line_end if line_end >= 0 else len(own)].strip().rstrip(".;,")
    return value or None
