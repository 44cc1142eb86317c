"""Fixtures the hostile-input tests share."""

from __future__ import annotations

import pytest

from tests.hostile.helpers import kill_all, processes_with


@pytest.fixture
def run_tmp(tmp_path):
    """A TMPDIR of the run's own; afterwards, no process of the run may be left (killed if one is)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    yield folder
    left = processes_with(f"TMPDIR={folder}")
    kill_all(left)
    assert not left, f"processes left behind: {left}"
