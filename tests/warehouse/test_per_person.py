"""Per-person series (marts/per_person.sql): a whole locality's count over the population
figure of the same locality nearest in date, times 1,000, for indicators whose catalog names
a `per_person_base`. Expectations come from the catalog and the view's own rows, never from
today's values, so a new source or population figure keeps these passing."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from analysis import paths
from analysis.warehouse.build import build

UNIT = "per_1000_residents"


@pytest.fixture(scope="module")
def con(built_database: Path):
    connection = duckdb.connect(str(built_database), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def bases() -> dict[str, str]:
    with (paths.RAW / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        return {row["indicator_id"]: row["per_person_base"] for row in csv.DictReader(handle)
                if row["per_person_base"]}


def test_the_catalog_names_bases_and_they_give_points(con) -> None:
    assert bases(), "no indicator names a per_person_base"
    indicators = {row["indicator_id"] for row in rows(
        con, "SELECT DISTINCT indicator_id FROM series WHERE measure = 'per_person'")}
    assert indicators and indicators <= set(bases())


def test_each_point_is_its_count_over_the_nearest_population_of_its_place(con) -> None:
    points = rows(con, """
        SELECT p.*, c.value AS count_value, c.breakdown AS count_breakdown,
               b.locality_id AS base_locality, b.indicator_id AS base_indicator,
               b.value AS base_figure_value, b.breakdown AS base_breakdown
        FROM series AS p
        JOIN series AS c ON c.figure_id = p.figure_id AND c.measure = 'amount'
        JOIN series AS b ON b.figure_id = p.base_figure_id AND b.measure = 'amount'
        WHERE p.measure = 'per_person'""")
    total = con.execute("SELECT count(*) FROM series WHERE measure = 'per_person'").fetchone()[0]
    assert points and len(points) == total, "a per-person point without its count or base"
    catalog = bases()
    for point in points:
        assert point["unit"] == UNIT and point["breakdown"] is None
        assert point["base_locality"] == point["locality_id"], point["series_id"]
        assert point["base_indicator"] == catalog[point["indicator_id"]]
        assert point["base_breakdown"] is None
        assert point["base_value"] == pytest.approx(point["base_figure_value"])
        assert point["value"] == pytest.approx(1000 * point["count_value"] / point["base_value"])
        assert point["amount"] == pytest.approx(point["count_value"])
        apart = abs((point["as_of"] - point["base_as_of"]).days)
        assert point["base_days_apart"] == apart
        closer = con.execute("""
            SELECT count(*) FROM series WHERE measure = 'amount' AND indicator_id = ?
              AND locality_id = ? AND breakdown IS NULL AND NOT is_target AND value > 0
              AND abs(date_diff('day', as_of, ?::DATE)) < ?""",
                             [point["base_indicator"], point["locality_id"], point["as_of"],
                              apart]).fetchone()[0]
        assert closer == 0, f"{point['series_id']}: a population figure nearer in date exists"


def test_every_whole_locality_count_with_a_population_gets_a_point(con) -> None:
    missing = rows(con, """
        SELECT c.figure_id FROM series AS c
        JOIN indicators AS i USING (indicator_id)
        JOIN units AS u ON u.unit_id = c.unit
        WHERE c.measure = 'amount' AND i.per_person_base IS NOT NULL AND c.breakdown IS NULL
          AND u.countable AND u.compares_across_places
          AND EXISTS (SELECT 1 FROM series AS b WHERE b.indicator_id = i.per_person_base
                      AND b.locality_id = c.locality_id AND b.measure = 'amount'
                      AND b.breakdown IS NULL AND NOT b.is_target AND b.value > 0)
          AND NOT EXISTS (SELECT 1 FROM series AS p WHERE p.measure = 'per_person'
                          AND p.figure_id = c.figure_id)""")
    assert missing == []


def test_a_comparison_is_one_indicator_across_every_level(con) -> None:
    comparisons = rows(con, """
        SELECT comparison_id, count(DISTINCT indicator_id) AS indicators,
               count(DISTINCT base_en) AS bases, count(DISTINCT unit) AS units
        FROM series WHERE measure = 'per_person' GROUP BY ALL""")
    assert comparisons
    for comparison in comparisons:
        assert (comparison["indicators"], comparison["bases"], comparison["units"]) == (1, 1, 1)
        assert f"/{UNIT}/" in comparison["comparison_id"]


def test_a_population_figure_added_nearer_in_date_becomes_the_base(tmp_path) -> None:
    """A new population figure closer to a count's date replaces the older base."""
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW, raw)
    database = build(tmp_path / "before.duckdb", raw_dir=raw, quiet=True)
    with duckdb.connect(str(database), read_only=True) as con:
        point = rows(con, """SELECT * FROM series WHERE measure = 'per_person'
                             AND base_days_apart > 30 ORDER BY series_id, as_of LIMIT 1""")[0]
        source = con.execute("SELECT source_id FROM series WHERE figure_id = ?",
                             [point["base_figure_id"]]).fetchone()[0]
    figures = raw / "figures" / f"{source}.csv"
    header = figures.read_text(encoding="utf-8").splitlines()[0].split(",")
    new = dict.fromkeys(header, "")
    new.update({"figure_id": f"{source}.population-test", "indicator_id": "population",
                "locality_id": point["locality_id"], "as_of": str(point["as_of"]),
                "as_of_basis": "inferred", "value": "1000", "phrase": "test population",
                "locator": "test"})
    with figures.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(new)
    database = build(tmp_path / "after.duckdb", raw_dir=raw, quiet=True)
    with duckdb.connect(str(database), read_only=True) as con:
        after = rows(con, "SELECT * FROM series WHERE series_id = ? AND figure_id = ?",
                     [point["series_id"], point["figure_id"]])[0]
    assert after["base_figure_id"] == f"{source}.population-test"
    assert after["base_days_apart"] == 0
    assert after["value"] == pytest.approx(point["amount"])  # 1000 * amount / 1000
