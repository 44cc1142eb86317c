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
    ("tbkl-pci-doanh-nghiep.docx", ["2", "2.a", "2.b", "3"]),
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
