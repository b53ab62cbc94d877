"""Validate the database: run the GX suite inside DuckDB, record findings, apply errata policy.

Two layers are validated with the same rules:
  raw    the figures as printed; every failure must be explained by the errata register
         (data/raw/errata/<source_id>.yml),
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
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analysis import paths
from analysis.errors import ProjectError
from analysis.fingerprints import (
    BUILD_TABLE,
    VALIDATION_TABLE,
    stored_keys,
    validation_key,
)
from analysis.validation.suites import (
    FRAME_LAYERS,
    LAYERS,
    conventions_sql,
    counts_sql,
    findings_sql,
    load_rules,
    write_suites,
)
from analysis.warehouse.lock import check_database_path, database_lock


@dataclass(frozen=True)
class SourceError:
    """One failing (rule, figure) with both layers' results side by side.

    A source error fails on the printed figures (raw) and usually on the marts too; it is
    reported once, not once per layer.
    """

    rule: str
    severity: str
    figure_id: str
    source_id: str | None
    locator: str | None
    # (passed, observed, expected) per layer; passed is None where the rule does not apply
    raw: tuple[bool | None, str | None, str | None]
    marts: tuple[bool | None, str | None, str | None]
    erratum_id: str | None  # the erratum that lists this (rule, figure) under breaks
    figure_errata: str | None  # every erratum that names the figure (corrections, withholds)
    csv_file: str | None = None  # the raw CSV file that holds the figure, and its line there
    csv_line: int | None = None

    @property
    def status(self) -> str:
        raw_failed, marts_failed = self.raw[0] is False, self.marts[0] is False
        if self.severity == "warning":
            return "explained" if self.erratum_id else "WARNING"
        if raw_failed and self.erratum_id and not marts_failed:
            return "explained"
        return "FAIL"

    @property
    def fatal(self) -> bool:
        return self.status == "FAIL"

    def line(self) -> str:
        """One line: where (the CSV file and line, then the source document's locator), the
        printed figures' result, the marts' result, what to do."""
        csv = f"{self.csv_file}:{self.csv_line}: " if self.csv_file and self.csv_line else ""
        where = f" (source: {self.locator})" if self.locator else ""
        raw = _result(self.raw)
        marts = "same" if self.marts == self.raw else _result(self.marts)
        text = (f"{csv}{self.rule} · {self.figure_id}{where}: as printed {raw} | after errata "
                f"{marts}")
        if self.erratum_id:
            text += f"  [{self.erratum_id}]"
        return text + (f"; next: {self.next_step()}" if self.status != "explained" else "")

    def next_step(self) -> str:
        raw_failed = self.raw[0] is False
        if not raw_failed:
            return (f"the correction ({self.figure_errata or 'an erratum'}) breaks this rule: "
                    "check the values it sets in data/raw/errata/<source_id>.yml")
        if self.erratum_id:
            return (f"{self.erratum_id} explains it but does not fix it: its corrections or "
                    "withhold must make the rule pass in the marts")
        if self.severity == "warning":
            return "check the figure; if it is genuine, add a 'flag' erratum to explain it"
        return ("fix the transcription if it differs from the source; if the source printed "
                "it so, add the erratum shown below to data/raw/errata/<source_id>.yml")


def _result(result: tuple[bool | None, str | None, str | None]) -> str:
    passed, observed, expected = result
    if passed is None:
        return "not checked"
    return "passes" if passed else f"fails: {observed}; expected {expected}"


@dataclass(frozen=True)
class Verdict:
    unexplained: list[str]  # source errors no erratum explains (or that fail after errata)
    stale: list[str]  # errata whose (rule, figure) no longer fails on the printed figures
    warnings: list[str]  # unexplained warnings: shown, never fatal
    errors: list[SourceError] = field(default_factory=list)  # every failing (rule, figure)
    # series failures of a figure whose source error is reported above: shown, not repeated
    follows: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unexplained and not self.stale


def write_findings(con: duckdb.DuckDBPyConnection, ruleset, outcomes) -> None:
    """Record what the rules found: failures, counts, conventions, GX's results, stale errata.

    At national scale the checks are tens of millions (rules x figures x layers), nearly all
    passing, so they are not stored one by one. Stored: every failing check with its
    arithmetic and, for a (rule, figure) failing in the raw or the marts layer, its result in
    the other layer too (passed, or absent where the rule does not apply there); per layer
    and rule, the checks and failures (validation.rule_counts); and per source, which
    rounding convention each printed percentage matched (validation.conventions).
    """
    plan = [(suite, layer, relation) for suite in ruleset.all_suites()
            for layer, relation in _layers(suite.frame).items()]
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DROP TABLE IF EXISTS {VALIDATION_TABLE}")  # see record_run
    con.execute("DELETE FROM validation.findings")
    failing = "\nUNION ALL\n".join(findings_sql(suite, relation, layer)
                                   for suite, layer, relation in plan)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE failing AS
        SELECT * FROM ({failing}) WHERE NOT passed""")
    # The same (rule, figure) in the other of the two figure layers, where it passes there.
    counterparts = "\nUNION ALL\n".join(
        findings_sql(suite, relation, layer, keys="failing_keys")
        for suite, layer, relation in plan if layer in LAYERS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE failing_keys AS
        SELECT DISTINCT rule, figure_id FROM failing WHERE layer IN ('raw', 'marts');
        INSERT INTO validation.findings
        SELECT f.layer, f.rule, f.severity, f.figure_id, f.passed, f.observed, f.expected,
               f.convention, CASE WHEN NOT f.passed THEN b.erratum_id END AS erratum_id
        FROM (SELECT * FROM failing
              UNION ALL
              SELECT * FROM ({counterparts}) WHERE passed) AS f
        LEFT JOIN raw.errata_breaks AS b ON b.rule = f.rule AND b.figure_id = f.figure_id;
        DROP TABLE failing; DROP TABLE failing_keys""")
    con.execute("DELETE FROM validation.rule_counts")
    for suite, layer, relation in plan:
        row = con.execute(counts_sql(suite, relation))
        counts = dict(zip([d[0] for d in row.description], row.fetchone(), strict=True))
        con.executemany("INSERT INTO validation.rule_counts VALUES (?, ?, ?, ?, ?)",
                        [(layer, rule.id, rule.severity, counts[f"{rule.id}:applicable"],
                          counts[f"{rule.id}:failed"]) for rule in suite.rules])
    con.execute("DELETE FROM validation.conventions")
    for suite, layer, relation in plan:
        sql = conventions_sql(suite, relation, layer)
        if sql:
            con.execute(f"INSERT INTO validation.conventions {sql}")
    con.execute("DELETE FROM validation.rules")
    con.executemany("INSERT INTO validation.rules VALUES (?, ?, ?, ?, ?)",
                    [(r.id, r.severity, r.description, r.description_vi, r.frame)
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
        LEFT JOIN (SELECT rule, figure_id FROM validation.findings
                   WHERE layer = 'raw' AND NOT passed) AS f
            ON f.rule = b.rule AND f.figure_id = b.figure_id
        GROUP BY b.erratum_id""")
    con.execute("COMMIT")


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}


