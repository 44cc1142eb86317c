"""The command line in-process: exit codes, messages, and a batch mixing good and bad files."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from cli import app
from tests.conftest import CORPUS, FONT

runner = CliRunner()


def text_pdf(path: Path, text: str, password: str | None = None) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, text)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    pdf.output(str(path))
    return path


@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(CORPUS / "003.txt", folder / "good.txt")
    seed = (CORPUS / "003.txt").read_text(encoding="utf-8")[:1500]
    text_pdf(folder / "good.pdf", seed)
    text_pdf(folder / "locked.pdf", seed, password="secret")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes((folder / "good.pdf").read_bytes()[:400])
    (folder / "noise.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "table.xlsx").write_bytes(b"not really a spreadsheet")
    return folder


EXPECTED = {
    "good": ("ok", None),
    "locked": ("failed", "encrypted"),
    "empty": ("failed", "empty_file"),
    "truncated": ("failed", "corrupt_pdf"),
    "noise": ("failed", "undecodable_text"),
    "table": ("failed", "unsupported_format"),
}


def test_batch_with_bad_files_writes_every_good_record(batch, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(batch), "-o", str(out)])
    assert result.exit_code == 1, result.output
    names = {p.stem for p in out.glob("*.json")}
    # two inputs share the stem "good": both get a record, told apart by a hash suffix
    assert len([n for n in names if n.startswith("good")]) == 2
    for name in names:
        record = json.loads((out / f"{name}.json").read_text())
        status, code = EXPECTED[name.split("-")[0]]
        assert record["status"] == status, name
        if code:
            assert record["errors"][0]["code"] == code
            assert f"{code}:" in result.output  # one clear line on stderr
    assert "Traceback" not in result.output
    lines = (out / "records.jsonl").read_text().splitlines()
    assert len(lines) == len(names)
    db = sqlite3.connect(out / "kehoach.sqlite")
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == len(names)
    assert db.execute("SELECT count(*) FROM errors WHERE code = 'encrypted'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM sections").fetchone()[0] > 10


def test_encrypted_pdf_opens_with_password(batch, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(batch / "locked.pdf"), "-o", str(out), "--password", "secret"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "locked.json").read_text())
    assert record["pages"][0]["method"] == "pdf_text"
    assert "Kết luận số 149-KL/TW" in record["text"]


def test_png_named_pdf_is_read_as_png_and_reported(tmp_path):
    from PIL import Image
    path = tmp_path / "scan.pdf"
    Image.new("L", (50, 50), 255).save(path, format="PNG")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(path), "-o", str(out)])
    assert result.exit_code == 1
    record = json.loads((out / "scan.json").read_text())
    assert record["source"]["media_type"] == "image/png"
    assert record["errors"][0]["code"] == "extension_mismatch"


def test_rerun_skips_finished_documents(tmp_path):
    out = tmp_path / "out"
    runner.invoke(app, ["run", str(CORPUS / "003.txt"), "-o", str(out)])
    result = runner.invoke(app, ["run", str(CORPUS / "003.txt"), "-o", str(out)])
    assert result.exit_code == 0
    assert '"skipped": 1' in result.output


def test_missing_input_is_bad_usage(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "input not found" in result.output


def test_schema_command_prints_json_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"document", "sections", "references", "tasks"} <= set(schema["properties"])


def test_record_rejects_span_outside_text():
    from pydantic import ValidationError

    from schemas import Record
    with pytest.raises(ValidationError):
        Record.model_validate({
            "source": {"path": "x", "sha256": "0" * 64, "media_type": "text/plain", "size_bytes": 1},
            "status": "ok", "quality": {"input_form": "clean", "encoding": "utf-8"}, "text": "abc",
            "sections": [{"id": "I", "parent": None, "level": 1, "label": "I.", "title": "x", "start": 0, "end": 9}],
        })


def test_eval_gate_on_gold_corpus():
    """The regression gate: eval's thresholds (corpus/thresholds.json) must hold."""
    result = runner.invoke(app, ["eval", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "sections" in result.output
