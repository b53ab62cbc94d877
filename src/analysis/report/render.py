"""The render step: every ``notebooks/NN_*.py`` executed and exported to ``reports/``, and the
index page.

Each notebook is executed fresh in a kernel of its own (:mod:`analysis.report.execution`),
exported and checked (:mod:`analysis.report.html_export`); ``reports/index.html`` links every
page and the validation report (:mod:`analysis.report.index_page`).
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import nbformat

from analysis import paths
from analysis.fingerprints import StoredKeys, code_key, stored_keys
from analysis.report import page_cache
from analysis.report.execution import (
    RenderError,
    RenderKernelManager,
    execute_notebook,
    execute_notebook_async,
    page_name,  # noqa: F401 - part of render's surface (tests name pages with it)
    page_name_of,
    reads_only_the_build,
    start_kernel,
)
from analysis.report.html_export import (
    check_page,
    count_charts,
    export_html,
    foreign_charts,
    write_file,
)
from analysis.report.index_page import (
    MISSING_VALIDATION,
    VALIDATION_PAGE,
    RenderedPage,
    describe,
    write_index,
)
from analysis.report.kit import chart_display
from analysis.report.page_cache import NOTEBOOK_GLOB, notebook_paths

# Notebooks executing at once, each in its own kernel: one per core of the 2-core machine.
RENDER_CONCURRENCY = 2


def _write_page(notebook: Path, nb: nbformat.NotebookNode, out_dir: Path,
                started: float) -> RenderedPage:
    """Check an executed notebook, export it and write ``out_dir/<its name>.html``."""
    rendered, page = _page(notebook, nb, out_dir, started)
    write_file(rendered.path, page)
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
    target = out_dir / f"{page_name_of(notebook, nb.metadata)}.html"
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
                               ) -> tuple[bool, list[Outcome]]:
    """Execute up to `concurrency` notebooks at once, each in its own (started) kernel, in
    the order given: validation's verdict (true without `validated`) and the outcomes in that
    order. A notebook in `gated` starts only once `validated()` has said yes, and is not run
    if it says no."""
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
    return (await verdict if verdict is not None else True), outcomes


class Renderer:
    """Renders the ``NN_*.py`` notebooks whose pages are out of date; their kernels start as
    soon as it is made.

    A page is kept when its key (:mod:`analysis.report.page_cache`: the notebook's text, the
    code, the database's content keys) is the one it was made from; `force` executes every
    notebook. `keys` are the database's keys the pages will read; by default those stored in
    it (``python -m analysis all`` passes those its build and validation will store).

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
                 concurrency: int = RENDER_CONCURRENCY, build_copy: Path | None = None,
                 keys: StoredKeys | None = None, force: bool = False) -> None:
        self.notebooks = notebook_paths(notebooks_dir)
        if not self.notebooks:
            raise RenderError(f"no notebooks matching {NOTEBOOK_GLOB} in {notebooks_dir}")
        self.out_dir, self.concurrency = out_dir, concurrency
        keys = stored_keys(paths.DATABASE) if keys is None else keys
        code = code_key()
        self.keys = {notebook: page_cache.page_key(notebook, code, keys)
                     for notebook in self.notebooks}
        self.records = page_cache.load(out_dir)
        self.kept = {} if force else {
            notebook: RenderedPage(page_cache.page_path(notebook, out_dir), record.title,
                                   record.summary, record.charts, record.size, record.seconds)
            for notebook, record in page_cache.kept(self.notebooks, keys, out_dir).items()}
        self.stale = [notebook for notebook in self.notebooks if notebook not in self.kept]
        self.build_only = ({notebook for notebook in self.stale
                            if reads_only_the_build(notebook)} if build_copy else set())
        on_copy = {**os.environ, paths.DATABASE_ENV: str(build_copy)}
        self._loop = asyncio.new_event_loop()
        self._kernels: dict[Path, RenderKernelManager] = {}
        try:
            for notebook in self.stale:
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
        """Render every out-of-date notebook and, if any was, the index; return the pages and
        the index.

        Notebooks run `concurrency` at a time. With `validated` (a coroutine function run once,
        in this renderer's event loop), the notebooks that read only the build run at once and
        the others only if it returns true; if it returns false nothing is written and the
        result is empty. Every notebook is attempted, so one run reports all failures; any
        failure then fails the step. Pages of notebooks that no longer exist are removed.
        """
        out_dir = self.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.stale:
            chart_display.runtime_bundle()  # read (or built, once) before the notebooks run
        for notebook, page in self.kept.items():
            print(f"render: {notebook.name} -> {page.path.name} kept (its notebook, the code "
                  "and the database are as when it was made)", flush=True)
        # Those that can start first, then longest first (as the last render timed them; new
        # notebooks before all): the last to start is then a short one, and the cores stay
        # busy to the end.
        gated = set(self._kernels) - self.build_only if validated else set()
        seconds = {name: record.seconds for name, record in self.records.items()}
        order = sorted(self._kernels,
                       key=lambda nb: (nb in gated, -seconds.get(nb.name, math.inf), nb))
        passed, outcomes_in_order = self._loop.run_until_complete(_render_concurrently(
            {notebook: self._kernels[notebook] for notebook in order}, out_dir,
            self.concurrency, gated, validated))
        if not passed:
            return []  # nothing of an unvalidated build is published
        outcomes = dict(zip(order, outcomes_in_order, strict=True))
        written = {notebook: outcome for notebook, outcome in outcomes.items()
                   if isinstance(outcome, tuple)}
        for page, text in written.values():
            write_file(page.path, text)
        pages = {**self.kept, **{notebook: page for notebook, (page, _) in written.items()}}
        page_cache.save(out_dir, {notebook.name: page_cache.Record(
            self.keys[notebook], page_cache.sha256_of(page.path) or "", page.title,
            page.summary, page.charts, page.size, round(page.seconds, 2))
            for notebook, page in pages.items()})
        failures = [str(outcome) for outcome in outcomes.values()
                    if isinstance(outcome, RenderError)]
        if failures:
            raise RenderError(f"{len(failures)} of {len(self.notebooks)} notebook(s) failed:\n"
                              + "\n".join(failures))
        listed = [pages[notebook] for notebook in self.notebooks]
        expected = {page.path.name for page in listed}
        for stale in out_dir.glob("[0-9][0-9]_*.html"):
            if stale.name not in expected:
                stale.unlink()
        index = out_dir / "index.html"
        if written or not index.exists() or _validation_page_appeared(index, out_dir):
            write_index(listed, out_dir)
        return [page.path for page in listed] + [index]


def _validation_page_appeared(index: Path, out_dir: Path) -> bool:
    """Whether the index says the validation report is missing while it is there now."""
    return (out_dir / VALIDATION_PAGE).exists() and \
        MISSING_VALIDATION in index.read_text(encoding="utf-8")


def render_all(notebooks_dir: Path = paths.NOTEBOOKS, out_dir: Path = paths.REPORTS,
               concurrency: int = RENDER_CONCURRENCY, force: bool = False) -> list[Path]:
    """Render every out-of-date ``NN_*.py`` notebook and the index; return the pages and the
    index."""
    with Renderer(notebooks_dir, out_dir, concurrency, force=force) as renderer:
        return renderer.render()
