"""Batch runs: collect the inputs, decide what needs doing, process it in parallel, save every
outcome as it comes, report.

Three engines, one set of semantics (manifest, resume, records):

- ``workers=0``: in this process (debugging; no timeout);
- ``workers=N``: N worker processes on this machine (:class:`LocalPool`). A document that runs past
  ``timeout``, or takes its worker past ``max_memory``, has its worker killed; a worker that dies
  (segfault) fails only the document it held; either way the worker is replaced and the batch goes on;
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (``pip install kehoach[dask]``); the
  file's bytes travel with the task, so workers need no shared disk.

Only this process writes the output folder, one document at a time, atomically. Nothing is lost:
a document whose record cannot be saved gets an error record (in the database when its JSON file
cannot be written), is counted, and fails the run; a full disk stops the run there (a re-run
resumes); Ctrl-C stops it with records.jsonl rewritten from what was saved.

A worker leads its own process group with its own temporary folder: a worker killed at the timeout
takes its tesseract with it and its folder is removed, and a worker whose parent dies (``kill -9``)
does the same to itself (Linux ``PR_SET_PDEATHSIG``; elsewhere it watches its parent).
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing as mp
import os
import shutil
import signal
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from pipeline.errors import ExitCode, Interrupted, OutputError, SchedulerUnreachable, UsageError, one_line
from pipeline.memory import default_ceiling, format_size, rss_by_group
from pipeline.stages import UNKNOWN_SHA256, failed_record, process_file
from pipeline.store import Store, is_disk_full
from schemas import Record

# A gold corpus keeps its gold records and hand-corrected texts beside the inputs (SPEC §5);
# they are eval's sidecar files, not documents.
SIDECAR_SUFFIXES = (".gold.json", ".clean.txt")
SIDECAR_NAMES = ("thresholds.json",)
DEFAULT_TIMEOUT = 1800.0  # seconds per document: generous, a 2,000-page scan takes long
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to reach a Dask scheduler
# An output name longer than this (in UTF-8 bytes) is cut and given a hash: "<name>.json" must fit
# the 255 bytes a file name may have.
MAX_NAME_BYTES = 200
# Test hook for fault injection only: "crash:<name part>", "hang:<name part>" or "hog:<name part>" in a worker.
FAULT_ENV = "KEHOACH_INJECT_FAULT"


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIXES) or path.name in SIDECAR_NAMES


def collect_inputs(inputs: Iterable[Path], exclude: Path | None = None, follow_symlinks: bool = False,
                   skipped: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Files given, and the files under folders given (recursively), in a stable order; ``exclude``
    (the output folder) and gold-corpus sidecar files are never read. Skipped, and added to
    ``skipped`` with the reason: a hidden file or folder in a folder (``.git``, ``..txt``: once per
    hidden folder, not per file in it), and a symbolic link in a folder that points outside it,
    unless ``follow_symlinks`` (a link to /etc/passwd would otherwise be read and stored)."""
    files: list[Path] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            root = item.resolve()
            for path in sorted(item.rglob("*")):
                rel = path.relative_to(item)
                hidden = [i for i, part in enumerate(rel.parts) if part.startswith(".")]
                if hidden:
                    if hidden == [len(rel.parts) - 1] and skipped is not None and (path.is_file() or path.is_dir()):
                        kind = "folder" if path.is_dir() else "file"
                        skipped.append((path, f"a hidden {kind} (its name starts with a dot); give it by name to read it"))
                    continue
                if is_sidecar(path) or not path.is_file():
                    continue
                target = path.resolve()
                if exclude and exclude.resolve() in target.parents:
                    continue
                if not follow_symlinks and root not in target.parents and _is_link(path, item):
                    if skipped is not None:
                        skipped.append((path, f"a symbolic link to {target}, outside {item}; "
                                              "give --follow-symlinks to read it"))
                    continue
                files.append(path)
        elif item.is_file():
            files.append(item)
        elif item.exists():
            raise UsageError(f"not a regular file or folder: {one_line(item)}")
        else:
            raise UsageError(f"input not found: {one_line(item)}")
    seen: set[Path] = set()
    unique = []
    for path in files:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def _is_link(path: Path, root: Path) -> bool:
    """True when ``path`` or a folder between it and ``root`` is a symbolic link."""
    while path != root and path != path.parent:
        if path.is_symlink():
            return True
        path = path.parent
    return False


