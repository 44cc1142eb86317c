"""Word 97-2003 files (.doc), converted to .docx by LibreOffice headless and read as Word files.

LibreOffice is a large install that most users of a text pipeline do not have; it is used where it
is on the PATH (``soffice`` or ``libreoffice``) and otherwise the document fails with a message that
names the package to install (exit code 3, as for tesseract).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.errors import CorruptFile, MissingDependency
from pipeline.ingest.base import ReadResult
from pipeline.ingest.docx import read_docx

LIBREOFFICE_INSTALL_HINT = "install LibreOffice with: sudo apt-get install libreoffice-writer-nogui"
CONVERT_TIMEOUT = 300


def read_doc(path: Path, data: bytes, options: dict) -> ReadResult:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise MissingDependency(f"a .doc (Word 97-2003) file needs LibreOffice to be read; {LIBREOFFICE_INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="kehoach-doc-") as tmp:
        source = Path(tmp) / "in.doc"
        source.write_bytes(data)
        try:
            # a profile of its own, so a LibreOffice the user has open does not take the job over
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                            "docx", "--outdir", tmp, str(source)], capture_output=True, check=True,
                           timeout=CONVERT_TIMEOUT)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise CorruptFile(f"LibreOffice could not convert the .doc file ({type(exc).__name__})") from exc
        converted = Path(tmp) / "in.docx"
        if not converted.exists():
            raise CorruptFile("LibreOffice could not convert the .doc file (no output)")
        result = read_docx(path, converted.read_bytes(), options)
    result.encoding = "doc"
    return result
