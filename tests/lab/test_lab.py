"""The lab works as the README says: JupyterLab started as `make lab` starts it, in headless
Chromium with every request beyond the lab's own server blocked; a new notebook runs the
README's snippet unchanged and a plain Altair chart (no project import), and both display; a
paired `.py` notebook opens as a notebook."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import BrowserError, Chromium, _evaluate, require_chromium

from analysis import paths
from analysis.lab import install

LAB_TIMEOUT_S = 180
ALTAIR_CELL = ("import altair as alt\nimport pandas as pd\n"
               "data = pd.DataFrame({'x': ['Hà Nội', 'Hòa Bình'], 'y': [1, 2]})\n"
               "alt.Chart(data).mark_bar().encode(x='x', y='y')")


def readme_snippet() -> str:
    """The README's Python snippet under "Query it", exactly as printed."""
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Query it"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def lab_server(tmp: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab as `make lab` starts it (root at the repository, the venv's settings), with
    its own token, port, runtime and user-settings folders; yields (base url, token)."""
    install()  # what `make lab` runs first
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp / "config")}
    command = [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser",
               f"--ServerApp.root_dir={paths.ROOT}", f"--port={port}", "--ip=127.0.0.1",
               f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={tmp / 'settings'}",
               f"--LabApp.workspaces_dir={tmp / 'workspaces'}", "--allow-root",
               "--LabApp.news_url=", "--LabApp.check_for_updates_class="
               "jupyterlab.NeverCheckForUpdate"]
    log = (tmp / "lab.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start:\n"
                                         + (tmp / "lab.log").read_text(errors="replace")[-3000:]
                                         ) from None
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def put_notebook(base: str, token: str, path: str, cells: list[str]) -> None:
    notebook = {"nbformat": 4, "nbformat_minor": 5, "cells": [
        {"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
         "execution_count": None, "id": f"cell-{i}"} for i, source in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (de-an-06)",
                                    "language": "python"}}}
    request = urllib.request.Request(
        f"{base}/api/contents/{path}?token={token}", method="PUT",
        data=json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30):
        pass


class OnlyTheLab:
    """Answers the tab's paused requests: the lab's own server goes through, anything else
    (a CDN, any website) fails and is recorded."""

    def __init__(self, browser: Chromium, session: str, base: str):
        self.browser, self.session, self.base = browser, session, base
        self.blocked: list[str] = []
        self._seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            for event in self.browser.events(self.session):
                if event["method"] != "Fetch.requestPaused":
                    continue
                request_id = event["params"]["requestId"]
                if request_id in self._seen:
                    continue
                self._seen.add(request_id)
                url = event["params"]["request"]["url"]
                with contextlib.suppress(BrowserError):
                    if url.startswith(self.base + "/"):
                        self.browser.send("Fetch.continueRequest", {"requestId": request_id},
                                          session=self.session)
                    else:
                        self.blocked.append(url)
                        self.browser.send("Fetch.failRequest", {
                            "requestId": request_id, "errorReason": "InternetDisconnected"},
                            session=self.session)
            time.sleep(0.02)

    def __enter__(self) -> OnlyTheLab:
        self.browser.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]},
                          session=self.session)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_until(browser: Chromium, session: str, expression: str, what: str,
               timeout: float = LAB_TIMEOUT_S) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(BrowserError):
            value = _evaluate(browser, session, expression)
            if value:
                return value
        time.sleep(0.5)
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (screenshot bytes: "
                         f"{len(shot.get('data', ''))})")


# The outputs of the new notebook's two cells, once both have run.
OUTPUTS = """(() => {
  const cells = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'));
  if (cells.length < 2) return null;
  const counts = cells.map(c => c.querySelector('.jp-InputPrompt')?.textContent || '');
  if (counts.some(t => !/\\[\\d+\\]/.test(t))) return null;
  const errors = cells.map(c => c.querySelector('.jp-OutputArea-output[data-mime-type*="error"]')
                                 ?.textContent || null);
  const table = cells[0].querySelector('.jp-OutputArea-output table');
  const marks = Array.from(cells[1].querySelectorAll('svg.marks, canvas.marks'))
    .map(g => g.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0);
  const text = cells[1].querySelector('.jp-OutputArea-output')?.textContent || '';
  return {errors, rows: table ? table.querySelectorAll('tbody tr').length : 0,
          header: table ? table.querySelector('thead')?.textContent : null,
          marks: marks.length, text: text.slice(0, 300)};
})()"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    require_chromium()
    if not paths.DATABASE.exists():
        pytest.fail("the database is missing: `make test` runs `make all` first")
    with lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


