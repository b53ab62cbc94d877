"""Open rendered pages in headless Chromium, without network, and report what happened.

Chromium is driven through the DevTools Protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4) rather than a TCP port: a pipe keeps working inside ``unshare -n``, where
even loopback is down, and needs no websocket client. When ``unshare -n`` is not available,
every http(s) request is intercepted and failed instead, so a page that would fetch something
is still caught (and reported in ``failed_requests``).

Usage::

    with Chromium() as browser:
        report = check_page(path, browser=browser)
    assert report.ok, report.problems()
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    "--disable-extensions", "--disable-default-apps", "--mute-audio",
    "--remote-debugging-pipe", "--window-size=1280,900", "--lang=vi-VN",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
CHART_TIMEOUT_S = 30.0

# Containers that should hold a drawn chart: ours, plus any vega output that bypassed our
# renderer (Altair's own `altair-viz-*` divs, which never draw offline).
_DRAW_CHECK = """
new Promise(resolve => {
  const deadline = Date.now() + %(timeout_ms)d;
  const ours = '[data-de-an-06-chart]';
  function containers() {
    const foreign = Array.from(document.querySelectorAll('div[id^="altair-viz-"]'))
      .filter(el => !el.closest(ours));
    return Array.from(document.querySelectorAll(ours)).concat(foreign);
  }
  function drawn(el) {
    // .marks is vega's own svg/canvas; the actions menu has an svg icon that must not count
    return Array.from(el.querySelectorAll('svg.marks, canvas.marks')).some(g => {
      const r = g.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    });
  }
  function texts(el) {
    return Array.from(el.querySelectorAll('svg.marks text')).map(t => t.textContent).join(' | ');
  }
  (function poll() {
    const all = containers();
    const missing = all.filter(el => !drawn(el)).map(el => el.id || el.className);
    if (!missing.length || Date.now() > deadline) {
      resolve(JSON.stringify({expected: all.length, drawn: all.length - missing.length,
                              missing: missing, texts: all.map(texts)}));
    } else { setTimeout(poll, 50); }
  })();
})
"""

# A point on the first mark of chart N that has a tooltip and that the mouse can reach.
# Vega's SVG renderer keeps each scenegraph item on its element as __data__, and items with a
# tooltip encoding carry `tooltip`. Each candidate point is hit-tested with elementFromPoint.
_TOOLTIP_MARK = """
(() => {
  const el = document.querySelectorAll('[data-de-an-06-chart]')[%(index)d];
  // Line, area and trail marks are one path whose tooltip vega resolves to the nearest
  // point, which a synthetic mouse event does not trigger reliably: points, bars, cells only.
  const nested = ['line', 'area', 'trail'];
  const marks = el ? Array.from(el.querySelectorAll('svg.marks *'))
    .filter(m => m.__data__ && m.__data__.tooltip != null && m.__data__.mark &&
                 !nested.includes(m.__data__.mark.marktype)) : [];
  if (!marks.length) return null;
  for (const mark of marks.slice(0, 200)) {
    const box = mark.getBoundingClientRect();
    if (!(box.width > 0 || box.height > 0)) continue;
    mark.scrollIntoView({block: 'center', inline: 'center'});
    const r = mark.getBoundingClientRect();
    // Several points inside the box (a label drawn over a cell covers its centre), in
    // whole pixels, as the mouse event will be.
    const fractions = [0.5, 0.3, 0.7, 0.15, 0.85];
    const points = [];
    for (const fy of fractions) for (const fx of fractions)
      points.push({x: r.left + r.width * fx, y: r.top + r.height * fy});
    points.forEach(p => { p.x = Math.round(p.x); p.y = Math.round(p.y); });
    const hit = points.find(p => document.elementFromPoint(p.x, p.y) === mark);
    if (hit) return JSON.stringify(hit);
  }
  return JSON.stringify({unreachable: true});
})()
"""
_TOOLTIP_TEXT = """
(() => {
  const tip = document.getElementById('vg-tooltip-element');
  return tip && tip.classList.contains('visible') ? tip.innerText : null;
})()
"""


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer."""


