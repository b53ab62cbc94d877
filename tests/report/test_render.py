"""The render mechanism on a fixture notebook: offline HTML, one runtime, every chart drawn.

These tests do not need the project's notebooks or database, so the mechanism is proven
even before (or without) `make all`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

import altair as alt
import nbformat
import pytest
from browser import Chromium, check_page, require_chromium

from analysis.report import html_export, index_page, render
from analysis.report.execution import RenderError
from analysis.report.kit import chart_display

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
FIXTURE = FIXTURES / "01_fixture_charts.py"
CHARTS_IN_FIXTURE = 2


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    notebooks = tmp_path_factory.mktemp("notebooks")
    shutil.copy(FIXTURE, notebooks)
    out = tmp_path_factory.mktemp("reports")
    started = time.perf_counter()
    written = render.render_all(notebooks, out)
    return {"written": written, "out": out, "seconds": time.perf_counter() - started,
            "page": (out / "01_fixture_charts.html").read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def browser() -> Chromium:
    require_chromium()
    with Chromium() as chromium:
        yield chromium


def test_render_all_writes_the_page_and_the_index(rendered: dict) -> None:
    out: Path = rendered["out"]
    assert [path.name for path in rendered["written"]] == ["01_fixture_charts.html", "index.html"]
    assert not list(out.glob("*.partial"))


def test_runtime_exactly_once_and_one_embed_per_chart(rendered: dict) -> None:
    page: str = rendered["page"]
    assert page.count(f'id="{chart_display.RUNTIME_SCRIPT_ID}"') == 1
    assert page.count(chart_display.DRAW_MARKER) == CHARTS_IN_FIXTURE
    assert page.count(f'{chart_display.CHART_ATTRIBUTE}="true"') == CHARTS_IN_FIXTURE
    # Every chart asks vega-embed for tooltips.
    options = re.findall(r"var opts = (\{.*?\});", page)
    assert len(options) == CHARTS_IN_FIXTURE
    assert all('"tooltip":true' in option for option in options)


def test_page_fetches_nothing(rendered: dict) -> None:
    page: str = rendered["page"]
    assert html_export.external_references(page) == []
    assert "require.js" not in page and "mathjax" not in page.lower()
    assert "cdn.jsdelivr" not in page and "fonts.googleapis" not in page


def test_code_is_hidden_and_narrative_kept(rendered: dict) -> None:
    page: str = rendered["page"]
    assert "pd.DataFrame" not in page and "mark_bar" not in page
    assert "from analysis.report.kit.chart_display import activate" not in page  # remove-cell tag
    assert "Dịch vụ công trực tuyến: fixture" in page  # markdown, UTF-8 intact
    assert "<table" in page and "Định danh điện tử VNeID" in page  # the DataFrame
    assert "<title>Dịch vụ công trực tuyến: fixture</title>" in page
    assert "Text after the charts: Đề án 06 — ổn định." in page


def test_label_cannot_break_out_of_the_script(rendered: dict) -> None:
    page: str = rendered["page"]
    # The fixture's second chart title contains "</script>"; it must stay inside the JSON.
    assert "\\u003c/script\\u003e" in page
    assert page.count("</script>") == page.count("<script")


def test_index_links_pages_and_validation(rendered: dict) -> None:
    index = (rendered["out"] / "index.html").read_text(encoding="utf-8")
    assert 'href="01_fixture_charts.html">Dịch vụ công trực tuyến: fixture</a>' in index
    assert "two Altair charts with tooltips" in index  # one-line summary
    assert 'href="validation.html"' in index and "make validate" in index
    assert html_export.external_references(index) == []
    assert "<script" not in index


def test_fixture_renders_quickly(rendered: dict) -> None:
    # Kernel start + two charts + export: about 7 s here. A generous bound still catches a
    # render that hangs on a network timeout.
    assert rendered["seconds"] < 120


def test_fixture_charts_draw_offline_with_tooltips(rendered: dict, browser: Chromium) -> None:
    report = check_page(rendered["out"] / "01_fixture_charts.html", browser=browser, hover=True)
    assert report.ok, report.problems()
    assert report.charts_expected == CHARTS_IN_FIXTURE
    assert report.console_warnings == []
    assert "Dịch vụ công trực tuyến" in report.chart_texts[0]  # diacritics drawn
    assert "Tỷ lệ <b>&</b> “quotes” </script>" in report.chart_texts[1]  # text, not markup
    assert all(tip and "Dịch vụ công trực tuyến" in tip for tip in report.tooltips), \
        report.tooltips


def test_index_page_loads_cleanly(rendered: dict, browser: Chromium) -> None:
    report = check_page(rendered["out"] / "index.html", browser=browser)
    assert report.ok, report.problems()
    assert report.charts_expected == 0


def _page(head: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}</head>'
            f"<body>{body}</body></html>")


def _fixture_charts() -> list[str]:
    data = alt.Data(values=[{"dịch_vụ": "Dịch vụ công trực tuyến", "n": 3},
                            {"dịch_vụ": "Căn cước", "n": 5}])
    charts = [alt.Chart(data).mark_bar().encode(x="n:Q", y="dịch_vụ:N", tooltip=["n:Q"]),
              alt.Chart(data).mark_point().encode(x="n:Q", y="dịch_vụ:N")]
    return [chart_display.offline_renderer(chart.to_dict())["text/html"] for chart in charts]


@pytest.mark.parametrize("runtime_first", [True, False], ids=["runtime-in-head", "runtime-last"])
def test_charts_draw_wherever_the_runtime_is(tmp_path: Path, browser: Chromium,
                                              runtime_first: bool) -> None:
    charts, runtime = "".join(_fixture_charts()), chart_display.runtime_script()
    page = _page(runtime, charts) if runtime_first else _page("", charts + runtime)
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    report = check_page(path, browser=browser, hover=True)
    assert report.ok, report.problems()
    assert (report.charts_expected, report.charts_drawn) == (2, 2)
    assert report.tooltips[0] and report.tooltips[1] is None  # only the bar has a tooltip


def test_browser_check_catches_what_it_should(tmp_path: Path, browser: Chromium) -> None:
    # A chart without its runtime, a CDN script, a remote image and a console error.
    page = _page('<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>',
                 _fixture_charts()[0] + '<img src="http://example.invalid/x.png">'
                 '<script>console.error("boom")</script>')
    path = tmp_path / "bad.html"
    path.write_text(page, encoding="utf-8")
    report = check_page(path, browser=browser, timeout=2)
    assert not report.ok
    assert (report.charts_expected, report.charts_drawn) == (1, 0)
    assert any("cdn.jsdelivr.net" in request for request in report.failed_requests)
    assert any("example.invalid" in request for request in report.failed_requests)
    assert "boom" in report.console_errors


def test_external_references_are_found() -> None:
    page = """<html><head>
    <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
    <script src="//cdn.example.org/x.js"></script>
    <style>@import "https://example.org/a.css"; body { background: url(http://e.org/b.png) }</style>
    </head><body style="background-image: url('https://e.org/c.png')">
    <a href="https://github.com/example">a source link is fine</a>
    <img srcset="local.png 1x, https://e.org/d.png 2x"><img src="data:image/png;base64,AA==">
    <script>var u = "https://vega.github.io/schema/vega-lite/v6.json";</script>
    </body></html>"""
    found = html_export.external_references(page)
    assert len(found) == 6, found
    assert not any("github.com" in ref or "vega.github.io" in ref for ref in found)


def test_describe_takes_first_heading_and_paragraph() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell(
            "# 02 · So sánh **địa phương**\n\nHow [localities](x.md) compare,\n"
            "by `indicator_id` and _figures_corrected_.\n\nSecond paragraph."),
    ])
    assert index_page.describe(nb, "fallback") == (
        "02 · So sánh địa phương",
        "How localities compare, by indicator_id and figures_corrected.")
    assert index_page.describe(nbformat.v4.new_notebook(), "03_x") == ("03_x", "")


def test_a_summary_ends_at_a_sentence_never_inside_one() -> None:
    first = "Which document reports on which locality, for which dates. "
    long = ("Everything below is read from the project's views of the database; nothing on "
            "this page is typed in by hand at all. ") * 4
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 01 · Sources\n\n" + first + long)])
    summary = index_page.describe(nb, "x")[1]
    assert summary == first.strip() + " " + long.split(". ")[0] + "."
    assert "…" not in summary


def test_describe_keeps_the_english_translation_on_its_own_line() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 01 · Nguồn · Sources\n\nCác nguồn và thời điểm.\n\n*The sources and their dates.*"
        "\n\n*A third paragraph.*")])
    assert index_page.describe(nb, "x") == ("01 · Nguồn · Sources",
                                            "Các nguồn và thời điểm.\nThe sources and their dates.")
    page = index_page.RenderedPage(Path("01_x.html"), "01", "Việt.\nEnglish <b>.", 0, 1, 0.1)
    with tempfile.TemporaryDirectory() as folder:
        text = index_page.write_index([page], Path(folder)).read_text(encoding="utf-8")
    assert '<p class="summary">Việt.</p><p class="summary" lang="en">English &lt;b&gt;.</p>' in text


def test_headings_and_italic_translations_are_marked_english() -> None:
    """A page's Markdown heading "Việt · English" and its all-italic English paragraph get
    lang="en"; a Vietnamese paragraph with an italic word, and script text, do not."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 04 · Chất lượng · Data quality\n\n## Sổ đính chính · The errata\n\n"
        "Xử lý *sửa* thay số in.\n\n*A* correct *action replaces\nprinted values.*")])
    page = html_export.export_html(nb, "x", 0)
    assert re.search(r"<h1[^>]*>04 &#183; Ch[^<]* &#183; <span lang=\"en\">Data quality</span>",
                     page)
    assert re.search(r'<h2[^>]*>S[^<]* &#183; <span lang="en">The errata</span>', page)
    assert '<p lang="en"><em>A</em> correct <em>action replaces' in page
    assert re.search(r"<p>X[^<]*<em>s", page)  # the Vietnamese paragraph is left as it is
    assert "<p><em>" not in page


