"""Reading the training corpus: gzip shards of markdown, ``### FILE <path>`` lines between files."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

_FILE = re.compile(r"^### FILE (\S+)\s*$")
_MARKUP = re.compile(r"[*_`>#|]+")


def read_exclusions(path: Path | None) -> set[str]:
    if path is None or not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def iter_files(corpus: Path, exclude: set[str] = frozenset(), only: set[str] | None = None
               ) -> Iterator[tuple[str, list[str]]]:
    """Yield ``(file path, prose lines)`` from every ``*.txt.gz`` shard under ``corpus``, front matter
    and markdown markup removed."""
    for shard in sorted(Path(corpus).glob("*.txt.gz")):
        name, lines = None, []
        with gzip.open(shard, "rt", encoding="utf-8") as handle:
            for raw in handle:
                match = _FILE.match(raw)
                if match:
                    if name is not None and _wanted(name, exclude, only):
                        yield name, _prose(lines)
                    name, lines = match.group(1), []
                else:
                    lines.append(raw.rstrip("\n"))
        if name is not None and _wanted(name, exclude, only):
            yield name, _prose(lines)


def _wanted(name: str, exclude: set[str], only: set[str] | None) -> bool:
    return name not in exclude and (only is None or name in only)


def _prose(lines: list[str]) -> list[str]:
    out, in_front = [], False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped == "---" and (i <= 1 or in_front):
            in_front = not in_front
            continue
        if in_front or not stripped or set(stripped) <= set("-|: "):
            continue
        text = _MARKUP.sub(" ", stripped).strip()
        if text:
            out.append(re.sub(r"\s+", " ", text))
    return out
