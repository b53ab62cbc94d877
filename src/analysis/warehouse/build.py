"""Build data/processed/de_an_06.duckdb from data/raw, atomically.

Layers: `raw` (text exactly as transcribed, with file and line), `staging` (typed,
NFC-normalised views), `marts` (errata applied, context for analysis), `validation`
(the per-layer frames the rules run on, and the findings the validate step writes), and
the public views in `main`. The database is written to a temporary file and moved over
the previous one only when complete, so a failed or interrupted build changes nothing.
"""

from __future__ import annotations

import array
import itertools
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from analysis import paths
from analysis.errors import ProjectError
from analysis.fingerprints import BUILD_TABLE, build_key, stored_keys
from analysis.ingest import COLUMNS, RawData, load_raw
from analysis.ingest.register_check import check_register
from analysis.warehouse.lock import database_lock, swap_in

SCHEMAS = ("raw", "staging", "marts", "validation")
# The context template is instantiated once per layer; see sql/marts/figures.sql.
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


def _create_text_table(con: duckdb.DuckDBPyConnection, name: str,
                       columns: dict[str, list], line_column: list[int]) -> None:
    """Bulk-load one raw table from columns (Arrow), text as VARCHAR, the line as INTEGER."""
    arrays = {c: _strings(v) for c, v in columns.items()}
    arrays["source_line"] = _numbers(line_column, "i")
    _create_from_arrow(con, name, pa.table(arrays))


# Arrow arrays are built from buffers, not with pa.array(): that imports pandas (seconds)
# to check whether its input is a pandas object, and converts no faster.
def _strings(values: list[str]) -> pa.Array:
    if len(values) > 10_000:
        # One encode of the joined column and Arrow's split: a third faster than encoding
        # each value; a value holding the separator falls back to the per-value path.
        data = "\x00".join(values).encode("utf-8")
        whole = pa.LargeStringArray.from_buffers(
            1, pa.py_buffer(array.array("q", [0, len(data)])), pa.py_buffer(data))
        parts = pc.split_pattern(whole, "\x00").flatten()
        if len(parts) == len(values):
            return parts
    encoded = [v.encode("utf-8") for v in values]
    offsets = array.array("q", [0])
    offsets.extend(itertools.accumulate(map(len, encoded)))
    return pa.LargeStringArray.from_buffers(len(values), pa.py_buffer(offsets),
                                            pa.py_buffer(b"".join(encoded)))


def _numbers(values: list, typecode: str) -> pa.Array:
    arrow_type = {"i": pa.int32(), "q": pa.int64(), "d": pa.float64()}[typecode]
    return pa.Array.from_buffers(arrow_type, len(values),
                                 [None, pa.py_buffer(array.array(typecode, values))])


