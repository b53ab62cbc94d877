"""Lineage across the 2025 reorganisation and the national reference locality.

Expectations come from the raw register (data/raw/localities.csv) and the admin-unit
library's converter, never from today's counts or a typed list of links, so a valid new
locality added the README's way passes.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis import paths
from analysis.errors import InputError
from analysis.ingest import admin_units as au
from analysis.ingest import load_raw


def read_csv(name: str) -> list[dict[str, str]]:
    with (paths.RAW / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


LOCALITIES = {row["locality_id"]: row for row in read_csv("localities.csv")}
TYPED = read_csv("lineage.csv")
LEGACY = {lid: row for lid, row in LOCALITIES.items()
          if row["era"] == "legacy" and not row["not_in_library"]}


@pytest.fixture(scope="module")
def con(built_database):
    connection = duckdb.connect(str(built_database), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def links(con) -> dict[str, dict[str, tuple]]:
    """predecessor -> successor code -> (successor_id, successor_vi, level, effective_on)."""
    out: dict[str, dict[str, tuple]] = {}
    for predecessor, code, *rest in con.execute(
            """SELECT predecessor_id, successor_gso_code, successor_id, successor_vi,
                      successor_level, effective_on FROM locality_lineage""").fetchall():
        out.setdefault(predecessor, {})[code] = tuple(rest)
    return out


def by_code(era: str, code: str) -> str:
    [locality_id] = [lid for lid, row in LOCALITIES.items()
                     if row["gso_code"] == code and row["era"] == era]
    return locality_id


def test_typed_links_name_known_localities_iso_dates_and_a_reason():
    for row in TYPED:
        assert row["predecessor_id"] in LOCALITIES, row
        assert row["successor_id"] in LOCALITIES, row
        date.fromisoformat(row["effective_on"])
        assert row["reason"].strip() and row["legal_basis"].strip(), row


def test_every_legacy_locality_links_to_the_converters_2025_units(links):
    assert LEGACY
    for locality_id, row in LEGACY.items():
        expected = {s.unit.code for s in au.successors_2025(row["gso_code"])}
        assert expected, locality_id
        assert set(links[locality_id]) >= expected, locality_id


def test_every_link_names_the_register_unit_where_there_is_one(links):
    for successors in links.values():
        for code, (successor_id, successor_vi, _, effective_on) in successors.items():
            assert isinstance(effective_on, date) and successor_vi
            registered = [lid for lid, row in LOCALITIES.items() if row["gso_code"] == code
                          and row["era"] in ("2025", "both")]
            assert successor_id == (registered[0] if registered else None), code
            if successor_id and LOCALITIES[successor_id]["name_vi"]:
                assert successor_vi == LOCALITIES[successor_id]["name_vi"]


@pytest.mark.parametrize(("district", "province", "names"), [
    ("823", "82", {"Xã Vĩnh Bình", "Xã Đồng Sơn", "Xã Phú Thành", "Xã Long Bình",
                   "Xã Vĩnh Hựu"}),  # Gò Công Tây
    ("524", "51", {"Xã Bình Sơn", "Xã Vạn Tường", "Xã Bình Minh", "Xã Bình Chương",
                   "Xã Đông Sơn"}),  # Bình Sơn
])
def test_a_district_links_to_its_five_communes(links, district, province, names):
    successors = links[by_code("legacy", district)]
    assert {vi for _, vi, _, _ in successors.values()} == names
    assert set(successors) == {s.unit.code for s in au.successors_2025(district)}
    assert all(au.unit("2025", code).province_code == province for code in successors)
    assert {level for _, _, level, _ in successors.values()} == {"commune"}


@pytest.mark.parametrize(("legacy", "successor"), [("17", "25"), ("52", "52")])
def test_a_province_links_to_the_merged_province(links, legacy, successor):
    """Hòa Bình -> Phú Thọ; Bình Định -> Gia Lai (which keeps Bình Định's code)."""
    successors = links[by_code("legacy", legacy)]
    assert set(successors) == {successor}
    successor_id, successor_vi, level, _ = successors[successor]
    assert successor_id == by_code("2025", successor)
    assert au.name_key(au.unit("2025", successor).short_name_vi) == au.name_key(
        successor_vi.split(" (")[0])


def test_the_register_summary_of_successors_is_the_lineage(con):
    rows = con.execute("""SELECT l.locality_id, l.successor_codes_2025,
                                 string_agg(g.successor_gso_code, ';'
                                            ORDER BY g.successor_gso_code)
                          FROM localities AS l LEFT JOIN locality_lineage AS g
                          ON g.predecessor_id = l.locality_id GROUP BY ALL""").fetchall()
    for locality_id, summary, linked in rows:
        assert summary == linked, locality_id


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
    lineage = [{"predecessor_id": p, "successor_id": s, "effective_on": str(d)}
               for p, s, d in con.execute("""SELECT predecessor_id, coalesce(successor_id, ''),
                                             effective_on FROM locality_lineage""").fetchall()]
    assert lineage
    assert filed_under_dissolved_units(figures, lineage) == []


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
    lineage.write_text(text.rstrip("\n") + "\nha-noi,nowhere,2025-07-01,x,y,z,a reason,\n",
                       encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_raw(raw_copy)
    assert any("lineage.csv" in p and "successor_id" in p and "'nowhere'" in p
               for p in raised.value.problems), raised.value.problems


def test_lineage_view_takes_populations_from_the_population_figures(con):
    """One fact, one place: each side's population is its latest population figure."""
    latest: dict[str, float] = {}
    # The latest date wins; on one date, the first figure id.
    for locality_id, _, _, value in sorted(con.execute("""
            SELECT locality_id, as_of, figure_id, value FROM figures
            WHERE indicator_id = 'population' AND breakdown IS NULL""").fetchall(),
            key=lambda row: (row[0], -row[1].toordinal(), row[2])):
        latest.setdefault(locality_id, value)
    rows = con.execute("""SELECT predecessor_id, successor_id, population_before,
                                 population_after FROM locality_lineage""").fetchall()
    assert any(before is not None for _, _, before, _ in rows)
    for predecessor, successor, before, after in rows:
        assert before == latest.get(predecessor)
        assert after == (latest.get(successor) if successor else None)
