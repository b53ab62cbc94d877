"""Page 01's timeline draws a publication known only to a span (a month, a year, a stated
range) as that span, from its first to its last possible day, never as a point."""
from __future__ import annotations

from typing import Any

import pandas as pd

from analysis.report.kit import charts


def coverage(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{
        "source_id": source_id, "locality_vi": "Hà Nội", "locality_id": "ha-noi",
        "publisher": "P", "title": "T", "reference": "https://example.org/" + source_id,
        "published_on": pd.Timestamp(on), "published_latest": pd.Timestamp(latest),
        "published_basis": "inferred", "kind": "news_article", "figures": 1,
        "first_as_of": pd.Timestamp("2024-01-01"), "last_as_of": pd.Timestamp("2024-01-01"),
    } for source_id, on, latest in rows])


def marks(chart: Any) -> list[tuple[str, dict, list[dict]]]:
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    found = []

    def walk(node: dict) -> None:
        for key in ("layer", "vconcat", "hconcat"):
            for child in node.get(key, []):
                walk(child)
        if "mark" in node:
            mark = node["mark"] if isinstance(node["mark"], str) else node["mark"]["type"]
            found.append((mark, node.get("encoding", {}),
                          datasets.get(node.get("data", {}).get("name"), [])))

    walk(spec)
    return found


def test_a_range_is_a_band_between_its_stated_days_and_a_day_is_a_diamond() -> None:
    frame = coverage([("day-src", "2024-03-05", "2024-03-05"),
                      ("range-src", "2025-01-02", "2025-04-30"),
                      ("year-src", "2024-01-01", "2024-12-31")])
    dates = pd.DataFrame({"source_id": frame["source_id"], "as_of": frame["first_as_of"],
                          "figures": 1})
    block = charts.coverage_timeline(frame, dates)
    drawn = marks(block.chart)
    diamonds = [rows for mark, _, rows in drawn if mark == "point"]
    bands = [(encoding, rows) for mark, encoding, rows in drawn if mark == "bar"]
    assert [row["source_id"] for rows in diamonds for row in rows] == ["day-src"]
    (encoding, rows), = bands
    assert encoding["x2"]["field"] == "published_latest"
    spans = {row["source_id"]: (row["published_on"][:10], row["published_latest"][:10])
             for row in rows}
    assert spans == {"range-src": ("2025-01-02", "2025-04-30"),
                     "year-src": ("2024-01-01", "2024-12-31")}
