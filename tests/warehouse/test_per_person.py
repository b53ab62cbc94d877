"""Per-person series (marts/per_person.sql): a whole locality's count over the population
figure of the same locality nearest in date, times 1,000, for indicators whose catalog names
a `per_person_base`; no figure further from the count than the base indicator's
`base_max_days_apart` is a base, and `counts_residents` says whether the value is a share of
residents or a rate. Expectations come from the catalog and the view's own rows, never from
today's values, so a new source or population figure keeps these passing."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
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


def catalog(raw: Path = paths.RAW) -> dict[str, dict[str, str]]:
    with (raw / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        return {row["indicator_id"]: row for row in csv.DictReader(handle)}


def max_days(indicator_id: str, raw: Path = paths.RAW) -> int:
    """How far from a count a figure of the count's base may be (the base's catalog row)."""
    return int(catalog(raw)[bases()[indicator_id]]["base_max_days_apart"])


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
        assert apart <= max_days(point["indicator_id"]), f"{point['series_id']}: base too old"


def test_each_point_says_whether_it_counts_residents_as_the_catalog_does(con) -> None:
    flags = {i: row["counts_residents"] == "true" for i, row in catalog().items()
             if row["per_person_base"]}
    points = rows(con, "SELECT series_id, indicator_id, measure, counts_residents FROM series")
    assert any(p["measure"] == "per_person" for p in points)
    for point in points:
        expected = flags[point["indicator_id"]] if point["measure"] == "per_person" else None
        assert point["counts_residents"] is expected, point["series_id"]


def test_a_residents_count_reads_as_residents_and_any_other_as_a_rate(con) -> None:
    """"accounts per 1,000 residents" is a share of residents; a count of look-ups or of
    insurance participants says that it is a rate, in both languages, and never shares its
    base text with a count of residents."""
    per_1000 = rows(con, "SELECT label_en, label_vi FROM units WHERE unit_id = ?", [UNIT])[0]
    points = rows(con, """
        SELECT p.counts_residents, p.unit_label_en, p.unit_label_vi, p.base_en, p.base_vi,
               c.unit_label_en AS count_en, c.unit_label_vi AS count_vi, p.series_id
        FROM series AS p JOIN series AS c ON c.figure_id = p.figure_id AND c.measure = 'amount'
        WHERE p.measure = 'per_person'""")
    assert points
    texts: dict[bool, set[str]] = {True: set(), False: set()}
    for point in points:
        plain_en = f"{point['count_en']} {per_1000['label_en']}"
        plain_vi = f"{point['count_vi']} {per_1000['label_vi']}"
        if point["counts_residents"]:
            assert (point["unit_label_en"], point["unit_label_vi"]) == (plain_en, plain_vi)
        else:
            assert point["unit_label_en"].startswith(plain_en), point["series_id"]
            assert point["unit_label_vi"].startswith(plain_vi), point["series_id"]
            assert len(point["unit_label_en"]) > len(plain_en), point["series_id"]
            assert len(point["unit_label_vi"]) > len(plain_vi), point["series_id"]
        texts[point["counts_residents"]] |= {point["base_en"], point["base_vi"]}
    assert not texts[True] & texts[False]


def build_copy(tmp_path: Path, name: str, edit) -> duckdb.DuckDBPyConnection:
    """A database built from a copy of data/raw changed by `edit(raw)`."""
    raw = tmp_path / "raw"
    if not raw.exists():
        shutil.copytree(paths.RAW, raw)
    edit(raw)
    return duckdb.connect(str(build(tmp_path / f"{name}.duckdb", raw_dir=raw, quiet=True)),
                          read_only=True)


def set_field(path: Path, key_column: str, key: str, column: str, value: str) -> None:
    """One field of one row of a raw CSV file changed; every other line kept as it is."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    for number, line in enumerate(lines[1:], start=1):
        fields = next(csv.reader([line]))
        if fields[header.index(key_column)] == key:
            fields[header.index(column)] = value
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(fields)
            lines[number] = out.getvalue()
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise AssertionError(f"{key} not in {path}")


