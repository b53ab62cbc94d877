"""Every chart's own data (embedded in the rendered pages) sets side by side only what
compares: counts never across admin levels or more than a year apart on one axis (issue 22).

Reads the specs of the rendered pages 02 and 03 (`make all` first); each view (a chart, or
each panel of a stacked chart) is checked on the rows it draws.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from datetime import date

import pytest

from analysis import paths
from analysis.report import queries

PAGES = ["02_locality_comparison.html", "03_over_time.html"]
MAX_DAYS = 366


def specs(name: str) -> list[dict]:
    page = paths.REPORTS / name
    if not page.exists():
        pytest.fail("reports/ has no pages: run `make all` first")
    text = page.read_text(encoding="utf-8")
    return [json.loads(spec) for spec in
            re.findall(r"var spec = (\{.*?\});\n  var opts = ", text, flags=re.DOTALL)]


def views(spec: dict) -> Iterator[list[dict]]:
    """The data rows of each view that has one value axis: a layered chart, or each panel of
    a stacked one."""
    datasets = spec.get("datasets", {})

    def rows(node: dict) -> list[dict]:
        data = node.get("data", {})
        found = list(datasets.get(data.get("name"), data.get("values", [])))
        for child in node.get("layer", []):
            found += rows(child)
        return found

    def walk(node: dict, inherited: list[dict]) -> Iterator[list[dict]]:
        own = rows(node) or inherited
        stacked = node.get("vconcat") or node.get("hconcat") or node.get("concat")
        if stacked:
            for child in stacked:
                yield from walk(child, own)
        else:
            yield own

    yield from walk(spec, [])


@functools.cache
def countable_units() -> set[str]:
    """The units that count things (and so grow with population), from the catalog."""
    con = queries.connect()
    try:
        return {unit for (unit,) in con.execute(
            "SELECT unit_id FROM units WHERE countable").fetchall()}
    finally:
        con.close()


def own_scale_kinds() -> set[str]:
    """Kinds whose values lie on their own scale (a rank among provinces, a score out of a
    maximum) and so compare across levels, from the kinds catalog."""
    con = queries.connect()
    try:
        return {kind for (kind,) in con.execute(
            "SELECT DISTINCT kind FROM indicators WHERE kind_own_scale").fetchall()}
    finally:
        con.close()


def counts(view: list[dict]) -> list[dict]:
    return [row for row in view if row.get("unit") in countable_units()
            and row.get("kind") not in own_scale_kinds() and row.get("value") is not None
            and not row.get("is_target") and row.get("figure_id")]


@pytest.mark.parametrize("name", PAGES)
def test_counts_share_an_axis_only_within_one_level_and_one_year(name: str) -> None:
    checked = 0
    for number, spec in enumerate(specs(name), 1):
        for view in views(spec):
            rows = counts(view)
            if not rows:
                continue
            checked += 1
            levels = {row["admin_level"] for row in rows}
            places = {row["locality_id"] for row in rows}
            assert len(levels) == 1 or len(places) == 1, \
                f"{name} chart {number}: counts of {sorted(levels)} on one axis"
            days = [date.fromisoformat(str(row["as_of"])[:10]) for row in rows]
            if len(places) > 1:
                assert (max(days) - min(days)).days <= MAX_DAYS, \
                    f"{name} chart {number}: counts {min(days)} and {max(days)} side by side"
    print(f"{name}: {checked} count views checked")
