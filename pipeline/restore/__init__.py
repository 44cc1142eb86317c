"""Diacritic restoration and OCR post-correction: a noisy channel decoded with a trigram model.

For each word the *channel* proposes syllables it may have been: every syllable with the same
diacritic-free skeleton (``hoach`` -> ``hoạch``, ``hoách``...), and, for OCR-damaged text, the
syllables that tesseract was seen to turn into this very token (``ciia`` -> ``của``, ``s6`` ->
``số``, ``Pang`` -> ``Đảng``), learned from rendered corpus text (``scripts/ocr_pairs.py``). The
trigram model (``lm.py``) scores the sequences and a Viterbi search picks the best one.

What is not a damaged word is never touched: numbers, document symbols (``149-KL/TW``), URLs,
e-mail addresses, words with no Vietnamese reading (``Zalo``, ``G6PD``), and lines that are
already clean. Line breaks are kept, so a restored text has the lines of its input; case is kept.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dictionaries.agencies import ABBREVIATIONS
from dictionaries.places import UNITS, places
from pipeline.restore.lm import BOS, EOS, NUM, LanguageModel, MixedBigrams
from pipeline.vntext import (
    SYLLABLE_SHAPE, WORD, fold, has_diacritics, input_form, ocr_key, skey, syllables, tone_placement,
)

DEFAULT_MODEL = "restore.npz"

# Spans that are never words to restore.
_PROTECTED = re.compile(
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                 # URL, e-mail
    r"|(?=[^\W_]*[A-ZĐ\d])[^\W_]+(?:\s?[-/]\s?[^\W_]+)*/[^\W_]+(?:-[^\W_]+)*"  # symbols with a slash:
                                          # 149-KL/TW (not xa/phuong/thi tran, nor thi tran/09 huyen)
    r"|[^\W_]*\d[^\W_]*(?:-[^\W_]+)+"                                     # KH-2025, 16-KH
    r"|\b[A-ZĐ]{1,6}(?:-[A-ZĐ][A-Za-zĐđ]{0,6})+\b"                        # KH-UBND, QĐ-TTg
    r"|^\s*(?:[IVXLC1l|]{1,6}|[a-zđ])(?=\s?[.)])"                         # outline labels: II. a) I1.
    r"|(?<![^\W\d_])(?<![^\W\d_] )[a-zA-ZđĐ]{1,2}(?=\))"   # ... behind OCR dust: 7 . rb) (not Sở Y te))
    r"|(?<=khóa )[IVXLC]+\b|(?<=khoá )[IVXLC]+\b|(?<=khoa )[IVXLC]+\b"    # khóa XII
    r"|(?<=%)o\b",                                                         # ‰ read as %o
    re.M)
# every span _PROTECTED finds but an outline label holds one of these: lines without any skip it (it is slow)
_PROTECTED_HINT = re.compile(r"[/@)%-]|www\.|kho", re.I)
_OUTLINE_LABEL = re.compile(r"\s*(?:[IVXLC1l|]{1,6}|[a-zđ])(?=\s?[.)])")
_IMPOSSIBLE = -1e9
_DIGRAPH_ONSET = re.compile(r"ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr")
_ROMAN_OCR = re.compile(r"(?=\S*[IVX])[IVX1]*1[IVX1]*")   # I1, I11, XI1 (not 11)
_VOWELS = set("aeiouyăâêôơưđ")
_GLYPH_IN_WORD = re.compile(r"[^\W\d_][¢€§©®¥&@]|[¢€§©®¥&][^\W\d_]")
# Acronyms whose Đ OCR or an unaccented keyboard lost; they have no Vietnamese reading, so the
# channel never proposes them: QD-TTg, HDND, KHHGD.
ACRONYMS = {a.replace("Đ", "D"): a for a in ("QĐ", "NĐ", "HĐND", "KHHGĐ", "BCĐ", "GDĐT", "BGDĐT", "SGDĐT")}
# tesseract -l eng also reads that Đ as P, B, PD or BD, and the Q of QĐ as O or 0 (seed 002: 3898/QP-UBND,
# 0D-UBND, KHHGPD, KHHGBD); only for the acronyms where no other reading is plausible (not GDPT, NB)
ACRONYMS |= {q + a[len(q):].replace("Đ", d): a for a in ("QĐ", "HĐND", "KHHGĐ", "BCĐ")
             for d in ("D", "P", "B", "PD", "BD") for q in ({"Q", "O", "0"} if a[0] == "Q" else {""})}
# abbreviations plans use that have the shape of a syllable (BYT, SYT, TYT): never restored when in capitals
KNOWN_ACRONYMS = frozenset(ABBREVIATIONS)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+(?![^\W_])"
                    r"|[^\W_¢€§©®¥]+(?:(?:[¢€§©®¥&@](?![¢€§©®¥&@])|(?<=[uoitUOIT])['’](?=[^\W\d_]))[^\W_]*)*"
                    r"|[¢€§©®¥][^\W_]+|[^\w\s]")
# tesseract -l eng writes the horn of ư and ơ as an apostrophe after the vowel, and ư also as i' or
# t' (thu'c, nu’éc, chi’c, cht’c: hundreds in the OCR'd training pairs): inside a word, a horn
_HORN = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")
_HORN_IT = re.compile(r"(?<=[^\W\d_])[it]['’](?=[^\W\d_])")
# What tesseract -l eng writes for a Vietnamese vowel it cannot read ("S¢" for "Sở", "hi€u" for
# "hiệu"): inside a word, a wildcard for a vowel cluster.
OCR_GLYPHS = "¢€§©®¥&@"
_NUMBER_THEN_WORD = re.compile(r"^(\d{2,}|[02-9])([^\W\d_]{3,})$")  # 31thang: OCR lost the space (not 1anh: an l)
_CAPITAL_LOOKALIKES = set("CKOSUVWXZ")
_DUST = set("'’‘`}{|~^")   # marks OCR glues to a word, which mean nothing there
_NUMBER_UNIT = re.compile(r"\d+(?:[kmc]?g|[kcmd]?m[23]?|ml|ha|kwh?)", re.I)   # 100g, 5kg, 20ml, 30m2
# a Roman numeral after the word that numbers with one (Chương V, hạng I, Mục Ill: OCR's l for I)
_ROMAN_AFTER = re.compile(r"[IVX][IVXl1]*")
_NUMBERED_BY_ROMAN = {"chuong", "muc", "phan", "hang", "loai", "phu luc", "khoa"}


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    candidates: tuple[tuple[str, float], ...]  # (lowercase syllable, channel log10 prob); () = fixed
    spelled: str = ""                          # how it is written when it is not a syllable (QĐ, II)
    garbled: bool = False                      # OCR'd beyond any syllable the corpus writes (st, Grng, nhittng)
    dust: bool = False                         # a mark OCR left on a word (thuc ’hién): no context for the model
    spaced: bool = False                       # a word OCR glued to the one before (31thang): a space goes before it


class Restorer:
    """Load once, then ``restore(text)``. ``form`` forces the channel: ``stripped`` or ``ocr_noisy``."""

    # channel weights (log10), tuned on the held-out OCR'd corpus text, not on the seeds
    SKELETON = math.log10(0.5)      # an OCR token that folds to the syllable's skeleton
    VARIANT = math.log10(0.05)      # ... or only after undoing an OCR confusion (ii -> u, 6 -> o)
    CHANNEL_PRIOR = 10              # pseudo-count that keeps a rarely seen syllable's OCR table modest
    EDIT = -1.9                     # ... or only after that many edits, per edit
    OCR_IN_STRIPPED = -1.5          # stripped text that also carries OCR damage (seed 000)
    BEAM, MAX_CANDIDATES = 4.0, 8   # candidate pruning, log10 prior below the best / count decoded
    WIDE = 24                       # candidates kept by the prior, before the neighbours narrow them
    WIDE_GLYPH = 64                 # ... for a word with an OCR glyph (t¢), which could be any vowel
    NEAR_KEYS = 12                  # skeletons an edit or two away looked at (held-out: 24 -> 12 costs nothing)
    NEAR_READINGS = 8               # readings taken from each skeleton an edit or two away (held-out tuned)
    NEIGHBOURS = 4                  # ... by their fit with this many of each neighbour's likeliest
    MAX_BLOCK_LINES = 40            # lines decoded together (context carries across line breaks)
    LONG_LINE = 20_000              # characters: a longer line is restored in pieces cut at spaces
    WINDOW = 2000                   # tokens decoded at once (a block of 40 long lines is decoded in windows)
    WINDOW_CONTEXT = 20             # ... each window but the first decoded with this many tokens before it
    UNSEEN = -7.0                   # log10 P of a syllable the model has never seen
    FOREIGN = -1.0                  # a foreign word the model knows, as written (held-out tuned: -2..0 within 0.02%)
    NEWS_WEIGHT = 0.1               # share of the news bigram model: the most that costs nothing on held-out text
    TITLED_RATE = 0.002             # a syllable capitalised mid-sentence no more often than this, never is
    SPLIT_MARGIN = 1.5              # two glued words must fit their neighbours this much better than one
    SPLIT_WHOLE = -1.91             # ... and the whole be read no better than this (not an edit from a syllable)
    PRELOADED = 3000                # OCR'd forms whose candidates are made at load
    FOLLOWERS = 50                  # a garbled word's left neighbour's likeliest followers, looked among ...
    FOLLOWER_EDITS = (1, 2)         # ... that many edits away (key of up to 3 letters / longer)

    def __init__(self, path: Path | str | None = None):
        path = Path(path) if path else model_path()
        with np.load(path) as data:
            self.lm = LanguageModel.from_npz(data)
            if "channel_count" in data.files:
                clean = str(data["channel_clean"]).split("\n")
                noisy = str(data["channel_noisy"]).split("\n")
                counts = data["channel_count"].tolist()
            else:
                clean, noisy, counts = [], [], []
            # syllables the corpus never (or next to never) capitalises mid-sentence: của, ứng, áp
            self._never_titled = frozenset(
                w for w, t, n in zip(self.lm.vocab, data["case_titled"].tolist(), data["case_lowered"].tolist())
                if t <= self.TITLED_RATE * (t + n) and t + n >= 20) if "case_titled" in data.files else frozenset()
        self.lm.index()
        self._bigrams = MixedBigrams(self.lm, self.NEWS_WEIGHT)
        _place_names()   # (read from underthesea's address file once, when the restorer loads)
        self.path = path
        self._rows: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._unigrams = dict(zip(self.lm.vocab, self.lm.unigram.tolist()))
        self._unk_penalty = self.UNSEEN - float(self.lm.unigram[self.lm.unk])
        self._bos, self._eos, self._num = (self.lm.ids[t] for t in (BOS, EOS, NUM))
        totals: dict[str, int] = defaultdict(int)
        written: dict[str, int] = defaultdict(int)   # how often tesseract wrote each OCR'd form
        for c, n, k in zip(clean, noisy, counts):
            totals[c] += k
            written[n] += k
        self.ocr: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for c, n, k in zip(clean, noisy, counts):
            if c != n and k >= 2:
                self.ocr[n].append((c, k / (totals[c] + self.CHANNEL_PRIOR)))
        # every syllable, in the tone-placement convention normalisation uses (hòa, thủy), likeliest first
        words = {tone_placement(w) for w in syllables()} | {w for w in self.lm.vocab if w in syllables()}
        self.skeleton: dict[str, list[str]] = defaultdict(list)
        # ties broken by the word itself: the order must not depend on the process's hash seed
        ranked = sorted(words, key=lambda w: (-self._unigram(w), w))
        for word in ranked:
            self.skeleton[fold(word)].append(word)
        self._followers: dict[int, tuple[list[str], list[str]]] = {}
        self._vocab_folded = [fold(w) if w in words else None for w in self.lm.vocab]   # (None: no syllable)
        self._successor_starts, self._successor_ids = self.lm.successors(self.FOLLOWERS)
        self._skeleton_keys = list(self.skeleton)
        self._skeleton_lines = "\n".join(self._skeleton_keys)
        # each skeleton's readings with how familiar OCR is with them, for the channel's inner loops
        familiar = {c: min(math.log10(n + 1), 0.5) for c, n in totals.items()}
        self._readings = {key: [(w, familiar.get(w, 0.0)) for w in readings]
                          for key, readings in self.skeleton.items()}
        self._keys_by_initial: dict[str, list[str]] = defaultdict(list)
        for key in self._skeleton_keys:
            self._keys_by_initial[key[:1]].append(key)
        # the ten commonest known syllables by first letter, and apart those whose onset is that one
        # letter: th- and tr- words fill the first list for "t", leaving out tự (Độc lập - T do - Hạnh phúc)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        self._by_onset: dict[str, list[str]] = defaultdict(list)
        for word in (w for w in ranked if w in self.lm.ids):
            lists = [self._by_initial] if _DIGRAPH_ONSET.match(word) else [self._by_initial, self._by_onset]
            for by_letter in lists:
                if len(by_letter[word[0]]) < 10:
                    by_letter[word[0]].append(word)
        # the commonest OCR'd forms (cac, ciia, thuc, hién) get their candidates now, not in a
        # worker's first document: most of that document's words are among them
        self._common_forms = sorted(written, key=lambda n: (-written[n], n))[:self.PRELOADED]
        self._preload()

    def _unigram(self, word: str) -> float:
        """log10 P(word); a syllable the model has never seen counts as rarer than any it has."""
        p = self._unigrams.get(word)
        return p if p is not None else self.UNSEEN

    # ------------------------------------------------------------------------------ public API
    def restore(self, text: str, form: str | None = None) -> str:
        """The text with diacritics restored and OCR confusions undone; same lines, same case."""
        return self.restore_counted(text, form)[0]

    def clear_caches(self) -> None:
        """Forget the candidate lists, lattice rows and follower lists made since the restorer
        loaded, as a new worker has only those made at load (benchmarks time the cold start so)."""
        _cached_candidates.cache_clear()
        _cached_garbled.cache_clear()
        self._rows.clear()
        self._followers.clear()
        self._preload()

    def _preload(self) -> None:
        for form in self._common_forms:
            _cached_candidates(self, form, "ocr")

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
            damaged = not blank and not _is_clean_line(line)
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
            if piece.strip() and not _is_clean_line(piece):
                restored, n = self._restore_block([piece], form)
                piece, changed = restored[0], changed + n
            pieces.append(piece)
            start = end
        return "".join(pieces), changed

    def _restore_block(self, lines: list[str], form: str) -> tuple[list[str], int]:
        tokens_per_line = [self._unglued(self._tokens(line, form), form) for line in lines]
        stream = [t for tokens in tokens_per_line for t in tokens if not t.dust]
        self._complete_from_context(stream)
        decoded = iter(self._decode_windows(stream))
        choices = [None if t.dust else next(decoded) for tokens in tokens_per_line for t in tokens]
        result, k, changed = [], 0, 0
        for line, tokens in zip(lines, tokens_per_line):
            pieces, last = [], 0
            letters = [c for c in line if c.isalpha()]
            caps_line = sum(c.isupper() for c in letters) >= 0.5 * len(letters)
            for token in tokens:
                choice = choices[k]
                k += 1
                as_written = not token.spelled and (choice is None or choice == token.text.lower())
                if as_written and not token.spaced:
                    continue   # (read as written: VietGAP stays VietGAP)
                pieces.append(line[last:token.start])
                if token.spaced:
                    pieces.append(" ")   # the space OCR lost between two words (31thang, dichtruyén)
                    changed += 1
                replacement = token.text if as_written else self._written(token, choice, line, caps_line, form)
                changed += replacement != token.text
                pieces.append(replacement)
                last = token.end
            pieces.append(line[last:])
            result.append("".join(pieces))
        return result, changed

    def _unglued(self, tokens: list[_Token], form: str) -> list[_Token]:
        """Each garbled word that is two words OCR glued together (``dichtruyén``, ``hiénKé``) as two
        tokens, the second after a space: where two halves the channel reads well fit the
        neighbours, by the bigram model, better than any reading of the whole."""
        out = []
        for i, token in enumerate(tokens):
            text, start = token.text, token.start
            unread = (len(text) > 7 and text.isalpha() and text.lower() not in self.lm.ids   # (too long for one)
                      or len(text) >= 4 and any(c in OCR_GLYPHS for c in text[1:]) and _capital_inside(text))  # hanhK¢
            cut = self._glue_cut(token, tokens[i - 1] if i else None, tokens[i + 1] if i + 1 < len(tokens) else None,
                                 form) if (token.garbled and len(text) >= 4 or unread) and form != "stripped" else None
            if cut is None:
                out.append(token)
                continue
            out.append(_Token(start, start + cut, text[:cut], self._candidates(text[:cut].lower(), form)))
            out.append(_Token(start + cut, token.end, text[cut:], self._candidates(text[cut:].lower(), form),
                              spaced=True))
        return out

    def _glue_cut(self, token: _Token, before: _Token | None, after: _Token | None, form: str) -> int | None:
        word = token.text
        if not all(c.isalnum() or c in OCR_GLYPHS for c in word) or not word[0].isalpha():
            return None
        if not _capital_inside(word) and max((p for _, p in token.candidates), default=-99) > self.SPLIT_WHOLE:
            return None   # (nor where a reading of the whole is an edit away: Didu is Điều, not Đi dự)
        glyph = any(c in OCR_GLYPHS for c in word)   # (cut only where a capital marks it: ngu¢di is one word)
        cuts = []
        for i in range(1, len(word)):
            capital = word[i].isupper() and word[:i].islower() and i >= 2
            if not capital and (glyph or i < 2 or len(word) - i < 2):
                continue
            halves = []
            for half in (word[:i], word[i:]):
                readings = self._candidates(half.lower(), form) if len(half) <= 7 else ()
                if not readings or max(p for _, p in readings) <= self.EDIT:
                    break   # (a half read only by edits is no word either)
                halves.append(readings)
            else:
                cuts.append((i, halves))
        if not cuts:
            return None
        context = [self._best_id(t) for t in (before, after)]
        best = self._fit([token.candidates], context) if token.candidates else -99.0
        best, cut = best + self.SPLIT_MARGIN, None
        for i, halves in cuts:
            fit = self._fit(halves, context)
            if fit > best:
                best, cut = fit, i
        return cut

    def _best_id(self, token: _Token | None) -> int | None:
        """The id of ``token``'s likeliest reading by channel and unigram; None past the line's end."""
        if token is None:
            return None
        if token.candidates:
            return self.lm.id(max(token.candidates, key=lambda c: c[1] + self._unigram(c[0]))[0])
        return self._fixed_id(token)

    def _fixed_id(self, token: _Token) -> int:
        """The model's id of a token read as it stands: a number is <num>."""
        return self._num if token.text[0].isdigit() else self.lm.id(token.text.lower())

    def _fit(self, slots: list[tuple[tuple[str, float], ...]], context: list[int | None]) -> float:
        """The best channel + bigram score of a reading of ``slots`` (one or two tokens' candidates)
        between the ids ``context`` (before, after; None where the line ends)."""
        before, after = context
        scores, ids = None, None
        for slot in slots:
            here = np.array([self.lm.id(c) for c, _ in slot])
            chan = np.array([p for _, p in slot])
            if ids is None:
                scores = chan + (self._bigram(np.full(len(here), before), here)[1] if before is not None else 0.0)
            else:
                pair = self._bigram(np.repeat(ids, len(here)), np.tile(here, len(ids)))[1].reshape(len(ids), len(here))
                scores = (scores[:, None] + pair).max(axis=0) + chan
            ids = here
        if after is not None:
            scores = scores + self._bigram(ids, np.full(len(ids), after))[1]
        return float(scores.max())

    def _written(self, token: _Token, choice: str, line: str, caps_line: bool, form: str) -> str:
        """How the syllable chosen for ``token`` is written: its spelling, in the token's case, but
        for capitals that are OCR damage."""
        if token.spelled:
            return token.spelled
        original = token.text
        if (original[0] in "GI" and choice[0] != original[0].lower()
                and line[:token.start].rstrip()[-1:].isalpha()):
            original = original.lower()  # G read for a vowel, I for l, mid-sentence: the capital is damage
        elif (form != "stripped" and not caps_line and original[1:].islower() and choice in self._never_titled
              and (original[0] in _CAPITAL_LOOKALIKES or fold(choice[0]) != choice[0])
              and _after_small_word(line, token.start)):
            # đáp Ung, người Khuyet tật: a capital the corpus never writes there, of a letter whose
            # capital looks like it or of a marked vowel (not Tâm in Pháp y Tâm thần)
            original = original.lower()
        return _with_case(choice, original, caps_line)

    def _complete_from_context(self, tokens: list[_Token]) -> None:
        """A garbled word also gets the syllables an edit or two from it that most often follow its
        left neighbour in the corpus: ``chia theo Grng loại`` -> từng (the channel's own edit search
        looks among skeletons with the word's first letter, and finds gông)."""
        for before, token in zip(tokens, tokens[1:]):
            if not token.garbled:
                continue
            if before.candidates:
                context = [self.lm.id(c) for c, _ in before.candidates[:2]]
            else:
                context = [self._fixed_id(before)]
            key = ocr_key(token.text.lower())
            limit = self.FOLLOWER_EDITS[len(key) > 3]
            scores = dict(token.candidates)
            for b in context:
                syllables_, folded = self._likely_followers(b)
                for _, distance, i in process.extract(key, folded, scorer=Levenshtein.distance,
                                                      score_cutoff=limit, limit=None):
                    if self.EDIT * distance > scores.get(syllables_[i], -99.0):
                        scores[syllables_[i]] = self.EDIT * distance
            if len(scores) > len(token.candidates):
                token.candidates = self._pruned(scores)

    def _likely_followers(self, b: int) -> tuple[list[str], list[str]]:
        """The syllables most often after ``b``, and their diacritic-free keys."""
        followers = self._followers.get(b)
        if followers is None:
            starts = self._successor_starts
            ids = [i for i in self._successor_ids[starts[b]:starts[b + 1]].tolist() if self._vocab_folded[i]]
            followers = self._followers[b] = ([self.lm.vocab[i] for i in ids], [self._vocab_folded[i] for i in ids])
        return followers

    def _tokens(self, line: str, form: str) -> list[_Token]:
        if _PROTECTED_HINT.search(line):
            protected = [m.span() for m in _PROTECTED.finditer(line)]
        else:
            label = _OUTLINE_LABEL.match(line)
            protected = [label.span()] if label else []
        tokens = []
        for start, end, word in _split_tokens(line):
            if word.islower() and word.isalpha() and not (protected and _inside(protected, start)):
                tokens.append(self._word_token(start, end, word, line, form))   # (most words: none of the below)
                continue
            # (QĐ also when OCR lowered its second letter: 1745/Qb-TTg)
            spelled = ACRONYMS.get(word) or (ACRONYMS.get(word.upper()) if word[:1] == "Q" else None)
            if spelled:
                tokens.append(_Token(start, end, word, ((spelled.lower(), 0.0),), spelled))
                continue
            if (_ROMAN_OCR.fullmatch(word) and not line[:start].strip()
                    or _ROMAN_AFTER.fullmatch(word) and tokens and fold(tokens[-1].text.lower()) in _NUMBERED_BY_ROMAN):
                roman = word.replace("1", "I").replace("l", "I")  # an outline label whose I OCR read as 1: I1. -> II.
                tokens.append(_Token(start, end, word, ((roman.lower(), 0.0),), roman))
                continue
            if _inside(protected, start) or not word[0].isalnum() and not word.isalpha():
                dust = word in _DUST and (line[start - 1:start].isalpha() or line[end:end + 1].isalpha())
                # an apostrophe between two words OCR glued together stands for the space it lost
                # (Chu’ong’trmh: Chương trình); one that is a horn is read with its word (thu'c)
                gap = " " if (word in "'’" and form != "stripped" and line[start - 1:start].isalpha()
                              and line[end:end + 1].isalpha()) else ""
                tokens.append(_Token(start, end, word, (), spelled=gap, dust=dust))
                continue
            split = _NUMBER_THEN_WORD.match(word)
            if split:
                cut = start + len(split.group(1))
                tokens.append(_Token(start, cut, split.group(1), ()))
                tokens.append(_Token(cut, end, split.group(2), self._candidates(split.group(2).lower(), form),
                                     spaced=True))
                continue
            # no letter, no word: digits, or digits with an OCR glyph ("1¥"), are left as they are;
            # capitals that cannot be a syllable are an acronym: UBND, KT, HĐND, BHYT (or a known
            # one that could be read as one: BYT, CT); but not what the OCR'd training pairs show
            # tesseract making of a word in capitals and the corpus never writes (NUGC, THUG, VOL)
            lower = word.lower()
            acronym = len(word) >= 2 and word.isalpha() and word.isupper() and (
                lower in KNOWN_ACRONYMS
                or not SYLLABLE_SHAPE.match(fold(word)) and (lower not in self.ocr or lower in self.lm.ids))
            if acronym or not word.isalpha() and (not any(c.isalpha() for c in word) or _code(word)):
                tokens.append(_Token(start, end, word, ()))
            else:
                tokens.append(self._word_token(start, end, word, line, form))
        _prefer_surnames(tokens)
        _prefer_places(tokens)
        return tokens

    def _word_token(self, start: int, end: int, word: str, line: str, form: str) -> _Token:
        """A word to restore, with its candidates: none for a letter glued to a sign ("T™™.", "K." in
        "KT."), an abbreviation rather than a syllable OCR cut short."""
        if len(word) == 1 and end < len(line) and not line[end].isspace() and line[end] not in ",;)":
            return _Token(start, end, word, ())
        lower = word.lower()
        candidates = self._candidates(lower, form)
        # (garbled, and read by the channel no better than an edit away: dugc and méi have readings)
        garbled = (bool(candidates) and form != "stripped" and _cached_garbled(self, lower)
                   and max(p for _, p in candidates) <= self.EDIT)
        return _Token(start, end, word, candidates, garbled=garbled)

    def _garbled(self, word: str) -> bool:
        """No syllable the corpus writes, nor a word it writes, as it stands (``st``, ``ngw``, ``moén``)."""
        return (len(word) <= 7 and word.isalnum() and word not in self.lm.ids
                and not any(w in self.lm.ids for w in self.skeleton.get(fold(word), ())))

    def _candidates(self, word: str, form: str) -> tuple[tuple[str, float], ...]:
        return _cached_candidates(self, word, "ocr" if form in ("ocr_noisy", "mixed") else "stripped")

    def _channel(self, word: str, mode: str) -> tuple[tuple[str, float], ...]:
        scores: dict[str, float] = {}

        def offer(syllable: str, logp: float) -> None:
            if logp > scores.get(syllable, -99.0):
                scores[syllable] = logp

        if _HORN.search(word):
            return self._horned(word, mode)
        marked = has_diacritics(word)
        if mode == "stripped" and not marked:
            for syllable in self.skeleton.get(word, ()):
                offer(syllable, 0.0)
            ocr_weight = self.OCR_IN_STRIPPED
        elif mode == "stripped" and word in syllables():
            return ()  # a word that carries its marks in stripped text was typed that way
        else:
            ocr_weight = 0.0
        if any(c in OCR_GLYPHS for c in word):
            # the glyph could be any vowel cluster: every syllable that fits, nothing else; after a
            # vowel it may also be a stray mark over it ("Ké& hoach")
            folded = fold(word)
            pattern = re.compile("^" + "".join(
                ("[aeiouy]{0,3}" if i and folded[i - 1] in "aeiouy" else "[aeiouy]{1,3}") if c in OCR_GLYPHS
                else re.escape(c) for i, c in enumerate(folded)) + "$", re.M)
            for key in pattern.findall(self._skeleton_lines):   # one scan of all keys, in their order
                for syllable in self.skeleton[key][:6]:
                    offer(syllable, self.VARIANT + ocr_weight)
            if not scores and all(c not in OCR_GLYPHS or word[i - 1:i].isalpha() or word[i + 1:i + 2].isalpha()
                                  for i, c in enumerate(word)):
                # no syllable fits (ngu¢di, du¢gc: the letters around the glyph are damaged too): the
                # word without it, as the channel reads that (ngudi is người)
                return self._channel("".join(c for c in word if c not in OCR_GLYPHS), mode)
            return self._pruned(scores, self.WIDE_GLYPH)  # the neighbours choose: "Y t¢" is "Y tế"
        for syllable, p in self.ocr.get(word, ()):
            offer(syllable, math.log10(p) + ocr_weight)
        key = ocr_key(word)
        variants = [(skey(word), self.SKELETON), (key, self.VARIANT)]
        variants += [(variant, self.VARIANT) for variant in _confusion_variants(key)]
        if "é" in word or "è" in word:
            # tesseract eng writes é for the a-vowels it cannot read: dén (dân), chét (chất), béng (bằng)
            a_vowel = word.replace("é", "a").replace("è", "a")
            variants += [(skey(a_vowel), self.VARIANT), (ocr_key(a_vowel), self.VARIANT)]   # (béng: bang, not dang)
        if len(word) > 1 and (word[0] == "p" or (word[0] == "b" and fold(word) not in self.skeleton)):
            # Đ read as P ("Pang", "Pai"); as B only where the word is no syllable as it stands
            variants.append(("d" + key[1:], self.VARIANT))
        for variant, weight in variants:
            for syllable, familiar in self._readings.get(variant, ()):
                if weight == self.VARIANT and variant[0] == "d" and word[:1] in "pb" and syllable[0] != "đ":
                    continue
                offer(syllable, weight - familiar + ocr_weight)
        if word in syllables() and mode == "ocr":
            offer(word, 0.0)
        elif mode == "ocr" and word.isascii() and word.isalpha() and word in self.lm.ids:
            # a foreign word, a unit or a letter the legal corpus writes (video, kg, điểm b): it may
            # stand as written
            offer(word, self.FOREIGN)
        if word.isalpha() and len(word) == 1 and word not in _VOWELS:
            # a lone consonant is a syllable OCR cut short ("Kế hoạch s 270" for "số"): the commonest
            # syllables that start with it
            for syllable in self._by_initial.get(word, []) + self._by_onset.get(word, []):
                offer(syllable, self.EDIT + ocr_weight)
        elif mode == "ocr" and 2 <= len(word) <= 7 and word.isalnum() and not any(
                w in self.lm.ids for w in self.skeleton.get(fold(word), ())):
            # no syllable as it stands (or none the corpus writes: "moén" spells only "moen"): also
            # the syllables one or two edits away (the learned table may know only some of what it
            # was: "phd" is "phủ" there, and "phố" here)
            limit = 1 if len(key) <= 3 else 2
            # (among skeletons with the same first letter: OCR damage to it is undone by the keys
            # above; but for Đ read as P or B, which is looked for among the đ- syllables too:
            # "Pdng thoi" is "Đồng thời")
            searches = [(key, None, 0.0)] + ([("d" + key[1:], "đ", self.VARIANT)] if key[0] in "pb" else [])
            # (a reading whose prior falls below the best one's by the beam would be pruned: not offered)
            unigrams, unseen = self._unigrams, self.UNSEEN
            floor = max((p + unigrams.get(c, unseen) for c, p in scores.items()), default=-99.0) - self.BEAM
            for query, onset, cost in searches:
                for near, distance, _ in process.extract(query, self._keys_by_initial.get(query[:1], ()),
                                                         scorer=Levenshtein.distance, score_cutoff=limit, limit=self.NEAR_KEYS):
                    if distance == 0 and query == key:
                        continue   # (the key itself: its readings were offered above, as a variant)
                    base = self.EDIT * distance + cost + ocr_weight
                    for syllable, familiar in self._readings[near][:self.NEAR_READINGS]:
                        p = base - familiar
                        prior = p + unigrams.get(syllable, unseen)
                        if prior >= floor and (onset is None or syllable[0] == onset) and p > scores.get(syllable, -99.0):
                            scores[syllable] = p
                            floor = max(floor, prior - self.BEAM)
        return self._pruned(scores, keep=word)

    def _horned(self, word: str, mode: str) -> tuple[tuple[str, float], ...]:
        """A word with an apostrophe for a horn: the readings of the word without it, those with ư or ơ
        first (``thu'c`` -> thực, thức; ``chi’c`` -> chức)."""
        plain = _HORN.sub("", _HORN_IT.sub("u", word))
        if _HORN_IT.search(word):
            plain = _HORN.sub("", word) + " " + plain  # (i' may also be i with a stray mark: both are tried)
        scores: dict[str, float] = {}
        for reading in plain.split():
            for syllable, p in self._channel(reading, "ocr"):
                p += 0.0 if "ư" in syllable or "ơ" in syllable else self.EDIT
                if p > scores.get(syllable, -99.0):
                    scores[syllable] = p
        return self._pruned(scores)

    def _pruned(self, scores: dict[str, float], limit: int | None = None,
                keep: str | None = None) -> tuple[tuple[str, float], ...]:
        """The candidates whose prior (channel x unigram) is within reach of the best one's; ``keep``
        (the word as written, when it is a syllable: "bé" in "bé trai") stays whatever its prior."""
        if not scores:
            return ()
        unigrams, unseen = self._unigrams, self.UNSEEN
        ranked = sorted([(-p - unigrams.get(c, unseen), c) for c, p in scores.items()])   # (-prior, syllable)
        floor = ranked[0][0] + self.BEAM
        limit = limit or self.WIDE
        kept = [c for negative, c in ranked[:limit] if negative <= floor]
        if keep in scores and keep not in kept:
            kept = kept[:limit - 1] + [keep]
        return tuple((c, scores[c]) for c in kept)

    def _lattice(self, tokens: list[_Token], width: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, channel scores), shaped (positions, width): two <s> rows, the tokens, </s>; a fixed
        token in column 0; columns a token has no candidate for are padding, scored impossible."""
        lm = self.lm
        ids = np.full((len(tokens) + 3, width), lm.unk, dtype=np.int64)
        chan = np.full((len(tokens) + 3, width), _IMPOSSIBLE)
        ids[:2, 0], ids[-1, 0] = self._bos, self._eos
        chan[:2, 0] = chan[-1, 0] = 0.0
        for row, t in enumerate(tokens, start=2):
            if t.candidates:
                row_ids, row_chan = self._row(t.candidates)
                n = min(width, len(row_ids))
                ids[row, :n], chan[row, :n] = row_ids[:n], row_chan[:n]
            else:
                ids[row, 0] = self._fixed_id(t)
                chan[row, 0] = 0.0
        return ids, chan

    def _row(self, candidates: tuple[tuple[str, float], ...]) -> tuple[np.ndarray, np.ndarray]:
        """Model ids and channel scores of one candidate list (cached: the lists come from a cache;
        keyed by content, so the lists a token's neighbours or a place name re-weight share rows)."""
        row = self._rows.get(candidates)
        if row is None:
            known = [self.lm.ids.get(syllable) for syllable, _ in candidates]
            # an unseen syllable is scored as <unk> plus what separates <unk> from a rare syllable
            row = (np.array([self.lm.unk if i is None else i for i in known], dtype=np.int64),
                   np.array([p + (self._unk_penalty if i is None else 0.0) for (_, p), i in zip(candidates, known)]))
            if len(self._rows) > 200_000:
                self._rows.clear()
            self._rows[candidates] = row
        return row

    def _narrow(self, ids: np.ndarray, chan: np.ndarray) -> np.ndarray:
        """Which ``MAX_CANDIDATES`` columns of the wide lattice to decode, per row: a token's best
        candidates by channel and bigram fit with the likeliest neighbours on each side. The prior
        alone would drop ``phố`` for ``phd`` (rarer than ``phù``), which after ``thành`` is the only reading."""
        width, k = self.MAX_CANDIDATES, self.NEIGHBOURS
        real = chan > _IMPOSSIBLE / 2
        columns = np.broadcast_to(np.arange(width), (len(ids), width)).copy()
        rows = np.nonzero(real[:, width:].any(axis=1))[0]
        if not len(rows):
            return columns
        here, real_here = ids[rows][:, None, :], real[rows][:, None, :]
        # P(c | p) for the previous token's k likeliest candidates p; P(n | c) for the next one's
        # (only real candidates are looked up: one glyph word widens the whole block's lattice)
        left = self._bigram_where(real[rows - 1, :k, None] & real_here, ids[rows - 1, :k, None], here)[1]
        right = self._bigram_where(real_here & real[rows + 1, :k, None], here, ids[rows + 1, :k, None])[1]
        fit = np.where(real[rows], chan[rows] + left.max(axis=1) + right.max(axis=1), _IMPOSSIBLE)
        columns[rows] = np.sort(np.argsort(-fit, axis=1, kind="stable")[:, :width], axis=1)
        return columns

    def _bigram(self, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stored, log10 P(c | b)): the legal-code bigram mixed with the news one, where the model
        has it: "bé trai", rare in the legal code, is common in news."""
        return self._bigrams(b, c)

    def _bigram_where(self, mask: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``_bigram`` of ``b`` and ``c`` broadcast to ``mask``'s shape, looked up only where ``mask``
        holds; (False, impossible) elsewhere."""
        found, logp = np.zeros(mask.shape, bool), np.full(mask.shape, _IMPOSSIBLE, np.float32)
        found[mask], logp[mask] = self._bigram(np.broadcast_to(b, mask.shape)[mask], np.broadcast_to(c, mask.shape)[mask])
        return found, logp

    def _decode_windows(self, tokens: list[_Token]) -> list[str | None]:
        """``_decode`` over windows of ``WINDOW`` tokens (a 40-line block is one; a line of a megabyte
        is hundreds): the lattice of a window is megabytes, of the whole line gigabytes. Each window
        after the first is decoded with the tokens just before it as context, and their choices kept
        from the window that decoded them as its own."""
        size, context = self.WINDOW, self.WINDOW_CONTEXT
        if len(tokens) <= size:
            return self._decode(tokens)
        choices: list[str | None] = []
        for start in range(0, len(tokens), size):
            before = min(start, context)
            choices.extend(self._decode(tokens[start - before:start + size])[before:])
        return choices

    def _decode(self, tokens: list[_Token]) -> list[str | None]:
        """Exact second-order Viterbi (a state is the last two choices) over a lattice of
        ``MAX_CANDIDATES`` per position (narrowed from ``WIDE``), scored in a few numpy calls."""
        if not any(len(t.candidates) > 1 or (t.candidates and t.candidates[0][0] != t.text.lower())
                   for t in tokens):
            return [None] * len(tokens)
        width = self.MAX_CANDIDATES
        wide = max(width, max(len(t.candidates) for t in tokens))
        ids, chan = self._lattice(tokens, wide)
        columns = self._narrow(ids, chan)
        ids, chan = np.take_along_axis(ids, columns, axis=1), np.take_along_axis(chan, columns, axis=1)
        lp = self._trigram_scores(ids, chan)
        score = np.full((width, width), _IMPOSSIBLE)   # over (choice at t-1, choice at t)
        score[0, 0] = 0.0
        backs = []
        for t in range(2, len(ids)):
            total = score[:, :, None] + lp[t - 2]      # (i, j, k)
            backs.append(total.argmax(axis=0))         # best i for (j, k)
            score = total.max(axis=0) + chan[t][None, :]
        j, k = np.unravel_index(int(score.argmax()), score.shape)
        path = [int(k), int(j)]                        # choices at the last position, then the one before
        for best in reversed(backs):
            path.append(int(best[path[-1], path[-2]]))
        path.reverse()
        return [t.candidates[columns[row, i]][0] if t.candidates else None
                for row, (t, i) in enumerate(zip(tokens, path[2:-1]), start=2)]

    def _trigram_scores(self, ids: np.ndarray, chan: np.ndarray) -> np.ndarray:
        """log10 P(c | a b) for every position t >= 2 and every (a, b, c) of the candidates at t-2,
        t-1, t, shaped (positions, a, b, c). Stored trigrams are looked up only where both their
        context and their bigram are stored."""
        lm = self.lm
        a, b, c = ids[:-2], ids[1:-1], ids[2:]
        real = chan > _IMPOSSIBLE / 2                  # padding is never looked up
        ab = real[:-2, :, None] & real[1:-1, None, :]
        bc = real[1:-1, :, None] & real[2:, None, :]
        ctx_found = np.zeros(ab.shape, bool)
        backoff = np.zeros(ab.shape, np.float32)   # (float32 throughout: the model's values are float16)
        ctx_found[ab], backoff[ab] = lm.context(np.broadcast_to(a[:, :, None], ab.shape)[ab],
                                                np.broadcast_to(b[:, None, :], ab.shape)[ab])
        # (where a trigram is stored it is used as it is; elsewhere the mixed bigram, backed off to)
        bi_found, bigram = self._bigram_where(bc, b[:, :, None], c[:, None, :])
        lp = backoff[:, :, :, None] + bigram[:, None, :, :]
        pos, ia, ib, ic = np.nonzero(ctx_found[:, :, :, None] & bi_found[:, None, :, :])
        if len(pos):
            found, p3 = lm.trigram((a[pos, ia] * lm.size + b[pos, ib]) * lm.size + c[pos, ic])
            lp[pos[found], ia[found], ib[found], ic[found]] = p3[found]
        return lp


@lru_cache(maxsize=200_000)
def _cached_garbled(restorer: Restorer, word: str) -> bool:
    return restorer._garbled(word)


@lru_cache(maxsize=200_000)
def _cached_candidates(restorer: Restorer, word: str, mode: str) -> tuple[tuple[str, float], ...]:
    return restorer._channel(word, mode)


# The commonest Vietnamese family names: a capitalised word before another capitalised word is
# likelier a name (``Vo Van Minh`` -> ``Võ Văn Minh``, not ``Vợ Văn Minh``) than the language model knows.
SURNAMES = {"nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ",
            "ngô", "dương", "lý", "đào", "đoàn", "vương", "trịnh", "trương", "lâm", "phùng", "mai", "tô",
            "tạ", "lương", "đinh", "cao", "châu", "thái", "lưu", "kiều", "quách", "chu", "triệu", "văn", "thị"}
_SURNAME_BONUS = 2.0


def _prefer_surnames(tokens: list[_Token]) -> None:
    for token, following in zip(tokens, tokens[1:]):
        if (len(token.candidates) > 1 and token.text[:1].isupper() and token.text[1:].islower()
                and following.text[:1].isupper() and following.text[1:].islower()):
            token.candidates = tuple((c, p + _SURNAME_BONUS if c in SURNAMES else p) for c, p in token.candidates)


@lru_cache(maxsize=1)
def _place_names() -> dict[str, list[str]]:
    """Folded place name of two or three syllables -> its syllables: ``binh duong`` -> [bình, dương]."""
    return {key: name.lower().split() for key, name in places().items()
            if 2 <= len(name.split()) <= 3 and " " in key and name[0].isupper()}


def _prefer_places(tokens: list[_Token]) -> None:
    """Capitalised words that spell a province, district or ward (underthesea's address data) are
    likelier that place than the language model knows: ``tinh Binh Duong`` -> ``Bình Dương``."""
    names = _place_names()
    titled = [t.text[:1].isupper() and t.text[1:].islower() and t.text.isalpha() for t in tokens]
    i = 0
    while i < len(tokens) - 1:
        spelled = next((names[key] for n in (3, 2) if i + n <= len(tokens) and all(titled[i:i + n])
                        and (key := " ".join(fold(t.text.lower()) for t in tokens[i:i + n])) in names), None)
        if spelled:
            unit = UNITS.get(fold(tokens[i - 1].text.lower())) if i else None
            if unit and " " not in unit:   # and the unit word before it: tinh -> tỉnh, xa -> xã
                _prefer(tokens[i - 1], unit)
            for token, syllable in zip(tokens[i:], spelled):
                _prefer(token, syllable)
        i += len(spelled) if spelled else 1


def _prefer(token: _Token, syllable: str) -> None:
    if len(token.candidates) > 1:
        token.candidates = tuple((c, p + _SURNAME_BONUS if c == syllable else p) for c, p in token.candidates)


def _split_tokens(line: str):
    """``(start, end, token)``: words made of letters and ASCII digits, every other non-space
    character alone (``¼``, ``²`` and other numeric signs are never part of a word)."""
    for match in _TOKEN.finditer(line):
        token, offset = match.group(0), match.start()
        if (token.isalpha() or token.isascii() and token.isalnum() or all(_wordish(c) for c in _HORN.sub("", token))
                or token[0].isdigit() and token[-1].isdigit()):
            yield offset, match.end(), token
            continue
        run = 0
        for i, c in enumerate(token + " "):
            if i < len(token) and _wordish(c):
                continue
            if i > run:
                yield offset + run, offset + i, token[run:i]
            if i < len(token):
                yield offset + i, offset + i + 1, c
            run = i + 1


# Letters tesseract -l eng reads for a Vietnamese letter it has no model of, inside a word ("lugc"
# for "lược", "thye" for "thực", "phd" for "phố", "chirc" for "chức"), undone on the diacritic-free
# key. Each occurs in the rendered training pairs (build/ocr_pairs_all.tsv, token counts: ud for ươ
# 1,119; é for an a-vowel 161; i for ă/â 106; final y for ụ/ự 100; ai for ơi 12).
_CONFUSIONS = [   # (pattern, replacement, a letter every match holds: most keys skip the regex)
    (re.compile(r"(?<=[a-z])g(?=[a-z])"), "o", "g"),   # ợ read as g
    (re.compile(r"(?<=[a-z]{2})e$"), "c", "e"),         # final c read as e
    (re.compile(r"(?<=[a-z]{2})d$"), "o", "d"),         # ố read as d
    (re.compile(r"(?<=[a-z])(?:ir|tr)(?=[a-z])"), "u", "r"),  # ư read as ir / tr
    (re.compile(r"(?<=[a-z]u)d(?=[a-z])"), "o", "d"),   # ươ read as ud (after ir -> u): tudng, dudc, thirdng
    (re.compile(r"(?<=[a-z])y(?=[a-z]|$)"), "u", "y"),  # ụ, ự read as y: vy, thye
    (re.compile(r"(?<=[a-z])i(?=[a-z])"), "a", "i"),    # ă, â read as i: chim (chăm), vin (vận), siu (sâu)
    (re.compile(r"(?<=[a-z])ai$"), "oi", "a"),          # ơi, ới read as ai: mai (mới), vai (với)
    (re.compile(r"^g(?=[mn]g$|y$|n$)"), "u", "g"),      # ứ, ủ, ổ read as G: Gng (ứng), Gy (Ủy), Gn (ổn)
]


def _confusion_variants(key: str) -> list[str]:
    """Every key reachable by undoing one or more of the confusions (``luge`` -> ``luoe``, ``lugc``,
    ``luoc``)."""
    keys = [key]
    for pattern, repl, letter in _CONFUSIONS:
        for k in [k for k in keys if letter in k]:
            variant = pattern.sub(repl, k, count=1)   # (no match: k itself)
            if variant not in keys:
                keys.append(variant)
    return sorted(keys[1:])


def _code(word: str) -> bool:
    """A number with its unit (``100g``, ``5kg``) or a code with digits in capitals that no syllable
    spells (``CO2``, ``G6PD``, ``H5N1``; but ``S6`` and ``T6NG`` are OCR for SỐ and TỔNG)."""
    if _NUMBER_UNIT.fullmatch(word):
        return True
    if not any(c.isdigit() for c in word) or any(c.islower() for c in word) or sum(c.isalpha() for c in word) < 2:
        return False
    key = ocr_key(word.lower())
    return not (key.isalpha() and SYLLABLE_SHAPE.match(key))


def _capital_inside(word: str) -> bool:
    """A capital after two or more small letters: where OCR glued two words (hanhK, hiénKé)."""
    return any(b.isupper() and a.islower() for a, b in zip(word[1:], word[2:]))


def _after_small_word(line: str, start: int) -> bool:
    """Whether the word at ``start`` follows a word in small letters and one space (mid-sentence)."""
    before = line[:start]
    if not before.endswith(" ") or before.endswith("  "):
        return False
    previous = before[:-1].rsplit(" ", 1)[-1]
    return previous.isalpha() and previous.islower()


def _wordish(c: str) -> bool:
    return c.isalpha() or "0" <= c <= "9" or c in OCR_GLYPHS


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` lies in one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= position < spans[i][1]


def _is_clean_line(line: str) -> bool:
    """A line whose words are all valid syllables and mostly marked was not damaged: leave it. A
    short line needs more marks to count (``Đã ký: Vo Van Minh`` is two-fifths marked, and damaged)."""
    if input_form(line, ocr=True) != "clean" or _GLYPH_IN_WORD.search(line):
        return False
    words = [w for w in WORD.findall(line) if w.isalpha()]
    return len(words) >= 8 or sum(map(has_diacritics, words)) >= 0.6 * len(words)


def _with_case(syllable: str, original: str, caps_line: bool = True) -> str:
    """The case of the original word: ``KE`` -> ``KẾ``, ``PiCH`` -> ``ĐÍCH`` (OCR mixes case), ``Ké`` -> ``Kế``.
    In a line of ordinary case a short word in capitals is a capital letter and a vowel OCR read as
    one (``các SO, ban`` -> ``các Sở, ban``), and so is a word that ends in lowercase (``HGi`` -> ``Hội``)."""
    if sum(c.isupper() for c in original) >= 2 and (caps_line or len(original) > 2 and not original[-1].islower()):
        return syllable.upper()
    if syllable not in syllables() and original[:1].isdigit() and original[1:].isupper():
        return syllable.upper()   # an acronym whose first letter OCR read as a digit: 1T -> TT
    if original[0].isupper():
        return syllable[0].upper() + syllable[1:]
    return syllable


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


def restore_stage(doc):
    """Pipeline stage: restore each page of ``doc.text``; page spans follow, the count goes in quality."""
    form = doc.quality.get("input_form")
    if doc.quality.get("language") == "other" or form in ("clean", "empty"):
        doc.quality["restored_tokens"] = 0   # and the model is not even loaded (a batch of clean PDFs)
        return doc
    restorer = load()
    parts, spans, changed, previous_end = [], [], 0, 0
    for start, end in doc.page_spans or [(0, len(doc.text))]:
        parts.append(doc.text[previous_end:start])      # what lies between pages, as it is
        text, n = restorer.restore_counted(doc.text[start:end], form)
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
