"""The explorer page: any comparison of the ``series`` view, picked by the reader.

One Vega-Lite chart holds everything, so one parameter drives it all without hand-written
JavaScript: a select bound to a dropdown (``option``) picks a comparison; the chart draws
every place that reports it on one axis, a table of its points with each point's source
(title, publisher, date, a link to its address), and a link to the CSV of exactly those
points. A legend selection fades the places a reader is not looking at.

What it may draw follows page 03 (:mod:`analysis.report.pages.over_time`, whose point
preparation it reuses, so the rules are one implementation): a line joins points of one
series only, never across a gap of more than a year or a 2025 reorganisation; targets are
ticks, never points on a line; ranks run best at the top. Counts of places at different
admin levels never share an axis: such a comparison is offered once per level, and its
per-person form (``series`` measure ``per_person``) sets every level on one axis.
"""

from __future__ import annotations

import csv
import io
import textwrap
from dataclasses import dataclass

import altair as alt
import duckdb
import pandas as pd
from IPython.display import HTML

from analysis.report.kit import charts, presentation
from analysis.report.kit.presentation import ChartBlock
from analysis.report.pages import over_time
from analysis.report.pages.explorer.table import (
    PER_PERSON_UNIT,
    TABLE_WIDTH,  # noqa: F401 - part of the page's surface (its tests read it)
    display_columns,
    table_lines,
)

NATIONAL_LEVEL = "country"
ROW_STEP = 16  # pixels per text line in the table
LEVEL_ORDER = ["country", "centrally_run_city", "province", "district", "commune"]
# The columns of each option's CSV: what is drawn, with its source and base.
CSV_COLUMNS = [
    "option", "comparison_id", "series_id", "figure_id", "is_target", "indicator_id",
    "indicator_vi", "indicator_en", "locality_id", "locality_vi", "admin_level", "breakdown",
    "stock_or_flow", "as_of", "period_start", "period_end", "value", "unit", "qualifier",
    "printed", "amount", "base_vi", "base_en", "base_value", "base_figure_id", "base_as_of",
    "base_source_id", "erratum_ids", "source_id", "title", "publisher", "published_on",
    "reference", "locator", "segment",
]


def series_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every point of ``series`` with its source's title, publisher, date and address.

    Text columns as Python objects: the page reads them cell by cell thousands of times,
    which is ~30x slower on pandas' Arrow-backed strings."""
    frame = con.execute("""
        SELECT s.*, src.title, src.publisher, src.published_on::DATE AS published_on,
               src.reference,
               coalesce(u.countable, true) AS countable,
               -- The day a successor of the 2025 reorganisation took over, as on page 03.
               g.successor_since
        FROM series AS s
        LEFT JOIN (SELECT successor_id AS locality_id, min(effective_on)::DATE AS successor_since
                   FROM locality_lineage WHERE predecessor_id <> successor_id
                   GROUP BY ALL) AS g ON g.locality_id = s.locality_id
        LEFT JOIN sources AS src USING (source_id)
        LEFT JOIN units AS u ON u.unit_id = s.unit
        ORDER BY s.comparison_id, s.locality_id, s.as_of, s.figure_id""").df()
    return _objects(frame)


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])]
    return frame.astype(dict.fromkeys(text, object))


def _split_by_level(rows: pd.DataFrame) -> bool:
    """Counts (not per person, not shares, ranks or scores) from places of different levels:
    a district's count beside a country's is a statement about population, not progress."""
    first = rows.iloc[0]
    return (first["unit"] != "percent" and not first["kind_own_scale"]
            and bool(first["countable"]) and rows["admin_level"].nunique() > 1)


def _period_words(stock_or_flow: str) -> str:
    if stock_or_flow == "stock":
        return "lũy kế · to date"
    months = stock_or_flow.removeprefix("flow P")
    if months.endswith("M"):
        return f"trong {months[:-1]} tháng · over {months[:-1]} months"
    if months.endswith("D"):
        return f"trong {months[:-1]} ngày · over {months[:-1]} days"
    return "trong kỳ · in a period"


def _option_label(first: pd.Series, level: str | None) -> str:
    unit = ("% · percent" if first["unit"] == "percent"
            else f"{first['unit_label_vi']} · {first['unit_label_en']}")
    parts = [f"{first['indicator_vi']} · {first['indicator_en']}", unit,
             _period_words(str(first["stock_or_flow"]))]
    if isinstance(first["breakdown"], str):
        parts.append(first["breakdown"])
    if first["is_target"]:
        parts.append("chỉ tiêu · target")
    if level:
        parts.append(f"chỉ {charts.ADMIN_LEVEL.get(level, level)} · only")
    return " — ".join(parts)


