"""The validation report on a small in-memory database shaped like the real views."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import duckdb
import pytest
from browser import check_page, require_chromium

from analysis.report import html_export
from analysis.validation.report import render_report, write_report

RULES = [
    ("percent_matches_ratio", "error",
     "A printed percentage equals numerator over base, rounded or truncated.",
     "Tỷ lệ phần trăm in bằng tử số chia cho cơ sở, làm tròn hoặc cắt bớt."),
    ("parts_sum_to_total", "error", "Parts add up to the total <b>exactly</b> & nothing else.",
     "Các phần cộng lại <b>đúng bằng</b> tổng."),
    ("cumulative_series_non_decreasing", "warning", "A cumulative indicator should not fall.",
     "Chỉ tiêu lũy kế không nên giảm."),
    ("never_applies", "error", "A rule no figure triggers.", "Quy tắc không con số nào chạm tới."),
]
# layer, rule, severity, figure, passed, observed, expected, convention, erratum, source,
# locality, indicator, locator, printed
FINDINGS = [
    ("raw", "percent_matches_ratio", "error", "bs.matched", False, "153221/152275 = 100.62 %",
     "printed 99.40 %", None, "E01-swapped", "bs-2023-12", "binh-son", "insurance",
     "§I.7, line 168", "153.221/152.275, 99,4%"),
    ("raw", "percent_matches_ratio", "error", "bs.visits", True, "93.05", "93.05", "rounded",
     None, "bs-2023-12", "binh-son", "visits", "§I.5", "93,05%"),
    ("raw", "percent_matches_ratio", "error", "bs.cccd", True, "12.3", "12.3", "truncated",
     None, "bs-2023-12", "binh-son", "cccd", "§I.6", "12,3%"),
    ("raw", "percent_matches_ratio", "error", "hb.online", True, "50", "50", "both",
     None, "hb-2024-04", "hoa-binh", "online", "line 12", "50%"),
    ("raw", "parts_sum_to_total", "error", "hb.total", False, "parts add to 87.89",
     "total 86.89", None, None, "hb-2024-04", "hoa-binh", "par_index", "block 1",
     "Dịch vụ công trực tuyến: 86.89 <script>alert(1)</script>"),
    ("raw", "cumulative_series_non_decreasing", "warning", "hb.procedures", False, "69.04",
     "at least 70.12", None, None, "hb-2024-04", "hoa-binh", "procedures", "line 3", "69,04%"),
    ("marts", "percent_matches_ratio", "error", "bs.matched", True, "99.38", "99.4", "rounded",
     None, "bs-2023-12", "binh-son", "insurance", "§I.7, line 168", "99,4%"),
    ("marts", "parts_sum_to_total", "error", "hb.total", True, "86.89", "86.89", None, None,
     "hb-2024-04", "hoa-binh", "par_index", "block 1", "86.89"),
]
ERRATA = [
    ("E01-swapped", "bs-2023-12", "percent_matches_ratio", "bs.matched", "correct",
     "153221 > 152275; swapped, 152275/153221 = 99.38 %", "Numerator and denominator swapped.",
     "Tử số và mẫu số bị in ngược.", False),
    ("E09-old", "hb-2024-04", "parts_sum_to_total", "hb.old", "flag",
     "Số liệu cũ", "No longer fails.", "Không còn sai.", False),
]


def _database(*, explained: bool = False, stale: bool = False) -> duckdb.DuckDBPyConnection:
    """The five views as tables; `explained` attaches an erratum to the open failure."""
    con = duckdb.connect()
    con.execute("""CREATE TABLE rules (rule_id VARCHAR, severity VARCHAR, description VARCHAR,
        description_vi VARCHAR)""")
    con.executemany("INSERT INTO rules VALUES (?, ?, ?, ?)", RULES)
    con.execute("""CREATE TABLE findings (layer VARCHAR, rule VARCHAR, severity VARCHAR,
        figure_id VARCHAR, passed BOOLEAN, observed VARCHAR, expected VARCHAR,
        convention VARCHAR, erratum_id VARCHAR, source_id VARCHAR, locality_id VARCHAR,
        indicator_id VARCHAR, locator VARCHAR, printed VARCHAR)""")
    con.executemany(f"INSERT INTO findings VALUES ({', '.join(['?'] * 14)})", FINDINGS)
    if explained:
        con.execute("UPDATE findings SET erratum_id = 'E09-old' WHERE figure_id = 'hb.total' "
                    "AND layer = 'raw'")
    con.execute("""CREATE TABLE errata (erratum_id VARCHAR, source_id VARCHAR, rules VARCHAR,
        figure_ids VARCHAR, action VARCHAR, evidence VARCHAR, explanation VARCHAR,
        explanation_vi VARCHAR, stale BOOLEAN)""")
    con.executemany("INSERT INTO errata VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ERRATA)
    if stale:
        con.execute("UPDATE errata SET stale = true WHERE erratum_id = 'E09-old'")
    con.execute("""CREATE VIEW validation_summary AS
        SELECT layer, rule, severity, count(*) AS applicable,
               count(*) FILTER (WHERE NOT passed) AS failed,
               count(*) FILTER (WHERE NOT passed AND erratum_id IS NOT NULL) AS explained,
               count(*) FILTER (WHERE NOT passed AND erratum_id IS NULL) AS unexplained
        FROM findings GROUP BY ALL""")
    # What the validate step counts per source from every check of the percent rule.
    con.execute("""CREATE VIEW rounding_conventions AS
        SELECT layer, rule, source_id, convention, count(*) AS checks FROM findings
        WHERE rule = 'percent_matches_ratio' GROUP BY ALL""")
    return con


def _text(page: str) -> str:
    """The page's visible text, tags removed and entities decoded."""
    body = re.sub(r"<style>.*?</style>", "", page, flags=re.S).replace("<wbr>", "")
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))
    return re.sub(r" ([:,])", r"\1", text).strip()  # tags around a name left a gap


