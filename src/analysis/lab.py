"""The lab as the README describes it: `make lab` opens JupyterLab at the repository's root
(data/, notebooks/ and reports/ all reachable), and in every notebook, new or paired:

- `analysis.connect()` opens the database wherever the notebook sits (the path comes from
  where this package lives, not from the notebook's folder);
- the paired `.py` notebooks open as notebooks on a double click (jupytext's "Jupytext
  Notebook" is the default viewer for Python files; "Open With → Editor" shows the text);
- Altair draws offline without any project import: the kernel enables the project's offline
  renderer when it starts (analysis.report.kit.chart_display.activate).

`python -m analysis.lab install` (run by `make install` and `make lab`) writes two settings
files into the environment (sys.prefix: the project's .venv), never into the user's home:

  etc/ipython/ipython_kernel_config.json         the kernel's startup line
  share/jupyter/lab/settings/overrides.json     the default viewer of .py files
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Run by every IPython kernel of this environment when it starts. Names are cleaned up so that
# a new notebook's namespace is as empty as usual.
STARTUP_LINE = ("import analysis.lab as _de_an_06_lab; _de_an_06_lab.kernel_startup(); "
                "del _de_an_06_lab")
KERNEL_CONFIG = Path("etc") / "ipython" / "ipython_kernel_config.json"
LAB_OVERRIDES = Path("share") / "jupyter" / "lab" / "settings" / "overrides.json"
DOCMANAGER = "@jupyterlab/docmanager-extension:plugin"
JUPYTEXT_VIEWER = "Jupytext Notebook"


def kernel_startup() -> None:
    """Enable the offline chart renderer, without failing a kernel if something is amiss."""
    try:
        from analysis.report.kit.chart_display import activate

        activate()
    except Exception as error:  # noqa: BLE001 - a kernel must start whatever happens here
        print(f"de-an-06: charts may not draw offline: {error}", file=sys.stderr)


def _merged(path: Path, update: dict) -> dict:
    """`update` merged into the JSON file at `path` (other settings there are kept)."""
    current = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return _merged_dict(current, update)


def _merged_dict(current: dict, update: dict) -> dict:
    result = dict(current)
    for key, value in update.items():
        result[key] = (_merged_dict(result[key], value)
                       if isinstance(value, dict) and isinstance(result.get(key), dict)
                       else value)
    return result


def install(prefix: Path | None = None) -> list[Path]:
    """Write the kernel's startup line and the lab's default viewer into `prefix`."""
    prefix = Path(sys.prefix) if prefix is None else prefix
    kernel = prefix / KERNEL_CONFIG
    config = _merged(kernel, {"IPKernelApp": {}})
    lines = [line for line in config["IPKernelApp"].get("exec_lines", [])
             if "_de_an_06_lab" not in line]
    config["IPKernelApp"]["exec_lines"] = [*lines, STARTUP_LINE]
    lab = prefix / LAB_OVERRIDES
    overrides = _merged(lab, {DOCMANAGER: {"defaultViewers": {"python": JUPYTEXT_VIEWER}}})
    for path, content in ((kernel, config), (lab, overrides)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return [kernel, lab]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m analysis.lab install", file=sys.stderr)
        return 2
    for path in install():
        print(f"lab: wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
