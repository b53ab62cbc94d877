"""Stage 2, warehouse: build the DuckDB file from the checked raw layer, atomically.

`sql/` holds the models, one folder per schema (staging, marts, validation, public), one
model per file; build.py loads the raw tables and runs them in order.
"""
