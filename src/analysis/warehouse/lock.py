"""The one lock every writer of the database takes, and the checks before a file is replaced.

Two kinds of writers meet at the database file:

- our own commands (`build`, `validate`): each holds an exclusive lock on `<database>.lock`
  for as long as it writes (`build` from reading data/raw to the swap, `validate` from
  opening the database to its commit), so validation can never write into a file that a
  build is about to replace, and a build never swaps while validation writes;
- anything else connected read-write (an analyst's kernel): DuckDB itself holds a POSIX
  write lock on the database file then. `build` refuses to swap while such a lock is held
  and, while it swaps, holds a read lock on the old file so that no writer can open it.

A WAL (`<database>.wal`) beside a database that no process holds for writing belongs to the
old file, and only to it: the swap removes it first, so the new file never sits beside an
old WAL (DuckDB would refuse to open the pair).
"""

from __future__ import annotations

import fcntl
import os
import struct
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis import paths
from analysis.errors import EnvironmentProblem, describe_process

LOCK_WAIT_SECONDS = 600.0
# DuckDB writes its magic number after an 8-byte checksum at the start of every database file.
DUCKDB_MAGIC = b"DUCK"
MAGIC_OFFSET = 8
# struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (and padding).
_FLOCK = "hhqqi4x"


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def check_database_path(database: Path, must_exist: bool = False) -> None:
    """Refuse, in one line, a path that cannot be the database: a directory, a file that is
    not DuckDB's (`build` would overwrite it), a place where no file can be made."""
    shown = paths.shown(database)
    advice = f"point {paths.DATABASE_ENV} at a .duckdb file in a writable folder"
    if database.is_dir():
        raise EnvironmentProblem(f"{shown}: is a directory, not a database file; {advice}")
    if not database.parent.is_dir():
        raise EnvironmentProblem(f"{paths.shown(database.parent)}: no such folder; {advice}")
    if database.exists():
        if not database.is_file():
            raise EnvironmentProblem(f"{shown}: is not a regular file; {advice}")
        head = _head(database)
        if head and not looks_like_duckdb(head):  # an empty file holds nothing to lose
            raise EnvironmentProblem(
                f"{shown}: is not a DuckDB database (it begins {head[:16]!r}); nothing was "
                f"written to it; remove it or {advice}")
    elif must_exist:
        raise EnvironmentProblem(f"{shown} does not exist: run `python -m analysis build` first")


def looks_like_duckdb(head: bytes) -> bool:
    """Whether a file's first bytes are a DuckDB database's (a truncated one included)."""
    return head[MAGIC_OFFSET:MAGIC_OFFSET + len(DUCKDB_MAGIC)] == DUCKDB_MAGIC


def _head(database: Path) -> bytes:
    try:
        with database.open("rb") as handle:
            return handle.read(64)
    except OSError as error:
        raise EnvironmentProblem(f"{paths.shown(database)}: cannot be read "
                                 f"({error.strerror})") from None


def _holder(path: Path) -> str:
    """Who holds the lock, as written into the lock file by the holder: pid and what it does."""
    try:
        pid, _, doing = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return "another process"
    if not pid:
        return "another process"
    return f"{doing or 'written'} by {describe_process(pid)}"


@contextmanager
def database_lock(database: Path, doing: str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the writers' lock of `database` (`<database>.lock`): one writer at a time.

    `doing` says what the holder does ("built", "validated"); a second writer waits, saying
    for whom, then runs. The kernel releases the lock when its holder exits, even after
    kill -9, so a stale lock cannot block anyone.
    """
    check_database_path(database)
    path = lock_path(database)
    try:
        handle = path.open("a+", encoding="utf-8")
    # A read-only folder or a full disk: the caller's one line (analysis.errors) says so.
    except (FileNotFoundError, NotADirectoryError) as error:
        raise EnvironmentProblem(f"{paths.shown(path)}: cannot create the lock file beside "
                                 f"the database ({error.strerror}); point "
                                 f"{paths.DATABASE_ENV} at a writable folder") from None
    try:
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced:
                    print(f"waiting: {paths.shown(database)} is being {_holder(path)}",
                          file=sys.stderr, flush=True)
                    announced = True
                if time.monotonic() > deadline:
                    raise EnvironmentProblem(
                        f"{paths.shown(path)}: still locked after {wait:.0f} s (being "
                        f"{_holder(path)}); wait for it or stop it") from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {doing}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def writer_of(database: Path) -> int | None:
    """The process holding `database` open for writing (DuckDB's lock on it), if any."""
    try:
        fd = os.open(database, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        query = struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_GETLK, query))
        return pid if kind == fcntl.F_WRLCK else None
    finally:
        os.close(fd)


def swap_in(new: Path, database: Path) -> None:
    """Move the complete database `new` over `database`, which no one may be writing.

    Call with the writers' lock held. A read lock on the old file, held through the rename,
    keeps any other writer (which DuckDB makes take a write lock) from opening it meanwhile;
    its WAL, stale once nobody can write the old file, goes before the rename, so a kill at
    any moment leaves either the old database (without its uncheckpointed tail) or the new one,
    never the new one beside the old WAL.
    """
    try:
        fd = os.open(database, os.O_RDONLY)
    except FileNotFoundError:
        fd = None
    try:
        if fd is not None:
            try:
                fcntl.fcntl(fd, fcntl.F_SETLK,
                            struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0))
            except OSError:
                pid = writer_of(database)
                holder = describe_process(str(pid)) if pid else "another process"
                raise EnvironmentProblem(
                    f"{paths.shown(database)}: open for writing by {holder} (a JupyterLab "
                    "kernel or other program connected read-write); the new database was not "
                    "swapped in and the old one is untouched: close that connection (analysts "
                    "connect with read_only=True) and build again") from None
        wal_path(database).unlink(missing_ok=True)
        os.replace(new, database)  # atomic on one filesystem
    finally:
        if fd is not None:
            os.close(fd)  # releases the read lock on the old file
