-- validation.frame_series: one row per point of marts.series with the context the
-- comparability rules (expectations/rules.yml, frame: series) need as columns: what the
-- point's comparison holds (units, bases, indicators, targets), the catalog's kind of its
-- indicator, and the value recomputed from the figure's own numbers against the stated base.
-- A view, so that a test can change marts.series and validate what it changed.

CREATE OR REPLACE VIEW validation.frame_series AS
WITH comparisons AS (
    SELECT
        comparison_id,
        count(DISTINCT unit) AS comparison_units,
        string_agg(DISTINCT unit, ', ' ORDER BY unit) AS comparison_unit_list,
        count(DISTINCT concat_ws(' | ', coalesce(base_kind, '-'), coalesce(base_en, '-'),
                                 coalesce(base_vi, '-'))) AS comparison_bases,
        string_agg(DISTINCT coalesce(base_en, 'no base'), '; ') AS comparison_base_list,
        count(DISTINCT indicator_id) AS comparison_indicators,
        string_agg(DISTINCT indicator_id, ', ' ORDER BY indicator_id) AS comparison_indicator_list,
        count(*) FILTER (WHERE is_target) AS comparison_targets,
        count(*) AS comparison_points
    FROM marts.series
    GROUP BY comparison_id
)
SELECT
    s.figure_id,
    s.series_id,
    s.comparison_id,
    s.measure,
    s.indicator_id,
    s.unit,
    s.value,
    s.value_decimals,
    s.is_target,
    s.base_kind,
    s.base_en,
    s.base_value,
    -- per-person points: whether the count is of residents (catalog), and the base's date
    s.counts_residents,
    s.base_as_of,
    s.base_days_apart,
    c.* EXCLUDE (comparison_id),
    coalesce(i.kind, 'unknown') AS catalog_kind,
    -- Whether the kinds catalog (indicator_kinds.csv) calls that kind a goal, not a result.
    coalesce(i.kind_is_goal, false) AS catalog_kind_is_goal,
    f.amount AS figure_amount,
    CASE
        WHEN s.measure = 'share' AND f.amount IS NOT NULL AND s.base_value > 0
            THEN ratio_pct(f.amount, s.base_value)
        WHEN s.measure = 'share' THEN f.reported_pct
        -- per 1,000 residents: the count over the population figure the point names
        WHEN s.measure = 'per_person' THEN 1000.0 * f.amount / pop.amount
        ELSE coalesce(f.amount, f.reported_pct)
    END AS recomputed_value,
    -- The stated base must be a printed number: the figure's own base or its total's.
    s.base_value IS NULL OR same_number(s.base_value, f.denominator)
        OR same_number(s.base_value, t.amount) OR same_number(s.base_value, t.denominator)
        OR same_number(s.base_value, pop.amount)
        AS base_is_printed
FROM marts.series AS s
LEFT JOIN comparisons AS c ON c.comparison_id = s.comparison_id
LEFT JOIN staging.indicators AS i ON i.indicator_id = s.indicator_id
LEFT JOIN marts.figures AS f ON f.figure_id = s.figure_id
LEFT JOIN marts.figures AS t ON t.figure_id = f.related_id
LEFT JOIN marts.figures AS pop ON pop.figure_id = s.base_figure_id;
