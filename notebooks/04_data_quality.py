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
# # 04 · Chất lượng số liệu · Data quality
#
# Which printed figures are wrong, and why. The validation rules (expectations/rules.yml)
# run twice inside DuckDB: on the figures as printed, where every failure must be explained
# by the errata register, and on the corrected marts, where nothing may fail. This notebook
# reads the results from the `findings`, `errata` and `validation_summary` views.

# %%
from IPython.display import Markdown

from analysis import charts, queries

con = queries.connect()
summary = queries.validation_summary(con)
failures = queries.findings(con, layer="raw")
errata = queries.errata(con)

# %%
raw = summary[summary["layer"] == "raw"]
marts = summary[summary["layer"] == "marts"]
Markdown(
    f"On the printed figures, **{int(raw['failed'].sum())} checks fail** out of "
    f"{int(raw['applicable'].sum())}, all explained by the "
    f"**{len(errata)} errata** ({int(raw['unexplained'].sum())} unexplained). After "
    f"corrections, {int(marts.loc[marts['severity'] == 'error', 'failed'].sum())} error checks "
    f"fail and {int(marts.loc[marts['severity'] == 'warning', 'failed'].sum())} warning remains "
    "on record. Stale errata: "
    f"{int(errata['stale'].fillna(False).sum())}."
)

# %% [markdown]
# ## Which printed figures are wrong
# Each failing check on the figures as printed, with its arithmetic and the erratum that
# explains it.

# %%
failures[["rule", "severity", "figure_id", "locator", "printed", "observed", "expected",
          "erratum_id"]]

# %% [markdown]
# ## The errata register and what each entry changes
# A *correct* action replaces printed values with stated ones; a *flag* keeps the figure but
# withholds the untrusted number from comparisons.

# %%
errata[["erratum_id", "action", "rules", "evidence", "explanation"]]

# %%
queries.errata_effects(con)

# %% [markdown]
# ## Rounded or truncated?
# A printed percentage is accepted if it equals its ratio rounded *or* truncated to the
# printed decimals. Several sources use both conventions, so flagging a truncated value as
# wrong would be a false alarm.

# %%
conventions = queries.rounding_conventions(con)
mixed = conventions[(conventions["rounded"] > 0) & (conventions["truncated"] > 0)]
Markdown("Sources using both conventions: " + (", ".join(mixed["source_id"]) or "none") + ".")

# %%
charts.convention_chart(conventions)

# %% [markdown]
# ## Two reports of one event
# Seed 003 and the Hà Nội portal both report the conference of 28 February 2023. Pairs of
# figures with the same indicator, locality and breakdown, dated at most seven days apart,
# are set side by side. The preferred value follows a fixed rule: an official report over a
# news article, then the later publication.

# %%
queries.reconciliation(con)

# %% [markdown]
# ## Percentages no rule can check
# Their base is printed nowhere, so they are kept as printed and labelled unverifiable.

# %%
queries.unverifiable_percents(con)

# %% [markdown]
# ## All rules, both layers

# %%
summary
