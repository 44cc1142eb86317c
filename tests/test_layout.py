"""Layout-aware reading (issue 17): real PDFs with a two-column header and a ruled table (fpdf2),
real Word files with automatic numbering, merged cells and layout tables (python-docx), the offset
map from the record's text back to the page, and the boxes every item carries."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import docx
import pypdfium2
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF

from pipeline.ingest.docx import format_number, read_docx
from pipeline.ingest.pdf import read_pdf
from pipeline.layout import OffsetMap, Piece, Word, reading_order, split_spaced_columns, text_line
from pipeline.stages import process_file
from tests.conftest import CORPUS, FONT

SHARED_REAL = CORPUS.parent.parent / "shared" / "real"


# ------------------------------------------------------------------------------------ PDF

def _plan_pdf(path: Path, body: list[str], table: bool = True) -> Path:
    """A one-page plan as an office prints it: issuer and motto side by side, the title, the body,
    and a ruled task table."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT.with_name("DejaVuSerif-Bold.ttf")))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    pdf.set_xy(15, 15)
    pdf.cell(70, 6, "ỦY BAN NHÂN DÂN")
    pdf.set_xy(100, 15)
    pdf.cell(100, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pdf.set_xy(15, 21)
    pdf.cell(70, 6, "TỈNH LÂM ĐỒNG")
    pdf.set_xy(110, 21)
    pdf.cell(90, 6, "Độc lập - Tự do - Hạnh phúc")
    pdf.set_xy(15, 29)
    pdf.cell(70, 6, "Số: 275/KH-UBND")
    pdf.set_xy(105, 29)
    pdf.cell(95, 6, "Lâm Đồng, ngày 06 tháng 10 năm 2025")
    pdf.set_xy(15, 42)
    pdf.cell(180, 6, "KẾ HOẠCH", align="C")
    pdf.set_xy(15, 48)
    pdf.cell(180, 6, "Chuyển đổi số trong các cơ quan nhà nước năm 2026", align="C")
    pdf.set_xy(15, 60)
    pdf.set_left_margin(15)
    for line in body:
        pdf.multi_cell(180, 6, line, new_x="LMARGIN", new_y="NEXT")
    if table:
        pdf.ln(4)
        with pdf.table(col_widths=(12, 88, 40, 40), text_align="LEFT") as t:
            for row in [("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"),
                        ("1", "Xây dựng cơ sở dữ liệu dân cư", "Công an tỉnh", "Quý IV/2025"),
                        ("2", "Số hóa hồ sơ thủ tục hành chính", "Sở Nội vụ", "Tháng 12/2025"),
                        ("3", "Tập huấn kỹ năng số cho cán bộ", "Sở Khoa học và Công nghệ", "Năm 2026")]:
                r = t.row()
                for cell in row:
                    r.cell(cell)
    pdf.output(str(path))
    return path


BODY = [
    "I. MỤC ĐÍCH, YÊU CẦU",
    "1. Triển khai đồng bộ các nhiệm vụ chuyển đổi số theo Quyết định số 06/QĐ-TTg ngày 06/01/2022 "
    "của Thủ tướng Chính phủ.",
    "II. NHIỆM VỤ",
    "1. Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Tài chính tham mưu kế hoạch, hoàn thành "
    "trước ngày 15/12/2025.",
]


def test_pdf_header_columns_are_read_one_after_the_other(tmp_path):
    path = _plan_pdf(tmp_path / "plan.pdf", BODY, table=False)
    result = read_pdf(path, path.read_bytes(), {})
    lines = [line.strip() for line in result.pages[0].text.split("\n") if line.strip()]
    # the left block whole, then the right block: never "ỦY BAN NHÂN DÂN CỘNG HÒA ..." on one line
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số: 275/KH-UBND"]
    assert lines[3:6] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                          "Lâm Đồng, ngày 06 tháng 10 năm 2025"]
    page = result.pages[0]
    assert page.width == pytest.approx(595.3, abs=1) and page.height == pytest.approx(841.9, abs=1)


