"""The series mart: what a point is, which base it names, and what it never includes.

Expectations come from the raw files (the catalog, the errata register) and from the
figures themselves, never from today's values, so a valid new source keeps these passing.
"""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from editing import read_errata

from analysis import paths

CONTRACT = (
    "series_id", "comparison_id", "indicator_id", "indicator_vi", "indicator_en", "kind",
    "locality_id", "locality_vi", "locality_en", "admin_level", "breakdown", "as_of",
    "period_start", "period_end", "value", "unit", "base_en", "base_vi", "is_target",
    "qualifier", "qualifier_kind", "erratum_ids", "figure_id", "source_id", "printed", "locator",
)


@pytest.fixture(scope="module")
def con(built_database: Path):
    connection = duckdb.connect(str(built_database), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def catalog() -> dict[str, dict[str, str]]:
    with (paths.RAW / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        return {row["indicator_id"]: row for row in csv.DictReader(handle)}


def test_series_has_the_contract_columns(con):
    columns = {row[0] for row in con.execute("DESCRIBE series").fetchall()}
    assert set(CONTRACT) <= columns
    assert con.execute("SELECT count(*) FROM series").fetchone()[0] > 0


def test_every_column_is_documented_in_the_data_dictionary(con):
    page = paths.DICTIONARY_PAGE.read_text(encoding="utf-8")
    section = page.split("## `series`", 1)[1].split("\n## `", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    columns = {row[0] for row in con.execute("DESCRIBE series").fetchall()}
    assert columns - documented == set()


def test_one_point_per_figure_and_measure_from_preferred_figures_only(con):
    duplicates = con.execute("""SELECT figure_id, measure FROM series
                                GROUP BY ALL HAVING count(*) > 1""").fetchall()
    assert duplicates == []
    not_preferred = con.execute("""
        SELECT s.figure_id FROM series AS s JOIN figures_corrected AS f USING (figure_id)
        WHERE NOT f.is_preferred""").fetchall()
    assert not_preferred == []


def test_series_and_comparison_ids_name_the_measure(con):
    for point in rows(con, "SELECT * FROM series"):
        assert point["series_id"] == f"{point['comparison_id']}@{point['locality_id']}"
        # A sixth part, `in-<locality>`, keeps counts of a place's own list to that place.
        indicator, unit, _base, _breakdown, temporal, *own = point["comparison_id"].split("/")
        assert own in ([], [f"in-{point['locality_id']}"])
        assert (indicator, unit) == (point["indicator_id"], point["unit"])
        assert temporal == point["stock_or_flow"].replace(" ", "-")
        assert (point["period_start"] is None) == (point["stock_or_flow"] == "stock")
        assert (point["measure"] == "share") == (point["unit"] == "percent"
                                                 and point["kind"] in ("share", "achievement",
                                                                       "target"))


def test_flows_carry_their_period_length(con):
    flows = rows(con, "SELECT * FROM series WHERE period_start IS NOT NULL "
                      "AND period_end IS NOT NULL")
    for point in flows:
        start, after = point["period_start"], point["period_end"] + timedelta(days=1)
        months = (after.year - start.year) * 12 + after.month - start.month
        expected = (f"flow P{months}M" if months > 0 and after.day == start.day
                    else f"flow P{(after - start).days}D")
        assert point["stock_or_flow"] == expected, point["figure_id"]


def test_targets_are_exactly_the_target_kind_of_the_catalog(con):
    kinds = {indicator: row["kind"] for indicator, row in catalog().items()}
    points = rows(con, "SELECT indicator_id, is_target FROM series")
    assert points
    for point in points:
        assert point["is_target"] == (kinds[point["indicator_id"]] == "target")
    mixed = con.execute("""SELECT comparison_id FROM series GROUP BY comparison_id
                           HAVING count(DISTINCT is_target) > 1""").fetchall()
    assert mixed == []


def test_catalog_bases_are_named_in_both_languages(con):
    entries = catalog()
    for point in rows(con, "SELECT * FROM series WHERE base_id = 'catalog'"):
        entry = entries[point["indicator_id"]]
        assert (point["base_en"], point["base_vi"]) == (entry["denominator_en"],
                                                       entry["denominator_vi"])
        assert point["base_kind"] == entry["denominator_kind"]


def test_a_part_names_the_total_count_as_its_base_unless_the_total_is_the_whole_base(con):
    # Parts printed as a count under a total that is not printed as the whole of its base
    # (934 of 6.108; a bare count of 56 tasks): their share is of the total's count.
    parts = rows(con, """
        SELECT p.figure_id, t.amount AS total_amount, t.denominator AS total_denominator,
               ti.label_en, ti.label_vi, p.amount
        FROM figures AS link
        JOIN figures_corrected AS p USING (figure_id)
        JOIN figures_corrected AS t ON t.figure_id = link.related_id
        JOIN indicators AS ti ON ti.indicator_id = t.indicator_id
        WHERE link.relation = 'part_of' AND p.denominator IS NULL AND p.is_preferred
          AND p.kind IN ('share', 'achievement', 'target') AND p.amount IS NOT NULL
          AND (t.denominator IS NULL OR t.amount <> t.denominator)""")
    assert parts, "the data holds parts of a total (the issue's 708 and 226 of 934)"
    for part in parts:
        point, = rows(con, f"""SELECT * FROM series WHERE figure_id = '{part['figure_id']}'
                               AND measure = 'share'""")
        assert point["base_value"] == part["total_amount"]
        assert (point["base_en"], point["base_vi"]) == (part["label_en"], part["label_vi"])
        assert point["value"] == pytest.approx(100 * part["amount"] / part["total_amount"])
        assert point["base_id"].startswith("count-of-")
        catalog_comparison = point["comparison_id"].replace(point["base_id"], "catalog")
        assert catalog_comparison != point["comparison_id"]
    whole = rows(con, """
        SELECT p.figure_id FROM figures AS link
        JOIN figures_corrected AS p USING (figure_id)
        JOIN figures_corrected AS t ON t.figure_id = link.related_id
        WHERE link.relation = 'part_of' AND p.denominator IS NULL AND p.is_preferred
          AND p.kind IN ('share', 'achievement', 'target') AND p.amount IS NOT NULL
          AND t.amount = t.denominator""")
    for part in whole:  # 3 and 22 of 25 services, out of 25 of 25: the catalog's base
        point, = rows(con, f"""SELECT * FROM series WHERE figure_id = '{part['figure_id']}'
                               AND measure = 'share'""")
        assert point["base_id"] == "catalog"


def test_withheld_numbers_never_become_points(con):
    withheld = rows(con, """SELECT figure_id, withheld_fields FROM figures_corrected
                            WHERE withheld_fields IS NOT NULL""")
    assert withheld
    for figure in withheld:
        points = rows(con, f"SELECT * FROM series WHERE figure_id = '{figure['figure_id']}'")
        printed = con.execute("SELECT numerator, denominator, value, reported_pct FROM figures "
                              "WHERE figure_id = ?", [figure["figure_id"]]).fetchone()
        for point in points:
            if "percent" in figure["withheld_fields"] and point["measure"] == "share":
                assert point["value_basis"] == "computed"
                assert point["value"] != printed[3]
            if "value" in figure["withheld_fields"]:
                assert point["amount"] != printed[2] or printed[2] is None


def test_erratum_ids_name_every_erratum_that_touches_the_figure(con):
    points = rows(con, "SELECT figure_id, erratum_ids FROM series")
    for entry in read_errata(paths.RAW):
        named = ({b["figure"] for b in entry["breaks"]}
                 | {c["figure"] for c in entry.get("corrections") or []}
                 | {w["figure"] for w in entry.get("withhold") or []})
        for point in points:
            if point["figure_id"] in named:
                assert entry["id"] in (point["erratum_ids"] or ""), point["figure_id"]


def test_counts_in_a_unit_each_place_defines_compare_only_within_the_place(con):
    """units.csv says which units compare across places; a task list is each province's own,
    so 67 tasks done in one place is never set beside 10 in another."""
    with (paths.RAW / "units.csv").open(encoding="utf-8", newline="") as handle:
        own = {row["unit_id"] for row in csv.DictReader(handle)
               if row["compares_across_places"] == "false"}
    assert own, "the test needs a unit that does not compare across places"
    points = rows(con, "SELECT comparison_id, unit, measure, comparison_localities FROM series")
    for point in points:
        if point["measure"] == "amount" and point["unit"] in own:
            assert point["comparison_localities"] == 1, point
    shared = [p for p in points if p["unit"] not in own and p["comparison_localities"] > 1]
    assert shared, "units that compare across places still form comparisons of several places"
