-- One public view to CSV and to Parquet (filled in by analysis.publish.flat_files).
-- Rows in primary-key order, so two exports of the same data are byte-identical.
-- CSV: UTF-8, RFC 4180 (comma, double quotes doubled, CRLF line ends), header row, ISO dates,
-- numbers with `.` decimals, empty field for missing; Parquet keeps the view's types.
COPY (SELECT * FROM {view} ORDER BY {order_by})
TO {csv_path} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '"', ESCAPE '"',
               NEW_LINE e'\r\n', DATEFORMAT '%Y-%m-%d');
COPY (SELECT * FROM {view} ORDER BY {order_by})
TO {parquet_path} (FORMAT parquet, COMPRESSION zstd);
