"""The Excel workbook: a first sheet that explains every sheet and column in Vietnamese and
English, then one sheet per view.

Text is always written as text (xlsxwriter's `write_string`, with formula, URL and number
conversion switched off), so a value beginning with `=`, `+`, `-` or `@` never becomes a
formula. The file is deterministic: fixed document dates, and xlsxwriter dates its zip
entries 1980-01-01.

A cell holds at most 32,767 characters (Excel's limit): a longer text is cut and ends with a
note saying so and where the full text is (the view's CSV and Parquet files); the first sheet
counts such cells. Every sheet prints landscape, one page wide, its header row repeated.

Row limit: xlsxwriter writes cell by cell (about 10-20 µs a cell on this project's machine,
so a million figures of 43 columns would take many minutes), and an Excel sheet holds at most
1,048,575 rows under its header. So a view with more than WORKBOOK_MAX_ROWS rows is not put
in the workbook: the first sheet says so and points to its CSV and Parquet files, which hold
every row and are written by DuckDB in seconds. Spreadsheet users get every register, the
errata and the validation summary at any scale, and the figures while they are few enough
to browse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from analysis import paths
from analysis.publish.dictionary import Dictionary, View
from analysis.publish.flat_files import quote_identifier

EXCEL_MAX_DATA_ROWS = 1_048_576 - 1  # one row is the header
EXCEL_MAX_CELL_TEXT = 32_767  # characters a cell holds
WORKBOOK_MAX_ROWS = 100_000  # larger views only in CSV and Parquet (see the module docstring)
FETCH_ROWS = 20_000
ABOUT_SHEET = "Đọc trước (Read me)"
TYPE_LABELS = {  # Table Schema type -> Vietnamese / English
    "string": "văn bản / text", "number": "số / number", "integer": "số nguyên / integer",
    "boolean": "đúng-sai / boolean", "date": "ngày / date",
}
COLUMN_WIDTHS = {"string": 28, "number": 14, "integer": 12, "boolean": 10, "date": 12}
# Workbooks already written, by a hash of everything that decides their bytes (see _key).
CACHE = paths.WORKBOOK_CACHE
CACHE_ENTRIES = 4


def vi_number(number: int) -> str:
    """A whole number as Vietnamese text groups it: 100.000 (English: 100,000)."""
    return f"{number:,}".replace(",", ".")


def cut_note(view: View) -> str:
    return (f" [… bị cắt ở {vi_number(EXCEL_MAX_CELL_TEXT)} ký tự; cut at "
            f"{EXCEL_MAX_CELL_TEXT:,} characters: full text in {view.name}.csv, "
            f"{view.name}.parquet]")


def fitted_text(text: str, note: str) -> str:
    """`text` if a cell holds it; else cut so that it ends with `note` within the limit."""
    if len(text) <= EXCEL_MAX_CELL_TEXT:
        return text
    return text[:EXCEL_MAX_CELL_TEXT - len(note)] + note


def _sheet_writers(sheet: Any, view: View, formats: dict[str, Any]) -> list[Callable]:
    """One cell writer per column, by its declared type (never type-sniffing text)."""
    note = cut_note(view)
    by_type: dict[str, Callable] = {
        "string": lambda row, col, value: sheet.write_string(row, col, fitted_text(value, note)),
        "number": sheet.write_number,
        "integer": sheet.write_number,
        "boolean": sheet.write_boolean,
        "date": lambda row, col, value: sheet.write_datetime(row, col, value, formats["date"]),
    }
    return [by_type[column.type] for column in view.columns]


def _view_rows(con: duckdb.DuckDBPyConnection, view: View) -> duckdb.DuckDBPyConnection:
    return con.execute(f"SELECT * FROM {quote_identifier(view.name)} ORDER BY {view.order_by}")


def _key(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, included: list[View],
         *inputs: object) -> str:
    """A hash of everything the workbook's bytes depend on: this module's code, xlsxwriter,
    zlib and Python (they write the file and its zip), the dictionary, the other arguments,
    and every row of every sheet in sheet order, with its Python type (repr)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for part in (xlsxwriter.__version__, zlib.ZLIB_RUNTIME_VERSION, sys.version,
                 dictionary.package, dictionary.views, *inputs):
        digest.update(repr(part).encode())
    for view in included:
        digest.update(view.name.encode())
        rows = _view_rows(con, view)
        while batch := rows.fetchmany(FETCH_ROWS):
            digest.update(repr(batch).encode())
    return digest.hexdigest()


