"""Stage 5, report: the pages. kit/ is what every page shares (number format, tables, charts,
offline display), pages/ holds one module or folder per page, render.py executes the
notebooks and writes the HTML."""
