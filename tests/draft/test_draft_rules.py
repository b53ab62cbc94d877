"""The drafting rules for the classes of misreadings found on real pages (issue 21, item 3).

Each class has a test of its own; the sentences are written for the tests in the pages'
manner (English editions of provincial papers, Vietnamese reports), not copied from them.
"""

from __future__ import annotations

import pytest

from analysis.draft.draft import draft_text

LOCALITY = "hoa-binh"


def _draft(text: str, language: str = "en", locality: str = LOCALITY) -> list[dict[str, str]]:
    return draft_text(text, "xx-2099-01", locality, language).rows


def _numbers(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["numerator"], row["denominator"], row["value"], row["percent"]


def _skips(text: str, language: str = "en") -> list[tuple[str, str]]:
    return [(s.text, s.reason) for s in draft_text(text, "xx-2099-01", LOCALITY, language).skipped]


# --- a target as the base ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Kích hoạt 5.000 tài khoản, đạt 80% so với chỉ tiêu 6.250 tài khoản.", "vi",
     ("5.000", "6.250", "", "80%")),
    ("Toàn tỉnh đạt 80% so với chỉ tiêu 6.250 tài khoản được giao.", "vi",
     ("", "6.250", "", "80%")),
    ("The province activated 5,000 accounts, reaching 80% of the target of 6,250.", "en",
     ("5,000", "6,250", "", "80%")),
])
def test_a_share_of_a_target_is_one_row_with_the_target_as_base(
        text: str, language: str, expected: tuple[str, ...]) -> None:
    rows = _draft(text, language)
    assert [_numbers(r) for r in rows] == [expected]
    assert "base is the target" in rows[0]["note"]


# --- English ratio wording -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("The province handled 43,535 online documents out of a total of 88,412.",
     ("43,535", "88,412", "", "")),
    ("Out of a total of 88,412 documents received, 43,535 were online, accounting for 49.2%.",
     ("43,535", "88,412", "", "49.2%")),
    ("As of June 28, out of the over 6.22 million accounts created, more than 4.22 million "
     "were activated.", ("4.22 million", "6.22 million", "", "")),
    ("The online rate reached 45.5% (online 1,234/2,712 records).",
     ("1,234", "2,712", "", "45.5%")),
    ("So far 17 of the 25 essential services are online.", ("17", "25", "", "")),
    ("It provided 1,343 out of 1,868 public services online, equivalent to 71.9%.",
     ("1,343", "1,868", "", "71.9%")),
])
def test_english_ratio_wording_gives_one_ratio_row(text: str, expected: tuple[str, ...]) -> None:
    assert [_numbers(r) for r in _draft(text)] == [expected]


def test_the_qualifier_of_the_count_stays_with_the_ratio() -> None:
    row, = _draft("Out of the over 6.22 million accounts created, more than 4.22 million were "
                  "activated.")
    assert row["qualifier"] == "more than"


def test_a_count_then_its_share_of_the_whole_is_one_row() -> None:
    row, = _draft("Nearly 12,270 medical units, 96 percent of the country's facilities, accept it.")
    assert _numbers(row) == ("", "", "12,270", "96 percent")


# --- page furniture --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "https://vss.gov.vn/english/news/Pages/vietnam-social-security.aspx?CateID=198&ItemID=12588",
    "Source: eng.binhduong.gov.vn/Lists/TinTucSuKien/ChiTiet.aspx?ID=5572&PageIndex=22",
    "Read more at www.example.vn/tin-tuc/2024/12/ket-qua-25-dich-vu.html",
])
def test_addresses_and_query_strings_are_not_figures(text: str) -> None:
    assert _draft(text) == []
    assert any("web address or query string" in reason for _, reason in _skips(text))


def test_a_list_name_is_not_a_figure_but_a_count_in_it_is() -> None:
    assert _draft("The province reviewed the 25 essential public services.") == []
    assert ("the 25", "names a list (the N …), not a measurement") in \
        _skips("The province reviewed the 25 essential public services.")
    assert [_numbers(r) for r in _draft("It provides 20 of the 25 essential services.")] == \
        [("20", "25", "", "")]


def test_a_campaign_name_in_quotation_marks_and_a_hyphenated_period_are_not_figures() -> None:
    text = 'After the 1-month peak "90 days and nights for residence data", 12 ministries joined.'
    assert [_numbers(r) for r in _draft(text)] == [("", "", "12", "")]


# --- a stray space in a percent -------------------------------------------------------------

def test_a_percent_with_a_stray_space_is_one_percent() -> None:
    row, = _draft("Online dossiers numbered 20,734 (3. 90%) in the quarter.")
    assert _numbers(row) == ("", "", "20,734", "3. 90%")


