"""``kehoach lm build``: the restoration model from the training corpus and the OCR line pairs.

One file holds everything restoration needs: the trigram model (``lm.py``) and the OCR channels,
tables of how often tesseract (``-l eng`` and ``-l vie``) wrote each syllable as each token, learned
from pairs made by ``scripts/ocr_pairs.py``.
"""

from __future__ import annotations

import gzip
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

from dictionaries.places import places
from pipeline.normalize import normalise_tones
from pipeline.restore.corpus import iter_files, read_exclusions
from pipeline.restore.lm import BOS, EOS, SPECIALS, UNK, build, lm_tokens, news_bigrams
from pipeline.vntext import WORD, fold, has_diacritics, skey


def place_lines() -> list[str]:
    """Every place name with its unit word (``xã Kiến Hải``, ``tỉnh Quảng Ngãi``): the legal code
    names few communes, and place names are where a legal-only model errs most."""
    return sorted({name for key, name in places().items() if " " in name})


def _unmarked(line: str) -> bool:
    """A line typed without diacritics (the corpus has some): it would teach the model that
    ``va phu hop`` is Vietnamese."""
    words = [w for w in WORD.findall(line) if w.isalpha()]
    return len(words) >= 4 and sum(map(has_diacritics, words)) < 0.25 * len(words)


_LETTERS = re.compile(r"[^\W\d_]+")


def count_case(line: str, titled: Counter[str], lowered: Counter[str]) -> None:
    """How often each syllable is written with a capital, and without, right after a word in small
    letters (mid-sentence): ``Kế hoạch`` often (a document named), ``của`` never. The restorer reads
    a capital OCR gave a word that is never written so as damage (``đáp Ung`` -> ``đáp ứng``)."""
    previous = None
    for match in _LETTERS.finditer(line):
        word = match.group(0)
        if previous is not None and previous.end() + 1 == match.start() and line[previous.end()] == " " \
                and previous.group(0).islower():
            if word.islower():
                lowered[word] += 1
            elif word[0].isupper() and word[1:].islower():
                titled[word.lower()] += 1
        previous = match


