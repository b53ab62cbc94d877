"""`python -m analysis export`: write the data package folder from the database's public views.

The package is written into a folder of this process's own beside the target and swapped in
only when every file is complete (analysis.publish.swap): a failed or killed export leaves
the previous package untouched, two exports at once each write their own, and there is no
moment without a package.

Only a validated database is published: one whose last validation passed. `--unvalidated`
publishes anyway and says so in datapackage.json (`validation.status`) and its description.

Beside the database, export also writes a copy in an older DuckDB storage format
(COMPAT_STORAGE_VERSION), which the DuckDB releases users have installed can open.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import tomllib
from pathlib import Path

import duckdb

from analysis import paths
from analysis.errors import ProjectError
from analysis.publish.descriptor import build_descriptor, write_descriptor
from analysis.publish.dictionary import Dictionary, check_against_database, load_dictionary
from analysis.publish.flat_files import write_flat_files
from analysis.publish.swap import clean_leftovers, new_folder, swap_in
from analysis.publish.workbook import WORKBOOK_MAX_ROWS, vi_number, write_workbook

WORKBOOK_NAME = "de_an_06.xlsx"
DESCRIPTOR_NAME = "datapackage.json"
# DuckDB 1.2.0's storage format (version 65): DuckDB 1.2 to 1.5 and 2.x open it; DuckDB 2.0
# writes version 69 by default, which 1.x refuses. Tested with the DuckDB CLI from PyPI.
COMPAT_STORAGE_VERSION = "v1.2.0"


def compat_path(database: Path) -> Path:
    """Where the copy of `database` in the older storage format goes, named for both."""
    return database.with_name(f"{database.stem}.storage-{COMPAT_STORAGE_VERSION}.duckdb")


def write_compat_copy(database: Path, target: Path | None = None) -> Path:
    """Copy every schema, table, view and macro of `database` into a file in the storage
    format COMPAT_STORAGE_VERSION (written beside it, then renamed into place)."""
    target = compat_path(database) if target is None else target
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS published (READ_ONLY)", [str(database)])
        con.execute(f"ATTACH ? AS compat (STORAGE_VERSION '{COMPAT_STORAGE_VERSION}')",
                    [str(partial)])
        con.execute("COPY FROM DATABASE published TO compat")
        con.execute("DETACH compat")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        con.close()
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    partial.replace(target)
    return target


def read_every_table(con: duckdb.DuckDBPyConnection) -> None:
    """Read every block of every table: DuckDB opens a truncated file and fails only when it
    reaches a missing block, which would otherwise look like a database with no verdict."""
    for schema, table in con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                                     "WHERE database_name = current_database()").fetchall():
        con.execute(f'SELECT count(*) FROM "{schema}"."{table}" '
                    "WHERE hash(COLUMNS(*)) IS NOT NULL").fetchall()


def validation_status(con: duckdb.DuckDBPyConnection, database: Path,
                      unvalidated: bool) -> dict[str, object]:
    """What datapackage.json says about validation; refuses what must not be published."""
    from analysis.validation.results import read_verdict

    verdict = read_verdict(con)
    if verdict is not None and verdict["passed"]:
        return {"status": "passed", "checks": verdict["checks"],
                "warnings": verdict["warnings"]}
    state = ("was never validated" if verdict is None else
             f"failed validation on {verdict['validated_at']:%Y-%m-%d %H:%M} UTC "
             f"({verdict['unexplained']} unexplained, {verdict['stale_errata']} stale errata)")
    if not unvalidated:
        read_every_table(con)  # a damaged file says so, rather than "never validated"
        raise ProjectError(f"{paths.shown(database)}: {state}: nothing exported; run "
                           "`python -m analysis validate` (or `export --unvalidated` to "
                           "publish it marked as not validated)")
    return {"status": "not validated", "note": f"exported with --unvalidated: the database "
            f"{state.replace('was never validated', 'had not been validated')}"}


def project_version(pyproject: Path = paths.PYPROJECT) -> str:
    """The release version: one place, pyproject.toml (CITATION.cff is tested against it)."""
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]


def version_date(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The version date: the latest publication in the source register (data, not the clock)."""
    latest = con.execute("SELECT max(published_on) FROM sources").fetchone()[0]
    if latest is None:
        raise ProjectError("sources: the source register is empty: nothing to export")
    return latest


