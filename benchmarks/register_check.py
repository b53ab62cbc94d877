"""The locality register's check against the admin-unit library: cold against cached.

    .venv/bin/python benchmarks/register_check.py [--localities 0,1500,10000] [--rounds 3]

For each size, a copy of data/raw whose register holds the project's own localities plus
that many former communes of the whole country (by era and code alone, so names, levels,
parents and successors all come from the library). Each round runs, in fresh processes,
`load_raw` with the cache folder emptied (cold: vietnamadminunits is imported and asked)
and then again (warm: the answer is read from the cache), and reports the medians and
their ratio. Files go to benchmarks/output/ (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import paths  # noqa: E402  (after the sys.path line, on purpose)
from analysis.ingest import admin_units as au  # noqa: E402

OUTPUT = ROOT / "benchmarks" / "output"
SCRIPT = ("import sys; from pathlib import Path; from analysis.ingest import load_raw; "
          "load_raw(Path(sys.argv[1]))")


def raw_with(extra: int) -> Path:
    """data/raw with `extra` former communes appended to the register by code alone."""
    out = OUTPUT / f"register-{extra}"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(paths.RAW, out)
    with (out / "localities.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, held = reader.fieldnames or [], {r["gso_code"] for r in reader}
    communes = [c for p in au.children("legacy", None) for d in au.children("legacy", p.code)
                for c in au.children("legacy", d.code) if c.code not in held][:extra]
    with (out / "localities.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        for unit in communes:
            writer.writerow({column: "" for column in header}
                            | {"locality_id": f"commune-{unit.code}", "era": "legacy",
                               "gso_code": unit.code})
    return out


def timed(raw: Path, cache: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(paths.SOURCE_ROOT),
           paths.REGISTER_CACHE_ENV: str(cache)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(raw)], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--localities", default="0,1500,10000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    print(f"{'extra localities':>16} {'cold (s)':>9} {'warm (s)':>9} {'cold/warm':>9}")
    for extra in (int(n) for n in args.localities.split(",")):
        raw = raw_with(extra)
        cache = OUTPUT / f"register-cache-{extra}"
        cold, warm = [], []
        for _ in range(args.rounds):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(raw, cache))
            warm.append(timed(raw, cache))
        c, w = statistics.median(cold), statistics.median(warm)
        print(f"{extra:>16} {c:>9.2f} {w:>9.2f} {c / w:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
