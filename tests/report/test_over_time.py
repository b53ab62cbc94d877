"""Page 03's comparisons over time, on small databases built here (not today's data).

Each case builds the public views page 03 reads (``series``, ``locality_lineage``, ``units``,
``sources``) with a handful of rows and checks one behaviour: which comparisons are charted,
the nearest national reference, where lines may join, how axes run, how targets and the 2025
boundary are drawn, and what the generated text says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import pytest

from analysis.report.kit import presentation
from analysis.report.pages import over_time

SERIES_COLUMNS = [
    "series_id", "comparison_id", "indicator_id", "indicator_vi", "indicator_en", "kind",
    "kind_lower_is_better", "kind_own_scale", "locality_id", "locality_vi", "locality_en",
    "admin_level", "breakdown", "stock_or_flow",
    "as_of",
    "period_start", "period_end", "value", "unit", "base_en", "base_vi", "base_value",
    "is_target",
    "qualifier", "qualifier_kind", "erratum_ids", "figure_id", "source_id", "printed", "locator",
]
PLACES = {
    "viet-nam": ("Việt Nam", "Vietnam", "country"),
    "ha-noi": ("Hà Nội", "Hanoi", "centrally_run_city"),
    "go-cong-tay": ("Gò Công Tây", "Go Cong Tay", "district"),
    "hoa-binh": ("Hòa Bình", "Hoa Binh", "province"),
    "phu-tho": ("Phú Thọ", "Phu Tho", "province"),
}
UNITS = [("percent", "%", "percent", False), ("accounts", "tài khoản", "accounts", True),
         ("rank_places", "bậc", "rank places", True), ("index_points", "điểm", "index points",
                                                       False)]
KIND_OF_UNIT = {"percent": "share", "accounts": "count", "rank_places": "rank",
                "index_points": "score"}


def point(comparison: str, locality: str, as_of: str, value: float, *, unit: str = "percent",
          target: bool = False, qualifier: str | None = None, qualifier_kind: str | None = None,
          series: str | None = None, breakdown: str | None = None,
          base_value: float | None = None) -> dict[str, Any]:
    """One row of the series view; the series is the comparison in one place."""
    vi, en, level = PLACES[locality]
    figure = f"{locality}.{comparison}.{as_of}{'.target' if target else ''}"
    return {
        "series_id": series or f"{comparison}|{locality}{'|target' if target else ''}",
        "comparison_id": comparison, "indicator_id": comparison,
        "indicator_vi": f"Chỉ tiêu {comparison}", "indicator_en": f"Measure {comparison}",
        "kind": "target" if target else KIND_OF_UNIT[unit],
        # What the kinds catalog says of each kind (indicator_kinds.csv).
        "kind_lower_is_better": not target and KIND_OF_UNIT[unit] == "rank",
        "kind_own_scale": not target and KIND_OF_UNIT[unit] in ("rank", "score"),
        "locality_id": locality,
        "locality_vi": vi, "locality_en": en, "admin_level": level, "breakdown": breakdown,
        "stock_or_flow": "stock",
        "as_of": pd.Timestamp(as_of).date(), "period_start": None, "period_end": None,
        "value": value, "unit": unit, "base_en": "accounts verified",
        "base_vi": "tài khoản đã xác thực", "base_value": base_value, "is_target": target,
        "qualifier": qualifier,
        "qualifier_kind": qualifier_kind, "erratum_ids": None, "figure_id": figure,
        "source_id": f"{locality}-src", "printed": str(value), "locator": "line 1",
    }


def database(rows: list[dict[str, Any]],
             links: list[tuple[str, str, str]] = ()) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the views page 03 reads, holding just these rows."""
    con = duckdb.connect()
    series = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    for column in ("as_of", "period_start", "period_end"):
        series[column] = pd.to_datetime(series[column])
    con.register("series_frame", series)
    con.execute("""CREATE TABLE series_table AS SELECT * REPLACE (
        as_of::DATE AS as_of, period_start::DATE AS period_start,
        period_end::DATE AS period_end, is_target::BOOLEAN AS is_target,
        breakdown::VARCHAR AS breakdown, base_value::DOUBLE AS base_value,
        qualifier::VARCHAR AS qualifier,
        qualifier_kind::VARCHAR AS qualifier_kind, erratum_ids::VARCHAR AS erratum_ids)
        FROM series_frame""")
    con.execute("CREATE VIEW series AS SELECT * FROM series_table")
    con.execute("""CREATE TABLE units (unit_id VARCHAR, label_vi VARCHAR, label_en VARCHAR,
                                      countable BOOLEAN)""")
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?)", UNITS)
    con.execute("""CREATE TABLE locality_lineage (predecessor_id VARCHAR,
        predecessor_vi VARCHAR, successor_id VARCHAR, successor_vi VARCHAR,
        effective_on DATE, change_en VARCHAR, population_before BIGINT,
        population_after BIGINT)""")
    for predecessor, successor, day in links:
        con.execute("INSERT INTO locality_lineage VALUES (?, ?, ?, ?, ?, 'merged', NULL, NULL)",
                    [predecessor, PLACES[predecessor][0], successor, PLACES[successor][0], day])
    con.execute("""CREATE TABLE sources AS SELECT DISTINCT source_id,
        'Publisher of ' || source_id AS publisher, DATE '2025-01-01' AS published_on,
        'Title of ' || source_id AS title, 'https://example.org/' || source_id AS reference,
        'day' AS published_precision FROM series_table""")
    return con


