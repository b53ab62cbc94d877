"""Queries the notebooks share. They read only the public views of the database.

Each function returns a pandas DataFrame ready for a table or a chart, so no notebook
repeats a query or a rule of interpretation.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis import paths


def connect(database: Path = paths.DATABASE) -> duckdb.DuckDBPyConnection:
    """A read-only connection: notebooks never change the database."""
    if not database.exists():
        raise FileNotFoundError(f"{database} does not exist: run `make all` (or `make build`)")
    return duckdb.connect(str(database), read_only=True)


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def localities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The register, with the parent named (not its id) and the 2025 successor as the
    lineage view gives it: the unit(s) continuing this one, or "unchanged"."""
    return _df(con, """
        SELECT l.locality_id, l.name_vi, l.name_en, l.admin_level,
               p.name_vi AS parent_vi, l.gso_code, l.successor_2025,
               coalesce(g.successors_vi, CASE WHEN g.unchanged THEN 'không đổi · unchanged' END)
                   AS successor_vi,
               l.era, l.population, l.population_as_of, l.population_basis,
               l.population_source
        FROM localities AS l
        LEFT JOIN localities AS p ON p.locality_id = l.parent_id
        LEFT JOIN (SELECT predecessor_id AS locality_id,
                          -- named as kit.charts.successor_name names a successor
                          string_agg(CASE WHEN contains(successor_vi, '(') THEN successor_vi
                                          ELSE successor_vi || ' (từ '
                                               || strftime(effective_on, '%Y-%m-%d') || ')'
                                     END, ', ' ORDER BY successor_vi)
                              FILTER (WHERE predecessor_id <> successor_id) AS successors_vi,
                          bool_or(predecessor_id = successor_id) AS unchanged
                   FROM locality_lineage GROUP BY ALL) AS g ON g.locality_id = l.locality_id
        ORDER BY l.gso_code, l.locality_id""")


def source_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per source: who published it, when, and the dates its figures describe."""
    return _df(con, """
        SELECT s.source_id, s.title, s.reference, l.gso_code, l.name_vi AS locality_vi,
               l.name_en AS locality_en, l.admin_level,
               s.kind, s.language, s.publisher, s.published_on, s.published_latest,
               s.published_basis,
               s.published_precision, min(f.as_of) AS first_as_of, max(f.as_of) AS last_as_of,
               count(f.figure_id) AS figures, count(DISTINCT f.as_of) AS dates
        FROM sources AS s
        JOIN localities AS l USING (locality_id)
        LEFT JOIN figures AS f USING (source_id)
        GROUP BY ALL ORDER BY l.gso_code, s.published_on""")


def as_of_dates_per_locality(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Distinct as-of dates per locality: a date two sources share counts once."""
    return _df(con, """
        SELECT l.locality_id, l.name_vi AS locality_vi, l.gso_code,
               count(DISTINCT f.as_of) AS dates, count(DISTINCT f.source_id) AS sources
        FROM figures AS f JOIN localities AS l USING (locality_id)
        GROUP BY ALL ORDER BY dates DESC, l.gso_code, l.locality_id""")


def series_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every point of the `series` view, with its unit's label and its source's publisher
    and date (so each chart can name its sources)."""
    return _df(con, """
        SELECT p.*, p.unit_label_vi AS unit_vi, s.publisher, s.published_on, s.language,
               s.title AS source_title, s.reference AS source_reference,
               -- The source printed this figure's base (a denominator or a percent) itself,
               -- rather than the share being computed against another figure's total.
               (f.denominator IS NOT NULL OR f.reported_pct IS NOT NULL) AS base_printed,
               -- The date a successor of the 2025 reorganisation took over (null otherwise).
               g.successor_since
        FROM series AS p
        LEFT JOIN sources AS s USING (source_id)
        LEFT JOIN figures AS f USING (figure_id)
        LEFT JOIN (SELECT successor_id AS locality_id, min(effective_on) AS successor_since
                   FROM locality_lineage WHERE predecessor_id <> successor_id
                   GROUP BY ALL) AS g ON g.locality_id = p.locality_id
        ORDER BY p.comparison_id, p.locality_id, p.as_of, p.series_id""")


def figure_dates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many figures each source dates to each as-of date (for the coverage timeline)."""
    return _df(con, """
        SELECT f.source_id, l.name_vi AS locality_vi, l.name_en AS locality_en, f.as_of,
               count(*) AS figures
        FROM figures AS f JOIN localities AS l USING (locality_id)
        GROUP BY ALL ORDER BY f.as_of, f.source_id""")


