"""The data package: every described view exported as CSV, Parquet and workbook sheets that
hold the view's rows, a datapackage.json that Frictionless validates, byte-identical re-exports,
and the dictionary, README, licence and citation that go with it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

from analysis import paths
from analysis.errors import ProjectError
from analysis.publish import workbook as workbook_module
from analysis.publish.dictionary import (
    Column,
    Dictionary,
    View,
    check_against_database,
    load_dictionary,
    public_views,
)
from analysis.publish.dictionary_page import render_page
from analysis.publish.export import DESCRIPTOR_NAME, WORKBOOK_NAME, export, project_version
from analysis.publish.spreadsheet_safe import neutralise
from analysis.publish.workbook import ABOUT_SHEET, write_workbook

CFF_SCHEMA = Path(__file__).parent / "fixtures" / "citation-cff-1.2.0.schema.json"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the validated database `make all` built (findings filled in); else a fresh
    build (findings empty, every view still present, exported with unvalidated=True)."""
    folder = tmp_path_factory.mktemp("export_db")
    if paths.DATABASE.exists():
        return Path(shutil.copy(paths.DATABASE, folder / "de_an_06.duckdb"))
    from analysis.warehouse.build import build

    return build(folder / "de_an_06.duckdb", quiet=True)


def validated(database: Path) -> bool:
    from analysis.validation.results import read_verdict

    with duckdb.connect(str(database), read_only=True) as con:
        verdict = read_verdict(con)
    return bool(verdict and verdict["passed"])


@pytest.fixture(scope="module")
def package(database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(database, tmp_path_factory.mktemp("export") / "package", quiet=True,
                  unvalidated=not validated(database))


@pytest.fixture(scope="module")
def dictionary() -> Dictionary:
    return load_dictionary()


def view_rows(database: Path, view: View) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f'SELECT * FROM "{view.name}" ORDER BY {view.order_by}').fetchall()


def same_value(exported: object, expected: object) -> bool:
    if expected is None:
        return exported is None
    if isinstance(expected, float):
        return isinstance(exported, int | float) and math.isclose(exported, expected,
                                                                  rel_tol=1e-15)
    if isinstance(expected, dt.date) and isinstance(exported, dt.datetime):
        return exported == dt.datetime.combine(expected, dt.time())
    return type(exported) is type(expected) and exported == expected


# --- the dictionary -----------------------------------------------------------------------


def test_every_public_view_is_described_with_its_columns_and_types(database, dictionary):
    with duckdb.connect(str(database), read_only=True) as con:
        assert sorted(public_views(con)) == sorted(view.name for view in dictionary.views), \
            "a public view without an entry in data/dictionary.yml (or the reverse)"
        assert check_against_database(dictionary, con) == []


def test_dictionary_errors_name_the_file_line_and_field(tmp_path, database):
    text = paths.DICTIONARY.read_text(encoding="utf-8")
    broken = tmp_path / "dictionary.yml"
    # The figures view's as_of is a date; call it an integer and the check must say where.
    at = text.index("      as_of: &as_of\n        type: date")
    broken.write_text(text[:at] + text[at:].replace("type: date", "type: integer", 1),
                      encoding="utf-8")
    line = text[:at].count("\n") + 1
    with duckdb.connect(str(database), read_only=True) as con:
        problems = check_against_database(load_dictionary(broken), con)
    # The anchor is shared: every view using it is reported too, each at its own line.
    assert problems[0] == (f"{broken}:{line}: figures.as_of.type: integer does not hold the "
                           "view's DATE (integer)")
    assert len(problems) == 1 + text.count("as_of: *as_of")
    assert all(re.match(rf"{re.escape(str(broken))}:\d+: \w+\.as_of\.type: integer", problem)
               for problem in problems)

    broken.write_text(text.replace("type: date", "type: datetime", 1), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"dictionary\.yml:\d+: sources\.published_on\.type: "
                                           r"not one of .* \('datetime'\)"):
        load_dictionary(broken)


def test_the_data_dictionary_page_is_generated_from_the_dictionary(dictionary):
    page = paths.DICTIONARY_PAGE.read_text(encoding="utf-8")
    assert render_page(dictionary) == page, (
        "docs/data-dictionary.md disagrees with data/dictionary.yml: run "
        "`python -m analysis.publish.dictionary_page`")
    for view in dictionary.views:
        assert f"## `{view.name}`" in page


# --- datapackage.json and Frictionless ----------------------------------------------------


