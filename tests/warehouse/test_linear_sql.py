"""The linear rewrites of the pipeline-stage lookup, figure_pairs and figures_preferred give
the same rows as the straightforward (quadratic) formulations they replaced."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from generator import load_generator

from analysis.warehouse.build import build, build_derived

# The formulations before the rewrite, kept here as the reference.
OLD_STAGES = """
SELECT later.figure_id, min(earlier.amount) AS earlier_stage_min
FROM {frame} AS later
JOIN {frame} AS earlier
    ON earlier.locality_id = later.locality_id AND earlier.as_of = later.as_of
    AND earlier.pipeline = later.pipeline AND earlier.stage < later.stage
    AND earlier.breakdown IS NOT DISTINCT FROM later.breakdown
WHERE later.is_cumulative AND earlier.is_cumulative AND earlier.amount IS NOT NULL
GROUP BY later.figure_id"""

OLD_PAIRS = """
SELECT a.figure_id AS figure_a, b.figure_id AS figure_b,
       abs(date_diff('day', a.as_of, b.as_of)) AS days_apart
FROM marts.figures AS a
JOIN marts.figures AS b
    ON a.indicator_id = b.indicator_id AND a.locality_id = b.locality_id
    AND a.breakdown IS NOT DISTINCT FROM b.breakdown AND a.source_id < b.source_id
    AND abs(date_diff('day', a.as_of, b.as_of)) <= 7"""

OLD_PREFERRED = """
SELECT f.figure_id, NOT EXISTS (
    SELECT 1 FROM marts.figure_pairs AS p
    WHERE f.figure_id IN (p.figure_a, p.figure_b) AND p.preferred_figure <> f.figure_id
) AS is_preferred
FROM marts.figures AS f"""



@pytest.fixture(scope="module")
def generated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated national-style layer, with extra same-day stage reports added.

    The extra rows give stage groups several figures per stage (ties, lower and higher
    amounts, a breakdown) and pairs across more than two sources, which the generator
    alone rarely produces.
    """
    folder = tmp_path_factory.mktemp("linear")
    raw_dir = folder / "raw"
    load_generator().generate(1500, raw_dir, seed=11)
    database = build(folder / "generated.duckdb", raw_dir=raw_dir, quiet=True)
    con = duckdb.connect(str(database))
    try:
        shifted = "(f.as_of::DATE + (hash(f.figure_id) % 10)::INTEGER)::VARCHAR"
        for suffix, factor, breakdown, as_of in (
                ("tie", 1.0, "f.breakdown", "f.as_of"), ("lower", 0.9, "f.breakdown", "f.as_of"),
                ("higher", 1.2, "'urban'", "f.as_of"), ("later", 1.0, "f.breakdown", shifted)):
            con.execute(f"""
                INSERT INTO raw.figures SELECT * REPLACE (
                    'extra-{suffix}-' || f.source_id AS source_id,
                    f.figure_id || '-{suffix}' AS figure_id, {breakdown} AS breakdown,
                    {as_of} AS as_of)
                FROM raw.figures AS f
                WHERE f.indicator_id IN ('vneid_collected', 'vneid_verified', 'cccd_issued',
                                         'cccd_applications_collected')
                  AND hash(f.figure_id) % 3 = 0""")
            con.execute(f"""
                INSERT INTO staging.figure_numbers SELECT n.* REPLACE (
                    n.figure_id || '-{suffix}' AS figure_id,
                    CASE WHEN n.field = 'percent' THEN n.number ELSE round(n.number * {factor})
                    END AS number)
                FROM staging.figure_numbers AS n
                JOIN raw.figures AS f ON f.figure_id = n.figure_id || '-{suffix}'""")
        build_derived(con, [])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return database


@pytest.fixture(params=["generated", "project"])
def con(request, generated_database, built_database):
    database = generated_database if request.param == "generated" else built_database
    connection = duckdb.connect(str(database), read_only=True)
    yield connection
    connection.close()


@pytest.mark.parametrize("frame", ["validation.frame_raw", "marts.figures"])
def test_stage_lookup_matches_the_self_join(con, frame):
    old = con.execute(OLD_STAGES.format(frame=frame)).fetchall()
    new = con.execute(f"""SELECT figure_id, earlier_stage_min FROM {frame}
                          WHERE earlier_stage_min IS NOT NULL""").fetchall()
    assert sorted(new) == sorted(old)
    # The figure named is one at an earlier stage holding that minimum.
    wrong = con.execute(f"""
        SELECT later.figure_id FROM {frame} AS later
        LEFT JOIN {frame} AS earlier ON earlier.figure_id = later.earlier_stage_figure
        WHERE later.earlier_stage_min IS NOT NULL AND NOT (
            earlier.amount = later.earlier_stage_min AND earlier.stage < later.stage
            AND earlier.locality_id = later.locality_id AND earlier.as_of = later.as_of)
        """).fetchall()
    assert wrong == []


def test_generated_case_exercises_stages_and_pairs(generated_database):
    connection = duckdb.connect(str(generated_database), read_only=True)
    try:
        stage_groups, pairs, gaps = connection.execute("""
            SELECT (SELECT count(*) FROM marts.figures WHERE earlier_stage_min IS NOT NULL),
                   (SELECT count(*) FROM marts.figure_pairs),
                   (SELECT count(DISTINCT days_apart) FROM marts.figure_pairs)""").fetchone()
    finally:
        connection.close()
    assert stage_groups > 100 and pairs > 100
    assert gaps == 8  # every gap from 0 to 7 days


def test_figure_pairs_match_the_plain_self_join(con):
    old = con.execute(OLD_PAIRS).fetchall()
    new = con.execute("SELECT figure_a, figure_b, days_apart FROM marts.figure_pairs").fetchall()
    assert sorted(new) == sorted(old)


def test_preferred_figures_match_the_not_exists_formulation(con):
    old = con.execute(OLD_PREFERRED).fetchall()
    new = con.execute("SELECT figure_id, is_preferred FROM marts.figures_preferred").fetchall()
    assert sorted(new) == sorted(old)
