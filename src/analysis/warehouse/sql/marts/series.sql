-- marts.series: one row per point of a like-for-like series, the only thing charts compare.
--
-- A *comparison* is one measure defined once: indicator, unit, base, breakdown, and stock or
-- flow (with the flow's period length). Points of one comparison may share an axis across
-- places and dates. A *series* is one comparison in one place.
--
-- Points come from the preferred figures (see figure_pairs) after the errata register is
-- applied, so a withheld number never becomes a point. A figure gives up to two points:
--   share   the share in percent against a stated base (indicators whose kind is a ratio
--           in data/raw/indicator_kinds.csv), printed or computed from the figure's own numbers;
--   amount  the count, money, score, rank or change in the indicator's unit (for a share,
--           the count behind it: 80.220 accounts activated is compared in accounts).
--
-- The base of a share is the catalog's (indicators.denominator_en/_vi) with one exception: a
-- part printed only as a count under a printed total is a share of that total's count, which
-- is the catalog's base only where the total covers it whole (25 of 25 services). Otherwise
-- the point names the total's indicator as its base and belongs to a comparison of its own:
-- 708 authorised accounts are 76 % of 934 *registered* (not of 6.108 beneficiaries), and
-- Hòa Bình's 10 tasks completed are 18 % of a list of 56 that counts 28 routine tasks, which
-- are never "completed", so they are not set beside a province's printed 67/71.

CREATE OR REPLACE TABLE marts.series AS
WITH errata_of AS (
    -- Every erratum that names the figure: the rules it breaks, what it corrects or withholds.
    SELECT figure_id, erratum_id FROM raw.errata_breaks
    UNION SELECT figure_id, erratum_id FROM raw.errata_corrections
    UNION SELECT figure_id, erratum_id FROM raw.errata_withholds
),

figures AS (
    SELECT
        -- The columns the points use, not f.*: this CTE is materialized, a million rows wide.
        f.figure_id, f.source_id, f.locality_id, f.indicator_id, f.breakdown, f.as_of,
        f.period_start, f.period_end, f.kind, f.kind_is_ratio, f.kind_is_goal,
        f.kind_lower_is_better, f.kind_own_scale, f.topic,
        f.domain, f.admin_level, f.unit,
        f.denominator_kind, f.expected_direction, f.amount, f.value, f.value_decimals,
        f.denominator, f.reported_pct, f.pct_decimals, f.pct_denominator, f.share_pct,
        f.share_basis, f.qualifier, f.qualifier_kind, f.is_corrected, f.is_flagged,
        f.related_id, f.printed, f.locator,
        i.label_vi AS indicator_vi,
        i.label_en AS indicator_en,
        i.denominator_en,
        i.denominator_vi,
        u.label_en AS unit_label_en,
        u.label_vi AS unit_label_vi,
        u.compares_across_places AS unit_compares_across_places,
        l.name_vi AS locality_vi,
        l.name_en AS locality_en,
        -- A part whose share is taken of a total that is not shown to be the whole base.
        f.relation = 'part_of' AND f.denominator IS NULL
            AND NOT coalesce(same_number(t.amount, t.denominator), false) AS base_is_total_count,
        t.indicator_id AS total_indicator_id,
        ti.label_en AS total_label_en,
        ti.label_vi AS total_label_vi,
        -- Stock, or a flow with its period length (P1M: one month, P24M: two years).
        CASE
            WHEN f.period_start IS NULL THEN 'stock'
            WHEN f.period_end IS NULL THEN 'flow'
            WHEN (f.period_start + to_months(date_diff('month', f.period_start, f.period_end + 1)))::DATE
                = f.period_end + 1
                THEN 'flow P' || date_diff('month', f.period_start, f.period_end + 1) || 'M'
            ELSE 'flow P' || date_diff('day', f.period_start, f.period_end + 1) || 'D'
        END AS stock_or_flow,
        -- The breakdown as a slug for the ids (đ is not an accented d to strip_accents).
        coalesce(trim(regexp_replace(strip_accents(replace(lower(f.breakdown), 'đ', 'd')),
                                     '[^a-z0-9]+', '-', 'g'), '-'), 'all') AS breakdown_key
    FROM marts.figures_preferred AS f
    LEFT JOIN staging.indicators AS i ON i.indicator_id = f.indicator_id
    LEFT JOIN staging.units AS u ON u.unit_id = i.unit
    LEFT JOIN staging.localities AS l ON l.locality_id = f.locality_id
    LEFT JOIN marts.figures AS t ON t.figure_id = f.related_id AND f.relation = 'part_of'
    LEFT JOIN staging.indicators AS ti ON ti.indicator_id = t.indicator_id
    WHERE f.is_preferred
),

share_points AS (
    SELECT
        *,
        'share' AS measure,
        share_pct AS point_value,
        'percent' AS point_unit,
        'percent' AS point_unit_label_en,
        'phần trăm' AS point_unit_label_vi,
        share_basis AS point_basis,
        CASE WHEN share_basis = 'printed' THEN pct_decimals END AS point_decimals,
        pct_denominator AS base_value,
        CASE WHEN base_is_total_count THEN 'count-of-' || total_indicator_id ELSE 'catalog' END
            AS base_id,
        CASE WHEN base_is_total_count THEN 'stock' ELSE denominator_kind END AS base_kind,
        CASE WHEN base_is_total_count THEN total_label_en ELSE denominator_en END AS base_en,
        CASE WHEN base_is_total_count THEN total_label_vi ELSE denominator_vi END AS base_vi
    FROM figures
    WHERE kind_is_ratio AND share_pct IS NOT NULL
),

