"""How Altair charts display: interactively in JupyterLab, offline in the rendered HTML.

Altair's own HTML output either loads vega/vega-lite/vega-embed from a CDN or inlines the
0.9 MB runtime into *every* chart (and then only the first chart on a page draws, because the
runtime's top-level `const`s collide when the script runs twice). So when the render step
executes a notebook it sets ``DE_AN_06_RENDER=offline`` and charts emit only a container
``<div>`` and a small ``vegaEmbed(...)`` call. The render step adds the runtime
(:func:`runtime_script`) once per page.

Each chart's script works whether the runtime comes before or after it: it draws at once if
``window.vegaEmbed`` exists and otherwise queues itself; the runtime drains the queue.

The project's charts module calls :func:`activate` at import, so notebooks need no set-up.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import sys
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import altair as alt

from analysis import paths
from analysis.report.kit import chart_data

ENV_VAR = "DE_AN_06_RENDER"
OFFLINE = "offline"
RENDERER_NAME = "de_an_06_offline"

# Markers the render step and the tests look for; keep them in one place.
CHART_ATTRIBUTE = "data-de-an-06-chart"
RUNTIME_SCRIPT_ID = "de-an-06-vega-runtime"
DRAW_MARKER = "/* de-an-06:draw */"
QUEUE = "deAn06PendingCharts"

# Options for every chart. Tooltips on (vega-embed's vega-tooltip handler); the SVG renderer
# keeps text selectable and crisp in print; "Open in Vega Editor" and "View Source" would
# send the spec to a website or open empty windows offline, so only export stays.
EMBED_OPTIONS: dict[str, Any] = {
    "tooltip": True,
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    # One number format per page, the sources' own (Vietnamese): `.` groups thousands, `,`
    # marks decimals, in axes, labels, tooltips and format() expressions alike. vega-embed
    # hands these to vega.formatLocale / vega.timeFormatLocale (d3's locale definitions).
    # analysis.report.kit.presentation formats tables and prose with the same separators.
    "formatLocale": {"decimal": ",", "thousands": ".", "grouping": [3],
                     "currency": ["", " ₫"], "percent": " %", "minus": "−"},
    "timeFormatLocale": {
        "dateTime": "%H:%M:%S %d/%m/%Y", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"tháng {month}" for month in range(1, 13)],
        "shortMonths": [f"thg {month}" for month in range(1, 13)],
    },
}

# A stack of panels says in its spec's usermeta how wide the band left of its plots is
# (see charts.panel_stack): the container then narrows the drawing's wrapper by that band,
# so plot plus axis fill the container and nothing runs past it (STACK_CSS).
USERMETA_KEY = "de_an_06"
STACK_CLASS = "de-an-06-stack"
STACK_CSS = f"""<style>
.de-an-06-chart.{STACK_CLASS} {{ display: block; padding-right: 0; }}
.de-an-06-chart.{STACK_CLASS} .chart-wrapper {{ width: calc(100% - var(--de-an-06-inset)); }}
.de-an-06-chart.{STACK_CLASS} .chart-wrapper > svg {{ max-width: none; }}
</style>"""

# Chart ids only need to be unique within one kernel (= one page), and a counter keeps the
# HTML identical between runs, unlike Altair's uuid4 ids.
_ids = itertools.count(1)


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element, with Vietnamese kept readable.

    ``</script>`` or ``<!--`` in a label would end or confuse the script element, and U+2028/9
    are line terminators in older JavaScript, so those characters are escaped.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def chart_html(spec: dict[str, Any], embed_options: dict[str, Any] | None = None) -> str:
    """The HTML for one chart: a container and a deferred ``vegaEmbed`` call, no runtime."""
    chart_id = f"de-an-06-chart-{next(_ids)}"
    options = {**EMBED_OPTIONS, **(embed_options or {})}
    inset = ((spec.get("usermeta") or {}).get(USERMETA_KEY) or {}).get("inset")
    stack = (f'{STACK_CSS}<div id="{chart_id}" class="de-an-06-chart {STACK_CLASS}" '
             f'style="--de-an-06-inset: {int(inset)}px"') if inset else (
        f'<div id="{chart_id}" class="de-an-06-chart"')
    # ES5 inside an IIFE: nothing leaks into the page's global scope, where the runtime's
    # own top-level names live.
    return f"""{stack} {CHART_ATTRIBUTE}="true"></div>
