"""What a token's neighbours change about its candidates, before decoding.

- Capitalised words that spell a place in underthesea's address data lean to that place, and the
  unit word before them with it; a capitalised word before another leans to a surname.
- A word garbled beyond any syllable also gets the syllables an edit or two from it that most often
  follow its left neighbour (``theo Grng loại`` -> ``từng``).
- A garbled word that is two words OCR glued together (``dichtruyén``, ``hanhK¢``) becomes two
  tokens, where the halves fit their neighbours clearly better than any reading of the whole.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dictionaries.places import UNITS, places
from pipeline.ocr_damage import OCR_GLYPHS
from pipeline.restore.channel import Channel
from pipeline.restore.decode import Decoder
from pipeline.restore.lm import LanguageModel
from pipeline.restore.tokens import Token, capital_inside
from pipeline.vntext import fold, ocr_key

# The commonest Vietnamese family names: a capitalised word before another capitalised word is
# likelier a name (``Vo Van Minh`` -> ``Võ Văn Minh``, not ``Vợ Văn Minh``) than the language model knows.
SURNAMES = {"nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ", "hồ",
            "ngô", "dương", "lý", "đào", "đoàn", "vương", "trịnh", "trương", "lâm", "phùng", "mai", "tô",
            "tạ", "lương", "đinh", "cao", "châu", "thái", "lưu", "kiều", "quách", "chu", "triệu", "văn", "thị"}
NAME_BONUS = 2.0                    # log10: how much likelier a surname or a place is than the model knows
FOLLOWERS = 50                      # a garbled word's left neighbour's likeliest followers, looked among ...
FOLLOWER_EDITS = (1, 2)             # ... that many edits away (key of up to 3 letters / longer)
SPLIT_MARGIN = 1.5                  # two glued words must fit their neighbours this much better than one
_VOWELS = set("aeiouy")
SPLIT_WHOLE = -1.91                 # ... and the whole be read no better than this (not an edit from a syllable)


def prefer_names(tokens: list[Token]) -> None:
    """Surnames before a name and places in the address data, within one line's tokens."""
    _prefer_surnames(tokens)
    _prefer_places(tokens)


def _prefer_surnames(tokens: list[Token]) -> None:
    for token, following in zip(tokens, tokens[1:]):
        if (len(token.candidates) > 1 and token.text[:1].isupper() and token.text[1:].islower()
                and following.text[:1].isupper() and following.text[1:].islower()):
            token.candidates = tuple((c, p + NAME_BONUS if c in SURNAMES else p) for c, p in token.candidates)


@lru_cache(maxsize=1)
def place_names() -> dict[str, list[str]]:
    """Folded place name of two or three syllables -> its syllables: ``binh duong`` -> [bình, dương]."""
    return {key: name.lower().split() for key, name in places().items()
            if 2 <= len(name.split()) <= 3 and " " in key and name[0].isupper()}


def _prefer_places(tokens: list[Token]) -> None:
    """Capitalised words that spell a province, district or ward are likelier that place than the
    language model knows: ``tinh Binh Duong`` -> ``Bình Dương``."""
    names = place_names()
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


def _prefer(token: Token, syllable: str) -> None:
    if len(token.candidates) > 1:
        token.candidates = tuple((c, p + NAME_BONUS if c == syllable else p) for c, p in token.candidates)


class Followers:
    """For a garbled word, the syllables near it that most often follow its left neighbour."""

    def __init__(self, lm: LanguageModel, channel: Channel):
        self.lm = lm
        self.channel = channel
        self._folded = [fold(w) if w in channel.words else None for w in lm.vocab]   # (None: no syllable)
        self._starts, self._ids = lm.successors(FOLLOWERS)
        self._cache: dict[int, tuple[list[str], list[str]]] = {}

    def clear_caches(self) -> None:
        self._cache.clear()

    def complete(self, tokens: list[Token], decoder: Decoder) -> None:
        """Add to each garbled token the syllables one or two edits from it among its left
        neighbour's likeliest followers: ``chia theo Grng loại`` -> từng (the channel's own edit
        search looks among skeletons with the word's first letter, and finds gông)."""
        edit = self.channel.EDIT
        for before, token in zip(tokens, tokens[1:]):
            if not token.garbled:
                continue
            if before.candidates:
                context = [self.lm.id(c) for c, _ in before.candidates[:2]]
            else:
                context = [decoder.fixed_id(before)]
            key = ocr_key(token.text.lower())
            limit = FOLLOWER_EDITS[len(key) > 3]
            scores = dict(token.candidates)
            for b in context:
                syllables_, folded = self._of(b)
                for _, distance, i in process.extract(key, folded, scorer=Levenshtein.distance,
                                                      score_cutoff=limit, limit=None):
                    if edit * distance > scores.get(syllables_[i], -99.0):
                        scores[syllables_[i]] = edit * distance
            if len(scores) > len(token.candidates):
                token.candidates = self.channel.pruned(scores)

    def _of(self, b: int) -> tuple[list[str], list[str]]:
        """The syllables most often after ``b``, and their diacritic-free keys."""
        followers = self._cache.get(b)
        if followers is None:
            ids = [i for i in self._ids[self._starts[b]:self._starts[b + 1]].tolist() if self._folded[i]]
            followers = self._cache[b] = ([self.lm.vocab[i] for i in ids], [self._folded[i] for i in ids])
        return followers


