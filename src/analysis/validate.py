"""Validate the database: run the GX suite inside DuckDB, record findings, apply errata policy.

Two layers are validated with the same rules:
  raw    the figures as printed; every failure must be explained by data/raw/errata.yml,
         and every erratum must still fail here (otherwise it is stale);
  marts  the figures after the errata are applied; no error-severity check may fail.
Warnings are reported and explained where the register covers them, but never fail.
A third layer, series, checks comparability (rules with `frame: series`) on the points of
marts.series; like marts, it is built after the errata, so any error there fails.

Great Expectations decides pass or fail (its checkpoint runs each rule as SQL in DuckDB);
the same rule SQL, run once more for all applicable rows, gives the findings table with
passing rows and the rounding convention that matched. The two must agree on every count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis import paths
from analysis.errors import ProjectError
from analysis.suites import findings_sql, load_rules, write_suites

LAYERS = {"raw": "validation.frame_raw", "marts": "validation.frame_marts"}
# The layers each frame's rules run on (rules.yml: `frame`).
FRAME_LAYERS = {"figures": LAYERS, "series": {"series": "validation.frame_series"}}


@dataclass(frozen=True)
class Verdict:
    unexplained: list[str]  # failures that no erratum explains (or any marts error)
    stale: list[str]  # errata whose (rule, figure) no longer fails on the printed figures
    warnings: list[str]  # unexplained warnings: shown, never fatal

    @property
    def ok(self) -> bool:
        return not self.unexplained and not self.stale


def _message(row: tuple) -> str:
    layer, rule, figure_id, locator, observed, expected, erratum_id = row
    where = f" ({locator})" if locator else ""
    explained = f"  [{erratum_id}]" if erratum_id else ""
    return f"{layer} · {rule} · {figure_id}{where}: {observed}; expected {expected}{explained}"


def write_findings(con: duckdb.DuckDBPyConnection, ruleset, outcomes) -> None:
    union = "\nUNION ALL\n".join(findings_sql(suite, relation, layer)
                                 for suite in ruleset.all_suites()
                                 for layer, relation in _layers(suite.frame).items())
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM validation.findings")
    con.execute(f"""
        INSERT INTO validation.findings
        SELECT f.layer, f.rule, f.severity, f.figure_id, f.passed, f.observed, f.expected,
               f.convention, CASE WHEN NOT f.passed THEN b.erratum_id END AS erratum_id
        FROM ({union}) AS f
        LEFT JOIN raw.errata_breaks AS b ON b.rule = f.rule AND b.figure_id = f.figure_id
        ORDER BY f.layer, f.rule, f.figure_id""")
    con.execute("DELETE FROM validation.rules")
    con.executemany("INSERT INTO validation.rules VALUES (?, ?, ?, ?)",
                    [(r.id, r.severity, r.description, r.frame)
                     for suite in ruleset.all_suites() for r in suite.rules])
    con.execute("DELETE FROM validation.gx_results")
    con.executemany("INSERT INTO validation.gx_results VALUES (?, ?, ?, ?, ?)",
                    [(o.asset, o.rule_id, o.severity, o.success, o.unexpected_count)
                     for o in outcomes])
    con.execute("""
        DELETE FROM validation.errata_status;
        INSERT INTO validation.errata_status
        SELECT b.erratum_id,
               bool_or(f.figure_id IS NULL) AS stale,
               string_agg(CASE WHEN f.figure_id IS NULL THEN b.rule || ' on ' || b.figure_id
                               END, '; ') AS stale_detail
        FROM raw.errata_breaks AS b
        LEFT JOIN validation.findings AS f
            ON f.layer = 'raw' AND f.rule = b.rule AND f.figure_id = b.figure_id AND NOT f.passed
        GROUP BY b.erratum_id""")
    con.execute("COMMIT")


def _layers(frame: str) -> dict[str, str]:
    if frame not in FRAME_LAYERS:
        raise ProjectError(f"rules.yml names frame {frame!r}; known frames: "
                           f"{', '.join(FRAME_LAYERS)}")
    return FRAME_LAYERS[frame]


def check_agreement(con: duckdb.DuckDBPyConnection) -> None:
    """GX's verdict and the findings table must count the same failures for every rule."""
    disagreements = con.execute("""
        SELECT g.layer, g.rule, g.unexpected_count, count(f.figure_id) AS findings_failed
        FROM validation.gx_results AS g
        LEFT JOIN validation.findings AS f
            ON f.layer = g.layer AND f.rule = g.rule AND NOT f.passed
        GROUP BY ALL HAVING g.unexpected_count <> count(f.figure_id)""").fetchall()
    if disagreements:
        detail = "; ".join(f"{layer}/{rule}: GX {gx}, findings {ours}"
                           for layer, rule, gx, ours in disagreements)
        raise ProjectError(f"GX and the findings table disagree: {detail}")


