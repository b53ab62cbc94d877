-- Every point of each comparison drawn on page 03, with how many places report results in it.
-- A comparison is charted when its results (not its targets) come from two or more places;
-- the national reference (admin level 'country') counts as a place. Comparisons with one place
-- but two or more dates are returned too (places = 1), so the page can show them apart.
WITH result_places AS (
    SELECT comparison_id,
           count(DISTINCT locality_id) AS places,
           count(DISTINCT as_of) AS dates
    FROM series
    WHERE NOT is_target
    GROUP BY comparison_id
)
SELECT s.comparison_id, s.series_id, s.figure_id, s.source_id, s.is_target,
       s.indicator_id, s.indicator_vi, s.indicator_en, s.kind,
       s.kind_lower_is_better, s.kind_own_scale,
       s.locality_id, s.locality_vi, s.locality_en, s.admin_level,
       s.breakdown, s.stock_or_flow, s.as_of::DATE AS as_of, s.period_start::DATE AS period_start,
       s.period_end::DATE AS period_end, s.value, s.unit, s.base_vi, s.base_en, s.base_value,
       s.qualifier, s.qualifier_kind, s.erratum_ids, s.printed, s.locator,
       coalesce(u.countable, true) AS countable, u.label_vi AS unit_vi, u.label_en AS unit_en,
       src.publisher, src.published_on::DATE AS published_on, src.title AS source_title,
       src.reference AS source_reference,
       p.places, p.dates,
       -- The day a successor of the 2025 reorganisation took over (null otherwise).
       g.successor_since
FROM series AS s
JOIN result_places AS p USING (comparison_id)
LEFT JOIN (SELECT successor_id AS locality_id, min(effective_on)::DATE AS successor_since
           FROM locality_lineage WHERE predecessor_id <> successor_id
           GROUP BY ALL) AS g ON g.locality_id = s.locality_id
LEFT JOIN units AS u ON u.unit_id = s.unit
LEFT JOIN sources AS src USING (source_id)
WHERE p.places >= 2 OR p.dates >= 2
ORDER BY s.comparison_id, s.admin_level = 'country' DESC, s.locality_id, s.series_id, s.as_of