def by_id(con: duckdb.DuckDBPyConnection) -> dict[str, over_time.Comparison]:
    return {c.comparison_id: c for c in over_time.comparisons(con)}


def chart_layers(chart: Any) -> Iterator[tuple[dict, list[dict]]]:
    """Every mark of a chart spec with the rows it draws."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})

    def walk(node: dict) -> Iterator[tuple[dict, list[dict]]]:
        for key in ("layer", "vconcat", "hconcat"):
            for child in node.get(key, []):
                yield from walk(child)
        if "mark" in node:
            yield node, datasets.get(node.get("data", {}).get("name"), [])

    yield from walk(spec)


def mark_type(node: dict) -> str:
    mark = node["mark"]
    return mark if isinstance(mark, str) else mark["type"]


# --- which comparisons page 03 charts ----------------------------------------------------


def test_comparisons_need_two_places_or_two_dates_of_results() -> None:
    con = database([
        point("two-places", "ha-noi", "2023-02-22", 17.2),
        point("two-places", "viet-nam", "2023-06-30", 60.0),
        point("one-place-two-dates", "hoa-binh", "2023-01-01", 40.0),
        point("one-place-two-dates", "hoa-binh", "2024-01-01", 45.0),
        point("one-point", "hoa-binh", "2023-01-01", 40.0),
        # A target is not a result: it does not make a second place.
        point("target-only-elsewhere", "hoa-binh", "2023-01-01", 40.0),
        point("target-only-elsewhere", "ha-noi", "2025-12-31", 100.0, target=True),
    ])
    found = by_id(con)
    assert set(found) == {"two-places", "one-place-two-dates"}
    assert found["two-places"].places == 2 and found["two-places"].has_national
    assert found["one-place-two-dates"].places == 1
    # Comparisons with the national reference come first.
    assert over_time.comparisons(con)[0].comparison_id == "two-places"


def test_nearest_national_point_and_its_distance() -> None:
    con = database([
        point("c", "viet-nam", "2023-01-01", 50.0),
        point("c", "viet-nam", "2023-03-01", 55.0),
        point("c", "viet-nam", "2024-06-01", 70.0),
        point("c", "ha-noi", "2023-01-31", 40.0),   # 30 days after, 29 days before: March
        point("c", "ha-noi", "2023-10-16", 45.0),   # tie 228/229 days: the nearer, March
        point("c", "ha-noi", "2023-12-31", 48.0, target=True),  # targets get no reference
    ])
    near = by_id(con)["c"].nearest.set_index("as_of")
    assert list(near.index.strftime("%Y-%m-%d")) == ["2023-01-31", "2023-10-16"]
    assert near.loc["2023-01-31", "national_as_of"] == pd.Timestamp("2023-03-01")
    assert near.loc["2023-01-31", "days_apart"] == 29
    assert near.loc["2023-10-16", "national_value"] == 55.0
    assert near.loc["2023-10-16", "days_apart"] == 229


def test_nearest_national_tie_takes_the_earlier_date() -> None:
    con = database([point("c", "viet-nam", "2023-01-01", 50.0),
                    point("c", "viet-nam", "2023-01-21", 52.0),
                    point("c", "ha-noi", "2023-01-11", 40.0)])
    near = by_id(con)["c"].nearest
    assert near["national_as_of"].tolist() == [pd.Timestamp("2023-01-01")]


# --- lines -------------------------------------------------------------------------------


def test_lines_join_only_close_points_of_one_series() -> None:
    con = database([
        point("c", "ha-noi", "2023-02-22", 17.2),
        point("c", "ha-noi", "2024-10-31", 87.5),        # 617 days later: a gap, no line
        point("c", "go-cong-tay", "2023-09-30", 85.9),
        point("c", "go-cong-tay", "2024-05-31", 88.1),   # 244 days: joined
        point("c", "viet-nam", "2024-01-15", 71.4),      # one point: nothing to join
    ])
    points = by_id(con)["c"].points.set_index(["locality_id", "as_of_text"])
    assert not points.loc[("ha-noi", "2023-02-22"), "joined"]
    assert not points.loc[("ha-noi", "2024-10-31"), "joined"]
    assert points.loc[("go-cong-tay", "2023-09-30"), "joined"]
    assert not points.loc[("viet-nam", "2024-01-15"), "joined"]
    chart = over_time.comparison_chart(by_id(con)["c"])
    lines = [rows for node, rows in chart_layers(chart) if mark_type(node) == "line"]
    assert len(lines) == 1
    assert {row["locality_id"] for row in lines[0]} == {"go-cong-tay"}
    # Each drawn line segment stays within one series.
    segments = pd.DataFrame(lines[0]).groupby("segment")["series_id"].nunique()
    assert (segments == 1).all()


def test_no_line_crosses_a_reorganisation_boundary() -> None:
    links = [("hoa-binh", "phu-tho", "2025-07-01")]
    con = database([
        point("c", "hoa-binh", "2025-05-01", 50.0),
        point("c", "hoa-binh", "2025-08-01", 52.0),   # should not exist; must still break
        point("c", "phu-tho", "2025-09-01", 60.0),
        point("c", "phu-tho", "2025-12-01", 62.0),
    ], links)
    comparison = by_id(con)["c"]
    points = comparison.points
    hoa_binh = points[points["locality_id"] == "hoa-binh"]
    assert hoa_binh["segment"].nunique() == 2 and not hoa_binh["joined"].any()
    assert points.loc[points["locality_id"] == "phu-tho", "joined"].all()
    chart = over_time.comparison_chart(comparison)
    layers = list(chart_layers(chart))
    rules = [rows for node, rows in layers
             if mark_type(node) == "rule" and "x2" not in node["encoding"]
             and "y" not in node["encoding"]]
    assert [row["as_of"][:10] for row in rules[0]] == ["2025-07-01"]
    texts = [row["label"] for node, rows in layers if mark_type(node) == "text"
             for row in rows if "label" in row]
    assert any("Hòa Bình → Phú Thọ" in text for text in texts)
    # The successor's legend entry says from when it exists.
    assert (points.loc[points["locality_id"] == "phu-tho", "place"]
            .str.contains("từ · from 2025-07-01").all())
    said = " ".join(en for _, en in over_time.describe(comparison))
    assert "Hòa Bình is part of Phú Thọ" in said


def test_a_link_to_itself_is_no_boundary() -> None:
    con = database([point("c", "ha-noi", "2025-05-01", 50.0),
                    point("c", "ha-noi", "2025-08-01", 52.0),
                    point("c", "viet-nam", "2025-06-01", 60.0)],
                   [("ha-noi", "ha-noi", "2025-07-01")])
    comparison = by_id(con)["c"]
    assert comparison.boundaries.empty
    assert comparison.points.loc[comparison.points["locality_id"] == "ha-noi", "joined"].all()


# --- axes, targets, references ---------------------------------------------------------------


def y_scale(chart: Any) -> dict:
    for node, _ in chart_layers(chart):
        if mark_type(node) == "point" and "shape" in node["encoding"]:
            return node["encoding"]["y"]["scale"]
    raise AssertionError("no point layer")


def test_share_axis_runs_0_to_100_even_for_a_small_change() -> None:
    con = database([point("c", "hoa-binh", "2023-09-20", 70.12),
                    point("c", "hoa-binh", "2024-04-22", 69.04)])
    comparison = by_id(con)["c"]
    assert y_scale(over_time.comparison_chart(comparison))["domain"] == [0.0, 100.0]
    vi, en = over_time.describe(comparison)[1]
    assert "small fall of 1.08 percentage points" in en and "nhích giảm 1,08" in vi


def test_share_axis_grows_only_for_a_value_above_100() -> None:
    assert over_time.y_domain("share", pd.Series([40.0, 112.0])) == [0.0, 120.0]


def test_a_score_axis_ends_at_the_scores_maximum() -> None:
    """A score out of 1 is not drawn at the foot of a 0–100 axis; one out of 22 ends at 22."""
    assert over_time.y_domain("scale", pd.Series([0.45, 0.82])) == [0.0, 1.0]
    assert over_time.y_domain("scale", pd.Series([14.3, 19.75]), 22.0) == [0.0, 22.0]
    assert over_time.y_domain("scale", pd.Series([48.9, 91.06])) == [0.0, 100.0]


def test_rank_axis_is_reversed_with_rank_1_at_the_top() -> None:
    rank = {"unit": "rank_places", "base_value": 63}
    con = database([point("r", "hoa-binh", "2023-12-31", 35, **rank),
                    point("r", "hoa-binh", "2024-12-31", 37, **rank),
                    point("r", "ha-noi", "2024-12-31", 4, **rank)])
    comparison = by_id(con)["r"]
    assert comparison.axis == "rank"
    scale = y_scale(over_time.comparison_chart(comparison))
    # Reversed, from rank 1 to the 63 ranked: two places down stays two places of 63.
    assert scale["reverse"] is True and scale["domain"] == [1.0, 63.0]
    ticks = next(node["encoding"]["y"]["axis"]["values"]
                 for node, _ in chart_layers(over_time.comparison_chart(comparison))
                 if mark_type(node) == "point")
    assert ticks == [1, 10, 20, 30, 40, 50, 63]  # 60 would collide with 63
    # Yearly ranks a calendar year apart (a leap year: 366 days) are still joined.
    assert comparison.points.loc[comparison.points["locality_id"] == "hoa-binh",
                                 "joined"].all()
    said = " ".join(en for _, en in over_time.describe(comparison))
    assert "fell 2 places" in said


def test_counts_get_one_panel_per_place_each_from_zero() -> None:
    con = database([
        point("n", "viet-nam", "2023-06-30", 42_000_000, unit="accounts",
              qualifier="over", qualifier_kind="lower_bound"),
        point("n", "viet-nam", "2024-01-15", 52_700_000, unit="accounts"),
        point("n", "go-cong-tay", "2023-09-30", 71_403, unit="accounts"),
        point("n", "go-cong-tay", "2024-05-31", 80_220, unit="accounts"),
    ])
    comparison = by_id(con)["n"]
    assert comparison.axis == "count"
    spec = over_time.comparison_chart(comparison).to_dict()
    assert len(spec["vconcat"]) == 2
    domains = [layer["encoding"]["y"]["scale"]["domain"]
               for panel in spec["vconcat"] for layer in panel["layer"]
               if "y" in layer.get("encoding", {})]
    assert all(domain[0] == 0.0 for domain in domains)
    titles = [next(layer["encoding"]["y"]["axis"]["title"] for layer in panel["layer"]
                   if "y" in layer.get("encoding", {})) for panel in spec["vconcat"]]
    assert titles[0].startswith("triệu") and not titles[1].startswith("triệu")
    said = " ".join(en for _, en in over_time.describe(comparison))
    assert "do not compare across places" in said
    assert "a lower bound" in said  # the national "over 42 million"


def test_targets_are_dashed_ticks_never_points_or_lines() -> None:
    con = database([point("c", "ha-noi", "2023-02-22", 17.2),
                    point("c", "ha-noi", "2023-10-31", 47.5),
                    point("c", "ha-noi", "2023-12-31", 100.0, target=True),
                    point("c", "viet-nam", "2023-06-30", 60.0)])
    layers = list(chart_layers(over_time.comparison_chart(by_id(con)["c"])))
    for node, rows in layers:
        if mark_type(node) in ("line", "point"):
            assert not any(row["is_target"] for row in rows)
    dashed = [rows for node, rows in layers if mark_type(node) == "rule"
              and node["mark"].get("strokeDash") == [5, 3]]
    assert [row["value"] for row in dashed[0]] == [100.0]
    assert all(row["is_target"] for row in dashed[0])


def test_every_drawn_row_traces_to_a_figure_and_series() -> None:
    con = database([point("c", "ha-noi", "2023-02-22", 17.2),
                    point("c", "ha-noi", "2023-10-31", 47.5),
                    point("c", "viet-nam", "2023-06-30", 60.0)])
    for node, rows in chart_layers(over_time.comparison_chart(by_id(con)["c"])):
        if mark_type(node) in ("line", "point"):
            assert rows and all({"series_id", "figure_id", "is_target"} <= set(row)
                                for row in rows)


def test_reference_marks_only_within_a_year_and_the_text_says_how_far() -> None:
    con = database([point("c", "viet-nam", "2023-06-30", 60.0),
                    point("c", "ha-noi", "2023-07-10", 40.0),
                    point("c", "go-cong-tay", "2025-06-30", 80.0)])
    comparison = by_id(con)["c"]
    layers = list(chart_layers(over_time.comparison_chart(comparison)))
    ticks = [rows for node, rows in layers if mark_type(node) == "point"
             and node["mark"].get("shape") == "stroke"]
    assert [(row["locality_id"], row["national_value"]) for row in ticks[0]] == [("ha-noi", 60.0)]
    said = dict(over_time.describe(comparison))
    english = " ".join(said.values())
    assert "60 % on 2023-06-30 (10 days apart)" in english
    assert "too far apart to draw" in english


def _national_labels(chart: Any) -> list[dict]:
    """The rows of the layer that writes the national reference's label."""
    return [row for node, rows in chart_layers(chart) if mark_type(node) == "text"
            and node["encoding"]["text"].get("field") == "reference_label" for row in rows]


