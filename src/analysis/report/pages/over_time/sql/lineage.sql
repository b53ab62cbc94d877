-- Predecessor → successor links of the 2025 reorganisation. A link to itself (a city whose
-- boundary did not change) is no boundary: its series continue.
SELECT predecessor_id, predecessor_vi, successor_id, successor_vi,
       effective_on::DATE AS effective_on, change_en
FROM locality_lineage
WHERE predecessor_id <> successor_id
ORDER BY effective_on, predecessor_id, successor_id
