-- Reconciliation: figures from different sources that report the same indicator, locality
-- and breakdown at (nearly) the same date. Reports of one event often date a figure a day
-- apart (the last working day versus the last day of the year), so as-of dates up to
-- seven days apart are paired, and the gap is shown.
--
-- The value chosen for comparisons follows a stated rule: an official report wins over a
-- news article; between equals, the later publication wins; then the source id, so the
-- choice is always deterministic.

CREATE OR REPLACE VIEW marts.figure_pairs AS
SELECT
    a.indicator_id,
    a.locality_id,
    a.breakdown,
    a.figure_id AS figure_a,
    b.figure_id AS figure_b,
    a.source_id AS source_a,
    b.source_id AS source_b,
    a.as_of AS as_of_a,
    b.as_of AS as_of_b,
    abs(date_diff('day', a.as_of, b.as_of)) AS days_apart,
    a.printed AS printed_a,
    b.printed AS printed_b,
    same_number(a.amount, b.amount)
        AND (a.denominator IS NULL OR b.denominator IS NULL OR same_number(a.denominator, b.denominator))
        AND (a.reported_pct IS NULL OR b.reported_pct IS NULL
             OR same_number(a.reported_pct, b.reported_pct)) AS agree,
    CASE
        WHEN (a.source_kind = 'official_report') <> (b.source_kind = 'official_report')
            THEN CASE WHEN a.source_kind = 'official_report' THEN a.figure_id ELSE b.figure_id END
        WHEN a.published_on <> b.published_on
            THEN CASE WHEN a.published_on > b.published_on THEN a.figure_id ELSE b.figure_id END
        ELSE greatest(a.figure_id, b.figure_id)
    END AS preferred_figure,
    CASE
        WHEN (a.source_kind = 'official_report') <> (b.source_kind = 'official_report')
            THEN 'official report over news article'
        WHEN a.published_on <> b.published_on THEN 'later publication'
        ELSE 'same kind and date: higher source id'
    END AS preferred_because
-- Joined on 8-day buckets of the as-of date as well (a figure meets the buckets on either
-- side of its own, each pair exactly once), so a long monthly series of one indicator and
-- place is not compared with itself pairwise: the join stays linear at national scale.
FROM (
    SELECT *, date_diff('day', DATE '2000-01-01', as_of) // 8 + shift AS as_of_bucket
    FROM marts.figures, unnest([-1, 0, 1]) AS shifts(shift)
) AS a
JOIN (
    SELECT *, date_diff('day', DATE '2000-01-01', as_of) // 8 AS as_of_bucket
    FROM marts.figures
) AS b
    ON a.indicator_id = b.indicator_id
    AND a.locality_id = b.locality_id
    AND a.breakdown IS NOT DISTINCT FROM b.breakdown
    AND a.as_of_bucket = b.as_of_bucket
    AND a.source_id < b.source_id
    AND abs(date_diff('day', a.as_of, b.as_of)) <= 7;

-- A figure is preferred for comparisons unless a paired figure from another source wins.
-- The figures some pair outranks are listed first and joined on the id (a hash join):
-- a test against `f.figure_id IN (figure_a, figure_b)` would compare every figure with
-- every pair.
CREATE OR REPLACE VIEW marts.figures_preferred AS
WITH outranked AS (
    SELECT figure_a AS figure_id FROM marts.figure_pairs WHERE preferred_figure <> figure_a
    UNION
    SELECT figure_b AS figure_id FROM marts.figure_pairs WHERE preferred_figure <> figure_b
)
SELECT f.*, o.figure_id IS NULL AS is_preferred
FROM marts.figures AS f
LEFT JOIN outranked AS o ON o.figure_id = f.figure_id;
