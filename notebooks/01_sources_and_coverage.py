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
# # 01 · Nguồn và phạm vi số liệu · Sources and coverage
#
# Which document reports on which locality, for which dates, and how many figures each
# contributes by domain. Everything below is read from the project's DuckDB views
# (`sources`, `figures`, `indicators`); nothing is typed in by hand.

# %%
from IPython.display import Markdown

from analysis import charts, queries

con = queries.connect()
coverage = queries.source_coverage(con)
localities = queries.localities(con)

# %% [markdown]
# ## The five localities
# Two districts, two provinces and a centrally-run city. Since 1 July 2025 none of the
# districts exists any more and two of the provinces were merged; the last column names the
# successor unit, so that later data can be traced back.

# %%
localities

# %% [markdown]
# ## The sources
# One row per document: the publisher, whether the publication date is printed or had to be
# inferred, and the range of as-of dates its figures describe.

# %%
coverage

# %%
n_sources, n_figures = len(coverage), int(coverage["figures"].sum())
by_place = coverage.groupby("locality_vi")["dates"].sum().sort_values(ascending=False)
Markdown(
    f"**{n_sources} sources** hold **{n_figures} figures**. Distinct as-of dates per locality: "
    + ", ".join(f"{place} {int(n)}" for place, n in by_place.items())
    + ". Official reports: "
    + ", ".join(coverage.loc[coverage["kind"] == "official_report", "source_id"])
    + "; all other sources are news articles."
)

# %% [markdown]
# ## Timeline
# Each source draws a line from the earliest date its figures describe to its publication
# date. Hover over a dot for the number of figures dated to that day.

# %%
charts.coverage_timeline(coverage, queries.figure_dates(con))

# %% [markdown]
# ## Figures per source and domain
# Bình Sơn's monthly report is the richest source: an official report lists far more
# quantities than a news article does.

# %%
charts.domain_heatmap(queries.figures_by_domain(con))
