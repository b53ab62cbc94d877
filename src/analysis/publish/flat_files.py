"""CSV and Parquet files of the public views, written by DuckDB itself (no row loop in Python)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analysis import paths
from analysis.publish.dictionary import View
from analysis.publish.spreadsheet_safe import sql_expression

COPY_VIEW_SQL = paths.COPY_VIEW_SQL


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_flat_files(con: duckdb.DuckDBPyConnection, view: View, folder: Path) -> dict[str, Path]:
    """Write `<view>.csv` and `<view>.parquet` into `folder`; return both paths by format."""
    written = {"csv": folder / f"{view.name}.csv", "parquet": folder / f"{view.name}.parquet"}
    csv_columns = ", ".join(
        f"{sql_expression(quote_identifier(c.name))} AS {quote_identifier(c.name)}"
        if c.type == "string" else quote_identifier(c.name) for c in view.columns)
    sql = COPY_VIEW_SQL.read_text(encoding="utf-8").format(
        view=quote_identifier(view.name), csv_columns=csv_columns,
        order_by=view.order_by,
        csv_path=quote_literal(str(written["csv"])),
        parquet_path=quote_literal(str(written["parquet"])),
    )
    con.execute(sql)
    return written
