"""Which pages need executing again: a page is kept while its key is the one it was made from.

As Jupyter Book's `execute_notebooks: cache` and Quarto's `freeze: auto` do, a page is
re-executed only when its inputs changed. Its key covers the notebook's text, the code it can
import (all of src/analysis, the pinned packages and Python: :func:`fingerprints.code_key`)
and the database's content, by the keys the build and validation stored in it
(:mod:`analysis.fingerprints`). A database without a build key (made by older code) gives no
key: every page is executed.

`reports/.render-cache.json` records, per page, the key, the page file's SHA-256 (a page
edited or deleted by hand is made again), what the index shows and how long it took (the
longest notebook starts first).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis import paths
from analysis.fingerprints import StoredKeys, code_key

# Only the standard library here: `python -m analysis all` asks whether anything is out of
# date before it imports the kernels' and the exporter's packages (seconds).
CACHE_FILE = ".render-cache.json"
NOTEBOOK_GLOB = "[0-9][0-9]_*.py"


def notebook_paths(notebooks_dir: Path = paths.NOTEBOOKS) -> list[Path]:
    """The notebooks that make pages, in page order."""
    return sorted(notebooks_dir.glob(NOTEBOOK_GLOB))


def page_key(notebook: Path, code: str, keys: StoredKeys) -> str | None:
    """The key of the page `notebook` makes from a database holding `keys`."""
    if keys.build is None:
        return None
    sha = hashlib.sha256()
    for part in (notebook.read_bytes(), code.encode(), keys.build.encode(),
                 (keys.validation or "").encode()):
        sha.update(len(part).to_bytes(8, "little"))
        sha.update(part)
    return sha.hexdigest()


@dataclass(frozen=True)
class Record:
    """What is known of the last page rendered from a notebook: its key, its file's SHA-256,
    what the index shows and how long it took."""

    key: str | None
    sha256: str
    title: str
    summary: str
    charts: int
    size: int
    seconds: float


def page_path(notebook: Path, out_dir: Path) -> Path:
    from analysis.report.execution import page_name

    return out_dir / f"{page_name(notebook)}.html"


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def load(out_dir: Path) -> dict[str, Record]:
    """The records of the pages in `out_dir` (empty when none or unreadable)."""
    try:
        raw = json.loads((out_dir / CACHE_FILE).read_text(encoding="utf-8"))
        return {str(name): Record(**fields) for name, fields in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):  # none yet, or not ours
        return {}


def kept(notebooks: list[Path], keys: StoredKeys, out_dir: Path) -> dict[Path, Record]:
    """The notebooks whose last page was made from what they would read now, and is intact,
    with that page's record."""
    records, code = load(out_dir), code_key()
    found = {}
    for notebook in notebooks:
        record, key = records.get(notebook.name), page_key(notebook, code, keys)
        if key is not None and record is not None and record.key == key \
                and sha256_of(page_path(notebook, out_dir)) == record.sha256:
            found[notebook] = record
    return found


def save(out_dir: Path, records: dict[str, Record]) -> None:
    """Record every page now in `out_dir`, by notebook file name."""
    target = out_dir / CACHE_FILE
    partial = target.with_name(target.name + ".partial")  # no half-written record
    partial.write_text(json.dumps({name: asdict(record) for name, record in
                                   sorted(records.items())}, indent=1, ensure_ascii=False),
                       encoding="utf-8")
    partial.replace(target)