def test_the_national_reference_is_labelled_once_per_national_series() -> None:
    """Three places near one national figure get three grey ticks but one label, at the
    latest tick: labels written at each tick lay "VN 2023-06-30" over itself."""
    con = database([point("c", "viet-nam", "2023-06-30", 60.0),
                    point("c", "viet-nam", "2022-06-30", 50.0),
                    point("c", "ha-noi", "2023-07-10", 40.0),
                    point("c", "hoa-binh", "2023-07-12", 45.0),
                    point("c", "go-cong-tay", "2023-07-12", 47.0),
                    point("c", "phu-tho", "2022-07-01", 30.0)])
    chart = over_time.comparison_chart(by_id(con)["c"])
    ticks = [row for node, rows in chart_layers(chart) if mark_type(node) == "point"
             and node["mark"].get("shape") == "stroke" for row in rows]
    assert len(ticks) == 4
    labels = _national_labels(chart)
    assert len(labels) == 1, labels
    assert labels[0]["as_of"] == max(tick["as_of"] for tick in ticks)
    assert labels[0]["reference_label"] == "VN 2023-06-30"
    positions = [(row["as_of"], row["national_value"]) for row in labels]
    assert len(set(positions)) == len(positions)


def test_values_of_one_series_are_never_written_over_each_other() -> None:
    """Three points, the last two half a year apart on a fifteen-year axis: the last is
    written, the one before it is not (its value is in the tooltip and the table)."""
    con = database([point("c", "hoa-binh", "2009-07-01", 40.0),
                    point("c", "hoa-binh", "2023-12-31", 45.0),
                    point("c", "hoa-binh", "2024-06-30", 46.0)])
    chart = over_time.comparison_chart(by_id(con)["c"])
    written = [row["as_of"][:10] for node, rows in chart_layers(chart)
               if mark_type(node) == "text"
               and node["encoding"]["text"].get("field") == "value_text" for row in rows]
    assert sorted(written) == ["2009-07-01", "2024-06-30"], written


