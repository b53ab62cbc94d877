"""The build: atomic, idempotent, and complete with respect to the sources."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from analysis import warehouse
from analysis.warehouse import build


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
    real_build_database = warehouse.build_database

    def interrupted(con, data, timings):
        real_build_database(con, data, timings)  # everything written to the temporary file...
        raise KeyboardInterrupt  # ...then the user presses Ctrl-C before the swap

    monkeypatch.setattr(warehouse, "build_database", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(target, quiet=True)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["de_an_06.duckdb"]


@pytest.fixture(scope="module")
def con(built_database):
    connection = duckdb.connect(str(built_database), read_only=True)
    yield connection
    connection.close()


def test_every_source_has_figures_and_seeds_hold_about_135(con):
    counts = dict(con.execute("SELECT source_id, count(*) FROM figures GROUP BY 1").fetchall())
    sources = [row[0] for row in con.execute("SELECT source_id FROM sources").fetchall()]
    assert set(counts) == set(sources)
    seeds = ["gct-2024-06", "bd-2024-01", "bs-2023-12", "hn-2023-02-28", "hb-2024-04-22"]
    assert 125 <= sum(counts[s] for s in seeds) <= 145


def test_ratios_keep_numerator_denominator_and_percent_as_printed(con):
    row = con.execute("""
        SELECT numerator, denominator, reported_pct, pct_decimals, printed, locator
        FROM figures WHERE figure_id = 'gct-2024-06.social-payments-cashless'""").fetchone()
    assert row == (2761, 7698, 35.86, 2, "2.761/7.698, 35, 86%", "line 17")
    row = con.execute("""SELECT printed, reported_pct, pct_decimals FROM figures
                         WHERE figure_id = 'bs-2023-12.digitised-on-receipt'""").fetchone()
    assert row == ("89,48%", 89.48, 2)


def test_every_printed_number_text_is_kept_in_the_raw_layer(con):
    missing = con.execute("""
        SELECT f.figure_id FROM raw.figures AS f
        WHERE f.numerator || f.denominator || f.value || f.percent = ''""").fetchall()
    assert missing == []
    ratios = con.execute("""SELECT count(*) FROM figures
                            WHERE numerator IS NOT NULL AND denominator IS NOT NULL""").fetchone()
    assert ratios[0] >= 40


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
    from analysis.raw import fold_tone_placement

    names = [row[0] for row in con.execute("SELECT name_vi FROM localities").fetchall()]
    assert "Hòa Bình" in names
    assert fold_tone_placement("Hoà Bình") in {fold_tone_placement(n) for n in names}


def test_reconciliation_pairs_the_two_reports_of_the_hanoi_conference(con):
    pairs = con.execute("""SELECT indicator_id, breakdown, agree, preferred_figure, days_apart
                           FROM figure_pairs WHERE locality_id = 'ha-noi'
                             AND source_a = 'hn-2023-02-28' AND source_b = 'hn-2023-03-01'
                           ORDER BY indicator_id, breakdown""").fetchall()
    assert [(p[0], p[1]) for p in pairs] == [
        ("conference_units_online", "commune level"),
        ("conference_units_online", "district level"),
        ("essential_services_online", None),
    ]
    assert all(p[2] for p in pairs)
    # Both are news articles, so the later publication (the portal, 1 March) is preferred.
    assert all(p[3].startswith("hn-2023-03-01.") for p in pairs)


def test_build_command_does_not_import_great_expectations():
    """Importing GX costs seconds; only the commands that validate may pay it."""
    import subprocess
    import sys

    code = ("import sys, analysis.cli, analysis.warehouse, analysis.queries, analysis.charts; "
            "print('great_expectations' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_views_read_into_polars_for_analysts(con):
    """The design card's dataframe libraries both work on the public views."""
    figures = con.sql("SELECT figure_id, numerator, reported_pct FROM figures").pl()
    assert figures.height == con.execute("SELECT count(*) FROM figures").fetchone()[0]
    assert figures.schema["reported_pct"].is_float()
