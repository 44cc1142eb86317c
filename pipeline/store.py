"""Output: ``OUT/<name>.json`` per document, ``OUT/records.jsonl``, and ``OUT/kehoach.sqlite``.

Every file is written to a temporary name in the same folder and renamed over the target, so a
killed run leaves either the old file or the new one, never half of one. The SQLite database is
written one transaction per document; it doubles as the run's manifest (content hash, status).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

from schemas import Record

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY, path TEXT, sha256 TEXT, status TEXT, media_type TEXT, doc_type TEXT,
    number TEXT, issuer TEXT, place TEXT, date TEXT, title TEXT, signer TEXT, input_form TEXT,
    pages INTEGER, record TEXT
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);
CREATE TABLE IF NOT EXISTS sections (
    document TEXT, id TEXT, parent TEXT, level INTEGER, label TEXT, title TEXT, start INTEGER, "end" INTEGER
);
CREATE TABLE IF NOT EXISTS "references" (
    document TEXT, text TEXT, doc_type TEXT, number TEXT, symbol TEXT, date TEXT, issuer TEXT,
    normalized_id TEXT, title TEXT, start INTEGER, "end" INTEGER
);
CREATE TABLE IF NOT EXISTS agencies (document TEXT, name TEXT, kind TEXT, mentions INTEGER);
CREATE TABLE IF NOT EXISTS tasks (
    document TEXT, id TEXT, section TEXT, text TEXT, lead TEXT, support TEXT, deadline TEXT
);
CREATE TABLE IF NOT EXISTS indicators (
    document TEXT, text TEXT, name TEXT, operator TEXT, value REAL, value_max REAL, unit TEXT, target_year INTEGER
);
CREATE TABLE IF NOT EXISTS deadlines (
    document TEXT, text TEXT, kind TEXT, start TEXT, "end" TEXT, recurrence TEXT, task TEXT
);
CREATE TABLE IF NOT EXISTS errors (document TEXT, stage TEXT, code TEXT, message TEXT, page INTEGER);
"""
CHILD_TABLES = ["sections", '"references"', "agencies", "tasks", "indicators", "deadlines", "errors"]


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def record_json(record: Record) -> str:
    return record.model_dump_json(indent=2)


class Store:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.out_dir / "kehoach.sqlite")
        self.db.executescript(SCHEMA)
        for stale in self.out_dir.glob(".*.tmp"):  # half-written by a run that was killed
            stale.unlink(missing_ok=True)

    def close(self) -> None:
        self.db.close()

    def finished(self, name: str, sha256: str) -> bool:
        """True when this content was already processed under this name with status ok and its
        JSON file is in place (the resume check)."""
        row = self.db.execute("SELECT sha256, status FROM documents WHERE name = ?", (name,)).fetchone()
        return bool(row and row[0] == sha256 and row[1] == "ok" and (self.out_dir / f"{name}.json").exists())

    def status(self, name: str) -> str | None:
        """The status the manifest holds for ``name``, or None when it was never processed."""
        row = self.db.execute("SELECT status FROM documents WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def save(self, name: str, record: Record) -> None:
        write_atomic(self.out_dir / f"{name}.json", record_json(record))
        info = record.document
        with self.db:
            for table in CHILD_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE document = ?", (name,))
            self.db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (name, record.source.path, record.source.sha256, record.status, record.source.media_type,
                 info.doc_type, info.number, info.issuer, info.place, info.date and info.date.isoformat(),
                 info.title, info.signer and info.signer.name, record.quality.input_form, len(record.pages),
                 record.model_dump_json()),
            )
            self.db.executemany(
                "INSERT INTO sections VALUES (?,?,?,?,?,?,?,?)",
                [(name, s.id, s.parent, s.level, s.label, s.title, s.start, s.end) for s in record.sections])
            self.db.executemany(
                'INSERT INTO "references" VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                [(name, r.text, r.doc_type, r.number, r.symbol, r.date and r.date.isoformat(), r.issuer,
                  r.normalized_id, r.title, r.span[0], r.span[1]) for r in record.references])
            self.db.executemany(
                "INSERT INTO agencies VALUES (?,?,?,?)",
                [(name, a.name, a.kind, len(a.mentions)) for a in record.agencies])
            self.db.executemany(
                "INSERT INTO tasks VALUES (?,?,?,?,?,?,?)",
                [(name, t.id, t.section, t.text, json.dumps(t.lead, ensure_ascii=False),
                  json.dumps(t.support, ensure_ascii=False), t.deadline) for t in record.tasks])
            self.db.executemany(
                "INSERT INTO indicators VALUES (?,?,?,?,?,?,?,?)",
                [(name, i.text, i.name, i.operator, i.value, i.value_max, i.unit, i.target_year)
                 for i in record.indicators])
            self.db.executemany(
                "INSERT INTO deadlines VALUES (?,?,?,?,?,?,?)",
                [(name, d.text, d.kind, d.start and d.start.isoformat(), d.end and d.end.isoformat(),
                  d.recurrence, d.task) for d in record.deadlines])
            self.db.executemany(
                "INSERT INTO errors VALUES (?,?,?,?,?)",
                [(name, e.stage, e.code, e.message, e.page) for e in record.errors])

    def write_jsonl(self) -> Path:
        """Rewrite ``records.jsonl`` from every record in the database, in name order."""
        rows = self.db.execute("SELECT record FROM documents ORDER BY name").fetchall()
        path = self.out_dir / "records.jsonl"
        write_atomic(path, "".join(row[0] + "\n" for row in rows))
        return path