@dataclass
class PageReport:
    """What one page did in the browser. ``ok`` when every chart drew and nothing failed."""

    path: Path
    charts_expected: int
    charts_drawn: int
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    charts_missing: list[str] = field(default_factory=list)
    chart_texts: list[str] = field(default_factory=list)  # the text drawn in each chart
    # Only with hover=True: per chart, the tooltip shown on hovering a mark that has one
    # ("" if nothing showed), or None when the chart has no such mark that can be hovered
    # (no tooltip encoding, or tooltips only on line/area marks, which are not probed).
    tooltips: list[str | None] = field(default_factory=list)
    isolated: bool = False  # True when run under `unshare -n`
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (self.charts_drawn == self.charts_expected and not self.console_errors
                and not self.failed_requests)

    def problems(self) -> str:
        lines = [f"{self.path.name}: {self.charts_drawn}/{self.charts_expected} charts drawn"]
        lines += [f"  not drawn: {name}" for name in self.charts_missing]
        lines += [f"  console error: {text}" for text in self.console_errors]
        lines += [f"  failed request: {text}" for text in self.failed_requests]
        lines += [f"  chart {index + 1}: hovering a mark showed no tooltip"
                  for index, text in enumerate(self.tooltips) if text == ""]
        return "\n".join(lines)


def find_chromium() -> str | None:
    """The Chromium executable: $CHROMIUM if set (None if that is not found), else the
    first of the usual names on PATH."""
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"])
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def _network_isolation() -> list[str]:
    """A command prefix that runs Chromium with no network at all, or [] if impossible.

    ``unshare -n`` needs root; ``-r`` (map to root in a user namespace) makes it work
    for ordinary users where user namespaces are allowed.
    """
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    for prefix in ([unshare, "-n"], [unshare, "-r", "-n"]):
        if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode == 0:
            return prefix
    return []


