"""Page 02's words: every count a sentence gives is counted on the frame of the table or the
charts it describes, so the prose and the table cannot disagree."""

from __future__ import annotations

import pandas as pd

from analysis.report.kit.presentation import english_numbers, number

Sentence = tuple[str, str]  # (Vietnamese, English)


def introduction(drawn: dict[str, pd.DataFrame], single_rows: pd.DataFrame) -> Sentence:
    """How many comparisons are drawn, and how many rows (and measures) the single-place
    table at the end of the page lists."""
    measures = single_rows["comparison_id"].nunique()
    rows = len(single_rows)
    return (
        f"**{number(len(drawn))} so sánh** có từ hai địa phương trở lên được vẽ dưới đây. "
        f"**{number(measures)} thước đo** ({number(rows)} số liệu) chỉ một địa phương báo "
        "cáo, nên được liệt kê trong bảng cuối trang thay vì vẽ thành một thanh đơn lẻ.",
        english_numbers(
            f"**{number(len(drawn))} comparisons** with two or more localities are drawn "
            f"below. **{number(measures)} measures** ({number(rows)} figures) are reported by "
            "only one locality, so they are listed in the table at the end of the page instead "
            "of being drawn as a lone bar."))


def set_aside(points: pd.DataFrame) -> Sentence:
    """The shares left out of a comparison because the source printed no base."""
    items = "; ".join(f"{r.locality_vi}, {r.indicator_vi} ({r.printed}, {r.as_of:%Y-%m-%d})"
                      for r in points.itertuples())
    items_en = "; ".join(f"{r.locality_vi}, {r.indicator_en} ({r.printed}, {r.as_of:%Y-%m-%d})"
                         for r in points.itertuples())
    return (f"Không đặt cạnh các tỷ lệ khác, vì nguồn không in cơ sở của số này (tỷ lệ chỉ "
            f"tính được từ tổng của một số liệu khác, có thể là một danh sách khác): {items}.",
            f"Not set beside the other shares, because the source prints no base with this "
            f"figure (a share could only be computed from another figure's total, which may "
            f"be another list): {items_en}.")


def per_place(single_rows: pd.DataFrame) -> Sentence:
    """Per place, how many measures of the single-place table it reports."""
    counts = single_rows.groupby("locality_vi")["comparison_id"].nunique().sort_values(
        ascending=False)
    listed = ", ".join(f"{place} {number(n)}" for place, n in counts.items())
    return (f"Số thước đo chỉ một nơi báo cáo: {listed}.",
            english_numbers(f"Measures only one place reports: {listed}."))
