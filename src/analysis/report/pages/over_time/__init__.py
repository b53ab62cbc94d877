"""Page 03: how each place moved over time, against the country.

One chart per comparison of the ``series`` view (series that may share one axis) with
results in two or more places, the national reference counting as a place; then the
comparisons that only one place reports at two or more dates. Everything here reads the
public views ``series``, ``locality_lineage``, ``units`` and ``sources`` only.

What a chart may and may not say (issues 8 and 9):

- a line joins points of one series only, only where it has two or more points, and never
  across a gap of more than a year or across a 2025 reorganisation boundary;
- a predecessor's and a successor's points are separate series: the boundary date gets a
  rule that names the successor;
- each place's point has the national value at the nearest date beside it, with its date;
- shares, ranks and scores share one axis (0–100 %, rank 1 at the top, index from 0);
  counts depend on population, so each place gets its own panel and its own axis from zero;
- targets are never results: a dashed tick, never a point on a line.
"""

from __future__ import annotations

from IPython.display import display

from analysis.report.kit import charts as kit_charts
from analysis.report.kit import presentation
from analysis.report.pages.over_time.charts import SHAPES, comparison_chart, y_domain
from analysis.report.pages.over_time.data import (
    TABLE_LABELS,
    Comparison,
    chart_rows,
    comparisons,
    format_gap,
    format_number,
    format_quantity,
    lineage,
    not_drawn_table,
    points_table,
    prepare_points,
)
from analysis.report.pages.over_time.prose import describe, lineage_notes, page_summary

__all__ = ["SHAPES", "TABLE_LABELS", "Comparison", "chart_rows", "comparison_chart",
           "comparisons", "describe", "format_gap", "format_number", "format_quantity",
           "lineage", "lineage_notes", "not_drawn_table", "page_summary", "points_table",
           "prepare_points", "show", "y_domain"]


def show(comparison: Comparison) -> None:
    """One comparison on the page: the chart with its sources and CSV beneath, then the
    generated paragraph (Vietnamese, English beside it)."""
    name = "03-" + comparison.comparison_id
    display(kit_charts.block(comparison_chart(comparison), chart_rows(comparison), name,
                             lineage_notes(comparison)))
    display(presentation.sentence_list(describe(comparison)))