def check_output(out_dir: Path, inputs: Iterable[Path]) -> None:
    """An output folder inside an input folder would have its records read back as input (or
    nothing read at all): refused before any work (exit 2)."""
    out = Path(out_dir).resolve()
    for item in inputs:
        item = Path(item)
        if item.is_dir() and (out == item.resolve() or item.resolve() in out.parents):
            raise OutputError(f"the output folder {one_line(out_dir)} is inside the input folder {one_line(item)}; "
                              "give -o a folder outside it")


def output_names(files: list[Path]) -> dict[Path, str]:
    """``plan.pdf`` -> ``plan``; two inputs with one stem get the path's hash appended, and so
    does a stem too long for a file name (cut to MAX_NAME_BYTES)."""
    stems = Counter(_fit(path.stem) for path in files)
    names = {}
    for path in files:
        name = _fit(path.stem)
        if stems[name] > 1 or name != path.stem:
            name = f"{name}-{hashlib.sha256(str(path).encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
        names[path] = name
    return names


def _fit(stem: str) -> str:
    encoded = stem.encode("utf-8", "surrogateescape")
    if len(encoded) <= MAX_NAME_BYTES:
        return stem
    return encoded[:MAX_NAME_BYTES - 10].decode("utf-8", "ignore")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Job:
    path: Path
    name: str
    sha256: str
    size: int


@dataclass
class RunSummary:
    total: int = 0
    skipped: int = 0
    saved: int = 0
    by_status: Counter = field(default_factory=Counter)
    pages_by_method: Counter = field(default_factory=Counter)
    errors_by_code: Counter = field(default_factory=Counter)
    missing_dependency: bool = False
    seconds: float = 0.0
    # inputs left out, with why (a symbolic link leaving its folder)
    not_read: list[tuple[Path, str]] = field(default_factory=list)
    # problems of the run as a whole, one line each (the disk filled up, records.jsonl not written)
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if self.missing_dependency:
            return ExitCode.missing_dependency
        if self.by_status["failed"] or self.by_status["partial"] or self.problems:
            return ExitCode.documents_failed
        return ExitCode.ok

    @property
    def done(self) -> int:
        """Documents with a record now: saved by this run or skipped as already done."""
        return self.skipped + self.saved

    def add(self, record: Record) -> None:
        self.saved += 1
        self.by_status[record.status] += 1
        self.pages_by_method.update(p.method for p in record.pages)
        self.errors_by_code.update(e.code for e in record.errors)
        self.missing_dependency |= any(e.code == "missing_dependency" for e in record.errors)

    def as_dict(self) -> dict:
        return {"documents": self.total, "skipped": self.skipped, "by_status": dict(self.by_status),
                "pages": sum(self.pages_by_method.values()), "pages_by_method": dict(self.pages_by_method),
                "errors_by_code": dict(self.errors_by_code), "seconds": round(self.seconds, 2)}


class _DiskFull(Exception):
    """Raised by ``save`` to stop the run: no further record could be written."""


