"""Every rendered page in reports/ works offline: charts draw, nothing fails, nothing fetched.

Needs `make all` first (the pages are build outputs, not committed). Chromium is required in
CI (CI=true) and skipped elsewhere when missing; the static checks need no browser.
"""

from __future__ import annotations

import csv
import html
import json
import re
import urllib.parse
from pathlib import Path

import altair as alt
import pytest
from browser import Chromium, check_layout, check_page, evaluate_on_page, require_chromium

from analysis import paths
from analysis.report import html_export, render
from analysis.report.kit import chart_display, presentation
from analysis.report.kit.presentation import number

PAGES = sorted(paths.REPORTS.glob("*.html"))
NOT_BUILT = "reports/ has no HTML pages to check: run `make all` first"
# Pages whose charts are drawn from the `series` view: every mark traces to a figure.
SERIES_PAGES = ["02_locality_comparison.html", "03_over_time.html"]
NARROW = 1000  # px: a laptop window; nothing may be wider than the page


@pytest.fixture(scope="module")
def browser() -> Chromium:
    require_chromium()
    with Chromium() as chromium:
        yield chromium


def _read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_reports_were_built() -> None:
    if not PAGES:
        pytest.fail(NOT_BUILT)
    names = {page.name for page in PAGES}
    assert "index.html" in names
    expected = [f"{render.page_name(nb)}.html" for nb in render.notebook_paths(paths.NOTEBOOKS)]
    missing = [name for name in expected if name not in names]
    assert not missing, f"notebooks without a rendered page: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_draws_every_chart_offline(page: Path, browser: Chromium) -> None:
    report = check_page(page, browser=browser, hover=True)
    assert report.ok and "" not in report.tooltips, report.problems()
    hovered = sum(tip is not None for tip in report.tooltips)
    print(f"{page.name}: {report.charts_drawn}/{report.charts_expected} charts drawn, "
          f"tooltips shown on {hovered}, {len(report.console_warnings)} console warnings, "
          f"{report.seconds:.1f} s, network isolated: {report.isolated}")


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_chart_spec_is_valid_vega_lite(page: Path) -> None:
    """Rendering skips Altair's schema check (analysis.report.kit.presentation.ChartBlock): it is
    here."""
    specs = re.findall(r"var spec = (\{.*?\});\n  var opts = ", _read(page), flags=re.DOTALL)
    assert len(specs) == _read(page).count(f'{chart_display.CHART_ATTRIBUTE}="true"')
    for spec in specs:
        alt.Root.validate(json.loads(spec))


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_references_nothing_external(page: Path) -> None:
    assert html_export.external_references(_read(page)) == []


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_runtime_once_and_tooltips_on(page: Path) -> None:
    text = _read(page)
    charts = text.count(f'{chart_display.CHART_ATTRIBUTE}="true"')
    assert text.count(chart_display.DRAW_MARKER) == charts
    assert text.count(f'id="{chart_display.RUNTIME_SCRIPT_ID}"') == (1 if charts else 0)
    options = re.findall(r"var opts = (\{.*?\});", text)
    assert len(options) == charts
    assert all('"tooltip":true' in option for option in options), options
    assert "altair-viz-" not in text  # a chart that bypassed the offline renderer


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_nothing_overflows_or_is_cut_at_1000px(page: Path, browser: Chromium) -> None:
    report = check_layout(page, NARROW, browser=browser)
    assert not report.overflowing, report.overflowing
    assert not report.cut, f"text cut with an ellipsis: {report.cut}"
    assert not report.collisions, f"axis labels collide or repeat: {report.collisions}"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_no_target_is_drawn_as_a_bar(page: Path, browser: Chromium) -> None:
    report = check_layout(page, NARROW, browser=browser)
    bars = [(chart["id"], mark["figure_id"]) for chart in report.charts
            for mark in chart["marks"] if mark["type"] == "rect" and mark["is_target"]]
    assert not bars, f"targets drawn as bars: {bars}"


@pytest.mark.parametrize("name", SERIES_PAGES)
def test_every_mark_carries_its_figure_and_series(name: str, browser: Chromium) -> None:
    report = check_layout(paths.REPORTS / name, NARROW, browser=browser)
    marks = [mark for chart in report.charts for mark in chart["marks"]]
    assert marks, "no data marks drawn"
    untraced = [mark for mark in marks if not (mark["figure_id"] and mark["series_id"])
                or mark["is_target"] is None]
    assert not untraced, untraced[:5]


def _text(name: str) -> str:
    page = paths.REPORTS / name
    if not page.exists():
        pytest.fail(NOT_BUILT)
    return re.sub(r"<[^>]+>", "", _read(page))


