"""Every path the project uses, in one place."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"  # the raw files are named in analysis.raw, one per table
# The database every command and notebook uses; the variable points them at another file
# (`python -m analysis all` points the pages that read only the build at a copy of it).
DATABASE_ENV = "DE_AN_06_DATABASE"
DATABASE = Path(os.environ.get(DATABASE_ENV) or ROOT / "data" / "processed" / "de_an_06.duckdb")

SQL_DIR = Path(__file__).resolve().parent / "sql"
EXPECTATIONS = ROOT / "expectations"
RULES_YML = EXPECTATIONS / "rules.yml"
GX_ROOT = ROOT / "gx"

NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"

DICTIONARY = ROOT / "data" / "dictionary.yml"  # the public views' data dictionary
PACKAGE = ROOT / "data" / "processed" / "package"  # the exported data package

# Every connection that writes or exports a million rows: DuckDB's buffers bounded so that a
# national-scale run stays within a few GB (it spills to a temporary folder beyond), and rows
# written in whatever order is fastest (every reader and export states its own ORDER BY).
DUCKDB_CONFIG = {"memory_limit": "2GB", "preserve_insertion_order": False}
