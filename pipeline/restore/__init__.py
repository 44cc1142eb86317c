"""Diacritic restoration and OCR post-correction: a noisy channel decoded with a trigram model.

For each word the *channel* (``channel.py``) proposes syllables it may have been: every syllable
with the same diacritic-free skeleton (``hoach`` -> ``hoạch``, ``hoách``...), and, for OCR-damaged
text, the syllables that tesseract was seen to turn into this very token (``ciia`` -> ``của``,
``s6`` -> ``số``, ``Pang`` -> ``Đảng``), learned from rendered corpus text (``scripts/ocr_pairs.py``).
The neighbours adjust the candidates (``candidates.py``); the trigram model (``lm.py``) scores the
sequences and a Viterbi search picks the best one (``decode.py``); the choice is written in the
case of the word it replaces (``case.py``).

What is not a damaged word is never touched (``tokens.py``): numbers, document symbols
(``149-KL/TW``), URLs, e-mail addresses, words with no Vietnamese reading (``Zalo``, ``G6PD``), and
lines that are already clean. Line breaks are kept, so a restored text has the lines of its input.

    tokens.py      a line -> tokens; protected spans, acronyms, lines already clean
    channel.py     a token -> its candidate syllables, with channel weights (stripped, tesseract
                   eng's damage, tesseract vie's)
    candidates.py  names and places, followers of a garbled word's neighbour, glued words split,
                   a syllable tesseract vie cut in two joined
    decode.py      the lattice and second-order Viterbi over the trigram model
    case.py        how the chosen syllable is written
    lm.py          the trigram model; build.py makes it (``kehoach lm build``)
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from pipeline.restore import case
from pipeline.restore.candidates import Followers, joined, place_names, prefer_names, unglued
from pipeline.restore.channel import Channel
from pipeline.restore.decode import Decoder
from pipeline.restore.lm import LanguageModel
from pipeline.restore.tokens import is_clean_line, tokenize
from pipeline.vntext import input_form

DEFAULT_MODEL = "restore.npz"


class Restorer:
    """Load once, then ``restore(text)``. ``form`` forces the channel: ``stripped`` or ``ocr_noisy``."""

    MAX_BLOCK_LINES = 40            # lines decoded together (context carries across line breaks)
    LONG_LINE = 20_000              # characters: a longer line is restored in pieces cut at spaces

    def __init__(self, path: Path | str | None = None):
        path = Path(path) if path else model_path()
        with np.load(path) as data:
            self.lm = LanguageModel.from_npz(data)
            pairs, vie_pairs = (_channel_pairs(data, name) for name in ("channel", "vie"))
            self._never_titled = (case.never_titled(self.lm.vocab, data["case_titled"], data["case_lowered"])
                                  if "case_titled" in data.files else frozenset())
        self.lm.index()
        place_names()   # (read from underthesea's address data once, when the restorer loads)
        self.path = path
        self.channel = Channel(pairs, dict(zip(self.lm.vocab, self.lm.unigram.tolist())), vie_pairs)
        self.decoder = Decoder(self.lm, self.channel)
        self.followers = Followers(self.lm, self.channel)

    @property
    def skeleton(self) -> dict[str, list[str]]:
        """Diacritic-free skeleton -> its syllables, likeliest first."""
        return self.channel.skeleton

    # ------------------------------------------------------------------------------ public API
    def restore(self, text: str, form: str | None = None) -> str:
        """The text with diacritics restored and OCR confusions undone; same lines, same case."""
        return self.restore_counted(text, form)[0]

    def clear_caches(self) -> None:
        """Forget the candidate lists, lattice rows and follower lists made since the restorer
        loaded, as a new worker has only those made at load (benchmarks time the cold start so)."""
        self.channel.clear_caches()
        self.decoder.clear_caches()
        self.followers.clear_caches()

    def restore_counted(self, text: str, form: str | None = None) -> tuple[str, int]:
        """``(restored text, number of words changed)``."""
        form = form or input_form(text)
        if form in ("clean", "empty"):
            return text, 0
        changed = 0
        lines = text.split("\n")
        out: list[str] = []
        block: list[str] = []
        for line in lines:
            if len(line) > self.LONG_LINE:   # (text whose line breaks were lost: memory stays bounded)
                if block:
                    restored, n = self._restore_block(block, form)
                    out.extend(restored)
                    changed += n
                    block = []
                line, n = self._restore_long_line(line, form)
                out.append(line)
                changed += n
                continue
            blank = not line.strip()
            # (tesseract vie's errors are valid syllables with the wrong marks: no line of it is clean)
            damaged = not blank and (form == "ocr_vie" or not is_clean_line(line))
            if blank and block and len(block) < self.MAX_BLOCK_LINES:
                block.append(line)  # a blank line is layout (text extracted double-spaced): context goes on
                continue
            if block and (not damaged or len(block) == self.MAX_BLOCK_LINES):
                restored, n = self._restore_block(block, form)
                out.extend(restored)
                changed += n
                block = []
            if damaged:
                block.append(line)
            else:
                out.append(line)
        if block:
            restored, n = self._restore_block(block, form)
            out.extend(restored)
            changed += n
        return "\n".join(out), changed

    # ------------------------------------------------------------------------------ internals
    def _restore_long_line(self, line: str, form: str) -> tuple[str, int]:
        """A line of over ``LONG_LINE`` characters restored a piece at a time, each piece ending
        after a space (the context lost at a cut is one word's), so that what a line costs does not
        grow with it: a megabyte with no line break is ordinary in text pasted from a web page."""
        pieces, changed, start = [], 0, 0
        while start < len(line):
            end = start + self.LONG_LINE
            if end < len(line):
                space = line.rfind(" ", start + self.LONG_LINE // 2, end)
                end = space + 1 if space >= 0 else end
            piece = line[start:end]
            if piece.strip() and (form == "ocr_vie" or not is_clean_line(piece)):
                restored, n = self._restore_block([piece], form)
                piece, changed = restored[0], changed + n
            pieces.append(piece)
            start = end
        return "".join(pieces), changed

    def _restore_block(self, lines: list[str], form: str) -> tuple[list[str], int]:
        tokens_per_line = []
        for line in lines:
            tokens = tokenize(line, form, self.channel)
            prefer_names(tokens)
            tokens = joined(unglued(tokens, form, self.channel, self.decoder), form, self.channel, self.decoder)
            tokens_per_line.append(tokens)
        stream = [t for tokens in tokens_per_line for t in tokens if not t.dust]
        self.followers.complete(stream, self.decoder)
        decoded = iter(self.decoder.decode(stream))
        choices = [None if t.dust else next(decoded) for tokens in tokens_per_line for t in tokens]
        result, k, changed = [], 0, 0
        for line, tokens in zip(lines, tokens_per_line):
            pieces, last = [], 0
            caps_line = case.caps_line(line)
            for token in tokens:
                choice = choices[k]
                k += 1
                as_written = not token.spelled and (choice is None or choice == token.text.lower())
                if as_written and not token.spaced and not token.joined:
                    continue   # (read as written: VietGAP stays VietGAP)
                pieces.append(line[last:token.start])
                if token.spaced:
                    pieces.append(" ")   # the space OCR lost between two words (31thang, dichtruyén)
                    changed += 1
                replacement = (token.text if as_written
                               else case.written(token, choice, line, caps_line, form, self._never_titled))
                changed += replacement != token.text or token.joined
                pieces.append(replacement)
                last = token.end
            pieces.append(line[last:])
            result.append("".join(pieces))
        return result, changed


def _channel_pairs(data, name: str) -> list[tuple[str, str, int]]:
    """A channel table of the model file, ``(syllable, OCR'd token, count)``; none if it has none."""
    if f"{name}_count" not in data.files:
        return []
    return list(zip(str(data[f"{name}_clean"]).split("\n"), str(data[f"{name}_noisy"]).split("\n"),
                    data[f"{name}_count"].tolist()))


def model_path() -> Path:
    return Path(str(resources.files("dictionaries").joinpath(DEFAULT_MODEL)))


@lru_cache(maxsize=2)
def load(path: str | None = None) -> Restorer:
    """The restorer for ``path`` (default: the model shipped in ``dictionaries/``), loaded once per process."""
    return Restorer(path)


def proper_name(name: str) -> str:
    """A name quoted from the text, in proper Vietnamese: restored unless it already is. Extractors
    use it so that a title or an agency outside the gazetteer is written properly even in text that
    was not restored (``Luat Ngan sach nha nudc`` -> ``Luật Ngân sách nhà nước``)."""
    if input_form(name, ocr=True) in ("clean", "empty"):
        return name
    return load().restore(" ".join(name.split()))


def page_form(method: str, form: str) -> str:
    """How a page is restored: a page tesseract vie read in this run with the vie channel
    (``ocr_vie``: its errors are valid syllables with the wrong marks, so no line of it is taken
    as clean), any other page by the document's input form."""
    return "ocr_vie" if method == "ocr" else form


def restore_stage(doc):
    """Pipeline stage: restore each page of ``doc.text`` by its form; page spans follow, the count
    and each page's form go in quality."""
    form = doc.quality.get("input_form")
    forms = [page_form(page.method, form) for page in doc.pages] or [form]
    doc.quality["page_forms"] = forms
    if doc.quality.get("language") == "other" or all(f in ("clean", "empty") for f in forms):
        doc.quality["restored_tokens"] = 0   # and the model is not even loaded (a batch of clean PDFs)
        return doc
    restorer = load()
    parts, spans, changed, previous_end = [], [], 0, 0
    for (start, end), form_of_page in zip(doc.page_spans or [(0, len(doc.text))], forms):
        parts.append(doc.text[previous_end:start])      # what lies between pages, as it is
        text, n = restorer.restore_counted(doc.text[start:end], form_of_page)
        offset = sum(map(len, parts))
        spans.append((offset, offset + len(text)))
        parts.append(text)
        changed += n
        previous_end = end
    parts.append(doc.text[previous_end:])
    new_text = "".join(parts)
    doc.restored = changed_words(doc.text, new_text)
    doc.rewrite_text(new_text)
    doc.page_spans = spans
    doc.quality["restored_tokens"] = changed
    return doc


def changed_words(old: str, new: str) -> list[tuple[int, int, str, str]]:
    """(start, end, original, restored) of each word restoration changed, spans into ``new``;
    restoration keeps the line structure, so lines are compared pairwise."""
    out: list[tuple[int, int, str, str]] = []
    offset = 0
    for a, b in zip(old.split("\n"), new.split("\n")):
        if a != b:
            old_words = [m.group(0) for m in re.finditer(r"\S+", a)]
            new_matches = list(re.finditer(r"\S+", b))
            new_words = [m.group(0) for m in new_matches]
            for op in Levenshtein.opcodes(old_words, new_words):
                if op.tag == "equal" or op.dest_start == op.dest_end:
                    continue
                first, last = new_matches[op.dest_start], new_matches[op.dest_end - 1]
                out.append((offset + first.start(), offset + last.end(),
                            " ".join(old_words[op.src_start:op.src_end]), b[first.start():last.end()]))
        offset += len(b) + 1
    return out
