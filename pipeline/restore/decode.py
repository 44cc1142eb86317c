"""The lattice and its decoding: which candidate of each token the trigram model reads best.

Each token keeps its candidates (up to ``Channel.WIDE``), narrowed to ``MAX_CANDIDATES`` by how well
they fit the likeliest neighbours on each side; then exact second-order Viterbi over a block of
tokens, the trigram scores looked up in a few vectorised numpy calls on the model's hash tables.
"""

from __future__ import annotations

import numpy as np

from pipeline.restore.channel import Candidates, Channel
from pipeline.restore.lm import BOS, EOS, NUM, LanguageModel, MixedBigrams
from pipeline.restore.tokens import Token

IMPOSSIBLE = -1e9


class Decoder:
    MAX_CANDIDATES = 8              # candidates per token decoded (narrowed from the channel's WIDE)
    NEIGHBOURS = 4                  # ... by their fit with this many of each neighbour's likeliest
    WINDOW = 2000                   # tokens decoded at once (a block of 40 long lines is decoded in windows)
    WINDOW_CONTEXT = 20             # ... each window but the first decoded with this many tokens before it
    NEWS_WEIGHT = 0.1               # share of the news bigram model: the most that costs nothing on held-out text
    CACHED_ROWS = 200_000           # lattice rows kept

    def __init__(self, lm: LanguageModel, channel: Channel):
        self.lm = lm
        self.channel = channel
        self.bigram = MixedBigrams(lm, self.NEWS_WEIGHT)
        self._rows: dict[Candidates, tuple[np.ndarray, np.ndarray]] = {}
        self._unk_penalty = channel.UNSEEN - float(lm.unigram[lm.unk])
        self._bos, self._eos, self._num = (lm.ids[t] for t in (BOS, EOS, NUM))

    def clear_caches(self) -> None:
        self._rows.clear()

    def fixed_id(self, token: Token) -> int:
        """The model's id of a token read as it stands: a number is <num>."""
        return self._num if token.text[0].isdigit() else self.lm.id(token.text.lower())

    def best_id(self, token: Token | None) -> int | None:
        """The id of ``token``'s likeliest reading by channel and unigram; None past the line's end."""
        if token is None:
            return None
        if token.candidates:
            return self.lm.id(max(token.candidates, key=lambda c: c[1] + self.channel.unigram(c[0]))[0])
        return self.fixed_id(token)

    def fit(self, slots: list[Candidates], context: list[int | None]) -> float:
        """The best channel + bigram score of a reading of ``slots`` (one or two tokens' candidates)
        between the ids ``context`` (before, after; None where the line ends)."""
        before, after = context
        scores, ids = None, None
        for slot in slots:
            here = np.array([self.lm.id(c) for c, _ in slot])
            chan = np.array([p for _, p in slot])
            if ids is None:
                scores = chan + (self.bigram(np.full(len(here), before), here)[1] if before is not None else 0.0)
            else:
                pair = self.bigram(np.repeat(ids, len(here)), np.tile(here, len(ids)))[1].reshape(len(ids), len(here))
                scores = (scores[:, None] + pair).max(axis=0) + chan
            ids = here
        if after is not None:
            scores = scores + self.bigram(ids, np.full(len(ids), after))[1]
        return float(scores.max())

    def decode(self, tokens: list[Token]) -> list[str | None]:
        """Each token's chosen syllable (None: a fixed token), over windows of ``WINDOW`` tokens (a
        40-line block is one; a line of a megabyte is hundreds): the lattice of a window is megabytes,
        of the whole line gigabytes. Each window after the first is decoded with the tokens just
        before it as context, and their choices kept from the window that decoded them as its own."""
        size, context = self.WINDOW, self.WINDOW_CONTEXT
        if len(tokens) <= size:
            return self._viterbi(tokens)
        choices: list[str | None] = []
        for start in range(0, len(tokens), size):
            before = min(start, context)
            choices.extend(self._viterbi(tokens[start - before:start + size])[before:])
        return choices

    def _viterbi(self, tokens: list[Token]) -> list[str | None]:
        """Exact second-order Viterbi (a state is the last two choices) over a lattice of
        ``MAX_CANDIDATES`` per position (narrowed from the channel's), scored in a few numpy calls."""
        if not any(len(t.candidates) > 1 or (t.candidates and t.candidates[0][0] != t.text.lower())
                   for t in tokens):
            return [None] * len(tokens)
        width = self.MAX_CANDIDATES
        wide = max(width, max(len(t.candidates) for t in tokens))
        ids, chan = self._lattice(tokens, wide)
        columns = self._narrow(ids, chan)
        ids, chan = np.take_along_axis(ids, columns, axis=1), np.take_along_axis(chan, columns, axis=1)
        lp = self._trigram_scores(ids, chan)
        score = np.full((width, width), IMPOSSIBLE)   # over (choice at t-1, choice at t)
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

    def _lattice(self, tokens: list[Token], width: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, channel scores), shaped (positions, width): two <s> rows, the tokens, </s>; a fixed
        token in column 0; columns a token has no candidate for are padding, scored impossible."""
        lm = self.lm
        ids = np.full((len(tokens) + 3, width), lm.unk, dtype=np.int64)
        chan = np.full((len(tokens) + 3, width), IMPOSSIBLE)
        ids[:2, 0], ids[-1, 0] = self._bos, self._eos
        chan[:2, 0] = chan[-1, 0] = 0.0
        for row, t in enumerate(tokens, start=2):
            if t.candidates:
                row_ids, row_chan = self._row(t.candidates)
                n = min(width, len(row_ids))
                ids[row, :n], chan[row, :n] = row_ids[:n], row_chan[:n]
            else:
                ids[row, 0] = self.fixed_id(t)
                chan[row, 0] = 0.0
        return ids, chan

    def _row(self, candidates: Candidates) -> tuple[np.ndarray, np.ndarray]:
        """Model ids and channel scores of one candidate list (cached: the lists come from a cache;
        keyed by content, so the lists a token's neighbours or a place name re-weight share rows)."""
        row = self._rows.get(candidates)
        if row is None:
            known = [self.lm.ids.get(syllable) for syllable, _ in candidates]
            # an unseen syllable is scored as <unk> plus what separates <unk> from a rare syllable
            row = (np.array([self.lm.unk if i is None else i for i in known], dtype=np.int64),
                   np.array([p + (self._unk_penalty if i is None else 0.0) for (_, p), i in zip(candidates, known)]))
            if len(self._rows) > self.CACHED_ROWS:
                self._rows.clear()
            self._rows[candidates] = row
        return row

    def _narrow(self, ids: np.ndarray, chan: np.ndarray) -> np.ndarray:
        """Which ``MAX_CANDIDATES`` columns of the wide lattice to decode, per row: a token's best
        candidates by channel and bigram fit with the likeliest neighbours on each side. The prior
        alone would drop ``phố`` for ``phd`` (rarer than ``phù``), which after ``thành`` is the only reading."""
        width, k = self.MAX_CANDIDATES, self.NEIGHBOURS
        real = chan > IMPOSSIBLE / 2
        columns = np.broadcast_to(np.arange(width), (len(ids), width)).copy()
        rows = np.nonzero(real[:, width:].any(axis=1))[0]
        if not len(rows):
            return columns
        here, real_here = ids[rows][:, None, :], real[rows][:, None, :]
        # P(c | p) for the previous token's k likeliest candidates p; P(n | c) for the next one's
        # (only real candidates are looked up: one glyph word widens the whole block's lattice)
        left = self._bigram_where(real[rows - 1, :k, None] & real_here, ids[rows - 1, :k, None], here)[1]
        right = self._bigram_where(real_here & real[rows + 1, :k, None], here, ids[rows + 1, :k, None])[1]
        fit = np.where(real[rows], chan[rows] + left.max(axis=1) + right.max(axis=1), IMPOSSIBLE)
        columns[rows] = np.sort(np.argsort(-fit, axis=1, kind="stable")[:, :width], axis=1)
        return columns

    def _bigram_where(self, mask: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``bigram`` of ``b`` and ``c`` broadcast to ``mask``'s shape, looked up only where ``mask``
        holds; (False, impossible) elsewhere. The bigram is the legal-code one mixed with the news
        one, where the model has it: "bé trai", rare in the legal code, is common in news."""
        found, logp = np.zeros(mask.shape, bool), np.full(mask.shape, IMPOSSIBLE, np.float32)
        found[mask], logp[mask] = self.bigram(np.broadcast_to(b, mask.shape)[mask], np.broadcast_to(c, mask.shape)[mask])
        return found, logp

    def _trigram_scores(self, ids: np.ndarray, chan: np.ndarray) -> np.ndarray:
        """log10 P(c | a b) for every position t >= 2 and every (a, b, c) of the candidates at t-2,
        t-1, t, shaped (positions, a, b, c). Stored trigrams are looked up only where both their
        context and their bigram are stored."""
        lm = self.lm
        a, b, c = ids[:-2], ids[1:-1], ids[2:]
        real = chan > IMPOSSIBLE / 2                   # padding is never looked up
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
