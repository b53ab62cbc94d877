"""Page 03's charts: one comparison on a real time axis (see the package docstring for what
a chart may and may not show)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import altair as alt
import pandas as pd

from analysis.report.kit import charts
from analysis.report.pages.over_time.data import (
    MAX_REFERENCE_DAYS,
    PRINTED_AS,
    Comparison,
    format_quantity,
    iso,
)

NATIONAL_COLOR = charts.NATIONAL_COLOR
EXTRA_COLORS = charts.EXTRA_COLORS
SHAPES = {entry["label"]: entry["shape"] for entry in PRINTED_AS.values()}
CHART_WIDTH = 560
# The share of the time axis one value label needs ("1,79 triệu" on a phone's ~300 px plot).
LABEL_ROOM = 0.15

# --- the chart ---------------------------------------------------------------------------------


def _colors(points: pd.DataFrame) -> alt.Scale:
    """National dark grey, the five localities their usual colours, others from a palette."""
    places = points[["place", "is_national", "locality_id", "locality_vi", "is_successor"]
                    ].drop_duplicates("place").sort_values(["is_national", "locality_id"],
                                                           ascending=[False, True])
    known = {name: color for name, color in charts.LOCALITY_COLORS.items()}
    spare = [c for c in EXTRA_COLORS if c not in known.values()]
    colors = []
    for national, name, successor in zip(places["is_national"], places["locality_vi"],
                                         places["is_successor"], strict=True):
        if national:
            colors.append(NATIONAL_COLOR)
        elif name in known and not successor:
            colors.append(known[name])
        else:
            colors.append(spare.pop(0) if spare else "#999999")
    return alt.Scale(domain=list(places["place"]), range=colors)


def _time_scale(points: pd.DataFrame, extra: list[pd.Timestamp]) -> tuple[alt.Scale, alt.Axis]:
    days = list(points["as_of"]) + extra
    # Room either side for the value label centred on the first and last point (15 % of the
    # span, at least 45 days): a label past the plot would run off a phone's screen.
    margin = max(timedelta(days=45), (max(days) - min(days)) * 0.15)
    start, end = min(days) - margin, max(days) + margin
    span_months = (end - start).days / 30.44
    step = 1 if span_months <= 8 else 3 if span_months <= 24 else 6 if span_months <= 48 else 12
    return (alt.Scale(domain=[start.isoformat(), end.isoformat()]),
            alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap=True, title="tính đến · as of",
                     tickCount=alt.TickCount(interval="month", step=step)))


def _nice_ceiling(value: float) -> float:
    """The next round number at or above ``value`` (1, 2, 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def y_domain(axis: str, values: pd.Series, ranked: float | None = None) -> list[float]:
    """The value axis: shares 0–100 (more only if a value needs it), ranks 1 to the number
    ranked where printed (drawn reversed), scores from zero to their maximum (``ranked``
    carries the base: the number ranked, or the score's maximum), counts from zero, so a
    small change stays small."""
    top = float(values.max()) if len(values) else 0.0
    if axis == "share":
        return [0.0, max(100.0, math.ceil(top / 10) * 10)]
    if axis == "rank":
        if ranked is not None and not math.isnan(ranked) and ranked >= top:
            return [1.0, float(ranked)]
        return [1.0, max(10.0, math.ceil(top / 10) * 10)]
    if axis == "scale":
        bottom = min(0.0, float(values.min()) if len(values) else 0.0)
        # A score's axis ends at its maximum where the figures carry it (out of 22), at
        # 100 for a score above 1, at 1 for a score out of 1 (DTI 0,82 drawn flat at the
        # foot of a 0–100 axis would say every place scored nothing).
        if ranked is not None and not math.isnan(ranked) and ranked >= top:
            return [bottom, float(ranked)]
        return [bottom, 100.0 if 1 < top <= 100 else _nice_ceiling(top)]
    # Head room for the labels above each point.
    return [0.0, _nice_ceiling(top * 1.3)]


@dataclass(frozen=True)
class Axes:
    """The scales of one panel, so every layer (and its reference marks) shares them."""

    x_scale: alt.Scale
    x_axis: alt.Axis
    y_scale: alt.Scale
    y_axis: alt.Axis
    y_field: str = "value"

    def x(self, field: str = "as_of") -> alt.X:
        return alt.X(f"{field}:T", scale=self.x_scale, axis=self.x_axis)

    def y(self, field: str | None = None) -> alt.Y:
        return alt.Y(f"{field or self.y_field}:Q", scale=self.y_scale, axis=self.y_axis)


def _axes(axis: str, domain: list[float], title: str, x_scale: alt.Scale, x_axis: alt.Axis,
          field: str = "value", panel: bool = False) -> Axes:
    if axis == "rank":
        step = 10 if domain[1] > 20 else 5
        last = int(domain[1])
        # The number ranked ends the axis; a round tick too close to it would collide.
        ticks = [1, *(t for t in range(step, last + 1, step) if last - t >= step / 2), last]
        return Axes(x_scale, x_axis,
                    alt.Scale(domain=domain, reverse=True, nice=False, zero=False),
                    alt.Axis(format="d", values=ticks, title=title), field)
    y_axis = (charts.panel_axis(format=",.2~f", title=title) if panel
              else alt.Axis(format=",.2~f", title=title))
    return Axes(x_scale, x_axis, alt.Scale(domain=domain, nice=False), y_axis, field)


def _tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("place:N", title="Nơi · place"),
        alt.Tooltip("as_of_text:N", title="Tính đến · as of"),
        alt.Tooltip("value_text:N", title="Giá trị · value"),
        alt.Tooltip("printed:N", title="Số in · as printed"),
        alt.Tooltip("printed_as:N", title="Loại số · kind of figure"),
        alt.Tooltip("reference_text:N", title="Toàn quốc gần nhất · nearest national"),
        alt.Tooltip("source_id:N", title="Nguồn · source"),
        alt.Tooltip("locator:N", title="Vị trí · locator"),
        alt.Tooltip("figure_id:N", title="figure_id"),
        alt.Tooltip("series_id:N", title="series_id"),
        alt.Tooltip("erratum_ids:N", title="Erratum"),
    ]


