"""Queries the notebooks share. They read only the public views of the database.

Each function returns a pandas DataFrame ready for a table or a chart, so no notebook
repeats a query or a rule of interpretation.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis import paths

# Topics compared across localities in the comparison notebook (see indicators.csv).
COMPARISON_TOPICS: dict[str, tuple[str, str]] = {
    "essential_services_25": ("Dịch vụ công thiết yếu (trên 25)",
                              "Essential online services, of 25"),
    "online_applications": ("Tỷ lệ hồ sơ trực tuyến", "Share of applications made online"),
    "cccd": ("Cấp căn cước công dân (CCCD)", "Citizen ID cards (CCCD) issued"),
    "vneid": ("Định danh điện tử VNeID", "VNeID electronic identification"),
    "health_insurance_cccd": ("Dùng CCCD khi khám chữa bệnh BHYT",
                              "CCCD used in health-insurance visits"),
    "social_insurance_matched": ("BHXH xác thực với CSDL dân cư",
                                 "Social-insurance records matched with the population database"),
    "cashless_social_payments": ("Chi trả an sinh không dùng tiền mặt",
                                 "Cashless social-security payments"),
    "tasks": ("Nhiệm vụ Đề án 06 đã hoàn thành", "Đề án 06 tasks completed"),
}


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
               population, population_basis, population_status
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
        GROUP BY ALL ORDER BY dates DESC, l.gso_code""")


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
        GROUP BY ALL ORDER BY f.as_of""")


def figures_by_domain(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """
        SELECT f.source_id, s.publisher, s.published_on, i.domain, count(*) AS figures
        FROM figures AS f JOIN indicators AS i USING (indicator_id)
        JOIN sources AS s USING (source_id)
        GROUP BY ALL ORDER BY f.source_id, i.domain""")


def comparable_figures(con: duckdb.DuckDBPyConnection, topics: list[str] | None = None,
                       unit: str | None = None) -> pd.DataFrame:
    """Preferred, errata-corrected figures of the comparison topics, whole-locality only."""
    topics = topics or list(COMPARISON_TOPICS)
    frame = _df(con, """
        SELECT figure_id, source_id, locality_id, locality_vi, locality_en, admin_level,
               topic, indicator_id, indicator_vi, indicator_en, denominator_en, breakdown,
               as_of, period_start, period_end, is_cumulative, headline, headline_unit,
               share_pct, share_basis, numerator, denominator, value, printed, qualifier,
               qualifier_kind, is_corrected, is_flagged, withheld_fields, erratum_ids, locator
        FROM figures_corrected
        WHERE is_preferred AND topic IN (SELECT unnest(?)) AND headline IS NOT NULL
        ORDER BY topic, indicator_id, locality_id, as_of""", [topics])
    if unit is not None:
        frame = frame[frame["headline_unit"] == unit]
    return frame.reset_index(drop=True)


def vneid_funnel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Cumulative VNeID pipeline stages (collected, verified, activated) per place and date."""
    return _df(con, """
        SELECT f.locality_id, f.locality_vi, f.locality_en, f.admin_level, f.as_of,
               i.stage, i.label_en AS stage_en, i.label_vi AS stage_vi,
               coalesce(f.value, f.numerator) AS accounts, f.qualifier_kind, f.printed,
               f.figure_id, f.source_id
        FROM figures_corrected AS f JOIN indicators AS i USING (indicator_id)
        WHERE i.pipeline = 'vneid' AND f.is_cumulative AND f.is_preferred
          AND coalesce(f.value, f.numerator) IS NOT NULL
        ORDER BY f.locality_id, f.as_of, i.stage""")


