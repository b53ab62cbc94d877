"""`python -m analysis draft`: figures proposed from a report's text, and what it leaves out.

The end-to-end case is a small report written for this test (tests/draft/fixtures): its
draft, once dates and indicator ids are filled in as a reviewer would, must pass the raw
check and build. The seed documents live outside the repository; the recall check against
their hand transcriptions runs only when DE_AN_06_SEEDS points at them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from pathlib import Path

import pytest

from analysis import paths
from analysis.cli import main
from analysis.draft.draft import draft_text
from analysis.draft.lexicon import load_indicator_ids, load_keywords
from analysis.errors import ProjectError
from analysis.ingest import COLUMNS, ID_PATTERNS, load_raw, read_table

REPORT = Path(__file__).parent / "fixtures" / "phuoc_hoa_report.txt"
SOURCE_ID = "bd-2099-10"
LOCALITY = "binh-dinh"


def _draft(text: str, language: str = "vi") -> list[dict[str, str]]:
    return draft_text(text, "xx-2099-01", LOCALITY, language).rows


def _one(text: str, language: str = "vi") -> dict[str, str]:
    rows = _draft(text, language)
    assert len(rows) == 1, rows
    return rows[0]


def _numbers(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["numerator"], row["denominator"], row["value"], row["percent"]


def _skips(text: str, language: str = "vi") -> list[tuple[str, str]]:
    return [(s.text, s.reason) for s in draft_text(text, "xx-2099-01", LOCALITY, language).skipped]


# --- pairing: the ways the sources print one figure ---------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Đã giải quyết 1.204/1.530 hồ sơ, đạt 78,69%.", ("1.204", "1.530", "", "78,69%")),
    ("Có 312 hộ dùng ví điện tử, đạt 41,2%.", ("", "", "312", "41,2%")),
    ("Đã chi trả 640 đối tượng (đạt 35,5% so với 1.803 đối tượng).",
     ("640", "1.803", "", "35,5%")),
    ("Có 9 thôn trên tổng số 12 thôn đã có điểm hỗ trợ.", ("9", "12", "", "")),
    ("Đã nhận **2.048/2.100** hồ sơ (đạt tỷ lệ **97,52%**).",
     ("**2.048**", "**2.100**", "", "**97,52%**")),
    ("Đã xử lý 77 hồ sơ/ 80 hồ sơ.", ("77", "80", "", "")),
    ("Tiếp nhận 900 hồ sơ, trong đó trực tuyến 450 hồ sơ, đạt 50%.",
     ("450", "900", "", "50%")),
    ("Procedures online: 1,191 of 1,885, printed 63.18%.", ("1,191", "1,885", "", "63.18%")),
])
def test_pairs_numbers_the_way_sources_print_them(text: str, expected: tuple) -> None:
    language = "en" if text.startswith("Procedures") else "vi"
    assert _numbers(_one(text, language)) == expected


def test_a_percent_in_the_next_statement_stays_its_own_figure() -> None:
    rows = _draft("Có 450 hộ dùng ví điện tử, hơn 60% người cao tuổi nhận qua tài khoản.")
    assert [_numbers(r) for r in rows] == [("", "", "450", ""), ("", "", "", "60%")]


def test_so_voi_without_a_number_points_at_the_figure_before() -> None:
    rows = _draft("Đã cấp **500** thẻ, kích hoạt **400** tài khoản (đạt **80%** so với số đã cấp).")
    assert _numbers(rows[1]) == ("**400**", "**500**", "", "**80%**")
    assert "base read from the figure printed before" in rows[1]["note"]


def test_trong_do_lists_parts_of_the_total_before_it() -> None:
    rows = _draft("Có 60 dịch vụ. Trong đó có 35 dịch vụ toàn trình, 25 dịch vụ một phần.")
    total, *parts = rows
    assert [(p["value"], p["relation"], p["related_figure"]) for p in parts] == [
        ("35", "part_of", total["figure_id"]), ("25", "part_of", total["figure_id"])]


def test_trong_do_with_a_lone_percent_is_a_share_of_the_total() -> None:
    total, share = _draft("Có 80 thủ tục có thu phí. Trong đó, số thủ tục đã thanh toán là 55%.")
    assert (share["percent"], share["relation"], share["related_figure"]) == \
        ("55%", "percent_of", total["figure_id"])


def test_parenthesised_figures_are_parts_and_con_is_a_remainder() -> None:
    rows = _draft("Đã cấp 700/760 thẻ (cấp huyện 300 thẻ, cấp xã 400 thẻ), còn 60 người chưa cấp.")
    whole, district, commune, rest = rows
    assert {district["relation"], commune["relation"]} == {"part_of"}
    assert district["related_figure"] == commune["related_figure"] == whole["figure_id"]
    assert (rest["value"], rest["relation"], rest["related_figure"]) == \
        ("60", "remainder_of", whole["figure_id"])


# --- qualifiers, units, "tỷ lệ" -------------------------------------------------------------

@pytest.mark.parametrize(("text", "language", "qualifier", "value"), [
    ("Kinh phí gần 1,2 tỷ đồng.", "vi", "gần", "1,2 tỷ đồng"),
    ("Có trên 450 hộ tham gia.", "vi", "trên", "450"),
    ("Có hơn 3.000 lượt truy cập.", "vi", "hơn", "3.000"),
    ("Giải ngân khoảng 300 triệu đồng.", "vi", "khoảng", "300 triệu đồng"),
    ("Bố trí ít nhất 01 cán bộ.", "vi", "ít nhất", "01"),
    ("Users: nearly 6.4 million.", "en", "nearly", "6.4 million"),
    ("Savings of more than VND 59 billion.", "en", "more than", "VND 59 billion"),
    ("Accounts: over one million.", "en", "over", "one million"),
    ("About 70 communes joined.", "en", "about", "70"),
])
def test_qualifier_comes_from_the_words_before_the_number(text: str, language: str,
                                                          qualifier: str, value: str) -> None:
    row = _one(text, language)
    assert (row["qualifier"], row["value"]) == (qualifier, value)


def test_dưới_is_a_bound_for_a_share_but_an_age_is_skipped() -> None:
    row = _one("Còn dưới 5% hồ sơ trễ hạn, cấp thẻ cho trẻ dưới 6 tuổi.")
    assert (row["qualifier"], row["percent"]) == ("dưới", "5%")
    assert ("dưới 6 tuổi", "age") in _skips("Cấp thẻ cho trẻ dưới 6 tuổi.")


def test_ty_le_is_never_a_unit() -> None:
    row = _one("Số hồ sơ 45 tỷ lệ đạt 60%.")
    assert _numbers(row) == ("", "", "45", "60%")
    assert _one("Thu 1,5 tỷ đồng.")["value"] == "1,5 tỷ đồng"


def test_a_change_keeps_its_direction_word_and_says_what_it_needs() -> None:
    row = _one("Tỷ lệ xác thực tăng 5,87% so với tháng trước.")
    assert row["value"] == "tăng 5,87%"
    assert "percentage_points" in row["note"]
    assert _one("Chỉ số PAPI tăng 23 bậc.")["value"] == "tăng 23 bậc"


# --- what is not a figure ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "skipped", "reason"), [
    ("Thực hiện Quyết định số 06/QĐ-TTg của Chính phủ.", "Quyết định số 06/QĐ-TTg",
     "document number"),
    ("Theo Công văn 2815 của Tổ công tác.", "Công văn 2815", "document number"),
    ("Theo Kế hoạch số 50 của huyện.", "Kế hoạch số 50", "document number"),
    ("Báo cáo ngày 15/9/2023 của xã.", "15/9/2023", "date"),
    ("Tính đến ngày 20-6-2023, huyện hoàn thành.", "20-6-2023", "date"),
    ("Kết quả trong tháng 6/2024 khả quan.", "tháng 6/2024", "month name"),
    ("Từ 11/11/2023 đến 10/12/2023 số hóa hồ sơ.", "10/12/2023", "date"),
    ("Giai đoạn 2022 - 2025 cần quyết liệt.", "2022 - 2025", "year range"),
    ("Cấp thẻ cho công dân từ đủ 14 tuổi.", "từ đủ 14 tuổi", "age"),
    ("Kết quả quý 3 năm 2024 được tổng hợp.", "quý 3 năm 2024", "quarter name"),
    ("Kích hoạt tài khoản mức độ 2 cho người dân.", "mức độ 2", "level label"),
    ("Dịch vụ công mức 3 được mở rộng.", "mức 3", "level label"),
    ("Phát động phong trào Công dân 3 có trên địa bàn.", "Công dân 3 có", "slogan"),
    ("Duy trì điểm hỗ trợ “thủ tục 24/24” tại nhà văn hóa.", "“thủ tục 24/24”",
     "slogan or name in quotation marks"),
    ("Trong 6 tháng đầu năm, tình hình ổn định.", "6 tháng", "length of a period"),
    ("Issued under Decision 06/QD-TTg in 2022.", "Decision 06/QD-TTg", "document number"),
    ("Meeting on November 13, 2024 in Hanoi.", "November 13, 2024", "date or month name"),
    ("Cards for citizens aged 14 and over.", "aged 14", "age"),
])
def test_non_quantities_are_skipped_with_a_reason(text: str, skipped: str, reason: str) -> None:
    language = "en" if re.search(r"\b(?:Issued|Meeting|Cards)\b", text) else "vi"
    assert (skipped, reason) in _skips(text, language)
    assert not _draft(text, language), "nothing in it is a quantity"


def test_a_numbered_heading_names_a_list_not_a_measurement() -> None:
    assert _draft("4.1. Đối với 25 dịch vụ công thiết yếu") == []
    assert _draft("- Có 25 dịch vụ công thiết yếu đã triển khai;")[0]["value"] == "25"


# --- targets --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Phấn đấu đến cuối năm đạt 90% tài khoản được kích hoạt.",
    "Chỉ tiêu năm nay là 500 hồ sơ trực tuyến.",
    "100% hồ sơ phải được số hóa khi tiếp nhận.",
    "+ Chỉ đạo Công an xã thực hiện 100% việc tiếp nhận trực tuyến.",
    "The city aims to have 60% of dossiers filed online.",
])
def test_directives_and_targets_are_proposed_with_a_note(text: str) -> None:
    language = "en" if text.startswith("The") else "vi"
    row = _one(text, language)
    assert "not a result" in row["note"]


@pytest.mark.parametrize("text", [
    "Đã hoàn thành 71.403 chỉ tiêu kích hoạt tài khoản.",
    "Thu nhận 4.203/6.220 hồ sơ, đạt 67,6% so với chỉ tiêu.",
    "Cập nhật 2.761 đối tượng cần phải chi trả, đạt 35%.",
])
def test_results_measured_against_a_target_are_not_targets(text: str) -> None:
    assert "not a result" not in _one(text)["note"]


def test_a_section_of_tasks_ahead_marks_its_figures_as_targets() -> None:
    rows = _draft("I. KẾT QUẢ\nĐã cấp 50 thẻ.\nIII. NHIỆM VỤ TRỌNG TÂM\n1. Cấp thêm 30 thẻ.")
    assert ["not a result" in r["note"] for r in rows] == [False, True]


# --- the whole report: a valid figures file once dates and indicators are filled in ----------

def _fill_as_a_reviewer(rows: list[dict[str, str]], raw_dir: Path) -> list[dict[str, str]]:
    problems: list[str] = []
    indicators = read_table("indicators", raw_dir / "indicators.csv", problems).rows
    change = next(r["indicator_id"] for r in indicators if r["unit"] == "percentage_points")
    other = next(r["indicator_id"] for r in indicators if r["unit"] == "dossiers")
    for row in rows:
        row["as_of"], row["as_of_basis"] = "2099-09-30", "inferred"
        if "%" in row["value"]:
            row["indicator_id"] = change
        elif not row["indicator_id"]:
            row["indicator_id"] = other
    return rows


def test_draft_of_a_new_report_is_a_valid_figures_file(raw_copy: Path,
                                                       tmp_path: Path) -> None:
    rows = draft_text(REPORT.read_text(encoding="utf-8"), SOURCE_ID, LOCALITY, "vi",
                      raw_copy).rows
    assert rows, "the report prints quantities"
    assert all(list(row) == COLUMNS["figures"] for row in rows)
    assert all(len(row["phrase"].split()) <= 10 and row["phrase"] for row in rows)
    assert all(re.fullmatch(r"line [0-9]+", row["locator"]) for row in rows)
    printed = {row[n] for row in rows for n in ("numerator", "denominator", "value", "percent")}
    assert {"8.310", "8.402", "98,91%", "6.127", "73,73%", "**1.245**", "1,2 tỷ đồng"} <= printed
    assert not printed & {"14", "2099", "17", "1234", "2", "24"}, "non-quantities drafted"

    with (raw_copy / "sources.csv").open("a", encoding="utf-8", newline="") as stream:
        csv.DictWriter(stream, COLUMNS["sources"], restval="", lineterminator="\n").writerow({
            "source_id": SOURCE_ID, "locality_id": LOCALITY,
            "title": "A test report written for the draft command", "publisher": "Test",
            "published_on": "2099-10-01", "published_precision": "day",
            "published_basis": "printed", "period_start": "2099-07-01",
            "period_end": "2099-09-30", "kind": "official_report", "language": "vi",
            "reference": "tests/draft/fixtures/phuoc_hoa_report.txt"})
    with (raw_copy / "figures" / f"{SOURCE_ID}.csv").open("w", encoding="utf-8",
                                                            newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS["figures"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(_fill_as_a_reviewer(rows, raw_copy))

    data = load_raw(raw_copy)
    drafted = [r for r in data.figures.rows if r["figure_id"].startswith(SOURCE_ID + ".")]
    assert len(drafted) == len(rows), "the copy with the drafted file was the one read"

    from analysis.warehouse.build import build

    assert build(tmp_path / "db" / "de_an_06.duckdb", raw_dir=raw_copy, quiet=True).exists()


# --- the command line and the lexicon ------------------------------------------------------------

def test_command_writes_the_csv_and_lists_skips_with_reasons(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture) -> None:
    out, skipped = tmp_path / "draft.csv", tmp_path / "skipped.csv"
    status = main(["draft", str(REPORT), "--source-id", SOURCE_ID, "--locality", LOCALITY,
                   "--language", "vi", "--out", str(out), "--skipped", str(skipped)])
    assert status == 0
    with out.open(encoding="utf-8") as stream:
        assert next(csv.reader(stream)) == COLUMNS["figures"]
    with skipped.open(encoding="utf-8") as stream:
        reasons = {row["reason"] for row in csv.DictReader(stream)}
    assert {"document number", "date", "age", "level label", "month name"} <= reasons

    assert main(["draft", str(REPORT), "--source-id", SOURCE_ID, "--locality", LOCALITY,
                 "--language", "vi"]) == 0
    captured = capsys.readouterr()
    assert next(csv.reader(io.StringIO(captured.out))) == COLUMNS["figures"]
    assert "skipped: line 10: 'từ đủ 14 tuổi': age" in captured.err


def test_command_refuses_an_unknown_locality_in_one_line(capsys: pytest.CaptureFixture) -> None:
    status = main(["draft", str(REPORT), "--source-id", SOURCE_ID, "--locality", "atlantis",
                   "--language", "vi"])
    assert status != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: --locality: unknown locality, not in localities.csv (atlantis)"]


@pytest.mark.parametrize("source_id", ["a--b", "-ab", "ab-", "Ab-2024", "ab_2024", "ab 2024",
                                       "ab-2024-01"])
def test_command_takes_exactly_the_source_ids_the_raw_layer_takes(
        source_id: str, capsys: pytest.CaptureFixture) -> None:
    status = main(["draft", str(REPORT), f"--source-id={source_id}", "--locality", LOCALITY,
                   "--language", "vi"])  # "=": an id starting with '-' is not an option
    err = capsys.readouterr().err.strip().splitlines()
    if re.fullmatch(ID_PATTERNS[("sources", "source_id")], source_id):
        assert status == 0, err
    else:
        assert status == 2
        assert err == [f"error: --source-id: lower-case letters and digits, words joined by "
                       f"single '-' ({source_id})"]


@pytest.mark.parametrize(("out", "message"), [
    ("missing/draft.csv", r"--out: the folder .*missing does not exist"),
    (".", r"--out: .* is a folder; give a file name in it"),
    ("report.txt", r"--out: .*report.txt is the text being drafted"),
])
def test_command_refuses_an_output_it_cannot_write_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch,
        out: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.txt").write_text(REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    status = main(["draft", "report.txt", "--source-id", SOURCE_ID, "--locality", LOCALITY,
                   "--language", "vi", "--out", out])
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and re.search(message, err[0]), err
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == \
        REPORT.read_text(encoding="utf-8"), "the text is untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"], "nothing written"


def test_command_refuses_the_same_file_for_rows_and_skips(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "draft.csv"
    status = main(["draft", str(REPORT), "--source-id", SOURCE_ID, "--locality", LOCALITY,
                   "--language", "vi", "--out", str(out), "--skipped", str(out)])
    assert status == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: --skipped: the same file as --out ({out}); choose two files"]


def test_command_refuses_a_folder_as_the_text(tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    status = main(["draft", str(tmp_path), "--source-id", SOURCE_ID, "--locality", LOCALITY,
                   "--language", "vi"])
    assert status == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path}: a folder, not a text file; give the report's text file"]


@pytest.mark.parametrize(("line", "message"), [
    ("no_such_indicator,vi,hồ sơ",
     r"indicator_keywords.csv:2: indicator_id: unknown indicator.*\(no_such_indicator\)"),
    ("cccd_issued,fr,carte", r"indicator_keywords.csv:2: language: expected vi or en \(fr\)"),
    ("cccd_issued,vi,", r"indicator_keywords.csv:2: keyword: empty"),
    ("cccd_issued,vi", r"indicator_keywords.csv:2: row: has 2 fields"),
])
def test_keyword_lexicon_is_checked_on_load(raw_copy: Path, line: str, message: str) -> None:
    path = raw_copy / "indicator_keywords.csv"
    path.write_text("indicator_id,language,keyword\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ProjectError, match=message):
        load_keywords(raw_copy, load_indicator_ids(raw_copy))


def test_every_keyword_of_the_lexicon_names_a_catalog_indicator() -> None:
    keywords = load_keywords(paths.RAW, load_indicator_ids(paths.RAW))
    assert {k.language for k in keywords} == {"vi", "en"}


def test_indicator_is_guessed_from_the_lexicon_or_left_empty() -> None:
    keywords = load_keywords(paths.RAW, load_indicator_ids(paths.RAW))
    keyword = next(k for k in keywords if k.language == "vi")
    row = _one(f"Có 12 {keyword.keyword} trên địa bàn.")
    assert row["indicator_id"] == keyword.indicator_id or row["indicator_id"] in \
        {k.indicator_id for k in keywords if k.keyword in keyword.keyword}
    assert _one("Có 12 con mèo.")["indicator_id"] == ""


# --- recall on the seed documents, when they are at hand --------------------------------------

SEEDS = os.environ.get("DE_AN_06_SEEDS")


@pytest.mark.skipif(not SEEDS, reason="set DE_AN_06_SEEDS to the seed documents' folder "
                    "(kept outside the repository) to check recall against them")
def test_recall_on_the_seed_documents() -> None:
    sys.path.insert(0, str(paths.ROOT / "benchmarks"))
    from draft_recall import seeds

    outcomes = seeds(Path(str(SEEDS)))
    assert outcomes
    for outcome in outcomes:
        assert outcome.recalled >= 0.95 * outcome.transcribed, outcome.missed
        assert not any(outcome.non_quantities.values()), outcome.flagged


PAGES = os.environ.get("DE_AN_06_PAGES")


@pytest.mark.skipif(not PAGES, reason="set DE_AN_06_PAGES to a folder of pages' texts named "
                    "<source_id>.txt (kept outside the repository) to measure the draft on them")
def test_ratio_rows_on_real_pages_are_right_in_all_their_numbers() -> None:
    sys.path.insert(0, str(paths.ROOT / "benchmarks"))
    from draft_recall import pages

    outcomes = pages(Path(str(PAGES)))
    assert outcomes
    ratio_rows = sum(o.ratio_rows for o in outcomes)
    right = sum(o.ratio_right for o in outcomes)
    assert right >= 0.9 * ratio_rows, [w for o in outcomes for w in o.wrong]