def _reference_text(comparison: Comparison) -> pd.Series:
    """Per point: the nearest national value and its date, for tooltips and labels."""
    near = comparison.nearest
    # A dictionary, not a merge or a .loc per point: pandas spends milliseconds on either.
    national = {(series, figure): (value, day) for series, figure, value, day in zip(
        near["series_id"], near["figure_id"], near["national_value"], near["national_as_of"],
        strict=True)}
    points, unit = comparison.points, comparison.unit
    texts = []
    for series, figure, is_national, is_target in zip(
            points["series_id"], points["figure_id"], points["is_national"],
            points["is_target"], strict=True):
        ref = national.get((series, figure))
        if is_national or is_target or ref is None:
            texts.append(None)
        else:
            texts.append(f"VN {format_quantity(ref[0], unit)} · {iso(ref[1])}")
    return pd.Series(texts, index=points.index, dtype="object")


def chart_data(comparison: Comparison) -> pd.DataFrame:
    """The rows a chart draws, each with its series_id, figure_id and is_target."""
    data = comparison.points.copy()
    data["reference_text"] = _reference_text(comparison)
    return data


def _shape(data: pd.DataFrame) -> alt.Shape:
    """Point shape says how the figure was printed; the legend lists only kinds present."""
    present = set(data.loc[~data["is_target"], "printed_as"])
    kinds = [kind for kind in SHAPES if kind in present]
    return alt.Shape("printed_as:N", title="Số in · printed as",
                     scale=alt.Scale(domain=kinds, range=[SHAPES[kind] for kind in kinds]),
                     legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=340))


