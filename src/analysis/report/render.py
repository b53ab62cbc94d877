"""Execute the notebooks and render them to self-contained HTML pages that work offline.

For every ``notebooks/NN_*.py`` (jupytext percent format) the notebook is executed fresh in a
kernel of *this* interpreter, with charts switched to the offline renderer
(:mod:`analysis.report.kit.chart_display`), then exported with the ``offline`` nbconvert
template: code hidden, nothing loaded from the network, the chart runtime included once if
the page has a chart. ``reports/index.html`` links every page and the validation report.

Each page is checked before it is written: no external script, style, font or image, and one
container per chart. The browser test (tests/report/test_reports_browser.py) proves they draw.
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import math
import os
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from analysis import paths
from analysis.errors import ProjectError
from analysis.report.kit import chart_display

TEMPLATES = paths.TEMPLATES
TEMPLATE_NAME = "offline"
NOTEBOOK_GLOB = "[0-9][0-9]_*.py"
CELL_TIMEOUT_S = 600
# Notebooks executing at once, each in its own kernel: one per core of the 2-core machine.
RENDER_CONCURRENCY = 2
KERNEL_NAME = "python3"
HISTORY_FILE = ":memory:"  # nbclient's default: no history database written
VALIDATION_PAGE = "validation.html"
# Cells tagged like this (`# %% tags=["remove-cell"]`) are left out of the HTML: set-up cells.
REMOVE_CELL_TAGS = {"remove-cell", "remove_cell"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}
# Each notebook's last render time, beside the pages: it decides only the order they run in.
TIMINGS_FILE = ".render-seconds.json"
RUNTIME_PLACEHOLDER = "<!-- de-an-06: the chart runtime goes here -->"
# A notebook whose jupytext header holds `de_an_06: {reads: build}` reads only what the build
# makes, none of validation's results: `python -m analysis all` runs it while validation runs.
METADATA_KEY = "de_an_06"
READS_BUILD_ONLY = "build"
# `de_an_06: {page: explorer}` names the page (explorer.html) instead of the notebook's stem.
PAGE_NAME_KEY = "page"


class RenderError(ProjectError):
    """A notebook failed to execute, or its HTML would not work offline."""


@dataclass(frozen=True)
class RenderedPage:
    """One rendered notebook, as listed on the index page."""

    path: Path
    title: str
    summary: str
    charts: int
    size: int  # bytes
    seconds: float


# --- executing -------------------------------------------------------------------------------


def _render_kernel_spec() -> KernelSpec:
    """The kernel for rendering: always this interpreter, with charts offline.

    Installed kernelspecs cannot be trusted to point here: the venv's spec says a bare
    ``python`` (whatever PATH finds), and a user-level ``python3`` spec shadows it. The spec
    switches charts to the offline renderer, by environment and by activating it at start-up,
    so a notebook that draws with plain ``alt.Chart`` renders offline too.
    """
    source_root = str(paths.SOURCE_ROOT)
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
              "--IPKernelApp.exec_lines="
              "__import__('analysis.report.kit.chart_display', fromlist=['_']).activate()",
              # Its one warning is that local TCP is unencrypted: noise in every render.
              "--IPKernelApp.log_level=ERROR"],
        display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (render)",
        language="python",
        # analysis must import in the kernel even without an editable install.
        env={chart_display.ENV_VAR: chart_display.OFFLINE, "PYTHONPATH": source_root},
        metadata={},
    )


class _RenderKernelSpecs(KernelSpecManager):
    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return _render_kernel_spec()


class RenderKernelManager(AsyncKernelManager):
    """nbclient creates (and so shuts down) one of these per notebook: a kernel of this
    interpreter, started the standard way (jupyter_client's local provisioner)."""

    @default("kernel_spec_manager")
    def _render_specs(self) -> KernelSpecManager:
        return _RenderKernelSpecs()


def _cell_failure(notebook: Path, nb: nbformat.NotebookNode, error: Exception) -> RenderError:
    """Name the notebook, the cell and the line in the .py file that failed."""
    for index, cell in enumerate(nb.cells, start=1):
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if not errors:
            continue
        trace = _strip_ansi("\n".join(errors[0].get("traceback", []))).splitlines()
        # IPython's frame for the cell itself: "Cell In[3], line 2" down to the "---->" line.
        start = next((i for i, line in enumerate(trace) if line.startswith("Cell In[")), None)
        frame: list[str] = []
        if start is not None:
            arrow = next((i for i in range(start, len(trace)) if trace[i].startswith("---->")),
                         start)
            frame = trace[start:arrow + 1]
        line_in_cell = re.search(r"line (\d+)", frame[0]) if frame else None
        where = _line_in_file(notebook, cell.source,
                              int(line_in_cell.group(1)) if line_in_cell else 1)
        shown = "\n    ".join(frame or trace[-6:])
        return RenderError(
            f"{notebook.name}{where}, cell {index} of {len(nb.cells)} failed: "
            f"{errors[0].get('ename')}: {errors[0].get('evalue')}\n    {shown}"
        )
    return RenderError(f"{notebook.name}: execution failed: {_strip_ansi(str(error))[-2000:]}")


def _line_in_file(notebook: Path, source: str, line_in_cell: int) -> str:
    """", line N" of the .py file, found by locating the cell's code in it (jupytext keeps
    code cells verbatim); empty when it cannot be found."""
    text = notebook.read_text(encoding="utf-8")
    at = text.find(source) if source.strip() else -1
    return f", line {text.count(chr(10), 0, at) + line_in_cell}" if at >= 0 else ""


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _client(notebook: Path, cwd: Path | None,
            km: RenderKernelManager | None = None) -> tuple[nbformat.NotebookNode, Any]:
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(notebook)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3",
                                 "language": "python"}
    client = NotebookClient(
        nb, km=km, kernel_manager_class=RenderKernelManager, kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_S, allow_errors=False,
        resources={"metadata": {"path": str(cwd or notebook.parent)}},
        # The outputs are complete when the last cell has run: end the kernel at once
        # rather than ask it to shut down and wait for it (~0.6 s per notebook).
        shutdown_kernel="immediate",
    )
    return nb, client


