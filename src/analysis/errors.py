"""Errors that the command line reports as one clear message instead of a traceback.

Two kinds: problems in the user's input or data (`ProjectError`, `InputError`), each
naming file, line, field and text; and problems of the environment (a full disk, a
read-only folder, a database locked by another process), each one line naming the file
and what to do (`environment_message` translates the exceptions the libraries raise).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path


class ProjectError(Exception):
    """A problem the user can fix: bad input, a failed validation, a missing tool."""


class InputError(ProjectError):
    """One or more problems in the raw files; each names file, row and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listing = "\n".join(f"error: {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in data/raw:\n{listing}")


class EnvironmentProblem(ProjectError):
    """The machine, not the data: disk, permissions, a lock held by another process."""


def describe_process(pid: str) -> str:
    """'process 123 (python -m analysis build)', from /proc where it is readable."""
    try:
        raw = Path(f"/proc/{int(pid)}/cmdline").read_bytes()
    except (OSError, ValueError):
        return f"process {pid}"
    command = " ".join(raw.decode(errors="replace").replace("\0", " ").split())
    return f"process {pid} ({command[:120]})" if command else f"process {pid}"


_DUCKDB_LOCK = re.compile(r'Could not set lock on file "([^"]+)".*?PID (\d+)', re.DOTALL)
_REBUILD = "run `python -m analysis build`, which makes it anew"
# DuckDB's messages about a database file it cannot use, and what to say instead.
_DUCKDB_FILE_PROBLEMS = (
    (re.compile(r'Failure while replaying WAL file "([^"]+?)(?:\.wal)?": WAL does not match'),
     "its WAL ({0}.wal) belongs to a file this one replaced; " + _REBUILD + " (and removes it)"),
    (re.compile(r'The file "([^"]+)" exists, but it is not a valid DuckDB database file'),
     "is not a DuckDB database; remove it or point DE_AN_06_DATABASE at the database"),
    (re.compile(r'Could not read (?:enough bytes )?from file "([^"]+)": (?!Is a directory)'),
     "the database is truncated or damaged; " + _REBUILD),
    (re.compile(r'Could not read from file "([^"]+)": Is a directory'),
     "is a directory, not a database file; point DE_AN_06_DATABASE at a .duckdb file"),
    (re.compile(r'Cannot open database "([^"]+)" in read-only mode: database does not exist'),
     "does not exist: run `python -m analysis build` first"),
)


def environment_message(error: BaseException) -> str | None:
    """One line for an environment failure, or None if `error` is not one.

    The exceptions it was raised from count too: a library (Great Expectations) may wrap
    DuckDB's message about a damaged file in one of its own that no longer names it.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if (message := _message(current)) is not None:
            return message
        current = current.__cause__ or current.__context__
    return None


def _message(error: BaseException) -> str | None:
    text = str(error)
    for pattern, says in _DUCKDB_FILE_PROBLEMS:
        if found := pattern.search(text):
            return f"{found.group(1)}: {says.format(found.group(1))}"
    lock = _DUCKDB_LOCK.search(text)
    if lock:
        path, pid = lock.groups()
        return (f"{path}: the database is locked by {describe_process(pid)}; a JupyterLab "
                "kernel or other program connected read-write holds it: close that "
                "connection (analysts connect with read_only=True) and run the command again")
    if isinstance(error, OSError) and error.errno is not None:
        where = error.filename or "data/processed"
        if error.errno == errno.ENOSPC:
            return f"{where}: no space left on the device; free some disk space and run again"
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return (f"{where}: cannot write here ({error.strerror}); make the folder writable "
                    "or run from a writable copy")
    lowered = text.lower()
    if "no space left on device" in lowered:
        return f"{_path_in(text)}: no space left on the device; free some disk space and run again"
    if "read-only file system" in lowered or "permission denied" in lowered:
        return (f"{_path_in(text)}: cannot write here ({text.splitlines()[0][:160]}); make "
                "the folder writable or run from a writable copy")
    return None


def _path_in(text: str) -> str:
    match = re.search(r'"(/[^"]+)"', text) or re.search(r"(/\S+)", text)
    return match.group(1) if match else "data/processed"
