"""The SQLite store follows the record's models: every field of an item is a column (a field added
to a model becomes a column at the next save), a table's old columns keep their meaning."""

from __future__ import annotations

import json
import sqlite3

from pipeline.stages import process_file
from pipeline.store import ITEM_TABLES, Store
from schemas import Record
from tests.conftest import CORPUS


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}


def test_every_field_of_every_item_is_a_column(tmp_path):
    record = process_file(CORPUS / "003.txt")
    store = Store(tmp_path)
    store.save("003", record)
    db = sqlite3.connect(tmp_path / "kehoach.sqlite")
    for table in ITEM_TABLES:
        items = getattr(record, table)
        if not items:
            continue
        fields = set(type(items[0]).model_fields) - {"span"}
        assert fields <= _columns(db, table), (table, fields - _columns(db, table))
    task = record.tasks[0]
    row = db.execute('SELECT section, lead, page, start, "end", source FROM tasks WHERE id = ?', (task.id,)).fetchone()
    assert row == (task.section, json.dumps(task.lead, ensure_ascii=False), task.page, *task.span, task.source)
    # a deadline's start and end stay its dates; its span has columns of its own
    deadline = record.deadlines[0]
    row = db.execute('SELECT start, span_start FROM deadlines WHERE text = ?', (deadline.text,)).fetchone()
    assert row == (deadline.start and deadline.start.isoformat(), deadline.span[0])
    # an agency's mentions: the count as before, the spans beside it
    agency = record.agencies[0]
    assert db.execute("SELECT mentions FROM agencies WHERE name = ?", (agency.name,)).fetchone()[0] == len(agency.mentions)
    store.close()


def test_a_field_added_to_a_model_is_a_column_at_the_next_save(tmp_path):
    record = process_file(CORPUS / "003.txt")
    store = Store(tmp_path)
    store.save("003", record)
    # a record whose document carries a field the store has not seen (the models allow extras on
    # quality; here the document info's subject is set for the first time)
    changed = Record.model_validate({**record.model_dump(mode="json"),
                                     "document": {**record.document.model_dump(mode="json"), "subject": "thử"}})
    store.save("003", changed)
    db = sqlite3.connect(tmp_path / "kehoach.sqlite")
    assert db.execute("SELECT subject FROM documents WHERE name = '003'").fetchone()[0] == "thử"
    assert db.execute("SELECT count(*) FROM tasks WHERE document = '003'").fetchone()[0] == len(record.tasks)
    store.close()
