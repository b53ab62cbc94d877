"""Time `python -m analysis all` (what `make all` runs once installed), on this checkout alone
or side by side with another checkout of older code.

    .venv/bin/python benchmarks/make_all.py [--runs 3] [--warmup 1]
    .venv/bin/python benchmarks/make_all.py --old /tmp/old [--runs 3]

Alone: each run is a fresh process, as `make all` starts it. Printed per run and summarised as
min / median / max: the wall time of the whole command, its CPU time (user + system, the
command and every process it started: kernels, the export process), and the steps' own
"<step>: done in N s" lines. Steps overlap (see `analysis.pipeline.run_all`): render starts after
the build and ends last, validation and export run beside it, so the steps' sum is more
than the wall time. Warm-up runs are not counted: they fill the
caches a second `make all` finds (compiled bytecode, the chart runtime, the OS file cache).

With `--old` (a `git worktree` of the older commit; both trees run with this interpreter and
their own `src/` first on the path, each with its own data/processed and reports), two
scenarios, each tree warmed up first and then the two trees taking turns, run by run:

- nothing changed: `all` again on a tree where it has just run;
- one figure changed: before each run, one printed figure in data/raw is set to another
  value that passes validation (`--figure`, toggled between two values, restored at the end).

The medians of each scenario and their ratios (this tree / the old one) are printed.

The machine is shared: a run whose load average was high is marked, and its figures say
more about the neighbours than about this code. Quote the median of quiet runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("build", "validate", "export", "render", "all")
DONE = re.compile(r"^(\w+): done in ([\d.]+) s$", re.MULTILINE)
BUSY_LOAD = 0.5  # load average (1 min) before a run above which the machine was not quiet
# A figure no rule relates to another: changed, the build, validation and every page run again
# and validation still passes. (file in data/raw/figures, text as printed, the other value)
FIGURE = ("bac-giang-2024-04-17.csv", "2023-12-31,inferred,2023-01-01,2023-12-31,,,,91.16%",
          "2023-12-31,inferred,2023-01-01,2023-12-31,,,,91.17%")


def run_once(tree: Path = ROOT) -> dict[str, float]:
    """One `python -m analysis all` in `tree`: wall, CPU and each step's own time, in seconds."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    env.pop("DE_AN_06_DATABASE", None)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "analysis", "all"], cwd=tree,
                          capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"`python -m analysis all` failed in {tree} ({done.returncode}):\n"
                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    times = {name: float(seconds) for name, seconds in DONE.findall(done.stdout)}
    times["wall"] = wall
    times["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    times["load"] = load
    return times


def alone(runs: int, warmup: int) -> None:
    columns = ("wall", "cpu", *STEPS)
    for _ in range(warmup):
        run_once()
    results = []
    print(f"{'run':<6}" + "".join(f"{name:>10}" for name in columns) + f"{'load':>8}")
    for number in range(1, runs + 1):
        times = run_once()
        results.append(times)
        busy = "  busy" if times["load"] > BUSY_LOAD else ""
        print(f"{number:<6}" + "".join(f"{times.get(name, float('nan')):>10.1f}"
                                       for name in columns) + f"{times['load']:>8.2f}{busy}")
    for label, summary in (("min", min), ("median", statistics.median), ("max", max)):
        values = [summary(t.get(name, float("nan")) for t in results) for name in columns]
        print(f"{label:<6}" + "".join(f"{value:>10.1f}" for value in values))
    print(f"seconds; {os.cpu_count()} cores; validate and export run beside render")


class Figure:
    """One printed figure of a tree's data/raw, toggled between two values."""

    def __init__(self, tree: Path, name: str, printed: str, other: str) -> None:
        self.path = tree / "data" / "raw" / "figures" / name
        self.original = self.path.read_text(encoding="utf-8")
        if self.original.count(printed) != 1:
            sys.exit(f"{self.path}: {printed!r} is not in it exactly once")
        self.values = (printed, other)
        self.changes = 0

    def change(self) -> None:
        old, new = self.values[self.changes % 2], self.values[(self.changes + 1) % 2]
        text = self.path.read_text(encoding="utf-8")
        self.path.write_text(text.replace(old, new, 1), encoding="utf-8")
        self.changes += 1

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def side_by_side(old: Path, runs: int, warmup: int) -> None:
    trees = {"old": old.resolve(), "new": ROOT}
    walls: dict[tuple[str, str], list[float]] = {}
    figures = {name: Figure(tree, *FIGURE) for name, tree in trees.items()}
    try:
        for tree in trees.values():
            for _ in range(warmup):
                run_once(tree)
        print(f"{'scenario':<22}{'run':>4}{'tree':>6}{'wall':>8}{'cpu':>8}{'load':>7}")
        for scenario in ("nothing changed", "one figure changed"):
            for number in range(1, runs + 1):
                for name, tree in trees.items():
                    if scenario == "one figure changed":
                        figures[name].change()
                    times = run_once(tree)
                    walls.setdefault((scenario, name), []).append(times["wall"])
                    busy = "  busy" if times["load"] > BUSY_LOAD else ""
                    print(f"{scenario:<22}{number:>4}{name:>6}{times['wall']:>8.1f}"
                          f"{times['cpu']:>8.1f}{times['load']:>7.2f}{busy}", flush=True)
    finally:
        for figure in figures.values():
            figure.restore()
    print(f"\n{'scenario':<22}{'old median':>12}{'new median':>12}{'new / old':>11}")
    for scenario in ("nothing changed", "one figure changed"):
        old_median = statistics.median(walls[(scenario, "old")])
        new_median = statistics.median(walls[(scenario, "new")])
        print(f"{scenario:<22}{old_median:>11.1f}s{new_median:>11.1f}s"
              f"{new_median / old_median:>10.0%}")
    print(f"wall seconds, medians of {runs} runs; {os.cpu_count()} cores; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--old", type=Path, help="a checkout of the older code to compare with")
    args = parser.parse_args()
    if args.old:
        side_by_side(args.old, args.runs, args.warmup)
    else:
        alone(args.runs, args.warmup)
    return 0


if __name__ == "__main__":
    sys.exit(main())
