-- One public view to Parquet and to CSV (filled in by analysis.publish.flat_files).
-- The view is computed and sorted once, into Parquet (typed); the CSV is copied from that
-- file, which DuckDB reads back in the same row order. Rows are in primary-key order, so two
-- exports of the same data are byte-identical.
-- CSV: UTF-8, RFC 4180 (comma, double quotes doubled, CRLF line ends), header row, ISO dates,
-- numbers with `.` decimals, empty field for missing. In text columns, a cell a spreadsheet
-- would run as a formula gets a leading apostrophe (analysis.publish.spreadsheet_safe).
COPY (SELECT * FROM {view} ORDER BY {order_by})
TO {parquet_path} (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT {csv_columns} FROM read_parquet({parquet_path}))
TO {csv_path} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"',
               NEW_LINE e'\r\n', DATEFORMAT '%Y-%m-%d');
