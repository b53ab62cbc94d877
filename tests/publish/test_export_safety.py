"""Export's guarantees: a package is always there and whole (two exports at once, a kill at
any moment), only a validated database is published unless asked, text a spreadsheet would
run is neutralised in the CSV files, and a cell cut at Excel's limit says so."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

from analysis import paths
from analysis.errors import ProjectError
from analysis.publish import swap
from analysis.publish import workbook as workbook_module
from analysis.publish.export import DESCRIPTOR_NAME, WORKBOOK_NAME, export
from analysis.publish.spreadsheet_safe import needs_neutralising, neutralise
from analysis.publish.workbook import EXCEL_MAX_CELL_TEXT
from analysis.validation.results import VERDICT_TABLE

ROUNDS = 20
FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "=HYPERLINK(\"http://x\")"]
PLAIN = ["-2.51", "+4,3", "-12%", "Hà Nội", "", "a=b"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small database (the `sources` view: a few real rows, a formula-like title and a
    40,000-character one) validated as passing, and a dictionary of that one view."""
    folder = tmp_path_factory.mktemp("tiny")
    spec = yaml.safe_load(paths.DICTIONARY.read_text(encoding="utf-8"))
    spec["views"] = {"sources": {**spec["views"]["sources"], "foreign_keys": {}}}
    dictionary = folder / "dictionary.yml"
    dictionary.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False),
                          encoding="utf-8")
    database = folder / "tiny.duckdb"
    built = paths.DATABASE
    if not built.exists():
        from analysis.warehouse.build import build

        built = build(folder / "full.duckdb", quiet=True)
    with duckdb.connect(str(database)) as con:
        con.execute("ATTACH ? AS full_db (READ_ONLY)", [str(built)])
        con.execute("CREATE TABLE src AS SELECT * FROM full_db.main.sources "
                    "ORDER BY source_id LIMIT 4")
        con.execute("UPDATE src SET title = ? WHERE source_id = (SELECT min(source_id) "
                    "FROM src)", ["=HYPERLINK(\"http://example.invalid\")"])
        con.execute("UPDATE src SET title = ? WHERE source_id = (SELECT max(source_id) "
                    "FROM src)", ["x" * 40_000])
        con.execute("CREATE VIEW sources AS SELECT * FROM src")
        con.execute("CREATE SCHEMA validation")
        con.execute(VERDICT_TABLE)
        con.execute("INSERT INTO validation.verdict VALUES (true, ?, 1, 0, 0, 0)",
                    [dt.datetime(2026, 1, 1)])
    return database, dictionary


@pytest.fixture(autouse=True)
def no_workbook_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """These exports must not fill (and evict from) the project's cache of workbooks."""
    monkeypatch.setattr(workbook_module, "_cached", lambda key, path, cache: False)
    monkeypatch.setattr(workbook_module, "_keep", lambda key, path, cache: None)


def small_export(database: Path, dictionary: Path, target: Path, **kwargs) -> Path:
    return export(database, target, dictionary_path=dictionary, quiet=True, compat_copy=False,
                  **kwargs)


