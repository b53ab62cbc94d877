"""The README's data dictionary section, generated from data/dictionary.yml.

`python -m analysis.publish.readme` rewrites the part of README.md between the two markers;
`--check` only reports whether it is up to date (tests/publish/test_export.py runs the check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import paths
from analysis.publish.dictionary import Dictionary, load_dictionary

START = "<!-- dictionary:start (generated from data/dictionary.yml by `python -m analysis.publish.readme`) -->"  # noqa: E501
END = "<!-- dictionary:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def dictionary_markdown(dictionary: Dictionary) -> str:
    parts = []
    for view in dictionary.views:
        keys = (", ".join(f"`{key}`" for key in view.primary_key)
                or "none (rows in the order of all columns)")
        links = "; ".join(f"`{column}` → `{target}`"
                          for column, target in view.foreign_keys.items())
        lines = [f"**`{view.name}`** ({view.title}): {view.en} Key: {keys}."
                 + (f" References: {links}." if links else ""),
                 "", "| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{column.name}` | {column.type} | {_cell(column.en)} |"
                  for column in view.columns]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def render_readme(readme_text: str, dictionary: Dictionary) -> str:
    """The README with the section between the markers regenerated."""
    before, found_start, rest = readme_text.partition(START)
    _, found_end, after = rest.partition(END)
    if not found_start or not found_end:
        raise ValueError(f"README.md lacks the dictionary markers {START!r} … {END!r}")
    return f"{before}{START}\n{dictionary_markdown(dictionary)}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    args = parser.parse_args(argv)
    readme: Path = paths.README
    current = readme.read_text(encoding="utf-8")
    wanted = render_readme(current, load_dictionary())
    if current == wanted:
        return 0
    if args.check:
        print("README.md's data dictionary is out of date: run "
              "`python -m analysis.publish.readme`", file=sys.stderr)
        return 1
    readme.write_text(wanted, encoding="utf-8")
    print("updated README.md's data dictionary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
