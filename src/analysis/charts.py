"""Altair charts the notebooks share: Vietnamese labels first, English alongside.

Every chart shows the as-of date and the admin level of each place, marks figures that
an erratum corrected or flagged, and carries the printed text in its tooltip, so a reader
of the rendered HTML never has to guess what a mark stands for.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis import chart_display

chart_display.activate()
# Tables in the notebooks carry evidence and arithmetic: show text in full, not cut at 50.
pd.set_option("display.max_colwidth", None)
pd.set_option("display.max_rows", 250)

# One colour per locality across all notebooks (colour-blind-safe Tableau 10 subset).
LOCALITY_COLORS: dict[str, str] = {
    "Hà Nội": "#4e79a7",
    "Hòa Bình": "#f28e2b",
    "Bình Định": "#59a14f",
    "Bình Sơn": "#b07aa1",
    "Gò Công Tây": "#e15759",
}
ADMIN_LEVEL: dict[str, str] = {
    "centrally_run_city": "thành phố · city",
    "province": "tỉnh · province",
    "district": "huyện · district",
}
STATUS_COLORS = {"as printed": "#ffffff00", "corrected (erratum)": "#d97706",
                 "flagged (erratum)": "#b91c1c"}
FONT = "DejaVu Sans, Noto Sans, Arial, sans-serif"
# Panel titles above each panel, left-aligned, so long bilingual names need no margin.
PANEL_HEADER = alt.Header(labelOrient="top", labelAnchor="start", labelAngle=0,
                          labelFontWeight="bold", labelLimit=900, labelFontSize=12)
AS_OF_AXIS = alt.Axis(format="%Y-%m", labelAngle=0)
VNEID_STAGES = {1: "1. thu nhận · collected", 2: "2. xác thực · verified",
                3: "3. kích hoạt · activated"}


def title(vi: str, en: str, subtitle: str | list[str] | None = None) -> alt.TitleParams:
    return alt.TitleParams(text=[vi, en], subtitle=subtitle or "", anchor="start",
                           fontSize=15, subtitleFontSize=11, subtitleColor="#555")


def _locality_scale() -> alt.Scale:
    return alt.Scale(domain=list(LOCALITY_COLORS), range=list(LOCALITY_COLORS.values()))


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_view(stroke=None)


def with_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Display columns every chart uses: place with its level, date text, erratum status."""
    out = frame.copy()
    level = out["admin_level"].map(ADMIN_LEVEL).fillna("")
    out["place"] = out["locality_vi"] + " (" + level + ")"
    out["as_of_text"] = pd.to_datetime(out["as_of"]).dt.strftime("%Y-%m-%d")
    if "period_start" in out:
        # Flows over a period (a month, a year) are labelled as such: they are not totals.
        start = pd.to_datetime(out["period_start"]).dt.strftime("%Y-%m-%d")
        end = pd.to_datetime(out["period_end"]).dt.strftime("%Y-%m-%d")
        flow = out["period_start"].notna()
        out.loc[flow, "as_of_text"] = "kỳ · period " + start[flow] + " → " + end[flow]
    if "is_corrected" in out:
        out["status"] = "as printed"
        out.loc[out["is_flagged"].fillna(False), "status"] = "flagged (erratum)"
        out.loc[out["is_corrected"].fillna(False), "status"] = "corrected (erratum)"
    else:
        out["status"] = out.get("is_flagged", False).map(
            {True: "flagged (erratum)", False: "as printed"})
    if "breakdown" in out:
        out["part"] = out["breakdown"].fillna("toàn địa bàn · whole locality")
    return out


def _tooltip(extra: list[alt.Tooltip] | None = None) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("locality_vi:N", title="Địa phương · locality"),
        alt.Tooltip("place:N", title="Cấp · level"),
        alt.Tooltip("as_of_text:N", title="Tính đến · as of"),
        alt.Tooltip("printed:N", title="Số in · as printed"),
        *(extra or []),
        alt.Tooltip("status:N", title="Trạng thái · status"),
        alt.Tooltip("erratum_ids:N", title="Erratum"),
        alt.Tooltip("figure_id:N", title="Figure"),
    ]


