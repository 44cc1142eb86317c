"""What OCR does to Vietnamese text: each fact in one table, used wherever damaged text is read.

Restoration (``pipeline.restore``), the OCR-tolerant keys of ``pipeline.vntext`` and the extractors
that look up agencies and document symbols in damaged text read these tables; none keeps its own
copy. Most facts are tesseract ``-l eng``'s, the damage seeds 001/002/004 carry; each was seen in
the seeds or counted in the rendered training pairs (``scripts/ocr_pairs.py``).
"""

from __future__ import annotations

import re

# Characters a non-Vietnamese OCR model puts where a Vietnamese letter was, mapped to the
# diacritic-free letter: only the unambiguous ones (digits in words are below).
CHAR_FOLD = str.maketrans({
    "¢": "e", "€": "e", "$": "s", "¥": "y", "§": "o", "©": "c", "®": "d", "™": "m",
    "ð": "d", "Ð": "d", "ø": "o", "Ø": "o", "æ": "a", "œ": "o", "ß": "b", "|": "i", "¡": "i",
    "’": "'", "‘": "'", "“": '"', "”": '"', "w": "u", "W": "U",
})

# What tesseract -l eng writes for a Vietnamese vowel it cannot read ("S¢" for "Sở", "hi€u" for
# "hiệu"): inside a word, a wildcard for a vowel cluster.
OCR_GLYPHS = "¢€§©®¥&@"

# A digit inside a word is an OCR'd letter: s6 -> so, t6 -> to, 1anh -> lanh, x3 -> xa, x4 -> xa.
DIGIT_IN_WORD = {"0": "o", "1": "l", "3": "a", "4": "a", "5": "s", "6": "o", "8": "b", "9": "g"}

# Whole words as the seeds' OCR wrote them, diacritic-free key -> key.
WORD_FIXES = {
    "ctia": "cua", "cta": "cua", "caa": "cua", "cia": "cua", "cila": "cua",
    "iy": "uy", "ty": "uy", "tiy": "uy", "dy": "uy", "ay": "uy", "try": "uy",
    "pang": "dang", "bang": "dang", "pjc": "doc", "poc": "doc", "deec": "doc",
    "wong": "uong", "twong": "tuong", "cwong": "cuong", "dwong": "duong", "thwong": "thuong",
    "tw": "tu", "sw": "su", "thwe": "thuc", "thue": "thuc", "thyc": "thuc", "thye": "thuc", "thuce": "thuc",
    "phic": "phuc", "phiic": "phuc", "chtrc": "chuc", "chirc": "chuc", "chure": "chuc", "chire": "chuc",
    "chuc": "chuc", "thir": "thu", "thtr": "thu", "thi": "thi", "phii": "phu", "pha": "pha",
    "ndm": "nam", "nim": "nam", "ndam": "nam", "nam": "nam", "thii": "thu",
    "dich": "dich", "pich": "dich", "sd": "so", "sb": "so", "cdc": "cac", "ciu": "cau", "pe": "de",
    "pao": "dao", "dn": "an",
}

# Đ, which tesseract -l eng has no model of, read as P ("Pang" for "Đảng") or B ("Bai" for "Đài");
# in capitals inside an acronym also as two letters (seed 002: KHHGPD, KHHGBD); the Q of QĐ as O or 0
# (0D-UBND). Lowercase, for keys.
D_READ_AS = "pb"
D_IN_ACRONYM_READ_AS = ("P", "B", "PD", "BD")
Q_READ_AS = "o0"

# tesseract -l eng writes é (or è) for the a-vowels it cannot read: dén (dân), chét (chất), béng (bằng).
A_VOWEL_READ_AS = str.maketrans({"é": "a", "è": "a"})

# ... the horn of ư and ơ as an apostrophe after the vowel, and ư also as i' or t' (thu'c, nu’éc,
# chi’c, cht’c: hundreds in the OCR'd training pairs): inside a word, a horn
HORN = re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])")
HORN_IT = re.compile(r"(?<=[^\W\d_])[it]['’](?=[^\W\d_])")

# Marks OCR glues to a word, which mean nothing there.
DUST = frozenset("'’‘`}{|~^")

# Letters tesseract -l eng reads for a Vietnamese letter it has no model of, inside a word ("lugc"
# for "lược", "thye" for "thực", "phd" for "phố", "chirc" for "chức"), undone on the diacritic-free
# key. Each occurs in the rendered training pairs (build/ocr_pairs_all.tsv, token counts: ud for ươ
# 1,119; é for an a-vowel 161; i for ă/â 106; final y for ụ/ự 100; ai for ơi 12).
CONFUSIONS = [   # (pattern, replacement, a letter every match holds: most keys skip the regex)
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


def confusion_variants(key: str) -> list[str]:
    """Every key reachable by undoing one or more of the confusions (``luge`` -> ``luoe``, ``lugc``,
    ``luoc``)."""
    keys = [key]
    for pattern, repl, letter in CONFUSIONS:
        for k in [k for k in keys if letter in k]:
            variant = pattern.sub(repl, k, count=1)   # (no match: k itself)
            if variant not in keys:
                keys.append(variant)
    return sorted(keys[1:])


def d_lost(spelling: str) -> set[str]:
    """The ways an acronym with Đ is written once a keyboard without Vietnamese or tesseract -l eng
    has lost its Đ (``QĐ`` -> QD, QP, QB, QPD, QBD, OD, 0P...); its Đ always, its Q too when it
    starts with one."""
    firsts = {"Q", *Q_READ_AS.upper()} if spelling[0] == "Q" else {spelling[0]}
    rest = spelling[1:]
    return {first + rest.replace("Đ", d) for first in firsts for d in ("D", *D_IN_ACRONYM_READ_AS)}