@dataclass(frozen=True)
class Explorer:
    """The points as drawn (one row per point and option) and one row per option."""

    points: pd.DataFrame
    # option, label, comparison_id, lower_is_better, unit, subtitle, csv_uri
    options: pd.DataFrame


def build(con: duckdb.DuckDBPyConnection) -> Explorer:
    links = over_time.lineage(con)
    raw = series_points(con)
    # Page 03's preparation: place labels, value texts, line segments (same rules).
    prepared = _objects(over_time.prepare_points(raw, links))
    rows, options = [], []
    for comparison_id, group in prepared.groupby("comparison_id", sort=False):
        levels: list[str | None] = [None]
        if _split_by_level(group):
            levels = sorted(group["admin_level"].unique(), key=LEVEL_ORDER.index)
        for level in levels:
            part = group if level is None else group[group["admin_level"] == level]
            option = comparison_id if level is None else f"{comparison_id}#{level}"
            first = part.iloc[0]
            rows.append(part.assign(option=option, color=_colors(part)))
            options.append({"option": option, "comparison_id": comparison_id,
                            "label": _option_label(first, level),
                            "lower_is_better": bool(first["kind_lower_is_better"]),
                            "unit": first["unit"], "places": part["locality_id"].nunique(),
                            "subtitle": _subtitle(part)})
    points = pd.concat(rows, ignore_index=True)
    points = display_columns(points)
    frame = pd.DataFrame(options)
    frame["csv_uri"] = frame["option"].map(_csv_uris(points))
    frame = frame.sort_values("label", key=lambda s: s.str.casefold()).reset_index(drop=True)
    return Explorer(points, frame)


def _csv_uris(points: pd.DataFrame) -> dict[str, str]:
    """Each option's points as CSV (the kit's data: URI, as every chart's download), written
    in one pass: pandas' to_csv per option took a second per hundred options."""
    columns = [c for c in CSV_COLUMNS if c in points]
    table = points[columns].astype(object).where(points[columns].notna(), None)
    buffers: dict[str, io.StringIO] = {}
    for record in table.itertuples(index=False, name=None):
        option = record[0]
        if option not in buffers:
            buffers[option] = io.StringIO()
            csv.writer(buffers[option], lineterminator="\n").writerow(columns)
        csv.writer(buffers[option], lineterminator="\n").writerow(
            ["" if value is None else value for value in record])
    return {option: presentation.data_uri(text.getvalue()) for option, text in buffers.items()}


def _colors(points: pd.DataFrame) -> pd.Series:
    """The kit's colours for one option's places: the five localities keep theirs on every
    option, the country is dark grey, other places take the spare colours in name order
    (per option, so that no two places of one option share a grey)."""
    scale = charts.locality_scale(points)
    colors = dict(zip(scale.domain, scale.range, strict=True))
    return points["locality_vi"].map(colors).fillna("#999999")


def _subtitle(part: pd.DataFrame) -> list[str]:
    first = part.iloc[0]
    lines = []
    base_vi, base_en = first["base_vi"], first["base_en"]
    if isinstance(base_vi, str) or isinstance(base_en, str):
        lines += textwrap.wrap(f"Cơ sở · base: {base_vi or ''} · {base_en or ''}", 46)
    else:
        lines += textwrap.wrap(f"Đơn vị · unit: {first['unit_label_vi']} · "
                               f"{first['unit_label_en']}", 46)
    if first["kind_lower_is_better"]:
        lines += ["Hạng 1 là tốt nhất, ở trên cùng", "rank 1 is best, at the top"]
    if part["is_target"].any():
        lines += ["Vạch ngang đứt nét: chỉ tiêu phải đạt", "dashed tick: a target, not a result"]
    if part["admin_level"].nunique() > 1 and first["unit"] == PER_PERSON_UNIT:
        lines += ["Mọi cấp trên một trục, tính trên 1.000 dân",
                  "all levels on one axis, per 1,000 residents"]
    return lines