def test_pdf_header_fields_from_columns(tmp_path):
    record = process_file(_plan_pdf(tmp_path / "plan.pdf", BODY, table=False))
    info = record.document
    assert (info.doc_type, info.number, info.place, str(info.date)) == ("Kế hoạch", "275/KH-UBND", "Lâm Đồng",
                                                                         "2025-10-06")
    assert info.issuer == "Ủy ban nhân dân tỉnh Lâm Đồng"
    assert info.title == "Chuyển đổi số trong các cơ quan nhà nước năm 2026"


def test_pdf_ruled_table_is_a_table_in_reading_order(tmp_path):
    path = _plan_pdf(tmp_path / "plan.pdf", BODY)
    record = process_file(path)
    assert len(record.tables) == 1
    table = record.tables[0]
    assert table.page == 1 and table.bbox is not None
    assert table.header == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"]
    assert table.rows[2] == ["2", "Số hóa hồ sơ thủ tục hành chính", "Sở Nội vụ", "Tháng 12/2025"]
    # in the text: one line per row, TAB between cells, after the body it follows on the page
    start, end = table.span
    rows = record.text[start:end].split("\n")
    assert rows[1] == "1\tXây dựng cơ sở dữ liệu dân cư\tCông an tỉnh\tQuý IV/2025"
    assert record.text.index("trước ngày 15/12/2025") < start


def _chars_in(path: Path, page: int, bbox) -> str:
    pdf = pypdfium2.PdfDocument(str(path))
    p = pdf[page - 1]
    height = p.get_size()[1]
    x0, y0, x1, y1 = bbox
    text = p.get_textpage().get_text_bounded(left=x0 - 1, bottom=height - y1 - 1, right=x1 + 1, top=height - y0 + 1)
    pdf.close()
    return re.sub(r"\s+", "", text)


def test_twenty_random_items_boxes_hold_their_text(tmp_path):
    """Every item from a PDF has a page and a box; 20 drawn at random: the PDF's characters inside
    the box (a line's box for items over several lines) hold the item's text."""
    lines = [l.strip() for l in (CORPUS / "003.txt").read_text(encoding="utf-8").splitlines() if l.strip()][:80]
    path = _plan_pdf(tmp_path / "plan.pdf", lines, table=False)
    record = process_file(path)
    items = [*record.references, *record.deadlines, *record.indicators,
             *(m for a in record.agencies for m in a.mentions), *record.sections]
    assert len(items) >= 20
    for item in items:
        assert item.page is not None and item.bbox is not None, item
    for item in random.Random(17).sample(items, 20):
        if hasattr(item, "surface"):
            text = item.surface
        elif hasattr(item, "label") and not hasattr(item, "span"):
            text = (item.label or "") + (item.title or "")[:20]
        else:
            text = item.text
        inside = "".join(_chars_in(path, b[0], b[1:]) for b in item.boxes)
        words = [w for w in re.split(r"\s+", text) if w]
        assert words and all(re.sub(r"\s+", "", w) in inside for w in words[:6]), (text, inside[:200])


# ------------------------------------------------------------------------------------ Word