def _workbook_heading(dictionary: Dictionary, version: str, date: dt.date,
                      max_rows: int, validated: bool = True) -> list[str]:
    licence = ", ".join(item["name"] for item in dictionary.package["licenses"])
    warning = [] if validated else [
        "CHƯA KIỂM ĐỊNH: xuất từ một cơ sở dữ liệu chưa qua kiểm định. NOT VALIDATED: "
        "exported from a database that did not pass validation."]
    return [*warning,
        str(dictionary.package["title"]),
        f"Phiên bản / Version {version} ({date.isoformat()}). Giấy phép dữ liệu / Data licence: "
        f"{licence}.",
        "Mỗi trang tính là một bảng; trang này mô tả các trang và cột. "
        "Each sheet is one table; this sheet describes the sheets and their columns.",
        f"Một trang tính chứa tối đa {vi_number(max_rows)} dòng; bảng lớn hơn chỉ có ở tệp CSV "
        f"và Parquet. A sheet holds at most {max_rows:,} rows; a larger table is only in the CSV "
        "and Parquet files.",
    ]


def export(database: Path = paths.DATABASE, target: Path = paths.PACKAGE,
           dictionary_path: Path = paths.DICTIONARY, quiet: bool = False,
           workbook_max_rows: int = WORKBOOK_MAX_ROWS, unvalidated: bool = False,
           compat_copy: bool | None = None) -> Path:
    """Write CSV, Parquet, the workbook and datapackage.json for every view in the dictionary.

    `compat_copy`: also write the database in the older storage format (default: when
    exporting the project's own database)."""
    started = time.perf_counter()
    dictionary = load_dictionary(dictionary_path)
    if not database.exists():
        raise ProjectError(f"{database}: does not exist: run `python -m analysis build` first")
    clean_leftovers(target)
    timings: list[tuple[str, float]] = []
    con = duckdb.connect(str(database), read_only=True, config=paths.DUCKDB_CONFIG)
    partial: Path | None = None
    try:
        problems = check_against_database(dictionary, con)
        if problems:
            raise ProjectError("\n".join(problems))
        validation = validation_status(con, database, unvalidated)
        partial = new_folder(target)
        version, date = project_version(), version_date(con)
        step = time.perf_counter()
        for view in dictionary.views:
            write_flat_files(con, view, partial)
        timings.append(("CSV and Parquet", time.perf_counter() - step))
        step = time.perf_counter()
        in_workbook = write_workbook(con, dictionary, partial / WORKBOOK_NAME,
                                     _workbook_heading(dictionary, version, date,
                                                       workbook_max_rows,
                                                       validation["status"] == "passed"), date,
                                     max_rows=workbook_max_rows)
        timings.append(("workbook", time.perf_counter() - step))
        step = time.perf_counter()
        write_descriptor(build_descriptor(con, dictionary, partial, version, date.isoformat(),
                                          validation=validation,
                                          files=[WORKBOOK_NAME]), partial / DESCRIPTOR_NAME)
        timings.append(("datapackage.json", time.perf_counter() - step))
        counts = {view.name: con.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()[0]
                  for view in dictionary.views}
    except BaseException:
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        con.close()
    swap_in(partial, target)
    if compat_copy if compat_copy is not None else database == paths.DATABASE:
        step = time.perf_counter()
        written = write_compat_copy(database)
        timings.append((f"DuckDB {COMPAT_STORAGE_VERSION} copy", time.perf_counter() - step))
        if not quiet:
            print(f"wrote {paths.shown(written)} (DuckDB storage {COMPAT_STORAGE_VERSION}: "
                  "DuckDB 1.2 and later open it)")
    if not quiet:
        if validation["status"] != "passed":
            print(f"warning: {validation['note']}; datapackage.json says so")
        shown = paths.shown(target)
        print(f"exported {len(dictionary.views)} views, version {version} ({date}), to {shown}/")
        for name, count in counts.items():
            note = "" if name in in_workbook else "  (over the workbook's row limit: CSV, Parquet)"
            print(f"  {name:<20} {count:>9,} rows{note}")
        for name, seconds in timings:
            print(f"  {name:<20} {seconds * 1000:9.1f} ms")
        print(f"  {'total':<20} {(time.perf_counter() - started) * 1000:9.1f} ms")
    return target
