"""Every reader turns what its library raises into the document's own error code and a one-line
message; a limit a user can raise is named in the message; a broken file never stops the batch,
even in this process (--workers 0)."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from cli import app
from pipeline.ingest import READERS
from pipeline.stages import process_file
from tests.conftest import render_page
from tests.hostile.helpers import assert_clean_stderr, fake_tesseract, write_plans
from tests.test_batch import long_pdf

TEXT = "Kế hoạch triển khai thực hiện công tác dân số trong tình hình mới"


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A PNG of a few hundred bytes whose header declares ``width`` × ``height`` pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))
    return path


def docx_with(path: Path, document_xml: bytes, declared_size: int | None = None) -> Path:
    """A Word package holding ``document_xml``; ``declared_size`` overwrites the size its zip
    directory and local header declare for that part (a lying zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", document_xml)
    data = bytearray(buffer.getvalue())
    if declared_size is not None:
        name = b"word/document.xml"
        local = data.index(b"PK\x03\x04" + b"\x14\x00", 0)
        while data[local + 30:local + 30 + len(name)] != name:
            local = data.index(b"PK\x03\x04", local + 4)
        struct.pack_into("<I", data, local + 22, declared_size)
        central = data.index(b"PK\x01\x02", 0)
        while data[central + 46:central + 46 + len(name)] != name:
            central = data.index(b"PK\x01\x02", central + 4)
        struct.pack_into("<I", data, central + 24, declared_size)
    path.write_bytes(bytes(data))
    return path


W_DOC = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
         b'<w:body>%s</w:body></w:document>')


def paragraphs(count: int) -> bytes:
    """A document.xml of ``count`` paragraphs of 1,000 letters: 1 KB each inflated, a few bytes deflated."""
    return W_DOC % b"".join(b"<w:p><w:r><w:t>" + b"x" * 1000 + b"</w:t></w:r></w:p>" for _ in range(count))


KIDS_LOOP = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >> endobj
trailer << /Root 1 0 R /Size 4 >>
%%EOF
"""
GARBAGE_XREF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\nxref\n0 3\nzzzz\n" + bytes(range(256)) * 4
                + b"\ntrailer << /Root 1 0 R >>\nstartxref\n99999\n%%EOF\n")


def hostile(folder: Path) -> dict[str, tuple[Path, dict]]:
    """name: (file, options) for each bad input the readers must turn into a record."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kids.pdf").write_bytes(KIDS_LOOP)
    (folder / "xref.pdf").write_bytes(GARBAGE_XREF)
    two_frames = folder / "second_page_big.tif"
    Image.new("L", (30, 30), 255).save(two_frames, save_all=True, append_images=[Image.new("L", (40, 40), 255)])
    return {
        "bomb": (png_declaring(folder / "bomb.png", 50_000, 50_000), {}),
        "over_limit": (png_declaring(folder / "over.png", 40, 40), {"max_pixels": 1000}),
        "second_page_big": (two_frames, {"max_pixels": 1000}),
        "kids": (folder / "kids.pdf", {}),
        "xref": (folder / "xref.pdf", {}),
        "many_pages": (long_pdf(folder / "three.pdf", 3), {"max_pages": 2}),
        "malformed_docx": (docx_with(folder / "malformed.docx", b"<w:document <<< broken"), {}),
        "inflating_docx": (docx_with(folder / "inflating.docx", paragraphs(3000)), {"max_docx_bytes": 1 << 20}),
        "lying_docx": (docx_with(folder / "lying.docx", paragraphs(300), declared_size=2000), {}),
        "long_text": (folder / "long.txt", {"max_chars": 100}),
        "cut_short_docx": (cut_short(docx_with(folder / "cut.docx", paragraphs(30))), {}),
    }


def cut_short(path: Path) -> Path:
    """The file's first half only: a download or a copy that stopped."""
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    return path


