#!/usr/bin/env bash
# Set up kehoach from a fresh clone and run it on the bundled sample corpus:
# tesseract-ocr with Vietnamese data (apt, when missing), a virtualenv in .venv with the package
# and its test dependencies, then `kehoach run corpus -o out`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx vie || need+=(tesseract-ocr-vie)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || need+=(fonts-dejavu-core)
# the test suite: the review site in real headless Chromium, the workbook and .doc files in LibreOffice
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui libreoffice-writer-nogui)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${need[*]} with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

if [ "${KEHOACH_SETUP_ONLY:-0}" != "1" ]; then
    .venv/bin/kehoach run corpus -o out
    echo "setup: records in out/ (out/records.jsonl, out/kehoach.sqlite)" >&2
fi
