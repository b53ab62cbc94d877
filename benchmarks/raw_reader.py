"""Does the raw reader's process pool pay? The reader before the split (one module with a
pool of two processes for 2,000 figures files or more) against today's (one process), in one
run on the same layers.

    .venv/bin/python benchmarks/raw_reader.py [--copies 1,10,100] [--runs 3] [--old COMMIT]

The layers are the repository's raw layer and copies of it side by side
(tests/generator.py: replicate). The old code is read from git (`--old`, default the last
commit with src/analysis/ingest/raw.py) and loaded as a module of its own; it runs twice:
as it ran (its pool from 2,000 files) and forced into one process. Each time is the median
of `--runs` calls of load_raw in this process, after one warm-up call; the ratios compare
each with today's code.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from generator import replicate  # noqa: E402

from analysis import paths  # noqa: E402
from analysis.ingest import load_raw  # noqa: E402

OLD_PATH = "src/analysis/ingest/raw.py"


def old_module(commit: str, folder: Path):
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{OLD_PATH}"],
                          check=True, capture_output=True, text=True).stdout
    path = folder / "old_raw.py"
    path.write_text(text, "utf-8")
    spec = importlib.util.spec_from_file_location("old_raw", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_raw"] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def median_seconds(call: Callable[[], object], runs: int) -> float:
    call()  # warm-up: the page cache and lru caches are filled for every variant alike
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", default="1,10,100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old", default=subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%H", "--", OLD_PATH],
        check=True, capture_output=True, text=True).stdout.strip() + "~1")
    args = parser.parse_args(argv)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}; old code: {args.old}")
    print("| copies | figures files | figures | old, as it ran | old, one process | today "
          "| today / old as it ran |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        old = old_module(args.old, folder)
        for copies in map(int, args.copies.split(",")):
            raw = paths.RAW if copies == 1 else folder / f"raw-{copies}"
            if copies != 1:
                replicate(paths.RAW, copies, raw)
            files = len(list((raw / "figures").glob("*.csv")))
            figures = len(load_raw(raw).figures)
            as_ran = median_seconds(lambda raw=raw: old.load_raw(raw), args.runs)
            alone = median_seconds(
                lambda raw=raw: old.load_raw(raw, parallel_min_files=10**9), args.runs)
            today = median_seconds(lambda raw=raw: load_raw(raw), args.runs)
            print(f"| {copies} | {files:,} | {figures:,} | {as_ran:.3f} s | {alone:.3f} s "
                  f"| {today:.3f} s | {today / as_ran:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
