-- For every result point of a place, the national result of the same comparison whose as-of
-- date is nearest (the earlier one on a tie), preferring the same breakdown.
WITH national AS (
    SELECT comparison_id, breakdown, series_id, figure_id, as_of::DATE AS as_of, value,
           qualifier_kind, printed, source_id
    FROM series
    WHERE admin_level = 'country' AND NOT is_target
),
local_points AS (
    SELECT comparison_id, breakdown, series_id, figure_id, as_of::DATE AS as_of
    FROM series
    WHERE admin_level <> 'country' AND NOT is_target
)
SELECT l.comparison_id, l.series_id, l.figure_id, l.as_of,
       n.series_id AS national_series_id, n.figure_id AS national_figure_id,
       n.as_of AS national_as_of, n.value AS national_value,
       n.qualifier_kind AS national_qualifier_kind, n.printed AS national_printed,
       n.source_id AS national_source_id,
       abs(date_diff('day', n.as_of, l.as_of)) AS days_apart
FROM local_points AS l
JOIN national AS n USING (comparison_id)
QUALIFY row_number() OVER (
    PARTITION BY l.series_id, l.figure_id
    ORDER BY (n.breakdown IS NOT DISTINCT FROM l.breakdown) DESC,
             abs(date_diff('day', n.as_of, l.as_of)), n.as_of, n.figure_id) = 1
ORDER BY l.comparison_id, l.series_id, l.as_of