def vneid_activation_rates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Activated accounts as a share of the earliest stage printed for the same place and date.

    Places differ by orders of magnitude, so counts are not compared; the rate uses only
    printed figures, and says which stage it is a share of, since that differs by source.
    """
    return _df(con, """
        WITH funnel AS (
            SELECT f.locality_id, f.locality_vi, f.locality_en, f.admin_level, f.as_of,
                   i.stage, i.label_en, coalesce(f.value, f.numerator) AS accounts,
                   f.denominator, f.qualifier_kind, f.source_id, f.indicator_id
            FROM figures_corrected AS f JOIN indicators AS i USING (indicator_id)
            WHERE i.pipeline = 'vneid' AND f.is_cumulative AND f.is_preferred
        ),
        activated AS (SELECT * FROM funnel WHERE stage = 3),
        earlier AS (
            SELECT locality_id, as_of,
                   arg_min(accounts, stage) AS base_accounts,
                   min(stage) AS base_stage,
                   arg_min(qualifier_kind, stage) AS base_qualifier
            FROM funnel WHERE stage < 3 GROUP BY ALL
        )
        SELECT a.locality_id, a.locality_vi, a.locality_en, a.admin_level, a.as_of,
               a.accounts AS activated,
               coalesce(e.base_accounts, a.denominator) AS base_accounts,
               CASE WHEN e.base_stage = 1 THEN 'collected or registered'
                    WHEN e.base_stage = 2 OR a.denominator IS NOT NULL THEN 'verified'
               END AS base_label,
               100.0 * a.accounts / coalesce(e.base_accounts, a.denominator) AS activation_rate,
               a.qualifier_kind AS activated_qualifier, e.base_qualifier,
               a.source_id
        FROM activated AS a LEFT JOIN earlier AS e USING (locality_id, as_of)
        WHERE coalesce(e.base_accounts, a.denominator) IS NOT NULL
        ORDER BY a.as_of""")


QUALIFIER_WORDS = {"approximate": "approximate", "lower_bound": "a lower bound",
                   "upper_bound": "an upper bound"}


def describe_bounds(activated: str | None, base: str | None) -> str:
    """Say in words which parts of a rate are not exact ('' when both are exact)."""
    parts = [f"{what} is {QUALIFIER_WORDS[kind]}"
             for what, kind in (("the activated count", activated), ("its base", base))
             if isinstance(kind, str)]
    return " and ".join(parts)


def series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every indicator (or pipeline stage) with two or more dates in one locality."""
    return _df(con, """
        WITH stage_aware AS (
            -- A pipeline stage is one series in accounts, even where a source printed it
            -- as a percent of a target (Hà Nội 2023) and another as a count.
            SELECT * REPLACE (
                CASE WHEN series_key LIKE '% stage %' AND amount IS NOT NULL
                     THEN amount ELSE headline END AS headline,
                CASE WHEN series_key LIKE '% stage %' AND amount IS NOT NULL
                     THEN unit ELSE headline_unit END AS headline_unit)
            FROM figures_corrected
        ),
        points AS (
            SELECT f.*, count(DISTINCT as_of) OVER (
                       PARTITION BY locality_id, series_key, breakdown, headline_unit) AS dates
            FROM stage_aware AS f
            WHERE is_preferred AND headline IS NOT NULL AND (is_cumulative OR kind IN
                  ('score', 'rank'))
        )
        SELECT p.figure_id, p.source_id, p.locality_id, p.locality_vi, p.locality_en,
               p.admin_level, p.series_key, p.indicator_id, p.indicator_vi, p.indicator_en,
               p.breakdown, p.as_of, p.headline, p.headline_unit, p.printed, p.qualifier_kind,
               p.is_flagged, p.erratum_ids, p.locator,
               coalesce(w.failed, false) AS moves_against_expectation
        FROM points AS p
        LEFT JOIN (SELECT figure_id, true AS failed FROM findings
                   WHERE layer = 'marts' AND rule = 'cumulative_series_non_decreasing'
                     AND NOT passed) AS w USING (figure_id)
        WHERE p.dates >= 2
        ORDER BY p.locality_id, p.series_key, p.as_of""")


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
               count(*) FILTER (WHERE convention = 'rounded') AS rounded,
               count(*) FILTER (WHERE convention = 'truncated') AS truncated,
               count(*) FILTER (WHERE convention = 'both') AS either,
               count(*) FILTER (WHERE NOT passed) AS mismatched
        FROM findings
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
        SELECT f.figure_id, f.printed, f.locator, i.label_vi AS indicator_vi,
               i.label_en AS indicator_en, f.note
        FROM figures AS f JOIN indicators AS i USING (indicator_id)
        WHERE f.reported_pct IS NOT NULL
          AND f.figure_id NOT IN (SELECT figure_id FROM findings WHERE layer = 'raw'
                                  AND rule IN ('percent_matches_ratio',
                                               'percent_reachable_with_whole_base'))
          AND i.kind IN ('share', 'achievement')
        ORDER BY f.figure_id""")
