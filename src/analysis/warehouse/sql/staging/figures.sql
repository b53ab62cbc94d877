-- Figures typed: the numbers come from the Python parser (staging.figure_numbers),
-- everything else from the raw text. One row per printed figure, nothing corrected.

CREATE OR REPLACE VIEW staging.figures AS
WITH numbers AS (SELECT * FROM figure_number_fields('staging.figure_numbers'))
SELECT
    f.figure_id,
    f.source_id,
    f.locality_id,
    f.indicator_id,
    nullif(nfc_normalize(f.breakdown), '') AS breakdown,
    f.as_of::DATE AS as_of,
    f.as_of_basis,
    nullif(f.period_start, '')::DATE AS period_start,
    nullif(f.period_end, '')::DATE AS period_end,
    -- A figure without a period start is a stock counted since the programme began.
    f.period_start = '' AS is_cumulative,
    n.numerator,
    n.denominator,
    n.value,
    n.reported_pct,
    n.pct_decimals,
    n.value_decimals,
    nullif(nfc_normalize(f.qualifier), '') AS qualifier,
    q.qualifier_kind,
    nfc_normalize(f.phrase) AS phrase,
    f.locator,
    nullif(f.relation, '') AS relation,
    nullif(split_part(f.related_figure, ';', 1), '') AS related_id,
    nullif(split_part(f.related_figure, ';', 2), '') AS related_id_2,
    nullif(nfc_normalize(f.note), '') AS note,
    -- The printed text of the figure's numbers, without markdown bold markers.
    replace(concat_ws(' ', nullif(f.qualifier, ''), concat_ws(', ',
        nullif(concat_ws('/', nullif(f.numerator, ''), nullif(f.denominator, '')), ''),
        nullif(f.value, ''),
        nullif(f.percent, ''))), '**', '') AS printed,
    f.numerator AS numerator_text,
    f.denominator AS denominator_text,
    f.value AS value_text,
    f.percent AS percent_text,
    f.source_file,
    f.source_line,
    -- The row's identity, for joins that must not multiply a figure id printed twice.
    f.rowid AS figure_row
FROM raw.figures AS f
LEFT JOIN numbers AS n USING (figure_id)
LEFT JOIN raw.sources AS s USING (source_id)
LEFT JOIN raw.qualifiers AS q ON q.word = f.qualifier AND q.language = s.language;
