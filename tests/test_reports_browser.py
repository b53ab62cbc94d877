"""Every rendered page in reports/ works offline: charts draw, nothing fails, nothing fetched.

Needs `make all` first (the pages are build outputs, not committed). Chromium is required in
CI (CI=true) and skipped elsewhere when missing; the static checks need no browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import Chromium, check_page, require_chromium

from analysis import chart_display, paths, render

PAGES = sorted(paths.REPORTS.glob("*.html"))
NOT_BUILT = "reports/ has no HTML pages to check: run `make all` first"


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
    missing = [f"{nb.stem}.html" for nb in render.notebook_paths(paths.NOTEBOOKS)
               if f"{nb.stem}.html" not in names]
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
def test_page_references_nothing_external(page: Path) -> None:
    assert render.external_references(_read(page)) == []


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
