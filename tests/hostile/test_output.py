"""The output side: nothing lost when a record cannot be saved, a full disk stops the run cleanly
(and a re-run resumes), an unusable OUT refused before any work, only our own temporary files
removed, every output file with one mode, a file name too long for the disk's limit still saved."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from pipeline import store as store_module
from tests.hostile.helpers import assert_clean_stderr, kehoach, record, summary_of, write_plans

runner = CliRunner()
# The output side is the subject here, not extraction: the first stage is enough (and fast).
FAST = ["--stages", "normalise"]


def statuses(out: Path) -> dict[str, str]:
    db = sqlite3.connect(out / "kehoach.sqlite")
    try:
        return dict(db.execute("SELECT name, status FROM documents"))
    finally:
        db.close()


def test_a_record_that_cannot_be_saved_is_an_error_record_not_lost(tmp_path):
    plans = tmp_path / "in"
    write_plans(plans, 3)
    out = tmp_path / "out"
    (out / "plan01.json").mkdir(parents=True)  # the JSON file cannot take its place
    result = kehoach("run", str(plans), "-o", str(out), "--workers", "1", *FAST)
    assert result.returncode == 1, result.stderr
    assert_clean_stderr(result.stderr)
    lines = [l for l in result.stderr.splitlines() if "plan01" in l]
    assert len(lines) == 1 and ": failed: save_failed: the record could not be saved: Is a directory" in lines[0]
    assert summary_of(result.stderr)["by_status"] == {"ok": 2, "failed": 1}
    assert statuses(out) == {"plan00": "ok", "plan01": "failed", "plan02": "ok"}
    jsonl = [json.loads(l) for l in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in jsonl] == ["ok", "failed", "ok"]
    assert jsonl[1]["errors"][0]["code"] == "save_failed"
    # once the way is clear, --only-failed retries it
    (out / "plan01.json").rmdir()
    retry = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", "--only-failed", *FAST])
    assert retry.exit_code == 0, retry.output
    assert record(out, "plan01")["status"] == "ok"


def test_disk_full_fails_the_document_and_stops_the_run(tmp_path, monkeypatch):
    plans = tmp_path / "in"
    write_plans(plans, 5)
    writes = {"count": 0}
    real = store_module.write_atomic

    def filling(path, text, mode=None):
        writes["count"] += 1
        if writes["count"] >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, text, mode)

    monkeypatch.setattr(store_module, "write_atomic", filling)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", *FAST])
    assert result.exit_code == 1, result.output
    assert_clean_stderr(result.output)
    assert "plan02.txt: failed: disk_full: the disk is full: the record could not be saved" in result.output
    assert f"kehoach: the disk holding {out} is full: stopped after 3 of 5 documents; free some space and re-run" \
           in result.output
    assert "plan03" not in result.output  # nothing after it was tried
    assert statuses(out) == {"plan00": "ok", "plan01": "ok", "plan02": "failed"}
    monkeypatch.setattr(store_module, "write_atomic", real)
    again = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", *FAST])
    assert again.exit_code == 0, again.output
    assert '"skipped": 2' in again.output and len(statuses(out)) == 5


@pytest.fixture
def small_disk(tmp_path):
    """A 320 KB tmpfs (root, and a kernel that lets us mount): room for two records and the database."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk(small_disk, tmp_path):
    plans = tmp_path / "in"
    write_plans(plans, 8)
    out = small_disk / "out"
    result = kehoach("run", str(plans), "-o", str(out), "--workers", "1", *FAST)
    assert result.returncode == 1, result.stderr
    assert_clean_stderr(result.stderr)
    assert "disk_full" in result.stderr and "is full: stopped after" in result.stderr
    assert not list(out.glob(".kehoach-*.tmp"))
    rows = statuses(out)
    saved = {name for name, status in rows.items() if status == "ok"}
    assert saved and len(saved) < 8
    for path in out.glob("*.json"):  # every JSON file there is whole and has its row
        assert json.loads(path.read_text(encoding="utf-8"))["status"] == rows[path.stem]
    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    resumed = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", *FAST])
    assert resumed.exit_code == 0, resumed.output
    assert summary_of(resumed.output)["skipped"] == len(saved)
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == 8


def test_an_output_folder_that_is_a_file_is_refused_before_any_work(tmp_path):
    plan = write_plans(tmp_path / "in", 1)[0]
    (tmp_path / "out").write_text("my notes")
    result = runner.invoke(app, ["run", str(plan), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output == f"kehoach: the output folder {tmp_path / 'out'} is a file, not a folder; give another with -o\n"
    assert (tmp_path / "out").read_text() == "my notes"


@pytest.mark.parametrize("where", ["the input folder", "a folder inside it"])
def test_an_output_folder_inside_an_input_folder_is_refused(tmp_path, where):
    plans = tmp_path / "in"
    write_plans(plans, 2)
    out = plans if where == "the input folder" else plans / "sub" / "out"
    result = runner.invoke(app, ["run", str(plans), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"kehoach: the output folder {out} is inside the input folder {plans}; "
                                     "give -o a folder outside it")
    assert not (plans / "kehoach.sqlite").exists() and not (plans / "sub").exists()


def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path):
    plan = write_plans(tmp_path / "in", 1)[0]
    result = runner.invoke(app, ["run", str(plan), "-o", f"/proc/kehoach-{uuid.uuid4().hex}"])
    assert result.exit_code == 2
    assert result.output.startswith("kehoach: cannot write to the output folder /proc/kehoach-")
    assert len(result.output.splitlines()) == 1


def test_only_our_own_temporary_files_are_removed(tmp_path):
    plan = write_plans(tmp_path / "in", 1)[0]
    out = tmp_path / "out"
    out.mkdir()
    mine = [out / ".my-notes.tmp", out / ".kehoach.tmp", out / ".plan.json.tmp"]
    ours = [out / ".kehoach-k3j_x9a2.tmp", out / ".plan00.json.k3j_x9a2.tmp", out / ".records.jsonl.abcdefgh.tmp"]
    for path in mine + ours:
        path.write_text("x")
    result = runner.invoke(app, ["run", str(plan), "-o", str(out), "--workers", "0", *FAST])
    assert result.exit_code == 0, result.output
    assert all(p.exists() for p in mine)
    assert not any(p.exists() for p in ours)


def test_output_files_share_one_mode(tmp_path):
    plan = write_plans(tmp_path / "in", 1)[0]
    out = tmp_path / "out"
    old = os.umask(0o027)
    try:
        result = runner.invoke(app, ["run", str(plan), "-o", str(out), "--workers", "0", *FAST])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir() if p.is_file()}
    assert set(modes) == {"plan00.json", "records.jsonl", "kehoach.sqlite"}
    assert set(modes.values()) == {"0o640"}, modes


def test_a_file_name_too_long_for_its_json_is_still_saved(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    stem = "Kế hoạch " * 27  # 251 bytes in UTF-8 once cut to a whole letter
    stem = stem.encode()[:251].decode("utf-8", "ignore")
    shutil.copy(write_plans(tmp_path / "seed", 1)[0], folder / f"{stem}.txt")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "-o", str(out), "--workers", "0", *FAST])
    assert result.exit_code == 0, result.output
    [saved] = list(out.glob("*.json"))
    assert len(saved.name.encode()) <= 255 and saved.name.startswith("Kế hoạch")
    assert json.loads(saved.read_text())["source"]["path"].endswith(f"{stem}.txt")
