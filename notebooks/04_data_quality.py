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
# Số liệu in nào sai, và vì sao. Các quy tắc kiểm tra (expectations/rules.yml) chạy hai lần
# trong DuckDB: trên số liệu như bản in, nơi mọi lỗi phải được sổ đính chính giải thích, và
# trên các mart đã sửa, nơi không được còn lỗi nào. Trang này đọc kết quả từ các view
# `findings`, `errata`, `validation_summary` và `rounding_conventions`, như báo cáo kiểm tra
# (validation.html).
#
# *Which printed figures are wrong, and why. The validation rules (expectations/rules.yml)
# run twice inside DuckDB: on the figures as printed, where every failure must be explained
# by the errata register, and on the corrected marts, where nothing may fail. This page reads
# the results from the `findings`, `errata`, `validation_summary` and `rounding_conventions`
# views, as the validation report (validation.html) does.*

# %%
from analysis.report import queries
from analysis.report.kit import charts, labels
from analysis.report.kit.presentation import bilingual, number, number_en, table

con = queries.connect()
summary = queries.validation_summary(con)
failures = queries.findings(con, layer="raw")
errata = queries.errata(con)
LAYERS = labels.group("validation_layers")
SEVERITY = labels.group("severities")
ACTIONS = labels.group("erratum_actions")

# %%
# The same totals as the validation report's verdict: every check on every layer.
checks, failed = int(summary["applicable"].sum()), int(summary["failed"].sum())
layers = summary["layer"].nunique()
unexplained = int(summary["unexplained"].sum())
raw = summary[summary["layer"] == "raw"]
marts = summary[summary["layer"] == "marts"]
marts_errors = int(marts.loc[marts["severity"] == "error", "failed"].sum())
marts_warnings = int(marts.loc[marts["severity"] == "warning", "failed"].sum())
stale = int(errata["stale"].fillna(False).sum())
bilingual(
    f"**{number(checks)} lượt kiểm tra trên {number(layers)} lớp, {number(failed)} không "
    f"đạt**, tất cả được **{number(len(errata))} đính chính** giải thích "
    f"({number(unexplained)} chưa giải thích). Trên số liệu như bản in: "
    f"{number(int(raw['failed'].sum()))} trên {number(int(raw['applicable'].sum()))} không "
    f"đạt. Sau khi sửa: {number(marts_errors)} lỗi và {number(marts_warnings)} cảnh báo được "
    f"ghi nhận. Đính chính lỗi thời: {number(stale)}.",
    f"**{number_en(checks)} checks on {number_en(layers)} layers, {number_en(failed)} "
    f"failing**, all explained by the **{number_en(len(errata))} errata** "
    f"({number_en(unexplained)} unexplained). On the figures as printed: "
    f"{number_en(int(raw['failed'].sum()))} of {number_en(int(raw['applicable'].sum()))} fail. "
    f"After corrections: {number_en(marts_errors)} error{'s' * (marts_errors != 1)} and "
    f"{number_en(marts_warnings)} warning{'s' * (marts_warnings != 1)} remain on record. "
    f"Stale errata: {number_en(stale)}.")

# %% [markdown]
# ## Số liệu in nào sai · Which printed figures are wrong
# Mỗi lượt kiểm tra không đạt trên số liệu như bản in, với phép tính và đính chính giải
# thích nó.
#
# *Each failing check on the figures as printed, with its arithmetic and the erratum that
# explains it.*

# %%
# The rules write their arithmetic in English, words and digits: shown as written and marked
# English, so each language keeps its one number format (the printed column is the source's).
table(failures.assign(severity=failures["severity"].map(SEVERITY)),
      ["rule", "severity", "figure_id", "locator", "printed", "observed", "expected",
       "erratum_id"], languages={"observed": "en", "expected": "en"})

# %% [markdown]
# ## Sổ đính chính và tác động của từng mục · The errata register and what each entry changes
# Xử lý *sửa* thay số in bằng số đã nêu; *gắn cờ* giữ số liệu nhưng không dùng con số không
# đáng tin trong so sánh.
#
# *A* correct *action replaces printed values with stated ones; a* flag *keeps the figure but
# withholds the untrusted number from comparisons.*

