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
# # 03 · Diễn biến theo thời gian · Over time
#
# Mỗi địa phương thay đổi thế nào so với cả nước? Mỗi biểu đồ là một thước đo (cùng chỉ
# tiêu, đơn vị và cơ sở) với các địa phương và số liệu toàn quốc trên một trục thời gian
# thật, nên khoảng cách giữa các ngày hiện đúng như thực tế.
#
# *How did each place move, against the country? Each chart is one measure (same indicator,
# unit and base) with the localities and the national reference on one real time axis, so
# the gaps between dates show as they are.*
#
# Cách đọc: một đường chỉ nối các điểm của cùng một chuỗi, cách nhau không quá một năm; hình
# tam giác là số có chữ "trên"/"dưới", hình thoi là số "gần"/"khoảng"; vạch xám là giá trị
# toàn quốc ở ngày gần nhất; đường dọc là ngày sắp xếp lại đơn vị hành chính 2025, vẽ ở
# biểu đồ có cả đơn vị cũ và đơn vị kế tiếp; dưới mỗi biểu đồ có một dòng nói đơn vị nào kế
# tiếp đơn vị nào.
#
# *How to read: a line joins points of one series only, at most a year apart; a triangle is
# a figure printed with "over"/"under", a diamond one printed with "nearly"/"about"; a grey
# tick is the national value at the nearest date; a vertical rule is the date of the 2025
# reorganisation of administrative units, drawn where a chart shows both a unit and its
# successor; a line under each chart says which unit continues which.*

# %%
from analysis.report import queries
from analysis.report.kit import presentation
from analysis.report.pages import over_time

con = queries.connect()
found = over_time.comparisons(con)
several = [c for c in found if c.not_drawn is None and c.drawn_places > 1]
one_place = [c for c in found if c.not_drawn is None and c.drawn_places == 1]
presentation.sentence_list(over_time.page_summary(found))

# %% [markdown]
# ## Nhiều nơi trên một trục thời gian · Several places on one time axis

# %%
for comparison in several:
    over_time.show(comparison)

# %% [markdown]
# ## Chỉ một nơi có số liệu · Reported by one place only
#
# Các thước đo dưới đây chỉ một nơi báo cáo, ở từ hai ngày trở lên: đọc được diễn biến của
# nơi đó, không so được với nơi khác.
#
# *The measures below are reported by one place only, at two or more dates: they show how
# that place moved, with nothing to compare it with.*

# %%
for comparison in one_place:
    over_time.show(comparison)

# %% [markdown]
# ## Không vẽ, và vì sao · Not drawn, and why

# %%
presentation.table(over_time.not_drawn_table(found), labels=over_time.TABLE_LABELS)

# %% [markdown]
# ## Các điểm số liệu của biểu đồ · The points behind the charts

# %%
presentation.table(over_time.points_table(found), labels=over_time.TABLE_LABELS)