def _layers(data: pd.DataFrame, comparison: Comparison, axes: Axes, color: alt.Color,
            shape: alt.Shape, with_reference: bool) -> list[alt.Chart]:
    results = data[~data["is_target"]]
    targets = data[data["is_target"]]
    layers: list[alt.Chart] = []
    if with_reference and len(reference := _reference_marks(data, comparison)):
        ref = alt.Chart(reference)
        ref_y = axes.y("national_value")
        layers += [
            ref.mark_rule(color=NATIONAL_COLOR, strokeDash=[1, 3], opacity=0.7).encode(
                x=axes.x("national_as_of"), x2=alt.X2("as_of:T"), y=ref_y),
            ref.mark_point(shape="stroke", size=260, strokeWidth=2.5, color=NATIONAL_COLOR,
                           opacity=0.9).encode(
                x=axes.x(), y=ref_y,
                tooltip=[alt.Tooltip("place:N", title="Nơi · place"),
                         alt.Tooltip("reference_text:N",
                                     title="Toàn quốc gần nhất · nearest national")]),
            # Under its tick, centred: the latest tick lies nearest the right edge, where a
            # label beside it would run past the drawing; values are written above points.
            alt.Chart(_reference_labels(reference)).mark_text(
                align="center", baseline="top", dy=7, fontSize=10,
                color=NATIONAL_COLOR).encode(
                x=axes.x(), y=ref_y, text=alt.Text("reference_label:N")),
        ]
    x, y = axes.x(), axes.y()
    joined = results[results["joined"]]
    if len(joined):
        layers.append(alt.Chart(joined).mark_line(strokeWidth=2).encode(
            x=x, y=y, color=color, detail=alt.Detail("segment:N")))
    if len(results):
        base = alt.Chart(results).encode(x=x, y=y, tooltip=_tooltip())
        layers += [
            base.mark_point(filled=True, size=90, opacity=1).encode(
                color=color,
                shape=shape),
            # Values written at each series' first and last point only (and at every point
            # of a short series): labels of close points would run together. Every point's
            # value is in its tooltip and in the table at the end of the page.
            alt.Chart(_labelled(results, axes)).mark_text(dy=-11, fontSize=10).encode(
                x=x, y=y, text=alt.Text("value_text:N"), color=color),
        ]
    if len(targets):
        target_rows = targets.assign(
            tick_start=targets["as_of"] - timedelta(days=40),
            tick_end=targets["as_of"] + timedelta(days=40),
            target_label="mục tiêu · target " + targets["value_text"])
        tick = alt.Chart(target_rows)
        layers += [
            tick.mark_rule(strokeDash=[5, 3], strokeWidth=2.5).encode(
                x=axes.x("tick_start"), x2=alt.X2("tick_end:T"), y=y, color=color,
                tooltip=_tooltip()),
            tick.mark_text(dy=10, fontSize=10, fontStyle="italic").encode(
                x=x, y=y, text=alt.Text("target_label:N"), color=color),
        ]
    return layers


def _labelled(results: pd.DataFrame, axes: Axes, short: int = 3,
              room: float = LABEL_ROOM) -> pd.DataFrame:
    """The points whose value is written on the chart: a series' first and last point, or
    all of a series of at most ``short`` points, but never two of one series closer than
    ``room`` of the time axis (the later one kept): "1,79 triệu" and "1,8 triệu" half a
    year apart on a sixteen-year axis were written over each other."""
    start, end = (pd.Timestamp(day) for day in axes.x_scale.domain)
    gap = (end - start) * room
    order = results.sort_values("as_of")
    rank = order.groupby("series_id").cumcount()
    size = order.groupby("series_id")["as_of"].transform("size")
    candidate = (size <= short) | (rank == 0) | (rank == size - 1)
    keep = pd.Series(False, index=order.index)
    for _, rows in order[candidate].groupby("series_id", sort=False):
        written = None
        for index, day in zip(reversed(rows.index), reversed(list(rows["as_of"])),
                              strict=True):
            if written is None or written - day >= gap:
                keep[index] = True
                written = day
    return order[keep]

