"""No markup from the data runs on a page: it shows as text (issue 19, item 6).

A copy of the project gets a `<script>` and an `<img onerror>` appended to every free-text
cell of its raw layer (every column of a raw CSV in which some value has a space: names,
labels, titles, phrases, locators, notes; ids, codes, dates, numbers and enumerations have
none). The copy is built and its pages 01–03 rendered once; each page is loaded in Chromium,
which must run neither payload and show the script's text literally.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser import Chromium, evaluate_on_page, require_chromium

from analysis import paths

IGNORED = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.duckdb*", "reports",
                                 "output", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints",
                                 "package", "package.*", ".render-*")
# No spaces inside, so a phrase keeps its word count but for one.
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = "<img/src=x/onerror=window.__pwned=2>"
PAYLOAD = f" {SCRIPT}{IMAGE}"
PAGES = ["01_sources_and_coverage", "02_locality_comparison", "03_over_time"]


def free_text_columns(rows: list[dict[str, str]]) -> list[str]:
    return [column for column in (rows[0] if rows else {})
            if any(" " in (row[column] or "") for row in rows)]


def _kind(path: Path, raw: Path) -> str:
    """Files of one kind share their columns: every figures file is one kind."""
    relative = path.relative_to(raw)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def inject(raw: Path, skip: set[tuple[str, str]], originals: dict[Path, str]) -> int:
    """Append the payload to every non-empty free-text cell of the original files, except
    in the (kind, column) pairs of ``skip``; the number of cells changed."""
    changed = 0
    for path in sorted(raw.rglob("*.csv")):
        original = originals.setdefault(path, path.read_text("utf-8"))
        reader = csv.DictReader(io.StringIO(original))
        rows = list(reader)
        columns = [c for c in free_text_columns(rows) if (_kind(path, raw), c) not in skip]
        for row in rows:
            for column in columns:
                if row[column]:
                    row[column] += PAYLOAD
                    changed += 1
        out = io.StringIO()
        writer = csv.DictWriter(out, reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), "utf-8")
    return changed


REFUSED = re.compile(r"^error: data/raw/(\S+?\.csv):\d+: column '([^']+)'", re.MULTILINE)


def run_in(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=1200)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The copy's rendered pages 01–03 (one build, one render of three notebooks)."""
    require_chromium()
    copy = tmp_path_factory.mktemp("markup") / "de-an-06"
    shutil.copytree(paths.ROOT, copy, ignore=IGNORED)
    raw = copy / "data" / "raw"
    # A column the build parses (a number printed with words, an enumeration) refuses the
    # payload with one line naming it: it is not free text, so it goes back to its original.
    # The words the reader matches printed text against are keys, not text to show.
    skip: set[tuple[str, str]] = {("qualifiers", "word"), ("indicator_keywords", "keyword")}
    originals: dict[Path, str] = {}
    for _ in range(4):
        assert inject(raw, skip, originals) > 100
        built = run_in(copy, "-m", "analysis", "build")
        refused = {(_kind(raw / name, raw), column)
                   for name, column in REFUSED.findall(built.stderr)}
        if built.returncode == 0 or not refused - skip:
            break
        skip |= refused
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    # name_vi must be the admin-unit library's spelling, so the build refuses markup there
    # with one line (that refusal is its protection); the other names and labels are free.
    free_text = {"localities": {"name_en"}, "indicators": {"label_vi", "label_en"}}
    assert not {(kind, column) for kind, columns in free_text.items() for column in columns} \
        & skip, f"the build refuses markup in a name or label: {sorted(skip)}"
    script = ("import sys; from analysis import paths; "
              "from analysis.report.render import render_notebook; "
              "paths.REPORTS.mkdir(exist_ok=True); "
              "[render_notebook(paths.NOTEBOOKS / f'{name}.py') for name in sys.argv[1:]]")
    done = run_in(copy, "-c", script, *PAGES)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return copy / "reports"


PROBE = f"""
(() => JSON.stringify({{
  pwned: window.__pwned === undefined ? null : window.__pwned,
  literal: document.body.innerText.includes({SCRIPT!r}),
  images: Array.from(document.querySelectorAll('img')).filter(i => i.getAttribute('src') === 'x')
    .length,
}}))()
"""


@pytest.mark.parametrize("name", PAGES)
def test_markup_in_the_data_shows_as_text_and_never_runs(rendered: Path, name: str) -> None:
    import json

    page = rendered / f"{name}.html"
    with Chromium() as browser:
        found = json.loads(evaluate_on_page(page, 1000, PROBE, browser=browser))
    assert found["pwned"] is None, f"{name}: markup from the data ran ({found})"
    assert found["images"] == 0, f"{name}: an <img> from the data became an element"
    assert found["literal"], f"{name}: the injected text is not shown literally"


def test_the_injection_reaches_the_kinds_of_text_a_page_shows() -> None:
    rows = list(csv.DictReader((paths.RAW / "localities.csv").open(encoding="utf-8")))
    assert "name_en" in free_text_columns(rows)
    rows = list(csv.DictReader((paths.RAW / "indicators.csv").open(encoding="utf-8")))
    assert {"label_vi", "label_en"} <= set(free_text_columns(rows))