def test_thin_data_is_said_not_drawn_as_a_trend() -> None:
    con = database([point("c", "ha-noi", "2023-02-22", 17.2),
                    point("c", "ha-noi", "2024-10-31", 87.5),
                    point("c", "go-cong-tay", "2024-01-01", 80.0)])
    english = " ".join(en for _, en in over_time.describe(by_id(con)["c"]))
    assert "One point only, too thin to say how it moved: Gò Công Tây 80 %" in english
    assert "gap of about 20 months" in english
    assert "no national figure" in english


def test_paragraph_puts_english_beside_vietnamese() -> None:
    text = presentation.sentence_list([("Câu một.", "Sentence one."), ("Hai.", "Two.")]).data
    assert '<li>Câu một. · <em lang="en">Sentence one.</em></li>' in text
    assert '<li>Hai. · <em lang="en">Two.</em></li>' in text


# --- one number format ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "unit", "language", "expected"), [
    (70.12, "percent", "vi", "70,12 %"),
    (100.0, "percent", "vi", "100 %"),
    (80220, "accounts", "vi", "80.220"),
    (1234.5, "accounts", "vi", "1.234,5"),
    (52_700_000, "accounts", "vi", "52,7 triệu"),
    (52_700_000, "accounts", "en", "52,7 million"),
    (1_200_000_000, "visits", "en", "1,2 billion"),
    (37, "rank_places", "vi", "hạng 37"),
])
def test_numbers_in_vietnamese_format(value: float, unit: str, language: str,
                                      expected: str) -> None:
    assert over_time.format_quantity(value, unit, language) == expected