def test_the_vietnamese_stray_space_still_reads_as_one_percent() -> None:
    row, = _draft("Số hồ sơ trực tuyến là 20.734 (đạt 35, 86%).", "vi")
    assert _numbers(row) == ("", "", "20.734", "35, 86%")


# --- parts, and rates that are not parts ----------------------------------------------------

def test_of_the_number_lists_parts_of_the_total() -> None:
    rows = _draft("The province received 88,412 documents. Of the number, 2,635 came via the "
                  "national portal and 40,900 via the provincial portal.")
    total, *parts = rows
    assert [(p["value"], p["relation"], p["related_figure"]) for p in parts] == [
        ("2,635", "part_of", total["figure_id"]), ("40,900", "part_of", total["figure_id"])]


def test_rates_per_month_and_per_day_are_not_parts_of_a_total() -> None:
    rows = _draft("The centre received 2.1 million records, of which about 177,000 records per "
                  "month and 8,000 per day on average.")
    assert [r["relation"] for r in rows] == ["", "", ""]
    rows = _draft("Tiếp nhận 2.100 hồ sơ, trong đó bình quân 177 hồ sơ mỗi tháng.", "vi")
    assert [r["relation"] for r in rows] == ["", ""]


# --- vague amounts and number words -----------------------------------------------------------

def test_hundreds_of_and_number_words_are_listed_not_drafted() -> None:
    text = "Hundreds of thousands of people and twenty communes joined; 15 wards did too."
    assert [_numbers(r) for r in _draft(text)] == [("", "", "15", "")]
    reasons = {reason for _, reason in _skips(text)}
    assert "vague amount (hundreds of …), not a printed figure" in reasons
    assert any(reason.startswith("number in words") for reason in reasons)


def test_number_words_up_to_ten_with_a_scale_are_still_figures() -> None:
    assert _numbers(_draft("Accounts: over one million.")[0]) == ("", "", "one million", "")


@pytest.mark.parametrize(("text", "language"), [
    ("The province received 88,412 documents.\nOf which, 2,635 came via the national portal "
     "and 40,900 via the provincial portal.", "en"),
    ("Tiếp nhận 88.412 hồ sơ.\n\n- Trong đó: 2.635 hồ sơ qua Cổng quốc gia, 40.900 hồ sơ qua "
     "Cổng tỉnh.", "vi"),
])
def test_parts_announced_on_the_next_line_are_linked_to_their_total(text: str,
                                                                     language: str) -> None:
    total, *parts = _draft(text, language)
    assert [(p["relation"], p["related_figure"]) for p in parts] == \
        [("part_of", total["figure_id"])] * 2


def test_a_next_line_after_a_line_without_figures_is_not_linked() -> None:
    rows = _draft("Received 88,412 documents.\nResults by channel\nOf which, 2,635 online.")
    assert [r["relation"] for r in rows] == ["", ""]


def test_rates_on_the_next_line_are_not_parts() -> None:
    rows = _draft("Received 2.1 million records.\nOf which about 177,000 records per month.")
    assert [r["relation"] for r in rows] == ["", ""]


# --- indicator guesses that fit the figure's shape --------------------------------------------

def _kind(indicator_id: str) -> str:
    from analysis import paths
    from analysis.draft.lexicon import load_indicator_kinds

    return load_indicator_kinds(paths.RAW).get(indicator_id, "")


@pytest.mark.parametrize(("text", "expected"), [
    ("In the PAR Index, Hoa Binh ranked 11th out of 63 provinces.", ("11", "63", "", "")),
    ("Hòa Bình xếp thứ 11/63 tỉnh, thành phố về Chỉ số PAR Index.", ("11", "63", "", "")),
])
def test_an_ordinal_out_of_n_is_a_rank_with_its_base(text: str, expected: tuple) -> None:
    language = "vi" if "xếp" in text else "en"
    row, = _draft(text, language)
    assert _numbers(row) == expected
    assert _kind(row["indicator_id"]) == ("rank" if language == "en" else "")


def test_a_rank_indicator_is_never_put_on_a_count() -> None:
    rows = _draft("The PAR Index rank survey polled 39,700 respondents; Hoa Binh ranked 5th.")
    count, rank = rows
    assert count["value"] == "39,700" and _kind(count["indicator_id"]) != "rank"
    assert rank["value"] == "5" and _kind(rank["indicator_id"]) == "rank"


def test_a_change_gets_only_a_change_indicator() -> None:
    row, = _draft("Chỉ số PAPI của tỉnh tăng 23 bậc.", "vi")
    assert _kind(row["indicator_id"]) == "change"


