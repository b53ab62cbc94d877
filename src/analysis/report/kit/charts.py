"""Altair charts the notebooks share: Vietnamese labels first, English alongside.

Every chart shows the as-of date and the admin level of each place, marks figures that
an erratum corrected or flagged, and carries the printed text in its tooltip, so a reader
of the rendered HTML never has to guess what a mark stands for.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping
from datetime import date

import altair as alt
import pandas as pd

from analysis.report.kit import chart_display, labels, presentation
from analysis.report.kit.presentation import ChartBlock

chart_display.activate()
# Tables in the notebooks carry evidence and arithmetic: show text in full, not cut at 50.
pd.set_option("display.max_colwidth", None)
pd.set_option("display.max_rows", 250)

# Encoding channels are given as objects (alt.X("value:Q")), not bare text or dicts, which
# Altair checks against the Vega-Lite schema one by one (~15 ms each).

# One colour per locality across all notebooks (colour-blind-safe Tableau 10 subset), the
# national reference's, and spare colours for places the five do not name: data/labels.yml.
_COLORS = labels.group("colors")
LOCALITY_COLORS: dict[str, str] = dict(_COLORS["localities"])
NATIONAL_COLOR: str = _COLORS["national"]
EXTRA_COLORS: list[str] = list(_COLORS["spare"])
ADMIN_LEVEL: dict[str, str] = labels.group("admin_levels")
_STATUS = labels.group("erratum_status")
STATUS_AS_PRINTED = _STATUS["as_printed"]
STATUS_CORRECTED = _STATUS["corrected"]
STATUS_FLAGGED = _STATUS["flagged"]
STATUS_ERRATUM = _STATUS["erratum"]
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
# Panel titles above each panel, left-aligned, so long bilingual names need no margin.
PANEL_HEADER = alt.Header(labelOrient="top", labelAnchor="start", labelAngle=0,
                          labelFontWeight="bold", labelLimit=900, labelFontSize=12)
# Month ticks only: finer ticks would repeat a "%Y-%m" label; greedy overlap drops the ones
# that would collide on a long span.
AS_OF_AXIS = alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap="greedy",
                      tickCount={"interval": "month", "step": 1})
DOMAINS: dict[str, str] = labels.group("domains")


# Characters a title line (15 px) and a subtitle line (11 px) hold within a phone's 360 px:
# vega never wraps a title, and a wider one would push the chart past the screen.
TITLE_WIDTH = 36
SUBTITLE_WIDTH = 56


def title(vi: str, en: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    """Vietnamese title, English beneath; each wrapped, since vega never wraps a title and a
    long one would widen the chart past a phone's screen."""
    text = textwrap.wrap(vi, TITLE_WIDTH) + textwrap.wrap(en, TITLE_WIDTH)
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle or [])
    subtitle = [part for line in lines for part in wrap(line)] if lines else ""
    return alt.TitleParams(text=text or [""], subtitle=subtitle, anchor="start",
                           fontSize=15, subtitleFontSize=11, subtitleColor="#555")


def locality_scale(frame: pd.DataFrame | None = None) -> alt.Scale:
    """A colour for every place in `frame`: the five localities keep theirs, the country is
    dark grey, other places (parents, successors) take the next spare colour in name order,
    so no mark is ever drawn without a colour."""
    colors = dict(LOCALITY_COLORS)
    if frame is not None and "locality_vi" in frame:
        spare = [c for c in EXTRA_COLORS if c not in colors.values()]
        levels = (dict(zip(frame["locality_vi"], frame["admin_level"], strict=False))
                  if "admin_level" in frame else {})
        for name in sorted(set(frame["locality_vi"].dropna()) - set(colors)):
            colors[name] = (NATIONAL_COLOR if levels.get(name) == "country"
                            else spare.pop(0) if spare else "#999999")
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def layer(*layers: alt.Chart, **properties: object) -> alt.LayerChart:
    """``alt.layer(*layers).properties(**properties)``, the same chart, built once.

    Every copy of a layered chart (``.properties()``, ``.configure()``, ``to_dict()`` all make
    one) runs its constructor again, which deep-copies each layer twice: so the top-level
    properties (width, height, title) go into the constructor instead of a chained
    ``.properties()``. Layers drawn from one frame get it once, at the top: Altair moves a
    frame every layer shares to the top itself, but on the way hashes each layer's text form,
    the frame printed in full (~50 ms a chart); handing it over at the top skips that.
    """
    data = layers[0].data
    if data is alt.Undefined or any(chart.data is not data for chart in layers[1:]):
        return alt.LayerChart(layer=list(layers), **properties)
    return alt.LayerChart(data=data, layer=[chart.properties(data=alt.Undefined)
                                            for chart in layers], **properties)


