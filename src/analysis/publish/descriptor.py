"""datapackage.json: the Frictionless Data Package descriptor of every file the package ships.

Every CSV file is a tabular resource whose Table Schema (fields, types, descriptions, keys)
comes from data/dictionary.yml; the Parquet files and the workbook are listed as file
resources with their size and hash. The package's sources are the source register, and
`validation` says whether the database was validated. Keys keep a fixed order and the only
date inside is the version date, so the same data give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb

from analysis.publish.dictionary import Dictionary, View

# How the CSV files are written (sql/publish/copy_view.sql), stated for readers.
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
               "doubleQuote": True, "header": True}


def _schema(view: View, dictionary: Dictionary) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [{"name": column.name, "type": column.type, "description": column.en}
                   for column in view.columns],
        "missingValues": [""],
    }
    if view.primary_key:
        schema["primaryKey"] = list(view.primary_key)
    if view.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {
                "resource": "" if target == view.name else target,  # "" = this resource
                "fields": dictionary.view(target).primary_key[0]}}
            for column, target in view.foreign_keys.items()]
    return schema


MEDIA_TYPES = {
    ".parquet": ("parquet", "application/vnd.apache.parquet"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "md5").hexdigest()  # the Data Package v1 default


def _file_resource(path: Path, name: str, description: str) -> dict[str, Any]:
    """A shipped file that is not a CSV table: its format, size and hash."""
    file_format, mediatype = MEDIA_TYPES[path.suffix]
    # type "file": checked by size and hash only, not read as a table (Data Package v2).
    return {"name": name, "path": path.name, "type": "file", "profile": "data-resource",
            "description": description, "format": file_format, "mediatype": mediatype,
            "bytes": path.stat().st_size, "hash": _digest(path)}


def _resource(view: View, dictionary: Dictionary, csv_path: Path) -> dict[str, Any]:
    digest = _digest(csv_path)
    return {
        "name": view.name,
        "title": view.title,
        "description": view.en,
        "path": csv_path.name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": csv_path.stat().st_size,
        "hash": digest,
        "dialect": CSV_DIALECT,
        "schema": _schema(view, dictionary),
    }


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    """The source register, by title, publisher and date (and web address where there is one)."""
    rows = con.execute("SELECT title, publisher, published_on, reference FROM sources "
                       "ORDER BY source_id").fetchall()
    sources = []
    for title, publisher, published_on, reference in rows:
        source = {"title": f"{title}. {publisher}, {published_on.isoformat()}"}
        if reference and reference.startswith(("https://", "http://")):
            source["path"] = reference
        sources.append(source)
    return sources


def build_descriptor(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, folder: Path,
                     version: str, version_date: str,
                     validation: dict[str, Any] | None = None,
                     files: list[str] = ()) -> dict[str, Any]:
    """The descriptor; `files` are further shipped files (the workbook), after the views'
    CSV and Parquet files."""
    package = dictionary.package
    validation = validation or {"status": "not validated"}
    warning = ("" if validation["status"] == "passed" else
               "NOT VALIDATED: this package was exported from a database that did not pass "
               "validation. ")
    resources = [_resource(view, dictionary, folder / f"{view.name}.csv")
                 for view in dictionary.views]
    resources += [_file_resource(folder / f"{view.name}.parquet", f"{view.name}-parquet",
                                 f"{view.en} The same rows as {view.name}.csv, typed (Parquet).")
                  for view in dictionary.views if (folder / f"{view.name}.parquet").exists()]
    resources += [_file_resource(folder / name, name.rsplit(".", 1)[0].replace("_", "-"),
                                 "Every view as one sheet of an Excel workbook; its first sheet "
                                 "explains every sheet and column in Vietnamese and English.")
                  for name in files]
    return {
        "profile": "data-package",
        "name": package["name"],
        "title": package["title"],
        "description": warning + " ".join(str(package["description"]).split())
        + f" Sources published up to {version_date}. The same tables are in Parquet "
          "(<view>.parquet, typed) and in one Excel workbook. In the CSV files, a text that "
          "a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a "
          "carriage return, other than a plain signed number) starts with an apostrophe; "
          "Parquet and the workbook keep it exactly.",
        "version": version,
        "version_date": version_date,  # the latest publication date in the source register
        "validation": validation,
        "licenses": package["licenses"],
        "contributors": package["contributors"],
        "sources": _sources(con),
        "resources": resources,
    }


def write_descriptor(descriptor: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8", newline="\n")
