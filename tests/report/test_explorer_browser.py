"""The explorer page in Chromium, offline: every comparison of `series` can be picked, and
what it draws (and offers as CSV) is exactly that comparison's rows of the view.

The page's dropdown is a Vega-Lite parameter (`option`); the test sets it through the Vega
view API (`view.signal`), as the dropdown does, rather than through the DOM.
"""

from __future__ import annotations

import csv
import json
import urllib.parse
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from browser import Chromium, _evaluate, _load, require_chromium

from analysis import paths

PAGE = paths.REPORTS / "explorer.html"
NOT_BUILT = "reports/explorer.html is missing: run `make all` (or `python -m analysis render`)"

# For every option of the dropdown: set it, redraw, and read what the chart drew. Points are
# symbols and targets ticks (rects) carrying a series_id; lines are left out (they repeat the
# points), and so are the legend and the table, whose rows carry no series_id.
_EVERY_OPTION = """
(async () => {
  const view = window.deAn06Views[0];
  const select = document.querySelector('.vega-bindings select');
  const options = Array.from(select.options).map(o => o.value);
  const out = {};
  for (const option of options) {
    view.signal('option', option);
    await view.runAsync();
    const marks = [], downloads = [];
    (function walk(node) {
      if (!node) return;
      if (node.items) node.items.forEach(walk);
      if (node.marktype && node.role === 'mark' && node.items) {
        node.items.forEach(item => {
          const d = item.datum || {};
          if (d.csv_uri !== undefined) downloads.push(d.csv_uri);
          if (d.series_id === undefined) return;
          if (node.marktype !== 'symbol' && node.marktype !== 'rect') return;
          marks.push([node.marktype, d.series_id, d.figure_id, d.is_target]);
        });
      }
    })(view.scenegraph().root);
    out[option] = {marks, downloads};
  }
  return JSON.stringify({options, drawn: out});
})()
"""


@pytest.fixture(scope="module")
def drawn() -> dict:
    require_chromium()
    if not PAGE.exists():
        pytest.fail(NOT_BUILT)
    with Chromium() as browser, browser.tab() as session:
        _load(browser, session, PAGE, 1000, 60)
        return json.loads(_evaluate(browser, session, _EVERY_OPTION, timeout=600))


@pytest.fixture(scope="module")
def series(built_database: Path) -> dict[str, list[dict]]:
    with duckdb.connect(str(built_database), read_only=True) as con:
        cursor = con.execute("SELECT comparison_id, series_id, figure_id, is_target, "
                             "admin_level FROM series")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    by_comparison: dict[str, list[dict]] = {}
    for row in rows:
        by_comparison.setdefault(row["comparison_id"], []).append(row)
    return by_comparison


def _expected(option: str, series: dict[str, list[dict]]) -> Counter:
    comparison, _, level = option.partition("#")
    return Counter((row["series_id"], row["figure_id"], row["is_target"])
                   for row in series[comparison] if not level or row["admin_level"] == level)


def test_every_comparison_of_series_can_be_picked(drawn, series) -> None:
    offered = {option.partition("#")[0] for option in drawn["options"]}
    assert offered == set(series), {"not offered": sorted(set(series) - offered)[:10],
                                    "not in series": sorted(offered - set(series))[:10]}


def test_each_option_draws_exactly_its_rows_of_the_view(drawn, series) -> None:
    wrong = {}
    for option in drawn["options"]:
        marks = drawn["drawn"][option]["marks"]
        got = Counter((series_id, figure_id, is_target) for _, series_id, figure_id, is_target
                      in marks)
        expected = _expected(option, series)
        if not marks or got != expected:
            wrong[option] = {"missing": sorted(expected - got)[:3],
                             "extra": sorted(got - expected)[:3]}
    assert not wrong, (f"{len(wrong)} of {len(drawn['options'])} options: "
                       f"{dict(list(wrong.items())[:5])}")


def test_targets_are_ticks_and_results_points(drawn) -> None:
    misdrawn = [(option, mark) for option, found in drawn["drawn"].items()
                for mark in found["marks"] if (mark[0] == "rect") != bool(mark[3])]
    assert not misdrawn, misdrawn[:5]


def test_each_option_offers_the_csv_of_what_it_draws(drawn, series) -> None:
    wrong = []
    for option in drawn["options"]:
        downloads = drawn["drawn"][option]["downloads"]
        assert len(downloads) == 1, f"{option}: {len(downloads)} CSV links"
        text = urllib.parse.unquote(downloads[0].split(",", 1)[1]).lstrip("\ufeff")
        rows = list(csv.DictReader(text.splitlines()))
        got = Counter((row["series_id"], row["figure_id"], row["is_target"] == "True")
                      for row in rows)
        if got != _expected(option, series):
            wrong.append(option)
    assert not wrong, wrong[:5]


def test_no_count_shares_an_axis_across_admin_levels(drawn, series, built_database) -> None:
    """A count drawn for places of several levels is a per-person count; any other count
    comparison with several levels is offered level by level."""
    levels = {row["series_id"]: row["admin_level"] for rows in series.values() for row in rows}
    with duckdb.connect(str(built_database), read_only=True) as con:
        units = dict(con.execute("""SELECT DISTINCT s.comparison_id, coalesce(u.countable, true)
                                    AND s.kind NOT IN ('rank', 'score')
                                    FROM series AS s LEFT JOIN units AS u
                                    ON u.unit_id = s.unit""").fetchall())
    mixed = [option for option, found in drawn["drawn"].items()
             if units[option.partition("#")[0]]
             and len({levels[mark[1]] for mark in found["marks"]}) > 1]
    assert not mixed, mixed[:5]
