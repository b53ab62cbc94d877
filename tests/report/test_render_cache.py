"""A page is executed again only when its notebook, the code or the database's content changed;
otherwise the last page is kept, identical in content to a full render. Small notebooks and
a small database made here; no project data needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from analysis import fingerprints, paths
from analysis.report import page_cache, render

FIXTURE = Path(__file__).parent / "fixtures" / "notebooks" / "01_fixture_charts.py"
# Shows the figure in the database and counts its own runs in a file beside the notebook.
READS_DATABASE = """# %% [markdown]
# # {title}

# %%
from pathlib import Path
from IPython.display import Markdown
from analysis import paths
import duckdb
runs = Path({runs!r})
runs.write_text(runs.read_text() + "x" if runs.exists() else "x")
with duckdb.connect(str(paths.DATABASE), read_only=True) as con:
    value = con.execute("SELECT value FROM main.figures").fetchone()[0]
Markdown(f"the figure is **{{value}}**")
"""


def _database(path: Path, value: int) -> None:
    """A database as a build leaves it: content, and the content key in raw.build."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE main.figures AS SELECT ?::INTEGER AS value", [value])
        con.execute(f"CREATE TABLE {fingerprints.BUILD_TABLE} AS "
                    "SELECT ?::VARCHAR AS content_key", [f"content with figure {value}"])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name, title in (("02_first", "First"), ("03_second", "Second")):
        (notebooks / f"{name}.py").write_text(READS_DATABASE.format(
            title=title, runs=str(tmp_path / f"{name}.runs")), encoding="utf-8")
    shutil.copy(FIXTURE, notebooks)  # charts: the runtime and the chart containers
    database = tmp_path / "de_an_06.duckdb"
    _database(database, 42)
    monkeypatch.setattr(paths, "DATABASE", database)  # this process reads the keys here,
    monkeypatch.setenv(paths.DATABASE_ENV, str(database))  # the kernels the figures
    return {"notebooks": notebooks, "out": tmp_path / "reports", "database": database,
            "root": tmp_path}


def _runs(project: dict[str, Path]) -> dict[str, int]:
    return {name: len(path.read_text()) if (path := project["root"] / f"{name}.runs").exists()
            else 0 for name in ("02_first", "03_second")}


def _pages(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.glob("*.html"))}


def test_unchanged_pages_are_kept_identical_to_a_full_render(project) -> None:
    render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 1, "03_second": 1}
    first = _pages(project["out"])
    assert b"the figure is <strong>42</strong>" in first["02_first.html"]

    kept = render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 1, "03_second": 1}  # nothing executed
    assert _pages(project["out"]) == first  # the index too: nothing changed
    assert sorted(p.name for p in kept) == sorted(first)

    render.render_all(project["notebooks"], project["out"], force=True)
    assert _runs(project) == {"02_first": 2, "03_second": 2}
    full = _pages(project["out"])
    pages = sorted(name for name in full if name != "index.html")  # the index is dated
    assert [full[name] for name in pages] == [first[name] for name in pages]


def test_a_changed_figure_renders_the_pages_again(project) -> None:
    render.render_all(project["notebooks"], project["out"])
    _database(project["database"], 43)  # a new build: another figure, another content key
    render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 2, "03_second": 2}
    page = (project["out"] / "02_first.html").read_text(encoding="utf-8")
    assert "the figure is <strong>43</strong>" in page


def test_a_changed_notebook_renders_its_page_alone(project) -> None:
    render.render_all(project["notebooks"], project["out"])
    notebook = project["notebooks"] / "03_second.py"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("# # Second", "# # Changed"),
                        encoding="utf-8")
    render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 1, "03_second": 2}
    assert "Changed" in (project["out"] / "index.html").read_text(encoding="utf-8")


def test_changed_code_renders_every_page_again(project, monkeypatch) -> None:
    render.render_all(project["notebooks"], project["out"])
    changed = fingerprints.code_key() + " and one line more"
    for module in (page_cache, render):
        monkeypatch.setattr(module, "code_key", lambda: changed)
    render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 2, "03_second": 2}


def test_a_page_edited_by_hand_or_a_database_without_a_key_renders_again(project) -> None:
    render.render_all(project["notebooks"], project["out"])
    page = project["out"] / "02_first.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 2, "03_second": 1}
    assert "edited" not in page.read_text(encoding="utf-8")
    with duckdb.connect(str(project["database"])) as con:  # as made by older code
        con.execute(f"DROP TABLE {fingerprints.BUILD_TABLE}")
    render.render_all(project["notebooks"], project["out"])
    assert _runs(project) == {"02_first": 3, "03_second": 2}
