"""Shared fixtures: the real raw layer, copied, so tests can break it safely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import paths


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw."""
    target = tmp_path / "raw"
    shutil.copytree(paths.RAW, target)
    return target


@pytest.fixture(scope="session")
def built_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built from the real raw layer into a temporary folder."""
    from analysis.warehouse import build

    return build(tmp_path_factory.mktemp("db") / "de_an_06.duckdb", quiet=True)