class Chromium:
    """One headless Chromium process with a fresh profile, spoken to over the CDP pipe."""

    def __init__(self, executable: str | None = None, isolate: bool | None = None):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("Chromium not found (install Debian's `chromium` package)")
        self._isolation = _network_isolation() if isolate is not False else []
        if isolate and not self._isolation:
            raise BrowserError("cannot isolate Chromium from the network (unshare -n failed)")
        self.isolated = bool(self._isolation)
        self._ids = itertools.count(1)
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self._start()

    def _start(self) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        command = [self.executable, *FLAGS, f"--user-data-dir={self._profile.name}",
                   "about:blank"]
        command = [*self._isolation, *command]

        # Chromium reads commands on fd 3 and writes replies on fd 4; a shell moves our pipe
        # ends there (bash: dash cannot redirect fds above 9; simpler than a preexec_fn).
        # Parking them on 200/201 first keeps it right when a pipe end already is fd 3 or 4.
        wiring = (f'exec "$@" 200<&{to_child_r} 201>&{from_child_w} 3<&200 4>&201 '
                  "200<&- 201>&-")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            ["bash", "-c", wiring, "bash", *command], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self._stderr,
            pass_fds=(to_child_r, from_child_w),
            start_new_session=True,  # its own process group: close() can end all its children
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        try:
            self.send("Browser.getVersion", timeout=30)
        except BrowserError as error:
            log = self.stderr()
            self.close()
            raise BrowserError(f"Chromium did not start: {error}\n{log}") from None

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-2000:]

    def _read_loop(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 20)
            except OSError:
                break
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        waiter = self._replies.get(message["id"])
                    if waiter:
                        waiter.put(message)
                else:
                    with self._lock:
                        self._events.setdefault(message.get("sessionId", ""), []).append(message)
        with self._lock:  # wake every waiter: the browser is gone
            for waiter in self._replies.values():
                waiter.put({"error": {"message": "Chromium closed the pipe"}})

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        """Send one command and wait for its result."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        waiter: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            self._replies[message_id] = waiter
        try:
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
            reply = waiter.get(timeout=timeout)
        except (OSError, queue.Empty) as error:
            raise BrowserError(f"{method}: no answer ({error!r})") from None
        finally:
            with self._lock:
                self._replies.pop(message_id, None)
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def events(self, session: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events.get(session, []))

    def wait_for(self, session: str, method: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(event["method"] == method for event in self.events(session)):
                return True
            time.sleep(0.02)
        return False

    @contextlib.contextmanager
    def tab(self) -> Iterator[str]:
        """A new tab; yields its CDP session id and closes the tab afterwards."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        try:
            yield session
        finally:
            with contextlib.suppress(BrowserError):
                self.send("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._stderr.close()
        self._profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _evaluate(browser: Chromium, session: str, expression: str, timeout: float = 30) -> Any:
    result = browser.send("Runtime.evaluate", {
        "expression": expression, "awaitPromise": True, "returnByValue": True,
    }, session=session, timeout=timeout)
    if "exceptionDetails" in result:
        raise BrowserError(f"page script failed: {result['exceptionDetails']}")
    return result["result"].get("value")


def _hover_tooltips(browser: Chromium, session: str, charts: int) -> list[str | None]:
    """Move the mouse onto a mark of each chart and read vega-tooltip's element."""
    texts: list[str | None] = []
    for index in range(charts):
        position = _evaluate(browser, session, _TOOLTIP_MARK % {"index": index})
        if not position:
            texts.append(None)
            continue
        point = json.loads(position)
        if point.get("unreachable"):  # marks with tooltips, but every one is covered
            texts.append("")
            continue
        # Move away first so each chart gets a fresh hover.
        for x, y in ((0, 0), (point["x"], point["y"])):
            browser.send("Input.dispatchMouseEvent",
                         {"type": "mouseMoved", "x": x, "y": y}, session=session)
        text = None
        deadline = time.monotonic() + 3
        while text is None and time.monotonic() < deadline:
            text = _evaluate(browser, session, _TOOLTIP_TEXT)
            time.sleep(0.05)
        texts.append(text or "")
    return texts


def _collect(report: PageReport, events: list[dict[str, Any]]) -> None:
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(arg.get("value", arg.get("description", "")))
                            for arg in params.get("args", []))
            if params.get("type") in ("error", "assert"):
                report.console_errors.append(text)
            elif params.get("type") == "warning":
                report.console_warnings.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text")
            report.console_errors.append(f"uncaught: {description}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                report.console_errors.append(f"{entry.get('text')} {entry.get('url', '')}")
        elif method == "Network.loadingFailed":
            report.failed_requests.append(
                f"{params.get('errorText')} ({params.get('type', '')})")
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not url.startswith(LOCAL_SCHEMES):
                report.failed_requests.append(f"external request: {url}")
        elif method == "Fetch.requestPaused":
            pass  # already reported by Network.requestWillBeSent


def check_page(path: Path, *, browser: Chromium | None = None, hover: bool = False,
               timeout: float = CHART_TIMEOUT_S) -> PageReport:
    """Load ``path`` offline, wait for its charts, and report charts, errors and requests."""
    if browser is None:
        with Chromium() as own:
            return check_page(path, browser=own, hover=hover, timeout=timeout)
    started = time.perf_counter()
    path = Path(path).resolve()
    with browser.tab() as session:
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable", session=session)
        # Without a network namespace, refuse every http(s) request ourselves.
        browser.send("Fetch.enable", {"patterns": [{"urlPattern": "http://*"},
                                                   {"urlPattern": "https://*"}]},
                     session=session)
        browser.send("Page.navigate", {"url": path.as_uri()}, session=session)
        _fail_paused_requests_until_loaded(browser, session, timeout)
        status = json.loads(_evaluate(browser, session,
                                      _DRAW_CHECK % {"timeout_ms": int(timeout * 1000)},
                                      timeout=timeout + 10))
        report = PageReport(path, status["expected"], status["drawn"],
                            charts_missing=status["missing"], chart_texts=status["texts"],
                            isolated=browser.isolated)
        if hover:
            report.tooltips = _hover_tooltips(browser, session, status["expected"])
        time.sleep(0.1)  # let late console messages arrive
        _collect(report, browser.events(session))
    report.seconds = time.perf_counter() - started
    return report


def _fail_paused_requests_until_loaded(browser: Chromium, session: str, timeout: float) -> None:
    answered: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = browser.events(session)
        for event in events:
            if event["method"] == "Fetch.requestPaused":
                request_id = event["params"]["requestId"]
                if request_id not in answered:
                    answered.add(request_id)
                    with contextlib.suppress(BrowserError):
                        browser.send("Fetch.failRequest", {"requestId": request_id,
                                                           "errorReason": "BlockedByClient"},
                                     session=session)
        if any(event["method"] == "Page.loadEventFired" for event in events):
            return
        time.sleep(0.02)
    raise BrowserError(f"page did not finish loading in {timeout:.0f} s")


def require_chromium() -> str:
    """Chromium's path; without it the test fails in CI (CI=true) and skips elsewhere."""
    import pytest

    found = find_chromium()
    if found:
        return found
    reason = "Chromium not found: install Debian's `chromium` package (.ci/run does)"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason}; CI=true, so the browser checks cannot be skipped")
    pytest.skip(reason)


