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

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import altair as alt
import duckdb
import pandas as pd
from IPython.display import display

from analysis import paths
from analysis.report.kit import charts, presentation

SQL_DIR = paths.OVER_TIME_SQL
NATIONAL_LEVEL = "country"
# Points more than a calendar year apart are not joined: a segment would invent a path.
MAX_SEGMENT = pd.DateOffset(years=1)
# A national figure further away than this is not drawn as the reference of a point.
MAX_REFERENCE_DAYS = 365
# A change of a share smaller than this (percentage points) is called small in the text.
SMALL_SHARE_CHANGE = 2.0

NATIONAL_COLOR = charts.NATIONAL_COLOR
EXTRA_COLORS = charts.EXTRA_COLORS
LEVEL_LABELS: dict[str, str] = charts.ADMIN_LEVEL
# Printed bounding words, in Vietnamese whatever the source's language.
QUALIFIER_VI = {"nearly": "gần", "about": "khoảng", "over": "trên", "more than": "trên"}
QUALIFIER_KIND_VI = {"approximate": "khoảng", "lower_bound": "trên", "upper_bound": "dưới"}
# ... and in English, whatever the source's language.
QUALIFIER_EN = {"gần": "nearly", "khoảng": "about", "trên": "over", "hơn": "more than",
                "dưới": "under", "ít nhất": "at least"}
QUALIFIER_KIND_WORD_EN = {"approximate": "about", "lower_bound": "over", "upper_bound": "under"}
QUALIFIER_KIND_EN = {"approximate": "approximate", "lower_bound": "a lower bound",
                     "upper_bound": "an upper bound"}
QUALIFIER_KIND_PLURAL_EN = {"approximate": "approximate", "lower_bound": "lower bounds",
                            "upper_bound": "upper bounds"}
SHAPES = {
    "chính xác · exact": "circle",
    "trên · over": "triangle-up",
    "dưới · under": "triangle-down",
    "gần, khoảng · nearly, about": "diamond",
}
SHAPE_OF_KIND = {None: "chính xác · exact", "lower_bound": "trên · over",
                 "upper_bound": "dưới · under", "approximate": "gần, khoảng · nearly, about"}
CHART_WIDTH = 560
Sentence = tuple[str, str]  # (Vietnamese, English)


# --- numbers and dates in one (Vietnamese) format ------------------------------------------


def format_number(value: float, decimals: int = 2) -> str:
    """A number in the page's (Vietnamese) format, trailing zero decimals dropped:
    70.12 → ``70,12``, 80220 → ``80.220`` (the same separators as the charts' locale)."""
    return presentation.number(value, decimals, trim=True)


def format_quantity(value: float, unit: str, language: str = "vi") -> str:
    """A value with its unit in words: ``70,12 %``, ``80.220``, ``65 triệu`` / ``65 million``."""
    if unit == "percent":
        return f"{format_number(value)} %"
    if unit == "rank_places":
        return f"hạng {format_number(value, 0)}" if language == "vi" else \
            f"rank {format_number(value, 0)}"
    for size, vi, en in ((1e9, "tỷ", "billion"), (1e6, "triệu", "million")):
        if abs(value) >= size:
            return f"{format_number(value / size)} {vi if language == 'vi' else en}"
    return format_number(value)


def format_gap(days: int, language: str = "vi") -> str:
    """How far apart two dates are, in words a reader weighs at a glance."""
    vi = language == "vi"
    if days == 0:
        return "cùng ngày" if vi else "the same day"
    if days < 60:
        return f"{days} ngày" if vi else f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        months = round(days / 30.44)
        return f"khoảng {months} tháng" if vi else f"about {months} months"
    years = format_number(days / 365.25, 1)
    return f"khoảng {years} năm" if vi else f"about {years} years"


def iso(day: date | pd.Timestamp) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%d")