def whole(target: Path) -> dict:
    """The package's descriptor, after checking every file it lists is there as listed."""
    descriptor = json.loads((target / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        data = (target / resource["path"]).read_bytes()
        assert len(data) == resource["bytes"], resource["path"]
        assert hashlib.md5(data).hexdigest() == resource["hash"], resource["path"]
    listed = {resource["path"] for resource in descriptor["resources"]} | {DESCRIPTOR_NAME}
    assert {path.name for path in target.iterdir()} == listed
    return descriptor


def leftovers(target: Path) -> list[str]:
    return sorted(path.name for path in target.parent.iterdir() if path.name != target.name
                  and path.name.startswith(f".{target.name}."))


# --- no moment without a whole package -------------------------------------------------------


def _export_child(database: str, dictionary: str, target: str) -> None:
    small_export(Path(database), Path(dictionary), Path(target))


def test_two_exports_at_once_leave_a_whole_package_and_it_is_never_absent(tiny, tmp_path):
    database, dictionary = tiny
    target = tmp_path / "package"
    small_export(database, dictionary, target)
    missing, checks, stop = [], [0], threading.Event()

    def watch() -> None:  # a reader: the package must be there at every look
        while not stop.is_set():
            checks[0] += 1
            if not (target / DESCRIPTOR_NAME).is_file():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    fork = multiprocessing.get_context("fork")
    try:
        for _ in range(ROUNDS):
            children = [fork.Process(target=_export_child,
                                     args=(str(database), str(dictionary), str(target)))
                        for _ in range(2)]
            for child in children:
                child.start()
            for child in children:
                child.join(60)
                assert child.exitcode == 0
            whole(target)
            assert leftovers(target) == []
    finally:
        stop.set()
        watcher.join()
    assert checks[0] > 100 and missing == []


KILLED_EXPORT = """
import sys
from pathlib import Path
from analysis.publish import workbook
from analysis.publish.export import export
workbook._cached = lambda key, path, cache: False
workbook._keep = lambda key, path, cache: None
export(Path(sys.argv[1]), Path(sys.argv[3]), dictionary_path=Path(sys.argv[2]), quiet=True,
       compat_copy=False)
"""


def test_an_export_killed_at_any_moment_leaves_a_whole_package_and_the_next_cleans_up(
        tiny, tmp_path):
    database, dictionary = tiny
    target = tmp_path / "package"
    small_export(database, dictionary, target)
    env = {**os.environ, "PYTHONPATH": str(paths.SOURCE_ROOT)}
    randomness = random.Random(19)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(database), str(dictionary),
                    str(target)], env=env, check=True)
    full = time.perf_counter() - started
    for _ in range(6):
        child = subprocess.Popen([sys.executable, "-c", KILLED_EXPORT, str(database),
                                  str(dictionary), str(target)], env=env)
        time.sleep(randomness.uniform(0.3, 1.0) * full)
        child.send_signal(signal.SIGKILL)
        child.wait()
        whole(target)
    small_export(database, dictionary, target)
    whole(target)
    assert leftovers(target) == []


def test_the_fallback_put_back_a_package_left_half_swapped(tmp_path):
    """Where folders cannot be exchanged: a kill between the two renames leaves only the old
    package under its temporary name; the next export puts it back before anything else."""
    target = tmp_path / "package"
    old = tmp_path / ".package.999999999.0000.old"  # a process that no longer runs
    old.mkdir()
    (old / "x.csv").write_bytes(b"a\r\n")
    swap.clean_leftovers(target)
    assert (target / "x.csv").read_bytes() == b"a\r\n" and not old.exists()


def test_the_fallback_swap_works_where_exchange_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "exchange", lambda first, second: False)
    target = tmp_path / "package"
    target.mkdir()
    (target / "old.csv").write_text("old", encoding="utf-8")
    new = swap.new_folder(target)
    (new / "new.csv").write_text("new", encoding="utf-8")
    swap.swap_in(new, target)
    assert [path.name for path in target.iterdir()] == ["new.csv"]
    assert leftovers(target) == []


# --- validated or marked -----------------------------------------------------------------


