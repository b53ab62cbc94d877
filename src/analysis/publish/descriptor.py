"""datapackage.json: the Frictionless Data Package descriptor of the exported CSV files.

Every resource carries a Table Schema whose fields, types, descriptions and keys come from
data/dictionary.yml; the package's sources are the source register. Keys keep a fixed order
and the only date inside is the version date, so the same data give the same bytes.
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


def _resource(view: View, dictionary: Dictionary, csv_path: Path) -> dict[str, Any]:
    with csv_path.open("rb") as file:
        digest = hashlib.file_digest(file, "md5").hexdigest()  # the Data Package v1 default
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
                     version: str, version_date: str) -> dict[str, Any]:
    package = dictionary.package
    return {
        "profile": "tabular-data-package",
        "name": package["name"],
        "title": package["title"],
        "description": " ".join(str(package["description"]).split())
        + f" Sources published up to {version_date}. The same tables are in Parquet "
          "(<view>.parquet, typed) and in one Excel workbook.",
        "version": version,
        "version_date": version_date,  # the latest publication date in the source register
        "licenses": package["licenses"],
        "contributors": package["contributors"],
        "sources": _sources(con),
        "resources": [_resource(view, dictionary, folder / f"{view.name}.csv")
                      for view in dictionary.views],
    }


def write_descriptor(descriptor: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8", newline="\n")
