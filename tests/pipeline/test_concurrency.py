"""Builds at the same time, builds killed midway, and failures of the environment.

Every build here runs in a fresh interpreter on this tree's src/ (see concurrent_builds.py),
into a temporary folder, from a copy of data/raw.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time

import pytest
from concurrent_builds import (
    SRC,
    one_round,
    relations,
    stale_wal_round,
    start_build,
    start_validator,
    validate_round,
)

import analysis.warehouse.build as build_module
from analysis import cli, paths
from analysis.errors import EnvironmentProblem
from analysis.warehouse.build import build
from analysis.warehouse.lock import database_lock


def test_two_builds_at_once_both_succeed_one_after_the_other(raw_copy, tmp_path):
    target = tmp_path / "de_an_06.duckdb"
    first = start_build(target, raw_copy)
    time.sleep(0.3)
    second = start_build(target, raw_copy)
    outputs = [process.communicate(timeout=300)[1].decode() for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert "main.figures" in (relations(target) or set())
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_a_waiting_writer_names_the_process_holding_the_lock(raw_copy, tmp_path, capsys):
    target = tmp_path / "de_an_06.duckdb"
    with (database_lock(target, "validated"), pytest.raises(EnvironmentProblem) as raised,
          database_lock(target, "built", wait=0.3)):
        pass
    waiting = capsys.readouterr().err
    assert f"being validated by process {os.getpid()}" in waiting
    assert f"process {os.getpid()}" in str(raised.value) and "locked" in str(raised.value)


def test_a_killed_writer_or_one_still_connected_beside_a_build_20_rounds(
        raw_copy, tmp_path, built_database):
    """A read-write connection killed before or during a build leaves a WAL: the build
    swaps the new file in without it. One still connected: the build refuses in one line.
    tests/concurrent_builds.py --case stale-wal runs the same rounds at length."""
    target = tmp_path / "de_an_06.duckdb"
    expected = relations(built_database)
    assert expected and build(target, raw_dir=raw_copy, quiet=True)
    rng = random.Random(20261204)
    problems = [stale_wal_round(target, raw_copy, expected, rng) for _ in range(20)]
    assert problems == [None] * 20


def test_validation_beside_a_build_never_writes_into_a_replaced_file_20_rounds(
        raw_copy, tmp_path, built_database):
    """tests/concurrent_builds.py --case validate runs the same rounds at length."""
    target = tmp_path / "de_an_06.duckdb"
    expected = relations(built_database)
    assert expected and build(target, raw_dir=raw_copy, quiet=True)
    rng = random.Random(20261205)
    validator = start_validator(target)
    try:
        problems = [validate_round(target, raw_copy, expected, validator, rng)
                    for _ in range(20)]
    finally:
        validator.kill()
        validator.wait()
    assert problems == [None] * 20


def test_a_build_removes_the_wal_of_the_file_it_replaces(raw_copy, tmp_path, built_database):
    """A new file beside an old WAL would not open; nor would a second build mend it."""
    target = tmp_path / "de_an_06.duckdb"
    shutil.copy(built_database, target)
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(target)!r})
        con.execute("CREATE TABLE main.scratch AS SELECT 1 AS x")
        print("ready", flush=True)
        time.sleep(120)""")], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready"
    writer.kill()
    writer.wait()
    wal = tmp_path / "de_an_06.duckdb.wal"
    assert wal.exists()
    build(target, raw_dir=raw_copy, quiet=True)
    assert not wal.exists()
    assert relations(target) == relations(built_database)


def test_kill_9_of_either_of_two_builds_at_random_moments_leaves_a_complete_database(
        raw_copy, tmp_path, built_database):
    """tests/concurrent_builds.py --rounds 50 runs the same rounds at length."""
    target = tmp_path / "de_an_06.duckdb"
    expected = relations(built_database)
    assert expected and build(target, raw_dir=raw_copy, quiet=True)
    rng = random.Random(20261125)
    problems = [one_round(target, raw_copy, expected, rng) for _ in range(4)]
    assert problems == [None] * 4


def test_leftovers_of_a_killed_build_are_removed_by_the_next(raw_copy, tmp_path):
    target = tmp_path / "de_an_06.duckdb"
    for leftover in ("de_an_06.duckdb.4242.tmp", "de_an_06.duckdb.4242.tmp.wal",
                     "de_an_06.duckdb.tmp"):
        (tmp_path / leftover).write_bytes(b"half a database")
    spill = tmp_path / "de_an_06.duckdb.4242.tmp.tmp"  # DuckDB's spill folder
    spill.mkdir()
    (spill / "duckdb_temp_block-1.block").write_bytes(b"spilled")
    build(target, raw_dir=raw_copy, quiet=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["de_an_06.duckdb",
                                                          "de_an_06.duckdb.lock", "raw"]


def run_cli(monkeypatch, capsys, command: list[str]) -> tuple[int, list[str]]:
    monkeypatch.setattr(cli.os, "_exit", lambda status: (_ for _ in ()).throw(SystemExit(status)))
    try:
        status = cli.main(command)
    except SystemExit as stop:
        status = int(stop.code or 0)
    captured = capsys.readouterr()
    return status, captured.err.splitlines()


@pytest.mark.parametrize(("error", "says"), [
    (OSError(errno.ENOSPC, "No space left on device", "data/processed/x.tmp"),
     "no space left on the device"),
    (PermissionError(errno.EACCES, "Permission denied", "data/processed"), "cannot write here"),
    (OSError(errno.EROFS, "Read-only file system", "data/processed"), "cannot write here"),
])
def test_environment_failures_are_one_line(monkeypatch, capsys, error, says):
    def failing_build(*args, **kwargs):
        raise error

    monkeypatch.setattr(build_module, "build", failing_build)
    status, lines = run_cli(monkeypatch, capsys, ["build", "--force"])
    assert status != 0
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], lines


