"""Extraction on documents it was not written for (issue 15), each rule with cases from two real
files of ``../shared/real`` (skipped where it is absent) or from synthetic text beside one."""

from __future__ import annotations

import pytest

from pipeline.stages import process_file
from tests.conftest import CORPUS

REAL = CORPUS.parent.parent / "shared" / "real"
PLANS = CORPUS.parent.parent / "shared" / "plans"


def _record(folder, name):
    path = folder / name
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return process_file(path)


@pytest.mark.parametrize("name", ["cv-giao-427-bca.docx", "cv-giao-hd46-bca.docx", "cv-3980-bca-giao.docx"])
def test_a_letter_gives_work_in_a_sentence(name):
    """'Chủ tịch Ủy ban nhân dân tỉnh giao Công an tỉnh nghiên cứu …': a task of the letter."""
    tasks = _record(REAL, name).tasks
    assert [(t.section, t.lead, t.source) for t in tasks] == [(None, ["Công an tỉnh Lâm Đồng"], "sentence")]


@pytest.mark.parametrize("name, ids", [
    ("cv-ubnd-chi-dao-cai-nghien.docx", ["1", "2", "3", "4"]),
    # (item 1 was lost until paragraph tab stops stopped being read as TABs; the gold has it)
    ("tbkl-pci-doanh-nghiep.docx", ["1", "2", "2.a", "2.b", "3"]),
])
def test_numbered_items_of_a_letter_without_roman_parts(name, ids):
    assert [s.id for s in _record(REAL, name).sections] == ids


def test_numbered_items_of_a_letter_are_its_tasks():
    tasks = _record(REAL, "cv-ubnd-chi-dao-cai-nghien.docx").tasks
    assert [(t.section, t.lead[:1]) for t in tasks if t.source == "outline"] == [
        ("1", ["Sở Y tế"]), ("2", ["Ủy ban nhân dân các xã, phường, đặc khu"]), ("3", ["Công an tỉnh Lâm Đồng"]),
        ("4", ["Sở Tài chính"])]


def test_a_list_of_people_is_no_outline():
    assert _record(REAL, "pl-danh-sach-doi-ucsc.docx").sections == []


@pytest.mark.parametrize("lines, ids", [
    # conclusions print their parts in ordinary case (tbkl-cao-toc.docx: "II. Nhiệm vụ, giải pháp …")
    (["THÔNG BÁO", "Kết luận", "", "I. Đánh giá chung", "Các đơn vị đã triển khai.",
      "II. Nhiệm vụ, giải pháp trong thời gian tới", "1. Sở Xây dựng: chủ trì thẩm định."], ["I", "II", "II.1"]),
    # ... and a roman numeral out of turn in ordinary case is a sentence, not a heading
    (["THÔNG BÁO", "Kết luận", "", "I. Đánh giá chung", "V. Tân Phú là xã có nhiều dự án."], ["I"]),
])
def test_roman_parts_in_ordinary_case(tmp_path, lines, ids):
    path = tmp_path / "tb.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert [s.id for s in process_file(path).sections] == ids


@pytest.mark.parametrize("name, rows", [("001c610b2efdcf0c.txt", 25), ("f004d93b21e7fc5f.txt", 40)])
def test_annex_task_table_rows_are_tasks(name, rows):
    """A PHỤ LỤC task table brought as TAB-separated rows: one task per row, PL1.<group>.<row>."""
    record = _record(PLANS, name)
    table = [t for t in record.tasks if t.source == "table"]
    assert len(table) >= rows
    assert all(t.section.startswith("PL1.") for t in table)
    assert any(t.lead for t in table) and any(t.deadline for t in table)


@pytest.mark.parametrize("name, plan_title", [
    ("437c3beb60ae2874.txt", "Triển khai thực hiện Đề án"),
    ("f1e0981425ec38be.txt", "Xuất khẩu sản phẩm hàng hóa tỉnh Sơn La"),
])
def test_a_decision_issuing_a_plan_gets_the_plans_outline(name, plan_title):
    record = _record(PLANS, name)
    assert record.document.doc_type == "Quyết định"
    assert [a.doc_type for a in record.attached] == ["Kế hoạch"]
    assert plan_title.lower() in (record.attached[0].title or "").lower()
    assert [s.id for s in record.sections][:2] == ["I", "I.1"]