def record_run(con: duckdb.DuckDBPyConnection, key: str | None, passed: bool) -> None:
    """Store the key validation ran on and its verdict, once its results are complete, so that
    the next run (and the pages) can tell it is up to date."""
    if key is not None:
        con.execute(f"CREATE OR REPLACE TABLE {VALIDATION_TABLE} AS "
                    "SELECT ?::VARCHAR AS content_key, ?::BOOLEAN AS passed", [key, passed])


def up_to_date(database: Path = paths.DATABASE, expectations_dir: Path = paths.EXPECTATIONS,
               report: Path | None = paths.VALIDATION_REPORT) -> bool:
    """Whether the last validation of `database` passed on what it holds now, with today's
    rules, and its report is there: validating again would say the same."""
    keys = stored_keys(database)
    return (keys.build is not None and keys.passed
            and keys.validation == validation_key(keys.build, expectations_dir)
            and (report is None or report.exists()))


def _layers(frame: str) -> dict[str, str]:
    if frame not in FRAME_LAYERS:
        raise ProjectError(f"rules.yml names frame {frame!r}; known frames: "
                           f"{', '.join(FRAME_LAYERS)}")
    return FRAME_LAYERS[frame]


def check_agreement(con: duckdb.DuckDBPyConnection) -> None:
    """GX's verdict, the findings table and the counts must agree on every rule's failures."""
    disagreements = con.execute("""
        SELECT g.layer, g.rule, g.unexpected_count, count(f.figure_id) AS findings_failed
        FROM validation.gx_results AS g
        LEFT JOIN (SELECT layer, rule, figure_id FROM validation.findings WHERE NOT passed) AS f
            ON f.layer = g.layer AND f.rule = g.rule
        GROUP BY ALL HAVING g.unexpected_count <> count(f.figure_id)""").fetchall()
    disagreements += con.execute("""
        SELECT g.layer, g.rule, g.unexpected_count, c.failed
        FROM validation.gx_results AS g
        LEFT JOIN validation.rule_counts AS c ON c.layer = g.layer AND c.rule = g.rule
        WHERE c.failed IS DISTINCT FROM g.unexpected_count""").fetchall()
    if disagreements:
        detail = "; ".join(f"{layer}/{rule}: GX {gx}, findings {ours}"
                           for layer, rule, gx, ours in disagreements)
        raise ProjectError(f"GX and the findings table disagree: {detail}")


