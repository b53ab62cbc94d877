"""Execute a notebook (a jupytext ``NN_*.py`` script) in a fresh kernel of this interpreter.

Kernels start the standard way (jupyter_client's kernel manager, nbclient's client), with
charts switched to the offline renderer (:mod:`analysis.report.kit.chart_display`). A failing
cell is reported as the notebook, the line in its ``.py`` file and IPython's frame.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from analysis import paths
from analysis.errors import ProjectError
from analysis.report.kit import chart_display

CELL_TIMEOUT_S = 600
KERNEL_NAME = "python3"
HISTORY_FILE = ":memory:"  # nbclient's default: no history database written
# A notebook whose jupytext header holds `de_an_06: {reads: build}` reads only what the build
# makes, none of validation's results: `python -m analysis all` runs it while validation runs.
METADATA_KEY = "de_an_06"
READS_BUILD_ONLY = "build"
# `de_an_06: {page: explorer}` names the page (explorer.html) instead of the notebook's stem.
PAGE_NAME_KEY = "page"


class RenderError(ProjectError):
    """A notebook failed to execute, or its HTML would not work offline."""


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
    # jupytext gives each cell a random id, which the HTML shows: numbered instead, a page
    # made twice from the same notebook is the same page.
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"cell-{number}"
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


def page_name_of(notebook: Path, metadata: dict[str, Any]) -> str:
    return metadata.get(METADATA_KEY, {}).get(PAGE_NAME_KEY) or notebook.stem


def page_name(notebook: Path) -> str:
    """The rendered page's file name without ``.html``: the notebook's stem, unless its
    header names the page (``de_an_06: {page: explorer}``)."""
    import jupytext

    return page_name_of(notebook, jupytext.read(notebook).metadata)


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
