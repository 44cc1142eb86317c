"""The channel: which syllables a written token may have been, each with a log10 weight.

For stripped text, every syllable with the token's diacritic-free skeleton (``hoach`` -> ``hoạch``,
``hoách``...). For OCR'd text also the syllables tesseract was seen to turn into this very token
(``ciia`` -> ``của``, ``s6`` -> ``số``, ``Pang`` -> ``Đảng``: a table learned from rendered corpus
text by ``scripts/ocr_pairs.py``), the skeletons reached by undoing the OCR confusions of
``pipeline.ocr_damage``, and the syllables one or two edits away. For tesseract vie's output the
word as read, what a second learned table saw vie write it for, and its skeleton's other readings.
Candidates are pruned by their prior (channel x unigram); which of them fits is the decoder's business.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dictionaries.places import places
from pipeline.ocr_damage import (
    A_VOWEL_READ_AS, D_READ_AS, HORN, HORN_IT, OCR_GLYPHS, confusion_variants,
)
from pipeline.vntext import fold, has_diacritics, ocr_key, skey, syllables, tone_placement

Candidates = tuple[tuple[str, float], ...]   # (lowercase syllable, channel log10 weight), best prior first

OCR_FORMS = ("ocr_noisy", "mixed")   # input forms read with the OCR channel; "stripped" without
_VOWELS = set("aeiouyăâêôơưđ")
_DIGRAPH_ONSET = re.compile(r"ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr")


def _offer(scores: dict[str, float], syllable: str, logp: float) -> None:
    """Keep ``syllable``'s best channel weight: every way of reading a token offers its own."""
    if logp > scores.get(syllable, -99.0):
        scores[syllable] = logp


@lru_cache(maxsize=1)
def place_syllables() -> frozenset[str]:
    """The syllables of place names that are no Vietnamese syllable by the inventory's rules:
    names in the languages of the Central Highlands and the north (``Đắk Lắk``, ``Krông Búk``,
    ``Ea H'leo``), which the address data spells and plans name often."""
    inventory = syllables()
    return frozenset(s for name in places().values() for s in name.lower().split()
                     if s.isalpha() and s not in inventory and tone_placement(s) not in inventory)