def _wrap_lines(text: str, width: int = 46) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def default_option(options: pd.DataFrame) -> str:
    """The option a reader sees first: the per-person comparison with the most places (the
    form that sets every level on one axis), else the option with the most places."""
    ranked = options.assign(per_person=options["unit"] == PER_PERSON_UNIT).sort_values(
        ["per_person", "places", "label"], ascending=[False, False, True])
    return str(ranked["option"].iloc[0])


POINT_COLUMNS = ["point", "option", "reference", "series_id", "figure_id", "is_target", "place",
                 "locality_vi",
                 "as_of", "y", "value", "value_line", "printed", "printed_as", "segment",
                 "joined", "color", "source_id", "publisher", "published_on",
                 "base_line", "role", "admin_level"]


def chart(explorer: Explorer) -> ChartBlock:
    options = explorer.options
    points = explorer.points
    option = alt.param(name="option", value=default_option(options), bind=alt.binding_select(
        options=list(options["option"]), labels=list(options["label"]),
        name="So sánh · comparison "))
    # The heading of each option: its label, then its base and reading notes. Vega-Lite
    # takes a title's text (not its subtitle) from an expression, so both are its lines.
    titles = alt.param(name="titles", value={
        o: [*_wrap_lines(label), *subtitle] for o, label, subtitle in
        zip(options["option"], options["label"], options["subtitle"], strict=True)})
    rank_options = alt.param(name="rank_options",
                             value=list(options.loc[options["lower_is_better"], "option"]))
    # The legend is a chart of its own, listing only the chosen option's places; clicking a
    # place there (shift-click for more, double-click to clear) selects it everywhere.
    places = alt.selection_point(name="places", fields=["place"], on="click",
                                 clear="dblclick")
    chosen = "datum.option == option"

    drawn_rows = points.assign(point=range(len(points)))[POINT_COLUMNS]
    drawn = alt.Chart(drawn_rows).transform_filter(chosen)
    # Padding keeps a point on the first or last date whole, inside the plot.
    x = alt.X("as_of:T", title=None, scale=alt.Scale(padding=14),
              axis=alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap="greedy",
                            labelFlush=True))
    # Labels inside the plot: each part of the chart is as wide as the page ("container"),
    # and labels outside it would make the drawing wider than the page, then scaled down.
    y = alt.Y("y:Q", title=None, scale=alt.Scale(zero=False, nice=True),
              axis=alt.Axis(orient="left", ticks=False, domain=False, labelAlign="left",
                            labelBaseline="bottom", labelPadding=-4, labelColor="#444",
                            # ranks are drawn negated; no rank 0 (the nice top) is labelled
                            labelExpr="indexof(rank_options, option) < 0 ? "
                            "format(datum.value, ',~f') : datum.value > -1 ? '' : "
                            "format(-datum.value, ',~f')",
))
    # Each place's colour is the kit's, the same on every option (an identity scale): a
    # scale over every place would list all of them in a legend whatever the option.
    color = alt.Color("color:N", scale=None)
    opacity = alt.condition(places, alt.value(1.0), alt.value(0.15))
    tooltip = [
        alt.Tooltip("place:N", title="Nơi · place"),
        alt.Tooltip("as_of:N", title="Tính đến · as of"),
        alt.Tooltip("value_line:N", title="Giá trị · value"),
        alt.Tooltip("printed:N", title="Số in · as printed"),
        alt.Tooltip("role:N", title="Kết quả hay chỉ tiêu · result or target"),
        alt.Tooltip("base_line:N", title="Cơ sở · base"),
        alt.Tooltip("source_id:N", title="Nguồn · source"),
        alt.Tooltip("publisher:N", title="Cơ quan đăng · publisher"),
        alt.Tooltip("published_on:N", title="Ngày đăng · published"),
        alt.Tooltip("figure_id:N", title="Mã số liệu · figure"),
    ]
    lines = drawn.transform_filter("datum.joined && !datum.is_target").mark_line(
        strokeWidth=2).encode(x=x, y=y, color=color, detail=alt.Detail("segment:N"),
                              opacity=opacity)
    results = drawn.transform_filter("!datum.is_target").mark_point(
        filled=True, size=80).encode(
        x=x, y=y, color=color, opacity=opacity, tooltip=tooltip,
        shape=alt.Shape("printed_as:N", title="Số in · printed as", scale=alt.Scale(
            domain=list(over_time.SHAPES), range=list(over_time.SHAPES.values())),
            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=300)))
    targets = drawn.transform_filter("datum.is_target").mark_tick(
        thickness=3, size=22, orient="horizontal", strokeDash=[4, 2]).encode(
        x=x, y=y, color=color, opacity=opacity, tooltip=tooltip)
    frame = alt.Chart(_domain_rows(options, points)).transform_filter(chosen).mark_point(
        opacity=0).encode(x=alt.X("as_of:T"), y=alt.Y("y:Q"))
    main = alt.layer(frame, lines, results, targets).properties(
        width="container", height=300,
        title=alt.TitleParams(text=alt.ExprRef("titles[option]"), anchor="start",
                              fontSize=12, fontWeight="normal"))
    legend_rows = alt.Chart(_legend_rows(points)).transform_filter(chosen)
    place_row = alt.Y("place:N", axis=None, sort=alt.EncodingSortField("order"))
    legend = alt.layer(
        legend_rows.mark_point(filled=True, size=90, cursor="pointer").encode(
            y=place_row, x=alt.value(6), color=color, opacity=opacity).add_params(places),
        legend_rows.mark_text(align="left", dx=0, fontSize=11, cursor="pointer").encode(
            y=place_row, x=alt.value(16), text=alt.Text("place:N"), opacity=opacity),
    ).properties(width="container", height=alt.Step(18), title=alt.TitleParams(
        ["Nơi · places: bấm để làm nổi, bấm đúp để bỏ", "click to highlight, double-click "
         "to clear"], anchor="start", fontSize=11, fontWeight="normal"))
    download = alt.Chart(options[["option", "csv_uri"]]).transform_filter(chosen).mark_text(
        align="left", baseline="top", fontSize=12, color="#0b5cad", cursor="pointer",
        lineBreak="\n").encode(
        text=alt.value("⬇ Tải CSV các điểm đang vẽ\ndownload the CSV of the points drawn"),
        href=alt.Href("csv_uri:N"), x=alt.value(0), y=alt.value(0)).properties(
        width="container", height=30)
    # Inline values: one row per text line is several thousand rows, past the frame
    # transformer's limit, and plain JSON already (no dates or numpy values to convert).
    lines_of = alt.Chart(alt.Data(values=table_lines(points).to_dict("records"))
                         ).transform_lookup(
        lookup="point", from_=alt.LookupData(data=drawn_rows, key="point",
                                             fields=["option", "reference", "color"]),
    ).transform_filter(chosen)
    row = alt.Y("line:O", axis=None)
    # The first line of a point (place, date, value) bold in the place's colour.
    heads = lines_of.transform_filter("datum.first").mark_text(
        align="left", baseline="middle", fontSize=11, fontWeight="bold", cursor="pointer",
    ).encode(y=row, x=alt.value(0), text=alt.Text("text:N"), href=alt.Href("reference:N"),
             color=alt.Color("color:N", scale=None))
    rest = lines_of.transform_filter("!datum.first").mark_text(
        align="left", baseline="middle", fontSize=11, color="#24292f", cursor="pointer",
    ).encode(y=row, x=alt.value(0), text=alt.Text("text:N"), href=alt.Href("reference:N"))
    table = alt.layer(heads, rest).properties(
        width="container", height=alt.Step(ROW_STEP), title=alt.TitleParams(
            ["Các điểm và nguồn", "the points and their sources",
             "Bấm vào một dòng để mở nguồn", "click a row to open its source"],
            anchor="start", fontSize=12))
    spec = alt.vconcat(main, legend, download, table, spacing=14, padding={
        "left": 0, "right": 0, "top": 5, "bottom": 5}).add_params(
        option, titles, rank_options)
    # The block's CSV holds every option's points (its per-option CSV is the link above the
    # table), and its footer every source the explorer can show.
    data = points[[c for c in CSV_COLUMNS if c in points]]
    return charts.block(spec, data, "explorer-every-option", notes=[
        "Tệp CSV dưới đây gồm điểm của mọi mục trong danh sách; tệp của mục đang chọn ở trên "
        "bảng · the CSV below holds the points of every entry in the list; the chosen "
        "entry's CSV is the link above the table."])