# A stack of panels (a vconcat) cannot be fitted to its container by Vega-Lite, but each
# panel can take the container's width as its plot width; the axis band left of the plot
# is then drawn past the container. So every panel's y axis gets one fixed width
# (PANEL_AXIS_EXTENT for ticks and labels, then its title), and the page narrows the
# panels' wrapper by that band and the room a last date label needs (chart_display reads
# it from the spec's usermeta).
PANEL_AXIS_EXTENT = 56
PANEL_AXIS_TITLE_PADDING = 4
PANEL_AXIS_TITLE_SIZE = 11
PANEL_PADDING = 5
# Half a date label ("2025-01") is drawn past the plot's right end when a tick sits there.
PANEL_RIGHT_ROOM = 24
PANEL_INSET = (PANEL_AXIS_EXTENT + PANEL_AXIS_TITLE_PADDING + PANEL_AXIS_TITLE_SIZE + 4
               + 2 * PANEL_PADDING + PANEL_RIGHT_ROOM)


AXIS_LABEL_FLUSH = 24  # px: half a "2025-01" or "1.000.000" label, and a little more


def panel_axis(**properties: object) -> alt.Axis:
    """The y axis of a panel in a stack: the fixed band :data:`PANEL_INSET` reserves."""
    return alt.Axis(minExtent=PANEL_AXIS_EXTENT, maxExtent=PANEL_AXIS_EXTENT,
                    titlePadding=PANEL_AXIS_TITLE_PADDING,
                    titleFontSize=PANEL_AXIS_TITLE_SIZE, **properties)


