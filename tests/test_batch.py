"""Batch runs at scale: worker processes, resume after SIGKILL, hard timeouts, worker crashes,
--only-failed, a Dask LocalCluster, and one batch of every kind of bad input beside good files.

Fault injection (a crash, a hang) goes through the runner's KEHOACH_INJECT_FAULT hook; everything
else is real: real subprocesses, real signals, real PDFs and images."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from pipeline.encoding import _TCVN3
from pipeline.runner import FAULT_ENV, run
from tests.conftest import CORPUS, FONT, ROOT, render_page
from tests.test_cli_and_bad_input import text_pdf

KEHOACH = [sys.executable, "-m", "cli"]


def kehoach(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*KEHOACH, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)


def summary_of(result: subprocess.CompletedProcess) -> dict:
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.fixture
def plans(tmp_path) -> Path:
    """Twelve plan texts (the seeds under several names, each made distinct)."""
    folder = tmp_path / "in"
    folder.mkdir()
    seeds = sorted(CORPUS.glob("00[0-4].txt"))
    for i in range(12):
        text = seeds[i % len(seeds)].read_text(encoding="utf-8")
        (folder / f"plan{i:02d}.txt").write_text(f"{text}\nBản số {i}\n", encoding="utf-8")
    return folder


def test_sigkill_mid_batch_then_resume_loses_nothing(plans, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen([*KEHOACH, "run", str(plans), "-o", str(out), "--workers", "1"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list(out.glob("plan*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the parent and its workers, mid-batch
    process.wait()
    done_before = {p.stem for p in out.glob("plan*.json")}
    assert 3 <= len(done_before) < 12
    for path in out.glob("plan*.json"):
        json.loads(path.read_text(encoding="utf-8"))  # every file there is whole
    rerun = kehoach("run", str(plans), "-o", str(out), "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert summary_of(rerun)["skipped"] >= len(done_before) - 1  # the one being saved may be redone
    assert {p.stem for p in out.glob("plan*.json")} == {f"plan{i:02d}" for i in range(12)}
    assert not list(out.glob(".*.tmp"))
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == 12
    db = sqlite3.connect(out / "kehoach.sqlite")
    assert db.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0] == 12


def test_hung_document_is_killed_at_the_timeout_and_the_batch_goes_on(plans, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, FAULT_ENV: "hang:plan03"}
    started = time.monotonic()
    result = kehoach("run", str(plans), "-o", str(out), "--workers", "2", "--timeout", "5", env=env)
    assert time.monotonic() - started < 90
    assert result.returncode == 1
    record = json.loads((out / "plan03.json").read_text())
    assert record["status"] == "failed" and record["errors"][0]["code"] == "timeout"
    assert "timeout: processing took longer than 5 s" in result.stderr
    assert summary_of(result)["by_status"] == {"ok": 11, "failed": 1}


def test_worker_crash_fails_one_document_only(plans, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, FAULT_ENV: "crash:plan05"}
    result = kehoach("run", str(plans), "-o", str(out), "--workers", "2", env=env)
    assert result.returncode == 1
    record = json.loads((out / "plan05.json").read_text())
    assert record["errors"][0]["code"] == "worker_crashed"
    assert "SIGSEGV" in record["errors"][0]["message"]
    assert summary_of(result)["by_status"] == {"ok": 11, "failed": 1}
    # --only-failed retries just that one (the fault is gone now)
    retry = kehoach("run", str(plans), "-o", str(out), "--workers", "1", "--only-failed")
    assert retry.returncode == 0, retry.stderr
    assert summary_of(retry)["skipped"] == 11
    assert json.loads((out / "plan05.json").read_text())["status"] == "ok"


def test_dask_local_cluster_gives_the_records_of_a_local_run(plans, tmp_path):
    distributed = pytest.importorskip("distributed")
    files = sorted(plans.glob("*.txt"))[:4]
    local = tmp_path / "local"
    run(files, local, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = tmp_path / "dask"
        summary = run(files, remote, scheduler=client)
    assert summary.by_status == {"ok": 4}
    for path in files:
        assert (remote / f"{path.stem}.json").read_text() == (local / f"{path.stem}.json").read_text()


def test_dask_task_past_the_timeout_fails_its_document_and_restarts_its_worker(plans, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    files = sorted(plans.glob("*.txt"))[:3]
    monkeypatch.setenv(FAULT_ENV, f"hang:{files[1].name}")   # the workers inherit it
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        started = time.monotonic()
        summary = run(files, tmp_path / "out", scheduler=client, timeout=8)
        elapsed = time.monotonic() - started
        workers = len(client.scheduler_info()["workers"])
    assert summary.by_status == {"ok": 2, "failed": 1}
    record = json.loads((tmp_path / "out" / f"{files[1].stem}.json").read_text())
    assert [e["code"] for e in record["errors"]] == ["timeout"]
    assert elapsed < 120 and workers == 2   # the hung worker was replaced, not lost


# --------------------------------------------------------------------------------- bad inputs

def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: letter with its vowel mark, then the tone as a
    combining mark (cp1258 has no precomposed toned letters)."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out


def tcvn3_pdf(path: Path, text: str) -> Path:
    """A PDF whose text layer is TCVN3 (ABC) bytes shown in a Latin-1 font: mojibake as extracted."""
    to_legacy = {unicode: legacy for legacy, unicode in _TCVN3.items()}
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "".join(to_legacy.get(ch, ch) for ch in text))
    pdf.output(str(path))
    return path


def image_pdf(path: Path, lines: list[str]) -> Path:
    image_path = path.with_suffix(".png")
    render_page(lines).save(image_path)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(image_path), x=0, y=0, w=210)
    pdf.output(str(path))
    image_path.unlink()
    return path


def long_pdf(path: Path, pages: int) -> Path:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Trang {i + 1}: Ủy ban nhân dân tỉnh triển khai kế hoạch công tác dân số.")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    seed = (CORPUS / "003.txt").read_text(encoding="utf-8")
    first = "\n".join(seed.splitlines()[:40])
    (folder / "good.txt").write_text(seed, encoding="utf-8")
    text_pdf(folder / "good_layer.pdf", first)
    (folder / "zero.txt").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes((folder / "good_layer.pdf").read_bytes()[:300])
    text_pdf(folder / "locked.pdf", first, password="secret")
    tcvn3_pdf(folder / "tcvn3.pdf", "Kế hoạch triển khai thực hiện công tác dân số trong tình hình mới. " * 4)
    Image.new("L", (60, 60), 255).save(folder / "png_named.pdf", format="PNG")
    (folder / "random.txt").write_bytes(os.urandom(4000))
    (folder / "utf16.txt").write_text(first, encoding="utf-16")
    (folder / "cp1258.txt").write_bytes(cp1258("Kế hoạch số 93/KH-UBND về công tác dân số trong tình hình mới"))
    Image.new("L", (800, 600), 255).save(folder / "blank.png")
    (folder / "english.txt").write_text(
        "The Ministry of Health shall coordinate with provincial departments to implement the plan. "
        "All agencies must report their results before the first of December every year.\n", encoding="utf-8")
    long_pdf(folder / "long.pdf", 2000)
    return folder


BAD = {  # name: (status, first error code, words the message must hold)
    "good": ("ok", None, None),
    "good_layer": ("ok", None, None),
    "zero": ("failed", "empty_file", "empty"),
    "truncated": ("failed", "corrupt_pdf", "cannot be parsed"),
    "locked": ("failed", "encrypted", "--password"),
    "tcvn3": ("ok", None, None),
    "png_named": ("failed", "extension_mismatch", "PNG"),
    "random": ("failed", "undecodable_text", None),
    "utf16": ("ok", None, None),
    "cp1258": ("ok", None, None),
    "blank": ("failed", "no_text", "no text"),
    "english": ("partial", "not_vietnamese", "Vietnamese"),
    "long": ("ok", None, None),
}


@pytest.fixture(scope="module")
def bad_run(bad_batch, tmp_path_factory):
    out = tmp_path_factory.mktemp("bad_out")
    return out, kehoach("run", str(bad_batch), "-o", str(out), "--workers", "2", timeout=600)


@pytest.mark.tesseract
@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_in_one_batch(bad_run, name):
    out, result = bad_run
    status, code, words = BAD[name]
    record = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    assert record["status"] == status, record["errors"]
    if code:
        assert record["errors"][0]["code"] == code
        assert f"{name}" in result.stderr and f"{code}:" in result.stderr
        if words:
            assert words in record["errors"][0]["message"]
    else:
        assert record["text"].strip()


@pytest.mark.tesseract
def test_bad_input_batch_as_a_whole(bad_run):
    out, result = bad_run
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    summary = summary_of(result)
    assert summary["documents"] == len(BAD)
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == len(BAD)
    long = json.loads((out / "long.json").read_text(encoding="utf-8"))
    assert len(long["pages"]) == 2000 and "Trang 2000" in long["text"]
    tcvn3 = json.loads((out / "tcvn3.json").read_text(encoding="utf-8"))
    assert "Kế hoạch triển khai thực hiện" in tcvn3["text"] and tcvn3["quality"]["encoding"] == "pdf+tcvn3"


def test_image_pdf_without_tesseract_says_how_to_install_it(tmp_path):
    pdf = image_pdf(tmp_path / "scan.pdf", ["Kế hoạch triển khai thực hiện công tác dân số"])
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}  # no tesseract on the PATH
    result = kehoach("run", str(pdf), "-o", str(tmp_path / "out"), "--workers", "1", env=env)
    assert result.returncode == 3, result.stderr
    assert "missing_dependency" in result.stderr and "apt-get install tesseract-ocr tesseract-ocr-vie" in result.stderr
