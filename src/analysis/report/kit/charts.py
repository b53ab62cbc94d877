"""Altair charts the notebooks share: Vietnamese labels first, English alongside.

Every chart shows the as-of date and the admin level of each place, marks figures that
an erratum corrected or flagged, and carries the printed text in its tooltip, so a reader
of the rendered HTML never has to guess what a mark stands for.
"""

from __future__ import annotations

import math
import textwrap
from datetime import date

import altair as alt
import pandas as pd

from analysis.report.kit import chart_display, presentation
from analysis.report.kit.presentation import ChartBlock

chart_display.activate()
# Tables in the notebooks carry evidence and arithmetic: show text in full, not cut at 50.
pd.set_option("display.max_colwidth", None)
pd.set_option("display.max_rows", 250)

# Encoding channels are given as objects (alt.X("value:Q")), not bare text or dicts, which
# Altair checks against the Vega-Lite schema one by one (~15 ms each).

# One colour per locality across all notebooks (colour-blind-safe Tableau 10 subset).
LOCALITY_COLORS: dict[str, str] = {
    "Hà Nội": "#4e79a7",
    "Hòa Bình": "#f28e2b",
    "Bình Định": "#59a14f",
    "Bình Sơn": "#b07aa1",
    "Gò Công Tây": "#e15759",
}
# The national reference, and places the five colours do not name (parents, successors).
NATIONAL_COLOR = "#333333"
EXTRA_COLORS = ["#76b7b2", "#9c755f", "#edc948", "#ff9da7", "#bab0ac", "#17becf", "#8c564b"]
ADMIN_LEVEL: dict[str, str] = {
    "country": "toàn quốc · national",
    "commune": "xã · commune",
    "centrally_run_city": "thành phố · city",
    "province": "tỉnh · province",
    "district": "huyện · district",
}
STATUS_AS_PRINTED = "như bản in · as printed"
STATUS_CORRECTED = "đã sửa (đính chính) · corrected (erratum)"
STATUS_FLAGGED = "bị gắn cờ (đính chính) · flagged (erratum)"
STATUS_ERRATUM = "có đính chính · erratum applies"
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
# Panel titles above each panel, left-aligned, so long bilingual names need no margin.
PANEL_HEADER = alt.Header(labelOrient="top", labelAnchor="start", labelAngle=0,
                          labelFontWeight="bold", labelLimit=900, labelFontSize=12)
# Month ticks only: finer ticks would repeat a "%Y-%m" label; greedy overlap drops the ones
# that would collide on a long span.
AS_OF_AXIS = alt.Axis(format="%Y-%m", labelAngle=0, labelOverlap="greedy",
                      tickCount={"interval": "month", "step": 1})
DOMAINS: dict[str, str] = {
    "cashless_payments": "thanh toán không tiền mặt · cashless payments",
    "cccd": "căn cước công dân · CCCD",
    "digitisation": "số hóa · digitisation",
    "e_government": "chính quyền điện tử · e-government",
    "governance": "quản trị, hành chính · governance",
    "health_insurance": "bảo hiểm y tế · health insurance",
    "online_public_services": "dịch vụ công trực tuyến · online public services",
    "population_data": "dữ liệu dân cư · population data",
    "social_insurance": "bảo hiểm xã hội · social insurance",
    "social_payments": "chi trả an sinh · social payments",
    "tasks": "nhiệm vụ · tasks",
    "vneid": "định danh điện tử · VNeID",
}


