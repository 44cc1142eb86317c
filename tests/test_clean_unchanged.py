"""Restoration never changes a clean document (issue 13): every development plan of ``../shared/plans``
and every Word file of ``../shared/real`` comes out of the restore stage byte for byte as it went in.
Skipped where ``../shared`` is absent."""

from __future__ import annotations

import pytest

from pipeline.stages import process_file
from tests.conftest import CORPUS

SHARED = CORPUS.parent.parent / "shared"
CLEAN = sorted((SHARED / "plans").glob("*.txt")) + sorted((SHARED / "real").glob("*.docx"))


@pytest.mark.skipif(not CLEAN, reason="../shared is not here")
@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_restoration_leaves_a_clean_document_as_it_is(path):
    normalised = process_file(path, pipeline=["normalise"])
    restored = process_file(path, pipeline=["normalise", "restore"])
    assert restored.quality.restored == [] and restored.quality.restored_tokens == 0
    assert restored.text == normalised.text
    assert normalised.quality.input_form == "clean"


def test_acronyms_and_letters_are_not_ocr_damage():
    """A clean text full of acronyms (UBND, QĐ, STT) and letters standing alone is clean; damage in
    words of small letters is still damage."""
    from pipeline.vntext import input_form

    clean = ("Theo QĐ số 12/QĐ-UBND của UBND tỉnh, tại STT 3 điểm b, PKN phối hợp với UBND xã Ea "
             "Tiêu kiểm tra các chỉ tiêu COD, TSS của nước thải nuôi trồng thủy sản trên địa bàn.")
    assert input_form(clean) == "clean"
    damaged = ("Theo QĐ sé 12/QĐ-UBND ciia UBND tinh, tai STT 3 diém b, PKN phéi hgp véi UBND xd Ea "
               "Tiéu kiém tra cic chi tiéu COD, TSS ciia nudc thai nuéi tréng thiiy sin trén dia ban.")
    assert input_form(damaged) == "ocr_noisy"