def test_a_new_notebook_runs_the_readme_snippet_and_draws_a_plain_altair_chart_offline(lab):
    base, token = lab
    name = f"notebooks/lab_test_{os.getpid()}.ipynb"  # notebooks/*.ipynb is ignored by git
    put_notebook(base, token, name, [readme_snippet(), ALTAIR_CELL])
    try:
        with Chromium(isolate=False) as browser, browser.tab() as session:
            for domain in ("Runtime", "Page"):
                browser.send(f"{domain}.enable", session=session)
            with OnlyTheLab(browser, session, base) as guard:
                browser.send("Page.navigate", {"url": f"{base}/lab/tree/{name}?token={token}"},
                             session=session)
                wait_until(browser, session, "!!(window.jupyterapp && document.querySelector("
                           "'.jp-Notebook .jp-CodeCell'))", "the notebook opened")
                wait_until(browser, session, "(() => { const w = jupyterapp.shell.currentWidget;"
                           " return !!(w && w.sessionContext && w.sessionContext.session &&"
                           " w.sessionContext.session.kernel &&"
                           " w.sessionContext.session.kernel.status === 'idle'); })()",
                           "the kernel started")
                _evaluate(browser, session,
                          "jupyterapp.commands.execute('notebook:run-all-cells').then(() => 1)")
                outputs = wait_until(browser, session, OUTPUTS, "both cells ran")
                outputs = wait_until(browser, session, f"(() => {{ const o = {OUTPUTS};"
                                     " return o && (o.marks > 0 || o.errors.some(e => e) ||"
                                     " o.text.includes('Error loading')) ? o : null; })()",
                                     "the chart drew")
            assert outputs["errors"] == [None, None], outputs
            assert outputs["rows"] > 10 and "headline" in outputs["header"], outputs
            assert outputs["marks"] >= 1, outputs
            assert "Error loading script" not in outputs["text"]
            assert guard.blocked == [], guard.blocked
    finally:
        request = urllib.request.Request(f"{base}/api/contents/{name}?token={token}",
                                         method="DELETE")
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=30):
            pass
        (paths.ROOT / name).unlink(missing_ok=True)


def test_a_paired_py_notebook_opens_as_a_notebook(lab):
    base, token = lab
    notebook = sorted(paths.NOTEBOOKS.glob("*.py"))[0].relative_to(paths.ROOT).as_posix()
    source = (paths.ROOT / notebook).read_text(encoding="utf-8")
    expected = sum(1 for line in source.splitlines() if line.startswith("# %%"))
    with Chromium(isolate=False) as browser, browser.tab() as session:
        browser.send("Runtime.enable", session=session)
        browser.send("Page.navigate", {"url": f"{base}/lab/tree/{notebook}?token={token}"},
                     session=session)
        # The notebook's model (the lab renders cells lazily, so the DOM may hold fewer).
        opened = wait_until(browser, session, """(() => {
          const w = window.jupyterapp && jupyterapp.shell.currentWidget;
          if (!w || !w.node.classList.contains('jp-NotebookPanel') || !w.context.isReady)
            return null;
          return {path: w.context.path, cells: w.content.model.cells.length,
                  editors: document.querySelectorAll('.jp-FileEditor').length};
        })()""", f"{notebook} opened as a notebook")
    assert opened == {"path": notebook, "cells": expected, "editors": 0}