# %%
# The explanation in Vietnamese first, then in English; the evidence is arithmetic written
# once, in English.
table(errata.assign(action=errata["action"].map(ACTIONS).fillna(errata["action"])),
      ["erratum_id", "action", "rules", "explanation_vi", "explanation", "evidence"],
      languages={"explanation": "en", "evidence": "en"})

# %%
table(queries.errata_effects(con),
      ["erratum_ids", "figure_id", "printed", "used_numerator", "used_denominator",
       "used_value", "used_pct", "share_basis", "is_corrected", "withheld_fields"])

# %% [markdown]
# ## Làm tròn hay cắt bớt? · Rounded or truncated?
# Một phần trăm in được chấp nhận nếu bằng tỷ lệ làm tròn *hoặc* cắt bớt tới số chữ số thập
# phân đã in. Nhiều nguồn dùng cả hai cách, nên coi số cắt bớt là sai sẽ là báo động giả.
#
# *A printed percentage is accepted if it equals its ratio rounded* or *truncated to the
# printed decimals. Several sources use both conventions, so flagging a truncated value as
# wrong would be a false alarm.*

# %%
conventions = queries.rounding_conventions(con)
mixed = conventions[(conventions["rounded"] > 0) & (conventions["truncated"] > 0)]
both = ", ".join(mixed["source_id"])
bilingual(f"Nguồn dùng cả hai cách: {both or 'không có'}.",
          f"Sources using both conventions: {both or 'none'}.")

# %%
charts.convention_chart(conventions)

# %% [markdown]
# ## Hai bản tin về một sự kiện · Two reports of one event
# Các cặp số liệu cùng chỉ tiêu, địa phương và phạm vi, ghi ngày cách nhau tối đa bảy ngày,
# được đặt cạnh nhau. Số được dùng theo một quy tắc cố định: báo cáo chính thức trước tin báo,
# rồi bản đăng sau.
#
# *Pairs of figures with the same indicator, locality and breakdown, dated at most seven days
# apart, are set side by side. The preferred value follows a fixed rule: an official report
# over a news article, then the later publication.*

# %%
pairs = queries.reconciliation(con)
for side in ("a", "b"):
    pairs[f"report_{side}"] = (pairs[f"source_{side}"] + " (" + pairs[f"as_of_{side}"].astype(str)
                               + "): " + pairs[f"printed_{side}"])
table(pairs, ["indicator_id", "breakdown", "report_a", "report_b", "days_apart", "agree",
              "preferred_figure", "preferred_because"],
      labels={"report_a": ("Bản tin A", "report A"), "report_b": ("Bản tin B", "report B")})

# %% [markdown]
# ## Phần trăm không quy tắc nào kiểm được · Percentages no rule can check
# Cơ sở của chúng không được in ở đâu, nên giữ nguyên như bản in và ghi là không kiểm chứng
# được.
#
# *Their base is printed nowhere, so they are kept as printed and labelled unverifiable.*

# %%
table(queries.unverifiable_percents(con),
      ["figure_id", "printed", "locator", "indicator_vi", "note"])

# %% [markdown]
# ## Mọi quy tắc, mọi lớp · All rules, every layer
# Điều mỗi quy tắc khẳng định (expectations/rules.yml), rồi số lượt kiểm tra trên mỗi lớp.
#
# *What each rule asserts (expectations/rules.yml), then its checks on each layer.*

# %%
rules = queries.rules(con)
table(rules.assign(severity=rules["severity"].map(SEVERITY)),
      ["rule", "severity", "description_vi", "description"], languages={"description": "en"})

# %%
order = {layer: index for index, layer in enumerate(LAYERS)}
summary = summary.sort_values(["layer", "severity", "rule"],
                              key=lambda c: c.map(order) if c.name == "layer" else c)
table(summary.assign(layer=summary["layer"].map(LAYERS).fillna(summary["layer"]),
                     severity=summary["severity"].map(SEVERITY)),
      ["layer", "rule", "severity", "applicable", "failed", "explained", "unexplained"])