def _load(browser: Chromium, session: str, path: Path, width: int, timeout: float) -> dict:
    """Navigate a tab at ``width`` CSS pixels and wait until every chart has drawn."""
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                 session=session)
    for domain in ("Runtime", "Page"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Fetch.enable", {"patterns": [{"urlPattern": "http://*"},
                                               {"urlPattern": "https://*"}]}, session=session)
    browser.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
    _fail_paused_requests_until_loaded(browser, session, timeout)
    return json.loads(_evaluate(browser, session,
                                _DRAW_CHECK % {"timeout_ms": int(timeout * 1000)},
                                timeout=timeout + 10))


def screenshot(path: Path, target: Path, width: int, *, browser: Chromium | None = None,
               timeout: float = CHART_TIMEOUT_S) -> Path:
    """A PNG of the whole page (not only the window) at ``width`` CSS pixels."""
    if browser is None:
        with Chromium() as own:
            return screenshot(path, target, width, browser=own, timeout=timeout)
    import base64

    with browser.tab() as session:
        _load(browser, session, path, width, timeout)
        size = browser.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
        shot = browser.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
        }, session=session, timeout=60)
    Path(target).write_bytes(base64.b64decode(shot["data"]))
    return Path(target)


# Elements that must fit the page: every chart container, every table (and its scrolling
# wrapper), every output area. An element overflows when its content is wider than its box,
# or when its box runs past the right edge of the page.
_LAYOUT_CHECK = """
(() => {
  // Folded tables count too: a reader will open them.
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const page = document.documentElement.clientWidth;
  const selectors = ['.de-an-06-chart', '.de-an-06-table', 'table', '.jp-OutputArea-output',
                     '.de-an-06-chart-notes'];
  const overflowing = [];
  for (const selector of selectors) {
    document.querySelectorAll(selector).forEach((el, i) => {
      const box = el.getBoundingClientRect();
      if (box.width === 0) return;  // folded away (a closed <details>)
      const name = selector + '[' + i + ']' + (el.id ? '#' + el.id : '');
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible'
          || el.scrollWidth > el.clientWidth + 1 && selector !== 'table')
        overflowing.push(name + ': content ' + el.scrollWidth + ' px in ' + el.clientWidth
                         + ' px');
      else if (box.right > page + 1)
        overflowing.push(name + ': right edge at ' + Math.round(box.right) + ' px, page ' + page);
    });
  }
  if (document.documentElement.scrollWidth > page + 1)
    overflowing.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' px');
  // Text vega cut with an ellipsis, and axis labels that run into each other.
  const cut = [], collisions = [];
  // A label of several lines is one text element: its middle line may be the one cut. A
  // text past its drawing's edge is cut by the edge (vega's fit sizing does not see it).
  document.querySelectorAll('[data-de-an-06-chart] svg.marks').forEach(svg => {
    const edge = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach(t => {
      if (t.textContent.includes('…')) { cut.push(t.textContent); return; }
      const box = t.getBoundingClientRect();
      if (t.textContent.trim() && box.width > 0 && t.getAttribute('opacity') !== '0'
          && getComputedStyle(t).opacity !== '0'
          && (box.right > edge.right + 1 || box.left < edge.left - 1))
        cut.push('past the edge of its drawing: ' + t.textContent);
    });
  });
  document.querySelectorAll('[data-de-an-06-chart] svg.marks g.role-axis-label').forEach(g => {
    const boxes = Array.from(g.querySelectorAll('text'))
      // Rotated labels have overlapping bounding boxes without touching: skip them here.
      .filter(t => t.textContent && getComputedStyle(t).opacity !== '0'
                   && t.getAttribute('opacity') !== '0'
                   && !(t.getAttribute('transform') || '').includes('rotate'))
      .map(t => ({text: t.textContent, box: t.getBoundingClientRect()}));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].box, b = boxes[j].box;
      if (a.left < b.right - 1 && b.left < a.right - 1
          && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        collisions.push(boxes[i].text + ' / ' + boxes[j].text);
    }
    const texts = boxes.map(b => b.text);
    texts.forEach((t, i) => { if (texts.indexOf(t) !== i) collisions.push('repeated: ' + t); });
  });
  return JSON.stringify({overflowing, cut, collisions});
})()
"""

