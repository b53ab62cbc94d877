-- Figures after the errata register (data/raw/errata/<source_id>.yml) is applied:
--   action "correct": the stated values replace the printed ones;
--   action "flag": the figure stays, but the fields named under "withhold" are set to NULL
--   so that no comparison uses a number known to be wrong. The printed text is kept.

-- A view: it is read once, by the context query that makes marts.figures (sql/marts/figures.sql);
-- writing a million wide rows to a table first would cost more than computing them.
CREATE OR REPLACE VIEW marts.corrected_figures AS
WITH correction_numbers AS (
    SELECT figure_id, field, number, NULL::INTEGER AS decimals FROM raw.errata_corrections
),

corrections AS (
    SELECT * EXCLUDE (pct_decimals, value_decimals)
    FROM figure_number_fields(correction_numbers)
),

withheld AS (
    SELECT
        figure_id,
        bool_or(field = 'numerator') AS numerator,
        bool_or(field = 'denominator') AS denominator,
        bool_or(field = 'value') AS value,
        bool_or(field = 'percent') AS reported_pct,
        string_agg(DISTINCT field, ', ' ORDER BY field) AS fields
    FROM raw.errata_withholds
    GROUP BY figure_id
),
involved AS (
    -- every erratum that names the figure: as one it explains, corrects or withholds
    SELECT figure_id, string_agg(DISTINCT erratum_id, ', ' ORDER BY erratum_id) AS erratum_ids
    FROM (
        SELECT erratum_id, figure_id FROM raw.errata_breaks
        UNION ALL SELECT erratum_id, figure_id FROM raw.errata_corrections
        UNION ALL SELECT erratum_id, figure_id FROM raw.errata_withholds
    )
    GROUP BY figure_id
)
SELECT
    s.* REPLACE (
        CASE WHEN w.numerator THEN NULL ELSE coalesce(c.numerator, s.numerator) END AS numerator,
        CASE WHEN w.denominator THEN NULL ELSE coalesce(c.denominator, s.denominator) END AS denominator,
        CASE WHEN w.value THEN NULL ELSE coalesce(c.value, s.value) END AS value,
        CASE WHEN w.reported_pct THEN NULL ELSE coalesce(c.reported_pct, s.reported_pct) END AS reported_pct
    ),
    c.figure_id IS NOT NULL AS is_corrected,
    w.fields AS withheld_fields,
    e.erratum_ids,
    e.figure_id IS NOT NULL AS is_flagged
FROM staging.figures AS s
LEFT JOIN corrections AS c USING (figure_id)
LEFT JOIN withheld AS w USING (figure_id)
LEFT JOIN involved AS e USING (figure_id);
