"""Time the series step (marts/series.sql, per_person.sql, validation/frame_series.sql) on
N points that share one comparison key and one place (issue 19: it was quadratic in them).

    .venv/bin/python benchmarks/series_step.py --rows 5000,10000,20000

Works on a copy of the built database: marts.figures is replaced by N copies of one figure
(distinct ids; a day apart, or all on one day), so every point lands in one series.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import paths  # noqa: E402  (after the sys.path line, on purpose)

STEP = [paths.WAREHOUSE_SQL / "marts" / "series.sql",
        paths.WAREHOUSE_SQL / "marts" / "per_person.sql",
        paths.WAREHOUSE_SQL / "validation" / "frame_series.sql"]


def time_step(database: Path, rows: int, same_day: bool) -> float:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.duckdb"
        shutil.copy(database, copy)
        con = duckdb.connect(str(copy))
        try:
            con.execute((paths.WAREHOUSE_SQL / "macros.sql").read_text(encoding="utf-8"))
            # One whole-locality count, repeated on consecutive days: one comparison, one place.
            con.execute(f"""
                CREATE OR REPLACE TABLE marts.figures AS
                WITH one AS (SELECT * FROM marts.figures
                             WHERE kind = 'count' AND breakdown IS NULL AND amount IS NOT NULL
                             ORDER BY figure_id LIMIT 1)
                SELECT * REPLACE (one.figure_id || '-' || n AS figure_id,
                                  (DATE '2022-01-01' + {0 if same_day else 'n::INTEGER'}) AS as_of)
                FROM one, range({rows}) AS r(n)""")
            started = time.perf_counter()
            for path in STEP:
                con.execute(path.read_text(encoding="utf-8"))
            seconds = time.perf_counter() - started
            points = con.execute("SELECT count(*), count(DISTINCT series_id) "
                                 "FROM marts.series").fetchone()
            assert points[1] == 1 and points[0] >= rows, points
            return seconds
        finally:
            con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="5000,10000,20000")
    parser.add_argument("--database", type=Path, default=paths.DATABASE)
    args = parser.parse_args()
    for rows in (int(n) for n in args.rows.split(",")):
        for same_day in (False, True):
            when = "on one day" if same_day else "a day apart"
            print(f"{rows:>7} points in one series, {when}: "
                  f"{time_step(args.database, rows, same_day):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
