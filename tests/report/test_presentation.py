"""Numbers, tables and charts as a reader sees them: one number format, bilingual headers,
no index or NaN, every chart with its sources and data, targets never drawn as results.

Built on small frames made here, so no test depends on today's data.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import date
from io import StringIO

import pandas as pd
import pytest

from analysis.report.kit import chart_display, charts, presentation
from analysis.report.pages.comparison import charts as comparison_charts
from analysis.report.pages.comparison import data as comparison_data
from analysis.report.pages.comparison import prose as comparison_prose


def test_number_uses_the_vega_locale_separators() -> None:
    locale = chart_display.EMBED_OPTIONS["formatLocale"]
    assert (locale["thousands"], locale["decimal"]) == (".", ",")
    assert presentation.number(1234567.891, 2) == "1.234.567,89"
    assert presentation.number(20284) == "20.284"
    assert presentation.number(80.5, 2, trim=True) == "80,5"
    assert presentation.number(25.0, 2, trim=True) == "25"
    assert presentation.number(-1.42, 2) == locale["minus"] + "1,42"
    assert presentation.number(float("nan")) == presentation.number(None) == ""
    assert presentation.percent(80.17, 2) == "80,17 %"


def test_machine_written_numbers_take_the_page_format_but_dates_do_not() -> None:
    text = presentation.localise_numbers("17281/18572 = 93.05 % on 2024-04-22 (flow-P1M)")
    assert text == "17.281/18.572 = 93,05 % on 2024-04-22 (flow-P1M)"
    assert presentation.localise_numbers(None) is None


def test_vietnamese_time_locale_is_complete() -> None:
    locale = chart_display.EMBED_OPTIONS["timeFormatLocale"]
    assert len(locale["months"]) == len(locale["shortMonths"]) == 12
    assert len(locale["days"]) == len(locale["shortDays"]) == 7


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "source_id": ["a-1", "b-2"], "as_of": [pd.Timestamp("2024-05-31"), pd.NaT],
        "value": [20284.0, None], "printed": ["20.284", None], "comparable": [True, False],
    }, index=[7, 9])


def test_table_has_no_index_nan_or_snake_case_and_shows_dates() -> None:
    html = presentation.table(_frame()).data
    assert "NaN" not in html and "None" not in html and "NaT" not in html
    headers = re.findall(r"<th>(.*?)</th>", html)
    assert len(headers) == 5  # no index column
    assert not any(re.search(r"\b[a-z]+_[a-z_]+\b", h) for h in headers), headers
    # Vietnamese with the English beside it, marked as English.
    assert all('<span class="en" lang="en">' in h for h in headers)
    assert "2024-05-31" in html and "20.284" in html
    assert ">7<" not in html and ">9<" not in html
    assert "overflow-x: auto" in html  # scrolls rather than being cut


def test_table_marks_a_column_in_another_language_and_breaks_ids_at_their_joints() -> None:
    frame = pd.DataFrame({"explanation_vi": ["Tử số bị in ngược."], "explanation": ["Swapped."],
                          "rules": ["numerator_le_denominator, parts_sum_to_total"],
                          "printed": ["153.221/152.275, 99,4%"],
                          "figure_id": ["hn-2025-10-03.received"]})
    html = presentation.table(frame, languages={"explanation": "en"}).data
    assert re.search(r'<td[^>]*lang="en"[^>]*>Swapped\.</td>', html)
    assert not re.search(r'<td[^>]*lang="en"[^>]*>Tử số', html)
    assert "numerator_<wbr>le_<wbr>denominator" in html and "153.221/<wbr>152.275" in html
    # a browser breaks neither between a hyphen and a digit nor after a dot by itself
    assert "hn-<wbr>2025-<wbr>10-<wbr>03.<wbr>received" in html
    assert presentation.cell("Việt Nam, 2025-04-22")[0] == "Việt Nam, 2025-04-22"


def test_english_numbers_are_the_page_numbers_with_the_separators_swapped() -> None:
    assert presentation.number_en(6029) == "6,029" and presentation.number(6029) == "6.029"
    assert presentation.number_en(1234567.891, 2) == "1,234,567.89"
    assert presentation.number_en(80.5, 2, trim=True) == "80.5"
    assert presentation.number_en(12) == "12" and presentation.number_en(None) == ""


def test_table_refuses_a_column_without_a_bilingual_header() -> None:
    with pytest.raises(KeyError, match="no Vietnamese/English header"):
        presentation.table(pd.DataFrame({"some_new_column": [1]}))


def _points(**overrides: object) -> pd.DataFrame:
    """A small `series` frame: one share comparison of two localities, one of one."""
    rows = []
    for index, (comparison, locality, value, target) in enumerate([
            ("share/all", "x", 80.0, False), ("share/all", "y", 60.0, False),
            ("share/all", "y", 100.0, True), ("lonely/all", "x", 12.0, False)]):
        rows.append({
            "series_id": f"{comparison}/{locality}/{target}", "comparison_id": comparison,
            "indicator_id": comparison.split("/")[0], "indicator_vi": "Tỷ lệ",
            "indicator_en": "Share", "kind": "share", "kind_lower_is_better": False,
            "kind_own_scale": False, "topic": "t",
            "locality_id": locality, "locality_vi": {"x": "Hà Nội", "y": "Hòa Bình"}[locality],
            "admin_level": "province", "breakdown": None, "as_of": date(2024, 1, index + 1),
            "period_start": None, "period_end": None, "value": value, "unit": "percent",
            "unit_vi": "%", "unit_label_en": "percent", "amount": value, "base_value": 100.0,
            "base_printed": True, "value_basis": "printed", "base_vi": "tổng", "base_en": "all",
            "is_target": target, "qualifier": None, "qualifier_kind": None,
            "erratum_ids": None, "figure_id": f"src-{index}.f", "source_id": f"src-{index}",
            "publisher": "Báo", "published_on": date(2024, 2, 1), "printed": f"{value}%",
            "locator": "line 1"})
    frame = pd.DataFrame(rows)
    frame["comparison_localities"] = frame.groupby("comparison_id")["locality_id"].transform(
        "nunique")
    for column, value in overrides.items():
        frame[column] = value
    return frame


def test_comparison_plan_draws_only_comparisons_of_two_or_more_localities() -> None:
    drawn, set_aside, single = comparison_data.comparison_plan(_points())
    assert list(drawn) == ["share/all"]
    assert set(single["comparison_id"]) == {"lonely/all"}
    assert set_aside.empty


def test_a_share_computed_against_another_figure_is_set_aside() -> None:
    points = _points()
    unprinted = points["locality_id"].eq("y") & ~points["is_target"]
    points.loc[unprinted, ["base_printed", "value_basis"]] = [False, "computed"]
    drawn, set_aside, _ = comparison_data.comparison_plan(points)
    assert "share/all" not in drawn
    assert list(set_aside["locality_id"]) == ["y"]


def _layers(spec: dict) -> list[dict]:
    found = []
    for layer in spec.get("layer", []):
        found += _layers(layer) if "layer" in layer else [layer]
    return found


def _rows(spec: dict, layer: dict) -> list[dict]:
    name = layer.get("data", spec.get("data", {})).get("name")
    return spec["datasets"][name]


def test_targets_are_ticks_never_bars_and_percent_axes_run_0_to_100() -> None:
    frame = _points()
    block = comparison_charts.comparison_chart(frame[frame["comparison_id"] == "share/all"])
    spec = block.to_dict()
    marks = {}
    for layer in _layers(spec):
        mark = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
        targets = {row["is_target"] for row in _rows(spec, layer)}
        marks.setdefault(mark, set()).update(targets)
        if layer["encoding"]["x"].get("scale", {}).get("domain"):
            assert layer["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert marks["bar"] == {False}
    assert marks["tick"] == {True}
    for layer in _layers(spec):
        for row in _rows(spec, layer):
            assert row["figure_id"] and row["series_id"]


def test_rank_axis_puts_the_best_at_the_top() -> None:
    # Any kind the catalog calls best-at-lowest is drawn so, whatever its name.
    frame = _points(kind="place_in_league", kind_lower_is_better=True, kind_own_scale=True,
                    unit="rank_places")
    spec = comparison_charts.comparison_chart(
        frame[frame["comparison_id"] == "share/all"]).to_dict()
    assert any(layer["encoding"]["y"].get("scale", {}).get("reverse") for layer in _layers(spec))


def test_a_count_axis_is_never_reversed() -> None:
    frame = _points(kind="count", unit="accounts")
    spec = comparison_charts.comparison_chart(
        frame[frame["comparison_id"] == "share/all"]).to_dict()
    assert not any(layer.get("encoding", {}).get("y", {}).get("scale", {}).get("reverse")
                   for layer in _layers(spec))


def test_every_chart_names_its_sources_and_offers_its_rows_as_csv() -> None:
    frame = _points()
    block = comparison_charts.comparison_chart(frame[frame["comparison_id"] == "share/all"])
    footer = block.footer_html()
    for source in frame.loc[frame["comparison_id"] == "share/all", "source_id"]:
        assert source in footer
    assert "Báo, 2024-02-01" in footer
    uri = re.search(r'href="(data:text/csv;charset=utf-8,[^"]+)"', footer).group(1)
    text = urllib.parse.unquote(uri.split(",", 1)[1]).lstrip("\ufeff")
    rows = pd.read_csv(StringIO(text))
    assert {"series_id", "figure_id", "is_target"} <= set(rows.columns)
    assert len(rows) == (frame["comparison_id"] == "share/all").sum()
    assert 'download="' in footer


def test_chart_block_displays_the_chart_and_its_footer() -> None:
    chart_display.activate()
    import altair as alt

    with alt.renderers.enable(chart_display.RENDERER_NAME):
        frame = _points()
        bundle, _ = comparison_charts.comparison_chart(
            frame[frame["comparison_id"] == "share/all"])._repr_mimebundle_()
    assert chart_display.CHART_ATTRIBUTE in bundle["text/html"]
    assert "Nguồn · Sources" in bundle["text/html"]


@pytest.mark.parametrize("text", ["<script>window.x=1</script>", "<img src=x onerror=alert(1)>",
                                  "[link](javascript:alert(1))"])
def test_prose_from_the_data_is_escaped(text: str) -> None:
    out = presentation.bilingual(f"**Tên** {text}", f"Name {text}").data
    assert "<script" not in out and "<img" not in out and "javascript:" not in out
    assert "<strong>Tên</strong>" in out  # the page's own emphasis still works
    listed = presentation.sentence_list([(text, text)]).data
    assert "<script" not in listed and "<img" not in listed and "javascript:" not in listed


def test_page_02_prose_counts_what_its_table_lists() -> None:
    drawn, _, single = comparison_data.comparison_plan(_points())
    rows = comparison_charts.single_locality_rows(single)
    vi, en = comparison_prose.introduction(drawn, rows)
    assert f"**{len(drawn)} comparisons**" in en
    assert f"**{rows['comparison_id'].nunique()} measures** ({len(rows)} figures)" in en
    _, per_place_en = comparison_prose.per_place(rows)
    assert sum(int(n) for n in re.findall(r" (\d+)(?:,|\.$)", per_place_en)) == \
        rows["comparison_id"].nunique()


@pytest.mark.parametrize(("printed", "language", "shown"), [
    ("ít nhất 01", "vi", "ít nhất 01"),
    ("tăng 4,15%", "vi", "tăng 4,15%"),
    ("5,87%", "vi", "5,87%"),
    ("90 percent", "en", "90%"),
    ("over 52.7 million, 71.4%", "en", "trên 52,7 triệu, 71,4%"),
    ("13,183,991", "en", "13.183.991"),
])
def test_single_place_table_shows_what_the_source_printed(printed: str, language: str,
                                                          shown: str) -> None:
    points = _points().assign(printed=printed, language=language,
                              qualifier_kind="lower_bound", value=4.0)
    _, _, single = comparison_data.comparison_plan(points)
    rows = comparison_charts.single_locality_rows(single)
    assert list(rows["value_text"]) == [shown] * len(rows)


def test_charts_of_one_indicator_get_titles_that_say_how_they_differ() -> None:
    monthly = _points().assign(stock_or_flow="flow P1M")
    to_date = _points().assign(stock_or_flow="stock", comparison_id="share/all/stock")
    titles = charts.distinguishing_titles({"a": monthly, "b": to_date})
    assert titles["a"] != titles["b"]
    assert "in the month" in titles["a"][1] and "to date" in titles["b"][1]
    alone = charts.distinguishing_titles({"a": monthly})
    assert alone["a"] == ("", "")


@pytest.mark.parametrize("name", ["02_locality_comparison.html", "03_over_time.html"])
def test_no_two_charts_of_a_page_share_a_title(name: str) -> None:
    from analysis import paths

    page = paths.REPORTS / name
    if not page.exists():
        pytest.fail("reports/ has no pages: run `make all` first")
    specs = re.findall(r"var spec = (\{.*?\});\n  var opts = ",
                       page.read_text(encoding="utf-8"), flags=re.DOTALL)
    titles = [str(json.loads(spec).get("title", {}).get("text")) for spec in specs]
    repeated = {title for title in titles if titles.count(title) > 1}
    assert not repeated, repeated


def test_a_source_is_linked_only_at_a_web_address() -> None:
    linked = presentation.source_html("a-1", "Tiêu đề <b>", "Báo", date(2024, 2, 1),
                                      "https://example.org/x?a=1&b=2")
    assert '<a href="https://example.org/x?a=1&amp;b=2">Tiêu đề &lt;b&gt;</a>' in linked
    assert "Báo" in linked and "2024-02-01" in linked and "a-1" in linked
    for address in ("javascript:alert(1)", "seeds/000.txt", None):
        assert "<a " not in presentation.source_html("a-1", "T", "Báo", None, address)


def test_latest_values_give_each_place_its_newest_result_and_its_age() -> None:
    points = _points()
    points.loc[points["locality_id"] == "x", "as_of"] = date(2023, 11, 30)
    points.loc[(points["locality_id"] == "y") & ~points["is_target"], "as_of"] = date(2024, 5, 2)
    drawn, _, _ = comparison_data.comparison_plan(points)
    latest, newest = comparison_data.latest_values(drawn)
    assert newest == pd.Timestamp("2024-05-02")
    assert set(latest["locality_id"]) == {"x", "y"} and not latest["is_target"].any()
    assert dict(zip(latest["locality_id"], latest["months_old"], strict=True)) == {"x": 6, "y": 0}


def test_english_sentences_take_the_english_number_format() -> None:
    text = presentation.english_numbers("over 1,4 million; 80.220 accounts on 2024-05-31")
    assert text == "over 1.4 million; 80,220 accounts on 2024-05-31"


def test_csv_file_names_keep_vietnamese_readable() -> None:
    assert presentation.slug("Essential services, out of Đề án 06's 25") == \
        "essential-services-out-of-đề-án-06-s-25"
    assert presentation.slug("<script>") == "script"


def test_a_publication_known_to_a_span_reads_as_its_first_and_last_day() -> None:
    assert presentation.date_span(date(2024, 3, 5), date(2024, 3, 5)) == "2024-03-05"
    assert presentation.date_span("2025-01-02", "2025-04-30") == "2025-01-02 → 2025-04-30"
    assert presentation.date_span(date(2024, 1, 1), None) == "2024-01-01"
