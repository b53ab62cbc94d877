"""docs/data-dictionary.md, generated from data/dictionary.yml.

`python -m analysis.publish.dictionary_page` writes the page; `--check` only reports whether
it is up to date (tests/publish/test_export.py runs the check). The page is generated whole:
edit data/dictionary.yml, never the page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import paths
from analysis.publish.dictionary import Dictionary, load_dictionary

COMMAND = "python -m analysis.publish.dictionary_page"
INTRO = f"""# Data dictionary

<!-- Generated from data/dictionary.yml by `{COMMAND}`: edit that file, not this page. -->

Every public view of the database (the main schema of `data/processed/de_an_06.duckdb`),
its columns, their types and meanings, described once in `data/dictionary.yml` (English and
Vietnamese). This page, the Table Schema of each resource in the exported `datapackage.json`
and the first sheet of the workbook are made from it; after editing it, run `{COMMAND}`
(a test fails while this page disagrees). Adding a view to the data package is adding its
entry there: `export` writes exactly the views the file lists and fails if a view's columns or
types differ from it, and a test fails if a public view has no entry. The key of each view
is also the row order of its exported files.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def dictionary_markdown(dictionary: Dictionary) -> str:
    """One section per view: its description, key and references, then a table of columns."""
    parts = []
    for view in dictionary.views:
        keys = (", ".join(f"`{key}`" for key in view.primary_key)
                or "none (rows in the order of all columns)")
        links = "; ".join(f"`{column}` → `{target}`"
                          for column, target in view.foreign_keys.items())
        lines = [f"## `{view.name}`", "", f"**{view.title}.** {view.en} Key: {keys}."
                 + (f" References: {links}." if links else ""),
                 "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{column.name}` | {column.type} | {_cell(column.en)} |"
                  for column in view.columns]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def render_page(dictionary: Dictionary) -> str:
    return f"{INTRO}\n{dictionary_markdown(dictionary)}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the page is out of date")
    args = parser.parse_args(argv)
    page: Path = paths.DICTIONARY_PAGE
    current = page.read_text(encoding="utf-8") if page.exists() else None
    wanted = render_page(load_dictionary())
    if current == wanted:
        return 0
    if args.check:
        print(f"{paths.shown(page)} is out of date: run `{COMMAND}`", file=sys.stderr)
        return 1
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(wanted, encoding="utf-8")
    print(f"updated {paths.shown(page)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