def panel_stack(panels: list[alt.LayerChart], **properties: object) -> alt.VConcatChart:
    """Panels one under another, each as wide as the page allows (its y axis from
    :func:`panel_axis`): on a phone the text stays full size, on a wide page the panels use
    the width. Built once with all its properties: each copy of a concatenated chart (as
    ``.resolve_scale()`` and ``.properties()`` make) rebuilds and deep-copies every panel."""
    for panel in panels:
        panel.width = "container"
    return alt.VConcatChart(vconcat=panels, padding=PANEL_PADDING,
                            usermeta={chart_display.USERMETA_KEY: {"inset": PANEL_INSET}},
                            **properties)


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The page's font and frameless views, set on ``chart`` itself (a top-level chart the
    caller has just built): ``.configure()`` would copy it, rebuilding every layer.

    A single or layered chart takes its container's width (Vega-Lite's ``"container"``), so
    on a phone it is drawn narrower with its text at full size, not shrunk as a picture.
    Stacked panels (which Vega-Lite cannot size to a container as a whole) are built by
    :func:`panel_stack`, each panel as wide as its container."""
    # A date or number label within half a label's width of either end of an x axis is
    # aligned flush with the end: centred on it, its outer half would be cut by the drawing's
    # edge (vega's fit sizing does not count it).
    flush = alt.AxisConfig(labelFlush=AXIS_LABEL_FLUSH)
    chart.config = alt.Config(font=FONT, view=alt.ViewConfig(stroke=None),
                              axisXTemporal=flush, axisXQuantitative=flush)
    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        chart.width = "container"
        chart.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
    return chart


_SINCE = labels.group("successor_since")


def successor_name(name: str, since: object, language: str = "vi") -> str:
    """A place's name; a successor of the 2025 reorganisation also says from when it exists
    (``Gia Lai (từ 2025-07-01)``). The one place this label is made: every page calls it.
    A register name that already says it is the new unit ("Quảng Ngãi (từ 1/7/2025)") gets
    no second date."""
    if presentation.missing(since) or "(" in name:
        return name
    return f"{name} ({_SINCE[language]} {presentation.day(since)})"


def place_label(name: str, level: str, since: object) -> str:
    """``Hòa Bình (tỉnh · province)``; ``Gia Lai (tỉnh · province, từ · from 2025-07-01)``."""
    if presentation.missing(since) or "(" in name:
        return f"{name} ({level})"
    return (f"{name} ({level}, {_SINCE['vi']} · {_SINCE['en']} "
            f"{presentation.day(since)})")


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Display columns every chart uses: place with its level, date text, erratum status."""
    out = frame.copy()
    for column in out.columns:  # python dates (not datetime64) would not serialise to JSON
        if out[column].dtype != object:
            continue
        values = out[column].dropna()
        if len(values) and isinstance(values.iloc[0], date):
            out[column] = pd.to_datetime(out[column])
    level = out["admin_level"].map(ADMIN_LEVEL).fillna(out["admin_level"]).fillna("")
    since = out["successor_since"] if "successor_since" in out else pd.Series(
        None, index=out.index, dtype="object")
    out["place"] = [place_label(name, lvl, day) for name, lvl, day in
                    zip(out["locality_vi"], level, since, strict=True)]
    out["as_of_text"] = pd.to_datetime(out["as_of"]).dt.strftime("%Y-%m-%d")
    if "period_start" in out:
        # Flows over a period (a month, a year) are labelled as such: they are not totals.
        start = pd.to_datetime(out["period_start"]).dt.strftime("%Y-%m-%d")
        end = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
        flow = out["period_start"].notna()
        out.loc[flow, "as_of_text"] = "kỳ · period " + start[flow] + " → " + end[flow]
    if "is_corrected" in out:
        out["status"] = STATUS_AS_PRINTED
        out.loc[out["is_flagged"].fillna(False).astype(bool), "status"] = STATUS_FLAGGED
        out.loc[out["is_corrected"].fillna(False).astype(bool), "status"] = STATUS_CORRECTED
    elif "erratum_ids" in out:
        out["status"] = out["erratum_ids"].map(
            lambda ids: STATUS_ERRATUM if isinstance(ids, str) and ids else STATUS_AS_PRINTED)
    else:
        out["status"] = STATUS_AS_PRINTED
    if "breakdown" in out:
        out["part"] = out["breakdown"].fillna("toàn địa bàn · whole locality")
    return out


def tooltip(extra: list[alt.Tooltip] | None = None) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("locality_vi:N", title="Địa phương · locality"),
        alt.Tooltip("place:N", title="Cấp · level"),
        alt.Tooltip("as_of_text:N", title="Tính đến · as of"),
        alt.Tooltip("printed:N", title="Số in (nguyên văn) · as printed"),
        *(extra or []),
        alt.Tooltip("status:N", title="Đính chính · erratum"),
        alt.Tooltip("erratum_ids:N", title="Mã đính chính · erratum id"),
        alt.Tooltip("figure_id:N", title="Mã số liệu · figure"),
        alt.Tooltip("source_id:N", title="Nguồn · source"),
    ]


AXIS_LABEL_CHARS = 30  # characters of a 10 px axis label line within a 190 px label limit


def label_lines(*parts: object, width: int = AXIS_LABEL_CHARS) -> str:
    """An axis label of several lines ("\n" between), each at most ``width`` characters:
    a longer line would be cut with "…" by the axis's label limit. Missing parts are
    skipped; a part may hold its own line breaks."""
    lines = [piece for part in parts if isinstance(part, str) and part
             for line in part.split("\n") for piece in textwrap.wrap(line, width) or [""]]
    return "\n".join(lines)


def wrap(text: str, width: int = SUBTITLE_WIDTH) -> list[str]:
    """Title lines short enough to fit a 1000 px page: vega never wraps a title itself."""
    return textwrap.wrap(text, width) or [""]


def block(chart: alt.TopLevelMixin, data: pd.DataFrame, name: str,
          notes: list[str] | None = None) -> ChartBlock:
    """A configured chart with its sources and its rows (as CSV) beneath it."""
    return ChartBlock(_configure(chart), data, presentation.slug(name), notes or [])


# --- shared by the pages' charts -------------------------------------------------------------