def _execution_errors() -> tuple[type[BaseException], ...]:
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    return CellExecutionError, DeadKernelError, TimeoutError


def execute_notebook(notebook: Path, cwd: Path | None = None) -> nbformat.NotebookNode:
    """Read a jupytext script and execute it in a fresh kernel; cwd defaults to its folder."""
    nb, client = _client(notebook, cwd)
    try:
        client.execute()
    except _execution_errors() as error:
        raise _cell_failure(notebook, nb, error) from None
    return nb


async def start_kernel(notebook: Path, cwd: Path | None = None,
                       env: dict[str, str] | None = None) -> RenderKernelManager:
    """Start the kernel a notebook will run in, as nbclient would start it; `env` replaces
    this process's environment (the kernel spec's variables are set on top of it)."""
    km = RenderKernelManager(kernel_name=KERNEL_NAME)
    await km.start_kernel(extra_arguments=[f"--HistoryManager.hist_file={HISTORY_FILE}"],
                          cwd=str(cwd or notebook.parent),
                          **({"env": env} if env is not None else {}))
    return km


def reads_only_the_build(notebook: Path) -> bool:
    """Whether the notebook's header says it reads only what the build makes."""
    import jupytext

    return jupytext.read(notebook).metadata.get(METADATA_KEY, {}).get("reads") \
        == READS_BUILD_ONLY


def _page_name(notebook: Path, metadata: dict[str, Any]) -> str:
    return metadata.get(METADATA_KEY, {}).get(PAGE_NAME_KEY) or notebook.stem


def page_name(notebook: Path) -> str:
    """The rendered page's file name without ``.html``: the notebook's stem, unless its
    header names the page (``de_an_06: {page: explorer}``)."""
    import jupytext

    return _page_name(notebook, jupytext.read(notebook).metadata)