def test_foreign_charts_are_refused() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("c", outputs=[
        nbformat.v4.new_output("display_data", data={
            "text/html": '<div id="altair-viz-1"></div><script>requirejs(...)</script>'}),
    ]), nbformat.v4.new_code_cell("d", outputs=[
        nbformat.v4.new_output("display_data", data={
            "application/vnd.vegalite.v6.json": "{}", "text/plain": "chart"}),
    ])])
    assert html_export.foreign_charts(nb) == [1, 2]


def test_cell_error_names_notebook_and_cell(tmp_path: Path) -> None:
    (tmp_path / "07_broken.py").write_text(
        "# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n# %%\nraise ValueError('số liệu sai')\n",
        encoding="utf-8")
    with pytest.raises(RenderError) as caught:
        render.render_all(tmp_path, tmp_path / "out")
    message = str(caught.value)
    assert "07_broken.py, line 8, cell 3 of 3 failed: ValueError: số liệu sai" in message
    assert "----> 1 raise ValueError" in message
    assert not (tmp_path / "out" / "07_broken.html").exists()


def test_plain_altair_renders_offline_without_activate(tmp_path: Path) -> None:
    # A notebook that never imports analysis.report.kit.charts: the render kernel activates the
    # offline renderer at start-up, so its chart still needs no network.
    (tmp_path / "08_plain.py").write_text(
        "# %% [markdown]\n# # Plain\n\n# %%\nimport altair as alt\n"
        "alt.Chart(alt.Data(values=[{'a': 1}])).mark_point().encode(x='a:Q')\n",
        encoding="utf-8")
    render.render_all(tmp_path, tmp_path / "out")
    page = (tmp_path / "out" / "08_plain.html").read_text(encoding="utf-8")
    assert page.count(chart_display.DRAW_MARKER) == 1
    assert html_export.external_references(page) == [] and "altair-viz-" not in page


