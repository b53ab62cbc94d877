"""Lineage across the 2025 reorganisation and the national reference locality.

Expectations come from the raw registers (data/raw/localities.csv, data/raw/lineage.csv),
never from today's counts, so a valid new locality or link added the README's way passes.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis import paths
from analysis.errors import InputError
from analysis.ingest import load_raw


def read_csv(name: str) -> list[dict[str, str]]:
    with (paths.RAW / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


LOCALITIES = {row["locality_id"]: row for row in read_csv("localities.csv")}
LINEAGE = read_csv("lineage.csv")


@pytest.fixture(scope="module")
def con(built_database):
    connection = duckdb.connect(str(built_database), read_only=True)
    yield connection
    connection.close()


def test_lineage_file_names_known_localities_and_iso_dates():
    assert LINEAGE, "lineage.csv has no links"
    for row in LINEAGE:
        assert row["predecessor_id"] in LOCALITIES, row
        assert row["successor_id"] in LOCALITIES, row
        date.fromisoformat(row["effective_on"])
        assert row["change_en"].strip() and row["legal_basis"].strip(), row


def test_every_locality_with_a_2025_successor_is_linked_in_the_view(con):
    """Each locality whose register row names a 2025 successor, and its parent, has a link."""
    predecessors = {lid for lid, row in LOCALITIES.items() if row["successor_2025"]}
    predecessors |= {LOCALITIES[lid]["parent_id"] for lid in predecessors
                     if LOCALITIES[lid]["parent_id"]}
    assert predecessors
    rows = con.execute("""SELECT predecessor_id, successor_id, successor_vi, effective_on
                          FROM locality_lineage""").fetchall()
    linked = {predecessor for predecessor, *_ in rows}
    assert predecessors <= linked, predecessors - linked
    for _, successor, successor_vi, effective_on in rows:
        assert successor in LOCALITIES and successor_vi == LOCALITIES[successor]["name_vi"]
        assert isinstance(effective_on, date)


def test_successor_codes_in_the_register_agree_with_the_lineage_links():
    """localities.csv keeps a human summary of the successors; lineage.csv is the fact."""
    linked_codes: dict[str, set[str]] = {}
    for row in LINEAGE:
        linked_codes.setdefault(row["predecessor_id"], set()).add(
            LOCALITIES[row["successor_id"]]["gso_code"])
    summarised = {lid: set(row["successor_codes_2025"].split(";"))
                  for lid, row in LOCALITIES.items() if row["successor_codes_2025"]}
    assert summarised == linked_codes


def filed_under_dissolved_units(figures: list[tuple[str, str, str]],
                                lineage: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """Figures (id, locality, ISO as-of) dated on or after the day their locality was dissolved."""
    dissolved = {row["predecessor_id"]: row["effective_on"] for row in lineage
                 if row["predecessor_id"] != row["successor_id"]}
    return [f for f in figures if f[1] in dissolved and f[2] >= dissolved[f[1]]]


def test_no_figure_after_the_reorganisation_is_filed_under_a_dissolved_unit(con):
    """A figure dated on or after a link's date describes the successor, not the predecessor."""
    figures = [(figure_id, locality_id, str(as_of)) for figure_id, locality_id, as_of in
               con.execute("SELECT figure_id, locality_id, as_of FROM figures").fetchall()]
    assert filed_under_dissolved_units(figures, LINEAGE) == []


def test_the_dissolved_unit_check_flags_a_late_figure():
    link = {"predecessor_id": "old", "successor_id": "new", "effective_on": "2025-07-01"}
    kept = {"predecessor_id": "same", "successor_id": "same", "effective_on": "2025-07-01"}
    figures = [("a", "old", "2025-06-30"), ("b", "old", "2025-07-01"), ("c", "new", "2025-08-01"),
               ("d", "same", "2025-08-01")]
    assert filed_under_dissolved_units(figures, [link, kept]) == [("b", "old", "2025-07-01")]


def test_country_reference_has_no_parent_and_its_figures_use_shared_indicators(con):
    countries = [lid for lid, row in LOCALITIES.items() if row["admin_level"] == "country"]
    assert countries, "no locality with admin level 'country'"
    for lid in countries:
        assert LOCALITIES[lid]["parent_id"] == "" and LOCALITIES[lid]["gso_code"]
    # Where a national figure exists, at least one of its indicators is shared with a
    # sub-national locality: the reference is only useful in the localities' own measures.
    shared = con.execute("""
        SELECT count(DISTINCT n.indicator_id) FROM figures_corrected AS n
        JOIN figures_corrected AS l ON l.indicator_id = n.indicator_id
        WHERE n.admin_level = 'country' AND l.admin_level <> 'country'""").fetchone()[0]
    national = con.execute("SELECT count(*) FROM figures_corrected WHERE admin_level = 'country'"
                           ).fetchone()[0]
    assert national == 0 or shared > 0


def test_lineage_row_naming_an_unknown_locality_is_an_input_error(raw_copy: Path):
    lineage = raw_copy / "lineage.csv"
    text = lineage.read_text(encoding="utf-8")
    lineage.write_text(text.rstrip("\n") + "\nha-noi,nowhere,2025-07-01,x,y,z,\n",
                       encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_raw(raw_copy)
    assert any("lineage.csv" in p and "successor_id" in p and "'nowhere'" in p
               for p in raised.value.problems), raised.value.problems


def test_lineage_view_takes_populations_from_the_locality_register(con):
    """One fact, one place: the view's populations are the register's, never re-typed."""
    def population(locality_id: str) -> int | None:
        text = LOCALITIES[locality_id]["population"]
        return int(text) if text else None

    rows = con.execute("""SELECT predecessor_id, successor_id, population_before,
                                 population_after FROM locality_lineage""").fetchall()
    assert len(rows) == len(LINEAGE)
    for predecessor, successor, before, after in rows:
        assert before == population(predecessor)
        assert after == population(successor)
