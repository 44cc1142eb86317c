from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.document import PageText


@dataclass
class ReadResult:
    pages: list[PageText]
    encoding: str
    # non-fatal problems: (code, message, page)
    warnings: list[tuple[str, str, int | None]] = field(default_factory=list)