amount_points AS (
    SELECT
        *,
        'amount' AS measure,
        -- A score printed with a percent sign (PAR Index 88,18%) is a score out of 100.
        coalesce(amount, CASE WHEN kind_own_scale THEN reported_pct END) AS point_value,
        unit AS point_unit,
        unit_label_en AS point_unit_label_en,
        unit_label_vi AS point_unit_label_vi,
        'printed' AS point_basis,
        CASE WHEN value IS NOT NULL THEN value_decimals WHEN amount IS NULL THEN pct_decimals END
            AS point_decimals,
        -- Ranks and scores keep their base (ranked among 63; out of a maximum score); a count
        -- behind a share is a count and has none.
        CASE WHEN kind_own_scale AND denominator_kind IS NOT NULL THEN denominator END
            AS base_value,
        -- A rank among 63 provinces and one among the 34 after 2025 do not compare: the number
        -- ranked (or the maximum score) is part of the base.
        CASE WHEN kind_own_scale AND denominator_kind IS NOT NULL
             THEN 'catalog' || CASE WHEN denominator IS NOT NULL
                                    THEN '-of-' || fmt_num(denominator) ELSE '' END END AS base_id,
        CASE WHEN kind_own_scale THEN denominator_kind END AS base_kind,
        CASE WHEN kind_own_scale THEN denominator_en END AS base_en,
        CASE WHEN kind_own_scale THEN denominator_vi END AS base_vi
    FROM figures
    WHERE coalesce(amount, CASE WHEN kind_own_scale THEN reported_pct END) IS NOT NULL
),

points AS (
    SELECT * FROM share_points
    UNION ALL BY NAME
    SELECT * FROM amount_points
),

keyed AS (
    SELECT
        *,
        concat_ws('/', indicator_id, point_unit, coalesce(base_id, 'no-base'), breakdown_key,
                  replace(stock_or_flow, ' ', '-'),
                  -- Counts in a unit each place defines for itself (its own list of tasks)
                  -- compare only with the same place: the comparison is the place's own.
                  CASE WHEN measure = 'amount' AND NOT coalesce(unit_compares_across_places, true)
                       THEN 'in-' || locality_id END) AS comparison_key
    FROM points
),

-- The errata of a point: its figure's, and for a share computed against its total's count,
-- the total's too. Gathered by two equi-joins (a point is one figure and one measure), not
-- a lookup per point with an OR, which DuckDB can only run as a nested loop.
point_errata AS (
    SELECT figure_id, measure, string_agg(DISTINCT erratum_id, ', ' ORDER BY erratum_id)
        AS erratum_ids
    FROM (
        SELECT p.figure_id, p.measure, e.erratum_id
        FROM keyed AS p JOIN errata_of AS e ON e.figure_id = p.figure_id
        UNION ALL
        SELECT p.figure_id, p.measure, e.erratum_id
        FROM keyed AS p JOIN errata_of AS e ON e.figure_id = p.related_id
        WHERE p.measure = 'share' AND p.denominator IS NULL
    )
    GROUP BY ALL
),

-- Counts per series and per comparison as aggregates joined back: a window partitioned by
-- a comparison of a hundred thousand points sorts it; a hash aggregate does not.
series_counts AS (
    SELECT comparison_key, locality_id, count(*) AS series_points FROM keyed GROUP BY ALL
),

comparison_counts AS (
    SELECT comparison_key, count(DISTINCT locality_id) AS comparison_localities
    FROM keyed GROUP BY ALL
)

SELECT
    p.comparison_key || '@' || p.locality_id AS series_id,
    p.comparison_key AS comparison_id,
    p.measure,
    p.indicator_id,
    p.indicator_vi,
    p.indicator_en,
    p.kind,
    -- What the kind means for a chart (indicator_kinds.csv): best at the lowest number (a
    -- rank: axes run 1 at the top), and on the kind's own scale (no per-person form).
    coalesce(p.kind_lower_is_better, false) AS kind_lower_is_better,
    coalesce(p.kind_own_scale, false) AS kind_own_scale,
    p.topic,
    p.domain,
    p.locality_id,
    p.locality_vi,
    p.locality_en,
    p.admin_level,
    p.breakdown,
    p.stock_or_flow,
    p.as_of,
    p.period_start,
    p.period_end,
    p.point_value AS value,
    p.point_unit AS unit,
    p.point_unit_label_vi AS unit_label_vi,
    p.point_unit_label_en AS unit_label_en,
    p.point_basis AS value_basis,
    p.point_decimals AS value_decimals,
    p.amount,
    p.base_id,
    p.base_kind,
    p.base_en,
    p.base_vi,
    p.base_value,
    -- A goal (indicator_kinds.csv), never a result: comparisons never mix the two.
    coalesce(p.kind_is_goal, false) AS is_target,
    p.expected_direction,
    p.qualifier,
    p.qualifier_kind,
    p.is_corrected,
    p.is_flagged,
    pe.erratum_ids,
    p.figure_id,
    p.source_id,
    p.printed,
    p.locator,
    sc.series_points,
    cc.comparison_localities
FROM keyed AS p
LEFT JOIN point_errata AS pe ON pe.figure_id = p.figure_id AND pe.measure = p.measure
JOIN series_counts AS sc ON sc.comparison_key = p.comparison_key AND sc.locality_id = p.locality_id
JOIN comparison_counts AS cc ON cc.comparison_key = p.comparison_key;
