"""Review benchmark: seconds for ``kehoach review`` (and ``export``, ``graph``) on a batch of N records, on
one core.

    .venv/bin/python bench/review.py [--records 1000]

The batch is the five seed plans' records (processed once), saved N/5 times each under new names
into one output folder, so the site has N document pages with every item highlighted. Text files
have no page images: rendering a scan's pages is once per distinct file (named by content hash)
and is not in these figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

from pipeline.batch import read_batch  # noqa: E402
from pipeline.export import write_xlsx  # noqa: E402
from pipeline.graph import write_graph  # noqa: E402
from pipeline.review import build_site  # noqa: E402
from pipeline.runner import run  # noqa: E402
from pipeline.store import Store  # noqa: E402

SEEDS = sorted((ROOT / "corpus").glob("00[0-4].txt"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seeds_out = Path(tmp) / "seeds"
        run(SEEDS, seeds_out, workers=0)
        seeds = read_batch(seeds_out)
        out = Path(tmp) / "out"
        store = Store(out)
        for i in range(args.records):
            entry = seeds[i % len(seeds)]
            store.save(f"{entry.name}-{i:05d}", entry.record)
        store.close()
        items = sum(len(e.record.tasks) + len(e.record.references) + len(e.record.indicators)
                    + len(e.record.deadlines) + len(e.record.sections)
                    + sum(len(a.mentions) for a in e.record.agencies) for e in seeds) * args.records // len(seeds)
        timings = {}
        started = time.perf_counter()
        entries = read_batch(out)
        timings["read"] = time.perf_counter() - started
        for name, step in [("review", lambda: build_site(out, entries)),
                           ("graph", lambda: write_graph(out, entries)),
                           ("export_xlsx", lambda: write_xlsx(entries, out, Path(tmp) / "batch.xlsx"))]:
            started = time.perf_counter()
            step()
            timings[name] = time.perf_counter() - started
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores (pinned to one), Python {platform.python_version()}")
    print(f"records: {args.records}, highlighted items: {items}")
    for name, seconds in timings.items():
        print(f"{name:12s} {seconds:7.1f} s")


if __name__ == "__main__":
    main()