def _reference_marks(data: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    """A national reference per place's point, where the national date is within a year."""
    near = comparison.nearest[comparison.nearest["days_apart"] <= MAX_REFERENCE_DAYS]
    marks = data[~data["is_target"] & ~data["is_national"]].merge(
        near[["series_id", "figure_id", "national_as_of", "national_value", "days_apart",
              "national_figure_id"]], on=["series_id", "figure_id"])
    marks["reference_label"] = ["VN " + iso(day) for day in marks["national_as_of"]]
    national = comparison.points[comparison.points["is_national"]]
    series_of = dict(zip(national["figure_id"], national["series_id"], strict=True))
    marks["national_series_id"] = [series_of.get(figure, figure)
                                   for figure in marks["national_figure_id"]]
    return marks


def _reference_labels(marks: pd.DataFrame) -> pd.DataFrame:
    """The ticks whose national date is written beside them: one per national series, its
    latest tick. A label at every tick would lay one "VN 2023-06-30" over another wherever
    two places report near one date; every tick names its national figure in its tooltip,
    and the subtitle says what a grey tick is."""
    latest = marks.sort_values(["as_of", "national_value"]).groupby(
        "national_series_id", sort=False).tail(1)
    # Two national series at one point (one date, one value) would still print twice.
    return latest.drop_duplicates(["as_of", "national_value"])


def _boundary_layers(comparison: Comparison, axes: Axes) -> list[alt.Chart]:
    if comparison.boundaries.empty:
        return []
    rules = comparison.boundaries.groupby("effective_on", as_index=False).agg(
        predecessors=("predecessor_vi", lambda names: ", ".join(sorted(set(names)))),
        successors=("successor_vi", lambda names: ", ".join(sorted(set(names)))))
    rules["as_of"] = pd.to_datetime(rules["effective_on"])
    rules["label"] = [f"{iso(day)}: {before} → {after} (sáp nhập · merged)" for day, before,
                      after in zip(rules["as_of"], rules["predecessors"], rules["successors"],
                                   strict=True)]
    # On the chart a short word left of the rule (the successor's points lie right of it,
    # and a long label would run past a phone's screen); the whole label in the tooltip.
    rules["short_label"] = "sáp nhập · merged"
    base = alt.Chart(rules)
    return [
        base.mark_rule(color="#666666", strokeWidth=1.5).encode(
            x=axes.x(),
            tooltip=[alt.Tooltip("label:N", title="Sắp xếp lại 2025 · 2025 reorganisation")]),
        base.mark_text(align="right", dx=-4, y=6, fontSize=10, color="#444444",
                       baseline="top").encode(x=axes.x(), text=alt.Text("short_label:N")),
    ]


def _axis_title(comparison: Comparison, factor: float = 1.0) -> str:
    unit_vi, unit_en = comparison.first("unit_vi"), comparison.first("unit_en")
    if comparison.axis == "share":
        return "% · percent"
    if comparison.axis == "rank":
        return "thứ hạng (1 = tốt nhất) · rank (1 = best)"
    scale = {1e9: ("tỷ ", "billion "), 1e6: ("triệu ", "million ")}.get(factor, ("", ""))
    return f"{scale[0]}{unit_vi} · {scale[1]}{unit_en}"


def _subtitle(comparison: Comparison) -> list[str]:
    """Lines under the title, each short enough for a 1000 px page (vega does not wrap)."""
    return [part for line in _subtitle_lines(comparison) for part in charts.wrap(line)]


def _period(stock_or_flow: str) -> str:
    """``stock`` or ``flow P<n>M``/``flow P<n>D`` (the series view's words) in a sentence."""
    if stock_or_flow == "stock":
        return "Lũy kế đến ngày số liệu · cumulative up to the as-of date"
    length = stock_or_flow.removeprefix("flow").strip().removeprefix("P")
    if length.endswith("M") and length[:-1].isdigit():
        return (f"Số liệu trong kỳ {length[:-1]} tháng, không lũy kế · figures for a "
                f"{length[:-1]}-month period, not cumulative")
    if length.endswith("D") and length[:-1].isdigit():
        return (f"Số liệu trong kỳ {length[:-1]} ngày, không lũy kế · figures for a "
                f"{length[:-1]}-day period, not cumulative")
    return "Số liệu trong kỳ, không lũy kế · figures for a period, not cumulative"


def _subtitle_lines(comparison: Comparison) -> list[str]:
    breakdown, stock_or_flow = comparison.first("breakdown"), comparison.first("stock_or_flow")
    lines = []
    if isinstance(breakdown, str) and breakdown:
        lines.append(f"Phạm vi · part covered: {breakdown}")
    if base_vi := comparison.base("vi"):
        lines.append(f"Cơ sở · base: {base_vi} · {comparison.base('en') or ''}".rstrip(" ·"))
    if isinstance(stock_or_flow, str):
        lines.append(_period(stock_or_flow))
    if comparison.axis == "count" and comparison.places > 1:
        lines.append("Số lượng phụ thuộc dân số: mỗi nơi một khung, trục riêng từ 0 · "
                     "Counts depend on population: one panel per place, each axis from zero.")
    elif comparison.axis == "rank":
        lines.append("Hạng 1 ở trên cùng · rank 1 at the top.")
    if comparison.has_national and comparison.places > 1:
        lines.append("Vạch xám: giá trị toàn quốc ở ngày gần nhất (≤ 1 năm) · grey tick: the "
                     "national value at the nearest date (within a year).")
    return lines


def comparison_chart(comparison: Comparison) -> alt.TopLevelMixin:
    """The chart of one comparison (see the module docstring for what it may show)."""
    data = chart_data(comparison)
    if comparison.axis == "count":
        data = data[data["series_id"].isin(comparison.panels)]
    extra = list(pd.to_datetime(comparison.boundaries["effective_on"])) + list(
        comparison.nearest["national_as_of"])
    x_scale, x_axis = _time_scale(data, extra)
    # Count panels are each titled by their place: a colour legend there would sit beside
    # the shapes' legend, wider than a phone's screen.
    legend = None if comparison.axis == "count" else alt.Legend(
        orient="bottom", columns=1, labelLimit=340)
    color = alt.Color("place:N", title="Nơi · place", scale=_colors(data), legend=legend)
    heading = charts.title(comparison.label("vi") + comparison.facet[0],
                           comparison.label("en") + comparison.facet[1], _subtitle(comparison))
    if comparison.axis != "count":
        domain = y_domain(comparison.axis, data["value"], data["base_value"].max())
        axes = _axes(comparison.axis, domain, _axis_title(comparison), x_scale, x_axis)
        chart = charts.layer(*_boundary_layers(comparison, axes),
                             *_layers(data, comparison, axes, color, _shape(data),
                                      with_reference=True),
                             width=CHART_WIDTH, height=300, title=heading)
    else:
        panels = []
        for series_id in comparison.panels:
            rows = data[data["series_id"] == series_id]
            place = rows["place"].iloc[0] + (
                "" if pd.isna(rows["breakdown"].iloc[0]) else f" · {rows['breakdown'].iloc[0]}")
            top = float(rows["value"].max())
            factor = 1e9 if top >= 1e9 else 1e6 if top >= 1e6 else 1.0
            rows = rows.assign(value_scaled=rows["value"] / factor)
            domain = y_domain("count", rows["value_scaled"])
            axes = _axes("count", domain, _axis_title(comparison, factor), x_scale, x_axis,
                         field="value_scaled", panel=True)
            panel_layers = _layers(rows, comparison, axes, color, _shape(data),
                                   with_reference=False)
            # No national value is written on a place's count panel: a count of 42 million
            # beside a district's axis of 200.000 would read as comparable. It is in the
            # tooltip and the text.
            panels.append(charts.layer(*_boundary_layers(comparison, axes), *panel_layers,
                                       height=140,
                                       title=alt.TitleParams(charts.wrap(place, 48), anchor="start",
                                                             fontSize=12)))
        chart = charts.panel_stack(
            panels, spacing=18, title=heading,
            resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")))
    return chart

