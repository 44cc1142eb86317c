"""The header by the layout of Nghị định 30/2020 (issue 14), one case per layout variant, each from
a real file named in the case; cases that need ``../shared/real`` skip where it is absent."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline import header
from pipeline.stages import build_pipeline, process_file
from pipeline.errors import UsageError
from schemas import Signer
from tests.conftest import CORPUS

REAL = CORPUS.parent.parent / "shared" / "real"

CASES = [
    # two columns by position, a draft: a text-layer PDF whose number and day are left blank
    ("bc-chi-so-tinh.pdf", dict(doc_type="Báo cáo", number=None, symbol="/BC-SNV", year=2025, month=11, date=None,
                                issuer="Sở Nội vụ tỉnh Lâm Đồng", place="Lâm Đồng")),
    # Word layout tables: a letter with its V/v subject, one addressee, a TL. signature
    ("cv-3980-bca-giao.docx", dict(doc_type="Công văn", number=None, symbol="/UBND-NC", year=2025, month=9,
                                   issuer="Ủy ban nhân dân tỉnh Lâm Đồng", place="Lâm Đồng",
                                   addressees=["Công an tỉnh"])),
    # Word, the header's two columns typed with runs of spaces
    ("cv-giao-427-bca.docx", dict(doc_type="Công văn", symbol="/UBND-NC", year=2026, month=2, date=None,
                                  subject="triển khai thực hiện Công văn số 427/BCA-C04 của Bộ Công an",
                                  issuer="Ủy ban nhân dân tỉnh Lâm Đồng")),
    # Word, the addressees list spaced with an empty paragraph after its first item
    ("cv-chi-dao-mo-hinh-cchc.docx", dict(addressees=["Thủ trưởng các cơ quan chuyên môn thuộc UBND tỉnh",
                                                      "Trưởng Ban Quản lý các khu công nghiệp",
                                                      "Chủ tịch UBND các xã, phường, đặc khu"])),
    # Word, a header table nested in a one-cell table; a submission's "Về việc" title
    ("ttr-giai-the-hiep-hoi.docx", dict(doc_type="Tờ trình", symbol="/TTr-SNV", issuer="Sở Nội vụ tỉnh Lâm Đồng",
                                        title="Về việc giải thể Hiệp hội rau quả Đà Lạt",
                                        addressees=["Chủ tịch UBND tỉnh Lâm Đồng"])),
]
OCR_CASES = [
    # a scan at 321 dpi placed a quarter turn; red seal over the signature; the number handwritten
    ("cv-298-pc04.pdf", dict(doc_type="Tờ trình", number=None, issuer="Công an tỉnh Lâm Đồng", place="Lâm Đồng",
                             date=dt.date(2025, 10, 24))),
    # tesseract vie's marks corrected by the vie channel: "điêu tra tội phạm vẻ ma túy", "vê mà túy"
    ("cv-3980-bca-scan.pdf", dict(issuer="Cục Cảnh sát điều tra tội phạm về ma túy",
                                  subject="chuẩn bị tổ chức triển khai Chương trình MTQG phòng, chống ma túy "
                                          "đến năm 2030")),
    ("cv-4552-bca-c04.pdf", dict(subject="rà soát, đánh giá mức độ trọng điểm phức tạp về ma túy và cơ sở cai nghiện")),
    # a list after the signature: its "11." read "T1." is not a TL. signing mark (marks are in capitals)
    ("cv-5689-bca-c04.pdf", dict(symbol="/BCA-C04", signer=Signer(name="Nguyễn Văn Long", position="Thứ trưởng",
                                                                   authority="KT. Bộ trưởng"))),
]


def _check(name: str, expected: dict) -> None:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    info = process_file(path).document
    for field, value in expected.items():
        assert getattr(info, field) == value, (field, getattr(info, field))


@pytest.mark.parametrize("name, expected", CASES, ids=[c[0] for c in CASES])
def test_header_of_real_files(name, expected):
    _check(name, expected)


@pytest.mark.tesseract
@pytest.mark.parametrize("name, expected", OCR_CASES, ids=[c[0] for c in OCR_CASES])
def test_header_of_real_scans(name, expected):
    _check(name, expected)


# an addressees list as the letters of ../shared/real print it (cv-4552, bc-03: items wrapped at the
# margin, after a comma or mid-name; cv-chi-dao: spaced with an empty line), and a one-line one
ADDRESSEES = [
    ("Kính gửi: Ủy ban nhân dân các tỉnh, thành phố An Giang, Cần Thơ,\nCà Mau, Cao Bằng, Bắc Ninh, Tuyên Quang, "
     "Lai Châu, Lào Cai, Quảng\nNgãi, Gia Lai.\nThực hiện Nghị quyết số 163/2024/QH15 của Quốc hội về",
     ["Ủy ban nhân dân các tỉnh, thành phố An Giang, Cần Thơ, Cà Mau, Cao Bằng, Bắc Ninh, Tuyên Quang, Lai Châu, "
      "Lào Cai, Quảng Ngãi, Gia Lai"]),
    ("Kính gửi:\n- Đồng chí Hồ Văn Mười - Chủ tịch Ủy ban nhân dân tỉnh;\n- Đồng chí Nguyễn Minh - Phó Chủ tịch "
     "Ủy ban nhân dân tỉnh,\nChủ tịch Hội đồng cấp tỉnh.\nCông an tỉnh báo cáo như sau:",
     ["Đồng chí Hồ Văn Mười - Chủ tịch Ủy ban nhân dân tỉnh",
      "Đồng chí Nguyễn Minh - Phó Chủ tịch Ủy ban nhân dân tỉnh, Chủ tịch Hội đồng cấp tỉnh"]),
    ("Kính gửi:\n- Thủ trưởng các cơ quan chuyên môn thuộc UBND tỉnh;\n\n- Chủ tịch UBND các xã, phường.\n\n"
     "Nhằm nâng cao sự hài lòng của người dân",
     ["Thủ trưởng các cơ quan chuyên môn thuộc UBND tỉnh", "Chủ tịch UBND các xã, phường"]),
    ("Kính gửi: Ủy ban nhân dân tỉnh Lâm Đồng\nThực hiện Công văn số 4552/BCA-C04 ngày 10/11/2025 của Bộ Công an, "
     "Công an tỉnh báo cáo kết quả như sau", ["Ủy ban nhân dân tỉnh Lâm Đồng"]),
    ("Kính gửi:\n- Sở Y tế\n- Sở Nội vụ\nThực hiện Kế hoạch số 12/KH-UBND", ["Sở Y tế", "Sở Nội vụ"]),
]


@pytest.mark.parametrize("text, names", ADDRESSEES)
def test_addressees_lists(text, names):
    lines = text.split("\n")
    assert header._addressees(lines, 0, len("Kính gửi:"))[0] == names


def test_signer_of_a_letter_from_its_layout_table():
    path = REAL / "cv-3980-bca-giao.docx"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    signer = process_file(path).document.signer
    assert (signer.name, signer.position, signer.authority) == ("Nguyễn Nhân Bản", "Chánh Văn phòng", "TL. Chủ tịch")


def test_interleaved_columns_of_the_ocrd_seed():
    """Seed 004: issuer and motto on one line, number and place-date on one line, OCR-damaged."""
    lines = (CORPUS / "004.txt").read_text(encoding="utf-8").split("\n")
    found, _ = header.parse(lines)
    assert (found.doc_type, found.number, found.date) == ("Kế hoạch", "275/KH-UBND", dt.date(2025, 10, 6))


@pytest.mark.parametrize("lines, number, symbol", [
    # the incoming-document stamp is not the number (cv-3980-bca-scan.pdf carries one)
    (["ĐẾN Số: 1016", "Ngày: 05/9/2025", "BỘ CÔNG AN", "Số: 3980/C04-P6", "V/v chuẩn bị"], "3980/C04-P6", "/C04-P6"),
    # a handwritten number OCR cannot read: null, never a guess (cv-4552-bca-c04.pdf)
    (["BỘ CÔNG AN", "Số: 2 § 1đBCA-C04", "V/v rà soát"], None, None),
    # the number left blank in a draft (the Word letters of ../shared/real)
    (["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG", "Số:      /UBND-NC", "V/v triển khai"], None, "/UBND-NC"),
    # a law cited in the text is not the document's number
    (["THAM LUẬN", "Xây dựng mô hình", "", "Thực hiện Nghị quyết số 163/2024/QH15 của Quốc hội"], None, None),
])
def test_number_line(lines, number, symbol):
    found, _ = header.parse(lines)
    assert (found.number, found.symbol) == (number, symbol)


@pytest.mark.parametrize("printed, name", [
    ("UBND TỈNH LÂM ĐỒNG", "Ủy ban nhân dân tỉnh Lâm Đồng"),
    ("ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "Ủy ban nhân dân tỉnh Lâm Đồng"),
    ("BỘ CÔNG AN", "Bộ Công an"),
    ("CỤC CẢNH SÁT ĐIỀU TRA TỘI PHẠM VỀ MA TÚY", "Cục Cảnh sát điều tra tội phạm về ma túy"),
    ("CÔNG AN TỈNH LÂM ĐỒNG", "Công an tỉnh Lâm Đồng"),
])
def test_organ_names_in_proper_form(printed, name):
    assert header.organ_name(printed) == name


def test_issuer_under_its_parent_takes_the_parent_locality():
    found, _ = header.parse(["UBND TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ", "Số: /BC-SNV", "", "BÁO CÁO", "Tình hình"])
    assert found.issuer == "Sở Nội vụ tỉnh Lâm Đồng"


# ------------------------------------------------------------------ stage contracts

def test_pipeline_contracts_are_checked_when_built():
    assert [s.name for s in build_pipeline()][:3] == ["normalise", "restore", "segment"]
    with pytest.raises(UsageError, match="unknown stage 'foo'"):
        build_pipeline(["normalise", "foo"])
    with pytest.raises(UsageError, match="put agencies before 'tasks'"):
        build_pipeline(["normalise", "segment", "tasks"])
    with pytest.raises(UsageError, match="'deadlines' reads .*tasks"):
        build_pipeline(["normalise", "segment", "deadlines"])


def test_a_wrong_stage_order_is_a_usage_error_at_start(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["run", str(CORPUS / "003.txt"), "-o", str(tmp_path / "o"),
                                      "--stages", "normalise,tasks"])
    assert result.exit_code == 2
    assert not (tmp_path / "o" / "003.json").exists()


@pytest.mark.parametrize("authority", ["ỦY BAN NHÂN DÂN TỈNH SƠN LA", "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"])
def test_a_decisions_title_ends_before_the_authority_that_issues_it(authority):
    """Nghị định 30's decision prints who issues it in capitals between the title and the preamble
    (two plans of ../shared/plans: the title ran on into it)."""
    lines = ["QUYẾT ĐỊNH", "VỀ VIỆC BAN HÀNH KẾ HOẠCH XUẤT KHẨU SẢN PHẨM HÀNG HÓA", "GIAI ĐOẠN 2026 - 2030",
             authority, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"]
    title, end = header.title_after(lines, 1)
    assert title == "VỀ VIỆC BAN HÀNH KẾ HOẠCH XUẤT KHẨU SẢN PHẨM HÀNG HÓA GIAI ĐOẠN 2026 - 2030"
    assert end == 3


def test_a_title_line_naming_a_committee_is_kept_when_no_preamble_follows():
    lines = ["QUYẾT ĐỊNH", "VỀ VIỆC KIỆN TOÀN BAN CHỈ ĐẠO CỦA", "ỦY BAN NHÂN DÂN TỈNH", "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG",
             "Căn cứ Luật Tổ chức chính quyền địa phương;"]
    title, _ = header.title_after(lines, 1)
    assert title == "VỀ VIỆC KIỆN TOÀN BAN CHỈ ĐẠO CỦA ỦY BAN NHÂN DÂN TỈNH"


# What a legal database's web page puts before the document when it is saved as text (one plan of
# ../shared/plans was filed so): its notices and a summary table of the document's fields.
WEB_NOTICES = """Bản dịch này thuộc quyền sở hữu của THƯ VIỆN PHÁP LUẬT. Mọi hành vi sao chép là vi phạm pháp luật.
X CÁC NỘI DUNG ĐƯỢC SỬA ĐỔI, HƯỚNG DẪN
Các nội dung của VB này được VB khác thay đổi, hướng dẫn sẽ được làm nổi bật bằng
các màu sắc:
Click vào phần bôi vàng để xem chi tiết.
Đang tải văn bản...
#
Số hiệu:
980/KH-UBND
Loại văn bản:
Kế hoạch
Nơi ban hành:
Tỉnh Nghệ An
Người ký:
Nguyễn Văn Đệ
Tình trạng:
Đã biết
"""


PLANS = CORPUS.parent.parent / "shared" / "plans"


@pytest.mark.parametrize("name", ["2957e4f4f0e41373.txt", "99c7d8fff9e4572e.txt", "d40513a8b25883ec.txt"])
def test_a_web_pages_notices_before_the_header_are_not_read_as_it(name):
    if not (PLANS / name).exists():
        pytest.skip("../shared/plans is absent")
    lines = (PLANS / name).read_text(encoding="utf-8").splitlines()
    plain, body = header.parse(lines)
    notices = WEB_NOTICES.splitlines()
    saved, saved_body = header.parse(notices + lines)
    assert plain.issuer and saved == plain
    assert saved_body == body + len(notices)


def test_a_plan_saved_from_a_legal_database_page():
    path = PLANS / "c5d930a5fc8373cd.txt"
    if not path.exists():
        pytest.skip("../shared/plans is absent")
    found, _ = header.parse(path.read_text(encoding="utf-8").splitlines())
    assert (found.issuer, found.doc_type, found.number, found.date) == (
        "Ủy ban nhân dân tỉnh Nghệ An", "Kế hoạch", "980/KH-UBND", dt.date(2025, 11, 18))


def test_a_header_at_the_top_is_read_from_the_top():
    lines = ["UBND TỈNH LÂM ĐỒNG", "SỞ NỘI VỤ", "Số: 12/SNV-XDCQ", "V/v triển khai thực hiện",
             "Kế hoạch số 45/KH-UBND ngày 01/10/2025", "của Ủy ban nhân dân tỉnh về", "công tác cải cách",
             "hành chính năm 2025 và", "các năm tiếp theo", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert header.header_start(lines) == 0
