"""Batch runs: collect the inputs, decide what needs doing, process it in parallel, save every
outcome as it comes, report.

Three engines, one set of semantics (manifest, resume, records):

- ``workers=0``: in this process (debugging; no timeout);
- ``workers=N``: N worker processes on this machine (:class:`LocalPool`). A document that runs past
  ``timeout`` has its worker killed; a worker that dies (segfault, out of memory) fails only the
  document it held; either way the worker is replaced and the batch goes on;
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (``pip install kehoach[dask]``); the
  file's bytes travel with the task, so workers need no shared disk.

Only this process writes the output folder, one document at a time, atomically.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from pipeline.errors import ExitCode, UsageError
from pipeline.stages import failed_record, process_file
from pipeline.store import Store
from schemas import Record

# A gold corpus keeps its gold records and hand-corrected texts beside the inputs (SPEC §5);
# they are eval's sidecar files, not documents.
SIDECAR_SUFFIXES = (".gold.json", ".clean.txt")
SIDECAR_NAMES = ("thresholds.json",)
DEFAULT_TIMEOUT = 1800.0  # seconds per document: generous, a 2,000-page scan takes long
# Test hook for fault injection only: "crash:<name part>" or "hang:<name part>" in a worker.
FAULT_ENV = "KEHOACH_INJECT_FAULT"


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIXES) or path.name in SIDECAR_NAMES


def collect_inputs(inputs: Iterable[Path], exclude: Path | None = None) -> list[Path]:
    """Files given, and the files under folders given (recursively, hidden ones skipped), in a
    stable order; ``exclude`` (the output folder) and gold-corpus sidecar files are never read."""
    files: list[Path] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                rel = path.relative_to(item)
                if path.is_file() and not is_sidecar(path) and not any(part.startswith(".") for part in rel.parts) and not (
                        exclude and exclude.resolve() in path.resolve().parents):
                    files.append(path)
        elif item.is_file():
            files.append(item)
        else:
            raise UsageError(f"input not found: {item}")
    seen: set[Path] = set()
    unique = []
    for path in files:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def output_names(files: list[Path]) -> dict[Path, str]:
    """``plan.pdf`` -> ``plan``; two inputs with one stem get the path's hash appended."""
    stems = Counter(path.stem for path in files)
    names = {}
    for path in files:
        name = path.stem
        if stems[name] > 1:
            name = f"{name}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"
        names[path] = name
    return names


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
    by_status: Counter = field(default_factory=Counter)
    pages_by_method: Counter = field(default_factory=Counter)
    errors_by_code: Counter = field(default_factory=Counter)
    missing_dependency: bool = False
    seconds: float = 0.0

    @property
    def exit_code(self) -> ExitCode:
        if self.missing_dependency:
            return ExitCode.missing_dependency
        if self.by_status["failed"] or self.by_status["partial"]:
            return ExitCode.documents_failed
        return ExitCode.ok

    def add(self, record: Record) -> None:
        self.by_status[record.status] += 1
        self.pages_by_method.update(p.method for p in record.pages)
        self.errors_by_code.update(e.code for e in record.errors)
        self.missing_dependency |= any(e.code == "missing_dependency" for e in record.errors)

    def as_dict(self) -> dict:
        return {"documents": self.total, "skipped": self.skipped, "by_status": dict(self.by_status),
                "pages": sum(self.pages_by_method.values()), "pages_by_method": dict(self.pages_by_method),
                "errors_by_code": dict(self.errors_by_code), "seconds": round(self.seconds, 2)}


