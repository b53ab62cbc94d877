# ---
# jupyter:
#   de_an_06:
#     reads: build
#     page: explorer
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
# # 05 · Khám phá mọi chuỗi số liệu · Explore every series
#
# Chọn bất kỳ phép so sánh nào của dữ liệu: biểu đồ vẽ mọi nơi báo cáo nó trên một trục,
# cùng số liệu toàn quốc nếu có, bảng các điểm với nguồn (tên bài, cơ quan đăng, ngày, đường
# dẫn) và tệp CSV của đúng những điểm đang vẽ.
#
# *Pick any comparison in the data: the chart draws every place that reports it on one axis,
# with the national figure where there is one, a table of the points with their sources
# (title, publisher, date, link) and a CSV of exactly the points drawn.*

# %%
from IPython.display import display

from analysis.report import queries
from analysis.report.kit import presentation
from analysis.report.pages import explorer

con = queries.connect()
found = explorer.build(con)
presentation.bilingual(*explorer.summary(found))

# %% [markdown]
# Cách đọc: chọn phép so sánh trong danh sách phía trên biểu đồ; bấm vào tên một nơi trong chú
# giải để làm nổi nơi đó (giữ Shift để chọn thêm, bấm ra ngoài để bỏ chọn). Một đường chỉ nối
# các điểm của cùng một chuỗi, cách nhau không quá một năm và không qua lần sắp xếp đơn vị
# hành chính 2025; vạch ngang đứt nét là chỉ tiêu phải đạt, không phải kết quả; hình tam giác
# là số in kèm "trên"/"dưới", hình thoi là số "gần"/"khoảng". Số đếm của các cấp hành chính
# khác nhau không chung một trục: so sánh như vậy được tách theo cấp, và dạng "trên 1.000 dân"
# của nó đặt mọi cấp trên một trục.
#
# *How to read: pick a comparison in the list above the chart; click a place in the legend to
# highlight it (shift-click to add more, click elsewhere to clear). A line joins points of one
# series only, at most a year apart and never across the 2025 reorganisation; a dashed
# horizontal tick is a target to reach, not a result; a triangle is a figure printed with
# "over"/"under", a diamond one printed with "nearly"/"about". Counts from different admin
# levels never share an axis: such a comparison is split by level, and its "per 1,000
# residents" form sets every level on one axis.*

# %%
display(explorer.style())
explorer.chart(found)

# %% [markdown]
# ## Số liệu trên 1.000 dân · Per 1,000 residents
#
# Số đếm của cả địa phương (chỉ tiêu có `per_person_base` trong danh mục) chia cho số dân của
# cùng địa phương ở ngày gần nhất với số đếm, nhân 1.000; số dân cách số đếm quá
# `base_max_days_apart` ngày (danh mục) không được dùng, nên số đếm đó không có điểm. Số đếm
# dân (mỗi người nhiều nhất một lần, `counts_residents`) cho tỷ lệ dân, không quá 1.000; số
# đếm khác (lượt tra cứu, lượt khám, hồ sơ) cho tỷ suất trên 1.000 dân, không phải tỷ lệ dân.
# Bảng dưới đây cho biết con số dân số nào đứng sau mỗi điểm và cách đọc.
#
# *A whole locality's count (for indicators whose catalog names a `per_person_base`) divided
# by the population figure of the same locality nearest in date to the count, times 1,000; a
# population figure further from the count than the catalog's `base_max_days_apart` is no
# base, so that count has no point. A count of residents (each at most once,
# `counts_residents`) gives a share of residents, at most 1,000; any other count (look-ups,
# visits, records) a rate per 1,000 residents, never a share of them. The table below gives
# the population figure behind each point and how it reads.*

# %%
presentation.table(explorer.per_person_table(found), labels=explorer.TABLE_LABELS)