def _numbered_docx(path: Path) -> Path:
    """A plan whose headings Word numbers itself: level 0 upper Roman "%1.", level 1 "%1.%2."
    (shown legal, as decimals), level 2 lower letters "%3)"; one list through a paragraph style."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>'
        '</w:abstractNum>')
    legal = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91">'
        '<w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/><w:lvlText w:val="%1.%2."/></w:lvl>'
        '</w:abstractNum>')
    numbering.insert(0, legal)
    numbering.insert(0, abstract)
    for num in (90, 91):
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num}"><w:abstractNumId w:val="{num}"/></w:num>'))
    # a paragraph style that carries the list at level 0
    style = document.styles.add_style("Muc", 1)
    style.element.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))

    header = document.add_table(rows=2, cols=2)
    header.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    header.cell(1, 0).text = "Số: 12/KH-UBND"
    header.cell(1, 1).text = "Lâm Đồng, ngày 03 tháng 12 năm 2025"
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Triển khai chuyển đổi số năm 2026")

    def numbered(text: str, level: int | None, style: str | None = None, num: int = 90) -> None:
        p = document.add_paragraph(text, style=style)
        if level is not None:
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>'))

    numbered("MỤC ĐÍCH, YÊU CẦU", None, style="Muc")
    numbered("Mục đích", 1)
    numbered("Yêu cầu", 1)
    numbered("NHIỆM VỤ", None, style="Muc")
    numbered("Chuyển đổi số", 1)
    numbered("Sở Nội vụ chủ trì số hóa hồ sơ", 2)
    p = document.add_paragraph()
    p.add_run("Công an tỉnh chủ trì dữ liệu dân cư")
    p.add_run().add_break()
    p.add_run("Sở Tài chính bảo đảm kinh phí")
    numbered("Thời gian thực hiện", 1)
    tasks = document.add_table(rows=4, cols=3)
    for c, text in enumerate(["Nhiệm vụ", "Chủ trì", "Thời gian"]):
        tasks.cell(0, c).text = text
    tasks.cell(1, 0).text, tasks.cell(2, 0).text, tasks.cell(3, 0).text = "Số hóa", "Dữ liệu", "Tập huấn"
    tasks.cell(1, 1).merge(tasks.cell(2, 1)).text = "Sở Nội vụ"
    tasks.cell(3, 1).text = "Sở Khoa học và Công nghệ"
    tasks.cell(1, 2).merge(tasks.cell(3, 2)).text = "Năm 2026"
    document.add_paragraph("Kết thúc.")
    numbered("KINH PHÍ", 0, num=91)
    numbered("Ngân sách tỉnh", 1, num=91)
    document.save(str(path))
    return path


def test_word_numbering_is_printed_as_word_prints_it(tmp_path):
    path = _numbered_docx(tmp_path / "plan.docx")
    result = read_docx(path, path.read_bytes(), {})
    lines = [l for l in result.pages[0].text.split("\n") if l.strip()]
    assert "I. MỤC ĐÍCH, YÊU CẦU" in lines          # through the paragraph style
    assert "1. Mục đích" in lines and "2. Yêu cầu" in lines
    assert "II. NHIỆM VỤ" in lines                  # the level-0 counter goes on
    assert "1. Chuyển đổi số" in lines              # and the level below restarts
    assert "a) Sở Nội vụ chủ trì số hóa hồ sơ" in lines
    assert "2. Thời gian thực hiện" in lines
    # a list of its own, starting at 3, its second level "%1.%2." shown legal (decimals)
    assert "III. KINH PHÍ" in lines and "3.1. Ngân sách tỉnh" in lines
    # a manual line break is a line break
    assert "Công an tỉnh chủ trì dữ liệu dân cư" in lines and "Sở Tài chính bảo đảm kinh phí" in lines


def test_word_tab_stops_are_not_tabs_and_a_number_stays_with_its_text(tmp_path):
    """Paragraph tab stops (``w:pPr/w:tabs``) are settings, not TAB characters: read as one, every
    numbered clause of the real charter in ../shared/real split into a column of numbers and a column
    of text. A page Word broke after a number alone is broken before the paragraph."""
    path = _numbered_docx(tmp_path / "plan.docx")
    document = docx.Document(str(path))
    p = document.add_paragraph("Tự nguyện, tự quản.")
    p.paragraph_format.tab_stops.add_tab_stop(docx.shared.Cm(2))
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="1"/><w:numId w:val="90"/></w:numPr>'))
    q = document.add_paragraph()
    q._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="1"/><w:numId w:val="90"/></w:numPr>'))
    q._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:lastRenderedPageBreak/><w:t>Không vì lợi nhuận.</w:t></w:r>'))
    document.save(str(path))
    result = read_docx(path, path.read_bytes(), {})
    lines = [l.strip() for page in result.pages for l in page.text.split("\n") if l.strip()]
    assert "3. Tự nguyện, tự quản." in lines        # (the list of "2. Thời gian thực hiện" goes on)
    assert "4. Không vì lợi nhuận." in lines and len(result.pages) == 2


def test_word_tables_in_document_order_with_merged_cells(tmp_path):
    path = _numbered_docx(tmp_path / "plan.docx")
    record = process_file(path)
    kinds = [t.kind for t in record.tables]
    assert kinds == ["layout", "data"]
    data = record.tables[1]
    assert data.rows == [["Nhiệm vụ", "Chủ trì", "Thời gian"], ["Số hóa", "Sở Nội vụ", "Năm 2026"],
                         ["Dữ liệu", "", ""], ["Tập huấn", "Sở Khoa học và Công nghệ", ""]]
    merged = {(c["row"], c["col"]): (c["rowspan"], c["colspan"]) for c in data.cells}
    assert merged[(1, 1)] == (2, 1) and merged[(1, 2)] == (3, 1)
    # the table stands where it is in the document: after the numbered headings, before "Kết thúc."
    start, end = data.span
    assert record.text.index("Thời gian thực hiện") < start < end < record.text.index("Kết thúc.")
    # the header layout table is read as its columns, and so gives the header
    info = record.document
    assert (info.number, info.issuer, str(info.date)) == ("12/KH-UBND", "Ủy ban nhân dân tỉnh Lâm Đồng", "2025-12-03")
    assert [s.id for s in record.sections][:3] == ["I", "I.1", "I.2"]


@pytest.mark.parametrize("n, fmt, expected", [(4, "upperRoman", "IV"), (9, "lowerRoman", "ix"), (3, "lowerLetter", "c"),
                                              (27, "lowerLetter", "aa"), (7, "decimalZero", "07"), (12, "decimal", "12")])
def test_number_formats(n, fmt, expected):
    assert format_number(n, fmt) == expected


@pytest.mark.skipif(not SHARED_REAL.exists(), reason="../shared/real is not here")
@pytest.mark.parametrize("path", sorted(SHARED_REAL.glob("*.docx")) if SHARED_REAL.exists() else [],
                         ids=lambda p: p.name)
def test_real_word_files_every_table_found_and_text_nfc(path):
    import unicodedata

    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    expected = len(re.findall(r"<w:tbl>", xml))
    result = read_docx(path, path.read_bytes(), {})
    assert sum(len(p.tables) for p in result.pages) == expected
    text = "\n".join(p.text for p in result.pages)
    assert unicodedata.is_normalized("NFC", text)


# ------------------------------------------------------------------------------------ core

def _piece(text: str, x0: float, y0: float) -> Piece:
    words, x = [], x0
    for w in text.split():
        words.append(Word(w, (x, y0, x + 6 * len(w), y0 + 10)))
        x += 6 * len(w) + 3
    return Piece(words)


def test_reading_order_reads_a_zone_column_by_column():
    pieces = [_piece("ỦY BAN NHÂN DÂN", 40, 50), _piece("CỘNG HÒA XÃ HỘI", 300, 50),
              _piece("TỈNH LÂM ĐỒNG", 45, 63), _piece("Độc lập - Tự do", 310, 63),
              _piece("KẾ HOẠCH", 250, 100), _piece("Nội dung của kế hoạch dài đến tận lề phải của trang", 40, 120)]
    texts = [line.text for line in reading_order(pieces) if line.words]
    assert texts == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "CỘNG HÒA XÃ HỘI", "Độc lập - Tự do", "KẾ HOẠCH",
                     "Nội dung của kế hoạch dài đến tận lề phải của trang"]


def test_recipients_longer_than_their_heading_stay_beside_the_signature():
    """``Nơi nhận:`` is short and its items long; an item ends the column zone only if it runs into
    the signature's column (cv-3980's scan: the list was read into the signature block)."""
    pieces = [_piece("Nơi nhận:", 40, 400), _piece("CỤC TRƯỞNG", 300, 400),
              _piece("- Như kính gửi;", 40, 413), _piece("(Đã ký)", 310, 413),
              _piece("- Đ/c Chủ tịch HĐND tỉnh (để b/c);", 40, 426),
              _piece("- Lưu: VT.", 40, 439), _piece("Thiếu tướng Ngô Thanh Bình", 290, 439)]
    texts = [line.text for line in reading_order(pieces) if line.words]
    assert texts == ["Nơi nhận:", "- Như kính gửi;", "- Đ/c Chủ tịch HĐND tỉnh (để b/c);", "- Lưu: VT.",
                     "CỤC TRƯỞNG", "(Đã ký)", "Thiếu tướng Ngô Thanh Bình"]


def test_a_speck_at_the_margin_starts_no_column_zone():
    """A scan's ``_`` beside a body line is no column: the signature zone below keeps its gutter."""
    pieces = [_piece("Bộ Công an trân trọng cảm ơn sự quan tâm phối hợp", 40, 380), _piece("_", 560, 380),
              _piece("KT. BỘ TRƯỞNG", 300, 400), _piece("Nơi nhận:", 40, 401),
              _piece("- Như trên;", 40, 414), _piece("THỨ TRƯỞNG", 305, 414)]
    texts = [line.text for line in reading_order(pieces) if line.words]
    assert texts == ["Bộ Công an trân trọng cảm ơn sự quan tâm phối hợp _", "Nơi nhận:", "- Như trên;",
                     "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]


def test_lines_one_above_the_other_are_not_a_row_however_tall_their_boxes():
    """A skewed scan's line boxes are tall: two consecutive lines may share half their height. They
    are still two lines, not two columns of one row (cv-4552: blank lines cut its first item)."""
    first = Piece([Word("trọng điểm phức tạp về ma túy, địa bàn không ma túy;", (84, 470, 535, 490))])
    second = Piece([Word("15/12/2023 đến ngày 14/12/2024.", (85, 481, 535, 501))])
    texts = [line.text for line in reading_order([first, second])]
    assert texts == ["trọng điểm phức tạp về ma túy, địa bàn không ma túy;", "15/12/2023 đến ngày 14/12/2024."]


def test_spaced_columns_of_plain_text_are_split():
    """cv-giao-427-bca.docx types its header columns with spaces."""
    lines = [text_line(t) for t in ("          ỦY BAN NHÂN DÂN            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                    "        TỈNH LÂM ĐỒNG                           Độc lập - Tự do - Hạnh phúc",
                                    "      Số:             /UBND-NC                       Lâm Đồng, ngày   tháng 02 năm 2026",
                                    "Nội dung")]
    texts = [l.text for l in split_spaced_columns(lines) if l.words]
    assert texts == ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số:             /UBND-NC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Lâm Đồng, ngày   tháng 02 năm 2026", "Nội dung"]


def test_offset_map_follows_a_rewrite_line_by_line():
    old = "Ke hoach so 12\nCong an tinh"
    new = "Kế hoạch số 12\nCông an tỉnh"
    m = OffsetMap.identity(len(old)).rewrite(old, new)
    assert len(m) == len(new)
    assert m.raw(new.index("Công")) == old.index("Cong")
    assert m.raw(len(new)) == len(old)


def test_spans_trace_back_through_normalisation_and_restoration(tmp_path):
    """A span of the record's text maps to the raw page text the reader produced."""
    path = _plan_pdf(tmp_path / "plan.pdf", BODY)
    record = process_file(path)
    for ref in record.references:
        assert ref.page == 1 and ref.bbox is not None
        x0, y0, x1, y1 = ref.bbox
        assert 0 <= x0 < x1 <= 600 and 0 <= y0 < y1 <= 850


# ------------------------------------------------------------------------------------ .doc

def _ole_doc(path: Path) -> Path:
    """The first bytes of a Word 97 file: an OLE2 compound file whose directory names a WordDocument
    stream (enough for the format to be recognised; only LibreOffice reads the rest)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00") + "WordDocument".encode("utf-16-le").ljust(128, b"\x00")
    path.write_bytes(header + directory)
    return path


def test_doc_without_libreoffice_says_how_to_install_it(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None if name in ("soffice", "libreoffice") else "/usr/bin/" + name)
    record = process_file(_ole_doc(tmp_path / "old.doc"))
    assert record.status == "failed"
    assert record.source.media_type == "application/msword"
    assert [e.code for e in record.errors] == ["missing_dependency"]
    assert "apt-get install libreoffice-writer-nogui" in record.errors[0].message


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is not installed")
def test_doc_is_converted_by_libreoffice_and_read_as_word(tmp_path):
    import subprocess

    source = _numbered_docx(tmp_path / "plan.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    record = process_file(tmp_path / "plan.doc")
    assert record.status == "ok"
    assert record.document.number == "12/KH-UBND"
    assert "II. NHIỆM VỤ" in record.text
