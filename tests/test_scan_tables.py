"""Ruled tables on scanned pages: found from their rules, merged cells included, and read cell by
cell by the real tesseract."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.ingest.scan_tables import find_grids
from tests.conftest import FONT

DPI = 200
# A task table as an annex prints it: the header's last cell spans two columns ("Thời gian"
# over "Bắt đầu" and "Kết thúc"), and the first column's header spans its two rows.
ROWS = [
    ["Nhiệm vụ", "Chủ trì", "Thời gian", None],
    [None, None, "Bắt đầu", "Kết thúc"],
    ["Số hóa hồ sơ", "Sở Nội vụ", "Năm 2026", "Năm 2027"],
    ["Tập huấn cán bộ", "Sở Tư pháp", "Quý I", "Quý IV"],
    ["Kiểm tra", "Thanh tra tỉnh", "Tháng 6", "Tháng 12"],
]
XS = [150, 700, 1100, 1350, 1600]
YS = [600, 680, 760, 840, 920, 1000]


def table_page(skew: float = 0.0, grey_rules: int = 0) -> Image.Image:
    """An A4 page at 200 dpi: a heading with its underline, a paragraph, the ruled table, a
    signature line; rules drawn in ``grey_rules`` (0 black; a faint scan prints them grey)."""
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(FONT), 30)
    draw.text((560, 300), "PHỤ LỤC NHIỆM VỤ", font=font, fill=0)
    draw.line((560, 345, 900, 345), fill=0, width=2)  # the heading's underline: not a table
    draw.text((150, 450), "Các sở, ngành thực hiện các nhiệm vụ sau đây:", font=font, fill=0)
    for y in (YS[0], YS[2], YS[3], YS[4], YS[5]):
        draw.line((XS[0], y, XS[-1], y), fill=grey_rules, width=2)
    draw.line((XS[2], YS[1], XS[-1], YS[1]), fill=grey_rules, width=2)  # under "Thời gian" only
    for k, x in enumerate(XS):
        top = YS[1] if k == 3 else YS[0]  # "Thời gian" spans columns 2-3 in the first row
        draw.line((x, top, x, YS[-1]), fill=grey_rules, width=2)
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            if text:
                draw.text((XS[c] + 12, YS[r] + 20), text, font=font, fill=0)
    draw.line((1000, 1300, 1500, 1300), fill=0, width=2)  # a signature line
    return page.rotate(skew, resample=Image.BICUBIC, fillcolor=255) if skew else page


@pytest.mark.parametrize("skew,grey_rules", [(0.0, 0), (0.8, 150)])
def test_a_ruled_table_and_its_merged_cells_are_found(skew, grey_rules):
    grids, mask = find_grids(table_page(skew, grey_rules), DPI, skew)
    assert len(grids) == 1
    grid = grids[0]
    assert (len(grid.ys) - 1, len(grid.xs) - 1) == (5, 4)
    spans = {(r, c): (rs, cs) for r, c, rs, cs in grid.cells}
    assert spans[(0, 0)] == (2, 1) and spans[(0, 1)] == (2, 1) and spans[(0, 2)] == (1, 2)
    assert spans[(1, 2)] == (1, 1) and spans[(4, 3)] == (1, 1)
    assert len(grid.cells) == 4 * 5 - 3
    assert grid.bbox == pytest.approx((XS[0], YS[0], XS[-1], YS[-1]), abs=12)
    assert mask is not None and mask[YS[0] - 15:YS[0] + 15, 380:420].any()  # the top rule
    assert not mask[330:360, 560:900].any()  # the heading's underline is left as it is


def test_text_and_underlines_are_no_table(seed_lines):
    from tests.conftest import render_page

    page = render_page(seed_lines[:20])
    draw = ImageDraw.Draw(page)
    for y in (200, 400, 600):  # underlines under headings, one above the other, no columns
        draw.line((300, y, 1500, y), fill=0, width=3)
    assert find_grids(page, 300) == ([], None)


@pytest.mark.tesseract
def test_a_scanned_table_is_read_cell_by_cell(tmp_path):
    """The table comes out as a table (cells, spans, boxes) where it stands in the page's text, each
    cell's words read in it, the rules not read as characters."""
    from pipeline.evaluate import syllable_accuracy
    from pipeline.ingest.image import read_image

    path = tmp_path / "annex.png"
    table_page(0.8, 150).save(path, dpi=(DPI, DPI))
    page = read_image(path, path.read_bytes(), {}).pages[0]
    assert len(page.tables) == 1
    table = page.tables[0]
    assert (table.n_rows, table.n_cols) == (5, 4)
    grid = table.grid()
    read = [grid[r][c] for r, row in enumerate(ROWS) for c, text in enumerate(row) if text]
    printed = [text for row in ROWS for text in row if text]
    matched, total = syllable_accuracy("\n".join(read), "\n".join(printed))
    assert matched / total >= 0.9, list(zip(read, printed))
    assert [grid[r][0] for r in range(2, 5)] == ["Số hóa hồ sơ", "Tập huấn cán bộ", "Kiểm tra"]
    first, last = table.lines
    text = page.text.split("\n")
    header = text[first].split("\t")
    assert len(header) == 4 and header[1:] == ["Chủ trì", "Thời gian", ""], header
    assert "Các sở, ngành" in "\n".join(text[:first]) and "|" not in "\n".join(text[first:last + 1])
    cell = next(c for c in table.cells if (c.row, c.col) == (2, 1))
    assert cell.bbox == pytest.approx((XS[1], YS[2], XS[2], YS[3]), abs=15)


@pytest.mark.tesseract
def test_a_scanned_pdfs_table_reaches_the_record(tmp_path):
    """The PDF reader OCRs scanned pages in parallel and keeps what each page's reading found,
    tables included: the record lists the table with its page and its box in PDF points."""
    from fpdf import FPDF

    from pipeline.stages import process_file

    png = tmp_path / "annex.png"
    table_page().save(png, dpi=(DPI, DPI))
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(png), x=0, y=0, w=210, h=297)
    path = tmp_path / "annex.pdf"
    pdf.output(str(path))
    record = process_file(path)
    assert [p.method for p in record.pages] == ["ocr"]
    assert len(record.tables) == 1
    table = record.tables[0]
    assert table.page == 1
    points = 72 / DPI
    assert table.bbox == pytest.approx((XS[0] * points, YS[0] * points, XS[-1] * points, YS[-1] * points), abs=6)
    assert table.rows[2][0] == "Số hóa hồ sơ"
