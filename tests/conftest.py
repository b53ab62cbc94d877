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
    from analysis.warehouse.build import build

    return build(tmp_path_factory.mktemp("db") / "de_an_06.duckdb", quiet=True)


_exit_status: list[int] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _exit_status.append(int(exitstatus))


def pytest_unconfigure(config: pytest.Config) -> None:
    """End the process once pytest has reported, if Great Expectations ran in it.

    After GX has run, duckdb 2.0's bindings print dozens of harmless "leaked" lines during
    interpreter teardown, burying pytest's summary line. Everything is reported and flushed
    by now; the exit status is pytest's own (see also analysis.cli).
    """
    import os
    import sys

    if _exit_status and "great_expectations" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])
