"""The limits one document is held to while it is read (issue 12: a 300 KB PNG declaring 2.5 billion
pixels, a Word file inflating to a gigabyte). A document past one fails with its own error code and a
message naming the option that raises the limit; the batch goes on. Kept apart from the readers so
that the command line can show the defaults without importing them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one document may ask of a worker, each settable on the command line (the option named
    in the message of a document that goes past it). The defaults are far above real plans (an A0
    sheet at 300 dpi is 140 million pixels; the Word files on this machine inflate to under 1 MB;
    the longest PDF the tests read has 2,000 pages)."""

    max_pixels: int = 180_000_000   # --max-pixels: one page image (Pillow's own bomb guard is set to it)
    max_pages: int = 5_000          # --max-pages
    max_docx_bytes: int = 256 << 20  # --max-docx-mb: what a .docx's parts inflate to, from its zip directory
    max_chars: int = 20_000_000     # --max-chars: the text of one document

    @classmethod
    def from_options(cls, options: dict) -> Limits:
        given = {name: options[name] for name in cls.__dataclass_fields__ if options.get(name) is not None}
        return cls(**given)
