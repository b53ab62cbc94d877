"""`DE_AN_06_DATABASE` pointing at something that cannot be the database, a damaged database,
and the leftovers of interrupted runs: one `error:` line each, nothing left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from concurrent_builds import SRC

from analysis import paths, pipeline


def run(command: str, database: Path | str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SRC), paths.DATABASE_ENV: str(database)}
    return subprocess.run([sys.executable, "-m", "analysis", command], capture_output=True,
                          text=True, env=env, timeout=300, cwd=paths.ROOT)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result.stdout
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["build", "validate", "export"])
def test_a_text_file_is_refused_and_kept(tmp_path, command):
    text = tmp_path / "notes.duckdb"
    text.write_text("my notes, not a database\n", encoding="utf-8")
    line = one_error_line(run(command, text))
    assert str(text) in line and "not a DuckDB database" in line
    assert text.read_text(encoding="utf-8") == "my notes, not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.duckdb"]


@pytest.mark.parametrize("command", ["build", "validate", "export"])
def test_a_directory_is_refused_without_a_lock_file_beside_it(tmp_path, command):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    line = one_error_line(run(command, folder))
    assert str(folder) in line and "directory" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder"]


@pytest.mark.parametrize("command", ["build", "validate", "export"])
def test_a_place_where_no_file_can_be_made_is_one_line(command):
    line = one_error_line(run(command, "/proc/self/x.duckdb"))
    assert "/proc/self/x.duckdb" in line


def test_a_truncated_database_is_one_line_and_build_mends_it(tmp_path, built_database):
    database = tmp_path / "de_an_06.duckdb"
    shutil.copy(built_database, database)
    with database.open("r+b") as handle:
        handle.truncate(database.stat().st_size // 3)
    for command in ("validate", "export"):
        assert "truncated or damaged" in one_error_line(run(command, database))
    assert run("build", database).returncode == 0
    duckdb.connect(str(database), read_only=True).close()


def test_a_wal_from_a_replaced_file_is_one_line_naming_the_cure(tmp_path, built_database):
    """The state the old build left (a new file beside the old WAL); build mends it."""
    database = tmp_path / "de_an_06.duckdb"
    other = tmp_path / "other.duckdb"  # another database file, as the old one was
    shutil.copy(built_database, database)
    code = ("import duckdb, os, sys; con = duckdb.connect(sys.argv[1]); "
            "con.execute('CREATE TABLE main.a AS SELECT 1 AS x'); con.execute('CHECKPOINT'); "
            "con.execute('CREATE TABLE main.scratch AS SELECT 1 AS x'); os._exit(0)")
    subprocess.run([sys.executable, "-c", code, str(other)], check=True)
    (tmp_path / "other.duckdb.wal").rename(tmp_path / "de_an_06.duckdb.wal")
    line = one_error_line(run("export", database))
    assert "WAL" in line and "python -m analysis build" in line
    assert run("build", database).returncode == 0
    assert not (tmp_path / "de_an_06.duckdb.wal").exists()
    duckdb.connect(str(database), read_only=True).close()


def test_render_copies_of_interrupted_runs_are_removed_by_the_next(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    interrupted = processed / ".render-abc123"  # an `all` killed with its copy inside
    interrupted.mkdir()
    (interrupted / "de_an_06.duckdb").write_bytes(b"6 MB of copy")
    (interrupted / pipeline.IN_USE).write_text("")
    before_locks = processed / ".render-old"  # left by code that did not lock the folder
    before_locks.mkdir()
    hour_ago = time.time() - 3600
    os.utime(before_locks, (hour_ago, hour_ago))
    just_made = processed / ".render-new"  # another `all` that has not locked it yet
    just_made.mkdir()
    in_use = processed / ".render-live"
    in_use.mkdir()
    with pipeline._in_use(in_use):
        removed = pipeline.remove_render_leftovers(processed)
    assert sorted(p.name for p in removed) == [".render-abc123", ".render-old"]
    assert sorted(p.name for p in processed.iterdir()) == [".render-live", ".render-new"]