def _doc_of(tmp_path, body: str):
    """A plan issued on 2025-11-19 with ``body`` as its text."""
    path = tmp_path / "kh.txt"
    path.write_text("ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\nSố: 982/KH-UBND\n\nNghệ An, ngày 19 tháng 11 năm 2025\n"
                    "KẾ HOẠCH\nTriển khai nhiệm vụ\n\n" + body, encoding="utf-8")
    return process_file(path)


@pytest.mark.parametrize("sentence, expected", [
    # list items that open with their percentage (437c3beb: "- 100% phường, xã, đặc khu ...")
    ("- 100% phường, xã, đặc khu khi xây dựng kế hoạch phải có sự tham gia của cộng đồng;", (100.0, "%", "=")),
    # "Phấn đấu 100% ..." (437c3beb), "bảo đảm 100% thủ tục hành chính ..." (689f49d2)
    ("- Phấn đấu 100% hộ gia đình được tiếp nhận đầy đủ thông tin về thiên tai.", (100.0, "%", "=")),
    ("Số hóa, bảo đảm 100% thủ tục hành chính xử lý trực tuyến.", (100.0, "%", "=")),
    # running text of targets (a83fffe0): "đạt khoảng 22%", "giảm 50% số cặp tảo hôn"
    ("Tỷ lệ trẻ em dưới 15 tuổi đạt khoảng 22%; tỷ lệ phụ thuộc chung đạt khoảng 51%.", (22.0, "%", "=")),
    ("Giảm 50% số cặp tảo hôn.", (50.0, "%", "decrease")),
])
def test_targets_in_running_text(tmp_path, sentence, expected):
    found = {(i.value, i.unit, i.operator) for i in _doc_of(tmp_path, sentence).indicators}
    assert expected in found


@pytest.mark.parametrize("sentence, expected", [
    # a month on its own (2957e4f4: "tháng 4 năm 2026"; ae8d299a's table: "Tháng 5/2025")
    ("Tổ chức tổng kết vào tháng 4 năm 2026.", ("month", "2026-04-01", "2026-04-30")),
    ("Hoàn thành dự thảo Tháng 12/2025.", ("month", "2025-12-01", "2025-12-31")),
    # a span of months (2957e4f4)
    ("Thời gian thi đua từ tháng 10 năm 2025 đến hết tháng 3 năm 2026.", ("period", "2025-10-01", "2026-03-31")),
    # a year on its own (d40513a8, 99c7d8ff: "... năm 2025")
    ("Triển khai các hoạt động truyền thông năm 2025 trên địa bàn.", ("year", "2025-01-01", "2025-12-31")),
])
def test_deadlines_on_their_own(tmp_path, sentence, expected):
    found = {(d.kind, str(d.start), str(d.end)) for d in _doc_of(tmp_path, sentence).deadlines}
    assert expected in found


@pytest.mark.parametrize("sentence", [
    "Căn cứ Nghị quyết số 206/NQ-HĐND ngày 03 tháng 10 năm 2025 của Hội đồng nhân dân.",  # a date's month and year
    "Thực hiện Luật Đất đai năm 2013.",                                                  # a year before the plan
    "Chiến lược phát triển đến năm 2030, tầm nhìn đến năm 2050.",                        # a name's horizon
])
def test_no_deadline_from_dates_of_other_things(tmp_path, sentence):
    kinds = {(d.kind, d.start.year if d.start else None) for d in _doc_of(tmp_path, sentence).deadlines}
    assert not {k for k in kinds if k[0] in ("year", "month")}


@pytest.mark.parametrize("sentence, name", [
    # a83fffe0, 689f49d2, d40513a8 print "UBND xã, phường"; seed 002 "UBND các huyện, thành phố"
    ("Giao UBND xã, phường tổ chức tuyên truyền.", "Ủy ban nhân dân các xã, phường"),
    ("Giao Ủy ban nhân dân xã, phường, đặc khu rà soát.", "Ủy ban nhân dân các xã, phường, đặc khu"),
    ("Đề nghị UBND các huyện, thành phố triển khai.", "Ủy ban nhân dân các huyện, thành phố"),
])
def test_committees_of_several_units_are_one_collective(tmp_path, sentence, name):
    assert name in {a.name for a in _doc_of(tmp_path, sentence).agencies}


