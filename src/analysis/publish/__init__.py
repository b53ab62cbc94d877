"""The data package: the public views as CSV, Parquet, an Excel workbook and datapackage.json.

One job per module: `dictionary` reads data/dictionary.yml and checks it against the
database, `flat_files` writes CSV and Parquet through DuckDB, `workbook` the .xlsx,
`descriptor` datapackage.json, `dictionary_page` docs/data-dictionary.md, and `export`
runs them into a fresh folder that replaces the previous package only when complete.
"""
