"""How a chosen syllable is written: in the case of the word it replaces, but for capitals that
are OCR damage (``đáp Ung`` -> ``đáp ứng``; ``HGi`` -> ``Hội``)."""

from __future__ import annotations

import numpy as np

from pipeline.restore.tokens import Token
from pipeline.vntext import fold, syllables

TITLED_RATE = 0.002                 # a syllable capitalised mid-sentence no more often than this, never is
_CAPITAL_LOOKALIKES = set("CKOSUVWXZ")


def never_titled(vocab: list[str], titled: np.ndarray, lowered: np.ndarray) -> frozenset[str]:
    """The syllables the corpus never (or next to never) capitalises mid-sentence: của, ứng, áp
    (``kehoach lm build`` counts them: ``case_titled``, ``case_lowered``)."""
    return frozenset(w for w, t, n in zip(vocab, titled.tolist(), lowered.tolist())
                     if t <= TITLED_RATE * (t + n) and t + n >= 20)


def written(token: Token, choice: str, line: str, caps_line: bool, form: str, never: frozenset[str]) -> str:
    """How the syllable chosen for ``token`` is written: its spelling, in the token's case, but for
    capitals that are OCR damage; ``never`` holds the syllables never capitalised mid-sentence."""
    if token.spelled:
        return token.spelled
    original = token.text
    if (original[0] in "GI" and choice[0] != original[0].lower()
            and line[:token.start].rstrip()[-1:].isalpha()):
        original = original.lower()  # G read for a vowel, I for l, mid-sentence: the capital is damage
    elif (form != "stripped" and not caps_line and original[1:].islower() and choice in never
          and (original[0] in _CAPITAL_LOOKALIKES or fold(choice[0]) != choice[0])
          and _after_small_word(line, token.start)):
        # đáp Ung, người Khuyet tật: a capital the corpus never writes there, of a letter whose
        # capital looks like it or of a marked vowel (not Tâm in Pháp y Tâm thần)
        original = original.lower()
    return with_case(choice, original, caps_line)


def with_case(syllable: str, original: str, caps_line: bool = True) -> str:
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


def caps_line(line: str) -> bool:
    """Whether most of the line's letters are capitals (a title, a heading)."""
    letters = [c for c in line if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 0.5 * len(letters)


def _after_small_word(line: str, start: int) -> bool:
    """Whether the word at ``start`` follows a word in small letters and one space (mid-sentence)."""
    before = line[:start]
    if not before.endswith(" ") or before.endswith("  "):
        return False
    previous = before[:-1].rsplit(" ", 1)[-1]
    return previous.isalpha() and previous.islower()