def _cached(key: str, path: Path, cache: Path | None) -> bool:
    """Copy the workbook written before for `key` to `path`, if there is one."""
    if cache is None or not (cache / f"{key}.xlsx").is_file():
        return False
    shutil.copyfile(cache / f"{key}.xlsx", path)
    return True


def _keep(key: str, path: Path, cache: Path | None) -> None:
    """Keep a copy of a new workbook under its key; only the latest few are kept."""
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f"{key}.{os.getpid()}.partial"
        shutil.copyfile(path, partial)
        partial.replace(cache / f"{key}.xlsx")
        kept = sorted(cache.glob("*.xlsx"), key=lambda entry: entry.stat().st_mtime)
        for old in kept[:-CACHE_ENTRIES]:
            old.unlink()
    except OSError:
        pass  # a read-only checkout still exports, only slower


def _write_view(sheet: Any, view: View, rows: duckdb.DuckDBPyConnection,
                formats: dict[str, Any]) -> int:
    for col, column in enumerate(view.columns):
        sheet.write_string(0, col, column.name, formats["header"])
        sheet.set_column(col, col, COLUMN_WIDTHS[column.type])
    writers = _sheet_writers(sheet, view, formats)
    row_number = 0
    while batch := rows.fetchmany(FETCH_ROWS):
        for row in batch:
            row_number += 1
            for col, value in enumerate(row):
                if value is not None:  # missing stays an empty cell
                    writers[col](row_number, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row_number, 1), len(view.columns) - 1)
    print_setup(sheet, header_rows=1)
    return row_number


def print_setup(sheet: Any, header_rows: int) -> None:
    """Landscape A4, one page wide (as many pages down as needed), header rows repeated."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, header_rows - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    sheet.set_footer("&L&A&RTrang / Page &P / &N")


def cut_cells(con: duckdb.DuckDBPyConnection, view: View) -> int:
    """How many of the view's text cells are longer than a cell holds."""
    texts = [quote_identifier(c.name) for c in view.columns if c.type == "string"]
    if not texts:
        return 0
    over = " + ".join(f"count(*) FILTER (WHERE length({name}) > {EXCEL_MAX_CELL_TEXT})"
                      for name in texts)
    return con.execute(f"SELECT {over} FROM {quote_identifier(view.name)}").fetchone()[0]


