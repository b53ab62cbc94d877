"""Time `python -m analysis all` (what `make all` runs once installed) on this checkout.

    .venv/bin/python benchmarks/make_all.py [--runs 3] [--warmup 1]

Each run is a fresh process, as `make all` starts it. Printed per run and summarised as
min / median / max: the wall time of the whole command, its CPU time (user + system, the
command and every process it started: kernels, the export process), and the steps' own
"<step>: done in N s" lines. Steps overlap (see `analysis.pipeline.run_all`): render starts after
the build and ends last, validation and export run beside it, so the steps' sum is more
than the wall time. Warm-up runs are not counted: they fill the
caches a second `make all` finds (compiled bytecode, the chart runtime, the OS file cache).

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


def run_once() -> dict[str, float]:
    """One `python -m analysis all`: wall, CPU and each step's own time, in seconds."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "analysis", "all"], cwd=ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"`python -m analysis all` failed ({done.returncode}):\n"
                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    times = {name: float(seconds) for name, seconds in DONE.findall(done.stdout)}
    times["wall"] = wall
    times["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    times["load"] = load
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    columns = ("wall", "cpu", *STEPS)
    for _ in range(args.warmup):
        run_once()
    runs = []
    print(f"{'run':<6}" + "".join(f"{name:>10}" for name in columns) + f"{'load':>8}")
    for number in range(1, args.runs + 1):
        times = run_once()
        runs.append(times)
        busy = "  busy" if times["load"] > BUSY_LOAD else ""
        print(f"{number:<6}" + "".join(f"{times.get(name, float('nan')):>10.1f}"
                                       for name in columns) + f"{times['load']:>8.2f}{busy}")
    for label, summary in (("min", min), ("median", statistics.median), ("max", max)):
        print(f"{label:<6}" + "".join(f"{summary(t.get(name, float('nan')) for t in runs):>10.1f}"
                                      for name in columns))
    print(f"seconds; {os.cpu_count()} cores; validate and export run beside render")
    return 0


if __name__ == "__main__":
    sys.exit(main())