def title(vi: str, en: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    return alt.TitleParams(text=[vi, en], subtitle=subtitle or "", anchor="start",
                           fontSize=15, subtitleFontSize=11, subtitleColor="#555")


def _locality_scale(frame: pd.DataFrame | None = None) -> alt.Scale:
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


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The page's font and frameless views, set on ``chart`` itself (a top-level chart the
    caller has just built): ``.configure()`` would copy it, rebuilding every layer."""
    chart.config = alt.Config(font=FONT, view=alt.ViewConfig(stroke=None))
    return chart


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
    out["place"] = out["locality_vi"] + " (" + level + ")"
    if "successor_since" in out:
        # A successor of the 2025 reorganisation is not the unit of the same name before it.
        since = pd.to_datetime(out["successor_since"]).dt.strftime("%Y-%m-%d")
        successor = out["successor_since"].notna()
        out.loc[successor, "place"] = (out.loc[successor, "locality_vi"] + " (" + level[successor]
                                       + ", từ · from " + since[successor] + ")")
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


def _tooltip(extra: list[alt.Tooltip] | None = None) -> list[alt.Tooltip]:
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


def _wrap(text: str, width: int = 95) -> list[str]:
    """Title lines short enough to fit a 1000 px page: vega never wraps a title itself."""
    return textwrap.wrap(text, width) or [""]


def block(chart: alt.TopLevelMixin, data: pd.DataFrame, name: str,
          notes: list[str] | None = None) -> ChartBlock:
    """A configured chart with its sources and its rows (as CSV) beneath it."""
    return ChartBlock(_configure(chart), data, presentation.slug(name), notes or [])


# --- comparisons drawn from the `series` view ------------------------------------------------

ROLE = {True: "chỉ tiêu phải đạt · target", False: "kết quả · result"}
QUALIFIER_SIGN = {"approximate": "≈ ", "lower_bound": "> ", "upper_bound": "< "}
CSV_COLUMNS = ["series_id", "comparison_id", "figure_id", "is_target", "indicator_id",
               "indicator_vi", "indicator_en", "locality_id", "locality_vi", "admin_level",
               "breakdown", "as_of", "period_start", "period_end", "value", "unit", "amount",
               "base_value", "base_printed", "base_vi",
               "base_en", "qualifier", "printed", "erratum_ids", "source_id", "publisher",
               "published_on", "locator"]
ROW_HEIGHT = 32
# A row label's two lines ("place\ndate"): vega draws an array label as lines.
TWO_LINES = "split(datum.label, '\\n')"


def _rank_ticks(values: pd.Series) -> list[int]:
    """Whole ranks only: vega's own ticks on a short padded domain repeat a rounded label."""
    low, high = int(values.min()), int(math.ceil(values.max()))
    step = max(1, math.ceil((high - low) / 8))
    return list(range(low, high + 1, step))


def _log_ticks(values: pd.Series) -> list[float]:
    """Powers of ten (and 2×, 5× when the range is narrow) inside the data's range: a log
    axis labels only these, so labels never repeat or run into each other."""
    low, high = float(values[values > 0].min()), float(values.max())
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 2 else (1,)
    return [m * 10.0 ** e for e in range(first, last + 1) for m in steps
            if low / 10 <= m * 10.0 ** e <= high * 10]


