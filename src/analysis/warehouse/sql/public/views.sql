-- The public contract: views in the main schema, documented in docs/data-dictionary.md (from data/dictionary.yml).
-- Analysts and notebooks read only these.

CREATE OR REPLACE VIEW units AS SELECT * FROM staging.units;
CREATE OR REPLACE VIEW qualifiers AS SELECT * FROM staging.qualifiers;
CREATE OR REPLACE VIEW localities AS SELECT * FROM staging.localities;
CREATE OR REPLACE VIEW sources AS SELECT * FROM staging.sources;

CREATE OR REPLACE VIEW indicators AS
SELECT i.*, u.label_en AS unit_label_en, u.label_vi AS unit_label_vi, u.countable
FROM staging.indicators AS i
LEFT JOIN staging.units AS u ON u.unit_id = i.unit;

-- Every figure as printed: typed numbers, the printed text and where it stands.
CREATE OR REPLACE VIEW figures AS
SELECT
    figure_id, source_id, locality_id, indicator_id, breakdown,
    as_of, as_of_basis, period_start, period_end, is_cumulative,
    numerator, denominator, value, reported_pct, pct_decimals,
    CASE WHEN denominator > 0 THEN ratio_pct(numerator, denominator) END AS computed_pct,
    qualifier, qualifier_kind, printed, phrase, locator,
    relation, related_id, related_id_2, note, source_file, source_line
FROM staging.figures;

-- Analysis-ready figures: errata applied, comparable headline value, context for charts.
CREATE OR REPLACE VIEW figures_corrected AS
SELECT
    f.figure_id, f.source_id, f.locality_id, l.name_vi AS locality_vi, l.name_en AS locality_en,
    f.admin_level, f.indicator_id, i.label_vi AS indicator_vi, i.label_en AS indicator_en,
    f.topic, f.domain, f.kind, f.unit, f.denominator_kind, i.denominator_en, i.denominator_vi,
    f.breakdown,
    f.as_of, f.period_start, f.period_end, f.is_cumulative, f.series_key,
    f.numerator, f.denominator, f.value, f.reported_pct, f.pct_decimals,
    -- A share computed from its base is rounded to 2 decimals, the finest precision the
    -- sources print percentages with (no float noise such as 24.197002141327623); printed
    -- shares and amounts are exactly as printed.
    f.amount,
    CASE WHEN f.share_basis = 'computed' THEN round(f.share_pct, 2) ELSE f.share_pct END
        AS share_pct,
    f.share_basis, f.pct_denominator AS share_base,
    CASE WHEN f.share_basis = 'computed' AND f.headline_unit = 'percent'
         THEN round(f.headline, 2) ELSE f.headline END AS headline,
    f.headline_unit,
    f.qualifier, f.qualifier_kind, f.printed, f.locator, f.note,
    f.source_kind, f.published_on,
    f.is_corrected, f.is_flagged, f.withheld_fields, f.erratum_ids, f.is_preferred
FROM marts.figures_preferred AS f
LEFT JOIN staging.localities AS l USING (locality_id)
LEFT JOIN staging.indicators AS i USING (indicator_id);

CREATE OR REPLACE VIEW figure_pairs AS SELECT * FROM marts.figure_pairs;

-- One row per point of a like-for-like series (see sql/marts/series.sql).
CREATE OR REPLACE VIEW series AS SELECT * FROM marts.series;

CREATE OR REPLACE VIEW rules AS SELECT * FROM validation.rules;

-- One row per failing (layer, rule, figure), and where a rule fails for a figure in the raw
-- or the marts layer, the figure's result in the other one.
CREATE OR REPLACE VIEW findings AS
SELECT
    v.layer, v.rule, v.severity, v.figure_id, v.passed, v.observed, v.expected, v.convention,
    v.erratum_id, f.source_id, f.locality_id, f.indicator_id, f.locator, f.printed
FROM validation.findings AS v
LEFT JOIN staging.figures AS f USING (figure_id);

CREATE OR REPLACE VIEW errata AS
SELECT
    e.erratum_id, e.source_id,
    (SELECT string_agg(DISTINCT b.rule, ', ' ORDER BY b.rule) FROM raw.errata_breaks AS b
     WHERE b.erratum_id = e.erratum_id) AS rules,
    (SELECT string_agg(DISTINCT b.figure_id, ', ' ORDER BY b.figure_id) FROM raw.errata_breaks AS b
     WHERE b.erratum_id = e.erratum_id) AS figure_ids,
    e.action, e.evidence, e.explanation, e.explanation_vi, e.correction, s.stale, s.stale_detail
FROM raw.errata AS e
LEFT JOIN validation.errata_status AS s USING (erratum_id);

CREATE OR REPLACE VIEW validation_summary AS
SELECT
    c.layer, c.rule, c.severity, c.applicable, c.failed,
    -- after the errata only a warning can be explained: an error there means the erratum's
    -- correction does not fix it (or itself breaks the rule)
    count(f.figure_id) FILTER (WHERE f.erratum_id IS NOT NULL
                               AND (c.layer = 'raw' OR c.severity = 'warning')) AS explained,
    count(f.figure_id) FILTER (WHERE f.erratum_id IS NULL
                               OR (c.layer = 'marts' AND c.severity = 'error')) AS unexplained
FROM validation.rule_counts AS c
LEFT JOIN validation.findings AS f ON f.layer = c.layer AND f.rule = c.rule AND NOT f.passed
GROUP BY ALL;

-- Per source and rule with a rounding convention: how many printed percentages matched by
-- rounding, by truncation, or both (NULL: neither; those are failures).
CREATE OR REPLACE VIEW rounding_conventions AS
SELECT layer, rule, source_id, convention, checks FROM validation.conventions;

-- Lineage across the 2025 reorganisation: one row per predecessor -> successor link, at
-- every level, derived from the admin-unit library's converter (see sql/staging/register.sql),
-- with both names and levels and each side's reference population. successor_id is NULL
-- where the 2025 unit is not in the register (successor_vi and successor_gso_code, from the
-- library, still name it). A figure dated after effective_on describes the successor.
CREATE OR REPLACE VIEW locality_lineage AS
SELECT
    g.predecessor_id,
    p.name_vi AS predecessor_vi,
    p.name_en AS predecessor_en,
    p.admin_level AS predecessor_level,
    g.predecessor_gso_code,
    g.successor_id,
    coalesce(s.name_vi, g.successor_vi) AS successor_vi,
    s.name_en AS successor_en,
    coalesce(s.admin_level, g.successor_level) AS successor_level,
    g.successor_gso_code,
    g.successor_province_gso_code,
    g.effective_on,
    g.change_en,
    g.former_communes,
    g.split_communes,
    g.outside_communes,
    g.derived_from,
    g.reason,
    p.population AS population_before,
    p.population_basis AS population_before_basis,
    p.population_as_of AS population_before_as_of,
    s.population AS population_after,
    s.population_basis AS population_after_basis,
    s.population_as_of AS population_after_as_of,
    s.population_source AS population_after_source,
    g.legal_basis,
    g.reference,
    g.note
FROM staging.lineage AS g
JOIN staging.localities AS p ON p.locality_id = g.predecessor_id
LEFT JOIN staging.localities AS s ON s.locality_id = g.successor_id;