def _bar_label(row: pd.Series) -> str:
    """The printed text, and what the bar shows instead when an erratum changed it."""
    if row["status"] == "corrected (erratum)":
        return (f"{row['printed']}  ⚑ corrected to {row['numerator']:,.0f}/"
                f"{row['denominator']:,.0f} = {row['headline']:.2f} %")
    if row["status"] == "flagged (erratum)" and row.get("share_basis") == "computed":
        return (f"{row['printed']}  ⚑ printed % withheld; "
                f"bar from the counts: {row['headline']:.2f} %")
    if row["status"] == "flagged (erratum)":
        return f"{row['printed']}  ⚑ flagged"
    return row["printed"]


def share_comparison(frame: pd.DataFrame, title_vi: str, title_en: str,
                     note: str | None = None) -> alt.TopLevelMixin:
    """Horizontal bars of shares (percent), one panel per indicator and part.

    The bar label says where and when (place, level, as-of date); a coloured outline marks
    figures touched by an erratum. Panels state their base, so two figures that share a name
    but not a base are never on one axis without saying so.
    """
    data = with_labels(frame[frame["headline_unit"] == "percent"])
    data["row_label"] = data["place"] + " · " + data["as_of_text"]
    data["panel"] = (data["indicator_vi"] + " · " + data["part"] + " — base: "
                     + data["denominator_en"].fillna("not printed"))
    data["label"] = data.apply(_bar_label, axis=1)
    base = alt.Chart(data).encode(
        y=alt.Y("row_label:N", title=None, sort=None, axis=alt.Axis(labelLimit=440)),
        tooltip=_tooltip([alt.Tooltip("headline:Q", title="% (chart)", format=".2f"),
                          alt.Tooltip("denominator_en:N", title="Base"),
                          alt.Tooltip("share_basis:N", title="% printed or computed")]),
    )
    bars = base.mark_bar(strokeWidth=2.5).encode(
        x=alt.X("headline:Q", title="%", scale=alt.Scale(domain=[0, 110])),
        color=alt.Color("locality_vi:N", scale=_locality_scale(),
                        legend=alt.Legend(title="Địa phương · locality")),
        stroke=alt.Stroke("status:N", scale=alt.Scale(domain=list(STATUS_COLORS),
                                                      range=list(STATUS_COLORS.values())),
                          legend=alt.Legend(title="Erratum")),
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x="headline:Q", text="label:N")
    chart = (bars + labels).properties(width=420).facet(
        row=alt.Row("panel:N", title=None, header=PANEL_HEADER),
    ).resolve_scale(y="independent").properties(
        title=title(title_vi, title_en, note))
    return _configure(chart)


def count_comparison(frame: pd.DataFrame, title_vi: str, title_en: str) -> alt.TopLevelMixin:
    """Counts on a log scale, labelled with admin level: a district is never silently set
    against a city on raw counts."""
    # Cumulative counts only: a month's flow next to a running total would mislead.
    counts = frame[(frame["headline_unit"] != "percent") & frame["is_cumulative"]
                   & (frame["headline_unit"] != "percentage_points")]
    data = with_labels(counts)
    data["row_label"] = data["place"] + " · " + data["as_of_text"]
    data["panel"] = data["indicator_vi"] + " · " + data["indicator_en"]
    base = alt.Chart(data).encode(
        y=alt.Y("row_label:N", title=None, sort=None, axis=alt.Axis(labelLimit=440)),
        tooltip=_tooltip([alt.Tooltip("headline:Q", title="Count", format=",.0f")]))
    points = base.mark_point(filled=True, size=90).encode(
        x=alt.X("headline:Q", title="số lượng · count (log scale)", scale=alt.Scale(type="log")),
        color=alt.Color("locality_vi:N", scale=_locality_scale(),
                        legend=alt.Legend(title="Địa phương · locality")),
        shape=alt.Shape("status:N", legend=alt.Legend(title="Erratum")))
    labels = base.mark_text(align="left", dx=8, fontSize=11).encode(x="headline:Q",
                                                                    text="printed:N")
    chart = (points + labels).properties(width=420).facet(
        row=alt.Row("panel:N", title=None, header=PANEL_HEADER),
    ).resolve_scale(y="independent", x="independent").properties(
        title=title(title_vi, title_en, "Counts depend on population: compare within a level."))
    return _configure(chart)