def _linear_ticks(values: pd.Series, count: int = 5) -> list[float]:
    """Whole-number ticks from 0 in steps of 1, 2 or 5 × 10^n: counts never get a tick at
    0,5 that a whole-number format would print as a repeated label."""
    high = max(float(values.max()), 1.0)
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(high // step) + 2)]


def comparison_chart(points: pd.DataFrame) -> ChartBlock:
    """One comparison: every point of the series that may share an axis, the localities side
    by side. Results are bars (shares, 0–100 %) or dots (counts); targets are ticks, never
    bars; ranks run best at the top. No line joins two points."""
    data = with_labels(points)
    # Place, date or period, part: one line each, so a long period and part are never cut.
    data["row_label"] = data["place"] + "\n" + data["as_of_text"]
    has_part = data["breakdown"].notna()
    data.loc[has_part, "row_label"] = (data.loc[has_part, "row_label"] + "\n"
                                       + data.loc[has_part, "breakdown"].astype(str))
    data["role"] = data["is_target"].map(ROLE)
    data["sign"] = data["qualifier_kind"].map(QUALIFIER_SIGN).fillna("")
    data = data.sort_values(["locality_vi", "as_of", "row_label"])
    first = data.iloc[0]
    unit, kind = first["unit"], first["kind"]
    is_percent = unit == "percent"
    decimals = ",.2~f" if is_percent or kind == "score" else ",.0f"
    suffix = " %" if is_percent else ""
    data = data.assign(label_suffix=suffix)
    order = list(dict.fromkeys(data["row_label"]))
    tooltip = _tooltip([
        alt.Tooltip("value:Q", title="Giá trị · value", format=decimals),
        alt.Tooltip("role:N", title="Kết quả hay chỉ tiêu · result or target"),
        alt.Tooltip("base_vi:N", title="Cơ sở · base"),
        alt.Tooltip("series_id:N", title="Chuỗi · series"),
        alt.Tooltip("locator:N", title="Vị trí · locator"),
    ])
    color = alt.Color("locality_vi:N", scale=_locality_scale(data), legend=None)
    results = data[~data["is_target"]]
    targets = data[data["is_target"]]
    if isinstance(first.get("base_vi"), str) or isinstance(first.get("base_en"), str):
        subtitle = _wrap(f"Cơ sở · base: {_text(first.get('base_vi'))} · "
                         f"{_text(first.get('base_en'))}", 110)
    else:
        subtitle = [f"Đơn vị · unit: {_text(first.get('unit_vi'))} · "
                    f"{_text(first.get('unit_label_en'))}"]
    if kind == "rank":
        subtitle.append("Hạng 1 là tốt nhất, ở trên cùng · rank 1 is best, at the top.")
    if len(targets):
        subtitle.append("Vạch đứng: chỉ tiêu phải đạt, không phải kết quả · "
                        "tick: a target to reach, not a result.")
    if data["status"].ne(STATUS_AS_PRINTED).any():
        subtitle.append("Viền đỏ: số liệu có đính chính · red outline: figure with an erratum.")
    heading = title(first["indicator_vi"], first["indicator_en"], subtitle)
    text = alt.Text("label:N")
    # Where the source printed the base, the label gives the counts too: 20.284/25.302 = 80 %.
    counts = ("(datum.base_printed && isValid(datum.amount) && isValid(datum.base_value) ? "
              "format(datum.amount, ',.0f') + '/' + format(datum.base_value, ',.0f') + ' = ' "
              ": '') + ") if is_percent and "base_printed" in data else ""
    label_expr = (counts + "datum.sign + format(datum.value, '" + decimals + "')"
                  " + datum.label_suffix")
    outline = alt.StrokeValue(None, condition={"test": f"datum.status != '{STATUS_AS_PRINTED}'",
                                               "value": "#b91c1c"})

    if kind == "rank":
        x = alt.X("row_label:N", title=None, sort=order,
                  axis=alt.Axis(labelAngle=-30, labelLimit=260, labelExpr=TWO_LINES))
        y = alt.Y("value:Q", title="hạng · rank", scale=alt.Scale(reverse=True, zero=False,
                                                                   nice=False, padding=12),
                  axis=alt.Axis(format=",.0f", values=_rank_ticks(data["value"])))
        base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
        layers = [base.mark_point(filled=True, size=120).encode(color=color),
                  base.transform_calculate(label=label_expr).mark_text(dx=14, align="left")
                  .encode(text=text)]
        chart = layer(*layers, width=max(160, 70 * len(order)), height=220, title=heading)
        return block(chart, data[_present(data)],
                     f"{first['indicator_en']}-{first['comparison_id']}")

    y = alt.Y("row_label:N", title=None, sort=order,
              axis=alt.Axis(labelLimit=300, labelExpr=TWO_LINES))
    # A row with a part has three label lines; every row is given room for the tallest label.
    row_height = ROW_HEIGHT + (14 if has_part.any() else 0)
    height = row_height * len(order)
    values = data["value"].astype(float)
    if is_percent:
        top = max(100.0, math.ceil(values.max() / 10) * 10)
        x = alt.X("value:Q", title="% · percent", scale=alt.Scale(domain=[0, top], nice=False),
                  axis=alt.Axis(format=",.0f"))
        result_mark = alt.Chart(results).mark_bar(strokeWidth=2, height=row_height * 0.7)
    else:
        spread = values[values > 0]
        log = len(spread) >= 2 and spread.max() / spread.min() > 20
        scale = (alt.Scale(type="log") if log else alt.Scale(zero=True))
        axis = alt.Axis(format=",.0f", values=_log_ticks(values)) if log else \
            alt.Axis(format=",.0f", values=_linear_ticks(values))
        scale_note = " (thang log · log scale)" if log else ""
        unit_vi = first.get("unit_vi") or unit
        x = alt.X("value:Q", title=f"{unit_vi}{scale_note}", scale=scale, axis=axis)
        result_mark = alt.Chart(results).mark_point(filled=True, size=110, strokeWidth=2)
    layers = [
        result_mark.encode(x=x, y=y, color=color, stroke=outline, tooltip=tooltip),
        alt.Chart(results).transform_calculate(label=label_expr).mark_text(
            align="left", dx=6, fontSize=11).encode(x=alt.X("value:Q"), y=y, text=text),
    ]
    if len(targets):
        layers += [
            alt.Chart(targets).mark_tick(thickness=3, size=row_height * 0.9).encode(
                x=x, y=y, color=color, tooltip=tooltip),
            alt.Chart(targets).transform_calculate(
                label="'chỉ tiêu · target ' + " + label_expr).mark_text(
                align="left", dx=6, fontSize=11, fontStyle="italic").encode(
                x=alt.X("value:Q"), y=y, text=text),
        ]
    chart = layer(*layers, width=440, height=height, title=heading)
    return block(chart, data[_present(data)], f"{first['indicator_en']}-{first['comparison_id']}")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def level_names(frame: pd.DataFrame) -> pd.DataFrame:
    """admin_level in words, both languages (for tables)."""
    return frame.assign(admin_level=frame["admin_level"].map(ADMIN_LEVEL)
                        .fillna(frame["admin_level"]))


def value_text(row: pd.Series) -> str:
    """A point's value in the page's number format, with its qualifier and unit."""
    unit = row.get("unit")
    decimals = 2 if unit in ("percent", "index_points") else 0
    text = presentation.number(row["value"], decimals, trim=True)
    text = QUALIFIER_SIGN.get(row.get("qualifier_kind"), "") + text
    label = "%" if unit == "percent" else (row.get("unit_vi") or unit or "")
    return f"{text} {label}".strip()


def single_locality_rows(single: pd.DataFrame) -> pd.DataFrame:
    """Measures one locality reports, as table rows (the share form where both exist)."""
    rows = single.sort_values(["figure_id", "unit"], key=lambda c: c.ne("percent")
                              if c.name == "unit" else c).drop_duplicates("figure_id")
    rows = rows.assign(value_text=rows.apply(value_text, axis=1),
                       role=rows["is_target"].map(ROLE))
    return rows.sort_values(["locality_vi", "indicator_vi", "as_of"]).reset_index(drop=True)


def _present(data: pd.DataFrame) -> list[str]:
    return [column for column in CSV_COLUMNS if column in data]


def coverage_timeline(coverage: pd.DataFrame, dates: pd.DataFrame) -> ChartBlock:
    """Which source covers which place and which dates: a bar from its first to its last
    as-of date, a dot per date with figures, a diamond at publication."""
    spans = coverage.assign(source=coverage["source_id"])
    points = dates.assign(source=dates["source_id"])
    y = alt.Y("source:N", title=None, sort=alt.SortField("published_on"))
    color = alt.Color("locality_vi:N", scale=_locality_scale(coverage),
                      legend=alt.Legend(title="Địa phương · locality", orient="bottom",
                                        columns=5, titleLimit=400))
    date_axis = alt.Axis(format="%Y-%m", labelAngle=0, tickCount={"interval": "month",
                                                                   "step": 3})
    bars = alt.Chart(spans).mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("first_as_of:T", title="ngày · date", axis=date_axis), x2="published_on:T",
        y=y, color=color)
    published = alt.Chart(spans).mark_point(shape="diamond", filled=True, size=110).encode(
        x="published_on:T", y=y, color=color,
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("publisher:N", title="Cơ quan đăng · publisher"),
                 alt.Tooltip("published_on:T", title="Ngày đăng · published", format="%Y-%m-%d"),
                 alt.Tooltip("published_basis:N", title="Ngày in hay suy ra · printed or inferred"),
                 alt.Tooltip("kind:N", title="Loại · kind"),
                 alt.Tooltip("figures:Q", title="Số liệu · figures", format=",.0f")])
    dots = alt.Chart(points).mark_circle(opacity=0.9).encode(
        x="as_of:T", y=y, color=color,
        size=alt.Size("figures:Q", title="số liệu mỗi ngày · figures at date",
                      legend=alt.Legend(orient="bottom", format=",.0f", titleLimit=400)),
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("as_of:T", title="Tính đến · as of", format="%Y-%m-%d"),
                 alt.Tooltip("figures:Q", title="Số liệu · figures", format=",.0f")])
    # One label row of 16 px per source, so source ids never collide however many there are.
    height = max(330, 16 * spans["source"].nunique())
    chart = layer(bars, dots, published, width=620, height=height, title=title(
        "Nguồn và thời điểm số liệu", "Sources and the dates their figures describe",
        ["Đường: từ ngày số liệu sớm nhất đến ngày đăng; chấm: số liệu mỗi ngày; "
         "hình thoi: ngày đăng.",
         "Line: earliest as-of date to publication; dots: figures per as-of date; "
         "diamond: publication date."]))
    return block(chart, points.merge(
        coverage[["source_id", "publisher", "published_on"]], on="source_id", how="left"),
        "sources-and-dates")


