"""Time every step of the pipeline on generated national-scale raw layers.

    .venv/bin/python benchmarks/pipeline.py [--sizes 10k,100k,1M] [--timeout 900]

For each size, benchmarks/generate_raw.py writes a raw layer in the project's own format
(cached in benchmarks/output/ while the generator and the catalog are unchanged), then each
step runs in a fresh Python process, the way a user runs it:

  read+check  analysis.ingest.load_raw: read every raw file, check it, parse every number
  build       analysis.warehouse.build.build: read+check again, then the whole DuckDB build
  validate    analysis.validation.validate.validate: GX checkpoint on both layers, findings,
              verdict, report
  export      the CLI's `export` command, when this checkout has one
  queries     read the public views a notebook reads in full (figures_corrected, figure_pairs,
              findings, and series when it exists) into Arrow

Time is the step's wall time (process start to exit, imports included: what the user
waits for); peak memory is the process's peak resident set (getrusage of the child). A step
that runs past --timeout is stopped and shown as such. The growth columns divide each
step's time at one size by its time at the size before. Targets are the project's (issue 13).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "output"
PYTHON = sys.executable
STEPS = ("read+check", "build", "validate", "export", "queries")
# The project's targets at 1 M figures on the 2-core machine (issue 13).
TARGET_SECONDS = {"build": 60.0, "validate": 60.0}
TARGET_PEAK_MB = 4096.0
TARGET_GROWTH = 12.0  # per step, from 100 k to 1 M figures

# Each step's code, run with `python -c` in a fresh process; it prints one JSON line.
STEP_CODE = {
    "read+check": """
from analysis.ingest import load_raw
data = load_raw(RAW)
result = {"figures": len(data.figures.rows)}""",
    "build": """
from analysis.warehouse.build import build
build(target=DB, raw_dir=RAW, quiet=True)
result = {}""",
    "validate": """
from analysis.validation.validate import validate
status = validate(database=DB, report=DB.with_suffix(".validation.html"))
result = {"status": status}""",
    "export": """
import inspect
from analysis.publish.export import export
# Measured whatever the verdict (export refuses an unvalidated database unless asked).
asked = {"unvalidated": True} if "unvalidated" in inspect.signature(export).parameters else {}
export(database=DB, target=DB.parent / (DB.stem + "-package"), quiet=True, **asked)
result = {}""",
    "queries": """