ROLE = {True: labels.group("role")["target"], False: labels.group("role")["result"]}
QUALIFIER_SIGN = {kind: words["sign"] + " "
                  for kind, words in labels.group("qualifier_kinds").items()}

def rank_ticks(values: pd.Series) -> list[int]:
    """Whole ranks only: vega's own ticks on a short padded domain repeat a rounded label."""
    low, high = int(values.min()), int(math.ceil(values.max()))
    step = max(1, math.ceil((high - low) / 8))
    return list(range(low, high + 1, step))


def log_ticks(values: pd.Series) -> list[float]:
    """Powers of ten (and 2×, 5× when the range is narrow) inside the data's range: a log
    axis labels only these, so labels never repeat or run into each other."""
    low, high = float(values[values > 0].min()), float(values.max())
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 2 else (1,)
    return [m * 10.0 ** e for e in range(first, last + 1) for m in steps
            if low / 10 <= m * 10.0 ** e <= high * 10]


def linear_ticks(values: pd.Series, count: int = 5) -> list[float]:
    """Whole-number ticks from 0 in steps of 1, 2 or 5 × 10^n: counts never get a tick at
    0,5 that a whole-number format would print as a repeated label."""
    high = max(float(values.max()), 1.0)
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(high // step) + 2)]


def level_names(frame: pd.DataFrame) -> pd.DataFrame:
    """admin_level in words, both languages (for tables)."""
    return frame.assign(admin_level=frame["admin_level"].map(ADMIN_LEVEL)
                        .fillna(frame["admin_level"]))


def _period_words(stock_or_flow: object) -> tuple[str, str] | None:
    """``stock`` → to date; ``flow P1M`` → in the month; ``flow P3M`` → over 3 months."""
    if not isinstance(stock_or_flow, str):
        return None
    if stock_or_flow == "stock":
        return ("lũy kế", "to date")
    found = re.search(r"P(\d+)([DMY])", stock_or_flow)
    if not found:
        return ("trong kỳ", "for a period")
    n, unit = int(found.group(1)), found.group(2)
    if (n, unit) in ((1, "M"),):
        return ("trong tháng", "in the month")
    if (n, unit) in ((1, "Y"), (12, "M")):
        return ("trong năm", "in the year")
    vi_unit, en_unit = {"D": ("ngày", "day"), "M": ("tháng", "month"), "Y": ("năm", "year")}[unit]
    return (f"trong {n} {vi_unit}", f"over {n} {en_unit}{'s' if n != 1 else ''}")


def _facets(points: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """What defines one comparison beside its indicator: part, period, base, level."""
    first = points.iloc[0]
    out: dict[str, tuple[str, str]] = {}
    if isinstance(first.get("breakdown"), str) and first["breakdown"]:
        out["part"] = (first["breakdown"], first["breakdown"])
    if period := _period_words(first.get("stock_or_flow")):
        out["period"] = period
    bases = points["base_value"].dropna() if "base_value" in points else pd.Series([])
    # A value on its kind's own scale names the scale (indicator_kinds.csv): a place among
    # N where the lowest number is best (a rank), else a score out of its maximum.
    if first.get("kind_own_scale") and first.get("kind_lower_is_better") and len(bases):
        among = presentation.number(bases.max())
        out["among"] = (f"trong số {among}", f"among {among}")
    elif first.get("kind_own_scale") and len(bases):
        top = presentation.number(bases.max())
        out["among"] = (f"trên {top}", f"out of {top}")
    if isinstance(first.get("base_vi"), str) or isinstance(first.get("base_en"), str):
        out["base"] = (f"cơ sở: {first.get('base_vi') or ''}",
                       f"base: {first.get('base_en') or ''}")
    results = points[~points["is_target"].fillna(False).astype(bool)] \
        if "is_target" in points else points
    levels = set(results["admin_level"].dropna()) - {"country"}
    if len(levels) == 1:
        vi, _, en = ADMIN_LEVEL.get(next(iter(levels)), "").partition(" · ")
        out["level"] = (f"cấp {vi}", f"{en} level")
    elif levels:
        out["level"] = ("nhiều cấp", "several levels")
    return out


FACET_ORDER = ["period", "part", "among", "level", "base"]


def distinguishing_titles(groups: Mapping[str, pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """Per comparison, what its title adds so that no two charts of a page share a title:
    the facets (period, part, base, level) in which charts of one indicator differ, e.g.
    "— trong tháng" / "— lũy kế" for the monthly and the to-date share. ("", "") where the
    indicator has one chart."""
    facets = {key: _facets(frame) for key, frame in groups.items()}
    by_title: dict[tuple[str, str], list[str]] = {}
    for key, frame in groups.items():
        first = frame.iloc[0]
        by_title.setdefault((first["indicator_vi"], first["indicator_en"]), []).append(key)
    out = {key: ("", "") for key in groups}
    for keys in by_title.values():
        if len(keys) < 2:
            continue
        varying = [name for name in FACET_ORDER
                   if len({facets[key].get(name) for key in keys}) > 1]
        for key in keys:
            parts = [facets[key][name] for name in varying if name in facets[key]]
            if not parts:  # the facets do not tell them apart: the comparison's own id
                parts = [(key.rsplit("/", 1)[-1], key.rsplit("/", 1)[-1])]
            out[key] = (" — " + "; ".join(vi for vi, _ in parts),
                        " — " + "; ".join(en for _, en in parts))
    return out


def coverage_timeline(coverage: pd.DataFrame, dates: pd.DataFrame) -> ChartBlock:
    """Which source covers which place and which dates: a bar from its first to its last
    as-of date, a dot per date with figures, a diamond at publication."""
    spans = coverage.assign(source=coverage["source_id"])
    points = dates.assign(source=dates["source_id"])
    y = alt.Y("source:N", title=None, sort=alt.SortField("published_on"))
    color = alt.Color("locality_vi:N", scale=locality_scale(coverage),
                      legend=alt.Legend(title="Địa phương · locality", orient="bottom",
                                        columns=2, titleLimit=340, labelLimit=160))
    date_axis = alt.Axis(format="%Y-%m", labelAngle=0, tickCount={"interval": "month",
                                                                   "step": 3})
    bars = alt.Chart(spans).mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("first_as_of:T", title="ngày · date", axis=date_axis), x2="published_on:T",
        y=y, color=color)
    publication_tooltip = [
        alt.Tooltip("source_id:N", title="Nguồn · source"),
        alt.Tooltip("publisher:N", title="Cơ quan đăng · publisher"),
        alt.Tooltip("published_text:N", title="Ngày đăng · published"),
        alt.Tooltip("published_basis:N", title="Ngày in hay suy ra · printed or inferred"),
        alt.Tooltip("kind:N", title="Loại · kind"),
        alt.Tooltip("figures:Q", title="Số liệu · figures", format=",.0f")]
    # A publication dated to the day is a diamond; one known only to its month, its year or a
    # range of days (published_precision range) is drawn as that whole span (a wide pale
    # bar) from published_on to published_latest, never as a point on its first day.
    latest = pd.to_datetime(spans.get("published_latest", spans["published_on"]))
    on = pd.to_datetime(spans["published_on"])
    spans = spans.assign(published_latest=latest, published_on=on, published_text=[
        presentation.date_span(start, end) for start, end in zip(on, latest, strict=True)])
    precise = spans[spans["published_latest"] == spans["published_on"]]
    imprecise = spans[spans["published_latest"] != spans["published_on"]]
    published = alt.Chart(precise).mark_point(shape="diamond", filled=True, size=110).encode(
        x="published_on:T", y=y, color=color, tooltip=publication_tooltip)
    published_range = alt.Chart(imprecise).mark_bar(height=10, opacity=0.35).encode(
        x="published_on:T", x2="published_latest:T", y=y, color=color,
        tooltip=publication_tooltip)
    dots = alt.Chart(points).mark_circle(opacity=0.9).encode(
        x="as_of:T", y=y, color=color,
        size=alt.Size("figures:Q", title="số liệu mỗi ngày · figures at date",
                      # Vertical: a row of seven sizes beside the colours ran past the edge.
                      legend=alt.Legend(orient="bottom", direction="vertical", format=",.0f",
                                        titleLimit=340)),
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("as_of:T", title="Tính đến · as of", format="%Y-%m-%d"),
                 alt.Tooltip("figures:Q", title="Số liệu · figures", format=",.0f")])
    # One label row of 16 px per source, so source ids never collide however many there are.
    height = max(330, 16 * spans["source"].nunique())
    chart = layer(bars, published_range, dots, published, width=620, height=height, title=title(
        "Nguồn và thời điểm số liệu", "Sources and the dates their figures describe",
        ["Đường: từ ngày số liệu sớm nhất đến ngày đăng; chấm: số liệu mỗi ngày; "
         "hình thoi: ngày đăng; dải nhạt: ngày đăng chỉ biết đến tháng, năm hoặc một khoảng "
         "ngày (từ ngày sớm nhất đến ngày muộn nhất có thể).",
         "Line: earliest as-of date to publication; dots: figures per as-of date; "
         "diamond: publication date; pale band: a publication known only to its month, its "
         "year or a range of days (earliest to latest possible day)."]))
    register = coverage[["source_id", "publisher", "published_on", "title", "reference"]].rename(
        columns={"title": "source_title", "reference": "source_reference"})
    return block(chart, points.merge(register, on="source_id", how="left"),
        "sources-and-dates")


def domain_heatmap(counts: pd.DataFrame) -> ChartBlock:
    """Figures per source (rows, one line of 18 px each, so no label overprints another) and
    domain (columns, short names), the count written in its cell."""
    data = counts.assign(domain_label=counts["domain"].map(DOMAINS).fillna(counts["domain"]))
    data["domain_short"] = data["domain_label"].str.split(" · ").str[0]
    base = alt.Chart(data).encode(
        y=alt.Y("source_id:N", title="nguồn · source", axis=alt.Axis(labelLimit=200)),
        x=alt.X("domain_short:N", title="lĩnh vực · domain",
                axis=alt.Axis(labelAngle=-90, labelLimit=200, orient="top")),
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("domain_label:N", title="Lĩnh vực · domain"),
                 alt.Tooltip("figures:Q", title="Số liệu · figures", format=",.0f")])
    chart = layer(
        base.mark_rect(stroke="white", strokeWidth=1).encode(
            color=alt.Color("figures:Q", title="số liệu · figures",
                            scale=alt.Scale(scheme="blues"),
                            legend=alt.Legend(format=",.0f", orient="bottom"))),
        base.mark_text(fontSize=10).encode(
            text=alt.Text("figures:Q", format=",.0f"),
            color=alt.condition("datum.figures > 20", alt.value("white"), alt.value("#1f2328"))),
        height=18 * data["source_id"].nunique(),
        title=title("Số liệu theo nguồn và lĩnh vực", "Figures per source and domain"))
    return block(chart, data, "figures-per-source-and-domain")


CONVENTIONS = labels.group("conventions")


def convention_chart(conventions: pd.DataFrame) -> ChartBlock:
    facts = [c for c in ("source_id", "source_title", "publisher", "published_on",
                         "source_reference") if c in conventions]
    long = conventions.melt(id_vars=facts, value_vars=list(CONVENTIONS),
                            var_name="convention", value_name="percentages")
    long = long[long["percentages"] > 0].assign(
        convention_label=lambda f: f["convention"].map(CONVENTIONS))
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("source_id:N", title=None),
        x=alt.X("percentages:Q", title="số phần trăm in đã kiểm tra · printed percentages checked",
                axis=alt.Axis(format=",.0f", tickMinStep=1)),
        color=alt.Color("convention_label:N", title="khớp theo · matched by", scale=alt.Scale(
            domain=list(CONVENTIONS.values()),
            range=["#4e79a7", "#f28e2b", "#bab0ac", "#b91c1c"]),
            legend=alt.Legend(orient="bottom", columns=1)),
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("convention_label:N", title="Khớp theo · matched by"),
                 alt.Tooltip("percentages:Q", title="Số phần trăm · percentages",
                             format=",.0f")],
    ).properties(width=520, title=title(
        "Làm tròn hay cắt bớt?", "Rounded or truncated?",
        ["Số phần trăm in của mỗi nguồn so với tử số và mẫu số của nó.",
         "How each source's printed percentages relate to their numerator and base."]))
    return block(chart, long, "rounded-or-truncated")
