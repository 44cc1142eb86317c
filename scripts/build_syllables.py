"""Build dictionaries/syllables.txt: the Vietnamese syllables (lowercase, with diacritics) that the
plausibility score and the input-form detector accept as valid.

Sources: the news unigram counts in ../shared/lm-corpus/news/unigrams.tsv.gz (underthesea's VNTC
counts, Apache-2.0), keeping syllables seen at least --min-count times, and every syllable of
underthesea's Viet74K word list (shipped in its wheel). Run:

    python scripts/build_syllables.py --lm-corpus ../shared/lm-corpus -o dictionaries/syllables.txt
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import unicodedata
from pathlib import Path

import underthesea

# One syllable: Latin letters incl. Vietnamese ones, nothing else ("nghiêng", "đường").
SYLLABLE = re.compile(r"^[a-zà-ỹđ]+$")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lm-corpus", type=Path, default=Path("../shared/lm-corpus"))
    parser.add_argument("--min-count", type=int, default=3)
    parser.add_argument("-o", "--output", type=Path, default=Path("dictionaries/syllables.txt"))
    args = parser.parse_args()

    syllables: set[str] = set()
    with gzip.open(args.lm_corpus / "news" / "unigrams.tsv.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            token, _, count = line.rstrip("\n").partition("\t")
            token = unicodedata.normalize("NFC", token.lower())
            if SYLLABLE.match(token) and int(count) >= args.min_count:
                syllables.add(token)
    words = Path(os.path.dirname(underthesea.__file__)) / "corpus" / "data" / "Viet74K.txt"
    for line in words.read_text(encoding="utf-8").splitlines():
        for token in line.lower().split():
            token = unicodedata.normalize("NFC", token)
            if SYLLABLE.match(token):
                syllables.add(token)
    args.output.write_text("\n".join(sorted(syllables)) + "\n", encoding="utf-8")
    print(f"{len(syllables)} syllables -> {args.output}")


if __name__ == "__main__":
    main()
