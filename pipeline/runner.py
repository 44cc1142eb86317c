"""Batch runs: collect the inputs, process each document, save it, report each outcome."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ExitCode, UsageError
from pipeline.stages import process_file
from pipeline.store import Store
from schemas import Record


# A gold corpus keeps its gold records and hand-corrected texts beside the inputs (SPEC §5);
# they are eval's sidecar files, not documents.
SIDECAR_SUFFIXES = (".gold.json", ".clean.txt")
SIDECAR_NAMES = ("thresholds.json",)


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


@dataclass
class RunSummary:
    total: int = 0
    skipped: int = 0
    by_status: Counter = field(default_factory=Counter)
    pages_by_method: Counter = field(default_factory=Counter)
    missing_dependency: bool = False

    @property
    def exit_code(self) -> ExitCode:
        if self.missing_dependency:
            return ExitCode.missing_dependency
        if self.by_status["failed"] or self.by_status["partial"]:
            return ExitCode.documents_failed
        return ExitCode.ok

    def as_dict(self) -> dict:
        return {"documents": self.total, "skipped": self.skipped, "by_status": dict(self.by_status),
                "pages_by_method": dict(self.pages_by_method)}


def run(inputs: list[Path], out_dir: Path, *, options: dict | None = None, force: bool = False,
        on_result: Callable[[Path, Record | None], None] | None = None) -> RunSummary:
    """Process every input into ``out_dir``. ``on_result(path, record)`` is called per document
    (record None when it was skipped as already done)."""
    files = collect_inputs(inputs, exclude=out_dir)
    names = output_names(files)
    summary = RunSummary(total=len(files))
    store = Store(out_dir)
    try:
        for path in files:
            name = names[path]
            if not force and store.finished(name, hashlib.sha256(path.read_bytes()).hexdigest()):
                summary.skipped += 1
                summary.by_status["ok"] += 1
                if on_result:
                    on_result(path, None)
                continue
            record = process_file(path, options)
            store.save(name, record)
            summary.by_status[record.status] += 1
            summary.pages_by_method.update(p.method for p in record.pages)
            summary.missing_dependency |= any(e.code == "missing_dependency" for e in record.errors)
            if on_result:
                on_result(path, record)
        store.write_jsonl()
    finally:
        store.close()
    return summary
