"""Rounds of concurrent writers of one database: builds, killed writers, validation.

Three kinds of round (`--case`), each checking that the database opens afterwards with every
table and view a complete build has:

- `kill`: two builds of the same target a random moment apart, one of them (at random)
  killed with SIGKILL at a random moment; the other must finish.
- `stale-wal`: a process connected read-write (an analyst's kernel) creates a table and is
  killed at a random moment before or during a build, leaving `<database>.wal`, or stays
  connected. The build swaps only when nobody holds the file for writing, never leaving the
  new file beside the old WAL; while the writer holds it, the build refuses in one line.
- `validate`: a validation and a build a random moment apart, in either order. They hold
  the writers' lock one after the other, never at once, and the findings are in the live
  database exactly when the validation ran after the build.

    python tests/concurrent_builds.py --case kill --rounds 50

Builds run in fresh interpreters with PYTHONPATH set to this tree's src/, so a copy of the
project tests its own code; validation runs in one long-lived interpreter that imports Great
Expectations once (only the rounds, not the imports, are under test).
tests/pipeline/test_concurrency.py runs rounds of each kind.
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
# Reports how long the writers' lock was held (seconds since the epoch), as `held <from> <to>`.
TIMED_LOCK = """
import contextlib, sys, time
import analysis.warehouse.lock as lock

def timed(original):
    @contextlib.contextmanager
    def held(*args, **kwargs):
        with original(*args, **kwargs):
            start = time.time()
            try:
                yield
            finally:
                print(f"held {start!r} {time.time()!r}", flush=True)
    return held
"""
TIMED_BUILD = TIMED_LOCK + """
import analysis.warehouse.build as b
from pathlib import Path
b.database_lock = timed(lock.database_lock)
from analysis import cli
b.build.__defaults__ = (Path(sys.argv[1]), Path(sys.argv[2]), True)
sys.exit(cli.main(["build", "--force"]))
"""
# Validates on each `go` line, answering `held ...` then `status <exit status>`.
VALIDATOR = TIMED_LOCK + """
import os
from pathlib import Path
import analysis.validation.validate as v
from analysis.validation.gx_run import import_gx
v.database_lock = timed(lock.database_lock)
import_gx()
print("ready", flush=True)
for line in sys.stdin:
    status = v.validate(Path(sys.argv[1]), report=None)
    print(f"status {status}", flush=True)
sys.stdout.flush()
os._exit(0)  # GX's teardown noise (see analysis.cli)
"""
# Connects read-write like an analyst's kernel, creates a table (left in the WAL), waits.
WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE OR REPLACE TABLE main.analyst_scratch AS SELECT 42 AS answer")
print("ready", flush=True)
time.sleep(600)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


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
    return subprocess.Popen([sys.executable, "-c", BUILD, str(target), str(raw_dir)],
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_validator(target: Path) -> subprocess.Popen:
    """The long-lived validation process, once it has imported Great Expectations."""
    validator = subprocess.Popen([sys.executable, "-c", VALIDATOR, str(target)], env=_env(),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
    assert validator.stdout.readline().strip() == "ready"  # type: ignore[union-attr]
    return validator


def validation_results(database: Path) -> int:
    """Rows validation wrote into the database (0 for a database never validated)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM validation.rule_counts").fetchone()[0]
    finally:
        con.close()


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


