-- Typed, NFC-normalised reference registers (views over the raw text tables).

CREATE OR REPLACE VIEW staging.units AS
SELECT
    nfc_normalize(unit_id) AS unit_id,
    nfc_normalize(label_vi) AS label_vi,
    nfc_normalize(label_en) AS label_en,
    countable::BOOLEAN AS countable,
    compares_across_places::BOOLEAN AS compares_across_places,
    nfc_normalize(description) AS description
FROM raw.units;

CREATE OR REPLACE VIEW staging.qualifiers AS
SELECT nfc_normalize(word) AS word, language, qualifier_kind, nfc_normalize(meaning) AS meaning
FROM raw.qualifiers;

-- staging.localities and staging.lineage: register.sql (checked against the admin-unit library).

CREATE OR REPLACE VIEW staging.sources AS
SELECT
    source_id,
    locality_id,
    nfc_normalize(title) AS title,
    nfc_normalize(publisher) AS publisher,
    nullif(nfc_normalize(author), '') AS author,
    published_on::DATE AS published_on,
    published_precision,
    published_basis,
    -- The last day the publication can have happened, given the precision of its date; a
    -- range states its own last day (ingest.registers checks it is there and not earlier).
    CASE published_precision
        WHEN 'day' THEN published_on::DATE
        WHEN 'range' THEN nullif(published_latest, '')::DATE
        WHEN 'month' THEN last_day(published_on::DATE)
        ELSE make_date(year(published_on::DATE), 12, 31)
    END AS published_latest,
    nullif(period_start, '')::DATE AS period_start,
    nullif(period_end, '')::DATE AS period_end,
    kind,
    language,
    reference,
    nullif(nfc_normalize(note), '') AS note
FROM raw.sources;

-- The catalog of indicator kinds (data/raw/indicator_kinds.csv): the one place that says
-- which kinds are a ratio of a base (a share in percent), which are goals, not results,
-- which run best at the lowest number (a rank: 1 is first) and which are values on the
-- kind's own scale (a rank among 63, a score out of 100), whose base is that scale.
CREATE OR REPLACE VIEW staging.indicator_kinds AS
SELECT
    kind,
    ratio::BOOLEAN AS ratio,
    goal::BOOLEAN AS goal,
    lower_is_better::BOOLEAN AS lower_is_better,
    own_scale::BOOLEAN AS own_scale,
    nfc_normalize(description) AS description
FROM raw.indicator_kinds;

CREATE OR REPLACE VIEW staging.indicators AS
SELECT
    i.indicator_id,
    topic,
    domain,
    nfc_normalize(label_vi) AS label_vi,
    nfc_normalize(label_en) AS label_en,
    unit,
    kind,
    nullif(denominator_kind, '') AS denominator_kind,
    nullif(nfc_normalize(denominator_en), '') AS denominator_en,
    nullif(nfc_normalize(denominator_vi), '') AS denominator_vi,
    nullif(pipeline, '') AS pipeline,
    nullif(stage, '')::INTEGER AS stage,
    nullif(expected_direction, '') AS expected_direction,
    -- The population indicator a count is divided by to compare per 1,000 (per_person.sql).
    nullif(per_person_base, '') AS per_person_base,
    -- Whether each resident counts at most once and only residents count: a per-person value
    -- is then a share of residents (at most 1,000 per 1,000); else a rate per 1,000 residents.
    nullif(counts_residents, '')::BOOLEAN AS counts_residents,
    -- For a population indicator: how far from a count's date its figure may be that count's
    -- base (per_person.sql).
    nullif(base_max_days_apart, '')::INTEGER AS base_max_days_apart,
    -- The kind's meaning, from the catalog.
    k.ratio AS kind_is_ratio,
    k.goal AS kind_is_goal,
    k.lower_is_better AS kind_lower_is_better,
    k.own_scale AS kind_own_scale
FROM raw.indicators AS i
LEFT JOIN staging.indicator_kinds AS k USING (kind);