def source_errors(con: duckdb.DuckDBPyConnection) -> list[SourceError]:
    """Every (rule, figure) failing in either layer, both layers' results on one row."""
    # The failing (rule, figure) keys first: at national scale the findings hold tens of
    # millions of passing checks, and only the few failing keys need both layers side by side.
    rows = con.execute("""
        WITH failing AS (
            SELECT DISTINCT rule, figure_id FROM validation.findings
            WHERE layer IN ('raw', 'marts') AND NOT passed
        ),
        raw AS (SELECT f.* FROM validation.findings AS f SEMI JOIN failing AS k
                ON k.rule = f.rule AND k.figure_id = f.figure_id WHERE f.layer = 'raw'),
        marts AS (SELECT f.* FROM validation.findings AS f SEMI JOIN failing AS k
                  ON k.rule = f.rule AND k.figure_id = f.figure_id WHERE f.layer = 'marts')
        SELECT DISTINCT
            coalesce(r.rule, m.rule) AS rule, coalesce(r.severity, m.severity) AS severity,
            coalesce(r.figure_id, m.figure_id) AS figure_id, s.source_id, s.locator,
            r.passed, r.observed, r.expected, m.passed, m.observed, m.expected,
            b.erratum_id, c.erratum_ids, s.source_file, s.source_line
        FROM raw AS r
        FULL JOIN marts AS m ON m.rule = r.rule AND m.figure_id = r.figure_id
        LEFT JOIN staging.figures AS s ON s.figure_id = coalesce(r.figure_id, m.figure_id)
        LEFT JOIN raw.errata_breaks AS b ON b.rule = coalesce(r.rule, m.rule)
            AND b.figure_id = coalesce(r.figure_id, m.figure_id)
        LEFT JOIN marts.corrected_figures AS c
            ON c.figure_id = coalesce(r.figure_id, m.figure_id)
        WHERE NOT coalesce(r.passed, true) OR NOT coalesce(m.passed, true)
        ORDER BY severity, s.source_id, figure_id, rule""").fetchall()
    return [SourceError(rule, severity, figure_id, source_id, locator, (rp, ro, re), (mp, mo, me),
                        erratum_id, figure_errata, csv_file, csv_line)
            for (rule, severity, figure_id, source_id, locator, rp, ro, re, mp, mo, me,
                 erratum_id, figure_errata, csv_file, csv_line) in rows]


def verdict(con: duckdb.DuckDBPyConnection) -> Verdict:
    errors = source_errors(con)
    # Series rules check the comparability of the series mart, not what a source printed:
    # the errata register cannot explain them, so every failing one is fatal.
    series_failures = con.execute("""
        SELECT rule, figure_id, observed, expected FROM validation.findings
        WHERE layer = 'series' AND NOT passed AND severity = 'error'
        ORDER BY rule, figure_id""").fetchall()
    stale = con.execute("""SELECT erratum_id, stale_detail FROM validation.errata_status
                           WHERE stale ORDER BY 1""").fetchall()
    fatal_figures = {e.figure_id for e in errors if e.fatal}
    series_lines = [
        (figure_id, f"series · {rule} · {figure_id}: {observed}; expected {expected}")
        for rule, figure_id, observed, expected in series_failures]
    next_step = ("; next: fix the catalog (data/raw/indicators.csv) or the series mart, "
                 "not the errata")
    return Verdict(
        # A series point that inherits a source error already reported (and fatal) is said
        # once as a FAIL, where the errata register can fix it, and shown as following from it.
        unexplained=[e.line() for e in errors if e.fatal] + [
            line + next_step for figure_id, line in series_lines
            if figure_id not in fatal_figures],
        follows=[line for figure_id, line in series_lines if figure_id in fatal_figures],
        stale=[f"{erratum}: no longer fails on the printed figures ({detail}); "
               "remove or update it in data/raw/errata/" for erratum, detail in stale],
        warnings=[e.line() for e in errors if e.status == "WARNING"],
        errors=errors,
    )