@pytest.mark.parametrize(("days", "expected"), [(0, "the same day"), (1, "1 day"),
                                                (45, "45 days"), (244, "about 8 months"),
                                                (1096, "about 3 years")])
def test_gaps_in_words(days: int, expected: str) -> None:
    assert over_time.format_gap(days, "en") == expected


def test_counts_behind_a_charted_share_and_lone_counts_are_not_drawn() -> None:
    share = [point("s", "ha-noi", "2023-02-22", 17.2), point("s", "viet-nam", "2023-06-30", 60.0)]
    counts = [dict(point("s-count", row["locality_id"], str(row["as_of"]), 1000.0,
                         unit="accounts"), figure_id=row["figure_id"]) for row in share]
    lone = [point("lone", "ha-noi", "2023-02-22", 5000.0, unit="accounts"),
            point("lone", "go-cong-tay", "2024-01-01", 700.0, unit="accounts")]
    moving = [point("moving", "ha-noi", "2023-02-22", 5000.0, unit="accounts"),
              point("moving", "ha-noi", "2023-10-22", 6000.0, unit="accounts"),
              point("moving", "go-cong-tay", "2024-01-01", 700.0, unit="accounts")]
    national_only = [point("nat", "viet-nam", "2023-02-22", 5e6, unit="accounts"),
                     point("nat", "viet-nam", "2023-10-22", 6e6, unit="accounts"),
                     point("nat", "go-cong-tay", "2024-01-01", 700.0, unit="accounts")]
    found = by_id(database(share + counts + lone + moving + national_only))
    assert "only the national figure" in found["nat"].not_drawn[1]
    # A share with one point per place shows no movement: page 02 sets those side by side.
    assert "one point per place" in found["s"].not_drawn[1]
    assert "behind a share" in found["s-count"].not_drawn[1]
    assert "one point per place" in found["lone"].not_drawn[1]
    assert found["moving"].not_drawn is None
    assert found["moving"].panels == ["moving|ha-noi"]
    spec = over_time.comparison_chart(found["moving"]).to_dict()
    assert len(spec["vconcat"]) == 1
    said = " ".join(en for _, en in over_time.describe(found["moving"]))
    assert "One point only" in said and "so not drawn" in said


