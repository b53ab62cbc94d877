"""Page 03's data: the comparisons of the ``series`` view, their points ready to chart and
describe, the rows behind each chart and the page's tables, and the numbers in the page's
format. Reads the public views ``series``, ``locality_lineage``, ``units`` and ``sources``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

import duckdb
import pandas as pd

from analysis import paths
from analysis.report.kit import charts, labels, presentation

SQL_DIR = paths.OVER_TIME_SQL
NATIONAL_LEVEL = "country"
# Points more than a calendar year apart are not joined: a segment would invent a path.
MAX_SEGMENT = pd.DateOffset(years=1)
# A national figure further away than this is not drawn as the reference of a point.
MAX_REFERENCE_DAYS = 365
# Two shares whose bases (the denominators printed or implied) differ by more than this
# fraction are two measures (625 procedures at 100 %, then 352 of about 402 at 87,56 %): no
# line joins them and no change is computed between them.
BASE_TOLERANCE = 0.25
LEVEL_LABELS: dict[str, str] = charts.ADMIN_LEVEL
Sentence = tuple[str, str]  # (Vietnamese, English)

# Printed bounding words in the other language, and the words for each kind of qualifier
# (data/labels.yml).
QUALIFIER_VI: dict[str, str] = labels.group("qualifier_words")["vi"]
QUALIFIER_EN: dict[str, str] = labels.group("qualifier_words")["en"]
_KINDS = labels.group("qualifier_kinds")
QUALIFIER_KIND_VI = {kind: words["vi"] for kind, words in _KINDS.items()}
QUALIFIER_KIND_WORD_EN = {kind: words["en_word"] for kind, words in _KINDS.items()}
QUALIFIER_KIND_EN = {kind: words["en"] for kind, words in _KINDS.items()}
QUALIFIER_KIND_PLURAL_EN = {kind: words["en_plural"] for kind, words in _KINDS.items()}
# How a point was printed (exact, a bound, approximate): its legend label and its shape.
PRINTED_AS = labels.group("printed_as")
SHAPE_OF_KIND = {None if kind == "exact" else kind: entry["label"]
                 for kind, entry in PRINTED_AS.items()}

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
    # Reorganisation links with either side in this comparison (for the note beside it).
    lineage: pd.DataFrame = field(default_factory=pd.DataFrame)
    not_drawn: Sentence | None = None  # why the page lists it instead of charting it
    # What the title adds to tell it from another chart of the same indicator on the page.
    facet: Sentence = ("", "")

    @cached_property
    def results(self) -> pd.DataFrame:
        return self.points[~self.points["is_target"]]

    @cached_property
    def places(self) -> int:
        return self.results["locality_id"].nunique()

    @cached_property
    def drawn_places(self) -> int:
        """Places the chart draws (a count chart draws only series of two or more points)."""
        drawn = self.results[self.results["series_id"].isin(self.panels)]
        return drawn["locality_id"].nunique()

    @cached_property
    def has_national(self) -> bool:
        return bool(self.results["is_national"].any())

    @cached_property
    def axis(self) -> str:
        """``share``, ``rank`` or ``scale`` (one axis for all places) or ``count`` (panels)."""
        if self.first("unit") == "percent":
            return "share"
        if self.first("kind_lower_is_better"):
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


def _segments(points: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """Which line segment each result point belongs to (targets get none).

    A new segment starts after a gap of more than a year, where a reorganisation of the
    series' own place takes effect between two points (a series should never cross one; if
    it does, the line still breaks there), and where a rank is taken among a different
    number of places (5th of 63 provinces and 1st of the 34 after 2025 are not one scale),
    or where a share's base changes by more than :data:`BASE_TOLERANCE`.
    """
    segment = pd.Series(pd.NA, index=points.index, dtype="object")
    boundaries = links.groupby("predecessor_id")["effective_on"].apply(list).to_dict()
    results = points[~points["is_target"]].sort_values("as_of")
    for series_id, rows in results.groupby("series_id", sort=False):
        counter, previous, previous_of, previous_base = 0, None, None, None
        cuts = [pd.Timestamp(d) for d in boundaries.get(rows["locality_id"].iloc[0], [])]
        is_share = rows["unit"].iat[0] == "percent"
        for index, day in rows["as_of"].items():
            ranked_of = rows.at[index, "ranked_of"]
            base = rows.at[index, "base_value"] if is_share else None
            if previous is not None and (
                    day > previous + MAX_SEGMENT
                    or any(previous < cut <= day for cut in cuts)
                    or ranked_of != previous_of
                    or not same_base(previous_base, base)):
                counter += 1
            segment[index] = f"{series_id}#{counter}"
            previous, previous_of, previous_base = day, ranked_of, base
    return segment


def same_base(first: object, second: object) -> bool:
    """Whether two shares are taken of one base (within :data:`BASE_TOLERANCE`); a base not
    printed or implied is not evidence of a change."""
    if presentation.missing(first) or presentation.missing(second) or not first:
        return True
    return abs(float(second) / float(first) - 1) <= BASE_TOLERANCE


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


def prepare_points(points: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    out = points.copy()
    out["as_of"] = pd.to_datetime(out["as_of"])
    out["is_target"] = out["is_target"].fillna(False).astype(bool)
    out["is_national"] = out["admin_level"] == NATIONAL_LEVEL
    # Among how many a rank was taken, as text ("" where not printed): ranks among different
    # numbers are different scales.
    out["ranked_of"] = [format_number(base, 0) if lower and pd.notna(base) else ""
                        for lower, base in zip(out["kind_lower_is_better"], out["base_value"],
                                               strict=True)]
    out["is_successor"] = out["locality_id"].isin(set(links["successor_id"]))
    level = out["admin_level"].map(LEVEL_LABELS).fillna(out["admin_level"])
    since = out["successor_since"]
    out["place"] = [charts.place_label(name, lvl, day) for name, lvl, day in
                    zip(out["locality_vi"], level, since, strict=True)]
    out["name_vi"] = [charts.successor_name(n, d) for n, d in zip(out["locality_vi"], since,
                                                                   strict=True)]
    out["name_en"] = [charts.successor_name(n, d, "en") for n, d in zip(out["locality_vi"], since,
                                                                         strict=True)]
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
    # Every column prepare_points adds depends on the row, its series or its segment only (a series
    # is in one comparison), so all points are prepared at once, not comparison by comparison.
    points = prepare_points(con.execute(_sql("points.sql")).df(), links)
    nearest = con.execute(_sql("nearest_national.sql")).df()
    for column in ("as_of", "national_as_of"):
        nearest[column] = pd.to_datetime(nearest[column])
    # Converted and split once, not filtered, copied and converted again per comparison.
    near_of = dict(list(nearest.groupby("comparison_id", sort=False)))
    out = []
    for comparison_id, rows in points.groupby("comparison_id", sort=False):
        places = set(rows["locality_id"])
        shown = links[links["predecessor_id"].isin(places) & links["successor_id"].isin(places)]
        touching = links[links["predecessor_id"].isin(places) | links["successor_id"].isin(places)]
        near = near_of.get(comparison_id, nearest.iloc[:0])
        out.append(Comparison(str(comparison_id), rows.reset_index(drop=True),
                              near.reset_index(drop=True), shown.reset_index(drop=True),
                              lineage=touching.reset_index(drop=True)))
    out = [replace(c, not_drawn=_why_not_drawn(c, out)) for c in out]
    facets = charts.distinguishing_titles({c.comparison_id: c.points for c in out
                                           if c.not_drawn is None})
    out = [replace(c, facet=facets.get(c.comparison_id, ("", ""))) for c in out]
    out.sort(key=lambda c: (not c.has_national, -c.places, c.label("en")))
    return out


def _why_not_drawn(comparison: Comparison, others: list[Comparison]) -> Sentence | None:
    """Shares where shares exist: the counts behind a charted share add nothing but a scale
    that differs by population; and a comparison with one point per place shows no
    movement at all: page 02 sets such points side by side."""
    if comparison.axis != "count":
        dates = comparison.results.groupby("series_id")["as_of"].nunique()
        if len(dates) and dates.max() < 2:
            return ("mỗi nơi chỉ có một điểm, không có diễn biến (xem trang 02)",
                    "one point per place, no movement to show (see page 02)")
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
    "qualifier_kind", "printed", "source_id", "source_title", "publisher", "published_on",
    "source_reference", "locator",
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
TABLE_LABELS: dict[str, tuple[str, str]] = labels.page_columns("over_time")

