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
# # 02 · So sánh các địa phương · Comparing the localities
#
# Các chỉ tiêu mà từ hai địa phương trở lên cùng báo cáo, đặt trên cùng một trục. Mọi biểu đồ
# đọc từ view `series`: mỗi chuỗi là một thước đo như nhau (cùng chỉ tiêu, cùng cơ sở, cùng
# phạm vi, cùng đơn vị) ở một nơi, đã áp dụng đính chính. Mỗi dòng ghi nơi (địa phương, cấp)
# và thời điểm; chỉ tiêu phải đạt (chỉ thị, kế hoạch) không bao giờ được vẽ như kết quả.
#
# *The indicators that two or more localities report, on one axis. Every chart reads the
# `series` view: a series is one like-for-like measure (same indicator, base, scope and unit)
# in one place, with errata applied. Every row says where (locality and admin level) and
# when; targets (directives, plans) are never drawn as results.*
#
# Các báo cáo được viết vào những ngày khác nhau, cách nhau tới hai năm: khoảng cách giữa hai
# nơi có thể là khoảng cách về thời gian.
#
# *The reports were written on different dates, up to two years apart: a gap between two
# places may be a gap in time.*

# %%
from IPython.display import display

from analysis.report import queries
from analysis.report.kit import charts
from analysis.report.kit.presentation import bilingual, table
from analysis.report.pages.comparison import charts as comparison_charts
from analysis.report.pages.comparison import data as comparison
from analysis.report.pages.comparison import prose

con = queries.connect()
points = queries.series_points(con)
drawn, set_aside, single = comparison.comparison_plan(points)
single_rows = comparison_charts.single_locality_rows(single)
facets = charts.distinguishing_titles(drawn)
bilingual(*prose.introduction(drawn, single_rows))

# %% [markdown]
# ## Số mới nhất · The latest values
# Với mỗi nơi và mỗi thước đo được so sánh dưới đây: số mới nhất, ngày của nó, nguồn (bấm để
# mở) và số liệu đã cũ bao nhiêu tháng, tính đến số mới nhất của trang.
#
# *For each place and each measure compared below: the latest value, its date, its source
# (click to open) and how many months old it is, counted back from the page's newest figure.*

# %%
latest, newest = comparison.latest_values(drawn)
if newest is not None:
    display(bilingual(f"Số mới nhất của trang: ngày {newest:%Y-%m-%d}.",
                      f"The page's newest figure is dated {newest:%Y-%m-%d}."))
    display(table(latest.assign(value_text=latest.apply(comparison_charts.value_text, axis=1),
                                indicator_vi=latest["indicator_vi"] + " · "
                                + latest["indicator_en"]),
                  ["locality_vi", "indicator_vi", "value_text", "as_of", "months_old",
                   "source_title"], links={"source_title": "source_reference"},
                  summary="Bảng số mới nhất (bấm để mở) · the latest values (click to open)"))

# %% [markdown]
# ## Tỷ lệ · Shares
# Trục phần trăm chạy từ 0 đến 100 %. Nhãn ghi tử số/mẫu số khi nguồn in cả hai.
#
# *Percent axes run from 0 to 100 %. Labels give numerator/base where the source prints
# both.*

# %%
for key, frame in drawn.items():
    if frame["unit"].iloc[0] == "percent":
        display(comparison_charts.comparison_chart(frame, facets[key]))

# %%
if len(set_aside):
    display(bilingual(*prose.set_aside(set_aside)))

# %% [markdown]
# ## Số lượng · Counts
# Số lượng phụ thuộc quy mô dân số: mỗi biểu đồ chỉ một cấp hành chính (huyện với huyện,
# tỉnh với tỉnh) và chỉ các số liệu cách nhau không quá một năm. Trục log khi các giá trị
# cách nhau nhiều bậc.
#
# *Counts depend on population: each chart holds one admin level (district with district,
# province with province) and only figures at most a year apart. The axis is logarithmic
# where values differ by orders of magnitude.*

# %%
for key, frame in drawn.items():
    if frame["unit"].iloc[0] != "percent":
        display(comparison_charts.comparison_chart(frame, facets[key]))

# %% [markdown]
# ## Dịch vụ công thiết yếu · Essential online public services
# Chỉ một thước đo so sánh được giữa các nơi: số dịch vụ đã triển khai trong 25 dịch vụ thiết
# yếu của Đề án 06 (biểu đồ tỷ lệ ở trên). Các số khác dùng danh sách khác, chỉ đếm một phần,
# hoặc đếm thứ khác; bảng nói rõ từng số.
#
# *Only one measure is comparable across places: how many of Đề án 06's 25 essential services
# a locality has implemented (the share chart above). Other figures use another list, count
# only a part, or count something else; the table says which and why.*

# %%
essential = comparison.essential_services_comparability(points)
table(charts.level_names(essential),
      ["locality_vi", "admin_level", "as_of", "indicator_vi", "breakdown", "printed",
       "comparable", "not_comparable_because", "figure_id"])

# %% [markdown]
# ## Chỉ một địa phương báo cáo · Reported by one locality only
# Những thước đo này không có gì để so sánh: mỗi thước đo chỉ một nơi báo cáo, hoặc là số
# lượng không có nơi nào cùng cấp hành chính báo cáo trong vòng một năm. Chỉ tiêu phải đạt
# (chỉ thị, kế hoạch) được ghi rõ là chỉ tiêu, không phải kết quả.
#
# *These measures have nothing to be compared with: each is reported by one place, or is a
# count that no other place of its admin level reports within a year. Targets (directives,
# plans) are marked as targets, not results.*

# %%
bilingual(*prose.per_place(single_rows))

# %%
table(single_rows,
      ["locality_vi", "indicator_vi", "breakdown", "as_of", "value_text", "base_vi", "role",
       "printed", "source_id", "figure_id"],
      summary="Bảng đầy đủ (bấm để mở) · the full table (click to open)")