def verdict(con: duckdb.DuckDBPyConnection) -> Verdict:
    columns = "f.layer, f.rule, f.figure_id, s.locator, f.observed, f.expected, f.erratum_id"
    failing = f"""SELECT {columns} FROM validation.findings AS f
                  LEFT JOIN staging.figures AS s USING (figure_id) WHERE NOT f.passed"""
    unexplained = con.execute(f"""{failing} AND f.severity = 'error'
        AND (f.layer <> 'raw' OR f.erratum_id IS NULL) ORDER BY 1, 2, 3""").fetchall()
    warnings = con.execute(f"""{failing} AND f.severity = 'warning' AND f.erratum_id IS NULL
        AND f.layer = 'raw' ORDER BY 1, 2, 3""").fetchall()
    stale = con.execute("""SELECT erratum_id, stale_detail FROM validation.errata_status
                           WHERE stale ORDER BY 1""").fetchall()
    return Verdict(
        unexplained=[_message(row) for row in unexplained],
        stale=[f"{erratum}: no longer fails on the printed figures ({detail}); "
               "remove or update it in data/raw/errata.yml" for erratum, detail in stale],
        warnings=[_message(row) for row in warnings],
    )


def _print_report(con: duckdb.DuckDBPyConnection, result: Verdict, seconds: float) -> None:
    summary = con.execute("""
        SELECT layer, severity, sum(applicable), sum(failed), sum(explained), sum(unexplained)
        FROM validation_summary GROUP BY ALL ORDER BY layer DESC, severity""").fetchall()
    for layer, severity, applicable, failed, explained, unexplained in summary:
        print(f"  {layer:<5} {severity:<7} {applicable:>5} checks, {failed:>2} failed, "
              f"{explained:>2} explained by errata, {unexplained:>2} unexplained")
    explained = con.execute("""
        SELECT f.layer, f.rule, f.figure_id, s.locator, f.observed, f.expected, f.erratum_id
        FROM validation.findings AS f LEFT JOIN staging.figures AS s USING (figure_id)
        WHERE NOT f.passed AND f.erratum_id IS NOT NULL ORDER BY 1 DESC, 7, 2""").fetchall()
    for row in explained:
        print(f"  explained  {_message(row)}")
    for line in result.warnings:
        print(f"  WARNING    {line}")
    for line in result.unexplained:
        print(f"  FAIL       {line}")
    for line in result.stale:
        print(f"  STALE      {line}")
    print(f"validation {'passed' if result.ok else 'FAILED'} in {seconds:.1f} s")


def validate(database: Path = paths.DATABASE, rules_path: Path = paths.RULES_YML,
             report: Path | None = paths.REPORTS / "validation.html",
             expectations_dir: Path = paths.EXPECTATIONS) -> int:
    """Run the suite on both layers; return 0 if everything failing is explained."""
    from analysis.gx_run import run_suite  # imports Great Expectations (slow): only here

    started = time.perf_counter()
    if not database.exists():
        raise ProjectError(f"{database} does not exist: run `python -m analysis build` first")
    ruleset = load_rules(rules_path)
    if write_suites(check=True, rules_path=rules_path, out_dir=expectations_dir):
        raise ProjectError("the GX suite is out of date with expectations/rules.yml: "
                           "run `python -m analysis suites` and commit the result")
    outcomes = run_suite(database, ruleset.suite, LAYERS, expectations_dir=expectations_dir,
                         more_suites={suite.suite: _layers(suite.frame)
                                      for suite in ruleset.others})
    con = duckdb.connect(str(database))
    try:
        write_findings(con, ruleset, outcomes)
        check_agreement(con)
        result = verdict(con)
        _print_report(con, result, time.perf_counter() - started)
        if report is not None:
            from analysis.validation_report import write_report

            report.parent.mkdir(parents=True, exist_ok=True)
            write_report(con, report)
            shown = report.relative_to(paths.ROOT) if report.is_relative_to(paths.ROOT) else report
            print(f"wrote {shown}")
    finally:
        con.close()
    return 0 if result.ok else 1
