-- marts.per_person: counts made comparable across places of different size, per 1,000
-- residents. A district's 60.000 VNeID accounts and a city's 5 million do not share an axis;
-- 470 and 610 accounts per 1,000 residents do.
--
-- Which counts: the amount points of marts.series for a whole locality (no breakdown) whose
-- indicator names a population in the catalog (indicators.per_person_base: the indicator of
-- the population figures, `population`), in a unit that counts whole things and compares
-- across places.
--
-- The rule: a count is divided by the population figure of the SAME locality (same
-- locality_id: a successor of the 2025 reorganisation is not its predecessor) and of the base
-- indicator, for the whole locality (no breakdown), that is CLOSEST IN DATE to the count's
-- as-of date; on a tie the later figure, then the smaller figure id. A population figure
-- further from the count than its indicator's base_max_days_apart (the catalog's one
-- statement of how old a base may be) is no base: a 2024 count over a 2019 population reads
-- five years of growth or migration as coverage. A count with no such population figure
-- gets no per-person point. The figure used is carried with the point (base_figure_id,
-- base_as_of, base_source_id, base_value, base_days_apart), so every per-person value can be
-- traced to a printed population like any other number.
--
-- How the value reads follows the catalog's counts_residents: a count of residents (each at
-- most once, only residents) per 1,000 residents is a share of them and is at most 1,000
-- (rule per_person_of_residents_at_most_1000); any other count (look-ups, visits, records,
-- insurance participants registered with the place's office) gives a rate of those things
-- per 1,000 residents, never a share of residents. The unit label and the base text say
-- which, so every reader of `series` shows it.
--
-- Each per-person measure is its own comparison in marts.series (measure `per_person`, unit
-- per_1000_residents), inserted below, so that every reader of `series` (charts, explorer,
-- validation) sees it as a comparison like the others.

CREATE OR REPLACE TABLE marts.per_person AS
WITH counts AS (
    SELECT s.*, i.per_person_base AS base_indicator_id, i.counts_residents
    FROM marts.series AS s
    JOIN staging.indicators AS i ON i.indicator_id = s.indicator_id
    JOIN staging.units AS u ON u.unit_id = s.unit
    -- Whole localities only: a district's count over its province's population is no rate.
    WHERE s.measure = 'amount' AND i.per_person_base IS NOT NULL AND s.breakdown IS NULL
        AND u.countable AND u.compares_across_places
),

-- Population figures as points of marts.series: preferred figures, errata applied, with
-- how far from a count's date their indicator lets them serve as its base.
populations AS (
    SELECT s.indicator_id, s.locality_id, s.figure_id, s.as_of, s.value, s.source_id,
           s.erratum_ids, b.base_max_days_apart
    FROM marts.series AS s
    JOIN staging.indicators AS b ON b.indicator_id = s.indicator_id
    WHERE s.measure = 'amount' AND s.breakdown IS NULL AND NOT s.is_target AND s.value > 0
        AND s.indicator_id IN (SELECT per_person_base FROM staging.indicators)
),

nearest AS (
    SELECT
        c.*,
        p.figure_id AS base_figure_id,
        p.as_of AS base_as_of,
        p.value AS population,
        p.source_id AS base_source_id,
        p.erratum_ids AS base_erratum_ids,
        p.base_max_days_apart,
        abs(date_diff('day', p.as_of, c.as_of)) AS base_days_apart
    FROM counts AS c
    JOIN populations AS p ON p.locality_id = c.locality_id
        AND p.indicator_id = c.base_indicator_id
        -- A figure too far in date is no base (catalog: base_max_days_apart).
        AND abs(date_diff('day', p.as_of, c.as_of)) <= p.base_max_days_apart
    QUALIFY row_number() OVER (PARTITION BY c.series_id, c.figure_id
                               ORDER BY base_days_apart, p.as_of DESC, p.figure_id) = 1
),

points AS (
    SELECT
        -- The count's comparison with its unit and base replaced: the breakdown and the
        -- stock-or-flow parts (4th and 5th) stay, so a monthly flow per person is still apart
        -- from a cumulative one.
        concat_ws('/', indicator_id, 'per_1000_residents', 'per-1000-' || base_indicator_id,
                  string_split(comparison_id, '/')[4], string_split(comparison_id, '/')[5])
            AS per_person_comparison_id,
        *
    FROM nearest
),

series_counts AS (
    SELECT per_person_comparison_id, locality_id, count(*) AS series_points
    FROM points GROUP BY ALL
),

comparison_counts AS (
    SELECT per_person_comparison_id, count(DISTINCT locality_id) AS comparison_localities
    FROM points GROUP BY ALL
)

-- The count's own columns carried as they are (the insert below is BY NAME, so marts.series
-- keeps one column list); only what makes it a per-person point is replaced.
SELECT
    p.* EXCLUDE (per_person_comparison_id, base_indicator_id, population, base_erratum_ids,
                 base_max_days_apart, series_points, comparison_localities)
        REPLACE (
            p.per_person_comparison_id || '@' || p.locality_id AS series_id,
            p.per_person_comparison_id AS comparison_id,
            'per_person' AS measure,
            1000.0 * p.value / p.population AS value,
            'per_1000_residents' AS unit,
            -- "accounts per 1,000 residents" reads as residents; a count of anything else
            -- says it is a rate, so "persons" registered with an office are not read as them.
            p.unit_label_vi || ' ' || u.label_vi || CASE WHEN p.counts_residents THEN ''
                ELSE ' (tỷ suất)' END AS unit_label_vi,
            p.unit_label_en || ' ' || u.label_en || CASE WHEN p.counts_residents THEN ''
                ELSE ' (a rate)' END AS unit_label_en,
            'computed' AS value_basis,
            NULL::INTEGER AS value_decimals,
            p.value AS amount,
            'per-1000-' || p.base_indicator_id AS base_id,
            'stock' AS base_kind,
            -- One text per comparison (the base is the same definition for every place); the
            -- figure used for each point is in base_figure_id and beside it.
            CASE WHEN p.counts_residents
                THEN '1,000 residents; each counted at most once, so at most 1,000'
                ELSE '1,000 residents, as a rate: not a share of residents, may pass 1,000' END
                || ' (the population nearest in date, at most ' || p.base_max_days_apart
                || ' days apart)' AS base_en,
            CASE WHEN p.counts_residents
                THEN '1.000 dân; mỗi người tính nhiều nhất một lần, nên không quá 1.000'
                ELSE '1.000 dân, là tỷ suất: không phải tỷ lệ dân, có thể vượt 1.000' END
                || ' (số dân gần ngày nhất, cách không quá ' || p.base_max_days_apart
                || ' ngày)' AS base_vi,
            p.population AS base_value,
            nullif(concat_ws(', ', p.erratum_ids, p.base_erratum_ids), '') AS erratum_ids
        ),
    sc.series_points,
    cc.comparison_localities
FROM points AS p
JOIN staging.units AS u ON u.unit_id = 'per_1000_residents'
JOIN series_counts AS sc USING (per_person_comparison_id, locality_id)
JOIN comparison_counts AS cc USING (per_person_comparison_id);

-- The population figure behind each point: empty for every other point of marts.series.
ALTER TABLE marts.series ADD COLUMN base_figure_id VARCHAR;
ALTER TABLE marts.series ADD COLUMN base_as_of DATE;
ALTER TABLE marts.series ADD COLUMN base_source_id VARCHAR;
ALTER TABLE marts.series ADD COLUMN base_days_apart BIGINT;
-- Per-person points: whether the count is of residents, each at most once (the catalog's
-- counts_residents), so the value is a share of residents rather than a rate.
ALTER TABLE marts.series ADD COLUMN counts_residents BOOLEAN;

INSERT INTO marts.series BY NAME SELECT * FROM marts.per_person;
