"""Build data/processed/de_an_06.duckdb from data/raw, atomically.

Layers: `raw` (text exactly as transcribed, with file and line), `staging` (typed,
NFC-normalised views), `marts` (errata applied, context for analysis), `validation`
(the per-layer frames the rules run on, and the findings the validate step writes), and
the public views in `main`. The database is written to a temporary file and moved over
the previous one only when complete, so a failed or interrupted build changes nothing.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analysis import paths
from analysis.raw import COLUMNS, RawData, load_raw

SCHEMAS = ("raw", "staging", "marts", "validation")
# The context template is instantiated once per layer; see sql/context.sql.
CONTEXT_TARGETS = (
    ("validation.frame_raw", "staging.figures"),
    ("marts.figures", "marts.corrected_figures"),
)


@contextmanager
def _step(name: str, timings: list[tuple[str, float]]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings.append((name, time.perf_counter() - started))


def _run_sql_file(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(path.read_text(encoding="utf-8"))


def _create_text_table(con: duckdb.DuckDBPyConnection, name: str, columns: list[str],
                       rows: list[tuple]) -> None:
    column_sql = ", ".join(f'"{c}" VARCHAR' for c in columns[:-1]) + f', "{columns[-1]}" INTEGER'
    con.execute(f"CREATE TABLE {name} ({column_sql})")
    if rows:
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {name} VALUES ({placeholders})", rows)


def _load_raw_tables(con: duckdb.DuckDBPyConnection, data: RawData) -> None:
    for name, table in data.tables.items():
        columns = [*COLUMNS[name], "source_file", "source_line"]
        rows = [
            (*(row[c] for c in COLUMNS[name]), str(table.path.relative_to(paths.ROOT))
             if table.path.is_relative_to(paths.ROOT) else str(table.path), int(row["_line"]))
            for row in table.rows
        ]
        _create_text_table(con, f"raw.{name}", columns, rows)
    figure_columns = ["source_id", *COLUMNS["figures"], "source_file", "source_line"]
    figure_rows = [
        (row["_source_id"], *(row[c] for c in COLUMNS["figures"]), row["_file"], int(row["_line"]))
        for row in data.figures.rows
    ]
    _create_text_table(con, "raw.figures", figure_columns, figure_rows)

    con.execute("""CREATE TABLE staging.figure_numbers (figure_id VARCHAR, field VARCHAR,
                   number DOUBLE, decimals INTEGER, scale BIGINT, direction INTEGER)""")
    con.executemany(
        "INSERT INTO staging.figure_numbers VALUES (?, ?, ?, ?, ?, ?)",
        [(n["figure_id"], n["field"], n["number"], n["decimals"], n["scale"], n["direction"])
         for n in data.numbers],
    )
    _load_errata(con, data.errata)


def _load_errata(con: duckdb.DuckDBPyConnection, errata: list[dict]) -> None:
    con.execute("""CREATE TABLE raw.errata (erratum_id VARCHAR, source_id VARCHAR, action VARCHAR,
                   evidence VARCHAR, explanation VARCHAR, correction VARCHAR)""")
    con.execute("""CREATE TABLE raw.errata_breaks (erratum_id VARCHAR, rule VARCHAR,
                   figure_id VARCHAR)""")
    con.execute("""CREATE TABLE raw.errata_corrections (erratum_id VARCHAR, figure_id VARCHAR,
                   field VARCHAR, number DOUBLE)""")
    con.execute("""CREATE TABLE raw.errata_withholds (erratum_id VARCHAR, figure_id VARCHAR,
                   field VARCHAR)""")
    for entry in errata:
        corrections = entry.get("corrections") or []
        withholds = entry.get("withhold") or []
        summary = "; ".join(
            [f"{c['figure']}: " + ", ".join(f"{k} = {v}" for k, v in c.items() if k != "figure")
             for c in corrections]
            + [f"{w['figure']}: {w['field']} withheld" for w in withholds]
        )
        con.execute("INSERT INTO raw.errata VALUES (?, ?, ?, ?, ?, ?)", [
            entry["id"], entry["source_id"], entry["action"], str(entry["evidence"]).strip(),
            str(entry["explanation"]).strip(), summary or None])
        for item in entry["breaks"]:
            con.execute("INSERT INTO raw.errata_breaks VALUES (?, ?, ?)",
                        [entry["id"], item["rule"], item["figure"]])
        for item in corrections:
            for field, number in item.items():
                if field != "figure":
                    con.execute("INSERT INTO raw.errata_corrections VALUES (?, ?, ?, ?)",
                                [entry["id"], item["figure"], field, float(number)])
        for item in withholds:
            con.execute("INSERT INTO raw.errata_withholds VALUES (?, ?, ?)",
                        [entry["id"], item["figure"], item["field"]])


def build_database(con: duckdb.DuckDBPyConnection, data: RawData,
                   timings: list[tuple[str, float]]) -> None:
    """Create every layer in an open, empty database."""
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA {schema}")
    with _step("raw tables", timings):
        _load_raw_tables(con, data)
    build_derived(con, timings)


def build_derived(con: duckdb.DuckDBPyConnection, timings: list[tuple[str, float]]) -> None:
    """(Re)create everything computed from the raw tables: staging, frames, marts, views.

    Separate from loading so that tests can change a raw table inside a database and
    recompute, reaching states the raw-file checks would refuse (a missing locality row).
    """
    sql = paths.SQL_DIR
    with _step("staging views", timings):
        _run_sql_file(con, sql / "macros.sql")
        for path in sorted((sql / "staging").glob("*.sql")):
            _run_sql_file(con, path)
    context = (sql / "context.sql").read_text(encoding="utf-8")
    with _step("validation frame (raw layer)", timings):
        con.execute("CREATE OR REPLACE TABLE validation.frame_raw AS "
                    + context.replace("{figures}", "staging.figures"))
    with _step("marts", timings):
        _run_sql_file(con, sql / "marts" / "corrected.sql")
        con.execute("CREATE OR REPLACE TABLE marts.figures AS "
                    + context.replace("{figures}", "marts.corrected_figures"))
        _run_sql_file(con, sql / "marts" / "pairs.sql")
        con.execute("CREATE OR REPLACE VIEW validation.frame_marts AS SELECT * FROM marts.figures")
    with _step("series", timings):
        _run_sql_file(con, sql / "marts" / "series.sql")
        _run_sql_file(con, sql / "series_frame.sql")
    with _step("public views", timings):
        _run_sql_file(con, sql / "validation_tables.sql")
        _run_sql_file(con, sql / "public" / "views.sql")


def build(target: Path = paths.DATABASE, raw_dir: Path = paths.RAW, quiet: bool = False) -> Path:
    """Check data/raw, build a fresh database next to `target`, then swap it in."""
    timings: list[tuple[str, float]] = []
    with _step("read and check data/raw", timings):
        data = load_raw(raw_dir)  # raises InputError before anything is written
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    for leftover in (temporary, Path(f"{temporary}.wal")):
        leftover.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(temporary))
        try:
            build_database(con, data, timings)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(temporary, target)  # atomic on one filesystem
    finally:
        for leftover in (temporary, Path(f"{temporary}.wal")):
            leftover.unlink(missing_ok=True)
    if not quiet:
        _print_summary(data, timings, target)
    return target


def _print_summary(data: RawData, timings: list[tuple[str, float]], target: Path) -> None:
    per_source = Counter(row["_source_id"] for row in data.figures.rows)
    print(f"loaded {len(data.tables['sources'].rows)} sources, {len(data.figures.rows)} figures, "
          f"{len(data.tables['indicators'].rows)} indicators, {len(data.errata)} errata")
    for source_id in sorted(per_source):
        print(f"  {source_id:<16} {per_source[source_id]:>4} figures")
    for name, seconds in timings:
        print(f"  {name:<32} {seconds * 1000:8.1f} ms")
    shown = target.relative_to(paths.ROOT) if target.is_relative_to(paths.ROOT) else target
    print(f"wrote {shown}")
