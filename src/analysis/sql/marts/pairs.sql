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
FROM marts.figures AS a
JOIN marts.figures AS b
    ON a.indicator_id = b.indicator_id
    AND a.locality_id = b.locality_id
    AND a.breakdown IS NOT DISTINCT FROM b.breakdown
    AND a.source_id < b.source_id
    AND abs(date_diff('day', a.as_of, b.as_of)) <= 7;

-- A figure is preferred for comparisons unless a paired figure from another source wins.
CREATE OR REPLACE VIEW marts.figures_preferred AS
SELECT
    f.*,
    NOT EXISTS (
        SELECT 1 FROM marts.figure_pairs AS p
        WHERE f.figure_id IN (p.figure_a, p.figure_b) AND p.preferred_figure <> f.figure_id
    ) AS is_preferred
FROM marts.figures AS f;