def test_page_01_counts_each_as_of_date_once_per_locality() -> None:
    """The dates per locality on page 01 equal the distinct as-of dates in the raw files."""
    names = {row["locality_id"]: row["name_vi"]
             for row in csv.DictReader((paths.RAW / "localities.csv").open(encoding="utf-8"))}
    dates: dict[str, set[str]] = {}
    for path in (paths.RAW / "figures").glob("*.csv"):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            dates.setdefault(row["locality_id"], set()).add(row["as_of"])
    text = _text("01_sources_and_coverage.html")
    for locality, days in dates.items():
        assert f"{names[locality]} {number(len(days))}" in text, (names[locality], len(days))


def test_page_04_counts_checks_as_the_validation_report_does() -> None:
    """The same counts on both pages, each language in its own number format: 12.294 in the
    Vietnamese text, 12,294 in the English."""
    report = _visible("validation.html")
    vi = re.search(r"([\d.]+) lượt kiểm tra trên (\d+) lớp, ([\d.]+) không đạt", report)
    en = re.search(r"([\d,]+) checks on (\d+) layer\(s\), ([\d,]+) failing", report)
    assert vi and en, "the validation report states no verdict in both languages"
    checks, layers, failing = (int(group.replace(".", "")) for group in vi.groups())
    assert [int(group.replace(",", "")) for group in en.groups()] == [checks, layers, failing]
    assert vi.group(1) == number(checks) and en.group(1) == presentation.number_en(checks)
    text = _visible("04_data_quality.html")
    assert (f"{number(checks)} lượt kiểm tra trên {number(layers)} lớp, {number(failing)} "
            "không đạt" in text)
    assert (f"{presentation.number_en(checks)} checks on {presentation.number_en(layers)} "
            f"layers, {presentation.number_en(failing)} failing" in text)


