"""Ctrl-C, timeouts and a killed parent leave nothing behind: no process, no temporary file, and
records.jsonl matching what was saved. tesseract is a fake that hangs (it writes its pid first),
so that the test knows which process to look for; each run gets its own TMPDIR, so that every
process it started can be found by its environment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from PIL import Image

from pipeline.runner import FAULT_ENV
from tests.conftest import ROOT
from tests.hostile.helpers import (KEHOACH, alive, assert_clean_stderr, fake_tesseract, kehoach,
                                   processes_with, summary_of, wait_until, write_plans)

FAST = ["--stages", "normalise"]


def pids_in(path) -> list[int]:
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _as_a_foreground_job() -> None:
    """Ctrl-C's default action, as a terminal's foreground job has it: a job a shell script starts
    in the background (``pytest … &``) inherits SIGINT ignored, and so would the run under test."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_sigint_says_how_far_it_got_and_rewrites_records_jsonl(tmp_path, run_tmp):
    plans = tmp_path / "in"
    write_plans(plans, 8)
    out = tmp_path / "out"
    env = {**os.environ, FAULT_ENV: "hang:plan04", "TMPDIR": str(run_tmp)}
    process = subprocess.Popen([*KEHOACH, "run", str(plans), "-o", str(out), "--workers", "1", *FAST], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=_as_a_foreground_job)
    assert wait_until(lambda: (out / "plan03.json").exists(), 60)
    time.sleep(0.3)  # plan04 is in the worker now, hanging
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: to the terminal's foreground group
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert_clean_stderr(stderr)
    assert stderr.strip().splitlines()[-1] == "kehoach: interrupted after 4 of 8; re-run to resume"
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(l)["source"]["path"].rsplit("/", 1)[1] for l in lines] == [f"plan0{i}.txt" for i in range(4)]
    assert wait_until(lambda: not processes_with(f"TMPDIR={run_tmp}"), 5)
    assert not list(run_tmp.iterdir())  # the worker's folder went with it
    resumed = kehoach("run", str(plans), "-o", str(out), "--workers", "1", *FAST)
    assert resumed.returncode == 0 and summary_of(resumed.stderr)["skipped"] == 4


def scan(tmp_path):
    path = tmp_path / "scan.png"
    Image.new("L", (300, 200), 255).save(path)
    return path


def test_a_timeout_kills_tesseract_and_removes_the_temporary_files(tmp_path, run_tmp):
    env, pids = fake_tesseract(tmp_path)
    out = tmp_path / "out"
    result = kehoach("run", str(scan(tmp_path)), "-o", str(out), "--workers", "1", "--timeout", "2", *FAST,
                     env={**env, "TMPDIR": str(run_tmp)})
    assert result.returncode == 1, result.stderr
    assert_clean_stderr(result.stderr)
    assert "failed: timeout: processing took longer than 2 s" in result.stderr
    [tesseract] = pids_in(pids)
    assert wait_until(lambda: not alive(tesseract), 5), "tesseract outlived its worker"
    assert not list(run_tmp.iterdir()), list(run_tmp.rglob("*"))


def test_workers_and_their_tesseract_die_with_a_killed_parent(tmp_path, run_tmp):
    env, pids = fake_tesseract(tmp_path)
    process = subprocess.Popen([*KEHOACH, "run", str(scan(tmp_path)), "-o", str(tmp_path / "out"), "--workers", "1",
                                *FAST], cwd=ROOT, env={**os.environ, **env, "TMPDIR": str(run_tmp)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert wait_until(lambda: pids_in(pids), 60), "tesseract never started"
    [tesseract] = pids_in(pids)
    workers = [pid for pid in processes_with(f"TMPDIR={run_tmp}")
               if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]  # not multiprocessing's tracker
    assert len(workers) == 1
    process.kill()  # kill -9 of the parent alone
    _, stderr = process.communicate(timeout=10)
    assert wait_until(lambda: not alive(workers[0]) and not alive(tesseract), 5), "an orphan kept working"
    assert wait_until(lambda: not list(run_tmp.iterdir()), 5), list(run_tmp.rglob("*"))
    assert "Traceback" not in stderr
