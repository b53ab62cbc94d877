"""An executed notebook as one self-contained HTML page that works offline, checked.

The ``offline`` nbconvert template hides code and loads nothing from the network; the chart
runtime is included once if the page has a chart. Each page is checked before it is written:
no external script, style, font or image, and one container per chart. The browser test
(tests/report/test_reports_browser.py) proves they draw.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat

from analysis import paths
from analysis.report.execution import RenderError
from analysis.report.kit import chart_display

TEMPLATES = paths.TEMPLATES
TEMPLATE_NAME = "offline"
# Cells tagged like this (`# %% tags=["remove-cell"]`) are left out of the HTML: set-up cells.
REMOVE_CELL_TAGS = {"remove-cell", "remove_cell"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}
RUNTIME_PLACEHOLDER = "<!-- de-an-06: the chart runtime goes here -->"


def _html_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str]]:
    found = []
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                found.append((index, data["text/html"]))
    return found


def count_charts(nb: nbformat.NotebookNode) -> int:
    """Charts drawn by the offline renderer in an executed notebook."""
    return sum(text.count(chart_display.CHART_ATTRIBUTE) for _, text in _html_outputs(nb))


def foreign_charts(nb: nbformat.NotebookNode) -> list[int]:
    """Cells that display a chart some other way (Altair's CDN HTML, a vega mimetype)."""
    cells = {index for index, text in _html_outputs(nb)
             if "altair-viz-" in text or ("vegaEmbed" in text
                                          and chart_display.CHART_ATTRIBUTE not in text)}
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            if any(key.startswith(("application/vnd.vegalite", "application/vnd.vega."))
                   for key in output.get("data", {})):
                cells.add(index)
    return sorted(cells)


_EXTERNAL = re.compile(r"^\s*(?:https?:|ftp:|wss?:|//)", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""",
                      re.IGNORECASE)
# Attributes the browser fetches on load. `href` counts everywhere except on links a reader
# clicks (<a>, <area>).
_FETCHED = {"src", "srcset", "poster", "data", "background", "href", "xlink:href"}
_NAVIGATION = {"a", "area"}


class _ReferenceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if not value:
                continue
            if name == "style":
                self.found += [f"<{tag} style> {url}" for url in _CSS_URL.findall(value)]
            elif name == "content" and tag == "meta" and "url=" in value.lower():
                url = value.split("=", 1)[1]
                if _EXTERNAL.match(url):
                    self.found.append(f"<meta refresh> {url}")
            elif name in _FETCHED and not (tag in _NAVIGATION and name in ("href", "xlink:href")):
                candidates = [part.split()[0] for part in value.split(",") if part.strip()] \
                    if name == "srcset" else [value]
                self.found += [f"<{tag} {name}> {url}" for url in candidates
                               if _EXTERNAL.match(url)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [f"<style> {url}" for url in _CSS_URL.findall(data)]


def external_references(page: str) -> list[str]:
    """Everything in an HTML page that a browser would fetch from another host.

    Links a reader may click (``<a href>``) are allowed; URLs inside scripts are not judged
    here (the bundle mentions the Vega schema URL without fetching it): the browser test
    catches any request a script makes.
    """
    finder = _ReferenceFinder()
    finder.feed(page)
    finder.close()
    return finder.found


# --- exporting -------------------------------------------------------------------------------


@functools.cache
def _exporter() -> Any:
    """One exporter for every page: it compiles its templates once (~0.25 s)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from traitlets.config import Config

    class OfflineHTMLExporter(HTMLExporter):
        """HTMLExporter without its last step: parsing and reprinting the whole page with
        BeautifulSoup (~0.4 s a page) only to add alt texts and tab stops, which
        :func:`_accessible` adds instead."""

        def from_notebook_node(self, nb: nbformat.NotebookNode,  # type: ignore[override]
                               resources: dict[str, Any] | None = None,
                               **kw: Any) -> tuple[str, dict[str, Any]]:
            # HTMLExporter.from_notebook_node (nbconvert 7.17) up to its soup.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = REMOVE_CELL_TAGS
    config.TagRemovePreprocessor.remove_all_outputs_tags = REMOVE_OUTPUT_TAGS
    exporter = OfflineHTMLExporter(config=config, template_name=TEMPLATE_NAME,
                                   extra_template_basedirs=[str(TEMPLATES)])
    exporter.register_filter("mark_english", mark_english)
    return exporter


# nbconvert's accessibility pass, as its selectors: `img:not([alt])` gets a placeholder alt,
# `.jp-Notebook div.jp-Cell-inputWrapper` and `div.jp-OutputArea-output` a tab stop. Script
# elements are skipped whole (their text is not markup), as an HTML parser skips them.
_TAGS = re.compile(r"<script\b.*?</script\s*>|<(div|img)\b([^>]*?)(/?)>",
                   re.IGNORECASE | re.DOTALL)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_FOCUSABLE = {"jp-Cell-inputWrapper", "jp-OutputArea-output"}
NO_ALT = "No description has been provided for this image"


def _accessible(page: str) -> str:
    """Add the alt texts and tab stops nbconvert's HTMLExporter adds."""

    def one(match: re.Match[str]) -> str:
        tag, attributes, slash = match.group(1), match.group(2), match.group(3)
        if tag is None:
            return match.group(0)
        names = {name.lower() for name in re.findall(r"([^\s\"'=<>/]+)\s*(?:=|(?=\s|$))",
                                                     _strip_values(attributes))}
        if tag.lower() == "img":
            extra = "" if "alt" in names else f' alt="{NO_ALT}"'
        else:
            found = _CLASS.search(attributes)
            classes = set("".join(found.groups(default="")).split()) if found else set()
            extra = ' tabindex="0"' if classes & _FOCUSABLE and "tabindex" not in names else ""
        return match.group(0) if not extra else f"<{tag}{attributes}{extra}{slash}>"

    return _TAGS.sub(one, page)


def _strip_values(attributes: str) -> str:
    """Attribute names only: quoted values removed, so a value cannot look like a name."""
    return re.sub(r"""=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+)""", "=", attributes)


# The pages' Markdown writes each heading "Vietnamese · English" and each English translation
# as a paragraph in italics: both are marked lang="en" in the page (its root is lang="vi"), so
# a browser hyphenates, and a screen reader speaks, each language as itself. nbconvert writes
# the middle dot as a character reference (&#183;).
_DOT = r"(?: · | &#183; | &middot; )"
_HEADING_EN = re.compile(r'(<h([1-6])\b[^>]*>)((?:(?!</h\2>).)*?)(' + _DOT + r')'
                         r'((?:(?!&#183;|&middot;|·)[^<])+?)'
                         r'(<a class="anchor-link"[^>]*>[^<]*</a>)?</h\2>', re.DOTALL)


def mark_english(cell_html: str) -> str:
    """A Markdown cell's HTML with lang="en" on the English half of each heading and on each
    paragraph written in italics (the template's ``mark_english`` filter)."""
    cell_html = _HEADING_EN.sub(
        lambda m: f'{m.group(1)}{m.group(3)}{m.group(4)}<span lang="en">{m.group(5)}</span>'
                  f'{m.group(6) or ""}</h{m.group(2)}>', cell_html)
    return cell_html.replace("<p><em>", '<p lang="en"><em>')


def export_html(nb: nbformat.NotebookNode, title: str, charts: int) -> str:
    """An executed notebook as one offline HTML page; the runtime only when it has charts.

    The runtime, 0.9 MB of script, is put in its place after templating, so that nothing
    scans it on the way.
    """
    nb.metadata["title"] = title
    resources = {
        "chart_runtime": RUNTIME_PLACEHOLDER if charts else "",
        "index_href": "index.html",
    }
    page, _ = _exporter().from_notebook_node(nb, resources=resources)
    page = _accessible(page)
    if not charts:
        return page
    before, found, after = page.partition(RUNTIME_PLACEHOLDER)
    if not found or RUNTIME_PLACEHOLDER in after:
        raise RenderError("the chart runtime's place is not in the page exactly once")
    return before + chart_display.runtime_script() + after


def check_page(name: str, page: str, charts: int) -> None:
    """Refuse a page that would fetch anything, or whose charts or runtime went missing.

    The chart runtime's script element is left out of the scan for references: a parser
    skips script text anyway, and it is most of the page.
    """
    start = page.find(f'<script id="{chart_display.RUNTIME_SCRIPT_ID}"')
    end = page.find("</script>", start) + len("</script>") if start >= 0 else -1
    scanned = page[:start] + page[end:] if start >= 0 and end > start else page
    problems = [f"fetches {ref}" for ref in external_references(scanned)]
    drawn = page.count(f'{chart_display.CHART_ATTRIBUTE}="true"')
    if drawn != charts:
        problems.append(f"{drawn} chart containers in the HTML, {charts} in the outputs")
    runtimes = page.count(f'id="{chart_display.RUNTIME_SCRIPT_ID}"')
    if runtimes != (1 if charts else 0):
        problems.append(f"chart runtime included {runtimes} times")
    if problems:
        raise RenderError(f"{name}: the HTML would not work offline:\n  " + "\n  ".join(problems))



def write_file(target: Path, text: str) -> None:
    """Write via a temporary file so a failed run never leaves half a page behind."""
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
