"""The explorer's data (analysis.report.pages.explorer), without a browser: what each entry
of its dropdown holds, read from the built database, never from today's values."""

from __future__ import annotations

import csv
import urllib.parse
from pathlib import Path

import duckdb
import pytest

from analysis.report.pages import explorer


@pytest.fixture(scope="module")
def found(built_database: Path) -> explorer.Explorer:
    with duckdb.connect(str(built_database), read_only=True) as con:
        return explorer.build(con)


@pytest.fixture(scope="module")
def series(built_database: Path) -> list[tuple]:
    with duckdb.connect(str(built_database), read_only=True) as con:
        return con.execute("SELECT comparison_id, series_id, figure_id, admin_level "
                           "FROM series").fetchall()


def test_every_point_of_series_is_in_exactly_one_entry(found, series) -> None:
    points = sorted(zip(found.points["comparison_id"], found.points["series_id"],
                        found.points["figure_id"], found.points["admin_level"], strict=True))
    assert points == sorted(series)
    assert found.options["option"].is_unique
    assert set(found.points["option"]) == set(found.options["option"])


def test_counts_of_several_levels_are_offered_level_by_level(found) -> None:
    for option, rows in found.points.groupby("option"):
        first = rows.iloc[0]
        count = (first["unit"] != "percent" and not first["kind_own_scale"]
                 and bool(first["countable"]))
        if count:
            assert rows["admin_level"].nunique() == 1, option
        if "#" in option:
            assert option.split("#")[1] == first["admin_level"]


def test_the_first_entry_is_per_person(found) -> None:
    option = explorer.default_option(found.options)
    assert found.options.set_index("option").loc[option, "unit"] == explorer.PER_PERSON_UNIT


def test_each_entry_offers_its_own_points_as_csv(found) -> None:
    for option, uri in zip(found.options["option"], found.options["csv_uri"], strict=True):
        text = urllib.parse.unquote(uri.split(",", 1)[1]).lstrip("\ufeff")
        rows = list(csv.DictReader(text.splitlines()))
        expected = found.points[found.points["option"] == option]
        assert sorted(row["figure_id"] for row in rows) == sorted(expected["figure_id"])
        assert {row["option"] for row in rows} == {option}


def test_every_table_line_fits_a_400_px_page(found) -> None:
    lines = explorer.table_lines(found.points)
    assert lines["text"].str.len().max() <= explorer.TABLE_WIDTH
    assert set(lines["point"]) == set(range(len(found.points)))