def run(inputs: list[Path], out_dir: Path, *, options: dict | None = None, force: bool = False,
        only_failed: bool = False, workers: int | None = None, timeout: float | None = DEFAULT_TIMEOUT,
        scheduler=None, on_result: Callable[[Path, Record | None], None] | None = None) -> RunSummary:
    """Process every input into ``out_dir``. ``on_result(path, record)`` is called per document as
    it is saved (record None when it was skipped). ``workers``: processes on this machine (default:
    all cores; 0: in this process). ``scheduler``: a Dask scheduler address (or Client) instead."""
    started = time.monotonic()
    options = options or {}
    files = collect_inputs(inputs, exclude=out_dir)
    names = output_names(files)
    summary = RunSummary(total=len(files))
    store = Store(out_dir)
    try:
        jobs = []
        for path in files:
            job = Job(path, names[path], file_sha256(path), path.stat().st_size)
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

        def save(job: Job, record: Record) -> None:
            store.save(job.name, record)
            summary.add(record)
            if on_result:
                on_result(job.path, record)

        if scheduler is not None:
            run_on_dask(jobs, scheduler, options, save, timeout)
        elif not jobs:
            pass
        elif workers == 0:
            for job in jobs:
                save(job, process_file(job.path, options))
        else:
            workers = workers or os.cpu_count() or 1
            if len(jobs) < workers:  # few large documents: the spare cores OCR pages in parallel
                options = {**options, "ocr_threads": max(1, (os.cpu_count() or 1) // max(1, len(jobs)))}
            LocalPool(min(workers, len(jobs)) or 1, options, timeout).run(jobs, save)
        store.write_jsonl()
    finally:
        store.close()
    summary.seconds = time.monotonic() - started
    return summary


# --------------------------------------------------------------------------------- local workers

def _worker_main(conn, options: dict) -> None:
    """A worker process: documents in by path, records out as JSON, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    # the language model loads once per worker, with the first document that needs restoring:
    # a batch of clean text PDFs never pays for it
    conn.send("ready")
    while True:
        path = conn.recv()
        if path is None:
            return
        _inject_fault(path)
        conn.send(process_file(Path(path), options).model_dump_json())


@dataclass
class _Worker:
    process: mp.Process
    conn: object
    job: Job | None = None
    started: float = 0.0


class LocalPool:
    """Worker processes that each hold one document at a time. The parent enforces the timeout by
    killing the worker, and notices a dead worker by its process sentinel."""

    def __init__(self, size: int, options: dict, timeout: float | None):
        # one tesseract thread per OCR call: the parallelism is ours (workers, page threads)
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        self.context = mp.get_context("spawn")
        self.options = options
        self.timeout = timeout
        self.workers = [self._start() for _ in range(size)]
        for worker in self.workers:
            self._ready(worker)

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(child, self.options), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    @staticmethod
    def _ready(worker: _Worker) -> None:
        """Wait for a new worker to load what it needs; a worker that cannot start is a defect."""
        try:
            if worker.conn.recv() == "ready":
                return
        except EOFError:
            pass
        raise RuntimeError(f"a worker process failed to start (exit code {worker.process.exitcode})")

    def _replace(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        fresh = self._start()
        self._ready(fresh)
        self.workers[self.workers.index(worker)] = fresh

    def run(self, jobs: list[Job], save: Callable[[Job, Record], None]) -> None:
        queue = deque(jobs)
        try:
            while queue or any(w.job for w in self.workers):
                for worker in self.workers:
                    if worker.job is None and queue:
                        worker.job, worker.started = queue.popleft(), time.monotonic()
                        worker.conn.send(str(worker.job.path))
                busy = [w for w in self.workers if w.job]
                wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=self._wait_time(busy))
                for worker in busy:
                    self._check(worker, save)
        finally:
            self.close()

    def _wait_time(self, busy: list[_Worker]) -> float | None:
        if self.timeout is None:
            return None
        return max(0.0, min(w.started + self.timeout for w in busy) - time.monotonic())

    def _check(self, worker: _Worker, save: Callable[[Job, Record], None]) -> None:
        job = worker.job
        try:
            if worker.conn.poll():
                payload = worker.conn.recv()
                worker.job = None
                save(job, Record.model_validate_json(payload))
                return
        except (EOFError, OSError):
            pass  # the worker died mid-message: handled below as a crash
        if not worker.process.is_alive():
            code = worker.process.exitcode
            how = f"signal {signal.Signals(-code).name}" if code and code < 0 else f"exit code {code}"
            record = failed_record(job.path, job.sha256, job.size, "worker_crashed",
                                   f"the worker processing this document died ({how}); the batch went on")
        elif self.timeout is not None and time.monotonic() - worker.started > self.timeout:
            record = failed_record(job.path, job.sha256, job.size, "timeout",
                                   f"processing took longer than {self.timeout:g} s; the worker was stopped")
        else:
            return
        self._replace(worker)
        save(job, record)

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.process.join(5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


# --------------------------------------------------------------------------------- Dask

def process_remote(path: str, data: bytes, options: dict) -> str:
    """The task a Dask worker runs: the record of one file, from its bytes, as JSON."""
    _inject_fault(path)
    return process_file(Path(path), options, data=data).model_dump_json()


def _inject_fault(path: str) -> None:
    """The fault-injection hook (``KEHOACH_INJECT_FAULT``, tests only): crash or hang on a name."""
    kind, _, part = os.environ.get(FAULT_ENV, "").partition(":")
    if part and part in path:
        if kind == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        elif kind == "hang":
            time.sleep(10 ** 6)


def run_on_dask(jobs: list[Job], scheduler, options: dict, save: Callable[[Job, Record], None],
                timeout: float | None = DEFAULT_TIMEOUT, in_flight_per_worker: int = 4,
                poll: float = 1.0) -> None:
    """Send the documents to a Dask cluster, a bounded number at a time (each task carries the
    file's bytes), and save each record as it returns. A task still running ``timeout`` seconds
    after the scheduler saw it start has its worker restarted (the nanny starts a fresh process)
    and its document failed; the task is not retried."""
    try:
        from distributed import Client
        from distributed import wait as wait_for
    except ImportError as exc:
        raise UsageError("--scheduler needs Dask: pip install 'kehoach[dask]'") from exc
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        window = max(1, in_flight_per_worker * max(1, len(client.scheduler_info().get("workers", {}))))
        queue = deque(jobs)
        owner: dict[str, Job] = {}
        pending: dict[str, object] = {}
        running_since: dict[str, float] = {}

        def submit() -> None:
            job = queue.popleft()
            future = client.submit(process_remote, str(job.path), job.path.read_bytes(), options, pure=False)
            owner[future.key], pending[future.key] = job, future

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
