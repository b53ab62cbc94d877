"""Every path the project uses, in one place."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"  # the raw files are named in analysis.raw, one per table
DATABASE = ROOT / "data" / "processed" / "de_an_06.duckdb"

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