class Channel:
    """Candidates for a token, by mode: ``stripped`` (diacritics lost, nothing else) or ``ocr``.

    ``pairs`` is the learned OCR table, ``(syllable, token tesseract wrote, count)``; ``unigrams``
    the language model's log10 P of each word it knows (the prior candidates are pruned by)."""

    # weights (log10), tuned on the held-out OCR'd corpus text, not on the seeds
    SKELETON = math.log10(0.5)      # an OCR token that folds to the syllable's skeleton
    VARIANT = math.log10(0.05)      # ... or only after undoing an OCR confusion (ii -> u, 6 -> o)
    CHANNEL_PRIOR = 10              # pseudo-count that keeps a rarely seen syllable's OCR table modest
    EDIT = -1.9                     # ... or only after that many edits, per edit
    OCR_IN_STRIPPED = -1.5          # stripped text that also carries OCR damage (seed 000)
    FOREIGN = -1.0                  # a foreign word the model knows, as written (held-out tuned: -2..0 within 0.02%)
    UNSEEN = -7.0                   # log10 P of a syllable the model has never seen
    BEAM = 4.0                      # candidates pruned by prior: log10 below the best one's
    WIDE = 24                       # candidates kept by the prior, before the neighbours narrow them
    WIDE_GLYPH = 64                 # ... for a word with an OCR glyph (t¢), which could be any vowel
    NEAR_KEYS = 12                  # skeletons an edit or two away looked at (held-out: 24 -> 12 costs nothing)
    NEAR_READINGS = 8               # readings taken from each skeleton an edit or two away (held-out tuned)
    VIE_MARKS = -2.0                # tesseract vie: a valid syllable read as another with its skeleton
    VIE_SKELETON = -0.5             # ... an invalid one (marks no syllable has) read as one with its skeleton
    PRELOADED = 3000                # OCR'd forms whose candidates are made at load
    CACHED = 200_000                # candidate lists kept

    def __init__(self, pairs: list[tuple[str, str, int]], unigrams: dict[str, float],
                 vie_pairs: list[tuple[str, str, int]] = ()):
        self.unigrams = unigrams
        self.ocr, totals, written = self._table(pairs)
        self.vie = self._table(vie_pairs)[0]
        # every syllable, in the tone-placement convention normalisation uses (hòa, thủy), likeliest first
        words = {tone_placement(w) for w in syllables()} | {w for w in unigrams if w in syllables()}
        words |= place_syllables() & unigrams.keys()
        self.words = words
        self.skeleton: dict[str, list[str]] = defaultdict(list)
        # ties broken by the word itself: the order must not depend on the process's hash seed
        ranked = sorted(words, key=lambda w: (-self.unigram(w), w))
        for word in ranked:
            self.skeleton[fold(word)].append(word)
        self._skeleton_lines = "\n".join(self.skeleton)
        # each skeleton's readings with how familiar OCR is with them, for the inner loops
        familiar = {c: min(math.log10(n + 1), 0.5) for c, n in totals.items()}
        self._readings = {key: [(w, familiar.get(w, 0.0)) for w in readings]
                          for key, readings in self.skeleton.items()}
        self._keys_by_initial: dict[str, list[str]] = defaultdict(list)
        for key in self.skeleton:
            self._keys_by_initial[key[:1]].append(key)
        # the ten commonest known syllables by first letter, and apart those whose onset is that one
        # letter: th- and tr- words fill the first list for "t", leaving out tự (Độc lập - T do - Hạnh phúc)
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        self._by_onset: dict[str, list[str]] = defaultdict(list)
        for word in (w for w in ranked if w in unigrams):
            lists = [self._by_initial] if _DIGRAPH_ONSET.match(word) else [self._by_initial, self._by_onset]
            for by_letter in lists:
                if len(by_letter[word[0]]) < 10:
                    by_letter[word[0]].append(word)
        # the commonest OCR'd forms (cac, ciia, thuc, hién) get their candidates at load, not in a
        # worker's first document: most of that document's words are among them
        self._common_forms = sorted(written, key=lambda n: (-written[n], n))[:self.PRELOADED]
        self.candidates = lru_cache(maxsize=self.CACHED)(self._candidates)
        self.garbled = lru_cache(maxsize=self.CACHED)(self._garbled)
        self.preload()

    def read(self, word: str, form: str) -> Candidates:
        """The candidates of ``word`` (lowercase) in text of input form ``form``."""
        return self.candidates(word, "vie" if form == "ocr_vie" else "ocr" if form in OCR_FORMS else "stripped")

    @classmethod
    def _table(cls, pairs) -> tuple[dict[str, list[tuple[str, float]]], dict[str, int], dict[str, int]]:
        """OCR'd token -> [(syllable, P(token | syllable))] for the pairs seen twice or more; and how
        often each syllable was seen, and each token written."""
        totals: dict[str, int] = defaultdict(int)
        written: dict[str, int] = defaultdict(int)
        for c, n, k in pairs:
            totals[c] += k
            written[n] += k
        table: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for c, n, k in pairs:
            if c != n and k >= 2:
                table[n].append((c, k / (totals[c] + cls.CHANNEL_PRIOR)))
        return table, totals, written

    def unigram(self, word: str) -> float:
        """log10 P(word); a syllable the model has never seen counts as rarer than any it has."""
        p = self.unigrams.get(word)
        return p if p is not None else self.UNSEEN

    def preload(self) -> None:
        for form in self._common_forms:
            self.candidates(form, "ocr")

    def clear_caches(self) -> None:
        """Forget the candidate lists made since load, as a new worker has only those made at load."""
        self.candidates.cache_clear()
        self.garbled.cache_clear()
        self.preload()

    def _garbled(self, word: str) -> bool:
        """No syllable the corpus writes, nor a word it writes, as it stands (``st``, ``ngw``, ``moén``)."""
        return (len(word) <= 7 and word.isalnum() and word not in self.unigrams
                and not any(w in self.unigrams for w in self.skeleton.get(fold(word), ())))

    def _candidates(self, word: str, mode: str) -> Candidates:
        scores: dict[str, float] = {}
        if mode == "vie":
            return self._vie_candidates(word)
        if HORN.search(word):
            return self._horned(word)
        marked = has_diacritics(word)
        if mode == "stripped" and not marked:
            for syllable in self.skeleton.get(word, ()):
                _offer(scores, syllable, 0.0)
            ocr_weight = self.OCR_IN_STRIPPED
        elif mode == "stripped" and word in syllables():
            return ()  # a word that carries its marks in stripped text was typed that way
        else:
            ocr_weight = 0.0
        if any(c in OCR_GLYPHS for c in word):
            return self._glyph_candidates(word, mode, ocr_weight)
        for syllable, p in self.ocr.get(word, ()):
            _offer(scores, syllable, math.log10(p) + ocr_weight)
        key = ocr_key(word)
        variants = [(skey(word), self.SKELETON), (key, self.VARIANT)]
        variants += [(variant, self.VARIANT) for variant in confusion_variants(key)]
        a_vowel = word.translate(A_VOWEL_READ_AS)
        if a_vowel != word:
            variants += [(skey(a_vowel), self.VARIANT), (ocr_key(a_vowel), self.VARIANT)]   # (béng: bang, not dang)
        if len(word) > 1 and word[0] in D_READ_AS and (word[0] == "p" or fold(word) not in self.skeleton):
            # Đ read as P ("Pang", "Pai"); as B only where the word is no syllable as it stands
            variants.append(("d" + key[1:], self.VARIANT))
        for variant, weight in variants:
            for syllable, familiar in self._readings.get(variant, ()):
                if weight == self.VARIANT and variant[0] == "d" and word[:1] in D_READ_AS and syllable[0] != "đ":
                    continue
                _offer(scores, syllable, weight - familiar + ocr_weight)
        if word in syllables() and mode == "ocr":
            _offer(scores, word, 0.0)
        elif mode == "ocr" and word.isascii() and word.isalpha() and word in self.unigrams:
            # a foreign word, a unit or a letter the legal corpus writes (video, kg, điểm b): it may
            # stand as written
            _offer(scores, word, self.FOREIGN)
        if word.isalpha() and len(word) == 1 and word not in _VOWELS:
            # a lone consonant is a syllable OCR cut short ("Kế hoạch s 270" for "số"): the commonest
            # syllables that start with it
            for syllable in self._by_initial.get(word, []) + self._by_onset.get(word, []):
                _offer(scores, syllable, self.EDIT + ocr_weight)
        elif mode == "ocr" and 2 <= len(word) <= 7 and word.isalnum() and not any(
                w in self.unigrams for w in self.skeleton.get(fold(word), ())):
            self._near(word, key, scores, ocr_weight)
        return self.pruned(scores, keep=word)

    def _vie_candidates(self, word: str) -> Candidates:
        """tesseract -l vie reads the letters and loses or mistakes the marks (``phâm``, ``kiem``,
        ``giảm`` for phẩm, kiểm, giám): the word as written, the syllables the vie table saw it
        written for, and every syllable with its skeleton, at a cost the decoder must overcome."""
        scores: dict[str, float] = {}
        valid = word in syllables()
        if valid:
            scores[word] = 0.0
        for syllable, p in self.vie.get(word, ()):
            _offer(scores, syllable, math.log10(p))
        other = self.VIE_MARKS if valid else self.VIE_SKELETON
        for syllable, _ in self._readings.get(fold(word), ()):
            _offer(scores, syllable, other)
        if not scores and word.isalpha() and not valid and word not in self.unigrams:
            return self._candidates(word, "ocr")   # (letters lost too: read as the eng channel reads)
        return self.pruned(scores, keep=word)

    def _glyph_candidates(self, word: str, mode: str, ocr_weight: float) -> Candidates:
        """A word with an OCR glyph (``t¢``): the glyph could be any vowel cluster, so every syllable
        that fits, nothing else; after a vowel it may also be a stray mark over it (``Ké&``)."""
        scores: dict[str, float] = {}
        folded = fold(word)
        pattern = re.compile("^" + "".join(
            ("[aeiouy]{0,3}" if i and folded[i - 1] in "aeiouy" else "[aeiouy]{1,3}") if c in OCR_GLYPHS
            else re.escape(c) for i, c in enumerate(folded)) + "$", re.M)
        for key in pattern.findall(self._skeleton_lines):   # one scan of all keys, in their order
            for syllable in self.skeleton[key][:6]:
                _offer(scores, syllable, self.VARIANT + ocr_weight)
        if not scores and all(c not in OCR_GLYPHS or word[i - 1:i].isalpha() or word[i + 1:i + 2].isalpha()
                              for i, c in enumerate(word)):
            # no syllable fits (ngu¢di, du¢gc: the letters around the glyph are damaged too): the
            # word without it, as the channel reads that (ngudi is người)
            return self._candidates("".join(c for c in word if c not in OCR_GLYPHS), mode)
        return self.pruned(scores, self.WIDE_GLYPH)  # the neighbours choose: "Y t¢" is "Y tế"

    def _near(self, word: str, key: str, scores: dict[str, float], ocr_weight: float) -> None:
        """A word that is no syllable as it stands (or none the corpus writes: "moén" spells only
        "moen") also gets the syllables one or two edits away: the learned table may know only some
        of what it was ("phd" is "phủ" there, and "phố" here)."""
        limit = 1 if len(key) <= 3 else 2
        # (among skeletons with the same first letter: OCR damage to it is undone by the keys above;
        # but for Đ read as P or B, which is looked for among the đ- syllables too: "Pdng thoi" is
        # "Đồng thời")
        searches = [(key, None, 0.0)] + ([("d" + key[1:], "đ", self.VARIANT)] if key[0] in D_READ_AS else [])
        # (a reading whose prior falls below the best one's by the beam would be pruned: not offered)
        unigrams, unseen = self.unigrams, self.UNSEEN
        floor = max((p + unigrams.get(c, unseen) for c, p in scores.items()), default=-99.0) - self.BEAM
        for query, onset, cost in searches:
            for near, distance, _ in process.extract(query, self._keys_by_initial.get(query[:1], ()),
                                                     scorer=Levenshtein.distance, score_cutoff=limit,
                                                     limit=self.NEAR_KEYS):
                if distance == 0 and query == key:
                    continue   # (the key itself: its readings were offered as a variant)
                base = self.EDIT * distance + cost + ocr_weight
                for syllable, familiar in self._readings[near][:self.NEAR_READINGS]:
                    p = base - familiar
                    prior = p + unigrams.get(syllable, unseen)
                    if prior >= floor and (onset is None or syllable[0] == onset) and p > scores.get(syllable, -99.0):
                        scores[syllable] = p
                        floor = max(floor, prior - self.BEAM)

    def _horned(self, word: str) -> Candidates:
        """A word with an apostrophe for a horn: the readings of the word without it, those with ư or ơ
        first (``thu'c`` -> thực, thức; ``chi’c`` -> chức)."""
        plain = HORN.sub("", HORN_IT.sub("u", word))
        if HORN_IT.search(word):
            plain = HORN.sub("", word) + " " + plain  # (i' may also be i with a stray mark: both are tried)
        scores: dict[str, float] = {}
        for reading in plain.split():
            for syllable, p in self._candidates(reading, "ocr"):
                p += 0.0 if "ư" in syllable or "ơ" in syllable else self.EDIT
                _offer(scores, syllable, p)
        return self.pruned(scores)

    def pruned(self, scores: dict[str, float], limit: int | None = None, keep: str | None = None) -> Candidates:
        """The candidates whose prior (channel x unigram) is within reach of the best one's; ``keep``
        (the word as written, when it is a syllable: "bé" in "bé trai") stays whatever its prior."""
        if not scores:
            return ()
        unigrams, unseen = self.unigrams, self.UNSEEN
        ranked = sorted([(-p - unigrams.get(c, unseen), c) for c, p in scores.items()])   # (-prior, syllable)
        floor = ranked[0][0] + self.BEAM
        limit = limit or self.WIDE
        kept = [c for negative, c in ranked[:limit] if negative <= floor]
        if keep in scores and keep not in kept:
            kept = kept[:limit - 1] + [keep]
        return tuple((c, scores[c]) for c in kept)