# --- ranges and other places ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "language"), [
    ("Each commune has from 10 to 15 support points.", "en"),
    ("It is among 16 localities with scores between 43.44 and 47.88.", "en"),
    ("Mỗi xã bố trí từ 10 đến 15 điểm hỗ trợ.", "vi"),
])
def test_the_bounds_of_a_range_are_noted_as_one_range(text: str, language: str) -> None:
    rows = [r for r in _draft(text, language) if "range" in r["note"]]
    assert len(rows) == 2
    assert all("one bound of a range printed" in r["note"] for r in rows)


def test_two_figures_in_a_row_are_not_a_range() -> None:
    assert not any("range" in r["note"]
                   for r in _draft("It received 10 applications and 15 complaints."))


def test_a_sentence_naming_another_province_is_flagged() -> None:
    rows = _draft("Hoa Binh reached 90.61%. Bac Kan was at the bottom with only 75.03%.")
    own, other = rows
    assert "another place" not in own["note"]
    assert "another place (Bắc Kạn)" in other["note"]


def test_a_national_source_flags_every_province_named() -> None:
    row, = _draft("Hà Nội đạt 95% hồ sơ trực tuyến.", "vi", locality="viet-nam")
    assert "another place (Hà Nội)" in row["note"]


def test_the_source_s_own_province_is_not_another_place() -> None:
    row, = _draft("Binh Son district of Quang Ngai issued 5,000 cards.", locality="binh-son")
    assert "another place" not in row["note"]


# --- the page's number format, read once -------------------------------------------------------

def test_a_page_printing_the_other_number_format_is_flagged_once_and_on_each_row() -> None:
    text = ("The province received 1.234.567 records, 80,17% of them online.\n"
            "Accounts reached 2.345.678, or 65,5% of residents.")
    draft = draft_text(text, "xx-2099-01", LOCALITY, "en")
    assert "the page prints numbers in Vietnamese (1.234,5) format" in draft.format_warning
    assert draft.rows and all("number format" in r["note"] for r in draft.rows)


def test_a_page_in_its_own_format_is_not_flagged() -> None:
    draft = draft_text("It received 1,234,567 records, 80.17% online; 20.5 million in all.",
                       "xx-2099-01", LOCALITY, "en")
    assert draft.format_warning == ""
    assert not any("number format" in r["note"] for r in draft.rows)
    assert draft_text("Đã cấp 1.234.567 thẻ, đạt 80,17%.", "xx-2099-01", LOCALITY,
                      "vi").format_warning == ""


def test_the_command_warns_once_about_the_page_format(tmp_path, capsys) -> None:
    from analysis.cli import main

    text = tmp_path / "page.txt"
    text.write_text("Received 1.234.567 records (80,17%); 2.345.678 accounts (65,5%).\n",
                    encoding="utf-8")
    assert main(["draft", str(text), "--source-id", "xx-2099-01", "--locality", LOCALITY,
                 "--language", "en", "--out", str(tmp_path / "d.csv")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines()
                if line.startswith("warning:")]
    assert len(warnings) == 1 and "Vietnamese (1.234,5) format" in warnings[0]


def test_a_number_in_neither_format_is_left_to_the_reviewer() -> None:
    text = "Police granted 1,311,523 out of 8.876,168 identity cards (reaching nearly 15%)."
    assert [_numbers(r) for r in _draft(text)] == [("", "", "1,311,523", "15%")]
    assert any(t == "8.876,168" for t, _ in _skips(text))


def test_an_age_bound_is_not_a_figure() -> None:
    assert [_numbers(r) for r in _draft("A survey of 39,700 respondents aged from 18.")] == \
        [("", "", "39,700", "")]


@pytest.mark.parametrize(("text", "expected"), [
    ("An on-time processing rate of 90.33 per cent.", ("", "", "", "90.33 per cent")),
    ("Online payments totalled nearly 13.9 billion VND.", ("", "", "13.9 billion VND", "")),
    ("It received 5,781 e-submissions (77.62 per cent).", ("", "", "5,781", "77.62 per cent")),
])
def test_per_cent_and_a_currency_after_the_amount(text: str, expected: tuple) -> None:
    assert [_numbers(r) for r in _draft(text)] == [expected]


@pytest.mark.parametrize(("text", "language"), [
    ("Police received 3,315,544 online and 6,856,506 face-to-face applications, reaching "
     "32.6%.", "en"),
    ("Tiếp nhận 3.315 hồ sơ trực tuyến và 6.856 hồ sơ trực tiếp, đạt 32,6%.", "vi"),
])
def test_a_percent_after_two_joined_counts_stays_apart_with_a_note(text: str,
                                                                    language: str) -> None:
    first, second, share = _draft(text, language)
    assert (first["percent"], second["percent"]) == ("", "")
    assert share["percent"] in {"32.6%", "32,6%"} and "two counts" in share["note"]