def _section(page: str, anchor: str) -> str:
    start = page.rindex("<", 0, page.index(f'id="{anchor}"'))
    following = page.find("<h2", start + 1)
    return page[start: following if following > 0 else len(page)]


def test_unexplained_failure_fails_the_verdict() -> None:
    page = render_report(_database())
    verdict = _text(_section(page, "verdict"))
    assert verdict.startswith("KHÔNG ĐẠT FAIL")
    assert "1 failing error check(s) that no erratum resolves (1 unexplained" in verdict
    assert "hb.total: observed parts add to 87.89, expected total 86.89" in verdict
    assert "1 unexplained warning(s)" in verdict


def test_all_explained_passes() -> None:
    page = render_report(_database(explained=True))
    verdict = _text(_section(page, "verdict"))
    assert verdict.startswith("ĐẠT PASS")
    assert "every failing check is explained by an erratum (2 explained)" in verdict


def test_stale_erratum_fails_the_verdict() -> None:
    verdict = _text(_section(render_report(_database(explained=True, stale=True)), "verdict"))
    assert verdict.startswith("KHÔNG ĐẠT FAIL") and "1 stale erratum" in verdict
    assert "E09-old" in verdict


def test_every_rule_listed_per_layer_with_its_description() -> None:
    page = render_report(_database())
    rules = _section(page, "rules")
    for layer in ("Raw: the figures as printed", "Marts: after errata corrections"):
        assert layer in rules
    text = _text(rules)
    assert text.count("A rule no figure triggers.") == 2  # listed in both layers, 0 applicable
    assert "Parts add up to the total <b>exactly</b> & nothing else." in text  # escaped, intact
    assert "<b>exactly</b>" not in rules


def test_failures_show_arithmetic_erratum_and_unexplained() -> None:
    page = render_report(_database())
    failures = _section(page, "failures")
    text = _text(failures)
    # The error: badge and erratum cell; the warning: "UNEXPLAINED WARNING" and erratum cell.
    assert text.count("UNEXPLAINED") == 4 and text.count("UNEXPLAINED WARNING") == 1
    assert "observed 153221/152275 = 100.62 % expected printed 99.40 %" in text
    assert 'href="#erratum-E01-swapped"' in failures
    assert "§I.7, line 168" in text and "153.221/152.275, 99,4%" in text
    # Printed text is escaped: the script is text, never markup.
    assert "Dịch vụ công trực tuyến: 86.89 <script>alert(1)</script>" in text
    assert "<script" not in page
    # Passing findings are not listed as failures.
    assert "bs.visits" not in failures


def test_errata_register_has_evidence_and_action() -> None:
    errata = _section(render_report(_database(stale=True)), "errata")
    text = _text(errata)
    assert 'id="erratum-E01-swapped"' in errata
    assert "153221 > 152275; swapped, 152275/153221 = 99.38 %" in text
    assert "correct" in text and "flag" in text and "Số liệu cũ" in text
    assert "STALE" in text