# --- the data --------------------------------------------------------------------------------


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Comparison:
    """One comparison of the series view, ready to chart and describe.

    The derived properties are cached: the page asks for them hundreds of times, and the
    frames never change after construction (``replace`` makes a new, uncached instance).
    """

    comparison_id: str
    points: pd.DataFrame      # every point, targets included, with display columns
    nearest: pd.DataFrame     # per place's result point: the nearest national result
    boundaries: pd.DataFrame  # reorganisation links with both sides in this comparison
    not_drawn: Sentence | None = None  # why the page lists it instead of charting it

    @cached_property
    def results(self) -> pd.DataFrame:
        return self.points[~self.points["is_target"]]

    @cached_property
    def places(self) -> int:
        return self.results["locality_id"].nunique()

    @cached_property
    def has_national(self) -> bool:
        return bool(self.results["is_national"].any())

    @cached_property
    def axis(self) -> str:
        """``share``, ``rank`` or ``scale`` (one axis for all places) or ``count`` (panels)."""
        if self.first("unit") == "percent":
            return "share"
        if self.first("kind") == "rank":
            return "rank"
        return "count" if bool(self.first("countable")) else "scale"

    @cached_property
    def panels(self) -> list[str]:
        """The series a chart draws. Counts get a panel per place, and a panel of one point
        says nothing about movement, so counts draw only series of two or more points;
        shares, ranks and scores share one axis, where one point still stands against others.
        """
        sizes = self.results.groupby("series_id", sort=False)["as_of"].nunique()
        if self.axis == "count":
            sizes = sizes[sizes >= 2]
        return list(sizes.index)

    @cached_property
    def unit(self) -> str:
        return str(self.first("unit"))

    def first(self, column: str) -> object:
        """``column`` of the first point (reading one cell, not building a whole row)."""
        return self.points[column].iat[0]

    def label(self, language: str) -> str:
        return str(self.first(f"indicator_{language}"))

    def base(self, language: str) -> str | None:
        value = self.first(f"base_{language}")
        return value if isinstance(value, str) and value else None


def lineage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(_sql("lineage.sql")).df()


