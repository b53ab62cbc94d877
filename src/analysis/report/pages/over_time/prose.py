"""Page 03's words: a short paragraph per comparison, sentence by sentence in Vietnamese
and English, and the page's summary."""

from __future__ import annotations

import pandas as pd

from analysis.report.kit import presentation
from analysis.report.pages.over_time.data import (
    MAX_REFERENCE_DAYS,
    MAX_SEGMENT,
    QUALIFIER_KIND_EN,
    QUALIFIER_KIND_PLURAL_EN,
    QUALIFIER_KIND_VI,
    Comparison,
    Sentence,
    format_gap,
    format_number,
    format_quantity,
    iso,
    same_base,
)

# A change of a share smaller than this (percentage points) is called small in the text.
SMALL_SHARE_CHANGE = 2.0

# --- the words -------------------------------------------------------------------------------



def _place_name(rows: pd.DataFrame, language: str = "vi") -> str:
    name, breakdown = rows[f"name_{language}"].iat[0], rows["breakdown"].iat[0]
    return name if pd.isna(breakdown) else f"{name} · {breakdown}"


def _single_points(single: pd.DataFrame, comparison: Comparison) -> Sentence:
    """The places with one point: named with their value and date, nothing said of a trend."""
    single = single.sort_values(["is_national", "as_of"], ascending=[False, True])
    vi = "; ".join(f"{name} {value} ({day})" for name, value, day in
                   zip(single["name_vi"], single["value_text"], single["as_of_text"], strict=True))
    en = "; ".join(f"{name} {value} ({day})" for name, value, day in
                   zip(single["name_en"], single["value_text_en"], single["as_of_text"],
                       strict=True))
    undrawn = comparison.axis == "count"
    return (f"Chỉ một điểm, chưa đủ để nói về diễn biến{', nên không vẽ' if undrawn else ''}: "
            f"{vi}.",
            f"One point only, too thin to say how it moved{', so not drawn' if undrawn else ''}: "
            f"{en}.")


def _relative(first: float, last: float) -> Sentence:
    """The change relative to the first value: a percentage, or a multiple when it grew
    more than threefold (``4.542,9 %`` reads worse than ``46 times``)."""
    if not first:
        return "", ""
    ratio = last / first
    if ratio > 3:
        times = format_number(ratio, 0 if ratio >= 10 else 1)
        return f" (gấp {times} lần)", f" ({times} times the first)"
    relative = format_number(abs(ratio - 1) * 100, 1)
    return f" ({relative} %)", f" ({relative} %)"


def _movement(rows: pd.DataFrame, comparison: Comparison) -> Sentence:
    """What one series of two or more points did between its first and last point."""
    rows = rows.sort_values("as_of")
    name, name_en, unit = _place_name(rows), _place_name(rows, "en"), comparison.unit
    first, last = rows.iloc[0], rows.iloc[-1]
    span_vi = f"{first['as_of_text']} → {last['as_of_text']}"
    change = last["value"] - first["value"]
    bases = rows["base_value"].dropna()
    if unit == "percent" and len(bases) >= 2 and not same_base(bases.iloc[0], bases.iloc[-1]):
        among = "; ".join(f"{value} ({day})" for value, day in
                          zip(rows["value_text"], rows["as_of_text"], strict=True))
        among_en = "; ".join(f"{value} ({day})" for value, day in
                             zip(rows["value_text_en"], rows["as_of_text"], strict=True))
        low, high = format_number(bases.min(), 0), format_number(bases.max(), 0)
        return (f"{name}: {among}: tỷ lệ của những cơ sở khác nhau (từ {low} đến {high}), là "
                "hai thước đo, nên không nối và không tính mức thay đổi.",
                f"{name_en}: {among_en}: shares of different bases ({low} to {high}), so two "
                "measures, neither joined nor compared.")
    if comparison.axis == "rank" and rows["ranked_of"].nunique() > 1:
        among = "; ".join(f"{value} ({day})" for value, day in
                          zip(rows["value_text"], rows["as_of_text"], strict=True))
        among_en = "; ".join(f"{value} ({day})" for value, day in
                             zip(rows["value_text_en"], rows["as_of_text"], strict=True))
        return (f"{name}: {among}: xếp hạng trên số tỉnh, thành khác nhau (hoặc không in), nên "
                "không so sánh và không nối.",
                f"{name_en}: {among_en}: ranked among different numbers of provinces (or the "
                "number is not printed), so not compared or joined.")
    if comparison.axis == "rank":
        places = abs(int(change))
        vi_move = ("giữ nguyên hạng" if places == 0 else
                   f"tụt {places} bậc" if change > 0 else f"tăng {places} bậc")
        en_move = ("kept its rank" if places == 0 else
                   f"fell {places} place{'s' if places != 1 else ''}" if change > 0 else
                   f"rose {places} place{'s' if places != 1 else ''}")
    elif change == 0:
        vi_move, en_move = "không đổi", "unchanged"
    else:
        up = change > 0
        if unit == "percent":
            amount = f"{format_number(abs(change))} điểm phần trăm"
            amount_en = f"{format_number(abs(change))} percentage points"
            small = abs(change) < SMALL_SHARE_CHANGE
        else:
            relative_vi, relative_en = _relative(first["value"], last["value"])
            amount = format_quantity(abs(change), unit) + relative_vi
            amount_en = format_quantity(abs(change), unit, "en") + relative_en
            small = False
        vi_move = ("nhích " if small else "") + ("tăng " if up else "giảm ") + amount
        en_move = ("a small " if small else "") + ("rise of " if up else "fall of ") + amount_en
    vi = (f"{name}: {first['value_text']} → {last['value_text']} ({span_vi}), {vi_move}.")
    en = (f"{name_en}: {first['value_text_en']} → {last['value_text_en']} ({span_vi}), "
          f"{en_move}.")
    return vi, en


