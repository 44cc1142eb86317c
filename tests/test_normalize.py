import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.document import Document, PageText
from pipeline.normalize import clean_page, is_furniture, normalise, normalise_tones
from schemas import Source


@pytest.mark.parametrize("line", [
    "CONG BAO/S6 77+78/Ngay 02-6-2025 77", "80 CONG BAO/S6 77+78/Ngay 02-6-2025", "r \\", "9 r r", "> r # r r r r",
    "6", "?9 r", "bookmark0", "2025-10-31T15:37:29+0700", "http://www.tcpdf.org",
], ids=lambda s: s[:12])
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "I. MUC DICH, YEU CAu", "2030 (Chuong trinh 588)", "26/12;", "a) Sở Y tế", "- Lưu: VT, KGVX218.",
], ids=lambda s: s[:12])
def test_text_lines_are_kept(line):
    assert not is_furniture(line)


@pytest.mark.parametrize("raw, expected", [
    ("Ket luan so 149-\nKL/TW tren dia ban", "Ket luan so 149-KL/TW tren dia ban"),
    ("(Ket luan so 149- \nKL/TW)", "(Ket luan so 149-KL/TW)"),
    ("Nghị quyết số 21-\n\nNQ/TW và", "Nghị quyết số 21-NQ/TW và"),
    ("Cong van s6 135/CDS-\nKHTC ngay", "Cong van s6 135/CDS-KHTC ngay"),
], ids=["party", "space", "blank-line", "cong-van"])
def test_symbols_split_across_lines_are_joined(raw, expected):
    assert clean_page(raw)[0] == expected


def test_tone_placement_is_unified():
    assert normalise_tones("Hoà bình, khoẻ mạnh, thuỷ lợi, Uỷ ban") == "Hòa bình, khỏe mạnh, thủy lợi, Ủy ban"


def test_signature_metadata_is_lifted_out():
    text, signatures = clean_page("Luu: VT.\n\tChung Nhật Lệ <chungnhatle84@haiphong.gov.vn> đã ký lên văn bản này!\n"
                                  "\t2025-10-31T15:37:29+0700\n\tViệt Nam\n")
    assert text == "Luu: VT."
    assert signatures == [{"name": "Chung Nhật Lệ", "email": "chungnhatle84@haiphong.gov.vn"}]


def _doc(pages):
    source = Source(path="x", sha256=hashlib.sha256(b"").hexdigest(), media_type="text/plain", size_bytes=0)
    doc = Document(path=Path("x"), source=source)
    doc.pages = [PageText.from_text(i + 1, t) for i, t in enumerate(pages)]
    return doc


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_normalise_never_crashes_and_page_spans_are_valid(pages):
    doc = normalise(_doc(pages))
    previous_end = 0
    for start, end in doc.page_spans:
        assert previous_end <= start <= end <= len(doc.text)
        previous_end = end


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_clean_page_is_idempotent(text):
    once = clean_page(text)[0]
    assert clean_page(once)[0] == once