@pytest.mark.parametrize("sentence, names", [
    # recipients lists: 2957e4f4 "- TT. Tỉnh ủy; - TT. HĐND tỉnh; - VP. Tỉnh ủy", 62f25a03 "TT. Tỉnh ủy, TT. HĐND Tỉnh"
    ("Nơi nhận:\n- TT. Tỉnh ủy;\n- TT. HĐND tỉnh;\n- VP. Tỉnh ủy;\n- Lưu: VT.",
     {"Thường trực Tỉnh ủy Nghệ An", "Thường trực Hội đồng nhân dân tỉnh Nghệ An", "Văn phòng Tỉnh ủy Nghệ An"}),
    # "VP UBND tỉnh" (62f25a03, c5d930a5), "VPUBND" (689f49d2)
    ("Nơi nhận:\n- VP UBND tỉnh;\n- Lưu: VT.", {"Văn phòng Ủy ban nhân dân tỉnh Nghệ An"}),
    # courts and procuracies (ae8d299a national, a Đồng Nai plan local), telecom groups (62f25a03, ceb89a53)
    ("Đề nghị Tòa án nhân dân tối cao, Viện kiểm sát nhân dân tối cao phối hợp.",
     {"Tòa án nhân dân tối cao", "Viện kiểm sát nhân dân tối cao"}),
    ("Đề nghị các doanh nghiệp viễn thông (VNPT, Viettel, MobiFone) bảo đảm thông tin liên lạc.",
     {"VNPT", "Viettel", "MobiFone"}),
    # civil defence commands (62f25a03, c5d930a5)
    ("Giao Ban Chỉ huy Phòng thủ dân sự tỉnh chủ trì.", {"Ban Chỉ huy Phòng thủ dân sự tỉnh Nghệ An"}),
])
def test_organs_of_recipients_lists_and_beyond_the_seeds(tmp_path, sentence, names):
    assert names <= {a.name for a in _doc_of(tmp_path, sentence).agencies}


def test_the_party_committee_of_ho_chi_minh_city_keeps_its_unit_word(tmp_path):
    """'Thành ủy Hồ Chí Minh' would name the man: the city is 'thành phố Hồ Chí Minh' (001c610b,
    31fb08f3, 437c3beb)."""
    path = tmp_path / "kh.txt"
    path.write_text("THÀNH ỦY THÀNH PHỐ HỒ CHÍ MINH\nSố: 12-KH/TU\n\nThành phố Hồ Chí Minh, ngày 19 tháng 11 năm 2025\n"
                    "KẾ HOẠCH\nTriển khai nhiệm vụ\n\nGiao Văn phòng Thành ủy chủ trì, báo cáo Thường trực Thành ủy.",
                    encoding="utf-8")
    names = {a.name for a in process_file(path).agencies}
    assert {"Văn phòng Thành ủy thành phố Hồ Chí Minh", "Thường trực Thành ủy thành phố Hồ Chí Minh"} <= names


def test_a_second_row_under_one_number_keeps_its_columns(tmp_path):
    """A row the table's STT cell was merged over arrives in text without that cell: its cells start
    at the task column (an annex of a development plan, 001c61: rows II.1, IV.2, V.1)."""
    record = _doc_of(tmp_path, "PHỤ LỤC\nTT\tNhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"
                               "I\tHạ tầng\n1\tQuản lý, vận hành hệ thống thông tin quy hoạch.\tSở Tài chính\t"
                               "Các sở, ngành\tQuý IV/2026\n"
                               "Thực hiện sao lưu dữ liệu và phục hồi hệ thống.\tSở Khoa học và Công nghệ\tSở Tài chính\n")
    assert [(t.section, t.lead, t.support) for t in record.tasks if t.source == "table"] == [
        ("PL1.I.1", ["Sở Tài chính"], []), ("PL1.I.1", ["Sở Khoa học và Công nghệ"], ["Sở Tài chính"])]
