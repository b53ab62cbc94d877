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
    return _df(con, """
        SELECT locality_id, name_vi, name_en, admin_level, parent_id, gso_code, successor_2025,
               era, population, population_as_of, population_basis, population_source
        FROM localities ORDER BY gso_code""")


def source_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per source: who published it, when, and the dates its figures describe."""
    return _df(con, """
        SELECT s.source_id, l.gso_code, l.name_vi AS locality_vi, l.name_en AS locality_en,
               l.admin_level,
               s.kind, s.language, s.publisher, s.published_on, s.published_basis,
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
        SELECT p.*, p.unit_label_vi AS unit_vi, s.publisher, s.published_on,
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


def comparison_plan(points: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame,
                                                   pd.DataFrame]:
    """Which comparisons the comparison page draws, and what it lists instead.

    Returns ``(drawn, set_aside, single)``:

    - ``drawn``: comparison_id → its points, for every comparison whose results come from two
      or more localities. Shares are compared as shares; the counts behind them appear in
      the shares' labels, so a count comparison is drawn only for an indicator that has no
      share comparison. A share the source printed without its base (computed here against
      another figure's total) is not set beside shares printed with theirs.
    - ``set_aside``: the points left out of a share comparison for that reason.
    - ``single``: the points of measures that only one locality reports (results and
      targets), listed in a table rather than drawn as a lone bar.
    """
    frame = points.copy()
    is_share = frame["unit"] == "percent"
    unprinted = is_share & ~frame["base_printed"].fillna(False).astype(bool) \
        & (frame["value_basis"] == "computed")
    set_aside = frame[unprinted & (frame["comparison_localities"] >= 2)]
    frame = frame[~unprinted | (frame["comparison_localities"] < 2)]
    localities = frame[~frame["is_target"]].groupby("comparison_id")["locality_id"].nunique()
    compared = set(localities[localities >= 2].index)
    shared_indicators = set(frame.loc[frame["comparison_id"].isin(compared) & is_share,
                                      "indicator_id"])
    shared_indicators |= set(set_aside["indicator_id"])
    drawn = {}
    for comparison_id, group in frame[frame["comparison_id"].isin(compared)].groupby(
            "comparison_id", sort=False):
        if group["unit"].iloc[0] != "percent" and group["indicator_id"].iloc[0] in \
                shared_indicators:
            continue
        drawn[comparison_id] = group
    drawn = dict(sorted(drawn.items(), key=lambda item: (
        item[1]["unit"].iloc[0] != "percent", str(item[1]["topic"].iloc[0]), item[0])))
    shown = set(drawn) | {cid for cid in compared if cid not in drawn}
    single = frame[~frame["comparison_id"].isin(shown)]
    return drawn, set_aside, single


def figure_dates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many figures each source dates to each as-of date (for the coverage timeline)."""
    return _df(con, """
        SELECT f.source_id, l.name_vi AS locality_vi, l.name_en AS locality_en, f.as_of,
               count(*) AS figures
        FROM figures AS f JOIN localities AS l USING (locality_id)
        GROUP BY ALL ORDER BY f.as_of, f.source_id""")


def figures_by_domain(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """
        SELECT f.source_id, s.publisher, s.published_on, i.domain, count(*) AS figures
        FROM figures AS f JOIN indicators AS i USING (indicator_id)
        JOIN sources AS s USING (source_id)
        GROUP BY ALL ORDER BY f.source_id, i.domain""")


def essential_services_comparability(points: pd.DataFrame, comparable_indicator: str =
                                     "essential_services_online") -> pd.DataFrame:
    """Every essential-service figure of the `series` view, and whether it can be set against
    the others: the same indicator (implemented out of Đề án 06's 25) for a whole locality.
    The reason for any other figure is derived from the catalog, not written per figure."""
    frame = points[points["topic"].fillna("").str.startswith("essential_services")].copy()
    # A figure appears as a share and as a count series: list it once, as the share.
    frame = frame.sort_values(["figure_id", "unit"], key=lambda c: c.ne("percent")
                              if c.name == "unit" else c).drop_duplicates("figure_id")

    def reason(row: pd.Series) -> str:
        if row["indicator_id"] != comparable_indicator:
            base_vi = row["base_vi"] if isinstance(row["base_vi"], str) else "không in cơ sở"
            base_en = row["base_en"] if isinstance(row["base_en"], str) else "no base printed"
            return f"thước đo khác, cơ sở: {base_vi} · other measure, base: {base_en}"
        if isinstance(row["breakdown"], str):
            return f"chỉ một phần · only a part ({row['breakdown']})"
        return ""

    frame["not_comparable_because"] = frame.apply(reason, axis=1)
    frame["comparable"] = frame["not_comparable_because"] == ""
    return frame.sort_values(["comparable", "locality_vi", "as_of"],
                             ascending=[False, True, True]).reset_index(drop=True)


def findings(con: duckdb.DuckDBPyConnection, layer: str = "raw",
             failed_only: bool = True) -> pd.DataFrame:
    return _df(con, """
        SELECT layer, rule, severity, figure_id, source_id, locator, printed, observed,
               expected, erratum_id, passed, convention
        FROM findings WHERE layer = ? AND (NOT passed OR NOT ?)
        ORDER BY severity, rule, figure_id""", [layer, failed_only])


def validation_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, "SELECT * FROM validation_summary ORDER BY layer DESC, severity, rule")


def errata(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """SELECT erratum_id, source_id, rules, figure_ids, action, evidence,
                              explanation, correction, stale FROM errata ORDER BY erratum_id""")


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
        SELECT source_id,
               coalesce(sum(checks) FILTER (WHERE convention = 'rounded'), 0) AS rounded,
               coalesce(sum(checks) FILTER (WHERE convention = 'truncated'), 0) AS truncated,
               coalesce(sum(checks) FILTER (WHERE convention = 'both'), 0) AS either,
               coalesce(sum(checks) FILTER (WHERE convention IS NULL), 0) AS mismatched
        FROM rounding_conventions
        WHERE layer = 'raw' AND rule = 'percent_matches_ratio'
        GROUP BY source_id ORDER BY source_id""")


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
