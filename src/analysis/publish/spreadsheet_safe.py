"""Text a spreadsheet would run as a formula, made inert in the CSV files we publish.

Excel, LibreOffice and Google Sheets treat a cell that begins with `=`, `+`, `-`, `@`, a tab
or a carriage return as a formula (OWASP "CSV injection"). The raw checks refuse such text
in the hand-kept files; whatever still reaches an exported CSV (the package's CSV files, the
chart data downloads) is neutralised here the usual way: a leading apostrophe, which a
spreadsheet shows as text and does not run.

A cell that is only a signed number as printed (`-2.51`, `+4,3`, `-12%`) is left as it is: a
spreadsheet reads it as a number, nothing runs, and the value stays what the source printed.
The workbook needs none of this (it stores text as text), nor does Parquet (typed, no
formulas).
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A signed number as printed: digits with `.` or `,` groups or decimals, maybe a percent sign.
PLAIN_NUMBER = r"[-+][0-9]+([.,][0-9]+)*\s?%?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)


def needs_neutralising(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """`text`, with an apostrophe in front if a spreadsheet would run it as a formula."""
    return "'" + text if needs_neutralising(text) else text


def sql_expression(column: str) -> str:
    """The same rule in DuckDB SQL, for a quoted VARCHAR column name."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
    return (f"CASE WHEN left({column}, 1) IN ({starts}) "
            f"AND NOT regexp_full_match({column}, '{PLAIN_NUMBER}') "
            f"THEN '''' || {column} ELSE {column} END")
