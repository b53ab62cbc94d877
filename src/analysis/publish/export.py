"""`python -m analysis export`: write the data package folder from the database's public views.

The package is written into a fresh folder beside the target and swapped in only when every
file is complete, so a failed export leaves the previous package untouched.
"""

from __future__ import annotations

import datetime as dt
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
from analysis.publish.workbook import WORKBOOK_MAX_ROWS, write_workbook

WORKBOOK_NAME = "de_an_06.xlsx"
DESCRIPTOR_NAME = "datapackage.json"


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
                      max_rows: int) -> list[str]:
    licence = ", ".join(item["name"] for item in dictionary.package["licenses"])
    return [
        str(dictionary.package["title"]),
        f"Phiên bản / Version {version} ({date.isoformat()}). Giấy phép dữ liệu / Data licence: "
        f"{licence}.",
        "Mỗi trang tính là một bảng; trang này mô tả các trang và cột. "
        "Each sheet is one table; this sheet describes the sheets and their columns.",
        f"Một trang tính chứa tối đa {max_rows:,} dòng; bảng lớn hơn chỉ có ở tệp CSV và "
        f"Parquet. A sheet holds at most {max_rows:,} rows; a larger table is only in the CSV "
        "and Parquet files.",
    ]


def export(database: Path = paths.DATABASE, target: Path = paths.PACKAGE,
           dictionary_path: Path = paths.DICTIONARY, quiet: bool = False,
           workbook_max_rows: int = WORKBOOK_MAX_ROWS) -> Path:
    """Write CSV, Parquet, the workbook and datapackage.json for every view in the dictionary."""
    started = time.perf_counter()
    dictionary = load_dictionary(dictionary_path)
    if not database.exists():
        raise ProjectError(f"{database}: does not exist: run `python -m analysis build` first")
    partial = target.with_name(target.name + ".tmp")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    timings: list[tuple[str, float]] = []
    con = duckdb.connect(str(database), read_only=True, config=paths.DUCKDB_CONFIG)
    try:
        problems = check_against_database(dictionary, con)
        if problems:
            raise ProjectError("\n".join(problems))
        version, date = project_version(), version_date(con)
        step = time.perf_counter()
        for view in dictionary.views:
            write_flat_files(con, view, partial)
        timings.append(("CSV and Parquet", time.perf_counter() - step))
        step = time.perf_counter()
        in_workbook = write_workbook(con, dictionary, partial / WORKBOOK_NAME,
                                     _workbook_heading(dictionary, version, date,
                                                       workbook_max_rows), date,
                                     max_rows=workbook_max_rows)
        timings.append(("workbook", time.perf_counter() - step))
        step = time.perf_counter()
        write_descriptor(build_descriptor(con, dictionary, partial, version, date.isoformat()),
                         partial / DESCRIPTOR_NAME)
        timings.append(("datapackage.json", time.perf_counter() - step))
        counts = {view.name: con.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()[0]
                  for view in dictionary.views}
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        con.close()
    previous = target.with_name(target.name + ".old")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    partial.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    if not quiet:
        shown = paths.shown(target)
        print(f"exported {len(dictionary.views)} views, version {version} ({date}), to {shown}/")
        for name, count in counts.items():
            note = "" if name in in_workbook else "  (over the workbook's row limit: CSV, Parquet)"
            print(f"  {name:<20} {count:>9,} rows{note}")
        for name, seconds in timings:
            print(f"  {name:<20} {seconds * 1000:9.1f} ms")
        print(f"  {'total':<20} {(time.perf_counter() - started) * 1000:9.1f} ms")
    return target
