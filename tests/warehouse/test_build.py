"""The build: atomic, idempotent, and complete with respect to the sources."""

from __future__ import annotations

import calendar
import csv
import hashlib
import itertools
import shutil
from collections import Counter
from datetime import date
from functools import partial
from pathlib import Path

import duckdb
import pytest

import analysis.warehouse.build as build_module
from analysis import paths
from analysis.ingest.numbers import parse_number
from analysis.warehouse.build import build


def table_contents(path: Path) -> dict[str, list[tuple]]:
    """Every table and view of every layer, rows sorted, for comparing two builds."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal "
            "ORDER BY 1, 2").fetchall()
        return {
            f"{schema}.{name}": sorted(con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall(),
                                       key=repr)
            for schema, name in relations
        }
    finally:
        con.close()


def test_building_twice_gives_identical_tables(built_database, tmp_path):
    second = build(tmp_path / "again.duckdb", quiet=True)
    first_tables, second_tables = table_contents(built_database), table_contents(second)
    assert first_tables.keys() == second_tables.keys()
    for name in first_tables:
        assert first_tables[name] == second_tables[name], name
    assert "main.figures" in first_tables and "marts.figures" in first_tables


def test_interrupted_build_leaves_previous_database_untouched(built_database, tmp_path,
                                                                monkeypatch):
    target = tmp_path / "de_an_06.duckdb"
    shutil.copy(built_database, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    real_build_database = build_module.build_database

    def interrupted(con, data, timings):
        real_build_database(con, data, timings)  # everything written to the temporary file...
        raise KeyboardInterrupt  # ...then the user presses Ctrl-C before the swap

    monkeypatch.setattr(build_module, "build_database", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(target, quiet=True)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    # Only the database and the build lock (kept: removing a lock file others may have
    # opened would let two builds lock different files).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["de_an_06.duckdb",
                                                          "de_an_06.duckdb.lock"]


@pytest.fixture(scope="module")
def con(built_database):
    connection = duckdb.connect(str(built_database), read_only=True)
    yield connection
    connection.close()


def raw_figures(raw: Path = paths.RAW) -> list[dict[str, str]]:
    """Every row of every figures file, read with the csv module (the test's own reading)."""
    rows = []
    for path in sorted((raw / "figures").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [{**row, "source_id": path.stem} for row in csv.DictReader(handle)]
    return rows


def raw_register(name: str, raw: Path = paths.RAW) -> list[dict[str, str]]:
    with (raw / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_of_every_source_is_loaded(con):
    counts = dict(con.execute("SELECT source_id, count(*) FROM figures GROUP BY 1").fetchall())
    expected = Counter(row["source_id"] for row in raw_figures())
    assert counts == dict(expected)
    assert set(counts) == {row["source_id"] for row in raw_register("sources")}


def test_ratios_keep_numerator_denominator_and_percent_as_printed(con):
    """Every parsed number is the parser's reading of the raw text, locator unchanged."""
    language = {row["source_id"]: row["language"] for row in raw_register("sources")}
    loaded = {row[0]: row[1:] for row in con.execute(
        "SELECT figure_id, numerator, denominator, reported_pct, pct_decimals, printed, locator "
        "FROM figures").fetchall()}
    for row in raw_figures():
        numerator, denominator, percent, decimals, printed, locator = loaded[row["figure_id"]]
        parse = partial(parse_number, language=language[row["source_id"]])
        for text, number in ((row["numerator"], numerator), (row["denominator"], denominator)):
            assert number == (float(parse(text).value) if text.strip() else None), row
        if row["percent"].strip():
            parsed = parse(row["percent"])
            assert (percent, decimals) == (float(parsed.value), parsed.decimals), row
        else:
            assert percent is None
        texts = [row[c] for c in ("numerator", "denominator", "value", "percent") if row[c]]
        assert all(text.replace("**", "") in printed for text in texts), (row, printed)
        assert locator == row["locator"]


def test_every_printed_number_text_is_kept_in_the_raw_layer(con):
    missing = con.execute("""
        SELECT f.figure_id FROM raw.figures AS f
        WHERE f.numerator || f.denominator || f.value || f.percent = ''""").fetchall()
    assert missing == []
    ratios = con.execute("""SELECT count(*) FROM figures
                            WHERE numerator IS NOT NULL AND denominator IS NOT NULL""").fetchone()
    assert ratios[0] == sum(1 for row in raw_figures()
                            if row["numerator"].strip() and row["denominator"].strip())


def test_public_views_exist_with_documented_columns(con):
    columns = {row[0] for row in con.execute("DESCRIBE figures").fetchall()}
    for column in ("figure_id", "source_id", "locality_id", "indicator_id", "as_of",
                   "period_start", "period_end", "numerator", "denominator", "value",
                   "reported_pct", "pct_decimals", "qualifier", "printed", "locator"):
        assert column in columns
    views = {row[0] for row in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main'").fetchall()}
    assert {"sources", "localities", "indicators", "figures", "figures_corrected",
            "figure_pairs", "series", "findings", "errata", "rules",
            "validation_summary"} <= views


def test_text_is_nfc_and_both_tone_placements_find_hoa_binh(con):
    from analysis.ingest import fold_tone_placement

    names = [row[0] for row in con.execute("SELECT name_vi FROM localities").fetchall()]
    assert "Hòa Bình" in names
    assert fold_tone_placement("Hoà Bình") in {fold_tone_placement(n) for n in names}


def test_reconciliation_pairs_reports_of_one_figure_and_prefers_by_the_stated_rule(con):
    """Pairs and preferences derived from the raw files: same indicator, locality and
    breakdown from two sources at most seven days apart; an official report over a news
    article, then the later publication, then the higher source id."""
    sources = {row["source_id"]: row for row in raw_register("sources")}
    figures = raw_figures()
    expected = {}
    for a, b in itertools.combinations(figures, 2):
        if (a["indicator_id"], a["locality_id"], a["breakdown"]) != \
                (b["indicator_id"], b["locality_id"], b["breakdown"]) \
                or a["source_id"] == b["source_id"]:
            continue
        if abs((date.fromisoformat(a["as_of"]) - date.fromisoformat(b["as_of"])).days) > 7:
            continue
        a, b = sorted((a, b), key=lambda f: f["source_id"])
        rank = {f["figure_id"]: (sources[f["source_id"]]["kind"] == "official_report",
                                 sources[f["source_id"]]["published_on"], f["figure_id"])
                for f in (a, b)}
        expected[(a["figure_id"], b["figure_id"])] = max(rank, key=rank.__getitem__)
    pairs = {(a, b): preferred for a, b, preferred in con.execute(
        "SELECT figure_a, figure_b, preferred_figure FROM figure_pairs").fetchall()}
    assert pairs == expected
    losers = {figure for pair, winner in expected.items() for figure in pair if figure != winner}
    not_preferred = {row[0] for row in con.execute(
        "SELECT figure_id FROM figures_corrected WHERE NOT is_preferred").fetchall()}
    assert not_preferred == losers


def test_build_command_does_not_import_great_expectations():
    """Importing GX costs seconds; only the commands that validate may pay it."""
    import subprocess
    import sys

    code = ("import sys, analysis.cli, analysis.warehouse.build, analysis.report.queries, "
            "analysis.report.kit.charts; print('great_expectations' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_views_read_into_polars_for_analysts(con):
    """The design card's dataframe libraries both work on the public views."""
    figures = con.sql("SELECT figure_id, numerator, reported_pct FROM figures").pl()
    assert figures.height == con.execute("SELECT count(*) FROM figures").fetchone()[0]
    assert figures.schema["reported_pct"].is_float()


def test_a_publication_range_ends_on_its_stated_day_and_a_month_on_its_last(
        raw_copy: Path, tmp_path: Path) -> None:
    path = raw_copy / "sources.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    months = [row for row in rows if row["published_precision"] == "month"]
    ranged, month = months[0], months[1]
    ranged.update(published_precision="range", published_latest="2031-02-17")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    database = build(tmp_path / "ranges.duckdb", raw_dir=raw_copy, quiet=True)
    with duckdb.connect(str(database), read_only=True) as con:
        latest = dict(con.execute(
            "SELECT source_id, published_latest::VARCHAR FROM sources WHERE source_id IN (?, ?)",
            [ranged["source_id"], month["source_id"]]).fetchall())
    year, number = month["published_on"][:4], int(month["published_on"][5:7])
    last_day = calendar.monthrange(int(year), number)[1]
    assert latest == {ranged["source_id"]: "2031-02-17",
                      month["source_id"]: f"{year}-{number:02d}-{last_day:02d}"}