def set_verdict(database: Path, copy: Path, passed: bool | None) -> Path:
    copy.write_bytes(database.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM validation.verdict")
        if passed is not None:
            con.execute("INSERT INTO validation.verdict VALUES (?, ?, 9, 2, 1, 0)",
                        [passed, dt.datetime(2026, 3, 4, 5, 6)])
    return copy


@pytest.mark.parametrize(("passed", "says"), [(None, "was never validated"),
                                              (False, "failed validation on 2026-03-04 05:06")])
def test_export_refuses_a_database_not_validated_or_failed(tiny, tmp_path, passed, says):
    database, dictionary = tiny
    copy = set_verdict(database, tmp_path / "db.duckdb", passed)
    target = tmp_path / "package"
    with pytest.raises(ProjectError, match=f"{says}.*nothing exported.*--unvalidated"):
        small_export(copy, dictionary, target)
    assert not target.exists() and leftovers(target) == []


def test_unvalidated_export_says_so_in_the_descriptor_and_the_workbook(tiny, tmp_path):
    database, dictionary = tiny
    copy = set_verdict(database, tmp_path / "db.duckdb", False)
    target = small_export(copy, dictionary, tmp_path / "package", unvalidated=True)
    descriptor = whole(target)
    assert descriptor["validation"]["status"] == "not validated"
    assert "failed validation on 2026-03-04" in descriptor["validation"]["note"]
    assert descriptor["description"].startswith("NOT VALIDATED")
    sheet = openpyxl.load_workbook(target / WORKBOOK_NAME, read_only=True).worksheets[0]
    assert "NOT VALIDATED" in next(sheet.iter_rows(values_only=True))[0]
    passed = whole(small_export(database, dictionary, tmp_path / "validated"))
    assert passed["validation"]["status"] == "passed"
    assert not passed["description"].startswith("NOT VALIDATED")


def test_the_command_line_refuses_a_fresh_build_with_one_line(built_database):
    """A build never validated (the session's fresh build) is refused before anything is
    written, so this command leaves the project's package alone."""
    before = {path.name: path.stat().st_mtime_ns for path in paths.PACKAGE.glob("*")}
    env = {**os.environ, "PYTHONPATH": str(paths.SOURCE_ROOT),
           paths.DATABASE_ENV: str(built_database)}
    result = subprocess.run([sys.executable, "-m", "analysis", "export"], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: {built_database}: was never validated: nothing exported; run `python -m "
        "analysis validate` (or `export --unvalidated` to publish it marked as not validated)"]
    assert {path.name: path.stat().st_mtime_ns for path in paths.PACKAGE.glob("*")} == before


# --- spreadsheets ------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS + PLAIN)
def test_the_sql_and_python_rules_for_formula_like_text_agree(text):
    from analysis.publish.spreadsheet_safe import sql_expression

    with duckdb.connect() as con:
        (got,) = con.execute(f"SELECT {sql_expression('t')} FROM (SELECT ? AS t)",
                             [text]).fetchone()
    assert got == neutralise(text)
    assert needs_neutralising(text) == (text in FORMULAS)


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_and_the_rest_kept(tiny, tmp_path):
    database, dictionary = tiny
    target = small_export(database, dictionary, tmp_path / "package")
    rows = list(csv.DictReader(io.StringIO((target / "sources.csv").read_text(
        encoding="utf-8"), newline="")))
    with duckdb.connect(str(database), read_only=True) as con:
        titles = [t for (t,) in con.execute("SELECT title FROM sources ORDER BY source_id")
                  .fetchall()]
    assert [row["title"] for row in rows] == [neutralise(t) for t in titles]
    assert rows[0]["title"] == "'=HYPERLINK(\"http://example.invalid\")"
    assert not any(needs_neutralising(cell) for row in rows for cell in row.values())
    # Parquet keeps the text exactly; the workbook stores it as text.
    parquet = str(target / "sources.parquet")
    with duckdb.connect() as con:
        assert con.execute("SELECT title FROM read_parquet(?) ORDER BY source_id",
                           [parquet]).fetchone()[0] == titles[0]


def test_a_text_longer_than_a_cell_holds_is_cut_with_a_note_and_counted(tiny, tmp_path):
    database, dictionary = tiny
    target = small_export(database, dictionary, tmp_path / "package")
    workbook = openpyxl.load_workbook(target / WORKBOOK_NAME, read_only=True)
    titles = [row[2] for row in workbook["sources"].iter_rows(min_row=2, values_only=True)]
    cut = titles[-1]
    assert len(cut) == EXCEL_MAX_CELL_TEXT
    assert cut.startswith("x" * 30_000)
    assert cut.endswith("cut at 32,767 characters: full text in sources.csv, sources.parquet]")
    assert "bị cắt ở 32.767 ký tự" in cut
    about = [cell for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row
             if isinstance(cell, str)]
    assert any("longer than 32,767 characters are cut" in c and "sources (1)" in c
               for c in about)
    # The CSV keeps the whole text.
    assert "x" * 40_000 in (target / "sources.csv").read_text(encoding="utf-8")


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(tiny, tmp_path):
    database, dictionary = tiny
    target = small_export(database, dictionary, tmp_path / "package")
    workbook = openpyxl.load_workbook(target / WORKBOOK_NAME)
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        # fitToWidth 1 is the file format's default, which xlsxwriter leaves out
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows, sheet.title
    assert workbook["sources"].print_title_rows == "$1:$1"


def test_chart_data_downloads_neutralise_formula_like_text_too():
    import pandas as pd

    from analysis.report.kit.presentation import csv_text

    data = pd.DataFrame({"label": FORMULAS + PLAIN, "n": range(len(FORMULAS + PLAIN))})
    rows = list(csv.DictReader(io.StringIO(csv_text(data), newline="")))
    assert [row["label"] for row in rows] == [neutralise(t) for t in FORMULAS + PLAIN]
    assert [row["n"] for row in rows] == [str(i) for i in range(len(rows))]


def test_a_passing_export_replaces_a_package_marked_not_validated(tiny, tmp_path):
    from analysis.validation.results import NOT_VALIDATED_NAME, mark_not_validated

    database, dictionary = tiny
    target = small_export(database, dictionary, tmp_path / "package")
    mark_not_validated(dt.datetime(2026, 1, 2, tzinfo=dt.UTC), reports=tmp_path / "none",
                       package=target)
    assert (target / NOT_VALIDATED_NAME).is_file()
    small_export(database, dictionary, target)
    assert not (target / NOT_VALIDATED_NAME).exists()
    whole(target)
