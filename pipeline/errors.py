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
    interrupted = 130  # 128 + SIGINT, as shells report a Ctrl-C


class KehoachError(Exception):
    exit_code = ExitCode.documents_failed


class UsageError(KehoachError):
    exit_code = ExitCode.bad_usage


class OutputError(UsageError):
    """The output folder cannot be used (a file, not writable, inside an input folder): found before
    any work starts."""


class SchedulerUnreachable(KehoachError):
    """The Dask scheduler did not answer; like a missing program, the run cannot start."""

    exit_code = ExitCode.missing_dependency


class Interrupted(KehoachError):
    """The user pressed Ctrl-C; what was saved stays saved and a re-run resumes."""

    exit_code = ExitCode.interrupted


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


class CorruptPdf(CorruptFile):
    code = "corrupt_pdf"


class CorruptDocx(CorruptFile):
    code = "corrupt_docx"


class UnreadableFile(DocumentError):
    """The file is there but cannot be read (permission, a device, an I/O error)."""

    code = "unreadable"


class ImageTooLarge(DocumentError):
    code = "image_too_large"


class TooManyPages(DocumentError):
    code = "too_many_pages"


class DocxTooLarge(DocumentError):
    code = "docx_too_large"


class TextTooLong(DocumentError):
    code = "text_too_long"


class OcrFailed(DocumentError):
    code = "ocr_failed"


class EncryptedFile(DocumentError):
    code = "encrypted"


class UndecodableText(DocumentError):
    code = "undecodable_text"


class NoText(DocumentError):
    code = "no_text"


def one_line(text: object) -> str:
    """``text`` on one line: control characters (a newline in a file name, a library's multi-line
    message) written as escapes, so that one problem stays one line on stderr."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(text))


TESSERACT_INSTALL_HINT = "install it with: sudo apt-get install tesseract-ocr tesseract-ocr-vie"