# Every drawn data mark of every chart: its mark type and the row it stands for.
_MARKS = """
(() => JSON.stringify((window.deAn06Views || []).map(view => {
  const marks = [];
  (function walk(node) {
    if (!node) return;
    if (node.items) node.items.forEach(walk);
    if (node.marktype && node.role === 'mark' && node.items) {
      node.items.forEach(item => {
        const d = item.datum || {};
        if (d.figure_id === undefined && d.series_id === undefined && d.is_target === undefined
            && d.value === undefined) return;  // not a data row (e.g. a facet cell)
        marks.push({type: node.marktype, figure_id: d.figure_id ?? null,
                    series_id: d.series_id ?? null, is_target: d.is_target ?? null});
      });
    }
  })(view.scenegraph().root);
  return {id: view.container() ? view.container().closest('[data-de-an-06-chart]').id : null,
          marks};
})))()
"""


@dataclass
class LayoutReport:
    """What a page looks like at one width: elements wider than the page, cut or colliding
    text, and the data marks each chart drew."""

    width: int
    overflowing: list[str]
    cut: list[str]
    collisions: list[str]
    charts: list[dict[str, Any]]


def check_layout(path: Path, width: int, *, browser: Chromium | None = None,
                 timeout: float = CHART_TIMEOUT_S) -> LayoutReport:
    """Load ``path`` at ``width`` CSS pixels and report overflow, cut text and the marks."""
    if browser is None:
        with Chromium() as own:
            return check_layout(path, width, browser=own, timeout=timeout)
    with browser.tab() as session:
        _load(browser, session, path, width, timeout)
        layout = json.loads(_evaluate(browser, session, _LAYOUT_CHECK))
        charts = json.loads(_evaluate(browser, session, _MARKS))
    return LayoutReport(width, layout["overflowing"], layout["cut"], layout["collisions"],
                        charts)


def evaluate_on_page(path: Path, width: int, expression: str, *,
                     browser: Chromium | None = None, timeout: float = CHART_TIMEOUT_S) -> Any:
    """Load ``path`` at ``width`` CSS pixels, wait for its charts, and return the value of
    the JavaScript ``expression`` (which should return JSON-serialisable data)."""
    if browser is None:
        with Chromium() as own:
            return evaluate_on_page(path, width, expression, browser=own, timeout=timeout)
    with browser.tab() as session:
        _load(browser, session, path, width, timeout)
        return _evaluate(browser, session, expression)
