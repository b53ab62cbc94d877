-- The locality register and its lineage, as analysis.ingest.register_check resolved them
-- against the admin-unit library (vietnamadminunits): raw.locality_units holds each row
-- with what the register left blank taken from the library, raw.lineage_derived every
-- predecessor -> successor link (the converter's, then lineage.csv's own).

-- One row per link. successor_id is NULL where the 2025 unit is not in the register (its
-- code and the library's name still say which unit it is).
CREATE OR REPLACE VIEW staging.lineage AS
SELECT
    d.predecessor_id,
    d.predecessor_gso_code,
    nullif(d.successor_id, '') AS successor_id,
    nfc_normalize(d.successor_vi) AS successor_vi,
    d.successor_level,
    d.successor_gso_code,
    nullif(d.successor_province_gso_code, '') AS successor_province_gso_code,
    d.effective_on::DATE AS effective_on,
    nfc_normalize(d.change_en) AS change_en,
    nullif(d.former_communes, '')::INTEGER AS former_communes,
    nullif(d.split_communes, '')::INTEGER AS split_communes,
    nullif(d.outside_communes, '')::INTEGER AS outside_communes,
    d.derived_from,
    nfc_normalize(d.legal_basis) AS legal_basis,
    coalesce(r.reference, d.derived_from) AS reference,
    nullif(nfc_normalize(d.reason), '') AS reason,
    nullif(nfc_normalize(r.note), '') AS note
FROM raw.lineage_derived AS d
-- A typed link (derived_from 'lineage.csv line <n>') keeps its reference and note.
LEFT JOIN raw.lineage AS r
    ON d.derived_from = 'lineage.csv line ' || r.source_line
    AND r.predecessor_id = d.predecessor_id AND r.successor_id = d.successor_id;

-- Each locality's reference population: its latest whole-locality `population` figure
-- (one fact, one place: the figure, with its source and date, is the population).
CREATE OR REPLACE VIEW staging.locality_populations AS
SELECT
    f.locality_id,
    n.number::BIGINT AS population,
    f.as_of::DATE AS population_as_of,
    nfc_normalize(f.phrase) AS population_basis,
    f.source_id AS population_source,
    f.figure_id AS population_figure_id
FROM raw.figures AS f
JOIN staging.figure_numbers AS n ON n.figure_id = f.figure_id AND n.field = 'value'
WHERE f.indicator_id = 'population' AND f.breakdown = ''
QUALIFY row_number() OVER (PARTITION BY f.locality_id
                           ORDER BY f.as_of DESC, f.figure_id) = 1;

CREATE OR REPLACE VIEW staging.localities AS
SELECT
    u.locality_id,
    u.era,
    nfc_normalize(u.name_vi) AS name_vi,
    u.name_ascii,
    nfc_normalize(u.name_en) AS name_en,
    u.admin_level,
    nullif(u.parent_id, '') AS parent_id,
    r.gso_code,
    nullif(u.parent_gso_code, '') AS parent_gso_code,
    nullif(u.province_gso_code, '') AS province_gso_code,
    nullif(nfc_normalize(u.library_name_vi), '') AS library_name_vi,
    nullif(nfc_normalize(u.division_type), '') AS division_type,
    nullif(u.library, '') AS library,
    nullif(nfc_normalize(r.not_in_library), '') AS not_in_library,
    -- A summary of the successors, from the lineage (never typed); a unit the
    -- reorganisation kept names itself.
    (SELECT string_agg(coalesce(nullif(n.name_vi, ''), g.successor_vi)
                       || CASE WHEN g.successor_id = u.locality_id THEN ' (same boundary)'
                               ELSE '' END, '; ' ORDER BY g.successor_gso_code)
     FROM raw.lineage_derived AS g
     LEFT JOIN raw.locality_units AS n ON n.locality_id = g.successor_id
     WHERE g.predecessor_id = u.locality_id)
        AS successor_2025,
    (SELECT string_agg(g.successor_gso_code, ';' ORDER BY g.successor_gso_code)
     FROM raw.lineage_derived AS g WHERE g.predecessor_id = u.locality_id)
        AS successor_codes_2025,
    p.population,
    p.population_as_of,
    p.population_basis,
    p.population_source,
    p.population_figure_id
FROM raw.locality_units AS u
JOIN raw.localities AS r USING (locality_id)
LEFT JOIN staging.locality_populations AS p USING (locality_id);