def figures_by_domain(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """
        SELECT f.source_id, s.publisher, s.published_on, s.title AS source_title,
               s.reference AS source_reference, i.domain, count(*) AS figures
        FROM figures AS f JOIN indicators AS i USING (indicator_id)
        JOIN sources AS s USING (source_id)
        GROUP BY ALL ORDER BY f.source_id, i.domain""")


def findings(con: duckdb.DuckDBPyConnection, layer: str = "raw",
             failed_only: bool = True) -> pd.DataFrame:
    return _df(con, """
        SELECT layer, rule, severity, figure_id, source_id, locator, printed, observed,
               expected, erratum_id, passed, convention
        FROM findings WHERE layer = ? AND (NOT passed OR NOT ?)
        ORDER BY severity, rule, figure_id""", [layer, failed_only])


def validation_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, "SELECT * FROM validation_summary ORDER BY layer DESC, severity, rule")


def rules(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every validation rule with what it asserts, in Vietnamese and in English."""
    return _df(con, """SELECT rule_id AS rule, severity, frame, description_vi, description
                       FROM rules ORDER BY frame, rule_id""")


def errata(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """SELECT erratum_id, source_id, rules, figure_ids, action, evidence,
                              explanation, explanation_vi, correction, stale FROM errata
                       ORDER BY erratum_id""")


def errata_effects(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What each erratum changes: the printed numbers next to the numbers the marts use."""
    return _df(con, """
        SELECT f.erratum_ids, f.figure_id, p.printed,
               p.numerator AS printed_numerator, f.numerator AS used_numerator,
               p.denominator AS printed_denominator, f.denominator AS used_denominator,
               p.value AS printed_value, f.value AS used_value,
               p.reported_pct AS printed_pct, f.share_pct AS used_pct, f.share_basis,
               f.is_corrected, f.withheld_fields
        FROM figures_corrected AS f JOIN figures AS p USING (figure_id)
        WHERE f.is_flagged ORDER BY f.erratum_ids, f.figure_id""")


def rounding_conventions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source: printed percentages that matched by rounding, by truncation, or both."""
    return _df(con, """
        SELECT r.source_id, s.title AS source_title, s.publisher, s.published_on,
               s.reference AS source_reference,
               coalesce(sum(checks) FILTER (WHERE convention = 'rounded'), 0) AS rounded,
               coalesce(sum(checks) FILTER (WHERE convention = 'truncated'), 0) AS truncated,
               coalesce(sum(checks) FILTER (WHERE convention = 'both'), 0) AS either,
               coalesce(sum(checks) FILTER (WHERE convention IS NULL), 0) AS mismatched
        FROM rounding_conventions AS r LEFT JOIN sources AS s USING (source_id)
        WHERE layer = 'raw' AND rule = 'percent_matches_ratio'
        GROUP BY ALL ORDER BY r.source_id""")


def reconciliation(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """
        SELECT indicator_id, breakdown, source_a, as_of_a, printed_a, source_b, as_of_b,
               printed_b, days_apart, agree, preferred_figure, preferred_because
        FROM figure_pairs ORDER BY indicator_id, breakdown""")


def unverifiable_percents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Printed percentages whose base is not printed anywhere, so no rule can check them."""
    return _df(con, """
        SELECT p.figure_id, p.printed, p.locator, f.indicator_vi, f.indicator_en, p.note
        FROM figures AS p JOIN figures_corrected AS f USING (figure_id)
        WHERE p.reported_pct IS NOT NULL
          AND NOT coalesce(coalesce(p.denominator, f.share_base) > 0, false)
          AND f.indicator_id IN (SELECT indicator_id FROM indicators
                                 WHERE kind_is_ratio AND NOT kind_is_goal)
        ORDER BY p.figure_id""")