def test_frictionless_validates_the_package_with_the_views_row_counts(package, database,
                                                                      dictionary):
    from frictionless import validate

    report = validate(package / DESCRIPTOR_NAME)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    with duckdb.connect(str(database), read_only=True) as con:
        expected = {view.name: con.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()[0]
                    for view in dictionary.views}
    # Frictionless leaves "rows" out of the stats of an empty resource.
    assert {task.name: task.stats.get("rows", 0) for task in report.tasks
            if task.type == "table"} == expected


def test_the_descriptor_lists_every_file_the_package_ships_with_its_size_and_hash(package):
    import hashlib

    descriptor = json.loads((package / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    listed = {resource["path"]: resource for resource in descriptor["resources"]}
    shipped = {path.name for path in package.iterdir()} - {DESCRIPTOR_NAME}
    assert set(listed) == shipped
    assert {name.rsplit(".", 1)[1] for name in shipped} == {"csv", "parquet", "xlsx"}
    for name, resource in listed.items():
        data = (package / name).read_bytes()
        assert (resource["bytes"], resource["hash"]) == (len(data), hashlib.md5(data).hexdigest())
        assert resource.get("type", "table") == ("table" if name.endswith(".csv") else "file")


def test_every_field_has_a_type_and_the_dictionary_description(package, dictionary):
    descriptor = json.loads((package / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    tables = [resource for resource in descriptor["resources"] if "schema" in resource]
    assert [resource["name"] for resource in tables] == [view.name for view in dictionary.views]
    for resource, view in zip(tables, dictionary.views, strict=True):
        assert (resource["path"], resource["format"], resource["encoding"]) == \
            (f"{view.name}.csv", "csv", "utf-8")
        fields = resource["schema"]["fields"]
        assert [(f["name"], f["type"], f["description"]) for f in fields] == \
            [(c.name, c.type, c.en) for c in view.columns]
        assert all(f["description"].strip() for f in fields)
        assert resource["schema"].get("primaryKey", []) == list(view.primary_key)
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    references = {(key["fields"], key["reference"]["resource"])
                  for key in figures["schema"]["foreignKeys"]}
    assert {("source_id", "sources"), ("locality_id", "localities"),
            ("indicator_id", "indicators")} <= references


def test_descriptor_metadata_comes_from_the_project_and_the_source_register(package, database):
    descriptor = json.loads((package / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    with duckdb.connect(str(database), read_only=True) as con:
        sources, latest = con.execute("SELECT count(*), max(published_on) FROM sources").fetchone()
    assert descriptor["version"] == project_version()
    assert descriptor["version_date"] == latest.isoformat()
    assert len(descriptor["sources"]) == sources
    assert all(source["title"] for source in descriptor["sources"])
    assert descriptor["licenses"] and descriptor["contributors"]
    for key in ("name", "title", "description"):
        assert descriptor[key]


def test_frictionless_reports_a_figure_whose_source_is_unknown(package, tmp_path):
    """The validation above can fail: a broken foreign key is reported as such."""
    from frictionless import validate

    copy = shutil.copytree(package, tmp_path / "package")
    figures_csv = copy / "figures.csv"
    lines = figures_csv.read_bytes().decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    cells = next(csv.reader([lines[1]]))
    cells[header.index("source_id")] = "no-such-source"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    lines[1] = buffer.getvalue()
    figures_csv.write_bytes("\r\n".join(lines).encode("utf-8"))
    descriptor = json.loads((copy / DESCRIPTOR_NAME).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "figures":
            del resource["bytes"], resource["hash"]  # the edit changes them; keep only the key
    (copy / DESCRIPTOR_NAME).write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(copy / DESCRIPTOR_NAME)
    assert not report.valid
    assert {error.type for task in report.tasks for error in task.errors} == {"foreign-key"}


# --- CSV, Parquet, workbook hold the views' rows -----------------------------------------


def test_csv_files_hold_the_views_rows_in_rfc4180_with_iso_dates(package, database, dictionary):
    for view in dictionary.views:
        raw = (package / f"{view.name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), "UTF-8 without BOM"
        assert raw.count(b"\n") == raw.count(b"\r\n"), f"{view.name}: every line ends in CRLF"
        records = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
        assert records[0] == view.column_names
        expected = view_rows(database, view)
        assert len(records) - 1 == len(expected)
        for record, row in zip(records[1:], expected, strict=True):
            for cell, value, column in zip(record, row, view.columns, strict=True):
                if value is None:
                    assert cell == "", (view.name, column.name)
                elif column.type == "number":
                    assert re.fullmatch(r"-?\d+(\.\d+)?(e[+-]\d+)?", cell), cell
                    assert float(cell) == value
                elif column.type == "boolean":
                    assert cell == str(value).lower()
                elif column.type == "date":
                    assert cell == value.isoformat()
                else:  # text a spreadsheet would run gets an apostrophe in front
                    assert cell == neutralise(str(value)), (view.name, column.name)


def test_parquet_files_read_back_into_duckdb_equal_the_views(package, database, dictionary):
    with duckdb.connect(str(database), read_only=True) as con:
        for view in dictionary.views:
            parquet = str(package / f"{view.name}.parquet").replace("'", "''")
            view_types = con.execute(f'DESCRIBE "{view.name}"').fetchall()
            file_types = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{parquet}')").fetchall()
            assert [row[:2] for row in file_types] == [row[:2] for row in view_types]
            for left, right in ((f'"{view.name}"', f"read_parquet('{parquet}')"),
                                (f"read_parquet('{parquet}')", f'"{view.name}"')):
                differing = con.execute(f"SELECT count(*) FROM (SELECT * FROM {left} "
                                        f"EXCEPT ALL SELECT * FROM {right})").fetchone()[0]
                assert differing == 0, (view.name, left)
            assert con.execute(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchone() == \
                con.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()


def test_workbook_sheets_hold_the_views_rows(package, database, dictionary):
    workbook = openpyxl.load_workbook(package / WORKBOOK_NAME, read_only=True)
    assert workbook.sheetnames == [ABOUT_SHEET] + [view.name for view in dictionary.views]
    for view in dictionary.views:
        rows = list(workbook[view.name].iter_rows(values_only=True))
        assert list(rows[0]) == view.column_names
        expected = view_rows(database, view)
        assert len(rows) - 1 == len(expected), view.name
        for got, want in zip(rows[1:], expected, strict=True):
            assert all(same_value(a, b) for a, b in zip(got, want, strict=True)), (got, want)
    workbook.close()


def test_workbook_first_sheet_explains_every_sheet_and_column_in_both_languages(package,
                                                                                  dictionary):
    workbook = openpyxl.load_workbook(package / WORKBOOK_NAME, read_only=True)
    rows = {row[:5] for row in workbook[ABOUT_SHEET].iter_rows(values_only=True)}
    workbook.close()
    for view in dictionary.views:
        assert (view.name, None, None, view.vi, view.en) in rows
        for column in view.columns:
            assert any(row[:2] == (view.name, column.name) and row[3] == column.vi
                       and row[4] == column.en for row in rows), (view.name, column.name)


def small_case(con: duckdb.DuckDBPyConnection, texts: list[str]) -> Dictionary:
    """A one-view database and dictionary built here, for the workbook's edge cases."""
    con.execute("CREATE TABLE notes_table (note_id INTEGER, note VARCHAR, noted_on DATE)")
    con.executemany("INSERT INTO notes_table VALUES (?, ?, ?)",
                    [(i, text, dt.date(2024, 1, i + 1)) for i, text in enumerate(texts)])
    con.execute("CREATE VIEW notes AS SELECT * FROM notes_table")
    view = View("notes", "Notes", "Notes.", "Ghi chú.", ("note_id",), {},
                (Column("note_id", "integer", "id", "mã"), Column("note", "string", "text", "chữ"),
                 Column("noted_on", "date", "day", "ngày")))
    return Dictionary({"title": "test"}, (view,), paths.DICTIONARY, {})


def test_workbook_writes_formula_like_text_as_text(tmp_path):
    texts = ["=1+1", "+84 90 123", "-5", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")",
             "Hòa Bình, Gò Công Tây", "0012", "http://example.invalid"]
    with duckdb.connect() as con:
        written = write_workbook(con, small_case(con, texts), tmp_path / "w.xlsx", ["t"],
                                 dt.date(2024, 1, 1))
    assert written == {"notes": len(texts)}
    sheet = openpyxl.load_workbook(tmp_path / "w.xlsx")["notes"]
    cells = [sheet.cell(row=i + 2, column=2) for i in range(len(texts))]
    assert [cell.value for cell in cells] == texts
    assert {cell.data_type for cell in cells} == {"s"}
    with zipfile.ZipFile(tmp_path / "w.xlsx") as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet2.xml")


def test_workbook_leaves_out_a_view_over_the_row_limit_and_says_where_it_is(tmp_path):
    with duckdb.connect() as con:
        written = write_workbook(con, small_case(con, ["a", "b", "c"]), tmp_path / "w.xlsx",
                                 ["t"], dt.date(2024, 1, 1), max_rows=2)
    assert written == {}
    workbook = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True)
    assert workbook.sheetnames == [ABOUT_SHEET]
    cells = [cell for row in workbook[ABOUT_SHEET].iter_rows(values_only=True) for cell in row]
    assert any(isinstance(cell, str) and "notes.csv" in cell and "notes.parquet" in cell
               for cell in cells)
    workbook.close()


def test_workbook_from_the_cache_is_the_one_written_and_any_change_misses_it(tmp_path):
    cache = tmp_path / "cache"
    with duckdb.connect() as con:
        dictionary = small_case(con, ["a", "b"])

        def write(name: str, **kwargs) -> bytes:
            assert write_workbook(con, dictionary, tmp_path / name, ["t"],
                                  dt.date(2024, 1, 1), **kwargs) == {"notes": 2}
            return (tmp_path / name).read_bytes()

        fresh = write("fresh.xlsx", cache=None)
        assert not cache.exists()
        assert write("first.xlsx", cache=cache) == fresh
        assert len(list(cache.glob("*.xlsx"))) == 1
        assert write("again.xlsx", cache=cache) == fresh  # copied: the only entry
        (entry,) = cache.glob("*.xlsx")
        entry.write_bytes(b"not a workbook")  # what a hit would copy
        assert write("hit.xlsx", cache=cache) == b"not a workbook"
        con.execute("UPDATE notes_table SET note = 'c' WHERE note_id = 1")
        changed = write("changed.xlsx", cache=cache)
        assert changed != fresh and changed == write("changed_fresh.xlsx", cache=None)
        assert len(list(cache.glob("*.xlsx"))) == 2


# --- deterministic, atomic ------------------------------------------------------------------


def test_exporting_twice_gives_byte_identical_csv_json_and_workbook(package, database, tmp_path,
                                                                    monkeypatch):
    # The workbook written anew, not copied from the cache of workbooks already written.
    monkeypatch.setattr(workbook_module, "_cached", lambda key, path, cache: False)
    again = export(database, tmp_path / "again", quiet=True,
                   unvalidated=not validated(database))
    names = sorted(path.name for path in package.iterdir())
    assert names == sorted(path.name for path in again.iterdir())
    for name in names:
        if name.endswith((".csv", ".json", ".xlsx")):
            assert (package / name).read_bytes() == (again / name).read_bytes(), name


def test_a_failed_export_leaves_the_previous_package_untouched(package, database, tmp_path):
    target = shutil.copytree(package, tmp_path / "package")
    before = {path.name: path.read_bytes() for path in target.iterdir()}
    spec = yaml.safe_load(paths.DICTIONARY.read_text(encoding="utf-8"))
    spec["views"]["figures"]["columns"]["extra_column"] = {"type": "string", "en": "x", "vi": "x"}
    bad = tmp_path / "dictionary.yml"
    bad.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"figures\.columns: differ from the view's columns"):
        export(database, target, dictionary_path=bad, quiet=True, unvalidated=True)
    assert {path.name: path.read_bytes() for path in target.iterdir()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dictionary.yml", "package"]


# --- licence, citation, a repository that stands alone ----------------------------------


def test_citation_cff_is_valid_and_carries_the_project_version():
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    citation = yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    jsonschema.validate(citation, schema)
    assert citation["version"] == project_version()
    assert "CC-BY-4.0" in citation["license"]
    without_authors = {key: value for key, value in citation.items() if key != "authors"}
    with pytest.raises(jsonschema.ValidationError):  # the schema check can fail
        jsonschema.validate(without_authors, schema)


def test_licence_files_state_the_code_and_data_licences(dictionary):
    licence = (paths.ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "CC BY 4.0" in licence
    assert [item["name"] for item in dictionary.package["licenses"]] == ["CC-BY-4.0"]


def test_no_tracked_file_points_outside_the_repository():
    if shutil.which("git") is None or not (paths.ROOT / ".git").exists():
        pytest.skip("not a git checkout (or git missing): the tracked files are unknown")
    # Built from parts so this file does not match itself.
    patterns = ["-e", r"\.\./" + "shared", "-e", "/" + "work/"]
    result = subprocess.run(["git", "grep", "-n", *patterns, "--", ".", ":!.ci"],
                            cwd=paths.ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and not result.stdout, result.stdout
