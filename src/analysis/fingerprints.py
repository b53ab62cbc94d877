"""Keys over each step's inputs: when a step's key is the one its last output was made from,
the output would come out the same, and the step can be skipped.

- the code: every file of src/analysis, the pinned packages (requirements.lock), the data
  dictionary, the package version and the Python version;
- the build: the code and every file of data/raw. The database's content is a function of
  these, so the build stores this key in the database (`raw.build`) as its content key;
- the validation: the build's key and the rules (expectations/, gx/). `validate` stores it
  with its verdict (`validation.run`);
- a page: its notebook's text, the code and the database's two keys (see
  :mod:`analysis.report.page_cache`).

Hashing these files takes milliseconds; nothing is hashed by modification time, so a
checkout, a copy or `touch` never fools it.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis import paths

BUILD_TABLE = "raw.build"  # one row: content_key
VALIDATION_TABLE = "validation.run"  # one row: content_key, passed
_SKIPPED_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def _digest(parts: Iterable[bytes]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(len(part).to_bytes(8, "little"))  # no two sequences hash alike
        sha.update(part)
    return sha.hexdigest()


def _files(root: Path) -> Iterable[bytes]:
    """Every file under `root` (or `root` itself), as its relative name and its bytes."""
    if root.is_file():
        yield root.name.encode()
        yield root.read_bytes()
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if _SKIPPED_PARTS.intersection(relative.parts) or path.suffix == ".pyc":
            continue
        yield relative.as_posix().encode()
        yield path.read_bytes()


def tree_key(*roots: Path) -> str:
    """A key over the names and bytes of every file under `roots` (missing ones count too)."""
    def parts() -> Iterable[bytes]:
        for root in roots:
            yield str(root.name).encode()
            if root.exists():
                yield from _files(root)
            else:
                yield b"<missing>"
    return _digest(parts())


def code_key() -> str:
    """The code every step runs and the versions it runs on."""
    # The pages' labels file is read by code as code is: a change to it re-renders them.
    return _digest([tree_key(paths.CODE, paths.ROOT / "requirements.lock", paths.DICTIONARY,
                             paths.LABELS, paths.PYPROJECT).encode(), sys.version.encode()])


def build_key(raw_dir: Path = paths.RAW) -> str:
    """What the build reads: the code and data/raw."""
    return _digest([b"build", code_key().encode(), tree_key(raw_dir).encode()])


def validation_key(content_key: str, expectations_dir: Path = paths.EXPECTATIONS) -> str:
    """What validation reads: the database (by its content key) and the rules."""
    return _digest([b"validation", content_key.encode(),
                    tree_key(expectations_dir, paths.GX_ROOT).encode()])


@dataclass(frozen=True)
class StoredKeys:
    """The keys a database holds: its build's, and its last validation's with the verdict."""

    build: str | None = None
    validation: str | None = None
    passed: bool = False


def stored_keys(database: Path = paths.DATABASE) -> StoredKeys:
    """The keys in `database`; empty if it is missing, does not open or has none (a database
    made by older code, or one that is being written)."""
    import duckdb

    if not database.is_file():
        return StoredKeys()
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error:
        return StoredKeys()
    try:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        if BUILD_TABLE not in tables:
            return StoredKeys()
        (build,) = con.execute(f"SELECT content_key FROM {BUILD_TABLE}").fetchone() or (None,)
        validation, passed = None, False
        if VALIDATION_TABLE in tables:
            row = con.execute(f"SELECT content_key, passed FROM {VALIDATION_TABLE}").fetchone()
            validation, passed = row if row else (None, False)
        return StoredKeys(build, validation, bool(passed))
    except duckdb.Error:
        return StoredKeys()
    finally:
        con.close()
