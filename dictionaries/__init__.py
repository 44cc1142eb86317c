"""The gazetteer, place names, syllable inventory and restoration model, and where dependency data lies."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def underthesea_path(*parts: str) -> Path:
    """A data file inside the installed underthesea wheel, found without importing underthesea:
    its import takes ~0.4 s, and every worker process would pay it again."""
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("underthesea is not installed (pip install underthesea)")
    return Path(list(spec.submodule_search_locations)[0]).joinpath(*parts)