def test_the_base_age_is_read_from_the_catalog(con, tmp_path) -> None:
    """Lowering the population's base_max_days_apart below a point's distance removes it."""
    point = rows(con, """SELECT * FROM series WHERE measure = 'per_person' AND base_days_apart > 0
                         ORDER BY base_days_apart DESC, series_id, as_of LIMIT 1""")[0]
    base = bases()[point["indicator_id"]]
    limit = point["base_days_apart"] - 1
    with build_copy(tmp_path, "lower-limit", lambda raw: set_field(
            raw / "indicators.csv", "indicator_id", base, "base_max_days_apart",
            str(limit))) as copy:
        after = rows(copy, "SELECT * FROM series WHERE measure = 'per_person'")
    assert after, "every per-person point is gone"
    assert point["figure_id"] not in {p["figure_id"] for p in after}
    assert max(p["base_days_apart"] for p in after if p["indicator_id"] in bases()
               and bases()[p["indicator_id"]] == base) <= limit


def test_a_population_figure_older_than_the_limit_is_no_base(con, tmp_path) -> None:
    """A count whose only population figure within the limit is moved one day beyond it gets
    no per-person point (before, it was divided by a population years older than itself)."""
    candidates = rows(con, """
        SELECT p.figure_id, p.indicator_id, p.as_of, p.base_figure_id, p.base_source_id,
               bi.base_max_days_apart AS limit_days, b.as_of AS base_as_of
        FROM series AS p
        JOIN indicators AS i ON i.indicator_id = p.indicator_id
        JOIN indicators AS bi ON bi.indicator_id = i.per_person_base
        JOIN series AS b ON b.figure_id = p.base_figure_id AND b.measure = 'amount'
        JOIN sources AS s ON s.source_id = p.base_source_id
        WHERE p.measure = 'per_person'
          -- the moved figure stays a figure the raw checks accept (no baseline needed)
          AND p.as_of - INTERVAL (bi.base_max_days_apart + 1) DAY >= DATE '2022-01-06'
          AND (s.period_start IS NULL
               OR s.period_start <= p.as_of - INTERVAL (bi.base_max_days_apart + 1) DAY)
          AND b.figure_id NOT IN (SELECT figure_id FROM raw.baselines)
          -- the base is the only population figure of the place within the limit
          AND (SELECT count(*) FROM series AS o WHERE o.indicator_id = b.indicator_id
               AND o.locality_id = p.locality_id AND o.measure = 'amount'
               AND o.breakdown IS NULL AND NOT o.is_target AND o.value > 0
               AND abs(date_diff('day', o.as_of, p.as_of)) <= bi.base_max_days_apart) = 1
        ORDER BY p.figure_id LIMIT 1""")
    assert candidates, "no per-person point with a single population figure to move"
    point = candidates[0]
    old = point["as_of"] - datetime.timedelta(days=point["limit_days"] + 1)
    with build_copy(tmp_path, "old-base", lambda raw: set_field(
            raw / "figures" / f"{point['base_source_id']}.csv", "figure_id",
            point["base_figure_id"], "as_of", old.isoformat())) as copy:
        moved = copy.execute("SELECT as_of FROM series WHERE figure_id = ? AND measure = "
                             "'amount'", [point["base_figure_id"]]).fetchone()[0]
        after = rows(copy, "SELECT * FROM series WHERE measure = 'per_person' AND "
                           "figure_id = ?", [point["figure_id"]])
    assert moved == old, "the population figure was not moved"
    assert after == [], "a population figure older than the limit was used as a base"


def test_every_whole_locality_count_with_a_population_gets_a_point(con) -> None:
    missing = rows(con, """
        SELECT c.figure_id FROM series AS c
        JOIN indicators AS i USING (indicator_id)
        JOIN units AS u ON u.unit_id = c.unit
        WHERE c.measure = 'amount' AND i.per_person_base IS NOT NULL AND c.breakdown IS NULL
          AND u.countable AND u.compares_across_places
          AND EXISTS (SELECT 1 FROM series AS b
                      JOIN indicators AS bi ON bi.indicator_id = b.indicator_id
                      WHERE b.indicator_id = i.per_person_base
                      AND b.locality_id = c.locality_id AND b.measure = 'amount'
                      AND b.breakdown IS NULL AND NOT b.is_target AND b.value > 0
                      AND abs(date_diff('day', b.as_of, c.as_of)) <= bi.base_max_days_apart)
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