def test_subtitle_says_flow_or_stock_and_the_part() -> None:
    rows = [dict(point("f", "ha-noi", day, value, breakdown="commune level"),
                 stock_or_flow="flow P1M") for day, value in (("2024-01-31", 60.0),
                                                              ("2024-02-29", 62.0))]
    rows.append(dict(point("f", "viet-nam", "2024-01-31", 50.0, breakdown="commune level"),
                     stock_or_flow="flow P1M"))
    spec = over_time.comparison_chart(by_id(database(rows))["f"]).to_dict()
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "1-month period, not cumulative" in subtitle
    assert "part covered: commune level" in subtitle


def test_large_growth_is_a_multiple_not_thousands_of_percent() -> None:
    con = database([point("n", "viet-nam", "2022-11-07", 1_400_000, unit="accounts"),
                    point("n", "viet-nam", "2023-05-11", 42_000_000, unit="accounts")])
    vi, en = over_time.describe(by_id(con)["n"])[1]
    assert "(30 times the first)" in en and "(gấp 30 lần)" in vi


def test_ranks_among_different_numbers_are_neither_joined_nor_compared() -> None:
    con = database([point("r", "ha-noi", "2023-12-31", 5, unit="rank_places"),
                    point("r", "ha-noi", "2024-12-31", 1, unit="rank_places", base_value=34),
                    point("r", "hoa-binh", "2023-12-31", 35, unit="rank_places", base_value=63),
                    point("r", "hoa-binh", "2024-12-31", 37, unit="rank_places",
                          base_value=63)])
    comparison = by_id(con)["r"]
    points = comparison.points.set_index(["locality_id", "as_of_text"])
    assert not points.loc[("ha-noi", "2024-12-31"), "joined"]
    assert points.loc[("hoa-binh", "2024-12-31"), "joined"]
    assert points.loc[("ha-noi", "2024-12-31"), "value_text"] == "hạng 1/34"
    said = " ".join(en for _, en in over_time.describe(comparison))
    assert "ranked among different numbers" in said and "rose 4" not in said
    assert "fell 2 places" in said


