"""How much memory a worker and what it started hold, and the ceiling they are held to (issue 12: a
Word file whose text inflates to a gigabyte took a worker to 14.9 GB in 53 s, on a 24 GB machine).

The parent watches each busy worker's resident memory, with its process group's (tesseract), a few
times a second; a worker over the ceiling is killed with its process group and its document failed
with ``out_of_memory``. Read from Linux's ``/proc``: elsewhere nothing is measured and no ceiling is
enforced (``rss_by_group`` gives None)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pipeline.errors import UsageError

PROC = Path("/proc")
# Every worker gets this share of the machine's memory, split evenly: what is left is the parent's,
# the page cache's and the rest of the machine's.
SHARE_OF_MEMORY = 0.8
MIN_CEILING = 512 << 20   # below this a worker cannot even load the language model
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", re.I)
_UNITS = {"": 1 << 20, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes from ``4G``, ``500M``, ``1.5GiB`` or a bare number of megabytes (``2048``)."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise UsageError(f"--max-memory {text!r}: give a size such as 4G, 500M or 2048 (megabytes)")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.upper()])


def format_size(size: int) -> str:
    """In megabytes, to the megabyte (``1,081 MB`` over ``1,024 MB`` reads as over; ``1.0 GB`` would not)."""
    return f"{size / (1 << 20):,.0f} MB"


def total_memory() -> int | None:
    """The machine's memory in bytes, or None where it cannot be asked."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_ceiling(workers: int) -> int | None:
    """Per worker: its even share of ``SHARE_OF_MEMORY`` of the machine (9.6 GB each for two workers
    on 24 GB), never under ``MIN_CEILING``; None where the machine's memory is unknown."""
    total = total_memory()
    if total is None:
        return None
    return max(MIN_CEILING, int(total * SHARE_OF_MEMORY / max(1, workers)))


def rss_by_group(groups: set[int]) -> dict[int, int] | None:
    """Resident bytes of every process in each of the process ``groups`` (a worker leads its own,
    and the tesseract it starts runs in it), or None where ``/proc`` does not say. One pass over
    ``/proc``: a few milliseconds with hundreds of processes. A process that ends while it is read
    counts for nothing."""
    if not (PROC / "self" / "stat").exists():
        return None
    page = os.sysconf("SC_PAGE_SIZE")
    totals = dict.fromkeys(groups, 0)
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"{entry.path}/stat", "rb") as handle:
                fields = handle.read().rpartition(b")")[2].split()
        except OSError:
            continue
        # after the name: state, ppid, pgrp (fields 3-5 of proc(5)) ... rss (field 24)
        if len(fields) > 21 and int(fields[2]) in totals:
            totals[int(fields[2])] += int(fields[21]) * page
    return totals
