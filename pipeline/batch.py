"""A finished output folder read back: the records of a batch, by the names ``kehoach run`` gave
them. What review, export and graph start from."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import UsageError
from schemas import Record


@dataclass(frozen=True)
class Entry:
    name: str  # OUT/<name>.json
    record: Record


def read_batch(out_dir: Path) -> list[Entry]:
    """Every record in ``out_dir``, in name order: from ``kehoach.sqlite`` when it is there (the
    run's manifest), otherwise from the ``<name>.json`` files."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not an output folder of kehoach run")
    database = out_dir / "kehoach.sqlite"
    if database.exists():
        db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT name, record FROM documents ORDER BY name").fetchall()
        finally:
            db.close()
        return [Entry(name, Record.model_validate_json(text)) for name, text in rows]
    entries = []
    for path in sorted(out_dir.glob("*.json")):
        try:
            entries.append(Entry(path.stem, Record.model_validate_json(path.read_text(encoding="utf-8"))))
        except ValueError:  # a JSON file of the user's own, not a record
            continue
    if not entries:
        raise UsageError(f"{out_dir} holds no records: run `kehoach run INPUTS -o {out_dir}` first")
    return entries
