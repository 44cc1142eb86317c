"""The input side: a file the user cannot read is a failed record (not an abort), a symbolic link
leaving its folder is not followed unless asked, odd file names keep one problem on one line, a
FIFO given by name is said to be one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import ROOT
from tests.hostile.helpers import assert_clean_stderr, summary_of, write_plans

runner = CliRunner()
FAST = ["--stages", "normalise"]
NOBODY = 65534


def as_nobody(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The command run as an ordinary user (nobody), so that a file's permissions hold even when
    the tests run as root: setpriv where it is installed, else setuid in the child."""
    command = [sys.executable, "-m", "cli", *args]
    if os.geteuid() != 0:
        return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)
    if shutil.which("setpriv"):
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
        return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)

    def drop() -> None:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120, preexec_fn=drop)


@pytest.fixture
def shared_folder():
    """A folder every user may enter (pytest's own is root's alone), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="kehoach-hostile-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_an_unreadable_file_is_a_failed_record_not_an_abort(shared_folder):
    plans = shared_folder / "in"
    write_plans(plans, 2)
    secret = plans / "secret.txt"
    secret.write_text("Kế hoạch mật", encoding="utf-8")
    secret.chmod(0o000)
    out = shared_folder / "out"
    out.mkdir()
    out.chmod(0o777)
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "cat", str(secret)],
                           capture_output=True) if os.geteuid() == 0 and shutil.which("setpriv") else None
    if os.geteuid() == 0 and (probe is None or probe.returncode == 0):
        pytest.skip("cannot run as a user the file's permissions hold for")
    # in this process: the file is hashed here before any worker sees it (and this machine's
    # Python, under /root, will not start a worker process for nobody)
    result = as_nobody(["run", str(plans), "-o", str(out), "--workers", "0", *FAST], cwd=ROOT)
    assert result.returncode == 1, result.stderr
    assert_clean_stderr(result.stderr)
    assert f"kehoach: {secret}: failed: unreadable: cannot read the file: Permission denied" in result.stderr
    assert summary_of(result.stderr)["by_status"] == {"ok": 2, "failed": 1}
    record = json.loads((out / "secret.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed" and record["errors"][0]["code"] == "unreadable"
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_a_file_that_cannot_be_read_when_its_turn_comes_is_a_failed_record(tmp_path):
    from pipeline.stages import process_file

    record = process_file(tmp_path)  # a folder where a file was: read_bytes fails as on a lost permission
    assert record.status == "failed"
    assert (record.errors[0].code, record.errors[0].message) == ("unreadable", "cannot read the file: Is a directory")


def test_a_symlink_leaving_the_input_folder_is_not_followed(tmp_path):
    plans = tmp_path / "in"
    write_plans(plans, 1)
    outside = tmp_path / "private.txt"
    outside.write_text("Kế hoạch riêng: mật khẩu 1234", encoding="utf-8")
    (plans / "link.txt").symlink_to(outside)
    (plans / "inside.txt").symlink_to(plans / "plan00.txt")  # stays inside: read once, as plan00
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", *FAST])
    assert result.exit_code == 0, result.output
    assert f"kehoach: {plans / 'link.txt'}: skipped: a symbolic link to {outside}, outside {plans}; " \
           "give --follow-symlinks to read it" in result.output
    assert len(list(out.glob("*.json"))) == 1 and not (out / "link.json").exists()
    followed = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", "--follow-symlinks", *FAST])
    assert followed.exit_code == 0, followed.output
    assert "mật khẩu" in json.loads((out / "link.json").read_text(encoding="utf-8"))["text"]


def test_hidden_files_and_folders_are_skipped_with_a_notice(tmp_path):
    plans = tmp_path / "in"
    write_plans(plans, 1)
    (plans / "..txt").write_text("Kế hoạch", encoding="utf-8")
    (plans / ".git").mkdir()
    for name in ("a.txt", "b.txt"):
        (plans / ".git" / name).write_text("Kế hoạch", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(plans), "-o", str(out), "--workers", "0", *FAST])
    assert result.exit_code == 0, result.output
    notices = [l for l in result.output.splitlines() if ": skipped: " in l]
    assert notices == [f"kehoach: {plans / '..txt'}: skipped: a hidden file (its name starts with a dot); "
                       "give it by name to read it",
                       f"kehoach: {plans / '.git'}: skipped: a hidden folder (its name starts with a dot); "
                       "give it by name to read it"]
    assert [p.name for p in out.glob("*.json")] == ["plan00.json"]
    by_name = runner.invoke(app, ["run", str(plans / "..txt"), "-o", str(out), "--workers", "0", *FAST])
    assert by_name.exit_code == 0 and (out / "..json").exists()


def test_a_newline_in_a_file_name_keeps_the_message_on_one_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nname.pdf").write_bytes(b"%PDF-1.4 garbage")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(folder), "-o", str(out), "--workers", "0", *FAST])
    assert result.exit_code == 1
    assert_clean_stderr(result.output)
    [line] = [l for l in result.output.splitlines() if l.startswith("kehoach: ")]
    assert line.startswith(f"kehoach: {folder}/bad\\nname.pdf: failed: corrupt_pdf: the PDF cannot be parsed")


def test_a_fifo_given_by_name_is_not_an_input(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["run", str(fifo), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output == f"kehoach: not a regular file or folder: {fifo}\n"