def erratum_template(con: duckdb.DuckDBPyConnection, errors: list[SourceError]) -> str:
    """The errata entries to add for unexplained source errors, one per source (each goes
    into its source's file, data/raw/errata/<source_id>.yml)."""
    numbers = [int(m) for (m,) in con.execute(
        "SELECT regexp_extract(erratum_id, '^E([0-9]+)', 1) FROM raw.errata").fetchall() if m]
    next_number = max(numbers, default=0) + 1
    by_source: dict[str, list[SourceError]] = {}
    for error in errors:
        if error.fatal and error.raw[0] is False and not error.erratum_id:
            by_source.setdefault(error.source_id or "?", []).append(error)
    entries = []
    for number, (source_id, items) in enumerate(sorted(by_source.items()), start=next_number):
        figures = sorted({e.figure_id for e in items})
        lines = [f"  - id: E{number:02d}-{source_id}-<what-is-wrong>",
                 f"    source_id: {source_id}",
                 "    breaks:",
                 *[f"      - {{rule: {e.rule}, figure: {e.figure_id}}}" for e in items],
                 "    evidence: >-",
                 *[f"      {e.figure_id}: {e.raw[1]}; expected {e.raw[2]}." for e in items],
                 "    explanation: >-",
                 "      <what the source got wrong, in your own words>",
                 "    explanation_vi: >-",
                 "      <the same in Vietnamese>",
                 "    action: flag  # or: correct, with corrections: [{figure: ..., <field>: ...}]",
                 "    withhold:",
                 *[f"      - {{figure: {figure}, field: <numerator|denominator|value|percent>}}"
                   for figure in figures]]
        entries.append("\n".join(lines))
    return "\n".join(entries)


def _print_report(con: duckdb.DuckDBPyConnection, result: Verdict, seconds: float) -> None:
    summary = con.execute("""
        SELECT layer, severity, sum(applicable), sum(failed), sum(explained), sum(unexplained)
        FROM validation_summary GROUP BY ALL ORDER BY layer DESC, severity""").fetchall()
    for layer, severity, applicable, failed, explained, unexplained in summary:
        print(f"  {layer:<5} {severity:<7} {applicable:>5} checks, {failed:>2} failed, "
              f"{explained:>2} explained by errata, {unexplained:>2} unexplained")
    fatal = [e for e in result.errors if e.fatal]
    after_errata = sum(1 for e in fatal if e.raw[0] is not False or e.erratum_id)
    print(f"  source errors: {len(result.errors)} failing (rule, figure) pairs, "
          f"{len(fatal)} not explained"
          + (f" ({after_errata} of them fail after the errata are applied)" if after_errata
             else ""))
    for error in result.errors:
        label = {"explained": "explained", "WARNING": "WARNING", "FAIL": "FAIL"}[error.status]
        print(f"  {label:<10} {error.line()}")
    for line in result.unexplained:
        if line.startswith("series · "):
            print(f"  FAIL       {line}")
    for line in result.follows:
        print(f"  follows    {line} (from the source error above)")
    for line in result.stale:
        print(f"  STALE      {line}")
    template = erratum_template(con, result.errors)
    if template:
        print("next step: for each FAIL above that the source really printed (not a "
              "transcription slip), add its entry to data/raw/errata/<source_id>.yml, a new "
              "file starting with a line `errata:` (fill in the <...>):")
        print(template)
    print(f"validation {'passed' if result.ok else 'FAILED'} in {seconds:.1f} s")


def validate(database: Path = paths.DATABASE, rules_path: Path = paths.RULES_YML,
             report: Path | None = paths.VALIDATION_REPORT,
             expectations_dir: Path = paths.EXPECTATIONS) -> int:
    """Run the suite on both layers; return 0 if everything failing is explained."""
    from analysis.validation.gx_run import run_suite  # imports Great Expectations (slow): only here

    started = time.perf_counter()
    check_database_path(database, must_exist=True)
    ruleset = load_rules(rules_path)
    if write_suites(check=True, rules_path=rules_path, out_dir=expectations_dir):
        raise ProjectError("the GX suite is out of date with expectations/rules.yml: "
                           "run `python -m analysis suites` and commit the result")
    # The writers' lock from the first read to the last write: a build waits meanwhile, so
    # these results cannot go into a file that is about to be replaced.
    with database_lock(database, "validated"):
        outcomes = run_suite(database, ruleset.suite, LAYERS, expectations_dir=expectations_dir,
                             more_suites={suite.suite: _layers(suite.frame)
                                          for suite in ruleset.others})
        con = duckdb.connect(str(database), config=paths.DUCKDB_CONFIG)
        try:
            from analysis.validation import results

            results.forget_verdict(con)  # killed from here on: the database stays unvalidated
            write_findings(con, ruleset, outcomes)
            check_agreement(con)
            result = verdict(con)
            _print_report(con, result, time.perf_counter() - started)
            if report is not None:
                from analysis.validation.report import write_report

                report.parent.mkdir(parents=True, exist_ok=True)
                write_report(con, report)
                print(f"wrote {paths.shown(report)}")
            content = con.execute(f"SELECT max(content_key) FROM {BUILD_TABLE}").fetchone()[0] \
                if BUILD_TABLE in _tables(con) else None
            record_run(con, validation_key(content, expectations_dir) if content else None,
                       result.ok)
            results.publish(con, result, database,
                            report.parent if report is not None else None)
        finally:
            con.close()
    return 0 if result.ok else 1