def _place_labels(points: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """``Hòa Bình (tỉnh · province)``; a successor also says from when it exists."""
    level = points["admin_level"].map(LEVEL_LABELS).fillna(points["admin_level"])
    label = points["locality_vi"] + " (" + level + ")"
    since = {successor: iso(min(days)) for successor, days in
             links.groupby("successor_id")["effective_on"]}
    for index, locality in points["locality_id"].items():
        # A register name that already says it is the new unit ("Quảng Ngãi (từ 1/7/2025)")
        # needs no second date.
        if locality in since and "(" not in points.at[index, "locality_vi"]:
            label[index] = (f"{points.at[index, 'locality_vi']} ({level[index]}, "
                            f"từ · from {since[locality]})")
    return label


def _segments(points: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """Which line segment each result point belongs to (targets get none).

    A new segment starts after a gap of more than a year, where a reorganisation of the
    series' own place takes effect between two points (a series should never cross one; if
    it does, the line still breaks there), and where a rank is taken among a different
    number of places (5th of 63 provinces and 1st of the 34 after 2025 are not one scale).
    """
    segment = pd.Series(pd.NA, index=points.index, dtype="object")
    boundaries = links.groupby("predecessor_id")["effective_on"].apply(list).to_dict()
    results = points[~points["is_target"]].sort_values("as_of")
    for series_id, rows in results.groupby("series_id", sort=False):
        counter, previous, previous_of = 0, None, None
        cuts = [pd.Timestamp(d) for d in boundaries.get(rows["locality_id"].iloc[0], [])]
        for index, day in rows["as_of"].items():
            ranked_of = rows.at[index, "ranked_of"]
            if previous is not None and (
                    day > previous + MAX_SEGMENT
                    or any(previous < cut <= day for cut in cuts)
                    or ranked_of != previous_of):
                counter += 1
            segment[index] = f"{series_id}#{counter}"
            previous, previous_of = day, ranked_of
    return segment


def _value_text(row: Mapping[str, Any], language: str = "vi") -> str:
    """The value as the page writes it, with the printed bounding word in ``language``."""
    word = row["qualifier"] if isinstance(row["qualifier"], str) else None
    kind = row["qualifier_kind"] if isinstance(row["qualifier_kind"], str) else None
    if language == "vi":
        prefix = QUALIFIER_VI.get(word.lower(), word) if word else QUALIFIER_KIND_VI.get(kind)
    else:
        prefix = QUALIFIER_EN.get(word.lower(), word) if word else QUALIFIER_KIND_WORD_EN.get(
            kind)
    text = format_quantity(row["value"], row["unit"], language)
    if row["ranked_of"]:
        text += f"/{row['ranked_of']}"
    return f"{prefix} {text}" if prefix else text


def _prepare(points: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    out = points.copy()
    out["as_of"] = pd.to_datetime(out["as_of"])
    out["is_target"] = out["is_target"].fillna(False).astype(bool)
    out["is_national"] = out["admin_level"] == NATIONAL_LEVEL
    # Among how many a rank was taken, as text ("" where not printed): ranks among different
    # numbers are different scales.
    out["ranked_of"] = [format_number(base, 0) if kind == "rank" and pd.notna(base) else ""
                        for kind, base in zip(out["kind"], out["base_value"], strict=True)]
    out["is_successor"] = out["locality_id"].isin(set(links["successor_id"]))
    out["place"] = _place_labels(out, links)
    since = {successor: iso(min(days)) for successor, days in
             links.groupby("successor_id")["effective_on"]}
    places = list(zip(out["locality_vi"], out["locality_id"], strict=True))
    out["name_vi"] = [f"{name} (từ {since[place]})" if place in since and "(" not in name
                      else name for name, place in places]
    out["name_en"] = [f"{name} (from {since[place]})" if place in since and "(" not in name
                      else name for name, place in places]
    out["as_of_text"] = out["as_of"].map(iso)
    # Plain dicts: DataFrame.apply(axis=1) builds a Series per row, ~100x slower.
    rows = out[["qualifier", "qualifier_kind", "value", "unit", "ranked_of"]].to_dict("records")
    out["value_text"] = [_value_text(row) for row in rows]
    out["value_text_en"] = [_value_text(row, "en") for row in rows]
    out["printed_as"] = out["qualifier_kind"].map(
        lambda kind: SHAPE_OF_KIND.get(kind if isinstance(kind, str) else None))
    out["segment"] = _segments(out, links)
    sizes = out.groupby("segment")["segment"].transform("size")
    out["joined"] = out["segment"].notna() & (sizes >= 2)
    return out


def comparisons(con: duckdb.DuckDBPyConnection) -> list[Comparison]:
    """Every comparison with results in two or more places, or at two or more dates.

    Ordered: comparisons with the national reference first, then by number of places.
    """
    links = lineage(con)
    # Every column _prepare adds depends on the row, its series or its segment only (a series
    # is in one comparison), so all points are prepared at once, not comparison by comparison.
    points = _prepare(con.execute(_sql("points.sql")).df(), links)
    nearest = con.execute(_sql("nearest_national.sql")).df()
    for column in ("as_of", "national_as_of"):
        nearest[column] = pd.to_datetime(nearest[column])
    # Converted and split once, not filtered, copied and converted again per comparison.
    near_of = dict(list(nearest.groupby("comparison_id", sort=False)))
    out = []
    for comparison_id, rows in points.groupby("comparison_id", sort=False):
        places = set(rows["locality_id"])
        shown = links[links["predecessor_id"].isin(places) & links["successor_id"].isin(places)]
        near = near_of.get(comparison_id, nearest.iloc[:0])
        out.append(Comparison(str(comparison_id), rows.reset_index(drop=True),
                              near.reset_index(drop=True), shown.reset_index(drop=True)))
    out = [replace(c, not_drawn=_why_not_drawn(c, out)) for c in out]
    out.sort(key=lambda c: (not c.has_national, -c.places, c.label("en")))
    return out


def _why_not_drawn(comparison: Comparison, others: list[Comparison]) -> Sentence | None:
    """Shares where shares exist: the counts behind a charted share add nothing but a scale
    that differs by population; and counts with one point per place show no movement."""
    if comparison.axis != "count":
        return None
    figures = set(comparison.results["figure_id"])
    for other in others:
        if other.axis == "share" and figures <= set(other.results["figure_id"]):
            return (f"số lượng phía sau tỷ lệ đã vẽ ({other.label('vi')})",
                    f"the counts behind a share drawn above ({other.label('en')})")
    panels = comparison.results[comparison.results["series_id"].isin(comparison.panels)]
    if not comparison.panels:
        return ("mỗi nơi chỉ có một điểm, số lượng không so được giữa các nơi",
                "one point per place, and counts do not compare across places")
    if comparison.places > 1 and panels["is_national"].all():
        return ("chỉ số liệu toàn quốc có từ hai ngày; mỗi địa phương chỉ một điểm",
                "only the national figure has two or more dates; each place has one point")
    return None


CSV_COLUMNS = [
    "series_id", "figure_id", "is_target", "comparison_id", "indicator_id", "indicator_vi",
    "indicator_en", "locality_id", "locality_vi", "admin_level", "breakdown", "as_of",
    "period_start", "period_end", "value", "unit", "base_vi", "base_en", "qualifier",
    "qualifier_kind", "printed", "source_id", "publisher", "published_on", "locator",
    "erratum_ids", "drawn", "national_figure_id", "national_as_of", "national_value",
    "days_apart",
]


def chart_rows(comparison: Comparison) -> pd.DataFrame:
    """The data behind a chart, for its CSV download: every point with its series, figure,
    target flag and source, and the national point it is set against."""
    near = comparison.nearest[["series_id", "figure_id", "national_figure_id",
                               "national_as_of", "national_value", "days_apart"]]
    own = [column for column in CSV_COLUMNS if column in comparison.points]
    rows = comparison.points[own].merge(near, on=["series_id", "figure_id"], how="left")
    # Points named only in the text (a lone count) are listed, marked as not drawn.
    rows["drawn"] = rows["series_id"].isin(comparison.panels) | rows["is_target"]
    return rows[CSV_COLUMNS]


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
    start, end = min(days) - timedelta(days=45), max(days) + timedelta(days=45)
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
    ranked where printed (drawn reversed), scales and counts from zero, so a small change
    stays small."""
    top = float(values.max()) if len(values) else 0.0
    if axis == "share":
        return [0.0, max(100.0, math.ceil(top / 10) * 10)]
    if axis == "rank":
        if ranked is not None and not math.isnan(ranked) and ranked >= top:
            return [1.0, float(ranked)]
        return [1.0, max(10.0, math.ceil(top / 10) * 10)]
    if axis == "scale":
        bottom = min(0.0, float(values.min()) if len(values) else 0.0)
        return [bottom, 100.0 if 0 < top <= 100 else _nice_ceiling(top)]
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
          field: str = "value") -> Axes:
    if axis == "rank":
        step = 10 if domain[1] > 20 else 5
        last = int(domain[1])
        # The number ranked ends the axis; a round tick too close to it would collide.
        ticks = [1, *(t for t in range(step, last + 1, step) if last - t >= step / 2), last]
        return Axes(x_scale, x_axis,
                    alt.Scale(domain=domain, reverse=True, nice=False, zero=False),
                    alt.Axis(format="d", values=ticks, title=title), field)
    return Axes(x_scale, x_axis, alt.Scale(domain=domain, nice=False),
                alt.Axis(format=",.2~f", title=title), field)


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
                     legend=alt.Legend(orient="bottom", labelLimit=300))


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
            ref.mark_text(align="left", dx=9, dy=2, fontSize=9, color=NATIONAL_COLOR).encode(
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
            base.mark_text(dy=-11, fontSize=10).encode(text=alt.Text("value_text:N"), color=color),
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
            tick.mark_text(dy=10, fontSize=9, fontStyle="italic").encode(
                x=x, y=y, text=alt.Text("target_label:N"), color=color),
        ]
    return layers


def _reference_marks(data: pd.DataFrame, comparison: Comparison) -> pd.DataFrame:
    """A national reference per place's point, where the national date is within a year."""
    near = comparison.nearest[comparison.nearest["days_apart"] <= MAX_REFERENCE_DAYS]
    marks = data[~data["is_target"] & ~data["is_national"]].merge(
        near[["series_id", "figure_id", "national_as_of", "national_value", "days_apart",
              "national_figure_id"]], on=["series_id", "figure_id"])
    marks["reference_label"] = ["VN " + iso(day) for day in marks["national_as_of"]]
    return marks


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
    base = alt.Chart(rules)
    return [
        base.mark_rule(color="#666666", strokeWidth=1.5).encode(
            x=axes.x(),
            tooltip=[alt.Tooltip("label:N", title="Sắp xếp lại 2025 · 2025 reorganisation")]),
        base.mark_text(align="left", dx=4, y=6, fontSize=10, color="#444444",
                       baseline="top").encode(x=axes.x(), text=alt.Text("label:N")),
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
    return [part for line in _subtitle_lines(comparison) for part in textwrap.wrap(line, 100)]


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
    color = alt.Color("place:N", title="Nơi · place", scale=_colors(data),
                      legend=alt.Legend(orient="bottom", columns=2, labelLimit=420))
    heading = charts.title(comparison.label("vi"), comparison.label("en"), _subtitle(comparison))
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
                         field="value_scaled")
            panel_layers = _layers(rows, comparison, axes, color, _shape(data),
                                   with_reference=False)
            # The national value at the nearest date, written above the point's own label:
            # on a count axis it cannot be drawn beside the point.
            notes = rows[rows["reference_text"].notna() & ~rows["is_target"]]
            if len(notes):
                panel_layers.append(alt.Chart(notes).mark_text(
                    dy=-23, fontSize=9, color=NATIONAL_COLOR).encode(
                    x=axes.x(), y=axes.y(), text=alt.Text("reference_text:N")))
            panels.append(charts.layer(*_boundary_layers(comparison, axes), *panel_layers,
                                       width=CHART_WIDTH, height=140,
                                       title=alt.TitleParams(place, anchor="start",
                                                             fontSize=12)))
        # Built once with all its properties: each copy of a concatenated chart (as
        # .resolve_scale() and .properties() make) rebuilds and deep-copies every panel.
        chart = alt.VConcatChart(vconcat=panels, spacing=18, title=heading,
                                 resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")))
    return chart


# --- the words -------------------------------------------------------------------------------



def _place_name(rows: pd.DataFrame, language: str = "vi") -> str:
    name, breakdown = rows[f"name_{language}"].iat[0], rows["breakdown"].iat[0]
    return name if pd.isna(breakdown) else f"{name} · {breakdown}"


def _single_points(single: pd.DataFrame, comparison: Comparison) -> Sentence:
    """The places with one point: named with their value and date, nothing said of a trend."""
    single = single.sort_values(["is_national", "as_of"], ascending=[False, True])
    vi = "; ".join(f"{name} {value} ({day})" for name, value, day in
                   zip(single["name_vi"], single["value_text"], single["as_of_text"], strict=True))
    en = "; ".join(f"{name} {value} ({day})" for name, value, day in
                   zip(single["name_en"], single["value_text_en"], single["as_of_text"],
                       strict=True))
    undrawn = comparison.axis == "count"
    return (f"Chỉ một điểm, chưa đủ để nói về diễn biến{', nên không vẽ' if undrawn else ''}: "
            f"{vi}.",
            f"One point only, too thin to say how it moved{', so not drawn' if undrawn else ''}: "
            f"{en}.")


def _relative(first: float, last: float) -> Sentence:
    """The change relative to the first value: a percentage, or a multiple when it grew
    more than threefold (``4.542,9 %`` reads worse than ``46 times``)."""
    if not first:
        return "", ""
    ratio = last / first
    if ratio > 3:
        times = format_number(ratio, 0 if ratio >= 10 else 1)
        return f" (gấp {times} lần)", f" ({times} times the first)"
    relative = format_number(abs(ratio - 1) * 100, 1)
    return f" ({relative} %)", f" ({relative} %)"


def _movement(rows: pd.DataFrame, comparison: Comparison) -> Sentence:
    """What one series of two or more points did between its first and last point."""
    rows = rows.sort_values("as_of")
    name, name_en, unit = _place_name(rows), _place_name(rows, "en"), comparison.unit
    first, last = rows.iloc[0], rows.iloc[-1]
    span_vi = f"{first['as_of_text']} → {last['as_of_text']}"
    change = last["value"] - first["value"]
    if comparison.axis == "rank" and rows["ranked_of"].nunique() > 1:
        among = "; ".join(f"{value} ({day})" for value, day in
                          zip(rows["value_text"], rows["as_of_text"], strict=True))
        among_en = "; ".join(f"{value} ({day})" for value, day in
                             zip(rows["value_text_en"], rows["as_of_text"], strict=True))
        return (f"{name}: {among}: xếp hạng trên số tỉnh, thành khác nhau (hoặc không in), nên "
                "không so sánh và không nối.",
                f"{name_en}: {among_en}: ranked among different numbers of provinces (or the "
                "number is not printed), so not compared or joined.")
    if comparison.axis == "rank":
        places = abs(int(change))
        vi_move = ("giữ nguyên hạng" if places == 0 else
                   f"tụt {places} bậc" if change > 0 else f"tăng {places} bậc")
        en_move = ("kept its rank" if places == 0 else
                   f"fell {places} place{'s' if places != 1 else ''}" if change > 0 else
                   f"rose {places} place{'s' if places != 1 else ''}")
    elif change == 0:
        vi_move, en_move = "không đổi", "unchanged"
    else:
        up = change > 0
        if unit == "percent":
            amount = f"{format_number(abs(change))} điểm phần trăm"
            amount_en = f"{format_number(abs(change))} percentage points"
            small = abs(change) < SMALL_SHARE_CHANGE
        else:
            relative_vi, relative_en = _relative(first["value"], last["value"])
            amount = format_quantity(abs(change), unit) + relative_vi
            amount_en = format_quantity(abs(change), unit, "en") + relative_en
            small = False
        vi_move = ("nhích " if small else "") + ("tăng " if up else "giảm ") + amount
        en_move = ("a small " if small else "") + ("rise of " if up else "fall of ") + amount_en
    vi = (f"{name}: {first['value_text']} → {last['value_text']} ({span_vi}), {vi_move}.")
    en = (f"{name_en}: {first['value_text_en']} → {last['value_text_en']} ({span_vi}), "
          f"{en_move}.")
    return vi, en


def _thin_data(rows: pd.DataFrame) -> list[Sentence]:
    """Where one series is too thin to read: years between points, bounds instead of values."""
    out: list[Sentence] = []
    rows = rows.sort_values("as_of")
    name, name_en = _place_name(rows), _place_name(rows, "en")
    gaps = rows["as_of"].diff().dt.days.dropna()
    too_far = (rows["as_of"] > rows["as_of"].shift() + MAX_SEGMENT).any()
    if too_far:
        out.append((f"{name}: có khoảng trống {format_gap(int(gaps.max()))} giữa hai điểm, "
                    "không nối bằng đường; không biết diễn biến ở giữa.",
                    f"{name_en}: a gap of {format_gap(int(gaps.max()), 'en')} between two points, "
                    "left unjoined; what happened in between is unknown."))
    bounded = rows[rows["qualifier_kind"].notna()]
    if len(bounded) and len(rows) > 1:
        dates = ", ".join(bounded["as_of_text"])
        kinds_vi = ", ".join(sorted({QUALIFIER_KIND_VI[k] for k in bounded["qualifier_kind"]}))
        several = len(bounded) > 1
        words_en = QUALIFIER_KIND_PLURAL_EN if several else QUALIFIER_KIND_EN
        kinds_en = " or ".join(sorted({words_en[k] for k in bounded["qualifier_kind"]}))
        out.append((f"{name}: số ngày {dates} chỉ là ước lượng hoặc giới hạn ({kinds_vi}), "
                    "nên mức thay đổi chỉ mang tính gần đúng.",
                    f"{name_en}: the figure{'s' if several else ''} of {dates} "
                    f"{'are' if several else 'is'} {kinds_en}, so the size of the change is "
                    "only indicative."))
    return out


def _reference_sentence(drawn: pd.DataFrame, comparison: Comparison) -> Sentence | None:
    """How far each drawn point of a place stands from the national figure it is set against."""
    near = comparison.nearest.merge(drawn[["series_id", "figure_id", "name_vi", "name_en"]],
                                    on=["series_id", "figure_id"]).sort_values(
        ["name_vi", "as_of"])
    if near.empty:
        return None
    unit = comparison.unit
    pairs_vi, pairs_en = [], []
    for ref in near.itertuples():
        days = int(ref.days_apart)
        far_vi = ", quá xa nên không vẽ" if days > MAX_REFERENCE_DAYS else ""
        far_en = ", too far apart to draw" if days > MAX_REFERENCE_DAYS else ""
        pairs_vi.append(f"{ref.name_vi} {iso(ref.as_of)} ↔ "
                        f"{format_quantity(ref.national_value, unit)} ngày "
                        f"{iso(ref.national_as_of)} (cách {format_gap(days)}{far_vi})")
        pairs_en.append(f"{ref.name_en} {iso(ref.as_of)} ↔ "
                        f"{format_quantity(ref.national_value, unit, 'en')} on "
                        f"{iso(ref.national_as_of)} ({format_gap(days, 'en')} apart{far_en})")
    return ("Đối chiếu toàn quốc ở ngày gần nhất: " + "; ".join(pairs_vi) + ".",
            "Against the nearest national figure: " + "; ".join(pairs_en) + ".")


# The columns of a point that describe() and its helpers read.
SENTENCE_COLUMNS = ["series_id", "figure_id", "is_national", "name_vi", "name_en", "breakdown",
                    "as_of", "as_of_text", "value", "value_text", "value_text_en", "ranked_of",
                    "qualifier_kind"]


def describe(comparison: Comparison) -> list[Sentence]:
    """A short paragraph, sentence by sentence in Vietnamese and English: what moved, how it
    stands against the country, and where the data is too thin to say."""
    # Only the columns the sentences read: every filter and sort below then moves a dozen
    # columns, not the ~50 of a point.
    results = comparison.results[SENTENCE_COLUMNS]
    sentences: list[Sentence] = []
    if comparison.places == 1:
        place_vi, place_en = results["name_vi"].iloc[0], results["name_en"].iloc[0]
        sentences.append((f"Chỉ {place_vi} có số liệu này: không có nơi nào để so sánh.",
                          f"Only {place_en} reports this measure: there is nothing to compare "
                          "it with."))
    if comparison.axis == "count" and comparison.places > 1:
        sentences.append(("Số lượng tuyệt đối không so được giữa các nơi có dân số khác nhau; "
                          "chỉ đọc diễn biến của từng nơi.",
                          "Absolute counts do not compare across places of different "
                          "population; read each place's own movement only."))
    sizes = results.groupby("series_id")["as_of"].transform("nunique")
    for _, rows in results[sizes >= 2].groupby("series_id", sort=False):
        sentences.append(_movement(rows, comparison))
        sentences += _thin_data(rows)
    if (sizes == 1).any():
        sentences.append(_single_points(results[sizes == 1], comparison))
    drawn = results[results["series_id"].isin(comparison.panels) & ~results["is_national"]]
    if reference := _reference_sentence(drawn, comparison):
        sentences.append(reference)
    if comparison.places > 1 and not comparison.has_national:
        sentences.append(("Không có số liệu toàn quốc cho chỉ tiêu này.",
                          "There is no national figure for this measure."))
    for link in comparison.boundaries.itertuples():
        sentences.append((
            f"Từ {iso(link.effective_on)}, {link.predecessor_vi} thuộc {link.successor_vi}: "
            f"các điểm của {link.successor_vi} mô tả địa bàn mới, không nối với "
            f"{link.predecessor_vi}.",
            f"From {iso(link.effective_on)} {link.predecessor_vi} is part of "
            f"{link.successor_vi}: {link.successor_vi}'s points describe the new territory "
            f"and are not joined to {link.predecessor_vi}'s line."))
    targets = comparison.points.loc[comparison.points["is_target"], SENTENCE_COLUMNS]
    for name_vi, name_en, value_vi, value_en, day in zip(
            targets["name_vi"], targets["name_en"], targets["value_text"],
            targets["value_text_en"], targets["as_of_text"], strict=True):
        sentences.append((f"Mục tiêu (gạch đứt, không phải kết quả): {name_vi} "
                          f"{value_vi} đến {day}.",
                          f"Target (dashed, not a result): {name_en} {value_en} by {day}."))
    return sentences


# --- the page --------------------------------------------------------------------------------


def page_summary(found: list[Comparison]) -> list[Sentence]:
    """What the page charts, in two sentences, and which measures it leaves undrawn."""
    drawn = [c for c in found if c.not_drawn is None]
    several = [c for c in drawn if c.places > 1]
    national = [c for c in several if c.has_national]
    indicators = sorted({c.label("en") for c in several})
    sentences = [(
        f"{len(several)} so sánh có số liệu ở từ hai nơi trở lên (tính cả toàn quốc), "
        f"{len(national)} trong đó có số liệu toàn quốc; {len(drawn) - len(several)} so sánh "
        f"chỉ một nơi có từ hai ngày trở lên; {len(found) - len(drawn)} không vẽ (xem bảng).",
        f"{len(several)} comparisons have figures in two or more places (the country counting "
        f"as one), {len(national)} of them with the national reference; "
        f"{len(drawn) - len(several)} are reported by one place at two or more dates; "
        f"{len(found) - len(drawn)} are not drawn (see the table).")]
    if indicators:
        labels_vi = sorted({c.label("vi") for c in several})
        sentences.append((f"Các chỉ tiêu có từ hai nơi: {'; '.join(labels_vi)}.",
                          f"Measures with two or more places: {'; '.join(indicators)}."))
    return sentences


def not_drawn_table(found: list[Comparison]) -> pd.DataFrame:
    """The comparisons the page lists instead of charting, and why."""
    rows = [{"indicator_vi": c.label("vi"), "indicator_en": c.label("en"),
             "unit": str(c.first("unit_vi")),
             "places": ", ".join(sorted(set(c.results["locality_vi"]))),
             "why_vi": c.not_drawn[0], "why_en": c.not_drawn[1]}
            for c in found if c.not_drawn is not None]
    return pd.DataFrame(rows, columns=["indicator_vi", "indicator_en", "unit", "places",
                                       "why_vi", "why_en"])


def points_table(found: list[Comparison]) -> pd.DataFrame:
    """Every point of the charted comparisons, one row each, for the table at the end of the
    page; ``drawn`` is false for a point named only in the text (a lone count)."""
    frames = [chart_rows(c).assign(value_text=c.points["value_text"].to_numpy(),
                                   place=c.points["place"].to_numpy())
              for c in found if c.not_drawn is None]
    if not frames:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    rows = pd.concat(frames, ignore_index=True)
    rows["locality_vi"] = rows["place"]
    return rows.sort_values(["indicator_vi", "locality_vi", "as_of"])[TABLE_COLUMNS]


TABLE_COLUMNS = ["indicator_vi", "locality_vi", "as_of", "value_text", "printed", "drawn",
                 "source_id", "locator", "figure_id"]
# Headers of this page's own columns; the rest come from presentation.COLUMN_LABELS. The place
# column also holds Việt Nam, so it is a place, not a locality.
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "places": ("Nơi có số liệu", "places reporting"),
    "why_vi": ("Vì sao không vẽ", "why not drawn (Vietnamese)"),
    "why_en": ("Vì sao không vẽ (tiếng Anh)", "why not drawn"),
    "locality_vi": ("Nơi", "place"),
    "drawn": ("Có vẽ", "drawn"),
}


def show(comparison: Comparison) -> None:
    """One comparison on the page: the chart with its sources and CSV beneath, then the
    generated paragraph (Vietnamese, English beside it)."""
    name = "03-" + comparison.comparison_id
    display(charts.block(comparison_chart(comparison), chart_rows(comparison), name))
    display(presentation.sentence_list(describe(comparison)))