def vneid_funnel_chart(funnel: pd.DataFrame) -> alt.TopLevelMixin:
    data = with_labels(funnel.assign(is_flagged=False, erratum_ids=None))
    data["column"] = data["place"] + " · " + data["as_of_text"]
    data["stage_label"] = data["stage"].map(VNEID_STAGES)
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("accounts:Q", title="tài khoản · accounts"),
        y=alt.Y("stage_label:N", title=None, sort="ascending"),
        color=alt.Color("locality_vi:N", scale=_locality_scale(), legend=None),
        opacity=alt.condition("datum.qualifier_kind != null", alt.value(0.55), alt.value(1)),
        tooltip=_tooltip([alt.Tooltip("stage_en:N", title="Stage"),
                          alt.Tooltip("accounts:Q", format=",.0f"),
                          alt.Tooltip("qualifier_kind:N", title="Qualifier")]),
    ).properties(width=300, height=70).facet(
        facet=alt.Facet("column:N", title=None, header=alt.Header(labelFontWeight="bold")),
        columns=2,
    ).resolve_scale(x="independent").properties(title=title(
        "Phễu VNeID: thu nhận → xác thực → kích hoạt",
        "VNeID funnel: collected → verified → activated",
        "Cumulative figures; pale bars are approximate or lower bounds."))
    return _configure(chart)