def domain_heatmap(counts: pd.DataFrame) -> ChartBlock:
    data = counts.assign(domain_label=counts["domain"].map(DOMAINS).fillna(counts["domain"]))
    # Domains on the rows: their bilingual names are long and must not be cut.
    base = alt.Chart(data).encode(
        y=alt.Y("domain_label:N", title=None, axis=alt.Axis(labelLimit=420)),
        x=alt.X("source_id:N", title="nguồn · source", axis=alt.Axis(labelAngle=-40)),
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("domain_label:N", title="Lĩnh vực · domain"),
                 alt.Tooltip("figures:Q", title="Số liệu · figures", format=",.0f")])
    chart = layer(
        base.mark_rect().encode(
            color=alt.Color("figures:Q", title="số liệu · figures",
                            scale=alt.Scale(scheme="blues"), legend=alt.Legend(format=",.0f"))),
        base.mark_text(fontSize=11).encode(text=alt.Text("figures:Q", format=",.0f")),
        width=420, height=320,
        title=title("Số liệu theo nguồn và lĩnh vực", "Figures per source and domain"))
    return block(chart, data, "figures-per-source-and-domain")


CONVENTIONS = {"rounded": "làm tròn · rounded", "truncated": "cắt bớt · truncated",
               "either": "cả hai · either", "mismatched": "không khớp · mismatched"}


def convention_chart(conventions: pd.DataFrame) -> ChartBlock:
    long = conventions.melt(id_vars="source_id", value_vars=list(CONVENTIONS),
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
            legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=[alt.Tooltip("source_id:N", title="Nguồn · source"),
                 alt.Tooltip("convention_label:N", title="Khớp theo · matched by"),
                 alt.Tooltip("percentages:Q", title="Số phần trăm · percentages",
                             format=",.0f")],
    ).properties(width=520, title=title(
        "Làm tròn hay cắt bớt?", "Rounded or truncated?",
        ["Số phần trăm in của mỗi nguồn so với tử số và mẫu số của nó.",
         "How each source's printed percentages relate to their numerator and base."]))
    return block(chart, long, "rounded-or-truncated")