import duckdb
con = duckdb.connect(str(DB), read_only=True)
views = {row[0] for row in con.execute(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
rows = {}
for view in ("figures_corrected", "figure_pairs", "findings", "series"):
    if view in views:
        rows[view] = con.execute(f"SELECT * FROM {view}").to_arrow_table().num_rows
result = {"rows": rows}""",
}
CHILD = """
import json, os, resource, sys, time
from pathlib import Path
started = time.perf_counter()
RAW, DB = Path(sys.argv[1]), Path(sys.argv[2])
{code}
result["inside_s"] = time.perf_counter() - started
print("RESULT " + json.dumps(result, default=str), flush=True)
os._exit(0)  # after GX, duckdb's interpreter teardown prints harmless noise
"""


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def label(size: int) -> str:
    return f"{size // 1_000_000} M" if size >= 1_000_000 else f"{size // 1_000} k"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def generated_layer(size: int, seed: int) -> tuple[Path, dict]:
    """The generated raw layer for `size`, regenerated when the generator or catalog changed."""
    digest = hashlib.sha256()
    for path in (ROOT / "benchmarks" / "generate_raw.py", ROOT / "src" / "analysis" / "raw.py",
                 *(ROOT / "data" / "raw" / name for name in
                   ("indicators.csv", "units.csv", "qualifiers.csv"))):
        digest.update(path.read_bytes())
    digest.update(f"{size}:{seed}".encode())
    folder = OUTPUT / f"raw-{label(size).replace(' ', '')}"
    stamp = folder / ".generated.json"
    if stamp.exists():
        counts = json.loads(stamp.read_text())
        if counts.get("key") == digest.hexdigest():
            return folder, counts
    started = time.perf_counter()
    output = subprocess.run([PYTHON, str(ROOT / "benchmarks" / "generate_raw.py"), "--figures",
                             str(size), "--out", str(folder), "--seed", str(seed)],
                            check=True, capture_output=True, text=True).stdout
    print(f"  generated {output.strip()} ({time.perf_counter() - started:.0f} s)", flush=True)
    counts = {"key": digest.hexdigest(), "summary": output.strip()}
    stamp.write_text(json.dumps(counts))
    return folder, counts


def export_available() -> bool:
    return (ROOT / "src" / "analysis" / "publish" / "export.py").exists()


def run_step(step: str, raw: Path, database: Path, timeout: float) -> dict:
    code = CHILD.replace("{code}", STEP_CODE[step])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GX_ANALYTICS_ENABLED": "false"}
    started = time.perf_counter()
    process = subprocess.Popen([PYTHON, "-c", code, str(raw), str(database)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"step": step, "seconds": None, "peak_mb": None,
                "note": f"stopped after {timeout:.0f} s"}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = next((json.loads(line[7:]) for line in stdout.splitlines()
                   if line.startswith("RESULT ")), None)
    if process.returncode or result is None:
        tail = (stderr or stdout).strip().splitlines()[-1:]
        return {"step": step, "seconds": None, "peak_mb": None,
                "note": f"failed after {seconds:.0f} s: {' | '.join(tail)}"}
    if step == "validate" and result.get("status"):
        result["note"] = "validation FAILED"
    return {"step": step, "seconds": seconds, "peak_mb": peak_mb, **result}


def measure(sizes: list[int], seed: int, timeout: float) -> dict[int, dict[str, dict]]:
    results: dict[int, dict[str, dict]] = {}
    for size in sizes:
        raw, counts = generated_layer(size, seed)
        print(f"{label(size)} figures: {counts['summary']}; load {load_average()}", flush=True)
        database = OUTPUT / f"pipeline-{label(size).replace(' ', '')}.duckdb"
        results[size] = {}
        for step in STEPS:
            if step == "export" and not export_available():
                results[size][step] = {"step": step, "seconds": None, "peak_mb": None,
                                       "note": "skipped: no export command in this checkout"}
                continue
            if step in ("validate", "export", "queries") and \
                    results[size]["build"]["seconds"] is None:
                results[size][step] = {"step": step, "seconds": None, "peak_mb": None,
                                       "note": "not run: the build did not finish"}
                continue
            # getrusage(RUSAGE_CHILDREN) keeps the largest child's peak: run each step from
            # a fresh measuring process so one step's peak is not another's.
            outcome = subprocess.run(
                [PYTHON, __file__, "--one-step", step, "--raw", str(raw), "--database",
                 str(database), "--timeout", str(timeout)],
                capture_output=True, text=True, check=True)
            row = json.loads(outcome.stdout.strip().splitlines()[-1])
            results[size][step] = row
            shown = "—" if row["seconds"] is None else f"{row['seconds']:.1f} s"
            peak = "" if row["peak_mb"] is None else f", peak {row['peak_mb']:.0f} MB"
            print(f"  {step:<10} {shown}{peak}{'; ' + row['note'] if row.get('note') else ''}"
                  f" (load {load_average()})", flush=True)
    return results


def print_table(results: dict[int, dict[str, dict]]) -> None:
    sizes = sorted(results)
    header = "| step | " + " | ".join(f"{label(s)} time | {label(s)} peak" for s in sizes)
    growth_labels = [f"{label(a)} → {label(b)}" for a, b in zip(sizes, sizes[1:], strict=False)]
    print()
    print(header + "".join(f" | growth {g}" for g in growth_labels) + " |")
    print("|---" * (1 + 2 * len(sizes) + len(growth_labels)) + "|")
    for step in STEPS:
        cells = []
        for size in sizes:
            row = results[size][step]
            if row["seconds"] is None:
                note = row.get("note", "—")
                cells += [note if len(note) <= 60 else note[:57] + "...", ""]
            else:
                cells += [f"{row['seconds']:.1f} s", f"{row['peak_mb']:,.0f} MB"
                          if row["peak_mb"] is not None else "—"]
        for before, after in zip(sizes, sizes[1:], strict=False):
            a, b = results[before][step]["seconds"], results[after][step]["seconds"]
            cells.append(f"{b / a:.1f}×" if a and b else "—")
        print(f"| {step} | " + " | ".join(cells) + " |")
    print()
    print("Targets (the project's, issue 13): at 1 M figures build (with read and check) "
          f"≤ {TARGET_SECONDS['build']:.0f} s, validate ≤ {TARGET_SECONDS['validate']:.0f} s, "
          f"peak ≤ {TARGET_PEAK_MB / 1024:.0f} GB per step; growth from 100 k to 1 M ≤ "
          f"{TARGET_GROWTH:.0f}× for every step.")
    million = next((s for s in sizes if s >= 1_000_000), None)
    if million is None:
        print("  (1 M figures not measured in this run: pass --sizes 10k,100k,1M)")
        return
    previous = max((s for s in sizes if s < million), default=None)
    for step in STEPS:
        row = results[million][step]
        if row["seconds"] is None:
            print(f"  {step:<10} not measured at 1 M ({row.get('note', '')})")
            continue
        verdicts = []
        if step in TARGET_SECONDS:
            limit = TARGET_SECONDS[step]
            verdicts.append(f"{row['seconds']:.1f} s {'≤' if row['seconds'] <= limit else '>'} "
                            f"{limit:.0f} s")
        if row["peak_mb"] is not None:
            ok = row["peak_mb"] <= TARGET_PEAK_MB
            verdicts.append(f"peak {row['peak_mb']:,.0f} MB {'≤' if ok else '>'} 4 GB")
        if previous and results[previous][step]["seconds"]:
            growth = row["seconds"] / results[previous][step]["seconds"]
            verdicts.append(f"growth {growth:.1f}× {'≤' if growth <= TARGET_GROWTH else '>'} "
                            f"{TARGET_GROWTH:.0f}×")
        print(f"  {step:<10} " + "; ".join(verdicts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="figures per layer, e.g. 10k,100k")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per step")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--one-step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_step:
        print(json.dumps(run_step(args.one_step, args.raw, args.database, args.timeout)))
        return 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    print(f"pipeline benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load {load_average()}")
    results = measure(sizes, args.seed, args.timeout)
    print_table(results)
    print(f"load at the end: {load_average()}")
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