def test_no_notebooks_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="no notebooks"):
        render.render_all(tmp_path, tmp_path / "out")


def test_runtime_matches_altairs_vega_lite() -> None:
    assert chart_display.vega_lite_version() == ".".join(
        alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    script = chart_display.runtime_script()
    assert script.count("window.vegaEmbed=") == 1
    assert script.lower().count("</script") == 1


def test_activate_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    before = alt.renderers.active
    chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q", tooltip=["a:Q"])
    try:
        alt.renderers.enable("default")
        monkeypatch.delenv(chart_display.ENV_VAR, raising=False)
        assert chart_display.activate() == "default"  # JupyterLab: Altair's usual output

        monkeypatch.setenv(chart_display.ENV_VAR, chart_display.OFFLINE)
        assert chart_display.activate() == chart_display.RENDERER_NAME
        bundle = chart._repr_mimebundle_()
        html = bundle[0]["text/html"] if isinstance(bundle, tuple) else bundle["text/html"]
        assert chart_display.CHART_ATTRIBUTE in html and chart_display.DRAW_MARKER in html
        assert "<script src" not in html and "vega@" not in html
        assert len(html.encode()) < 5_000  # no runtime inside a chart

        monkeypatch.setenv(chart_display.ENV_VAR, "svg")
        assert chart_display.activate() == "svg"
    finally:
        alt.renderers.enable(before)


def test_script_json_keeps_vietnamese_and_escapes_markup() -> None:
    text = chart_display.script_json({"t": "Định danh </script><!-- & \u2028"})
    assert "Định danh" in text
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
