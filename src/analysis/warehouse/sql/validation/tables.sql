-- Tables the validate step fills (python -m analysis validate). The build creates them
-- empty so that the public views exist from the first build on.

CREATE TABLE IF NOT EXISTS validation.rules (
    rule_id VARCHAR, severity VARCHAR, description VARCHAR, description_vi VARCHAR,
    frame VARCHAR
);
CREATE TABLE IF NOT EXISTS validation.findings (
    layer VARCHAR, rule VARCHAR, severity VARCHAR, figure_id VARCHAR, passed BOOLEAN,
    observed VARCHAR, expected VARCHAR, convention VARCHAR, erratum_id VARCHAR
);
CREATE TABLE IF NOT EXISTS validation.rule_counts (
    layer VARCHAR, rule VARCHAR, severity VARCHAR, applicable BIGINT, failed BIGINT
);
CREATE TABLE IF NOT EXISTS validation.conventions (
    layer VARCHAR, rule VARCHAR, source_id VARCHAR, convention VARCHAR, checks BIGINT
);
CREATE TABLE IF NOT EXISTS validation.errata_status (
    erratum_id VARCHAR, stale BOOLEAN, stale_detail VARCHAR
);
CREATE TABLE IF NOT EXISTS validation.gx_results (
    layer VARCHAR, rule VARCHAR, severity VARCHAR, success BOOLEAN, unexpected_count BIGINT
);
