"""Every path the project uses, in one place."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
FIGURES_DIR = RAW / "figures"
SOURCES_CSV = RAW / "sources.csv"
LOCALITIES_CSV = RAW / "localities.csv"
INDICATORS_CSV = RAW / "indicators.csv"
UNITS_CSV = RAW / "units.csv"
QUALIFIERS_CSV = RAW / "qualifiers.csv"
ERRATA_YML = RAW / "errata.yml"

PROCESSED = ROOT / "data" / "processed"
DATABASE = PROCESSED / "de_an_06.duckdb"

SQL_DIR = Path(__file__).resolve().parent / "sql"
EXPECTATIONS = ROOT / "expectations"
RULES_YML = EXPECTATIONS / "rules.yml"
GX_ROOT = ROOT / "gx"

NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
SHARED = ROOT.parent / "shared"
