"""In a live kernel (JupyterLab), charts draw offline: the runtime comes once, with chart 1."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from analysis.report.html_export import external_references
from analysis.report.kit import chart_display

CELLS = [
    "import altair as alt, pandas as pd\n"
    "import analysis.report.kit.charts  # activates the display",
    "data = pd.DataFrame({'x': ['Hà Nội', 'Hòa Bình'], 'y': [1, 2]})\n"
    "alt.Chart(data).mark_bar().encode(x='x', y='y', tooltip=['x', 'y'])",
    "alt.Chart(data).mark_point().encode(x='x', y='y')",
    "alt.renderers.active",
]


def test_first_chart_of_a_kernel_carries_the_runtime_and_the_next_reuses_it(monkeypatch):
    monkeypatch.delenv(chart_display.ENV_VAR, raising=False)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    try:
        NotebookClient(notebook, kernel_name="python3", timeout=120,
                       resources={"metadata": {"path": os.getcwd()}}).execute()
    except Exception as error:  # noqa: BLE001 - a missing kernelspec is a set-up problem
        if "No such kernel" in str(error):
            pytest.skip("the project kernel is not installed (make install does it)")
        raise
    first, second = (cell.outputs[0]["data"]["text/html"] for cell in notebook.cells[1:3])
    assert chart_display.RUNTIME_SCRIPT_ID in first
    assert chart_display.RUNTIME_SCRIPT_ID not in second
    assert "vegaEmbed" in second
    assert external_references(first + second) == []  # nothing fetched from a CDN
    assert notebook.cells[3].outputs[0]["data"]["text/plain"] == repr(
        chart_display.LAB_RENDERER_NAME)
