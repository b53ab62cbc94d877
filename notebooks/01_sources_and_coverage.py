# ---
# jupyter:
#   de_an_06:
#     reads: build
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: de_an_06
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
# Tài liệu nào báo cáo về địa phương nào, cho những ngày nào, và mỗi tài liệu đóng góp bao
# nhiêu số liệu theo lĩnh vực. Mọi thứ dưới đây được đọc từ các view của DuckDB (`sources`,
# `figures`, `indicators`); không có gì được gõ tay.
#
# *Which document reports on which locality, for which dates, and how many figures each
# contributes by domain. Everything below is read from the project's DuckDB views
# (`sources`, `figures`, `indicators`); nothing is typed in by hand.*

# %%
from analysis.report import queries
from analysis.report.kit import charts, labels
from analysis.report.kit.presentation import bilingual, date_span, number, table

con = queries.connect()
coverage = queries.source_coverage(con)
localities = queries.localities(con)
dates = queries.as_of_dates_per_locality(con)
KINDS, BASIS, PRECISION = (labels.group(name) for name in ("source_kinds", "date_basis",
                                                           "date_precision"))

# %% [markdown]
# ## Các địa phương · The localities
# Năm địa phương của nghiên cứu (hai huyện, hai tỉnh và một thành phố trực thuộc trung ương),
# các đơn vị chứa hoặc kế tiếp chúng, và các tỉnh khác mà nguồn báo cáo. Từ 1/7/2025 các
# huyện không còn và nhiều tỉnh đã sáp nhập; cột cuối nêu đơn vị kế tiếp (theo view
# `locality_lineage`) để lần lại số liệu sau này.
#
# *The study's five localities (two districts, two provinces and a centrally-run city), the
# units that contain or continue them, and the other provinces the sources report on. Since
# 1 July 2025 no district exists and many provinces were merged; the last column names the
# unit(s) continuing each one (from the `locality_lineage` view), so that later data can be
# traced back.*

# %%
table(localities.assign(admin_level=localities["admin_level"].map(charts.ADMIN_LEVEL)
                        .fillna(localities["admin_level"])),
      ["name_vi", "name_en", "admin_level", "parent_vi", "gso_code", "population",
       "population_as_of", "population_source", "successor_vi"])

# %% [markdown]
# ## Các nguồn · The sources
# Mỗi dòng một tài liệu: tiêu đề (bấm để mở bản gốc), cơ quan đăng, ngày đăng (in trên bài
# hay suy ra; nếu chỉ biết tháng, năm hoặc một khoảng thì từ ngày sớm nhất đến ngày muộn nhất
# có thể) và khoảng ngày mà số liệu của nó mô tả.
#
# *One row per document: its title (click to open the original), the publisher, the
# publication date (printed or inferred; when only its month, year or a range is known, from
# the earliest to the latest possible day) and the range of as-of dates its figures describe.*

# %%
table(coverage.assign(kind_language=coverage["kind"].map(KINDS).fillna(coverage["kind"])
                      + " (" + coverage["language"] + ")",
                      # How the date is known: its precision and whether it is printed.
                      published_evidence=coverage["published_precision"].map(PRECISION) + "; "
                      + coverage["published_basis"].map(BASIS),
                      published=[date_span(on, latest) for on, latest in zip(
                          coverage["published_on"], coverage["published_latest"], strict=True)],
                      as_of_span=[date_span(first, last) for first, last in zip(
                          coverage["first_as_of"], coverage["last_as_of"], strict=True)]),
      ["source_id", "title", "locality_vi", "kind_language", "publisher", "published",
       "published_evidence", "as_of_span", "figures",
       "dates"], links={"title": "reference"})

# %%
n_sources, n_figures = len(coverage), int(coverage["figures"].sum())
per_place = ", ".join(f"{row.locality_vi} {number(row.dates)}" for row in dates.itertuples())
reports = ", ".join(coverage.loc[coverage["kind"] == "official_report", "source_id"])
bilingual(
    f"**{number(n_sources)} nguồn** có **{number(n_figures)} số liệu**. Số ngày số liệu khác "
    f"nhau của mỗi địa phương (một ngày hai nguồn cùng nêu chỉ tính một lần): {per_place}. "
    f"Báo cáo chính thức: {reports}; các nguồn khác là tin báo.",
    f"**{number(n_sources)} sources** hold **{number(n_figures)} figures**. Distinct as-of "
    f"dates per locality (a date two sources share counts once): {per_place}. Official "
    f"reports: {reports}; all other sources are news articles.")

# %% [markdown]
# ## Dòng thời gian · Timeline
# Mỗi nguồn là một đường từ ngày sớm nhất mà số liệu của nó mô tả đến ngày đăng. Di chuột
# lên một chấm để xem số số liệu của ngày đó.
#
# *Each source draws a line from the earliest date its figures describe to its publication
# date. Hover over a dot for the number of figures dated to that day.*

# %%
charts.coverage_timeline(coverage, queries.figure_dates(con))

# %% [markdown]
# ## Số liệu theo nguồn và lĩnh vực · Figures per source and domain
# Báo cáo tháng của Bình Sơn là nguồn nhiều số liệu nhất: một báo cáo chính thức liệt kê
# nhiều hơn hẳn một bài báo.
#
# *Bình Sơn's monthly report is the richest source: an official report lists far more
# quantities than a news article does.*

# %%
charts.domain_heatmap(queries.figures_by_domain(con))