def stale_wal_round(target: Path, raw_dir: Path, expected: set[str],
                    rng: random.Random) -> str | None:
    """A read-write connection that dies (or stays) beside a build; None if all is well."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if writer.stdout.readline().strip() != "ready":  # type: ignore[union-attr]
            return f"the writer did not start: {writer.stderr.read()[-300:]}"  # type: ignore
        when = rng.choice(["before", "during", "never"])
        if when == "before":
            writer.kill()
            writer.wait()
            if not target.with_name(target.name + ".wal").exists():
                return "the killed writer left no WAL (the round tests nothing)"
        build = subprocess.Popen([sys.executable, "-c", TIMED_BUILD, str(target), str(raw_dir)],
                                 env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if when == "during":
            time.sleep(rng.uniform(0, 1.5))
            writer.kill()
            writer.wait()
        _, errors = build.communicate(timeout=300)
        alive = writer.poll() is None
    finally:
        writer.kill()
        writer.wait()
    lines = errors.decode().strip().splitlines()
    found = relations(target)
    if found is None:
        return f"the database does not open (build {build.returncode}: {lines[-1:]})"
    if build.returncode == 0:
        if alive:
            return "the build swapped while a writer held the database"
        if found != expected:
            return f"after the build, tables differ: {sorted(found ^ expected)[:5]}"
        return None
    if when == "before":
        return f"the build failed although nobody held the database: {lines[-3:]}"
    if len(lines) != 1 or not lines[0].startswith("error: ") \
            or f"open for writing by process {writer.pid}" not in lines[0]:
        return f"the refusal is not one line naming the writer: {lines[-3:]}"
    if found != expected | {"main.analyst_scratch"}:
        return "the refused build changed the database"
    return None


def _held(lines: list[str]) -> tuple[float, float]:
    (start, end), = [map(float, line.split()[1:]) for line in lines if line.startswith("held ")]
    return start, end


# What a validation adds to a built database: its run's key and its verdict.
VALIDATION_RECORDS = {"validation.run", "validation.verdict"}


def validate_round(target: Path, raw_dir: Path, expected: set[str], validator: subprocess.Popen,
                   rng: random.Random) -> str | None:
    """A validation and a build a random moment apart; None if they kept to the lock."""
    def go() -> None:
        validator.stdin.write("go\n")  # type: ignore[union-attr]
        validator.stdin.flush()  # type: ignore[union-attr]

    build_first = rng.random() < 0.5
    command = [sys.executable, "-c", TIMED_BUILD, str(target), str(raw_dir)]
    if not build_first:
        go()
    time.sleep(rng.uniform(0, 1.5))
    build = subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    if build_first:
        time.sleep(rng.uniform(0, 1.5))
        go()
    answers = []
    while not answers or not answers[-1].startswith("status "):
        answers.append(validator.stdout.readline().strip())  # type: ignore[union-attr]
        if not answers[-1]:
            return "the validation process ended"
    output, errors = build.communicate(timeout=300)
    if build.returncode != 0 or answers[-1] != "status 0":
        return f"build {build.returncode}, validation {answers[-1]}: {errors[-300:]}"
    built, validated = _held(output.splitlines()), _held(answers)
    if built[0] < validated[1] and validated[0] < built[1]:
        return f"the build and the validation held the lock at once: {built}, {validated}"
    found = relations(target)
    if found is None or found - VALIDATION_RECORDS != expected:
        return f"the database does not open with all its tables: {sorted(found or [])[:5]}"
    results = validation_results(target)
    if (results > 0) != (validated[0] > built[1]):
        return (f"{results} validation rows in the live database, though the validation ran "
                f"{'after' if validated[0] > built[1] else 'before'} the build")
    return None


CASES = {"kill": one_round, "stale-wal": stale_wal_round, "validate": validate_round}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, default="kill")
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
        validator = start_validator(target) if args.case == "validate" else None
        complete = 0
        try:
            for number in range(1, args.rounds + 1):
                if validator is not None:
                    problem = validate_round(target, args.raw, expected, validator, rng)
                else:
                    problem = CASES[args.case](target, args.raw, expected, rng)
                complete += problem is None
                print(f"round {number:>3}: {'ok' if problem is None else problem}", flush=True)
        finally:
            if validator is not None:
                validator.kill()
                validator.wait()
        print(f"{args.case}: {complete} of {args.rounds} rounds left a database that opens "
              f"with all its {len(expected)} tables and views")
    return 0 if complete == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
