"""Stage 3, validation: the rules of expectations/rules.yml, compiled to Great Expectations
suites and run inside DuckDB; findings, the errata policy's verdict and the report page."""
