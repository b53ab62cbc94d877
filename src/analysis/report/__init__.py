"""Stage 5, report: the pages. kit/ is what every page shares (number format, tables, charts,
offline display), pages/ holds one module or folder per page; render.py is the step, which
runs notebooks in kernels (execution.py), exports and checks their HTML (html_export.py),
keeps pages whose inputs did not change (page_cache.py) and writes the index (index_page.py)."""