def _thin_data(rows: pd.DataFrame) -> list[Sentence]:
    """Where one series is too thin to read: years between points, bounds instead of values."""
    out: list[Sentence] = []
    rows = rows.sort_values("as_of")
    name, name_en = _place_name(rows), _place_name(rows, "en")
    gaps = rows["as_of"].diff().dt.days.dropna()
    too_far = (rows["as_of"] > rows["as_of"].shift() + MAX_SEGMENT).any()
    if too_far:
        out.append((f"{name}: có khoảng trống {format_gap(int(gaps.max()))} giữa hai điểm, "
                    "không nối bằng đường; không biết diễn biến ở giữa.",
                    f"{name_en}: a gap of {format_gap(int(gaps.max()), 'en')} between two points, "
                    "left unjoined; what happened in between is unknown."))
    bounded = rows[rows["qualifier_kind"].notna()]
    if len(bounded) and len(rows) > 1:
        dates = ", ".join(bounded["as_of_text"])
        kinds_vi = ", ".join(sorted({QUALIFIER_KIND_VI[k] for k in bounded["qualifier_kind"]}))
        several = len(bounded) > 1
        words_en = QUALIFIER_KIND_PLURAL_EN if several else QUALIFIER_KIND_EN
        kinds_en = " or ".join(sorted({words_en[k] for k in bounded["qualifier_kind"]}))
        out.append((f"{name}: số ngày {dates} chỉ là ước lượng hoặc giới hạn ({kinds_vi}), "
                    "nên mức thay đổi chỉ mang tính gần đúng.",
                    f"{name_en}: the figure{'s' if several else ''} of {dates} "
                    f"{'are' if several else 'is'} {kinds_en}, so the size of the change is "
                    "only indicative."))
    return out


def _reference_sentence(drawn: pd.DataFrame, comparison: Comparison) -> Sentence | None:
    """How far each drawn point of a place stands from the national figure it is set against."""
    near = comparison.nearest.merge(drawn[["series_id", "figure_id", "name_vi", "name_en"]],
                                    on=["series_id", "figure_id"]).sort_values(
        ["name_vi", "as_of"])
    if near.empty:
        return None
    unit = comparison.unit
    pairs_vi, pairs_en = [], []
    for ref in near.itertuples():
        days = int(ref.days_apart)
        far_vi = ", quá xa nên không vẽ" if days > MAX_REFERENCE_DAYS else ""
        far_en = ", too far apart to draw" if days > MAX_REFERENCE_DAYS else ""
        pairs_vi.append(f"{ref.name_vi} {iso(ref.as_of)} ↔ "
                        f"{format_quantity(ref.national_value, unit)} ngày "
                        f"{iso(ref.national_as_of)} (cách {format_gap(days)}{far_vi})")
        pairs_en.append(f"{ref.name_en} {iso(ref.as_of)} ↔ "
                        f"{format_quantity(ref.national_value, unit, 'en')} on "
                        f"{iso(ref.national_as_of)} ({format_gap(days, 'en')} apart{far_en})")
    return ("Đối chiếu toàn quốc ở ngày gần nhất: " + "; ".join(pairs_vi) + ".",
            "Against the nearest national figure: " + "; ".join(pairs_en) + ".")


# The columns of a point that describe() and its helpers read.
SENTENCE_COLUMNS = ["series_id", "figure_id", "is_national", "name_vi", "name_en", "breakdown",
                    "as_of", "as_of_text", "value", "value_text", "value_text_en", "ranked_of",
                    "qualifier_kind", "base_value"]


def describe(comparison: Comparison) -> list[Sentence]:
    """A short paragraph, sentence by sentence in Vietnamese and English (each language in
    its own number format: 87,5 % and 87.5 %)."""
    return [(vi, presentation.english_numbers(en)) for vi, en in _describe(comparison)]


