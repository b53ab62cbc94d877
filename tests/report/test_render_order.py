"""`python -m analysis all` renders the pages that read only the build while validation runs,
on a copy of the database without validation's schema, and publishes nothing if validation
fails. Small notebooks and databases made here; no project data needed."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from analysis import paths
from analysis.report import execution, render
from analysis.warehouse.build import copy_of_build

HEADER_BUILD_ONLY = "# ---\n# jupyter:\n#   de_an_06:\n#     reads: build\n# ---\n\n"
# Each notebook leaves a marker file when it runs and shows the database it would read.
BODY = """# %% [markdown]
# # {title}

# %%
from pathlib import Path
from IPython.display import Markdown
from analysis import paths
Path({marker!r}).write_text("ran")
Markdown(f"database: {{paths.DATABASE}}")
"""


def _notebooks(folder: Path, markers: Path) -> tuple[Path, Path]:
    folder.mkdir()
    early = folder / "01_early.py"
    early.write_text(HEADER_BUILD_ONLY + BODY.format(title="Early", marker=str(markers / "early")),
                     encoding="utf-8")
    late = folder / "02_late.py"
    late.write_text(BODY.format(title="Late", marker=str(markers / "late")), encoding="utf-8")
    return early, late


def test_the_header_says_which_notebooks_read_only_the_build(tmp_path: Path) -> None:
    early, late = _notebooks(tmp_path / "notebooks", tmp_path)
    assert execution.reads_only_the_build(early)
    assert not execution.reads_only_the_build(late)


def test_build_only_pages_run_before_the_verdict_on_the_copy(tmp_path: Path) -> None:
    _notebooks(tmp_path / "notebooks", tmp_path)
    copy = tmp_path / "copy.duckdb"
    seen_at_verdict: dict[str, bool] = {}

    async def validated() -> bool:
        deadline = time.monotonic() + 120
        while not (tmp_path / "early").exists() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        seen_at_verdict.update(early=(tmp_path / "early").exists(),
                               late=(tmp_path / "late").exists())
        return True

    out = tmp_path / "out"
    with render.Renderer(tmp_path / "notebooks", out, build_copy=copy) as renderer:
        written = renderer.render(validated)
    assert seen_at_verdict == {"early": True, "late": False}
    assert {path.name for path in written} == {"01_early.html", "02_late.html", "index.html"}
    assert f"database: {copy}" in (out / "01_early.html").read_text(encoding="utf-8")
    assert f"database: {paths.DATABASE}" in (out / "02_late.html").read_text(encoding="utf-8")


def test_nothing_is_published_when_validation_fails(tmp_path: Path) -> None:
    _notebooks(tmp_path / "notebooks", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "01_early.html").write_text("the previous page", encoding="utf-8")

    async def validated() -> bool:
        return False

    with render.Renderer(tmp_path / "notebooks", out,
                         build_copy=tmp_path / "copy.duckdb") as renderer:
        assert renderer.render(validated) == []
    assert not (tmp_path / "late").exists()  # the page reading validation never ran
    assert (out / "01_early.html").read_text(encoding="utf-8") == "the previous page"
    assert not (out / "02_late.html").exists() and not (out / "index.html").exists()


def test_copy_of_build_drops_validation_so_reading_it_fails_loudly(tmp_path: Path) -> None:
    built = tmp_path / "built.duckdb"
    con = duckdb.connect(str(built))
    con.execute("CREATE SCHEMA validation")
    con.execute("CREATE TABLE validation.findings AS SELECT 1 AS rule")
    con.execute("CREATE TABLE figures AS SELECT 42 AS value")
    con.execute("CREATE VIEW findings AS SELECT * FROM validation.findings")
    con.close()
    copy = copy_of_build(built, tmp_path / "copy.duckdb")
    with duckdb.connect(str(copy), read_only=True) as reader:
        assert reader.execute("SELECT value FROM figures").fetchall() == [(42,)]
        with pytest.raises(duckdb.CatalogException, match="validation"):
            reader.execute("SELECT * FROM findings").fetchall()
    with duckdb.connect(str(built), read_only=True) as reader:  # the original keeps it
        assert reader.execute("SELECT rule FROM findings").fetchall() == [(1,)]


def _run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src")}
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=cwd, env=env,
                          input=stdin, capture_output=True, text=True, timeout=900)


def test_validate_when_ready_does_nothing_without_go() -> None:
    result = _run(paths.ROOT, "validate", "--when-ready", stdin="")
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


def test_all_publishes_nothing_when_validation_fails(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(paths.ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "*.duckdb*", "reports", "package", "output",
        ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", ".render-*"))
    errata_file = sorted((copy / "data" / "raw" / "errata").glob("*.yml"))[0]
    register = yaml.safe_load(errata_file.read_text(encoding="utf-8"))
    dropped = register["errata"].pop(0)  # its source error is then unexplained
    errata_file.write_text(yaml.safe_dump(register, allow_unicode=True), encoding="utf-8")

    result = _run(copy, "all")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "validation FAILED" in output and "render: no page written" in output
    assert dropped["breaks"][0]["figure"] in output
    assert not list((copy / "reports").glob("[0-9][0-9]_*.html"))
    assert not (copy / "reports" / "index.html").exists()
    assert not (copy / "data" / "processed" / "package").exists()
    assert not list((copy / "data" / "processed").glob(".render-*"))
