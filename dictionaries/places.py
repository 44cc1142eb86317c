"""Vietnamese place names with diacritics, keyed by their diacritic-free form.

Source: underthesea's ``address/data/mapping.json`` (shipped inside its wheel; data from the
vietnamadminunits project): the 34 provinces after Nghị quyết 202/2025, the 63 before, and every
ward/commune before and after the 1 July 2025 reorganisation. Nothing is downloaded.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from dictionaries import underthesea_path
from pipeline.vntext import fold, ocr_key

# Administrative unit words as they open a place name, lowercase with diacritics.
UNITS = {
    "tinh": "tỉnh", "thanh pho": "thành phố", "xa": "xã", "phuong": "phường", "dac khu": "đặc khu",
    "huyen": "huyện", "quan": "quận", "thi xa": "thị xã", "thi tran": "thị trấn",
}


def _split_unit(full: str) -> tuple[str, str]:
    """``Thành phố Hà Nội`` -> (``thành phố``, ``Hà Nội``)."""
    key = fold(full)
    for unit in sorted(UNITS, key=len, reverse=True):
        if key.startswith(unit + " "):
            return UNITS[unit], full[len(unit) + 1:]
    return "", full


@lru_cache(maxsize=1)
def _load() -> dict:
    with open(underthesea_path("address", "data", "mapping.json"), encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def provinces() -> dict[str, str]:
    """Folded short name -> short name with diacritics, new and old provinces: ``ha noi`` -> ``Hà Nội``."""
    data = _load()
    out: dict[str, str] = {}
    for table in ("province_names", "old_province_names"):
        for item in data[table].values():
            out.setdefault(fold(item["short"]), item["short"])
    return out


@lru_cache(maxsize=1)
def province_units() -> dict[str, str]:
    """Folded short name -> unit word (``tỉnh`` or ``thành phố``)."""
    data = _load()
    out: dict[str, str] = {}
    for table in ("province_names", "old_province_names"):
        for item in data[table].values():
            out.setdefault(fold(item["short"]), _split_unit(item["name"])[0])
    return out


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Folded name (unit word included and not) -> proper name: ``xa kien hai`` -> ``xã Kiến Hải``,
    ``kien hai`` -> ``Kiến Hải``. Provinces take precedence over wards of the same name."""
    data = _load()
    out: dict[str, str] = {}
    for key, name in provinces().items():
        out.setdefault(key, name)
        out.setdefault(fold(province_units()[key]) + " " + key, f"{province_units()[key]} {name}")
    for ward in data["ward_mapping"]:
        for field in ("new_ward", "old_ward", "old_district"):
            full = ward.get(field)
            if not full:
                continue
            unit, name = _split_unit(full)
            out.setdefault(fold(name), name)
            if unit:
                out.setdefault(fold(unit) + " " + fold(name), f"{unit} {name}")
    return out


def infer_province(text: str) -> str | None:
    """The province a plan is about: the province name it mentions most (``Báo Quảng Ngãi``)."""
    counts: dict[str, int] = {}
    for folded in _province_pattern().findall(ocr_key(text)):
        name = provinces()[folded]
        counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else None


@lru_cache(maxsize=1)
def _province_pattern() -> re.Pattern[str]:
    """Every province's folded name, longest first, as one pattern (one pass over the text)."""
    names = sorted((k for k in provinces() if k != "viet nam"), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
