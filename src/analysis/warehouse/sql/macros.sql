-- Small helpers shared by the marts and by the validation rules (expectations/rules.yml).
-- They live in the database so that every rule reads as one line of arithmetic.

-- Equality for DOUBLEs that went through decimal parsing and division.
CREATE OR REPLACE MACRO same_number(a, b) AS abs(a - b) <= 1e-9 * greatest(1, abs(a), abs(b));

CREATE OR REPLACE MACRO ratio_pct(n, d) AS 100.0 * n / d;

-- Truncation to `dec` decimals; the epsilon keeps 35.0 from becoming 34.99 after division.
CREATE OR REPLACE MACRO trunc_to(x, dec) AS floor(x * pow(10, dec) + 1e-9) / pow(10, dec);

-- Which printing convention turns n/d into the printed percent p with `dec` decimals.
-- Reports both round and truncate, even within one document, so either is correct.
CREATE OR REPLACE MACRO pct_convention(n, d, p, dec) AS CASE
    WHEN same_number(round(ratio_pct(n, d), dec), p) AND same_number(trunc_to(ratio_pct(n, d), dec), p)
        THEN 'both'
    WHEN same_number(round(ratio_pct(n, d), dec), p) THEN 'rounded'
    WHEN same_number(trunc_to(ratio_pct(n, d), dec), p) THEN 'truncated'
END;

-- Is there a whole k with k/d printing as p, rounded or truncated? k may exceed d only
-- where the base is a target (achievement can pass 100 %).
-- Rounding accepts [p - h, p + h), truncation [p, p + 2h) with h = half a unit of the last
-- decimal, so together [p - h, p + 2h). Take the smallest k inside and check it.
CREATE OR REPLACE MACRO pct_reachable(d, p, dec, may_exceed_base) AS (
    (may_exceed_base OR ceil((p - 0.5 * pow(10, -dec)) * d / 100 - 1e-9) <= d)
    AND ratio_pct(greatest(ceil((p - 0.5 * pow(10, -dec)) * d / 100 - 1e-9), 0), d)
        < p + pow(10, -dec) - 1e-9
);

-- Numbers in messages: whole numbers without ".0", others without trailing zeros.
CREATE OR REPLACE MACRO fmt_num(x) AS CASE
    WHEN x IS NULL THEN 'NULL'
    WHEN x = round(x) THEN printf('%.0f', x)
    ELSE rtrim(rtrim(printf('%.6f', x), '0'), '.')
END;

CREATE OR REPLACE MACRO fmt_pct(x) AS printf('%.2f %%', x);

-- A printed percent with the decimals it was printed with (54 %, not 54.00 %).
CREATE OR REPLACE MACRO fmt_pct_printed(x, dec) AS printf('%.' || coalesce(dec, 2) || 'f %%', x);

-- A computed ratio with three decimals more than the print it is compared with (at least
-- four), trailing zeros dropped: 94.9999 % shows why it prints as 95 % rounded, 94 % truncated.
CREATE OR REPLACE MACRO fmt_pct_ratio(x, dec) AS
    rtrim(rtrim(printf('%.' || greatest(coalesce(dec, 2) + 3, 4) || 'f', x), '0'), '.') || ' %';

-- The printed quantities of each figure as columns, from one row per (figure, field) as the
-- Python parser writes them (staging.figure_numbers) and the errata register's corrections
-- (raw.errata_corrections, with NULL decimals): `numbers` names a table or CTE with columns
-- figure_id, field (numerator, denominator, value, percent), number and decimals.
CREATE OR REPLACE MACRO figure_number_fields(numbers) AS TABLE
SELECT
    figure_id,
    max(number) FILTER (WHERE field = 'numerator') AS numerator,
    max(number) FILTER (WHERE field = 'denominator') AS denominator,
    max(number) FILTER (WHERE field = 'value') AS value,
    max(number) FILTER (WHERE field = 'percent') AS reported_pct,
    max(decimals) FILTER (WHERE field = 'percent') AS pct_decimals,
    max(decimals) FILTER (WHERE field = 'value') AS value_decimals
FROM query_table(numbers)
GROUP BY figure_id;