def test_disk_full_from_duckdb_is_one_line(monkeypatch, capsys):
    import duckdb

    def failing_build(*args, **kwargs):
        raise duckdb.FatalException('Could not write file "/x/de_an_06.duckdb.1.tmp": '
                                    "No space left on device")

    monkeypatch.setattr(build_module, "build", failing_build)
    status, lines = run_cli(monkeypatch, capsys, ["build", "--force"])
    assert status != 0 and len(lines) == 1
    assert lines[0].startswith("error: /x/de_an_06.duckdb.1.tmp: no space left"), lines


def test_validate_while_a_kernel_holds_the_database_names_it(built_database, tmp_path):
    """An analyst's JupyterLab kernel connected read-write locks the file against validate."""
    database = tmp_path / "de_an_06.duckdb"
    database.write_bytes(built_database.read_bytes())
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(database)!r})
            print("ready", flush=True)
            time.sleep(120)""")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        code = ("import sys; from pathlib import Path; from analysis import cli, paths; "
                f"paths.DATABASE = Path({str(database)!r}); "
                "import analysis.validation.validate as v; "
                "v.validate.__defaults__ = (paths.DATABASE,) + v.validate.__defaults__[1:]; "
                "sys.exit(cli.main(['validate']))")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=300)
    finally:
        holder.kill()
        holder.wait()
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert f"locked by process {holder.pid}" in lines[0] and "JupyterLab kernel" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert "leaked" not in result.stdout + result.stderr


def test_make_clean_removes_the_database_and_every_leftover(tmp_path):
    project = paths.ROOT
    shutil.copy(project / "Makefile", tmp_path / "Makefile")
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    leftovers = ["de_an_06.duckdb", "de_an_06.duckdb.wal", "de_an_06.duckdb.4242.tmp",
                 "de_an_06.duckdb.4242.tmp.wal", "de_an_06.duckdb.tmp", "de_an_06.duckdb.tmp.wal",
                 "de_an_06.duckdb.lock"]
    for name in leftovers:
        (processed / name).write_bytes(b"x")
    (processed / ".gitkeep").write_bytes(b"")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True)
    assert [p.name for p in processed.iterdir()] == [".gitkeep"]


def _mount_tmpfs(where, options: str) -> bool:
    """Mount a small tmpfs (root only, where the container allows it)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True).returncode == 0


def _build_cli(target, raw_dir) -> subprocess.CompletedProcess:
    code = ("import sys; from pathlib import Path; import analysis.warehouse.build as w; "
            "from analysis import cli; "
            f"w.build.__defaults__ = (Path({str(target)!r}), Path({str(raw_dir)!r}), False); "
            "sys.exit(cli.main(['build', '--force']))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(SRC)}, timeout=300)


def test_real_disk_full_and_read_only_folder_are_one_line_and_keep_the_database(
        raw_copy, tmp_path, built_database):
    """On real filesystems: a tmpfs too small for a second database, and a read-only one."""
    small, read_only = tmp_path / "small", tmp_path / "read-only"
    size = built_database.stat().st_size
    if not _mount_tmpfs(small, f"size={size + 256 * 1024}"):
        pytest.skip("cannot mount a tmpfs here (needs root in a container that allows it)")
    try:
        target = small / "de_an_06.duckdb"
        shutil.copy(built_database, target)
        before = target.read_bytes()
        result = _build_cli(target, raw_copy)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 3 and len(lines) == 1, result.stderr
        assert lines[0].startswith("error: ") and "no space left on the device" in lines[0]
        assert target.read_bytes() == before
        assert sorted(p.name for p in small.iterdir()) == ["de_an_06.duckdb",
                                                           "de_an_06.duckdb.lock"]
        assert "Traceback" not in result.stderr and "leaked" not in result.stderr
    finally:
        subprocess.run(["umount", str(small)], check=True)
    assert _mount_tmpfs(read_only, "ro,size=64k")
    try:
        result = _build_cli(read_only / "de_an_06.duckdb", raw_copy)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 3 and len(lines) == 1, result.stderr
        assert "cannot write here" in lines[0] and str(read_only) in lines[0]
    finally:
        subprocess.run(["umount", str(read_only)], check=True)