def aligned_tokens(clean: str, noisy: str) -> Iterable[tuple[str, str]]:
    """Word pairs of one (clean, OCR'd) line pair, matched on their diacritic-free keys."""
    a, b = WORD.findall(clean), WORD.findall(noisy)
    matcher = SequenceMatcher(None, [fold(w) for w in a], [skey(w) for w in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            yield from zip(a[i1:i2], b[j1:j2])


def channel_counts(pairs_file: Path) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    with open(pairs_file, encoding="utf-8") as handle:
        for line in handle:
            clean, _, noisy = line.rstrip("\n").partition("\t")
            for c, n in aligned_tokens(clean, noisy):
                if any(ch.isalpha() for ch in c):
                    counts[(c.lower(), n.lower())] += 1
    return counts


def channel_arrays(name: str, counts: Counter[tuple[str, str]]) -> dict[str, np.ndarray]:
    """A channel table as the model file stores it: ``NAME_clean``, ``NAME_noisy`` (newline-joined)
    and ``NAME_count``."""
    pairs = sorted(counts.items())
    return {f"{name}_clean": np.array("\n".join(c for (c, _), _ in pairs)),
            f"{name}_noisy": np.array("\n".join(n for (_, n), _ in pairs)),
            f"{name}_count": np.array([k for _, k in pairs], dtype=np.int32)}


def add_vie_channel(model: Path, vie_pairs: Path, output: Path | None = None, log=print) -> dict:
    """Learn tesseract vie's channel from ``vie_pairs`` and store it in the model file (replacing
    the one it has), leaving the language model and the eng channel as they are: the table is made
    in seconds, the model in many minutes."""
    output = output or model
    channel = channel_counts(vie_pairs)
    with np.load(model) as data:
        arrays = {key: data[key] for key in data.files if not key.startswith("vie_")}
    _write(output, arrays | channel_arrays("vie", channel))
    log(f"vie channel: {len(channel):,} (syllable, OCR token) pairs from {sum(channel.values()):,} aligned words")
    return {"vie_pairs": len(channel), "bytes": output.stat().st_size}


def _write(output: Path, arrays: dict[str, np.ndarray]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(output)


def read_news(news_dir: Path, ids: dict[str, int]) -> dict[tuple[int, int], int]:
    """The news corpus' bigram counts (``news/bigrams.tsv.gz``: ``a b<TAB>count``) over model ids;
    pairs with a word the model does not know are left out."""
    counts: dict[tuple[int, int], int] = {}
    with gzip.open(news_dir / "bigrams.tsv.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            pair, _, count = line.rstrip("\n").rpartition("\t")
            words = normalise_tones(pair).split(" ")
            if len(words) == 2 and all(w in ids for w in words):
                key = (ids[words[0]], ids[words[1]])
                counts[key] = counts.get(key, 0) + int(count)
    return counts


def build_model(corpus: Path, output: Path, exclude_file: Path | None = None, ocr_pairs: Path | None = None,
                min_count: int = 2, min_trigram_count: int = 1, news: Path | None = None,
                vie_pairs: Path | None = None, extra_text: list[Path] = (), channels_from: Path | None = None,
                log=print) -> dict:
    """Build and write the model; ``min_count`` bounds the vocabulary, ``min_trigram_count`` prunes
    trigrams seen fewer times (their probability then backs off to the bigram). ``extra_text``:
    plain text files whose lines are trained on too (the development plans' own domains);
    ``channels_from``: a model file whose OCR channels are kept where no pairs are given."""
    started = time.perf_counter()
    exclude = read_exclusions(exclude_file)
    lines: list[list[str]] = []
    counts: Counter[str] = Counter()
    files = skipped = 0
    titled: Counter[str] = Counter()
    lowered: Counter[str] = Counter()
    for _, prose in iter_files(corpus, exclude):
        files += 1
        for line in prose:
            if _unmarked(line):
                skipped += 1
                continue
            line = normalise_tones(line)   # one tone-placement convention: hòa, thủy
            tokens = lm_tokens(line)
            if tokens:
                lines.append(tokens)
                counts.update(tokens)
                count_case(line, titled, lowered)
    corpus_tokens = sum(counts.values())
    extra_lines = 0
    for path in extra_text:
        for line in path.read_text(encoding="utf-8").splitlines():
            line = normalise_tones(" ".join(line.split()))
            tokens = lm_tokens(line)
            if tokens and not _unmarked(line):
                lines.append(tokens)
                counts.update(tokens)
                count_case(line, titled, lowered)
                extra_lines += 1
    if extra_text:
        log(f"extra text: {len(extra_text)} files, {extra_lines:,} lines")
    for name in place_lines():
        tokens = lm_tokens(name)
        lines.append(tokens)
        counts.update(tokens)
    log(f"read {files} files, {len(lines):,} lines, {corpus_tokens:,} tokens; "
        f"{skipped:,} lines without diacritics left out")
    vocab = SPECIALS + [w for w, n in counts.most_common() if n >= min_count and w not in SPECIALS]
    ids = {w: i for i, w in enumerate(vocab)}
    unk, bos, eos = ids[UNK], ids[BOS], ids[EOS]
    sequences = [np.array([bos, bos, *(ids.get(t, unk) for t in tokens), eos], dtype=np.int32) for tokens in lines]
    del lines
    model = build(sequences, vocab, min_count3=min_trigram_count)
    del sequences
    log(f"vocabulary {len(vocab):,}; bigrams {len(model.keys2):,}; trigrams kept {len(model.keys3):,}")

    news_dir = news if news is not None else corpus / "news"
    if (news_dir / "bigrams.tsv.gz").exists():
        news_counts = read_news(news_dir, ids)
        model = replace(model, **news_bigrams(news_counts, len(vocab)))
        log(f"news bigrams: {len(news_counts):,} over the model's vocabulary")

    channel = channel_counts(ocr_pairs) if ocr_pairs else Counter()
    extra = {"case_titled": np.array([titled[w] for w in vocab], dtype=np.int32),
             "case_lowered": np.array([lowered[w] for w in vocab], dtype=np.int32)}
    if channels_from is not None:
        with np.load(channels_from) as data:
            kept = {key: data[key] for key in data.files
                    if key.startswith(("channel_", "vie_")) and not (key.startswith("channel_") and ocr_pairs)
                    and not (key.startswith("vie_") and vie_pairs)}
        extra |= kept
        log(f"channels kept from {channels_from}: {', '.join(sorted({k.split('_')[0] for k in kept})) or 'none'}")
    if channel:
        extra |= channel_arrays("channel", channel)
        log(f"OCR channel: {len(channel):,} (syllable, OCR token) pairs from {sum(channel.values()):,} aligned words")
    vie = channel_counts(vie_pairs) if vie_pairs else Counter()
    if vie:
        extra |= channel_arrays("vie", vie)
        log(f"vie channel: {len(vie):,} (syllable, OCR token) pairs from {sum(vie.values()):,} aligned words")
    _write(output, model.arrays() | extra)
    summary = {"files": files, "extra_lines": extra_lines, "lines_left_out": skipped, "tokens": corpus_tokens, "vocabulary": len(vocab), "bigrams": len(model.keys2),
               "trigrams": len(model.keys3), "channel_pairs": len(channel), "vie_pairs": len(vie),
               "bytes": output.stat().st_size,
               "seconds": round(time.perf_counter() - started, 1)}
    log(f"wrote {output} ({summary['bytes'] / 1e6:.1f} MB) in {summary['seconds']} s")
    return summary

