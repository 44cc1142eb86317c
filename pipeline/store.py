"""Output: ``OUT/<name>.json`` per document, ``OUT/records.jsonl``, and ``OUT/kehoach.sqlite``.

Every file is written to a temporary name in the same folder and renamed over the target, so a
killed run leaves either the old file or the new one, never half of one. The SQLite database is
written one transaction per document; it doubles as the run's manifest (content hash, status).
Temporary names start with ``.kehoach-`` (:data:`TEMP_PREFIX`): only those, and the names earlier
versions used, are removed when a run starts; a user's own files in OUT are left alone. Every file
written gets the mode a new file gets from the umask, as the SQLite file does.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import tempfile
from pathlib import Path

import sqlite_utils

from pipeline.errors import OutputError, one_line
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
CREATE TABLE IF NOT EXISTS "tables" (document TEXT, page INTEGER, kind TEXT);
"""
# The record's lists that are tables of their own, one row per item, by the attribute's name.
ITEM_TABLES = ["sections", "references", "agencies", "tasks", "indicators", "deadlines", "errors", "tables"]


def _flat(item, table: str) -> dict:
    """One item as a row: its fields as columns, a span as start and end, lists and objects as JSON;
    an agency keeps its count of mentions in ``mentions`` (as before) and their spans beside it."""
    data = item.model_dump(mode="json")
    row: dict = {}
    # a deadline's own start and end are its dates: its span goes in span_start, span_end
    span_columns = ("span_start", "span_end") if "start" in data else ("start", "end")
    for key, value in data.items():
        if key == "span" and value is not None:
            row[span_columns[0]], row[span_columns[1]] = value
        elif isinstance(value, (list, dict)):
            row[key] = json.dumps(value, ensure_ascii=False)
        else:
            row[key] = value
    if table == "agencies":
        row["mentions"] = len(data["mentions"])
        row["mention_spans"] = json.dumps([m["span"] for m in data["mentions"]])
    return row


def _document_row(name: str, record: Record) -> dict:
    info = record.document
    row = {"name": name, "path": record.source.path, "sha256": record.source.sha256, "status": record.status,
           "media_type": record.source.media_type, "input_form": record.quality.input_form,
           "pages": len(record.pages), "record": record.model_dump_json()}
    for key, value in info.model_dump(mode="json").items():
        if key == "signer":
            signer = value or {}
            row["signer"] = signer.get("name")
            row["signer_position"], row["signer_authority"] = signer.get("position"), signer.get("authority")
        else:
            row[key] = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value
    row["attached"] = json.dumps([a.model_dump(mode="json") for a in record.attached], ensure_ascii=False)
    return row


def _insert(db: sqlite3.Connection, table: str, rows: list[dict], replace: bool = False) -> None:
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    db.executemany(f'{verb} INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})',
                   [tuple(row.get(c) for c in columns) for row in rows])


TEMP_PREFIX, TEMP_SUFFIX = ".kehoach-", ".tmp"
# What versions before 2026-12 named their temporary files: ".plan.json.k3j_x9a2.tmp" (mkstemp's 8
# characters after the target's name); a user's ".my-notes.tmp" does not match.
_LEGACY_TEMP = re.compile(r"^\..+\.(?:json|jsonl)\.[a-z0-9_]{8}\.tmp$")


def file_mode() -> int:
    """The mode a new file gets here (0o666 less the umask), as SQLite's own files get it."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def is_disk_full(exc: BaseException) -> bool:
    """True for the disk (or the user's quota) being full, from the OS or from SQLite."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        os.fchmod(fd, file_mode() if mode is None else mode)
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
        """Open (or create) the output folder; an unusable one is an OutputError (exit 2) here,
        before any document is read."""
        self.out_dir = Path(out_dir)
        self.mode = file_mode()
        where = f"the output folder {one_line(self.out_dir)}"
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise OutputError(f"{where} is a file, not a folder; give another with -o")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            probe_fd, probe = tempfile.mkstemp(dir=self.out_dir, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
            os.close(probe_fd)
            os.unlink(probe)
        except OSError as exc:
            raise OutputError(f"cannot write to {where}: {one_line(exc.strerror or exc)}") from exc
        try:
            self.db = sqlite3.connect(self.out_dir / "kehoach.sqlite")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise OutputError(f"cannot use {where}/kehoach.sqlite: {one_line(exc)}") from exc
        self.tables = sqlite_utils.Database(self.db)
        for stale in self.out_dir.iterdir():  # half-written by a run that was killed
            if stale.name.endswith(TEMP_SUFFIX) and (stale.name.startswith(TEMP_PREFIX) or _LEGACY_TEMP.match(stale.name)):
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
        """The record's JSON file and its rows. Raises OSError or sqlite3.Error when either cannot
        be written; a JSON file is never left without its row."""
        path = self.out_dir / f"{name}.json"
        write_atomic(path, record_json(record), self.mode)
        try:
            self.save_rows(name, record)
        except BaseException:
            path.unlink(missing_ok=True)
            raise

    def save_rows(self, name: str, record: Record) -> None:
        """The record in the database only (the manifest, and records.jsonl's source)."""
        rows = {table: [{"document": name, **_flat(item, table)} for item in getattr(record, table)]
                for table in ITEM_TABLES}
        document = _document_row(name, record)
        # the tables follow the record's models: a field added there is a column here at the next
        # save (sqlite-utils adds what is missing), outside the document's transaction
        for table, table_rows in [("documents", [document]), *rows.items()]:
            if table_rows:
                self.tables[table].add_missing_columns(table_rows)
        with self.db:
            for table in ITEM_TABLES:
                self.db.execute(f'DELETE FROM "{table}" WHERE document = ?', (name,))
            _insert(self.db, "documents", [document], replace=True)
            for table, table_rows in rows.items():
                _insert(self.db, table, table_rows)

    def write_jsonl(self) -> Path:
        """Rewrite ``records.jsonl`` from every record in the database, in name order."""
        rows = self.db.execute("SELECT record FROM documents ORDER BY name").fetchall()
        path = self.out_dir / "records.jsonl"
        write_atomic(path, "".join(row[0] + "\n" for row in rows), self.mode)
        return path