STYLE = """<style>
/* The explorer's dropdown above its chart, and no wider than the page (its labels are long). */
.de-an-06-chart .chart-wrapper:has(.vega-bindings) { display: flex; flex-direction: column; }
/* Vega measures the wrapper for width "container" and draws a little wider (the plot's
   offsets): the wrapper is kept that much narrower and the drawing is never scaled down. */
.de-an-06-chart .chart-wrapper { max-width: 100%; width: calc(100% - 26px); }
.de-an-06-chart .chart-wrapper > svg { max-width: none; }
/* vega-embed keeps 38 px on the right for its "..." menu: the drawing gets the whole width. */
.de-an-06-chart.vega-embed.has-actions { padding-right: 0; }
.de-an-06-chart .vega-bindings { order: -1; margin: 0 0 0.6rem; min-width: 0; }
.de-an-06-chart .vega-bindings .vega-bind { display: flex; flex-direction: column; }
.de-an-06-chart .vega-bindings select { width: 100%; max-width: 100%; font-size: 0.9rem; }
</style>"""


def style() -> HTML:
    return HTML(STYLE)


def _legend_rows(points: pd.DataFrame) -> pd.DataFrame:
    """One row per option and place, the country first, then by name."""
    rows = points.drop_duplicates(["option", "place"])[
        ["option", "place", "color", "is_national", "locality_vi"]]
    rows = rows.sort_values(["option", "is_national", "locality_vi"],
                            ascending=[True, False, True])
    return rows.assign(order=range(len(rows)))[["option", "place", "color", "order"]]