def test_tables_have_bilingual_headers_and_say_what_is_drawn() -> None:
    from analysis.report.kit import presentation

    found = over_time.comparisons(database([
        point("m", "ha-noi", "2023-02-22", 5000.0, unit="accounts"),
        point("m", "ha-noi", "2023-10-22", 6000.0, unit="accounts"),
        point("m", "go-cong-tay", "2024-01-01", 700.0, unit="accounts"),
        point("lone", "ha-noi", "2023-02-22", 5000.0, unit="accounts"),
        point("lone", "go-cong-tay", "2024-01-01", 700.0, unit="accounts"),
    ]))
    points = over_time.points_table(found)
    assert dict(zip(points["figure_id"], points["drawn"], strict=True)) == {
        "ha-noi.m.2023-02-22": True, "ha-noi.m.2023-10-22": True,
        "go-cong-tay.m.2024-01-01": False}
    # presentation.table refuses a column without a Vietnamese/English header.
    for frame in (points, over_time.not_drawn_table(found)):
        html = presentation.table(frame, labels=over_time.TABLE_LABELS).data
        assert "NaN" not in html and "_" not in html.split("<tbody>")[0]


def test_bounds_are_worded_in_each_language() -> None:
    con = database([point("c", "viet-nam", "2024-02-29", 71.4, qualifier="over",
                          qualifier_kind="lower_bound"),
                    point("c", "ha-noi", "2023-12-10", 84.35, qualifier="gần",
                          qualifier_kind="approximate")])
    vi, en = over_time.describe(by_id(con)["c"])[0]
    assert "Việt Nam trên 71,4 %" in vi and "Hà Nội gần 84,35 %" in vi
    assert "Việt Nam over 71.4 %" in en and "Hà Nội nearly 84.35 %" in en


def test_several_bounded_points_are_named_in_the_plural() -> None:
    over = {"unit": "accounts", "qualifier": "over", "qualifier_kind": "lower_bound"}
    con = database([point("n", "viet-nam", "2025-08-31", 120e6, **over),
                    point("n", "viet-nam", "2025-10-10", 132.4e6, **over)])
    said = " ".join(en for _, en in over_time.describe(by_id(con)["n"]))
    assert "the figures of 2025-08-31, 2025-10-10 are lower bounds" in said
    assert "over 120 million → over 132.4 million" in said


def test_shares_of_different_bases_are_two_measures_never_joined() -> None:
    """625 procedures at 100 %, then 352 of about 402 at 87,56 %: no line, no fall."""
    con = database([point("pay", "hoa-binh", "2024-04-22", 100.0, base_value=625),
                    point("pay", "hoa-binh", "2024-07-31", 87.56, base_value=402),
                    point("pay", "ha-noi", "2024-07-31", 90.0, base_value=1000)])
    comparison = by_id(con)["pay"]
    lines = [rows for node, rows in chart_layers(over_time.comparison_chart(comparison))
             if mark_type(node) == "line"]
    joined = {row["figure_id"] for rows in lines for row in rows}
    assert not any(f.startswith("hoa-binh") for f in joined), joined
    english = " ".join(en for _, en in over_time.describe(comparison))
    assert "fall" not in english and "points" not in english
    assert "different bases" in english


def test_shares_of_one_base_are_still_joined() -> None:
    con = database([point("pay", "hoa-binh", "2024-04-22", 80.0, base_value=625),
                    point("pay", "hoa-binh", "2024-07-31", 85.0, base_value=630),
                    point("pay", "ha-noi", "2024-07-31", 90.0, base_value=1000)])
    comparison = by_id(con)["pay"]
    lines = [rows for node, rows in chart_layers(over_time.comparison_chart(comparison))
             if mark_type(node) == "line"]
    assert any(row["locality_id"] == "hoa-binh" for rows in lines for row in rows)
