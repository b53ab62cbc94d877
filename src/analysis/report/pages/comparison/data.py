"""Page 02's data: which comparisons of the ``series`` view it draws, what it lists instead,
and the essential-services table. Reads only the public views (through
:func:`analysis.report.queries.series_points`)."""

from __future__ import annotations

import pandas as pd

# Counts set side by side must describe dates at most this far apart (a count two years
# older is another moment of a growing stock, not a comparable figure).
MAX_COUNT_SPAN = pd.Timedelta(days=366)


def _comparable_counts(comparison_id: str, group: pd.DataFrame
                       ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """A count comparison split so that one chart holds one admin level, and only the points
    within :data:`MAX_COUNT_SPAN` of that level's latest point; a chart needs two or more
    places. Returns the charts (key ``comparison_id|level``) and the points left out."""
    charts, left_out = {}, []
    for level, rows in group.groupby("admin_level", sort=False):
        results = rows[~rows["is_target"]]
        latest = pd.to_datetime(results["as_of"]).max() if len(results) else None
        near = rows if latest is None else rows[
            pd.to_datetime(rows["as_of"]) >= latest - MAX_COUNT_SPAN]
        if near[~near["is_target"]]["locality_id"].nunique() >= 2:
            charts[f"{comparison_id}|{level}"] = near
            left_out.append(rows.drop(near.index))
        else:
            left_out.append(rows)
    return charts, pd.concat(left_out) if left_out else group.iloc[:0]


def comparison_plan(points: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], pd.DataFrame,
                                                   pd.DataFrame]:
    """Which comparisons the comparison page draws, and what it lists instead.

    Returns ``(drawn, set_aside, single)``:

    - ``drawn``: comparison_id → its points, for every comparison whose results come from two
      or more localities. Shares are compared as shares; the counts behind them appear in
      the shares' labels, so a count comparison is drawn only for an indicator that has no
      share comparison. A share the source printed without its base (computed here against
      another figure's total) is not set beside shares printed with theirs.
    - ``set_aside``: the points left out of a share comparison for that reason.
    - ``single``: the points of measures that only one locality reports (results and
      targets), listed in a table rather than drawn as a lone bar, and the counts that have
      no other place of their admin level within a year to stand beside.

    Counts never share an axis across admin levels, nor across dates more than a year apart
    (:func:`_comparable_counts`); shares, ranks and scores do, with each row's date shown.
    """
    frame = points.copy()
    is_share = frame["unit"] == "percent"
    unprinted = is_share & ~frame["base_printed"].fillna(False).astype(bool) \
        & (frame["value_basis"] == "computed")
    set_aside = frame[unprinted & (frame["comparison_localities"] >= 2)]
    frame = frame[~unprinted | (frame["comparison_localities"] < 2)]
    localities = frame[~frame["is_target"]].groupby("comparison_id")["locality_id"].nunique()
    compared = set(localities[localities >= 2].index)
    shared_indicators = set(frame.loc[frame["comparison_id"].isin(compared) & is_share,
                                      "indicator_id"])
    shared_indicators |= set(set_aside["indicator_id"])
    drawn, apart = {}, []
    for comparison_id, group in frame[frame["comparison_id"].isin(compared)].groupby(
            "comparison_id", sort=False):
        if group["unit"].iloc[0] != "percent" and group["indicator_id"].iloc[0] in \
                shared_indicators:
            continue
        # Values on their kind's own scale (a rank among provinces, a score out of a maximum)
        # compare across admin levels on one axis; every other non-share point is a count
        # that grows with population.
        if group["unit"].iloc[0] != "percent" and not group["kind_own_scale"].iloc[0]:
            charts, left_out = _comparable_counts(comparison_id, group)
            drawn.update(charts)
            apart.append(left_out)
            continue
        drawn[comparison_id] = group
    drawn = dict(sorted(drawn.items(), key=lambda item: (
        item[1]["unit"].iloc[0] != "percent", str(item[1]["topic"].iloc[0]), item[0])))
    shown = compared
    single = pd.concat([frame[~frame["comparison_id"].isin(shown)], *apart])
    return drawn, set_aside, single


def essential_services_comparability(points: pd.DataFrame, comparable_indicator: str =
                                     "essential_services_online") -> pd.DataFrame:
    """Every essential-service figure of the `series` view, and whether it can be set against
    the others: the same indicator (implemented out of Đề án 06's 25) for a whole locality.
    The reason for any other figure is derived from the catalog, not written per figure."""
    frame = points[points["topic"].fillna("").str.startswith("essential_services")].copy()
    # A figure appears as a share and as a count series: list it once, as the share.
    frame = frame.sort_values(["figure_id", "unit"], key=lambda c: c.ne("percent")
                              if c.name == "unit" else c).drop_duplicates("figure_id")

    def reason(row: pd.Series) -> str:
        if row["indicator_id"] != comparable_indicator:
            base_vi = row["base_vi"] if isinstance(row["base_vi"], str) else "không in cơ sở"
            base_en = row["base_en"] if isinstance(row["base_en"], str) else "no base printed"
            return f"thước đo khác, cơ sở: {base_vi} · other measure, base: {base_en}"
        if isinstance(row["breakdown"], str):
            return f"chỉ một phần · only a part ({row['breakdown']})"
        return ""

    frame["not_comparable_because"] = frame.apply(reason, axis=1)
    frame["comparable"] = frame["not_comparable_because"] == ""
    return frame.sort_values(["comparable", "locality_vi", "as_of"],
                             ascending=[False, True, True]).reset_index(drop=True)




def latest_values(drawn: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Per place and headline measure (a comparison drawn on the page: two or more places
    report it), the latest result with its date, source and age in whole months, counted
    back from the newest figure of any of them (the page's "now", so that a page rendered
    twice from one database says the same). Returns the rows and that reference date."""
    frames = [frame.assign(chart_key=key) for key, frame in drawn.items()]
    if not frames:
        return pd.DataFrame(), None
    points = pd.concat(frames, ignore_index=True)
    points = points[~points["is_target"].fillna(False).astype(bool)].copy()
    points["as_of"] = pd.to_datetime(points["as_of"])
    newest = points["as_of"].max()
    latest = (points.sort_values(["as_of", "figure_id"])
              .groupby(["chart_key", "locality_id"], sort=False).tail(1))
    latest = latest.assign(months_old=[
        (newest.year - day.year) * 12 + newest.month - day.month for day in latest["as_of"]])
    return latest.sort_values(["locality_vi", "indicator_vi", "as_of"]).reset_index(
        drop=True), newest