def activation_rate_chart(rates: pd.DataFrame) -> alt.TopLevelMixin:
    data = with_labels(rates.assign(is_flagged=False, erratum_ids=None, printed=None,
                                    figure_id=None))
    data["printed"] = (data["activated"].map("{:,.0f}".format) + " / "
                       + data["base_accounts"].map("{:,.0f}".format))
    base = alt.Chart(data).encode(
        x=alt.X("as_of:T", title="tính đến · as of", axis=AS_OF_AXIS),
        y=alt.Y("activation_rate:Q", title="% kích hoạt · % activated",
                scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("locality_vi:N", scale=_locality_scale(),
                        legend=alt.Legend(title="Địa phương · locality")),
        tooltip=_tooltip([alt.Tooltip("activation_rate:Q", title="% activated", format=".1f"),
                          alt.Tooltip("base_label:N", title="Share of"),
                          alt.Tooltip("activated_qualifier:N", title="Activated count"),
                          alt.Tooltip("base_qualifier:N", title="Base")]),
    )
    chart = (base.mark_line(point=False, strokeDash=[4, 3])
             + base.mark_point(filled=True, size=110)
             + base.mark_text(dy=-12, fontSize=11).encode(
                 text=alt.Text("activation_rate:Q", format=".1f"))).properties(
        width=560, height=300, title=title(
            "Tỷ lệ kích hoạt VNeID", "VNeID activation rate",
            "Activated accounts as a share of the earliest stage printed at the same date "
            "(collected, or verified where that is all the source gives)."))
    return _configure(chart)


def series_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """Each series in its own panel; a red ring marks a point that moves against expectation."""
    data = with_labels(frame)
    data["panel"] = (data["locality_vi"] + " · " + data["indicator_vi"] + " ("
                     + data["headline_unit"] + ")" + data["breakdown"].map(
                         lambda b: f" · {b}" if isinstance(b, str) else ""))
    data["warning"] = data["moves_against_expectation"].map(
        {True: "falls against expectation", False: "as expected"})
    base = alt.Chart(data).encode(
        x=alt.X("as_of:T", title="tính đến · as of", axis=AS_OF_AXIS),
        y=alt.Y("headline:Q", title=None, scale=alt.Scale(zero=False)),
        tooltip=_tooltip([alt.Tooltip("headline:Q", title="Value", format=",.2f"),
                          alt.Tooltip("warning:N", title="Series check")]))
    lines = base.mark_line(color="#888")
    points = base.mark_point(filled=True, size=70).encode(
        color=alt.Color("locality_vi:N", scale=_locality_scale(),
                        legend=alt.Legend(title="Địa phương · locality")))
    # Drawn for every point but visible only where the series falls: a filtered layer
    # would be empty in most panels and make vega warn about infinite extents.
    rings = base.mark_point(size=320, color="#b91c1c", strokeWidth=2.5).encode(
        opacity=alt.condition("datum.moves_against_expectation", alt.value(1), alt.value(0)))
    labels = base.mark_text(dy=-10, fontSize=10).encode(text="printed:N")
    chart = (lines + points + rings + labels).properties(width=260, height=150).facet(
        facet=alt.Facet("panel:N", title=None, header=alt.Header(labelLimit=380)), columns=2,
    ).resolve_scale(y="independent", x="independent").properties(title=title(
        "Chuỗi số liệu theo thời gian", "Every series with two or more dates",
        "A red ring marks a cumulative figure that fell: kept as printed, explained in the "
        "errata register."))
    return _configure(chart)


def cross_locality_chart(frame: pd.DataFrame, title_vi: str, title_en: str,
                         note: str | None = None) -> alt.TopLevelMixin:
    data = with_labels(frame)
    base = alt.Chart(data).encode(
        x=alt.X("as_of:T", title="tính đến · as of", axis=AS_OF_AXIS),
        y=alt.Y("headline:Q", title="%"),
        color=alt.Color("locality_vi:N", scale=_locality_scale(),
                        legend=alt.Legend(title="Địa phương · locality")),
        tooltip=_tooltip([alt.Tooltip("headline:Q", title="%", format=".2f")]))
    chart = (base.mark_line() + base.mark_point(filled=True, size=90).encode(
        shape=alt.Shape("status:N", legend=alt.Legend(title="Erratum")))
             + base.mark_text(dy=-12, fontSize=10).encode(text="printed:N")).properties(
        width=560, height=280, title=title(title_vi, title_en, note))
    return _configure(chart)


def coverage_timeline(coverage: pd.DataFrame, dates: pd.DataFrame) -> alt.TopLevelMixin:
    """Which source covers which place and which dates: a bar from its first to its last
    as-of date, a dot per date with figures, a diamond at publication."""
    spans = coverage.assign(source=coverage["source_id"])
    points = dates.assign(source=dates["source_id"])
    y = alt.Y("source:N", title=None, sort=alt.SortField("published_on"))
    color = alt.Color("locality_vi:N", scale=_locality_scale(),
                      legend=alt.Legend(title="Địa phương · locality"))
    bars = alt.Chart(spans).mark_rule(strokeWidth=3, opacity=0.5).encode(
        x=alt.X("first_as_of:T", title="ngày · date"), x2="published_on:T", y=y, color=color)
    published = alt.Chart(spans).mark_point(shape="diamond", filled=True, size=110).encode(
        x="published_on:T", y=y, color=color,
        tooltip=[alt.Tooltip("source_id:N", title="Source"),
                 alt.Tooltip("publisher:N", title="Publisher"),
                 alt.Tooltip("published_on:T", title="Published"),
                 alt.Tooltip("published_basis:N", title="Date printed or inferred"),
                 alt.Tooltip("kind:N", title="Kind"), alt.Tooltip("figures:Q")])
    dots = alt.Chart(points).mark_circle(opacity=0.9).encode(
        x="as_of:T", y=y, color=color, size=alt.Size("figures:Q", title="figures at date"),
        tooltip=[alt.Tooltip("source_id:N", title="Source"),
                 alt.Tooltip("as_of:T", title="As of"), alt.Tooltip("figures:Q")])
    chart = (bars + dots + published).properties(width=620, height=330, title=title(
        "Nguồn và thời điểm số liệu", "Sources and the dates their figures describe",
        "Line: earliest as-of date to publication; dots: figures per as-of date; "
        "diamond: publication date."))
    return _configure(chart)


def domain_heatmap(counts: pd.DataFrame) -> alt.TopLevelMixin:
    base = alt.Chart(counts).encode(
        x=alt.X("domain:N", title="lĩnh vực · domain", axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("source_id:N", title=None),
        tooltip=["source_id:N", "domain:N", "figures:Q"])
    chart = (base.mark_rect().encode(color=alt.Color("figures:Q", title="figures",
                                                     scale=alt.Scale(scheme="blues")))
             + base.mark_text(fontSize=11).encode(text="figures:Q")).properties(
        width=560, height=320, title=title("Số liệu theo nguồn và lĩnh vực",
                                           "Figures per source and domain"))
    return _configure(chart)


def convention_chart(conventions: pd.DataFrame) -> alt.TopLevelMixin:
    long = conventions.melt(id_vars="source_id", var_name="convention", value_name="percentages")
    long = long[long["percentages"] > 0]
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("source_id:N", title=None),
        x=alt.X("percentages:Q", title="printed percentages checked"),
        color=alt.Color("convention:N", title="matched by", scale=alt.Scale(
            domain=["rounded", "truncated", "either", "mismatched"],
            range=["#4e79a7", "#f28e2b", "#bab0ac", "#b91c1c"])),
        tooltip=["source_id:N", "convention:N", "percentages:Q"],
    ).properties(width=520, title=title(
        "Làm tròn hay cắt bớt?", "Rounded or truncated?",
        "How each source's printed percentages relate to their numerator and base."))
    return _configure(chart)