def _write_about(sheet: Any, dictionary: Dictionary, counts: dict[str, int], max_rows: int,
                 heading: Sequence[str], formats: dict[str, Any],
                 cut: dict[str, int] | None = None) -> None:
    for col, width in enumerate((22, 22, 18, 60, 60, 24)):
        sheet.set_column(col, col, width, formats["wrap"])
    cut = {name: n for name, n in (cut or {}).items() if n}
    if cut:
        where = ", ".join(f"{name} ({n})" for name, n in cut.items())
        heading = [*heading, f"Ô văn bản dài hơn {vi_number(EXCEL_MAX_CELL_TEXT)} ký tự bị cắt "
                   "và ghi chú như vậy; văn bản đầy đủ ở tệp CSV và Parquet. Text cells longer "
                   f"than {EXCEL_MAX_CELL_TEXT:,} characters are cut and say so; the full text "
                   f"is in the CSV and Parquet files: {where}."]
    for row, line in enumerate(heading):
        sheet.write_string(row, 0, line, formats["title"] if row == 0 else None)
    row = len(heading) + 1
    header_row = row
    titles = ("Trang tính / Sheet", "Cột / Column", "Kiểu / Type", "Mô tả (tiếng Việt)",
              "Description (English)", "Số dòng / Rows")
    for col, title in enumerate(titles):
        sheet.write_string(row, col, title, formats["header"])
    sheet.freeze_panes(row + 1, 0)
    for view in dictionary.views:
        row += 1
        sheet.write_string(row, 0, view.name, formats["bold"])
        sheet.write_string(row, 3, view.vi, formats["bold_wrap"])
        sheet.write_string(row, 4, view.en, formats["bold_wrap"])
        if counts[view.name] <= max_rows:
            sheet.write_number(row, 5, counts[view.name], formats["count"])
        else:
            sheet.write_string(row, 5, f"{vi_number(counts[view.name])} > "
                               f"{vi_number(max_rows)}: xem {view.name}.csv, "
                               f"{view.name}.parquet · {counts[view.name]:,} > {max_rows:,}: "
                               f"see {view.name}.csv, {view.name}.parquet")
        for column in view.columns:
            row += 1
            sheet.write_string(row, 0, view.name)
            sheet.write_string(row, 1, column.name)
            sheet.write_string(row, 2, TYPE_LABELS[column.type])
            sheet.write_string(row, 3, column.vi)
            sheet.write_string(row, 4, column.en)
    print_setup(sheet, header_rows=header_row + 1)


def write_workbook(con: duckdb.DuckDBPyConnection, dictionary: Dictionary, path: Path,
                   heading: Sequence[str], version_date: dt.date,
                   max_rows: int = WORKBOOK_MAX_ROWS, cache: Path | None = CACHE
                   ) -> dict[str, int]:
    """Write the workbook; return the rows written per view (views left out are absent).

    Writing goes cell by cell (~3 s for today's data). A workbook written before from the
    very same inputs (see _key: code, libraries, dictionary, arguments, every row) is copied
    from `cache` instead: the same bytes, as the file is deterministic. `cache=None` always
    writes.
    """
    if not 0 <= max_rows <= EXCEL_MAX_DATA_ROWS:
        raise ValueError(f"max_rows must be within Excel's {EXCEL_MAX_DATA_ROWS:,} ({max_rows})")
    counts = {view.name: con.execute(f"SELECT count(*) FROM {quote_identifier(view.name)}")
              .fetchone()[0] for view in dictionary.views}
    included = {name for name, count in counts.items() if count <= max_rows}
    key = _key(con, dictionary, [view for view in dictionary.views if view.name in included],
               list(heading), version_date, max_rows, counts) if cache is not None else ""
    if _cached(key, path, cache):
        return {name: counts[name] for name in counts if name in included}
    workbook = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,  # rows are flushed as written: memory stays flat
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "nan_inf_to_errors": True,
    })
    created = dt.datetime.combine(version_date, dt.time())
    workbook.set_properties({"title": str(dictionary.package.get("title", "")),
                             "created": created, "modified": created})
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True, "valign": "top"}),
        "bold_wrap": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        # Grouped digits: Excel shows its user's own separators (100.000 in Vietnamese).
        "count": workbook.add_format({"num_format": "#,##0", "valign": "top"}),
    }
    cut = {view.name: cut_cells(con, view) for view in dictionary.views
           if view.name in included}
    _write_about(workbook.add_worksheet(ABOUT_SHEET), dictionary, counts, max_rows, heading,
                 formats, cut)
    written = {}
    for view in dictionary.views:
        if view.name not in included:
            continue
        written[view.name] = _write_view(workbook.add_worksheet(view.name), view,
                                         _view_rows(con, view), formats)
    workbook.close()
    _keep(key, path, cache)
    return written