<script type="text/javascript">
(function () {{
  var spec = {script_json(spec)};
  var opts = {script_json(options)};
  function draw() {{ {DRAW_MARKER}
    var el = document.getElementById("{chart_id}");
    window.vegaEmbed(el, spec, opts).then(function (result) {{
      el.setAttribute("data-drawn", "true");
      (window.deAn06Views = window.deAn06Views || []).push(result.view);
    }}).catch(function (error) {{
      el.setAttribute("data-drawn", "error");
      console.error("Chart {chart_id} did not draw:", error);
    }});
  }}
  if (typeof window.vegaEmbed === "function") {{ draw(); }}
  else {{ (window.{QUEUE} = window.{QUEUE} || []).push(draw); }}
}})();
</script>"""


def offline_renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """Altair renderer: the chart as HTML that relies on the page-level runtime."""
    embed_options = metadata.get("embed_options") or {}
    return {
        "text/html": chart_html(spec, embed_options),
        "text/plain": f"<Altair chart: {spec.get('description') or spec.get('title') or ''}>",
    }


LAB_RENDERER_NAME = "de_an_06_lab"
_lab_runtime_sent = False


def lab_renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """Altair renderer for a live kernel (JupyterLab): offline, tooltips included.

    JupyterLab 4.6 renders Vega-Lite only up to v5 and Altair's default HTML loads v6 from a
    CDN, so neither draws on a machine without internet. The first chart of a kernel session
    carries the runtime (0.9 MB, once); later charts reuse it from the page. After reloading
    the browser tab without restarting the kernel, re-run the first chart's cell.
    """
    global _lab_runtime_sent
    bundle = offline_renderer(spec, **metadata)
    if not _lab_runtime_sent:
        bundle["text/html"] = runtime_script() + "\n" + bundle["text/html"]
        _lab_runtime_sent = True
    return bundle


def _in_live_kernel() -> bool:
    """True inside a Jupyter kernel (where outputs reach a browser), not in scripts or tests."""
    shell = sys.modules.get("IPython") and getattr(
        sys.modules["IPython"], "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def vega_lite_version() -> str:
    """The ``major.minor`` Vega-Lite version of Altair's schema, e.g. ``"6.4"``."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


# vl-convert assembles the bundle anew on every call (~1.5 s): it is kept on disk, keyed by
# everything it depends on, so each render and each kernel reads it instead.
RUNTIME_CACHE = paths.CHART_RUNTIME_CACHE


def runtime_cache_file() -> Path:
    """Where the bundle for the installed Altair and vl-convert versions is kept."""
    key = (f"vega-lite-{vega_lite_version()}_altair-{alt.__version__}"
           f"_vl-convert-{package_version('vl-convert-python')}")
    return RUNTIME_CACHE / f"{key}.js"


@functools.cache
def runtime_bundle() -> str:
    """vega + vega-lite + vega-embed (with vega-tooltip) as one script, matching Altair.

    Fails loudly if vl-convert does not ship the Vega-Lite version Altair writes, rather than
    drawing charts with a library the specs were not written for.
    """
    cached = runtime_cache_file()
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    import vl_convert

    version = vega_lite_version()
    available = vl_convert.get_vegalite_versions()
    if version not in available:
        raise RuntimeError(
            f"Altair {alt.__version__} writes Vega-Lite {version} specs, but vl-convert "
            f"{vl_convert.__version__} bundles only {', '.join(available)}"
        )
    bundle = vl_convert.javascript_bundle(vl_version=version)
    try:  # via a unique temporary name: two renders may fill the cache at once
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(cached)
    except OSError:
        pass  # a read-only checkout still renders, only slower
    return bundle


def runtime_script() -> str:
    """The runtime as one ``<script>`` element, plus draining of charts queued before it.

    The bundle is wrapped in a function so its minified top-level names (``n``, ``t``, ...)
    stay private; it publishes ``window.vegaEmbed`` itself.
    """
    bundle = runtime_bundle()
    if "</script" in bundle.lower():  # would end the element early; vl-convert never emits it
        raise RuntimeError("the vega bundle contains '</script'; it cannot be inlined")
    return (
        # Attributes in the order nbconvert's reprinting of a page puts them.
        f'<script id="{RUNTIME_SCRIPT_ID}" type="text/javascript">\n'
        f"(function () {{\n{bundle}\n}})();\n"
        f"(function () {{\n"
        f"  var queued = window.{QUEUE} || [];\n"
        f"  window.{QUEUE} = {{ push: function (draw) {{ draw(); }} }};\n"
        f"  queued.forEach(function (draw) {{ draw(); }});\n"
        f"}})();\n</script>"
    )


def activate() -> str:
    """Enable the renderer this process needs and return its name.

    Under the render step (``DE_AN_06_RENDER=offline``) charts use the offline renderer. Any
    other value naming an Altair renderer enables that one (``mimetype``, ``svg``, ...).
    Unset, a live Jupyter kernel gets the Lab renderer (offline too); elsewhere Altair's
    default stays. Data goes through :mod:`analysis.report.kit.chart_data` (Altair's output,
    faster).
    """
    chart_data.enable()
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, offline_renderer)
    if LAB_RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(LAB_RENDERER_NAME, lab_renderer)
    wanted = os.environ.get(ENV_VAR, "").strip()
    if wanted == OFFLINE:
        alt.renderers.enable(RENDERER_NAME)
    elif wanted:
        alt.renderers.enable(wanted)
    elif _in_live_kernel():
        alt.renderers.enable(LAB_RENDERER_NAME)
    return alt.renderers.active