def _domain_rows(options: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """Invisible points that keep 0 (and 100 % for shares) on an option's axis; ranks get
    none (their axis is the ranks drawn)."""
    rows = []
    for option, lower_is_better, unit in options[["option", "lower_is_better", "unit"]].itertuples(
            index=False):
        if lower_is_better:
            continue
        rows.append({"option": option, "y": 0.0})
        if unit == "percent":
            rows.append({"option": option, "y": 100.0})
    frame = pd.DataFrame(rows)
    # At a date the option draws, so the point is valid on the time axis without widening it.
    first_date = points.groupby("option")["as_of"].min()
    return frame.assign(as_of=frame["option"].map(first_date))


def summary(explorer: Explorer) -> tuple[str, str]:
    """What the dropdown offers, in one sentence per language."""
    options = explorer.options
    comparisons = options["comparison_id"].nunique()
    per_person = options.loc[options["unit"] == PER_PERSON_UNIT, "comparison_id"].nunique()
    split = options.loc[options["option"].str.contains("#"), "comparison_id"].nunique()
    places = explorer.points["locality_id"].nunique()
    n = presentation.number
    return (f"{n(comparisons)} phép so sánh từ {n(places)} nơi, trong đó {n(per_person)} "
            f"tính trên 1.000 dân; {n(split)} phép so sánh số đếm có nơi thuộc nhiều cấp "
            f"hành chính được tách theo cấp, nên danh sách có {n(len(options))} mục.",
            f"{n(comparisons)} comparisons from {n(places)} places, {n(per_person)} of them "
            f"per 1,000 residents; {n(split)} count comparisons with places of several admin "
            f"levels are split by level, so the list has {n(len(options))} entries.")


TABLE_LABELS = {
    "place": ("Nơi", "place"),
    "where": ("Nơi, ngày", "place, date"),
    "count_text": ("Số đếm / số dân (ngày, nguồn)", "count / population (date, source)"),
    "per_1000_text": ("Trên 1.000 dân", "per 1,000 residents"),
    "reading": ("Đọc là", "reads as"),
}
# How a per-person value reads (series.counts_residents, from the catalog).
READINGS = {True: "tỷ lệ dân, không quá 1.000 · a share of residents, at most 1,000",
            False: "tỷ suất, không phải tỷ lệ dân · a rate, not a share of residents"}


def per_person_table(explorer: Explorer) -> pd.DataFrame:
    """Every per-person point with the count and the population figure behind it."""
    rows = explorer.points[explorer.points["unit"] == PER_PERSON_UNIT].drop_duplicates(
        ["series_id", "figure_id"])
    rows = rows.assign(
        where=rows["locality_vi"] + ", " + rows["as_of"],
        count_text=[f"{presentation.number(c)} / {presentation.number(v)} ({d}, {s})"
                    for c, v, d, s in zip(rows["amount"], rows["base_value"],
                                          rows["base_as_of"], rows["base_source_id"],
                                          strict=True)],
        per_1000_text=[presentation.number(v, 1) for v in rows["value"]],
        reading=[READINGS[bool(v)] for v in rows["counts_residents"]])
    return rows.sort_values(["indicator_vi", "locality_vi", "as_of"])[
        ["indicator_vi", "where", "count_text", "per_1000_text", "reading"]]