def _visible(name: str) -> str:
    """A page's text as a reader sees it: tags gone, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(_text(name).replace("\u00ad", "")).split())


def _english(name: str) -> str:
    """The text of every element a page marks lang="en"."""
    page = paths.REPORTS / name
    return " ".join(" ".join(html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).split())
                    for m in re.finditer(r'<(td|span|div|em|strong|a)\b[^>]*\blang="en"[^>]*>'
                                         r"(.*?)</\1>", _read(page), flags=re.S))


@pytest.mark.parametrize("name", ["04_data_quality.html", "validation.html"])
def test_every_erratum_and_rule_reads_in_vietnamese_with_the_english_marked(name: str) -> None:
    """What the register and the rules say, shown in Vietnamese, with the English beside it
    in an element marked lang="en" (read from the database, so a new erratum is checked
    too)."""
    from analysis.report import queries

    con = queries.connect()
    errata = con.execute("SELECT erratum_id, explanation_vi, explanation FROM errata").fetchall()
    rules = con.execute("SELECT rule_id, description_vi, description FROM rules").fetchall()
    con.close()
    assert errata and rules
    text, english = _visible(name), _english(name)
    for key, vi, en in errata + rules:
        vi, en = " ".join(vi.split()), " ".join(en.split())
        assert vi in text and vi not in english, (name, key, "Vietnamese text missing")
        assert en in english, (name, key, "English text missing or not marked lang=en")
        assert text.index(vi) < text.index(en), (name, key, "the Vietnamese comes first")


ENGLISH_HEADINGS = {
    "04_data_quality.html": ("Data quality", "Which printed figures are wrong",
                             "The errata register and what each entry changes"),
    "validation.html": ("validation report", "Rules by layer", "Failing checks",
                        "Errata register", "Rounding conventions"),
}


@pytest.mark.parametrize("name", sorted(ENGLISH_HEADINGS))
def test_vietnamese_pages_mark_their_english(name: str) -> None:
    """The root is Vietnamese; the English of each heading and each translation is marked."""
    page = _read(paths.REPORTS / name)
    assert re.search(r'<html\b[^>]*\blang="vi"', page), 'the root is not lang="vi"'
    english = _english(name)
    for words in ENGLISH_HEADINGS[name]:
        assert words in english, f"{words!r} is not marked lang=en"
    # Every paragraph written wholly in italics (the pages' English translations) is marked.
    assert not re.search(r"<p><em>(?:(?!</?p>).)*</em></p>", page, flags=re.S)


NOTEBOOK_PAGES = [page for page in PAGES if re.match(r"\d\d_", page.name)]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=[page.name for page in NOTEBOOK_PAGES])
def test_every_chart_names_its_sources_and_offers_its_data(page: Path) -> None:
    text = _read(page)
    charts = text.count(f'{chart_display.CHART_ATTRIBUTE}="true"')
    links = re.findall(r'class="de-an-06-csv" download="[^"]+\.csv" '
                       r'href="data:text/csv;charset=utf-8,([^"]+)"', text)
    assert len(links) == charts, f"{charts} charts, {len(links)} CSV downloads"
    assert text.count("Nguồn · Sources:") == charts
    for link in links:
        rows = list(csv.DictReader(urllib.parse.unquote(link).lstrip("\ufeff").splitlines()))
        assert rows, "a chart's CSV has no rows"
        if page.name in SERIES_PAGES:
            assert {"series_id", "figure_id", "is_target"} <= set(rows[0])
            assert all(row["figure_id"] and row["series_id"] for row in rows)


PHONE = 400  # px: a phone held upright
# The smallest text of each chart as drawn (font size times the SVG's scale on screen).
_SMALLEST_CHART_TEXT = """
(() => JSON.stringify(Array.from(document.querySelectorAll('[data-de-an-06-chart]')).map(c => {
  let smallest = null, sample = null;
  c.querySelectorAll('svg text').forEach(t => {
    if (!t.textContent.trim()) return;
    const matrix = t.getScreenCTM();
    if (!matrix) return;
    const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(matrix.a, matrix.b);
    if (smallest === null || size < smallest) { smallest = size; sample = t.textContent; }
  });
  return {id: c.id, smallest, sample};
})))()
"""


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_a_phone_shows_every_page_without_sideways_scroll(page: Path, browser: Chromium) -> None:
    report = check_layout(page, PHONE, browser=browser)
    assert not report.overflowing, report.overflowing


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_chart_text_stays_readable_on_a_phone(page: Path, browser: Chromium) -> None:
    charts = json.loads(evaluate_on_page(page, PHONE, _SMALLEST_CHART_TEXT, browser=browser))
    # 10 px, less a rounding tolerance of the measured transform.
    small = [c for c in charts if c["smallest"] is not None and c["smallest"] < 9.95]
    assert not small, [f"{c['id']}: {c['smallest']:.1f} px ({c['sample']!r})" for c in small]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES, ids=[page.name for page in NOTEBOOK_PAGES])
def test_every_charts_sources_have_a_title_and_open_at_their_address(page: Path) -> None:
    from analysis.report import queries

    con = queries.connect()
    register = {source: (title, reference) for source, title, reference in con.execute(
        "SELECT source_id, title, reference FROM sources").fetchall()}
    con.close()
    text = _read(page)
    footers = re.findall(r'<div class="de-an-06-chart-notes">(.*?)</div>', text, flags=re.S)
    links = re.findall(r'class="de-an-06-csv" download="[^"]+\.csv" '
                       r'href="data:text/csv;charset=utf-8,([^"]+)"', text)
    assert len(footers) == len(links)
    for footer, link in zip(footers, links, strict=True):
        rows = csv.DictReader(urllib.parse.unquote(link).lstrip("\ufeff").splitlines())
        for source in {row["source_id"] for row in rows if row.get("source_id")}:
            title, reference = register[source]
            assert html.escape(title) in footer, (page.name, source)
            if address := presentation.web_address(reference):
                assert f'href="{html.escape(address, quote=True)}"' in footer, \
                    (page.name, source)


WIDE = 1400  # px: a desktop window
# Per chart: the drawing's width and the width its container offers (less vega-embed's room
# for the "..." menu, which the drawing never takes).
_CHART_WIDTHS = """
(() => JSON.stringify(Array.from(document.querySelectorAll('[data-de-an-06-chart]')).map(c => {
  const svg = c.querySelector('svg.marks');
  const style = getComputedStyle(c);
  const room = c.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {id: c.id, drawn: svg ? svg.getBoundingClientRect().width : null, room};
})))()
"""


@pytest.mark.parametrize("width", [PHONE, WIDE])
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_chart_takes_its_containers_width(page: Path, width: int,
                                                browser: Chromium) -> None:
    """A chart of a fixed width would be shrunk as a picture on a phone (its text below
    10 px) and leave a wide page empty: every chart, stacked panels included, is drawn
    across the width its container offers."""
    charts = json.loads(evaluate_on_page(page, width, _CHART_WIDTHS, browser=browser))
    narrow = [f"{c['id']}: {c['drawn']:.0f} of {c['room']:.0f} px" for c in charts
              if c["drawn"] is not None and c["drawn"] < 0.9 * c["room"]]
    assert not narrow, narrow
