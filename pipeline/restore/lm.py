"""A syllable trigram language model with interpolated modified Kneser-Ney smoothing, stored compactly.

Counting and smoothing are done with numpy over integer keys (``a*V*V + b*V + c``), so building on
the 21 M-syllable legal corpus takes a couple of minutes and no more than a few GB. The model is
kept in backoff form, as an ARPA file would keep it: for each stored n-gram its interpolated log
probability, and for each context its backoff weight. Trigrams seen once are pruned (their
probability falls back to the weighted bigram). Log probabilities are float16.

    lm = LanguageModel.load(path)
    lm.logprob(a_ids, b_ids, c_ids)   # log10 P(c | a b), vectorised
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BOS, EOS, UNK, NUM = "<s>", "</s>", "<unk>", "<num>"
SPECIALS = [BOS, EOS, UNK, NUM]
_LM_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[^\w\s]")
_FLOOR = -7.0  # log10 probability of a token the model has never seen


def lm_tokens(line: str) -> list[str]:
    """The model's tokens of one line: lowercase syllables, ``<num>`` for numbers, punctuation as is."""
    return [NUM if t[0].isdigit() else t.lower() for t in _LM_TOKEN.findall(line)]


@dataclass
class LanguageModel:
    vocab: list[str]
    unigram: np.ndarray      # log10 P(c), per id
    backoff2: np.ndarray     # log10 backoff weight of context b, per id
    keys2: np.ndarray        # sorted b*V + c
    logp2: np.ndarray
    keys3: np.ndarray        # sorted a*V*V + b*V + c
    logp3: np.ndarray
    ctx3: np.ndarray         # sorted a*V + b
    backoff3: np.ndarray
    # a second, general-register bigram model over the same ids (news counts), mixed in by the restorer
    news_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # sorted b*V + c
    news_logp: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float16))
    news_backoff: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # per id
    news_unigram: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # per id

    def __post_init__(self) -> None:
        self.ids = {word: i for i, word in enumerate(self.vocab)}
        self.size = len(self.vocab)
        self.unk = self.ids[UNK]
        self._indexes: dict[str, _HashIndex] = {}

    def index(self) -> None:
        """Hash the trigram tables now rather than on first use (a restorer pays this when it loads;
        it reads bigrams through :class:`MixedBigrams`)."""
        for keys, values in (("keys3", "logp3"), ("ctx3", "backoff3")):
            self._find(keys, values, np.zeros(0, np.int64))

    def _find(self, keys: str, values: str, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, value) of queries in the table ``keys`` -> ``values``, hashed on first use (a model
        being built never pays for it)."""
        index = self._indexes.get(keys)
        if index is None:
            index = self._indexes[keys] = _HashIndex(getattr(self, keys), getattr(self, values))
        return index(queries)

    def id(self, token: str) -> int:
        return self.ids.get(token, self.unk)

    def logprob(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """log10 P(c | a b) for arrays of ids, backing off through the bigram to the unigram."""
        a, b, c = (np.asarray(x, dtype=np.int64) for x in (a, b, c))
        hit3, p3 = self.trigram((a * self.size + b) * self.size + c)
        _, bo3 = self.context(a, b)
        return np.where(hit3, p3, bo3 + self.bigram(b, c)[1])

    def trigram(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stored, log10 P) for trigram keys ``(a*V + b)*V + c``."""
        return self._find("keys3", "logp3", keys)

    def context(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(any trigram stored after ``a b``, log10 backoff weight of ``a b``)."""
        return self._find("ctx3", "backoff3", a * self.size + b)

    def bigram(self, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stored, log10 P(c | b) with backoff to the unigram)."""
        hit, p2 = self._find("keys2", "logp2", b * self.size + c)
        return hit, np.where(hit, p2, self.backoff2[b] + self.unigram[c])

    def successors(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """For every id b, its ``k`` likeliest stored continuations, likeliest first (ties by id):
        ``ids[starts[b]:starts[b + 1]]``. One sort of the bigram table."""
        b = self.keys2 // self.size
        order = np.lexsort((-self.logp2.astype(np.float32), b))   # (stable: ties keep id order)
        b = b[order]
        rank = np.arange(len(order)) - np.searchsorted(b, b)
        keep = rank < k
        return np.searchsorted(b[keep], np.arange(self.size + 1)), self.keys2[order][keep] % self.size

    @property
    def has_news(self) -> bool:
        return len(self.news_unigram) == self.size

    def news(self, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """log10 P_news(c | b), backing off to the news continuation unigram."""
        hit, p = self._find("news_keys", "news_logp", b * self.size + c)
        return np.where(hit, p, self.news_backoff[b] + self.news_unigram[c])

    def arrays(self) -> dict[str, np.ndarray]:
        """What the model file stores (``np.savez_compressed(path, **lm.arrays())``)."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "vocab"}
        return {"vocab": np.array("\n".join(self.vocab)), **fields}

    @classmethod
    def load(cls, path: Path) -> "LanguageModel":
        with np.load(path) as data:
            return cls.from_npz(data)

    @classmethod
    def from_npz(cls, data) -> "LanguageModel":
        """From an open model file; only the model's own arrays are read (the file may hold more)."""
        return cls(vocab=str(data["vocab"]).split("\n"),
                   **{name: data[name] for name in cls.__dataclass_fields__ if name != "vocab" and name in data.files})


class MixedBigrams:
    """log10 of ``(1 - w) P(c | b) + w P_news(c | b)``, the legal-code bigram mixed with the news one,
    as one table: the mixture is computed once, at load, for every pair either model stores; for the
    pairs neither does, both back off to ``backoff[b] * unigram[c]``, mixed from per-id factors
    kept in linear space. ``(stored by either, log10 P)`` per query."""

    def __init__(self, lm: LanguageModel, weight: float):
        self.size = lm.size
        weight = weight if lm.has_news else 0.0
        legal_b, legal_c = (10.0 ** x.astype(np.float64) for x in (lm.backoff2, lm.unigram))
        news_b, news_c = (10.0 ** x.astype(np.float64) for x in (lm.news_backoff, lm.news_unigram))
        # a pair neither model stores: (1 - w) backoff[b] unigram[c] + w news_backoff[b] news_unigram[c]
        self._legal = ((1 - weight) * legal_b, legal_c)
        self._news = (weight * news_b, news_c) if weight else None
        if not weight:
            self._index = _HashIndex(lm.keys2, lm.logp2)
            return
        keys = np.sort(np.concatenate([lm.keys2, lm.news_keys]))
        keys = keys[np.r_[True, keys[1:] != keys[:-1]]]   # (np.union1d takes 70 times as long here)
        b, c = keys // self.size, keys % self.size
        legal = self._stored(lm.keys2, lm.logp2, keys, legal_b[b] * legal_c[c])
        news = self._stored(lm.news_keys, lm.news_logp, keys, news_b[b] * news_c[c])
        self._index = _HashIndex(keys, np.log10((1 - weight) * legal + weight * news))

    @staticmethod
    def _stored(table: np.ndarray, logp: np.ndarray, keys: np.ndarray, backed_off: np.ndarray) -> np.ndarray:
        """P(c | b) of sorted ``keys`` in one model: stored, or ``backed_off``."""
        at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        return np.where(table[at] == keys, 10.0 ** logp[at].astype(np.float64), backed_off)

    def __call__(self, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found, logp = self._index(b * self.size + c)
        miss = np.flatnonzero(~found)
        if len(miss):
            mb, mc = b[miss], c[miss]
            p = self._legal[0][mb] * self._legal[1][mc]
            if self._news:
                p += self._news[0][mb] * self._news[1][mc]
            logp[miss] = np.log10(p)
        return found, logp


class _HashIndex:
    """A read-only hash table over distinct non-negative integer keys (the model's n-gram keys), for
    the decoder's millions of lookups: one or two random reads a query, where a binary search needs
    ~20 (5x faster measured on bigram queries). Linear probing, the table at most half full; the keys are placed in order of
    their home slot, so a slot's position is found with one running maximum instead of a loop of
    insertions. A spare tail instead of wrap-around; -1 (never a key) marks an empty slot."""

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)   # Fibonacci hashing

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        n = len(keys)
        self.bits = max(4, int(np.ceil(np.log2(2 * max(n, 1)))))
        home = self._home(keys)
        order = np.argsort(home)
        rank = np.arange(n)
        # position of the i-th key by home slot: its home, or one past the previous key's position
        position = np.maximum.accumulate(home[order] - rank) + rank if n else rank
        length = max(1 << self.bits, int(position[-1]) + 1 if n else 0) + 1
        self.keys = np.full(length, -1, dtype=np.int64)
        self.values = np.zeros(length, dtype=np.float32)
        self.keys[position], self.values[position] = keys[order], values[order]

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._MULTIPLIER) >> np.uint64(64 - self.bits)).astype(np.intp)

    def __call__(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, value or 0) for each query; results shaped like ``queries``."""
        shape, queries = np.shape(queries), np.ravel(np.asarray(queries, dtype=np.int64))
        slot = self._home(queries)
        seen = self.keys[slot]
        found = seen == queries
        pending = np.flatnonzero(~found & (seen != -1))
        while len(pending):                # the few queries whose home slot holds another key
            slot[pending] += 1
            seen = self.keys[slot[pending]]
            hit = seen == queries[pending]
            found[pending[hit]] = True
            pending = pending[~hit & (seen != -1)]
        return found.reshape(shape), np.where(found, self.values[slot], 0.0).reshape(shape)


# ---------------------------------------------------------------------------------------------- build

def news_bigrams(counts: dict[tuple[int, int], int], v: int) -> dict[str, np.ndarray]:
    """An interpolated Kneser-Ney bigram model from bigram counts over model ids (the news counts
    come as bigrams only): the ``news_*`` arrays of a :class:`LanguageModel` of ``v`` ids."""
    keys = np.array([b * v + c for b, c in counts], dtype=np.int64)
    n = np.array(list(counts.values()), dtype=np.float64)
    order = np.argsort(keys)
    keys, n = keys[order], n[order]
    unigram = _continuation_unigram(keys, v)
    # the counts are published pruned (none below a cut-off), so counts of counts cannot estimate the
    # discounts: the usual constant instead
    p, gamma = _interpolated(keys, n, (0.75, 0.75, 0.75), unigram, v)
    return {"news_keys": keys, "news_logp": np.log10(p).astype(np.float16),
            "news_backoff": np.log10(gamma).astype(np.float32), "news_unigram": np.log10(unigram).astype(np.float32)}


def _continuation_unigram(keys2: np.ndarray, v: int, exclude: int | None = None) -> np.ndarray:
    """P(c) from N1+(. c), the number of distinct bigrams ``keys2`` (b*V + c) ending in c; the floor
    for words that end none (and for ``exclude``)."""
    cont = np.bincount(keys2 % v, minlength=v).astype(np.float64)
    if exclude is not None:
        cont[exclude] = 0
    return np.where(cont > 0, cont / cont.sum(), 10 ** _FLOOR)


def _interpolated(keys2: np.ndarray, counts: np.ndarray, d: tuple[float, float, float], unigram: np.ndarray,
                  v: int) -> tuple[np.ndarray, np.ndarray]:
    """Interpolated Kneser-Ney P(c | b) for the sorted bigram keys, and the backoff weight of every b
    (1 where b has no bigram)."""
    heads, starts, total, mass = _group(keys2 // v, counts, d)
    gamma = np.ones(v)
    gamma[heads] = mass / total
    ctx_total = np.repeat(total, np.diff(np.r_[starts, len(keys2)]))
    return (counts - _discount_of(counts, d)) / ctx_total + gamma[keys2 // v] * unigram[keys2 % v], gamma


def _discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """Modified Kneser-Ney discounts D1, D2, D3+ (Chen & Goodman 1998) from counts of counts."""
    n = [int(np.count_nonzero(counts == k)) for k in (1, 2, 3, 4)]
    y = n[0] / (n[0] + 2 * n[1])
    return tuple(max(0.0, min(k, k - (k + 1) * y * n[k] / n[k - 1])) for k in (1, 2, 3))


def _discount_of(counts: np.ndarray, d: tuple[float, float, float]) -> np.ndarray:
    return np.select([counts == 1, counts == 2], [d[0], d[1]], d[2])


def _group(prefix: np.ndarray, counts: np.ndarray, d: tuple[float, float, float]):
    """For n-grams sorted by key, per distinct prefix: its total count and its backoff mass
    ``sum of discounts`` (which, divided by the total, is the backoff weight)."""
    starts = np.flatnonzero(np.r_[True, prefix[1:] != prefix[:-1]])
    total = np.add.reduceat(counts, starts).astype(np.float64)
    mass = np.add.reduceat(_discount_of(counts, d), starts)
    return prefix[starts], starts, total, mass


def build(sequences: list[np.ndarray], vocab: list[str], min_count3: int = 2) -> LanguageModel:
    """Build from token-id arrays, each a line padded as ``<s> <s> w1 .. wn </s>``."""
    v = len(vocab)
    seq = np.concatenate(sequences).astype(np.int64)
    bos = vocab.index(BOS)
    valid = np.r_[False, False, seq[2:] != bos]
    keys3 = ((seq[:-2] * v + seq[1:-1]) * v + seq[2:])[valid[2:]]
    del seq, valid
    keys3, count3 = np.unique(keys3, return_counts=True)

    # bigram level: continuation counts N1+(. b c) = distinct trigrams ending in (b c)
    suffix = keys3 % (v * v)
    keys2, cont2 = np.unique(suffix, return_counts=True)
    del suffix
    # unigram level: N1+(. c) = distinct bigrams ending in c
    unigram = _continuation_unigram(keys2, v, exclude=bos)
    log_unigram = np.log10(unigram)
    p2, gamma2 = _interpolated(keys2, cont2, _discounts(cont2), unigram, v)

    d3 = _discounts(count3)
    heads3, starts3, total3, mass3 = _group(keys3 // v, count3, d3)
    gamma3 = mass3 / total3
    ctx_total3 = np.repeat(total3, np.diff(np.r_[starts3, len(keys3)]))
    lower = p2[np.searchsorted(keys2, keys3 % (v * v))]
    p3 = (count3 - _discount_of(count3, d3)) / ctx_total3 + np.repeat(gamma3, np.diff(np.r_[starts3, len(keys3)])) * lower

    keep = count3 >= min_count3
    ctx_keep = total3 >= min_count3
    return LanguageModel(
        vocab=vocab, unigram=log_unigram.astype(np.float32), backoff2=np.log10(gamma2).astype(np.float32),
        keys2=keys2, logp2=np.log10(p2).astype(np.float16),
        keys3=keys3[keep], logp3=np.log10(p3[keep]).astype(np.float16),
        ctx3=heads3[ctx_keep], backoff3=np.log10(gamma3[ctx_keep]).astype(np.float16))