async def execute_notebook_async(notebook: Path, cwd: Path | None = None,
                                 km: RenderKernelManager | None = None
                                 ) -> nbformat.NotebookNode:
    """:func:`execute_notebook` for an event loop, so several kernels can run at once; in the
    kernel ``km`` if given (from :func:`start_kernel`), which is ended afterwards."""
    nb, client = _client(notebook, cwd, km)
    try:
        await client.async_execute(cleanup_kc=True)
    except _execution_errors() as error:
        raise _cell_failure(notebook, nb, error) from None
    return nb


# --- checking --------------------------------------------------------------------------------


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
    return OfflineHTMLExporter(config=config, template_name=TEMPLATE_NAME,
                               extra_template_basedirs=[str(TEMPLATES)])


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


# --- titles and the index --------------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _plain(markdown: str) -> str:
    """Markdown inline syntax reduced to text, for titles and summaries."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links and images
    text = text.replace("`", "")
    # Emphasis markers at word edges only: snake_case names keep their underscores.
    text = re.sub(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def describe(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """(title, one-line summary): the first markdown heading and the paragraph after it."""
    title, summary = "", ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraph: list[str] = []
        for line in cell.source.splitlines():
            heading = _HEADING.match(line)
            if heading and not title:
                title = _plain(heading.group(1))
            elif heading or not line.strip():
                if title and paragraph:
                    break
            elif title:
                paragraph.append(line)
        if title and paragraph:
            summary = _plain(" ".join(paragraph))
            break
    if len(summary) > 220:
        summary = summary[:220].rsplit(" ", 1)[0] + " …"
    return title or fallback, summary


_INDEX_CSS = """
body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 860px; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.lead { color: #57606a; margin-top: 0; }
ol { padding-left: 0; list-style: none; }
li { margin: 0 0 1rem; padding: 0.8rem 1rem; border: 1px solid #d0d7de; border-radius: 6px; }
li a { font-weight: 600; font-size: 1.05rem; }
.summary { margin: 0.3rem 0 0; }
.meta { color: #57606a; font-size: 0.85rem; }
.missing { color: #9a6700; }
"""


def write_index(pages: list[RenderedPage], out_dir: Path) -> Path:
    """``index.html``: every rendered notebook and the validation report, no scripts."""
    validation = out_dir / VALIDATION_PAGE
    items = []
    for page in pages:
        charts = f"{page.charts} chart{'s' if page.charts != 1 else ''}"
        items.append(
            f'<li><a href="{html.escape(page.path.name)}">{html.escape(page.title)}</a>'
            f'<p class="summary">{html.escape(page.summary)}</p>'
            f'<p class="meta">{html.escape(page.path.name)} · {charts}</p></li>'
        )
    status = "" if validation.exists() else (
        '<p class="meta missing">Not generated yet: run <code>make validate</code>.</p>')
    items.append(
        f'<li><a href="{VALIDATION_PAGE}">Validation report</a>'
        '<p class="summary">Every rule, every failing figure with its arithmetic, the errata '
        "that explain them and the rounding conventions of each source.</p>"
        f"{status}</li>"
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đề án 06 — reports</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>Đề án 06 — reports</h1>
<p class="lead">Rendered from the notebooks in <code>notebooks/</code>; they work offline.</p>
<ol>
{chr(10).join(items)}
</ol>
<p class="meta">Generated {generated}.</p>
</body>
</html>
"""
    target = out_dir / "index.html"
    _write(target, page)
    return target


def _write(target: Path, text: str) -> None:
    """Write via a temporary file so a failed run never leaves half a page behind."""
    partial = target.with_name(target.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)


# --- the step --------------------------------------------------------------------------------


def notebook_paths(notebooks_dir: Path = paths.NOTEBOOKS) -> list[Path]:
    return sorted(notebooks_dir.glob(NOTEBOOK_GLOB))


def _write_page(notebook: Path, nb: nbformat.NotebookNode, out_dir: Path,
                started: float) -> RenderedPage:
    """Check an executed notebook, export it and write ``out_dir/<its name>.html``."""
    rendered, page = _page(notebook, nb, out_dir, started)
    _write(rendered.path, page)
    return rendered


def _page(notebook: Path, nb: nbformat.NotebookNode, out_dir: Path,
          started: float) -> tuple[RenderedPage, str]:
    """Check an executed notebook and export it: the page (for ``out_dir``) and its HTML."""
    if cells := foreign_charts(nb):
        raise RenderError(
            f"{notebook.name}: cell(s) {', '.join(map(str, cells))} display a chart that would "
            "need the network; draw charts with analysis.report.kit.charts (or call "
            "analysis.report.kit.chart_display.activate()) and keep Altair's renderer as it sets it"
        )
    charts = count_charts(nb)
    title, summary = describe(nb, fallback=notebook.stem)
    page = export_html(nb, title, charts)
    target = out_dir / f"{_page_name(notebook, nb.metadata)}.html"
    check_page(target.name, page, charts)
    return RenderedPage(target, title, summary, charts, len(page.encode()),
                        time.perf_counter() - started), page


def render_notebook(notebook: Path, out_dir: Path = paths.REPORTS) -> RenderedPage:
    """Execute one notebook and write ``out_dir/<its name>.html``."""
    started = time.perf_counter()
    return _write_page(notebook, execute_notebook(notebook), out_dir, started)


def _report(notebook: Path, outcome: RenderedPage | RenderError) -> None:
    if isinstance(outcome, RenderError):
        print(f"render: {notebook.name} FAILED", flush=True)
        return
    print(f"render: {notebook.name} -> {outcome.path.name} "
          f"({outcome.charts} chart{'' if outcome.charts == 1 else 's'}, "
          f"{outcome.size / 1e6:.2f} MB) "
          f"in {outcome.seconds:.1f} s", flush=True)


Outcome = tuple[RenderedPage, str] | RenderError | None  # None: not run (validation failed)


async def _render_concurrently(kernels: dict[Path, RenderKernelManager], out_dir: Path,
                               concurrency: int, gated: set[Path],
                               validated: Callable[[], Awaitable[bool]] | None
                               ) -> list[Outcome]:
    """Execute up to `concurrency` notebooks at once, each in its own (started) kernel, in
    the order given; outcomes in that order. A notebook in `gated` starts only once
    `validated()` has said yes, and is not run if it says no."""
    slots = asyncio.Semaphore(concurrency)  # waiters get a slot first come, first served
    verdict = asyncio.ensure_future(validated()) if validated is not None else None

    async def one(notebook: Path, km: RenderKernelManager) -> Outcome:
        if verdict is not None and notebook in gated and not await verdict:
            return None
        async with slots:
            print(f"render: {notebook.name} started", flush=True)
            started = time.perf_counter()
            try:
                nb = await execute_notebook_async(notebook, km=km)
                outcome: Outcome = _page(notebook, nb, out_dir, started)
            except RenderError as error:
                outcome = error
            _report(notebook, outcome if isinstance(outcome, RenderError) else outcome[0])
            return outcome

    outcomes = list(await asyncio.gather(*(one(notebook, km)
                                           for notebook, km in kernels.items())))
    if verdict is not None and not await verdict:
        return [None] * len(outcomes)  # nothing of an unvalidated build is published
    return outcomes


def _last_seconds(out_dir: Path) -> dict[str, float]:
    """How long each notebook took in the last render into `out_dir` (empty if unknown)."""
    try:
        seconds = json.loads((out_dir / TIMINGS_FILE).read_text(encoding="utf-8"))
        return {str(name): float(value) for name, value in seconds.items()}
    except (OSError, ValueError, TypeError, AttributeError):  # none yet, or not ours
        return {}


class Renderer:
    """Renders every ``NN_*.py`` notebook; their kernels start as soon as it is made.

    A kernel's start (a new interpreter importing ipykernel, ~1 s of CPU) needs
    nothing from the database, so ``python -m analysis all`` makes the renderer before it
    builds: the kernels start on the core the build leaves idle, and each notebook still runs
    from its first cell in a fresh kernel of its own. Use it as a context manager: kernels
    not used by :meth:`render` are ended on leaving it.

    With `build_copy`, the kernels of notebooks that read only the build (see
    :func:`reads_only_the_build`) read the database at that path, which the caller fills
    (:func:`analysis.warehouse.build.copy_of_build`) before :meth:`render`; they can then run while
    validation writes into the database itself.
    """

    def __init__(self, notebooks_dir: Path = paths.NOTEBOOKS, out_dir: Path = paths.REPORTS,
                 concurrency: int = RENDER_CONCURRENCY, build_copy: Path | None = None) -> None:
        self.notebooks = notebook_paths(notebooks_dir)
        if not self.notebooks:
            raise RenderError(f"no notebooks matching {NOTEBOOK_GLOB} in {notebooks_dir}")
        self.out_dir, self.concurrency = out_dir, concurrency
        self.build_only = ({notebook for notebook in self.notebooks
                            if reads_only_the_build(notebook)} if build_copy else set())
        on_copy = {**os.environ, paths.DATABASE_ENV: str(build_copy)}
        self._loop = asyncio.new_event_loop()
        self._kernels: dict[Path, RenderKernelManager] = {}
        try:
            for notebook in self.notebooks:
                self._kernels[notebook] = self._loop.run_until_complete(start_kernel(
                    notebook, env=on_copy if notebook in self.build_only else None))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the kernels that have not run a notebook."""
        if self._loop.is_closed():
            return
        for km in self._kernels.values():
            if km.has_kernel:
                self._loop.run_until_complete(km.shutdown_kernel(now=True))
        self._loop.close()

    def render(self, validated: Callable[[], Awaitable[bool]] | None = None) -> list[Path]:
        """Render every notebook and the index; return the files written.

        Notebooks run `concurrency` at a time. With `validated` (a coroutine function run once,
        in this renderer's event loop), the notebooks that read only the build run at once and
        the others only if it returns true; if it returns false nothing is written and the
        result is empty. Every notebook is attempted, so one run reports all failures; any
        failure then fails the step. Pages of notebooks that no longer exist are removed.
        """
        out_dir = self.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        chart_display.runtime_bundle()  # read (or built, once) before the notebooks run
        seconds = _last_seconds(out_dir)
        # Those that can start first, then longest first (as the last render timed them; new
        # notebooks before all): the last to start is then a short one, and the cores stay
        # busy to the end.
        gated = set(self._kernels) - self.build_only if validated else set()
        order = sorted(self._kernels,
                       key=lambda nb: (nb in gated, -seconds.get(nb.name, math.inf), nb))
        outcomes = dict(zip(order, self._loop.run_until_complete(_render_concurrently(
            {notebook: self._kernels[notebook] for notebook in order}, out_dir,
            self.concurrency, gated, validated)), strict=True))
        if any(outcome is None for outcome in outcomes.values()):
            return []
        written = {notebook: outcome for notebook, outcome in outcomes.items()
                   if isinstance(outcome, tuple)}
        for page, text in written.values():
            _write(page.path, text)
        _write(out_dir / TIMINGS_FILE, json.dumps(
            {notebook.name: round(page.seconds, 2) for notebook, (page, _) in written.items()},
            indent=1))
        failures = [str(outcome) for outcome in outcomes.values()
                    if isinstance(outcome, RenderError)]
        if failures:
            raise RenderError(f"{len(failures)} of {len(self.notebooks)} notebook(s) failed:\n"
                              + "\n".join(failures))
        pages = [written[notebook][0] for notebook in self.notebooks]
        expected = {page.path.name for page in pages}
        for stale in out_dir.glob("[0-9][0-9]_*.html"):
            if stale.name not in expected:
                stale.unlink()
        return [page.path for page in pages] + [write_index(pages, out_dir)]


def render_all(notebooks_dir: Path = paths.NOTEBOOKS, out_dir: Path = paths.REPORTS,
               concurrency: int = RENDER_CONCURRENCY) -> list[Path]:
    """Render every ``NN_*.py`` notebook and the index; return the files written."""
    with Renderer(notebooks_dir, out_dir, concurrency) as renderer:
        return renderer.render()
