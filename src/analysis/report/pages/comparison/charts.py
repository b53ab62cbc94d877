"""Page 02's charts: one comparison of the ``series`` view, the localities side by side, and
the rows of the single-place table. Results are bars (shares, 0–100 %) or dots (counts);
targets are ticks, never bars; ranks run best at the top; no line joins two points."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from analysis.report.kit import charts, presentation
from analysis.report.kit.presentation import ChartBlock

CSV_COLUMNS = ["series_id", "comparison_id", "figure_id", "is_target", "indicator_id",
               "indicator_vi", "indicator_en", "locality_id", "locality_vi", "admin_level",
               "breakdown", "as_of", "period_start", "period_end", "value", "unit", "amount",
               "base_value", "base_printed", "base_vi", "base_en", "qualifier", "printed",
               "erratum_ids", "source_id", "source_title", "publisher", "published_on",
               "source_reference", "locator"]
ROW_HEIGHT = 44
LINE_HEIGHT = 14
# A row label's two lines ("place\ndate"): vega draws an array label as lines.
TWO_LINES = "split(datum.label, '\\n')"


def comparison_chart(points: pd.DataFrame, facet: tuple[str, str] = ("", "")) -> ChartBlock:
    """One comparison: every point of the series that may share an axis, the localities side
    by side. Results are bars (shares, 0–100 %) or dots (counts); targets are ticks, never
    bars; ranks run best at the top. No line joins two points."""
    data = charts.with_labels(points)
    # Place, its level, date or period, part: one line each, so that none is cut and the
    # labels stay narrow enough to leave a phone's screen room for the bars.
    # A line longer than the axis's label limit would be cut with "…": long lines are
    # wrapped (a successor's "(tỉnh · province, từ · from 2025-07-01)" takes two).
    parts = [data["place"].str.replace(" (", "\n(", n=1, regex=False), data["as_of_text"],
             data["breakdown"]]
    data["row_label"] = [charts.label_lines(*row) for row in zip(*parts, strict=True)]
    lines = int(data["row_label"].str.count("\n").max()) + 1
    data["role"] = data["is_target"].map(charts.ROLE)
    data["sign"] = data["qualifier_kind"].map(charts.QUALIFIER_SIGN).fillna("")
    data = data.sort_values(["locality_vi", "as_of", "row_label"])
    first = data.iloc[0]
    unit, lower_is_better = first["unit"], bool(first["kind_lower_is_better"])
    is_percent = unit == "percent"
    # Scores keep their decimals (88,18 points); places in a ranking are whole.
    decimals = (",.2~f" if is_percent or (first["kind_own_scale"] and not lower_is_better)
                else ",.0f")
    suffix = " %" if is_percent else ""
    data = data.assign(label_suffix=suffix)
    order = list(dict.fromkeys(data["row_label"]))
    tooltip = charts.tooltip([
        alt.Tooltip("value:Q", title="Giá trị · value", format=decimals),
        alt.Tooltip("role:N", title="Kết quả hay chỉ tiêu · result or target"),
        alt.Tooltip("base_vi:N", title="Cơ sở · base"),
        alt.Tooltip("series_id:N", title="Chuỗi · series"),
        alt.Tooltip("locator:N", title="Vị trí · locator"),
    ])
    color = alt.Color("locality_vi:N", scale=charts.locality_scale(data), legend=None)
    results = data[~data["is_target"]]
    targets = data[data["is_target"]]
    if isinstance(first.get("base_vi"), str) or isinstance(first.get("base_en"), str):
        subtitle = charts.wrap(f"Cơ sở · base: {_text(first.get('base_vi'))} · "
                         f"{_text(first.get('base_en'))}")
    else:
        subtitle = [f"Đơn vị · unit: {_text(first.get('unit_vi'))} · "
                    f"{_text(first.get('unit_label_en'))}"]
    if lower_is_better:
        subtitle.append("Hạng 1 là tốt nhất, ở trên cùng · rank 1 is best, at the top.")
    if len(targets):
        subtitle.append("Vạch đứng: chỉ tiêu phải đạt, không phải kết quả · "
                        "tick: a target to reach, not a result.")
    if data["status"].ne(charts.STATUS_AS_PRINTED).any():
        subtitle.append("Viền đỏ: số liệu có đính chính · red outline: figure with an erratum.")
    # ``facet`` says how this chart differs from another of the same indicator on the page.
    heading = charts.title(first["indicator_vi"] + facet[0], first["indicator_en"] + facet[1],
                           subtitle)
    text = alt.Text("label:N")
    # Where the source printed the base, the label gives the counts too: 20.284/25.302 = 80 %.
    counts = ("(datum.base_printed && isValid(datum.amount) && isValid(datum.base_value) ? "
              "format(datum.amount, ',.0f') + '/' + format(datum.base_value, ',.0f') + ' = ' "
              ": '') + ") if is_percent and "base_printed" in data else ""
    label_expr = (counts + "datum.sign + format(datum.value, '" + decimals + "')"
                  " + datum.label_suffix")
    outline = alt.StrokeValue(None, condition={
        "test": f"datum.status != '{charts.STATUS_AS_PRINTED}'", "value": "#b91c1c"})

    if lower_is_better:
        x = alt.X("row_label:N", title=None, sort=order,
                  axis=alt.Axis(labelAngle=-30, labelLimit=190, labelExpr=TWO_LINES))
        y = alt.Y("value:Q", title="hạng · rank", scale=alt.Scale(reverse=True, zero=False,
                                                                   nice=False, padding=12),
                  axis=alt.Axis(format=",.0f", values=charts.rank_ticks(data["value"])))
        base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
        layers = [base.mark_point(filled=True, size=120).encode(color=color),
                  base.transform_calculate(label=label_expr).mark_text(dx=14, align="left")
                  .encode(text=text)]
        # Room left of the axis for the first slanted label's end; without it vega shifts
        # the whole drawing left and cuts the title's first letters.
        chart = charts.layer(*layers, width=max(160, 70 * len(order)), height=220,
                             title=heading, padding={**_label_room(data, dx=14),
                                                     "left": 40})
        return charts.block(chart, data[_present(data)],
                     f"{first['indicator_en']}-{first['comparison_id']}")

    y = alt.Y("row_label:N", title=None, sort=order,
              axis=alt.Axis(labelLimit=190, labelExpr=TWO_LINES))
    # Every row is given room for the tallest label (three lines in ROW_HEIGHT).
    row_height = ROW_HEIGHT + LINE_HEIGHT * max(0, lines - 3)
    height = row_height * len(order)
    values = data["value"].astype(float)
    if is_percent:
        top = max(100.0, math.ceil(values.max() / 10) * 10)
        x = alt.X("value:Q", title="% · percent", scale=alt.Scale(domain=[0, top], nice=False),
                  axis=alt.Axis(format=",.0f"))
        # The bar in the row's lower part, its value written above it from the axis: a
        # label after the bar's end ("20.284/25.302 = 80,17 %") would run past the drawing
        # wherever the bar is long, and on a phone leave no room for the bars.
        result_mark = alt.Chart(results).mark_bar(strokeWidth=2, height=row_height * 0.45,
                                                  yOffset=row_height * 0.12)
    else:
        spread = values[values > 0]
        log = len(spread) >= 2 and spread.max() / spread.min() > 20
        scale = (alt.Scale(type="log") if log else alt.Scale(zero=True))
        axis = alt.Axis(format=",.0f", values=charts.log_ticks(values)) if log else \
            alt.Axis(format=",.0f", values=charts.linear_ticks(values))
        scale_note = " (thang log · log scale)" if log else ""
        unit_vi = first.get("unit_vi") or unit
        x = alt.X("value:Q", title=f"{unit_vi}{scale_note}", scale=scale, axis=axis)
        result_mark = alt.Chart(results).mark_point(filled=True, size=110, strokeWidth=2)
    # Shares: the label above the bar, from the axis; dots (counts): after the dot, with
    # the chart's right padding as wide as the longest label.
    label_at = dict(x=alt.value(0)) if is_percent else dict(x=alt.X("value:Q"))
    label_mark = (dict(align="left", dx=2, yOffset=-row_height * 0.22, fontSize=11)
                  if is_percent else dict(align="left", dx=6, fontSize=11))
    layers = [
        result_mark.encode(x=x, y=y, color=color, stroke=outline, tooltip=tooltip),
        alt.Chart(results).transform_calculate(label=label_expr).mark_text(
            **label_mark).encode(y=y, text=text, **label_at),
    ]
    if len(targets):
        layers += [
            alt.Chart(targets).mark_tick(thickness=3, size=row_height * 0.9).encode(
                x=x, y=y, color=color, tooltip=tooltip),
            alt.Chart(targets).transform_calculate(
                label="'chỉ tiêu · target ' + " + label_expr).mark_text(
                **label_mark, fontStyle="italic").encode(y=y, text=text, **label_at),
        ]
    padding = {"left": 5, "top": 5, "bottom": 5, "right": 5} if is_percent else _label_room(data)
    chart = charts.layer(*layers, width=440, height=height, title=heading, padding=padding)
    return charts.block(chart, data[_present(data)],
                        f"{first['indicator_en']}-{first['comparison_id']}")


LABEL_CHAR_PX = 6.6  # an 11 px label's average character, digits and separators


def _label_room(data: pd.DataFrame, *, with_counts: bool = False, dx: int = 6
                ) -> dict[str, float]:
    """The chart's padding, its right side as wide as the longest value label: vega fits
    the plot and its axes to the page, not the text written past a bar's or a point's end,
    so a long label ("20.284/25.302 = 80,17 %") would be cut by the drawing's edge."""
    longest = 0
    for row in data.itertuples():
        text = f"{'chỉ tiêu · target ' if row.is_target else ''}{row.sign}" \
               f"{presentation.number(row.value, 2, trim=True)} %"
        if with_counts and not presentation.missing(getattr(row, "amount", None)) \
                and not presentation.missing(getattr(row, "base_value", None)):
            text = (f"{presentation.number(row.amount)}/{presentation.number(row.base_value)}"
                    f" = {text}")
        longest = max(longest, len(text))
    return {"left": 5, "top": 5, "bottom": 5, "right": round(dx + longest * LABEL_CHAR_PX)}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def value_text(row: pd.Series) -> str:
    """What the source printed for a point, with its qualifier, in the page's format (see
    :func:`presentation.printed_in_page_format`); a point with no printed text (a share the
    mart computed) in the page's number format with the figure's own decimals."""
    if isinstance(row.get("printed"), str) and row["printed"]:
        return presentation.printed_in_page_format(row["printed"], row.get("language"))
    unit = row.get("unit")
    decimals = row.get("value_decimals")
    decimals = int(decimals) if not presentation.missing(decimals) else 2
    text = presentation.number(row["value"], decimals, trim=True)
    text = charts.QUALIFIER_SIGN.get(row.get("qualifier_kind"), "") + text
    label = "%" if unit == "percent" else (row.get("unit_vi") or unit or "")
    return f"{text} {label}".strip()


def single_locality_rows(single: pd.DataFrame) -> pd.DataFrame:
    """Measures one locality reports, as table rows (the share form where both exist)."""
    rows = single.sort_values(["figure_id", "unit"], key=lambda c: c.ne("percent")
                              if c.name == "unit" else c).drop_duplicates("figure_id")
    rows = rows.assign(value_text=rows.apply(value_text, axis=1),
                       role=rows["is_target"].map(charts.ROLE))
    return rows.sort_values(["locality_vi", "indicator_vi", "as_of"]).reset_index(drop=True)


def _present(data: pd.DataFrame) -> list[str]:
    return [column for column in CSV_COLUMNS if column in data]