EXPECTED = {  # name: (code, words the message holds, page)
    "bomb": ("image_too_large", "--max-pixels", None),
    "over_limit": ("image_too_large", "--max-pixels", None),
    "second_page_big": ("image_too_large", "40×40 pixels", 2),
    "kids": ("corrupt_pdf", "cannot be read", None),
    "xref": ("corrupt_pdf", "cannot be parsed", None),
    "many_pages": ("too_many_pages", "3 pages, over the limit of 2 (--max-pages)", None),
    "malformed_docx": ("corrupt_docx", "XMLSyntaxError", None),
    "inflating_docx": ("docx_too_large", "(--max-docx-mb)", None),
    "lying_docx": ("corrupt_docx", "BadZipFile", None),
    "long_text": ("text_too_long", "(--max-chars)", None),
    "cut_short_docx": ("corrupt_docx", "damaged or cut short", None),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    cases = hostile(folder)
    (folder / "long.txt").write_text(TEXT * 10, encoding="utf-8")
    return cases


def test_the_bombs_are_small_on_disk(files):
    for path, _ in files.values():
        assert path.stat().st_size < 200_000, path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_library_error_is_the_documents_own_code(files, name):
    path, options = files[name]
    record = process_file(path, options)
    code, words, page = EXPECTED[name]
    assert record.status == "failed"
    assert record.errors[-1].code == code, record.errors
    assert words in record.errors[-1].message
    assert record.errors[-1].page == page
    assert "\n" not in record.errors[-1].message


def test_a_readers_defect_fails_its_document_only(tmp_path, monkeypatch):
    def broken(path, data, options):
        raise TypeError("a bug\nover two lines")

    monkeypatch.setitem(READERS, "txt", broken)
    path = tmp_path / "plan.txt"
    path.write_text(TEXT, encoding="utf-8")
    record = process_file(path)
    assert record.status == "failed"
    assert record.errors[0].code == "internal_error"
    assert record.errors[0].message == "internal error reading the file: TypeError: a bug\\nover two lines"


def test_bad_files_do_not_stop_a_batch_in_this_process(files, tmp_path):
    folder = tmp_path / "in"
    write_plans(folder, 2)
    for name in ("bomb", "kids", "xref", "malformed_docx", "lying_docx"):
        path = files[name][0]
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(folder), "-o", str(out), "--workers", "0"])
    assert result.exit_code == 1, result.output
    assert_clean_stderr(result.output)
    assert {p.stem for p in out.glob("*.json")} == {"plan00", "plan01", "bomb", "kids", "xref", "malformed", "lying"}
    assert json.loads((out / "plan01.json").read_text())["status"] == "ok"
    assert len((out / "records.jsonl").read_text().splitlines()) == 7


def test_limits_are_options_of_run(files, tmp_path):
    path, _ = files["inflating_docx"]
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "-o", str(out), "--workers", "0", "--max-docx-mb", "1"])
    assert result.exit_code == 1
    assert "failed: docx_too_large: the .docx inflates to 3 MB, over the limit of 1 MB (--max-docx-mb)" in result.output
    bad = CliRunner().invoke(app, ["run", str(path), "-o", str(out), "--max-pixels", "0"])
    assert bad.exit_code == 2 and "--max-pixels must be a positive number" in bad.output


FAILING_TESSERACT = """#!/bin/sh
case "$1" in
  --version) echo "tesseract 5.3.0"; exit 0 ;;
  --list-langs) echo 'List of available languages in "/fake/" (1):'; echo vie; exit 0 ;;
esac
echo "Error during processing." >&2
exit 1
"""


def test_tesseract_refusing_a_page_is_ocr_failed_not_a_crash(tmp_path, monkeypatch):
    from pipeline.ingest import ocr

    env, _ = fake_tesseract(tmp_path)
    (tmp_path / "bin" / "tesseract").write_text(FAILING_TESSERACT)
    monkeypatch.setenv("PATH", env["PATH"])
    ocr.check_tesseract.cache_clear()
    try:
        path = tmp_path / "scan.png"
        Image.new("L", (200, 100), 255).save(path)
        record = process_file(path)
    finally:
        ocr.check_tesseract.cache_clear()
    codes = [(e.code, e.page) for e in record.errors]
    assert ("ocr_failed", 1) in codes and ("no_text", None) in codes
    assert "Error during processing." in record.errors[0].message


@pytest.mark.tesseract
@pytest.mark.parametrize("compression", ["group4", "tiff_lzw", "packbits", "jpeg"])
def test_scanner_tiffs_read(tmp_path, compression):
    page = render_page([TEXT])
    page = page.convert("1") if compression == "group4" else page
    path = tmp_path / f"{compression}.tif"
    page.save(path, compression=compression, dpi=(300, 300))
    record = process_file(path)
    assert record.status == "ok", record.errors
    assert "Kế hoạch triển khai" in record.text


@pytest.mark.tesseract
def test_a_page_wider_than_tesseract_takes_is_shrunk_and_read(tmp_path):
    image = Image.new("L", (40_000, 120), 255)
    image.paste(render_page([TEXT]).crop((0, 40, 2480, 160)), (0, 0))
    path = tmp_path / "strip.png"
    image.save(path)
    record = process_file(path)
    assert record.status == "ok", record.errors
    assert "triển khai" in record.text
    assert record.pages[0].width == pytest.approx(40_000, rel=0.001)


@pytest.mark.tesseract
def test_a_200_inch_pdf_page_is_rendered_within_the_pixel_limit(tmp_path):
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(14_400, 14_400)
    pdf.save(tmp_path / "huge.pdf")
    record = process_file(tmp_path / "huge.pdf", {"max_pixels": 4_000_000})
    warning = next(e for e in record.errors if e.code == "image_too_large")
    assert warning.page == 1 and "read at 10 dpi instead of 300" in warning.message
    assert record.pages[0].dpi == pytest.approx(10, abs=0.5)