def _create_from_arrow(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    # from_arrow, not register(): register imports pandas (2 s) even for an Arrow table.
    con.from_arrow(table).create(name)


def _load_raw_tables(con: duckdb.DuckDBPyConnection, data: RawData) -> None:
    for name, table in data.tables.items():
        shown = paths.shown(table.path)
        columns = {c: table.columns[c] for c in COLUMNS[name]}
        columns["source_file"] = [shown] * len(table)
        _create_text_table(con, f"raw.{name}", columns, table.lines)
    _load_register(con, data)
    figures = data.figures
    columns = {c: figures.columns[c] for c in ["source_id", *COLUMNS["figures"]]}
    columns["source_file"] = figures.files or []
    _create_text_table(con, "raw.figures", columns, figures.lines)

    _create_from_arrow(con, "staging.figure_numbers", pa.table({
        "figure_id": _strings(data.numbers["figure_id"]),
        "field": _strings(data.numbers["field"]),
        "number": _numbers(data.numbers["number"], "d"),
        "decimals": _numbers(data.numbers["decimals"], "i"),
        "scale": _numbers(data.numbers["scale"], "q"),
        "direction": _numbers(data.numbers["direction"], "i"),
    }))
    _load_errata(con, data.errata)


def _load_register(con: duckdb.DuckDBPyConnection, data: RawData) -> None:
    """The register as the admin-unit library completes it, and the derived lineage."""
    register = check_register(data.tables["localities"], data.tables["lineage"])
    for name, columns in (("locality_units", register.units),
                          ("lineage_derived", register.links)):
        _create_from_arrow(con, f"raw.{name}",
                           pa.table({c: _strings(v) for c, v in columns.items()}))


def _load_errata(con: duckdb.DuckDBPyConnection, errata: list[dict]) -> None:
    """The register as four tables, each bulk-loaded (thousands of errata at national scale)."""
    tables: dict[str, dict[str, list]] = {
        "errata": {c: [] for c in ("erratum_id", "source_id", "action", "evidence",
                                   "explanation", "explanation_vi", "correction")},
        "errata_breaks": {c: [] for c in ("erratum_id", "rule", "figure_id")},
        "errata_corrections": {c: [] for c in ("erratum_id", "figure_id", "field", "number")},
        "errata_withholds": {c: [] for c in ("erratum_id", "figure_id", "field")},
    }

    def add(table: str, *values: object) -> None:
        for column, value in zip(tables[table], values, strict=True):
            tables[table][column].append(value)

    for entry in errata:
        corrections = entry.get("corrections") or []
        withholds = entry.get("withhold") or []
        summary = "; ".join(
            [f"{c['figure']}: " + ", ".join(f"{k} = {v}" for k, v in c.items() if k != "figure")
             for c in corrections]
            + [f"{w['figure']}: {w['field']} withheld" for w in withholds]
        )
        add("errata", entry["id"], entry["source_id"], entry["action"],
            str(entry["evidence"]).strip(), str(entry["explanation"]).strip(),
            str(entry["explanation_vi"]).strip(), summary or None)
        for item in entry["breaks"]:
            add("errata_breaks", entry["id"], item["rule"], item["figure"])
        for item in corrections:
            for field, number in item.items():
                if field != "figure":
                    add("errata_corrections", entry["id"], item["figure"], field, float(number))
        for item in withholds:
            add("errata_withholds", entry["id"], item["figure"], item["field"])
    for name, columns in tables.items():
        arrays = {c: (_numbers(v, "d") if c == "number" else _strings([x or "" for x in v]))
                  for c, v in columns.items()}
        _create_from_arrow(con, f"raw.{name}", pa.table(arrays))
    con.execute("UPDATE raw.errata SET correction = NULL WHERE correction = ''")


def build_database(con: duckdb.DuckDBPyConnection, data: RawData,
                   timings: list[tuple[str, float]]) -> None:
    """Create every layer in an open, empty database."""
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA {schema}")
    with _step("raw tables", timings):
        _load_raw_tables(con, data)
    # The figures are in the database now; at a million figures their Python copies are
    # gigabytes that the SQL steps need more. Counts (rows per source) are kept.
    data.figures.columns.clear()
    data.numbers.clear()
    build_derived(con, timings)


def build_derived(con: duckdb.DuckDBPyConnection, timings: list[tuple[str, float]]) -> None:
    """(Re)create everything computed from the raw tables: staging, frames, marts, views.

    Separate from loading so that tests can change a raw table inside a database and
    recompute, reaching states the raw-file checks would refuse (a missing locality row).
    """
    sql = paths.WAREHOUSE_SQL
    with _step("staging views", timings):
        _run_sql_file(con, sql / "macros.sql")
        for path in sorted((sql / "staging").glob("*.sql")):
            _run_sql_file(con, path)
    context = (sql / "marts" / "figures.sql").read_text(encoding="utf-8")
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
        _run_sql_file(con, sql / "marts" / "per_person.sql")
        _run_sql_file(con, sql / "validation" / "frame_series.sql")
    with _step("public views", timings):
        _run_sql_file(con, sql / "validation" / "tables.sql")
        _run_sql_file(con, sql / "public" / "views.sql")


def _remove_temporaries(target: Path) -> None:
    """Remove what interrupted builds left (only called while holding the build lock)."""
    for leftover in target.parent.glob(f"{target.name}.*tmp*"):
        if leftover.is_dir():  # DuckDB's spill folder of a killed build
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def build(target: Path = paths.DATABASE, raw_dir: Path = paths.RAW, quiet: bool = False) -> Path:
    """Check data/raw, build a fresh database next to `target`, then swap it in.

    Writers of one target (builds, validations) are serialised by a lock
    (:mod:`analysis.warehouse.lock`), each build writes its own temporary file
    (`<target>.<pid>.tmp`), and the swap is an atomic rename, refused while another program
    has the target open for writing: a reader, a second build or a kill -9 at any moment sees
    either the previous complete database or the new one, never beside an old WAL.
    """
    timings: list[tuple[str, float]] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    with database_lock(target, "built"):
        key = build_key(raw_dir)  # before reading: a file changed meanwhile changes the key
        with _step("read and check data/raw", timings):
            data = load_raw(raw_dir)  # raises InputError before anything is written
        _remove_temporaries(target)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            # Spills go to <temporary>.tmp/, removed below.
            con = duckdb.connect(str(temporary), config=paths.DUCKDB_CONFIG)
            con.execute("SET enable_progress_bar = false")
            try:
                build_database(con, data, timings)
                con.execute(f"CREATE TABLE {BUILD_TABLE} (content_key VARCHAR NOT NULL)")
                con.execute(f"INSERT INTO {BUILD_TABLE} VALUES (?)", [key])
                loaded = dict(con.execute(
                    "SELECT source_id, count(*) FROM raw.figures GROUP BY 1").fetchall())
                con.execute("CHECKPOINT")
            finally:
                con.close()
            _check_nothing_dropped(data, loaded)
            swap_in(temporary, target)
        finally:
            for leftover in (temporary, Path(f"{temporary}.wal")):
                leftover.unlink(missing_ok=True)
            shutil.rmtree(f"{temporary}.tmp", ignore_errors=True)  # DuckDB's spill folder
    if not quiet:
        _print_summary(data, timings, target, loaded)
    return target


def up_to_date(target: Path = paths.DATABASE, raw_dir: Path = paths.RAW) -> bool:
    """Whether `target` was built from data/raw and the code as they are now (its content key,
    see :mod:`analysis.fingerprints`): building again would make the same database."""
    return stored_keys(target).build == build_key(raw_dir)


def _check_nothing_dropped(data: RawData, loaded: dict[str, int]) -> None:
    if loaded != {s: n for s, n in data.figures_per_source.items() if n}:
        raise ProjectError(f"figures read and figures loaded differ: read "
                           f"{data.figures_per_source}, loaded {loaded}")


def _print_summary(data: RawData, timings: list[tuple[str, float]], target: Path,
                   loaded: dict[str, int]) -> None:
    per_source = data.figures_per_source
    print(f"loaded {len(data.tables['sources'])} sources, {len(data.figures)} figures, "
          f"{len(data.tables['indicators'])} indicators, {len(data.errata)} errata")
    if len(per_source) <= 50:
        for source_id in sorted(per_source):
            print(f"  {source_id:<16} {per_source[source_id]:>6} figures read, "
                  f"{loaded.get(source_id, 0):>6} loaded")
    else:  # national scale: the check is the same, the listing would drown the output
        print(f"  {len(per_source)} sources: figures read = figures loaded for each")
    for name, seconds in timings:
        print(f"  {name:<32} {seconds * 1000:8.1f} ms")
    print(f"wrote {paths.shown(target)}")


def copy_of_build(database: Path, target: Path) -> Path:
    """A copy of a built `database` at `target` without the `validation` schema.

    Pages that read only what the build makes run on it while validation writes its results
    into `database` (DuckDB lets no process read a file another one is writing). With the
    schema gone, a page that reads validation's results from the copy fails with the missing
    table's name instead of reading the empty tables the build leaves for validation.
    """
    shutil.copyfile(database, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("DROP SCHEMA IF EXISTS validation CASCADE")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return target
