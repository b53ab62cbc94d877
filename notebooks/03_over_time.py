# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (de-an-06)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Diễn biến theo thời gian · Over time
#
# Each source is a snapshot; together they make short series. This notebook shows every
# indicator that has two or more dates in one locality, then sets the localities side by
# side with the as-of date on the horizontal axis. Series are drawn as printed: where a
# cumulative figure falls, the fall is kept and marked, not smoothed.

# %%
from IPython.display import Markdown

from analysis import charts, queries

con = queries.connect()
series = queries.series(con)

# %%
per_place = series.groupby("locality_vi")["as_of"].nunique().sort_values(ascending=False)
falls = series[series["moves_against_expectation"]]
Markdown(
    "Distinct as-of dates in a series, per locality: "
    + ", ".join(f"**{place}** {n}" for place, n in per_place.items())
    + f". {series.groupby(['locality_id', 'series_key', 'breakdown'], dropna=False).ngroups} "
    "series in all. "
    + ("Points that fall against expectation: " + "; ".join(
        f"{r.locality_vi}, {r.indicator_en}: {r.printed} on {r.as_of:%Y-%m-%d}"
        for r in falls.itertuples()) + "." if len(falls) else "No series falls.")
)

# %%
charts.series_chart(series)

# %% [markdown]
# ## Across localities
# The same indicator in several places, on a shared time axis. Shares only: counts would
# set a district against a city.

# %%
for_cross = queries.comparable_figures(con, unit="percent")
procedures = queries.comparable_figures(con, topics=["procedures_online"], unit="percent")
charts.cross_locality_chart(
    procedures, "TTHC cung cấp trực tuyến", "Procedures offered online, share of all procedures",
    "Hòa Bình's share fell between September 2023 and April 2024 (see notebook 04, E06).")

# %%
vneid_rates = queries.vneid_activation_rates(con)
charts.activation_rate_chart(vneid_rates)

# %%
essential = for_cross[(for_cross["indicator_id"] == "essential_services_online")
                      & for_cross["breakdown"].isna()]
charts.cross_locality_chart(
    essential, "Dịch vụ công thiết yếu đã triển khai (trên 25)",
    "Essential online services implemented, out of 25")

# %% [markdown]
# ## The points behind the charts

# %%
series[["locality_vi", "indicator_en", "breakdown", "as_of", "printed", "source_id",
        "locator", "moves_against_expectation", "erratum_ids"]]
