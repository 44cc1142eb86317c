"""Text decoding is per line: a stray byte in a UTF-8 plan spoils its line (U+FFFD, a warning with
the count), not the file; restore says when its input was not UTF-8 and what it read it as."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app
from pipeline.encoding import decode_bytes
from pipeline.errors import UndecodableText
from pipeline.stages import process_file
from tests.conftest import CORPUS

runner = CliRunner()
PLAN = (CORPUS / "003.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("bad_lines", [1, 3])
def test_a_stray_byte_spoils_its_line_not_the_file(bad_lines):
    lines = PLAN.splitlines()
    for i in range(bad_lines):
        index = 5 + 7 * i
        lines[index] = lines[index] + "\udcff"  # one \xff byte at the end of the line
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8" and decoded.replaced_lines == bad_lines
    assert decoded.text.count("\ufffd") == bad_lines
    assert decoded.text.replace("\ufffd", "") == "\n".join(PLAN.splitlines())
    lines_word = "1 line" if bad_lines == 1 else f"{bad_lines} lines"
    assert decoded.warning == f"{lines_word} held bytes that are not valid UTF-8; each such byte was read as U+FFFD"


def test_a_one_line_utf8_text_with_a_stray_byte_is_still_utf8():
    data = "Kế hoạch triển khai thực hiện công tác dân số trong tình hình mới".encode() + b"\xff"
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8" and decoded.replaced_lines == 1
    assert decoded.text.startswith("Kế hoạch triển khai")


def test_binary_data_is_still_refused():
    with pytest.raises(UndecodableText):
        decode_bytes(bytes(range(256)) * 20)


def test_the_record_is_partial_with_the_warning(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode() + b"\nD\xf2ng cu\xff\xfei\n")
    record = process_file(path, {"stages": ["normalise"]})
    assert record.status == "partial"
    assert [(e.code, e.message) for e in record.errors] == [
        ("invalid_bytes", "1 line held bytes that are not valid UTF-8; each such byte was read as U+FFFD")]
    assert "Kết luận số 149-KL/TW" in record.text


def test_restore_says_when_its_input_is_not_utf8(tmp_path):
    stray = tmp_path / "stray.txt"
    stray.write_bytes("Ke hoach trien khai\n".encode() + b"cong tac dan so \xff\n")
    result = runner.invoke(app, ["restore", str(stray)])
    assert result.exit_code == 0
    assert "kehoach: 1 line held bytes that are not valid UTF-8; each such byte was read as U+FFFD" in result.output
    cp1258 = tmp_path / "cp1258.txt"
    cp1258.write_bytes("Kế hoạch".replace("ế", "ê\u0301").replace("ạ", "a\u0323").encode("cp1258"))
    result = runner.invoke(app, ["restore", str(cp1258)])
    assert "kehoach: the input is not UTF-8 text; read as cp1258" in result.output
    plain = tmp_path / "plain.txt"
    plain.write_text("Kế hoạch\n", encoding="utf-8")
    assert "kehoach:" not in runner.invoke(app, ["restore", str(plain)]).output
