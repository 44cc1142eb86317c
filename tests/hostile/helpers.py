"""What the hostile-input tests share: the command run as a user runs it (a subprocess, so exit
codes, stderr and signals are real), plans to put beside the bad input, a fake tesseract that hangs,
and a way to find processes a run left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import CORPUS, ROOT

KEHOACH = [sys.executable, "-m", "cli"]


def kehoach(*args: str, env: dict | None = None, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*KEHOACH, *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=timeout, **kw)


def summary_of(stderr: str) -> dict:
    return json.loads(stderr.strip().splitlines()[-1])


def assert_clean_stderr(stderr: str) -> None:
    """No traceback, and every line one of ours: a problem or the summary."""
    assert "Traceback" not in stderr and "│" not in stderr, stderr
    for line in stderr.strip().splitlines():
        assert line.startswith(("kehoach: ", "{")), line


def write_plans(folder: Path, count: int, prefix: str = "plan") -> list[Path]:
    """``count`` distinct plan texts (seed 003 under several names)."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = (CORPUS / "003.txt").read_text(encoding="utf-8")
    paths = []
    for i in range(count):
        path = folder / f"{prefix}{i:02d}.txt"
        path.write_text(f"{seed}\nBản số {i}\n", encoding="utf-8")
        paths.append(path)
    return paths


def record(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))


FAKE_TESSERACT = """#!/bin/sh
# A tesseract that answers the version and language questions and then hangs on every page,
# writing its pid first (as a real one would be busy OCRing a huge page).
case "$1" in
  --version) echo "tesseract 5.3.0"; exit 0 ;;
  --list-langs) echo 'List of available languages in "/fake/" (2):'; echo eng; echo vie; exit 0 ;;
esac
echo $$ >> "$FAKE_TESSERACT_PIDS"
exec sleep 300
"""


def fake_tesseract(folder: Path, script_text: str = FAKE_TESSERACT) -> tuple[dict, Path]:
    """A folder with a fake tesseract (by default one that hangs), and the environment that puts it
    first on the PATH."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "tesseract"
    script.write_text(script_text)
    script.chmod(0o755)
    pids = folder / "tesseract.pids"
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_TESSERACT_PIDS": str(pids)}, pids


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker`` (a run's unique TMPDIR): what it left."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes() and alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


HOG_TESSERACT = """#!/usr/bin/env python3
# A tesseract that answers the version and language questions and then takes memory on every page
# (25 MB every 50 ms, up to 4 GB), writing its pid first: an OCR call that runs away.
import os, sys, time
if "--version" in sys.argv:
    print("tesseract 5.3.0"); sys.exit(0)
if "--list-langs" in sys.argv:
    print('List of available languages in "/fake/" (2):'); print("eng"); print("vie"); sys.exit(0)
with open(os.environ["FAKE_TESSERACT_PIDS"], "a") as pids:
    pids.write(f"{os.getpid()}\\n")
held = []
for _ in range(160):
    held.append(b"x" * (25 << 20))
    time.sleep(0.05)
time.sleep(300)
"""
