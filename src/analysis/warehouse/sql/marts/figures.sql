-- Every figure with the context the validation rules and the analyses need, as columns:
-- catalog facts (kind, denominator kind, countable unit), its base for a percent, the sums
-- of its parts, the remainder or change it should equal, the earlier pipeline stage, and the
-- previous point of its series. Each rule in expectations/rules.yml is then a check on one row.
--
-- Instantiated twice by analysis.warehouse: {figures} is staging.figures (as printed) for
-- validation.frame_raw, and marts.corrected_figures (errata applied) for marts.figures.

-- At a million figures the wide rows (printed text, locators, notes) are never copied into
-- an intermediate result: CTEs used more than once are materialized, so every lookup runs on
-- `numbers`, one narrow row per figure row, and the wide columns are joined once at the end
-- on `figure_row` (the row's identity: a figure id printed twice is two rows).

WITH numbers AS (
    SELECT
        f.figure_row,
        f.figure_id,
        f.relation,
        f.related_id,
        f.related_id_2,
        f.locality_id,
        f.as_of,
        f.breakdown,
        f.is_cumulative,
        f.numerator,
        f.denominator,
        f.reported_pct,
        i.kind,
        coalesce(i.kind_lower_is_better, false) AS lower_is_better,
        -- A ratio of a base (data/raw/indicator_kinds.csv): its headline is the share.
        coalesce(i.kind_is_ratio, false) AS is_ratio,
        i.unit,
        i.pipeline,
        i.stage,
        coalesce(f.value, f.numerator) AS amount,
        -- Stages of one pipeline (VNeID: collected, verified, activated) form one series.
        coalesce(i.pipeline || ' stage ' || i.stage, f.indicator_id) AS series_key
    FROM {figures} AS f
    LEFT JOIN staging.indicators AS i ON i.indicator_id = f.indicator_id
),

id_counts AS (
    SELECT figure_id, count(*) AS id_count FROM numbers GROUP BY figure_id
),

with_share AS (
    SELECT
        b.*,
        -- Base of the printed percent: the figure's own denominator, else the related
        -- figure's (the total a remainder or part belongs to, or a stated percent base).
        coalesce(b.denominator, CASE b.relation
            WHEN 'remainder_of' THEN r.denominator
            WHEN 'percent_of' THEN coalesce(r.denominator, r.amount)
            WHEN 'part_of' THEN r.amount
        END) AS pct_denominator
    FROM numbers AS b
    LEFT JOIN numbers AS r ON r.figure_id = b.related_id
),

with_headline AS (
    SELECT
        *,
        CASE
            WHEN reported_pct IS NOT NULL THEN reported_pct
            WHEN is_ratio AND amount IS NOT NULL AND pct_denominator > 0
                THEN ratio_pct(amount, pct_denominator)
        END AS share_pct,
        CASE
            WHEN reported_pct IS NOT NULL THEN 'printed'
            WHEN is_ratio AND amount IS NOT NULL AND pct_denominator > 0
                THEN 'computed'
        END AS share_basis
    FROM with_share
),

headlines AS (
    SELECT
        *,
        -- The one number a chart shows: the share in percent where the indicator is a ratio
        -- and one is printed or computable, otherwise the count, amount, score or rank.
        CASE
            WHEN is_ratio AND share_pct IS NOT NULL THEN share_pct
            ELSE coalesce(amount, reported_pct)
        END AS headline,
        CASE
            WHEN is_ratio AND share_pct IS NOT NULL THEN 'percent'
            WHEN amount IS NOT NULL THEN unit
            ELSE 'percent'
        END AS headline_unit
    FROM with_headline
),

parts AS (
    SELECT
        related_id AS figure_id,
        count(*) AS parts_n,
        -- Summed as DECIMAL: a DOUBLE sum depends on the order DuckDB's threads add in,
        -- and two builds must give identical tables.
        sum(amount::DECIMAL(38, 9))::DOUBLE AS parts_amount_sum,
        count(denominator) AS parts_denominator_n,
        sum(denominator::DECIMAL(38, 9))::DOUBLE AS parts_denominator_sum
    FROM numbers
    WHERE relation = 'part_of'
    GROUP BY related_id
),

-- The earlier stages of a pipeline at the same place, date and breakdown, found without a
-- self-join (which is quadratic within a group): the smallest amount per stage, then a
-- running minimum over the stages before. Ties go to the lowest figure id, so two builds
-- give identical tables.
stage_figures AS (
    -- Flows over a month can legitimately activate more accounts than were verified that
    -- month, so the ordering is only asserted for cumulative stocks.
    SELECT figure_row, figure_id, locality_id, as_of, pipeline, breakdown, stage, amount
    FROM numbers
    WHERE is_cumulative AND locality_id IS NOT NULL AND as_of IS NOT NULL
        AND pipeline IS NOT NULL AND stage IS NOT NULL
),

stage_minima AS (
    SELECT
        locality_id, as_of, pipeline, breakdown, stage,
        min(amount) AS amount_min,
        arg_min(figure_id, {'amount': amount, 'figure_id': figure_id})
            FILTER (WHERE amount IS NOT NULL) AS amount_min_figure
    FROM stage_figures
    GROUP BY ALL
),

earlier_minima AS (
    SELECT
        locality_id, as_of, pipeline, breakdown, stage,
        min(amount_min) OVER earlier AS earlier_stage_min,
        arg_min(amount_min_figure, CASE WHEN amount_min IS NOT NULL
            THEN {'amount': amount_min, 'figure_id': amount_min_figure} END) OVER earlier
            AS earlier_stage_figure
    FROM stage_minima
    WINDOW earlier AS (PARTITION BY locality_id, as_of, pipeline, breakdown ORDER BY stage
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),

stages AS (
    SELECT
        later.figure_row,
        min(e.earlier_stage_min) AS earlier_stage_min,
        arg_min(e.earlier_stage_figure, {'amount': e.earlier_stage_min,
                                         'figure_id': e.earlier_stage_figure})
            AS earlier_stage_figure
    FROM stage_figures AS later
    JOIN earlier_minima AS e
        ON e.locality_id = later.locality_id
        AND e.as_of = later.as_of
        AND e.pipeline = later.pipeline
        AND e.stage = later.stage
        AND e.breakdown IS NOT DISTINCT FROM later.breakdown
    WHERE e.earlier_stage_min IS NOT NULL
    GROUP BY later.figure_row
),

series AS (
    SELECT
        figure_row,
        max(headline) OVER (
            PARTITION BY locality_id, series_key, breakdown, headline_unit
            ORDER BY as_of
            RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING
        ) AS series_previous_max
    FROM headlines
    WHERE is_cumulative AND headline IS NOT NULL
)

SELECT
    f.*,
    i.topic,
    i.domain,
    i.unit,
    i.kind,
    i.kind_is_ratio,
    i.kind_is_goal,
    i.kind_lower_is_better,
    i.kind_own_scale,
    i.denominator_kind,
    i.pipeline,
    i.stage,
    i.expected_direction,
    u.countable,
    s.kind AS source_kind,
    s.language AS source_language,
    s.published_on,
    s.published_latest,
    l.admin_level,
    b.amount,
    i.indicator_id IS NOT NULL AS indicator_known,
    l.locality_id IS NOT NULL AS locality_known,
    s.source_id IS NOT NULL AS source_known,
    ids.id_count,
    b.series_key,
    b.pct_denominator,
    b.share_pct,
    b.share_basis,
    b.headline,
    b.headline_unit,
    coalesce(p.parts_n, 0) AS parts_n,
    p.parts_amount_sum,
    coalesce(p.parts_denominator_n, 0) AS parts_denominator_n,
    p.parts_denominator_sum,
    CASE WHEN b.relation = 'subset_of' THEN r.amount END AS subset_of_amount,
    CASE WHEN b.relation = 'remainder_of' THEN r.denominator - r.numerator END AS remainder_expected,
    -- A change in a kind that is best at its lowest number (a rank) is printed as places
    -- gained: moving from 35th to 37th is "down 2".
    CASE WHEN b.relation = 'change' THEN
        CASE WHEN r.lower_is_better THEN r2.headline - r.headline ELSE r.headline - r2.headline END
    END AS change_expected,
    st.earlier_stage_min,
    st.earlier_stage_figure,
    se.series_previous_max,
    (b.related_id IS NULL OR r.figure_id IS NOT NULL)
        AND (b.related_id_2 IS NULL OR r2.figure_id IS NOT NULL) AS related_known
FROM {figures} AS f
JOIN headlines AS b ON b.figure_row = f.figure_row
JOIN id_counts AS ids ON ids.figure_id = f.figure_id
LEFT JOIN staging.indicators AS i ON i.indicator_id = f.indicator_id
LEFT JOIN staging.units AS u ON u.unit_id = i.unit
LEFT JOIN staging.sources AS s ON s.source_id = f.source_id
LEFT JOIN staging.localities AS l ON l.locality_id = f.locality_id
LEFT JOIN headlines AS r ON r.figure_id = b.related_id
LEFT JOIN headlines AS r2 ON r2.figure_id = b.related_id_2
LEFT JOIN parts AS p ON p.figure_id = f.figure_id
LEFT JOIN stages AS st ON st.figure_row = f.figure_row
LEFT JOIN series AS se ON se.figure_row = f.figure_row