def run(inputs: list[Path], out_dir: Path, *, options: dict | None = None, force: bool = False,
        only_failed: bool = False, workers: int | None = None, timeout: float | None = DEFAULT_TIMEOUT,
        scheduler=None, on_result: Callable[[Path, Record | None], None] | None = None,
        follow_symlinks: bool = False, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        max_memory: int | None = None) -> RunSummary:
    """Process every input into ``out_dir``. ``on_result(path, record)`` is called per document as
    it is saved (record None when it was skipped). ``workers``: processes on this machine (default:
    all cores; 0: in this process). ``scheduler``: a Dask scheduler address (or Client) instead.
    ``max_memory``: bytes a local worker may hold, with its tesseract (default: its share of the
    machine, :func:`pipeline.memory.default_ceiling`); not enforced in this process nor on Dask,
    whose nannies have their own ``memory_limit``.

    Raises OutputError (exit 2) for an output folder that cannot be used, before any work;
    Interrupted (exit 130) on Ctrl-C, after records.jsonl is rewritten from what was saved."""
    started = time.monotonic()
    options = options or {}
    check_output(out_dir, inputs)
    summary = RunSummary()
    files = collect_inputs(inputs, exclude=out_dir, follow_symlinks=follow_symlinks, skipped=summary.not_read)
    names = output_names(files)
    summary.total = len(files)
    store = Store(out_dir)

    def save(job: Job, record: Record) -> None:
        try:
            store.save(job.name, record)
        except (OSError, sqlite3.Error) as exc:
            record = _record_save_failure(store, job, exc)
            summary.add(record)
            if on_result:
                on_result(job.path, record)
            if is_disk_full(exc):
                raise _DiskFull(f"the disk holding {one_line(out_dir)} is full: stopped after {summary.done} of "
                                f"{summary.total} documents; free some space and re-run to resume") from exc
            return
        summary.add(record)
        if on_result:
            on_result(job.path, record)

    try:
        try:
            jobs = []
            for path in files:
                try:
                    job = Job(path, names[path], file_sha256(path), path.stat().st_size)
                except OSError as exc:  # listed but not readable (permission, I/O error): its record says so
                    save(Job(path, names[path], UNKNOWN_SHA256, 0), failed_record(
                        path, UNKNOWN_SHA256, 0, "unreadable", f"cannot read the file: {one_line(exc.strerror or exc)}",
                        stage="ingest"))
                    continue
                status = store.status(job.name)
                done = store.finished(job.name, job.sha256)
                if not force and (done or (only_failed and status != "failed")):
                    summary.skipped += 1
                    if status:
                        summary.by_status[status] += 1
                    if on_result:
                        on_result(path, None)
                    continue
                jobs.append(job)

            if scheduler is not None:
                run_on_dask(jobs, scheduler, options, save, timeout, connect_timeout=connect_timeout)
            elif not jobs:
                pass
            elif workers == 0:
                for job in jobs:
                    save(job, process_file(job.path, options))
            else:
                workers = workers or os.cpu_count() or 1
                if len(jobs) < workers:  # few large documents: the spare cores OCR pages in parallel
                    options = {**options, "ocr_threads": max(1, (os.cpu_count() or 1) // max(1, len(jobs)))}
                size = min(workers, len(jobs)) or 1
                LocalPool(size, options, timeout, max_memory or default_ceiling(workers)).run(jobs, save)
        except _DiskFull as exc:
            summary.problems.append(str(exc))
        except KeyboardInterrupt:
            with _sigint_ignored():  # a second Ctrl-C must not cut records.jsonl short
                _write_jsonl(store, summary)
            raise Interrupted(f"interrupted after {summary.done} of {summary.total}; re-run to resume") from None
        _write_jsonl(store, summary)
    finally:
        store.close()
    summary.seconds = time.monotonic() - started
    return summary


def _record_save_failure(store: Store, job: Job, exc: OSError | sqlite3.Error) -> Record:
    """The error record of a document whose record could not be saved, written where it can be
    (its JSON file, or else its row, so that records.jsonl and --only-failed know of it)."""
    if is_disk_full(exc):
        code, message = "disk_full", "the disk is full: the record could not be saved"
    else:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        target = (exc.filename2 or exc.filename) if isinstance(exc, OSError) else None  # a rename's target
        where = f" ({target})" if target else ""
        code, message = "save_failed", f"the record could not be saved: {one_line(reason)}{one_line(where)}"
    record = failed_record(job.path, job.sha256, job.size, code, message, stage="save")
    for write in (store.save, store.save_rows):
        try:
            write(job.name, record)
            break
        except (OSError, sqlite3.Error):
            continue  # nowhere to write it: it is still counted and reported
    return record


def _write_jsonl(store: Store, summary: RunSummary) -> None:
    try:
        store.write_jsonl()
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        summary.problems.append(f"records.jsonl could not be rewritten ({one_line(reason)}); every saved record is "
                                "in kehoach.sqlite")


class _sigint_ignored:
    """Ignore Ctrl-C for a moment (only the main thread may set a handler)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


# --------------------------------------------------------------------------------- local workers

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _worker_main(conn, options: dict, parent: int, folder: str) -> None:
    """A worker process: documents in by path, records out as JSON, until told to stop.

    It leads a process group of its own (tesseract runs in it), keeps its temporary files in
    ``folder`` (tesseract's too, through TMPDIR), and goes, group and folder, when its parent does."""
    os.setpgrp()
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _die_with_parent(parent, folder)
    # the language model loads once per worker, with the first document that needs restoring:
    # a batch of clean text PDFs never pays for it
    try:
        conn.send("ready")
        while True:
            path = conn.recv()
            if path is None:
                return
            _inject_fault(path)
            conn.send(process_file(Path(path), options).model_dump_json())
    except (EOFError, OSError):  # the parent is gone: nobody to answer
        return


def _die_with_parent(parent: int, folder: str) -> None:
    """SIGTERM when the parent dies (Linux: the kernel sends it; elsewhere a thread watches the
    parent's pid), and on SIGTERM: the folder removed, the group (this worker, its tesseract) killed."""

    def leave(signum=None, frame=None) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        os.killpg(os.getpgrp(), signal.SIGKILL)

    signal.signal(signal.SIGTERM, leave)
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it died before the signal was armed
        leave()


@dataclass
class _Worker:
    process: mp.Process
    conn: object
    folder: str
    job: Job | None = None
    started: float = 0.0


class LocalPool:
    """Worker processes that each hold one document at a time. The parent enforces the timeout and
    the memory ceiling by killing the worker's process group, and notices a dead worker by its
    process sentinel; either way the worker's temporary folder is removed."""

    MEMORY_POLL = 0.25   # seconds between looks at the workers' memory (a worker grows ~300 MB/s at most)

    def __init__(self, size: int, options: dict, timeout: float | None, max_memory: int | None = None):
        # one tesseract thread per OCR call: the parallelism is ours (workers, page threads)
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.context = mp.get_context("spawn")
        self.options = options
        self.timeout = timeout
        self.max_memory = max_memory
        self.workers: list[_Worker] = []
        try:
            for _ in range(size):
                self.workers.append(self._start())
            for worker in self.workers:
                self._ready(worker)
        except BaseException:
            self.close(kill=True)
            raise

    def _start(self) -> _Worker:
        folder = tempfile.mkdtemp(prefix="kehoach-worker-")
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(child, self.options, os.getpid(), folder),
                                       daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent, folder)

    @staticmethod
    def _ready(worker: _Worker) -> None:
        """Wait for a new worker to load what it needs; a worker that cannot start is a defect."""
        try:
            if worker.conn.recv() == "ready":
                return
        except EOFError:
            pass
        raise RuntimeError(f"a worker process failed to start (exit code {worker.process.exitcode})")

    @staticmethod
    def _kill(worker: _Worker) -> None:
        """The worker's process group (it, and a tesseract it started) killed, its folder removed.
        A worker that finished cleanly has no group left to kill (and its id may be reused)."""
        if worker.process.exitcode != 0:
            try:
                os.killpg(worker.process.pid, signal.SIGKILL)
            except (OSError, TypeError):  # gone already (or never started)
                pass
        if worker.process.pid is not None:
            worker.process.join(5)
        worker.conn.close()
        shutil.rmtree(worker.folder, ignore_errors=True)

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh
        self._ready(fresh)

    def run(self, jobs: list[Job], save: Callable[[Job, Record], None]) -> None:
        queue = deque(jobs)
        finished = False
        try:
            while queue or any(w.job for w in self.workers):
                for worker in self.workers:
                    if worker.job is None and queue:
                        worker.job, worker.started = queue.popleft(), time.monotonic()
                        worker.conn.send(str(worker.job.path))
                busy = [w for w in self.workers if w.job]
                wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=self._wait_time(busy))
                held = self._memory(busy)
                for worker in busy:
                    self._check(worker, save, held.get(worker.process.pid, 0))
            finished = True
        finally:
            self.close(kill=not finished)

    def _wait_time(self, busy: list[_Worker]) -> float | None:
        poll = self.MEMORY_POLL if self.max_memory else None
        if self.timeout is None:
            return poll
        until_timeout = max(0.0, min(w.started + self.timeout for w in busy) - time.monotonic())
        return until_timeout if poll is None else min(poll, until_timeout)

    def _memory(self, busy: list[_Worker]) -> dict[int, int]:
        """Resident bytes of each busy worker's process group, by its pid (empty: not watched)."""
        if not self.max_memory:
            return {}
        return rss_by_group({w.process.pid for w in busy if w.process.pid}) or {}

    def _check(self, worker: _Worker, save: Callable[[Job, Record], None], held: int = 0) -> None:
        job = worker.job
        payload = None
        try:
            if worker.conn.poll():
                payload = worker.conn.recv()
        except (EOFError, OSError):
            pass  # the worker died mid-message: handled below as a crash
        if payload is not None:
            worker.job = None
            save(job, Record.model_validate_json(payload))
            return
        if not worker.process.is_alive():
            code = worker.process.exitcode
            how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
            record = failed_record(job.path, job.sha256, job.size, "worker_crashed",
                                   f"the worker processing this document died ({how}); the batch went on")
        elif self.max_memory and held > self.max_memory:
            record = failed_record(job.path, job.sha256, job.size, "out_of_memory",
                                   f"the worker processing this document used {format_size(held)}, over the "
                                   f"{format_size(self.max_memory)} allowed (--max-memory); the worker was stopped")
        elif self.timeout is not None and time.monotonic() - worker.started > self.timeout:
            record = failed_record(job.path, job.sha256, job.size, "timeout",
                                   f"processing took longer than {self.timeout:g} s; the worker was stopped")
        else:
            return
        worker.job = None
        save(job, record)  # first: a replacement that fails to start must not lose this record
        self._replace(worker)

    def close(self, kill: bool = False) -> None:
        """Stop the workers: asked to finish, or (``kill``: on Ctrl-C, a full disk) killed at once."""
        if not kill:
            for worker in self.workers:
                try:
                    worker.conn.send(None)
                except (OSError, ValueError):
                    pass
            for worker in self.workers:
                if worker.process.pid is not None:
                    worker.process.join(5)
        for worker in self.workers:
            self._kill(worker)


# --------------------------------------------------------------------------------- Dask

def process_remote(path: str, data: bytes, options: dict) -> str:
    """The task a Dask worker runs: the record of one file, from its bytes, as JSON."""
    _inject_fault(path)
    return process_file(Path(path), options, data=data).model_dump_json()


def _inject_fault(path: str) -> None:
    """The fault-injection hook (``KEHOACH_INJECT_FAULT``, tests only): crash, hang, or take memory
    (25 MB every 50 ms, up to 4 GB) on a name."""
    kind, _, part = os.environ.get(FAULT_ENV, "").partition(":")
    if part and part in path:
        if kind == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == "hang":
            time.sleep(10 ** 6)
        elif kind == "hog":
            held = [b"x" * (25 << 20) for _ in range(160) if time.sleep(0.05) is None]
            time.sleep(10 ** 6 + len(held))


def run_on_dask(jobs: list[Job], scheduler, options: dict, save: Callable[[Job, Record], None],
                timeout: float | None = DEFAULT_TIMEOUT, in_flight_per_worker: int = 4,
                poll: float = 1.0, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> None:
    """Send the documents to a Dask cluster, a bounded number at a time (each task carries the
    file's bytes), and save each record as it returns. A task still running ``timeout`` seconds
    after the scheduler saw it start has its worker restarted (the nanny starts a fresh process)
    and its document failed; the task is not retried."""
    try:
        from distributed import Client
        from distributed import wait as wait_for
    except ImportError as exc:
        raise UsageError("--scheduler needs Dask: pip install 'kehoach[dask]'") from exc
    client = scheduler if isinstance(scheduler, Client) else connect(scheduler, connect_timeout)
    try:
        window = max(1, in_flight_per_worker * max(1, len(client.scheduler_info().get("workers", {}))))
        queue = deque(jobs)
        owner: dict[str, Job] = {}
        pending: dict[str, object] = {}
        running_since: dict[str, float] = {}

        def submit() -> None:
            while queue:
                job = queue.popleft()
                try:
                    data = job.path.read_bytes()
                except OSError as exc:  # gone or unreadable since it was hashed: its record says so
                    save(job, failed_record(job.path, job.sha256, job.size, "unreadable",
                                            f"cannot read the file: {one_line(exc.strerror or exc)}", stage="ingest"))
                    continue
                future = client.submit(process_remote, str(job.path), data, options, pure=False)
                owner[future.key], pending[future.key] = job, future
                return

        for _ in range(min(window, len(queue))):
            submit()
        while pending:
            try:
                done, _ = wait_for(list(pending.values()), timeout=poll if timeout is not None else None,
                                   return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished within the poll: look for overdue tasks
                done = set()
            for future in done:
                job = owner.pop(future.key)
                del pending[future.key]
                running_since.pop(future.key, None)
                try:
                    record = Record.model_validate_json(future.result())
                except Exception as exc:  # a worker lost or a task that raised: this document only
                    record = failed_record(job.path, job.sha256, job.size, "worker_crashed",
                                           f"the Dask task failed ({type(exc).__name__}: {exc})")
                save(job, record)
                if queue:
                    submit()
            if timeout is not None and pending:
                for key in _overdue(client, pending, running_since, timeout):
                    job, future = owner.pop(key), pending.pop(key)
                    future.cancel()
                    save(job, failed_record(job.path, job.sha256, job.size, "timeout",
                                            f"processing took longer than {timeout:g} s; the Dask worker was restarted"))
                    if queue:
                        submit()
    finally:
        if client is not scheduler:
            client.close()


def connect(address: str, timeout: float):
    """A Dask client for the scheduler at ``address``, or SchedulerUnreachable (exit 3) within about
    ``timeout`` seconds: nothing listening, no answer, or a service that is not Dask (whose answer
    Dask's client would read as a frame length of exabytes, or wait for forever)."""
    from distributed import Client

    _probe_scheduler(address, timeout)
    try:
        return Client(address, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - distributed raises many kinds while connecting
        raise SchedulerUnreachable(f"cannot connect to the Dask scheduler at {one_line(address)} "
                                   f"({type(exc).__name__}: {one_line(exc)})") from exc


def _probe_scheduler(address: str, timeout: float) -> None:
    """Open a TCP connection and read the first 8 bytes a Dask scheduler sends on its own: the
    length of its handshake frame, a small number. Other schemes (tls://, ucx://) are left to Dask."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--scheduler {one_line(address)}: give it as tcp://HOST:PORT")
    head = b""
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout) as sock:
            sock.settimeout(timeout)
            while len(head) < 8:
                chunk = sock.recv(8 - len(head))
                if not chunk:
                    break
                head += chunk
    except TimeoutError as exc:
        raise SchedulerUnreachable(f"the Dask scheduler at {one_line(address)} did not answer within {timeout:g} s "
                                   "(--connect-timeout)") from exc
    except OSError as exc:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {one_line(address)}: "
                                   f"{one_line(exc.strerror or exc)}") from exc
    if len(head) < 8 or int.from_bytes(head, "little") > 1 << 24:
        raise SchedulerUnreachable(f"the service at {one_line(address)} is not a Dask scheduler "
                                   "(it does not answer as one)")


def _overdue(client, pending: dict, running_since: dict[str, float], timeout: float) -> list[str]:
    """Keys of our tasks running longer than ``timeout``; their workers are restarted."""
    now = time.monotonic()
    where = {}
    for worker, keys in client.processing().items():
        for key in keys:
            if key in pending:
                where[key] = worker
                running_since.setdefault(key, now)
    overdue = [key for key, since in running_since.items() if key in pending and now - since > timeout]
    workers = sorted({where[key] for key in overdue if key in where})
    if workers:
        try:
            client.restart_workers(workers, raise_for_error=False)
        except Exception:  # a worker that cannot be restarted (no nanny): its task is abandoned
            pass
    for key in overdue:
        running_since.pop(key, None)
    return overdue
