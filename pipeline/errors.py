"""Exceptions and exit codes, mapped in one place (SPEC §2).

``DocumentError`` is bad input, not a bug: the runner turns it into an error item on that
document's record and the batch goes on. ``KehoachError`` subclasses that are not document
errors stop the command with their ``exit_code``.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    documents_failed = 1
    bad_usage = 2
    missing_dependency = 3


class KehoachError(Exception):
    exit_code = ExitCode.documents_failed


class UsageError(KehoachError):
    exit_code = ExitCode.bad_usage


class MissingDependency(KehoachError):
    """A program or data file the job needs is not installed; the message says how to install it."""

    exit_code = ExitCode.missing_dependency


class DocumentError(KehoachError):
    """One input cannot be read; ``code`` is stable and goes into the record's ``errors``."""

    code = "unreadable"
    stage = "ingest"

    def __init__(self, message: str, *, page: int | None = None) -> None:
        super().__init__(message)
        self.page = page


class EmptyFile(DocumentError):
    code = "empty_file"


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"


class CorruptFile(DocumentError):
    code = "corrupt_file"


class EncryptedFile(DocumentError):
    code = "encrypted"


class UndecodableText(DocumentError):
    code = "undecodable_text"


class NoText(DocumentError):
    code = "no_text"


TESSERACT_INSTALL_HINT = "install it with: sudo apt-get install tesseract-ocr tesseract-ocr-vie"
