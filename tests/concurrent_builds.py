"""Rounds of two concurrent builds of one database, one of them killed with SIGKILL.

Each round starts two builds of the same target a random moment apart, kills one of them
(at random) at a random moment, lets the other finish, and checks that the database opens
and has every table and view a complete build has. Prints how many rounds passed.

    python tests/concurrent_builds.py --rounds 50

Builds run in fresh interpreters with PYTHONPATH set to this tree's src/, so a copy of the
project tests its own code. tests/pipeline/test_concurrency.py runs a few rounds of it.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

SRC = Path(__file__).resolve().parents[1] / "src"
BUILD = ("import sys; from pathlib import Path; from analysis.warehouse.build import build; "
         "build(Path(sys.argv[1]), raw_dir=Path(sys.argv[2]), quiet=True)")


def relations(database: Path) -> set[str] | None:
    """Every table and view of the database, or None if it does not open."""
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error:
        return None
    try:
        return {f"{s}.{n}" for s, n in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    finally:
        con.close()


def start_build(target: Path, raw_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen([sys.executable, "-c", BUILD, str(target), str(raw_dir)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def one_round(target: Path, raw_dir: Path, expected: set[str], rng: random.Random) -> str | None:
    """Run one round; return None if the database is complete afterwards, else why not."""
    first = start_build(target, raw_dir)
    time.sleep(rng.uniform(0, 0.8))
    second = start_build(target, raw_dir)
    victim, survivor = (first, second) if rng.random() < 0.5 else (second, first)
    time.sleep(rng.uniform(0, 2.5))
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    _, errors = survivor.communicate(timeout=300)
    if survivor.returncode != 0:
        return f"the surviving build failed ({survivor.returncode}): {errors.decode()[-300:]}"
    found = relations(target)
    if found is None:
        return "the database does not open"
    if found != expected:
        return f"the database lacks {sorted(expected - found)[:5]}"
    # A killed build cannot clean up; the next build removes its temporary file. The
    # build that finished must leave nothing behind.
    leftovers = [p.name for p in target.parent.iterdir()
                 if ".tmp" in p.name and f".{victim.pid}.tmp" not in p.name]
    if leftovers:
        return f"temporary files left behind: {leftovers}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--raw", type=Path, default=SRC.parent / "data" / "raw")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "de_an_06.duckdb"
        reference = start_build(target, args.raw)
        if reference.wait() != 0:
            print("the reference build failed", file=sys.stderr)
            return 2
        expected = relations(target) or set()
        complete = 0
        for number in range(1, args.rounds + 1):
            problem = one_round(target, args.raw, expected, rng)
            complete += problem is None
            print(f"round {number:>3}: {'ok' if problem is None else problem}", flush=True)
        print(f"{complete} of {args.rounds} rounds left a database that opens with all its "
              f"{len(expected)} tables and views")
    return 0 if complete == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
