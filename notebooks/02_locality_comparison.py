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
# # 02 · So sánh các địa phương · Comparing the localities
#
# The indicators that several localities report. The figures come from the
# `figures_corrected` view: errata are applied, and where two sources report the same
# figure, the preferred one is used. Every bar says where (locality and admin level) and
# when (as-of date); a coloured outline marks a figure an erratum corrected or flagged.
#
# The reports were written on different dates, up to two years apart. A gap between two
# places may be a gap in time.

# %%
from IPython.display import Markdown

from analysis import charts, queries

con = queries.connect()
topics = queries.COMPARISON_TOPICS
figures = queries.comparable_figures(con)


def show_topic(topic: str, note: str | None = None):
    vi, en = topics[topic]
    return charts.share_comparison(figures[figures["topic"] == topic], vi, en, note)


# %% [markdown]
# ## VNeID: which locality leads on activation?
# Counts cannot be compared across a city of eight million and a district of a hundred and
# thirty thousand, so the measure is the share of accounts activated out of the earliest
# stage the same source prints for the same date.

# %%
rates = queries.vneid_activation_rates(con)
latest = rates.sort_values("as_of").groupby("locality_id").tail(1).sort_values(
    "activation_rate", ascending=False)
leader, runner_up = latest.iloc[0], latest.iloc[1]
described = queries.describe_bounds(leader["activated_qualifier"], leader["base_qualifier"])
bounds = f" ({described})" if described else ""
Markdown(
    f"At each locality's latest date, **{leader['locality_vi']}** leads with "
    f"**{leader['activation_rate']:.1f} %** of {leader['base_label'].lower()} activated "
    f"on {leader['as_of']:%Y-%m-%d}{bounds}, "
    f"{leader['activation_rate'] - runner_up['activation_rate']:.1f} points ahead of "
    f"{runner_up['locality_vi']} ({runner_up['activation_rate']:.1f} % on "
    f"{runner_up['as_of']:%Y-%m-%d}). "
    + "Latest rates: "
    + "; ".join(f"{r.locality_vi} {r.activation_rate:.1f} % of {r.base_label.lower()} "
                f"({r.as_of:%Y-%m-%d})" for r in latest.itertuples())
    + ". The dates differ by up to "
    f"{(latest['as_of'].max() - latest['as_of'].min()).days} days, and the bases differ "
    "(collected or verified), so the ranking is indicative."
)

# %%
charts.activation_rate_chart(rates)

# %%
charts.vneid_funnel_chart(queries.vneid_funnel(con))

# %% [markdown]
# ## Essential online public services
# Only one measure is comparable across places: how many of the 25 essential services
# named by Đề án 06 a locality has implemented. Other essential-service figures use another
# list (the 53 of Đề án 06 and Decision 422 together, or Decision 422's 28), count only a
# part, or count something else. The table says which is which, and why.

# %%
comparability = queries.essential_services_comparability(con)
comparability[["locality_vi", "admin_level", "as_of", "indicator_en", "breakdown", "printed",
               "comparable", "not_comparable_because"]]

# %%
show_topic("essential_services_25",
           "Comparable: out of Đề án 06's 25 essential services. Other lists are in the table.")

# %% [markdown]
# ## Share of applications made online
# The scope differs: Bình Định reports police-run and department-run services apart, Bình
# Sơn only its commune desks and police, Hòa Bình one month (2023) and a lower bound (2024).

# %%
show_topic("online_applications")

# %% [markdown]
# ## Citizen ID cards (CCCD)
# Only Gò Công Tây prints a share (cards issued out of residents due one); the other
# places print counts, which are shown below with their admin level.

# %%
show_topic("cccd")

# %%
charts.count_comparison(figures[figures["topic"].isin(["cccd", "vneid"])],
                        "CCCD và VNeID: số lượng", "CCCD and VNeID: counts")

# %% [markdown]
# ## CCCD in health-insurance visits
# Gò Công Tây's share is cumulative since the scheme began; Bình Sơn's is one month. Bình
# Sơn's printed monthly rate (91,91 %) does not follow from its own counts (erratum E02), so
# the chart uses the rate computed from the counts and marks it.

# %%
show_topic("health_insurance_cccd")

# %% [markdown]
# ## Social-insurance records matched with the population database
# Bình Sơn printed its numerator and denominator the wrong way round; the chart uses the
# corrected figure (erratum E01).

# %%
show_topic("social_insurance_matched")

# %% [markdown]
# ## Cashless social-security payments
# Same name, different bases. Gò Công Tây's 35.86 % is a share of **all** beneficiaries due
# a payment; Bình Sơn's 35 % is a share of those **registered** for payment into an account,
# who are themselves a fifth of all. Each panel names its base.

# %%
cashless = figures[figures["topic"] == "cashless_social_payments"]
bases = cashless.dropna(subset=["denominator_en"]).drop_duplicates("indicator_id")
Markdown("Bases in this topic: " + "; ".join(
    f"**{r.indicator_en}**: share of {r.denominator_en}" for r in bases.itertuples()))

# %%
show_topic("cashless_social_payments", "Bases differ between panels: read each panel's base.")

# %% [markdown]
# ## Tasks of the programme completed
# Bình Định prints 67 of 71; Hòa Bình prints 10 completed of 56, with the rest routine or
# under way, so its share is computed from the printed parts.

# %%
show_topic("tasks")