def test_rounding_conventions_per_source() -> None:
    conventions = _section(render_report(_database()), "conventions")
    rows = re.findall(r"<tr>(.*?)</tr>", conventions, flags=re.S)
    cells = [[_text(cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
             for row in rows]
    # Only the raw layer counts (the printed figures); marts' rounded match is ignored.
    assert ["bs-2023-12", "1", "1", "0", "2"] in cells
    assert ["hb-2024-04", "0", "0", "1", "1"] in cells
    assert ["mọi nguồn · all sources", "1", "1", "1", "3"] in cells


def _english(page: str) -> list[str]:
    """The text of every element marked lang="en" (they hold no nested element of that
    name, so a non-greedy match reaches each one's own end)."""
    return [_text(m.group(2)) for m in re.finditer(
        r'<(span|strong|em|div|a)\b[^>]*\blang="en"[^>]*>(.*?)</\1>', page, flags=re.S)]


def test_the_page_is_vietnamese_first_with_the_english_marked() -> None:
    page = render_report(_database(stale=True))
    assert re.search(r'<html lang="vi">', page)
    english = " ".join(_english(page))
    rules = _section(page, "rules")
    for rule_id, _, description, description_vi in RULES:
        # Vietnamese first, the English beneath it in an element marked English.
        vi, en = description_vi, description
        assert _text(rules).count(f"{vi} {en}") == 2, rule_id  # raw and marts layers
        assert en in english and vi not in english, rule_id
    errata = _section(page, "errata")
    for erratum in ERRATA:
        explanation, explanation_vi = erratum[6], erratum[7]
        block = _text(errata[errata.index(f'id="erratum-{erratum[0]}"'):])
        assert block.index(explanation_vi) < block.index(explanation), erratum[0]
        assert explanation in english and explanation_vi not in english, erratum[0]
    # Every heading and badge in both languages: the English half is marked.
    for words in ("Rules by layer", "Failing checks", "Errata register", "UNEXPLAINED",
                  "Rounding conventions", "STALE", "All reports"):
        assert words in english, words
    for words in ("Quy tắc theo lớp", "Sổ đính chính", "CHƯA GIẢI THÍCH", "LỖI THỜI"):
        assert words in _text(page) and words not in english, words


def test_numbers_take_the_format_of_their_language() -> None:
    """6.029 in the Vietnamese text, 6,029 in the English, never a bare 6029."""
    con = _database()
    con.execute("""INSERT INTO findings SELECT 'raw', 'percent_matches_ratio', 'error',
        'gen.' || i, true, '1', '1', 'rounded', NULL, 'gen-2024', 'x', 'y', 'l', '1'
        FROM range(6021) AS t(i)""")
    page = render_report(con)
    verdict = _section(page, "verdict")
    text = _text(verdict)
    assert "6.029 lượt kiểm tra trên 2 lớp, 3 không đạt" in text
    assert "6,029 checks on 2 layer(s), 3 failing" in " ".join(_english(verdict))
    assert "6,029 lượt" not in text and "6.029 checks" not in text
    rules = _text(_section(page, "rules"))
    assert "6.025" in rules and "6,025" not in rules  # table cells: the page's format
    assert not re.search(r"(?<![\d.,])6029(?![\d.,])", _text(page))


def test_headers_and_identifiers_never_break_inside_a_word() -> None:
    page = render_report(_database())
    css = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)
    th = " ".join(re.findall(r"(?:^|\n)th \{([^}]*)\}", css))
    assert "overflow-wrap: normal" in th and "word-break: normal" in th, th
    assert "hyphens: manual" in th
    assert re.search(r"\.mono \{[^}]*overflow-wrap: normal", css)
    # Every table sits in a box that scrolls sideways rather than widening the page.
    assert page.count("<table>") == page.count('<div class="table-wrap"><table>') > 0
    assert re.search(r"\.table-wrap \{[^}]*overflow-x: auto", css)


def test_write_report_is_self_contained(tmp_path: Path) -> None:
    out = write_report(_database(), tmp_path / "sub" / "validation.html")
    page = out.read_text(encoding="utf-8")
    assert out == tmp_path / "sub" / "validation.html"
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert html_export.external_references(page) == []
    assert "<script" not in page and "<link" not in page
    assert not list(out.parent.glob("*.partial"))


def test_report_loads_cleanly_offline(tmp_path: Path) -> None:
    require_chromium()
    report = check_page(write_report(_database(), tmp_path / "validation.html"))
    assert report.ok, report.problems()
    assert report.charts_expected == 0


@pytest.mark.parametrize("empty", ["findings", "errata"])
def test_report_with_nothing_to_show(empty: str) -> None:
    con = _database()
    con.execute(f"DELETE FROM {empty}")
    page = render_report(con)
    assert "</html>" in page
    if empty == "errata":
        assert "No errata are registered." in page
