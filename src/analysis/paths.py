"""Every path the project uses, in one place."""

import os
from pathlib import Path

CODE = Path(__file__).resolve().parent  # src/analysis, the code
SOURCE_ROOT = CODE.parent  # src: importable without an install (kernels, child processes)
ROOT = SOURCE_ROOT.parent  # the repository

# Hand-kept input (never written by code); each raw table's file name is in analysis.ingest.
RAW = ROOT / "data" / "raw"
ERRATA = RAW / "errata"  # the errata register: <source_id>.yml, one file per source
DICTIONARY = ROOT / "data" / "dictionary.yml"  # the public views' data dictionary
LABELS = ROOT / "data" / "labels.yml"  # every bilingual label and colour the pages show
PYPROJECT = ROOT / "pyproject.toml"  # the package version
DOCS = ROOT / "docs"
DICTIONARY_PAGE = DOCS / "data-dictionary.md"  # generated from DICTIONARY

# Built output.
PROCESSED = ROOT / "data" / "processed"
# The database every command and notebook uses; the variable points them at another file
# (`python -m analysis all` points the pages that read only the build at a copy of it).
DATABASE_ENV = "DE_AN_06_DATABASE"
DATABASE = Path(os.environ.get(DATABASE_ENV) or PROCESSED / "de_an_06.duckdb")
# The exported data package, committed: users get the data without building.
PACKAGE = ROOT / "data" / "package"
CHART_RUNTIME_CACHE = PROCESSED / "chart-runtime"  # the Vega bundle, read once per version
WORKBOOK_CACHE = PROCESSED / "workbook-cache"  # workbooks already written, by input key
EXPORT_RECORD = PROCESSED / ".export-key.json"  # what `all` last exported the package from
# The locality register checked against the admin-unit library, by register and library version
# (the variable moves it: benchmarks time cold and warm checks side by side).
REGISTER_CACHE_ENV = "DE_AN_06_REGISTER_CACHE"
REGISTER_CACHE = Path(os.environ.get(REGISTER_CACHE_ENV) or PROCESSED / "register-cache")

# Validation.
EXPECTATIONS = ROOT / "expectations"
RULES_YML = EXPECTATIONS / "rules.yml"
GX_ROOT = ROOT / "gx"

# Pages.
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
VALIDATION_REPORT = REPORTS / "validation.html"

# Code-side files read at run time (shipped inside the package).
WAREHOUSE_SQL = CODE / "warehouse" / "sql"  # the build's models, one folder per schema
COPY_VIEW_SQL = CODE / "publish" / "copy_view.sql"
TEMPLATES = CODE / "report" / "templates"  # nbconvert's offline page template
OVER_TIME_SQL = CODE / "report" / "pages" / "over_time" / "sql"

# Every connection that writes or exports a million rows: DuckDB's buffers bounded so that a
# national-scale run stays within a few GB (it spills to a temporary folder beyond), and rows
# written in whatever order is fastest (every reader and export states its own ORDER BY).
DUCKDB_CONFIG = {"memory_limit": "2GB", "preserve_insertion_order": False}


def shown(path: Path) -> str:
    """A path as messages print it: relative to the repository when inside it."""
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