def unglued(tokens: list[Token], form: str, channel: Channel, decoder: Decoder) -> list[Token]:
    """Each garbled word that is two words OCR glued together (``dichtruyén``, ``hiénKé``) as two
    tokens, the second after a space: where two halves the channel reads well fit the neighbours,
    by the bigram model, better than any reading of the whole."""
    out = []
    for i, token in enumerate(tokens):
        text, start = token.text, token.start
        unread = (len(text) > 7 and text.isalpha() and text.lower() not in channel.unigrams   # (too long for one)
                  or len(text) >= 4 and any(c in OCR_GLYPHS for c in text[1:]) and capital_inside(text))  # hanhK¢
        cut = _glue_cut(token, tokens[i - 1] if i else None, tokens[i + 1] if i + 1 < len(tokens) else None,
                        form, channel, decoder) if (token.garbled and len(text) >= 4 or unread) and form != "stripped" else None
        if cut is None:
            out.append(token)
            continue
        out.append(Token(start, start + cut, text[:cut], channel.read(text[:cut].lower(), form)))
        out.append(Token(start + cut, token.end, text[cut:], channel.read(text[cut:].lower(), form), spaced=True))
    return out


def joined(tokens: list[Token], form: str, channel: Channel, decoder: Decoder) -> list[Token]:
    """Each syllable tesseract vie cut before its vowel (``Nghị quy ết định``, where a mark rises
    over the line) as one token, where the whole fits its neighbours, by the bigram model, clearly
    better than the two pieces do."""
    if form != "ocr_vie":
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        a = tokens[i]
        b = tokens[i + 1] if i + 1 < len(tokens) else None
        if b is not None and _split_syllable(a, b, channel):
            whole = (a.text + b.text).lower()
            context = [decoder.best_id(out[-1] if out else None),
                       decoder.best_id(tokens[i + 2] if i + 2 < len(tokens) else None)]
            apart = decoder.fit([a.candidates, b.candidates], context)
            together = channel.read(whole, form)
            if together and decoder.fit([together], context) > apart + SPLIT_MARGIN:
                out.append(Token(a.start, b.end, a.text + b.text, together, joined=True))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _split_syllable(a: Token, b: Token, channel: Channel) -> bool:
    """Two words one space apart that may be one syllable cut before its vowel: the second starts
    with a vowel and is not capitalised after a small letter, and the corpus writes the whole."""
    return (b.start == a.end + 1 and bool(a.candidates) and bool(b.candidates)
            and a.text.isalpha() and b.text.isalpha() and fold(b.text[0].lower()) in _VOWELS
            and not (b.text[0].isupper() and a.text[-1].islower())
            and (a.text + b.text).lower() in channel.unigrams)


def _glue_cut(token: Token, before: Token | None, after: Token | None, form: str,
              channel: Channel, decoder: Decoder) -> int | None:
    word = token.text
    if not all(c.isalnum() or c in OCR_GLYPHS for c in word) or not word[0].isalpha():
        return None
    if not capital_inside(word) and max((p for _, p in token.candidates), default=-99) > SPLIT_WHOLE:
        return None   # (nor where a reading of the whole is an edit away: Didu is Điều, not Đi dự)
    glyph = any(c in OCR_GLYPHS for c in word)   # (cut only where a capital marks it: ngu¢di is one word)
    cuts = []
    for i in range(1, len(word)):
        capital = word[i].isupper() and word[:i].islower() and i >= 2
        if not capital and (glyph or i < 2 or len(word) - i < 2):
            continue
        halves = []
        for half in (word[:i], word[i:]):
            readings = channel.read(half.lower(), form) if len(half) <= 7 else ()
            if not readings or max(p for _, p in readings) <= channel.EDIT:
                break   # (a half read only by edits is no word either)
            halves.append(readings)
        else:
            cuts.append((i, halves))
    if not cuts:
        return None
    context = [decoder.best_id(t) for t in (before, after)]
    best = decoder.fit([token.candidates], context) if token.candidates else -99.0
    best, cut = best + SPLIT_MARGIN, None
    for i, halves in cuts:
        fit = decoder.fit(halves, context)
        if fit > best:
            best, cut = fit, i
    return cut