def _describe(comparison: Comparison) -> list[Sentence]:
    """A short paragraph, sentence by sentence in Vietnamese and English: what moved, how it
    stands against the country, and where the data is too thin to say."""
    # Only the columns the sentences read: every filter and sort below then moves a dozen
    # columns, not the ~50 of a point.
    results = comparison.results[SENTENCE_COLUMNS]
    sentences: list[Sentence] = []
    if comparison.places == 1:
        place_vi, place_en = results["name_vi"].iloc[0], results["name_en"].iloc[0]
        sentences.append((f"Chỉ {place_vi} có số liệu này: không có nơi nào để so sánh.",
                          f"Only {place_en} reports this measure: there is nothing to compare "
                          "it with."))
    if comparison.axis == "count" and comparison.places > 1:
        sentences.append(("Số lượng tuyệt đối không so được giữa các nơi có dân số khác nhau; "
                          "chỉ đọc diễn biến của từng nơi.",
                          "Absolute counts do not compare across places of different "
                          "population; read each place's own movement only."))
    sizes = results.groupby("series_id")["as_of"].transform("nunique")
    for _, rows in results[sizes >= 2].groupby("series_id", sort=False):
        sentences.append(_movement(rows, comparison))
        sentences += _thin_data(rows)
    if (sizes == 1).any():
        sentences.append(_single_points(results[sizes == 1], comparison))
    drawn = results[results["series_id"].isin(comparison.panels) & ~results["is_national"]]
    if reference := _reference_sentence(drawn, comparison):
        sentences.append(reference)
    if comparison.places > 1 and not comparison.has_national:
        sentences.append(("Không có số liệu toàn quốc cho chỉ tiêu này.",
                          "There is no national figure for this measure."))
    for link in comparison.boundaries.itertuples():
        sentences.append((
            f"Từ {iso(link.effective_on)}, {link.predecessor_vi} thuộc {link.successor_vi}: "
            f"các điểm của {link.successor_vi} mô tả địa bàn mới, không nối với "
            f"{link.predecessor_vi}.",
            f"From {iso(link.effective_on)} {link.predecessor_vi} is part of "
            f"{link.successor_vi}: {link.successor_vi}'s points describe the new territory "
            f"and are not joined to {link.predecessor_vi}'s line."))
    targets = comparison.points.loc[comparison.points["is_target"], SENTENCE_COLUMNS]
    for name_vi, name_en, value_vi, value_en, day in zip(
            targets["name_vi"], targets["name_en"], targets["value_text"],
            targets["value_text_en"], targets["as_of_text"], strict=True):
        sentences.append((f"Mục tiêu (gạch đứt, không phải kết quả): {name_vi} "
                          f"{value_vi} đến {day}.",
                          f"Target (dashed, not a result): {name_en} {value_en} by {day}."))
    return sentences


# --- the page --------------------------------------------------------------------------------


def page_summary(found: list[Comparison]) -> list[Sentence]:
    """What the page charts, in two sentences, and which measures it leaves undrawn."""
    drawn = [c for c in found if c.not_drawn is None]
    several = [c for c in drawn if c.drawn_places > 1]
    national = [c for c in several if c.has_national]
    indicators = sorted({c.label("en") for c in several})
    sentences = [(
        f"{len(several)} so sánh có số liệu ở từ hai nơi trở lên (tính cả toàn quốc), "
        f"{len(national)} trong đó có số liệu toàn quốc; {len(drawn) - len(several)} so sánh "
        f"chỉ một nơi có từ hai ngày trở lên; {len(found) - len(drawn)} không vẽ (xem bảng).",
        f"{len(several)} comparisons have figures in two or more places (the country counting "
        f"as one), {len(national)} of them with the national reference; "
        f"{len(drawn) - len(several)} are reported by one place at two or more dates; "
        f"{len(found) - len(drawn)} are not drawn (see the table).")]
    if indicators:
        labels_vi = sorted({c.label("vi") for c in several})
        sentences.append((f"Các chỉ tiêu có từ hai nơi: {'; '.join(labels_vi)}.",
                          f"Measures with two or more places: {'; '.join(indicators)}."))
    return sentences



def lineage_notes(comparison: Comparison) -> list[str]:
    """A line beside the chart for each place of the 2025 reorganisation it shows: which
    unit continues it, or which units it continues (Hòa Bình → Phú Thọ, Bình Định → Gia
    Lai, Bình Sơn → its five communes). Bilingual, one line each."""
    links = comparison.lineage
    if links.empty:
        return []
    places = set(comparison.results["locality_id"])
    notes = []
    for (predecessor, name, day), rows in links.groupby(
            ["predecessor_id", "predecessor_vi", "effective_on"], sort=True):
        if predecessor not in places:
            continue
        successors = ", ".join(sorted(set(rows["successor_vi"])))
        notes.append(f"Từ {iso(day)}, {name} được tiếp nối bởi {successors}; số liệu trước và "
                     f"sau ngày đó không nối thành một đường · From {iso(day)} {name} is "
                     f"continued by {successors}; figures before and after are not one line.")
    for (successor, name, day), rows in links.groupby(
            ["successor_id", "successor_vi", "effective_on"], sort=True):
        if successor not in places:
            continue
        before = ", ".join(sorted(set(rows["predecessor_vi"])))
        notes.append(f"{name} (từ {iso(day)}) tiếp nối {before} · {name} (from {iso(day)}) "
                     f"continues {before}.")
    return notes
