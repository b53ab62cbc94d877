"""Validation's results for machines: the verdict kept in the database, a JSON result and a
JUnit XML file beside the HTML report, annotations a hosted CI places on the CSV lines, and a
mark on the pages and package left from before a failed validation.

Each problem is located first by the raw CSV file and line that hold the figure (where a
reader fixes it), then by the source document's locator (where the figure is printed).

- `reports/validation.json`: verdict, counts per layer and severity, every failing check
  with its rule, figure, CSV file and line, locator and arithmetic, and the list of problems
  that decide the verdict (unexplained source errors, series failures, stale errata).
- `reports/validation.junit.xml`: one test case per failing (rule, figure), per series
  failure and per erratum; a case fails exactly when it is one of the problems above, so a
  failed validation has one failing case per unexplained finding, named by CSV file and line.
- `validation.verdict` in the database: what `export` reads before it publishes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analysis import paths
from analysis.validation.validate import Verdict

JSON_NAME = "validation.json"
JUNIT_NAME = "validation.junit.xml"
FORMAT_VERSION = 1
NOT_VALIDATED_NAME = "NOT-VALIDATED.txt"
BANNER_START = "<!-- de-an-06: not validated -->"
BANNER_END = "<!-- /de-an-06: not validated -->"


@dataclass(frozen=True)
class Problem:
    """One thing that makes validation fail, located for a reader and for CI."""

    kind: str  # source_error, series, stale_erratum
    name: str  # the test case's name
    message: str  # CSV file and line first, then the source document's locator
    file: str | None
    line: int | None


def _where(file: str | None, line: int | None) -> str:
    if file and line:
        return f"{file}:{line}"
    return file or "(unknown file)"


def locations(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int, str | None]]:
    """Per figure id: the raw CSV file, its line there, and the source document's locator."""
    return {figure_id: (file, line, locator) for figure_id, file, line, locator in con.execute(
        "SELECT figure_id, source_file, source_line, locator FROM staging.figures").fetchall()}


def problems(con: duckdb.DuckDBPyConnection, result: Verdict) -> tuple[list[Problem],
                                                                       list[Problem]]:
    """(failing, passing) test cases: the verdict's problems and everything else checked."""
    where = locations(con)
    failing: list[Problem] = []
    passing: list[Problem] = []
    for error in result.errors:
        file, line, _ = where.get(error.figure_id, (None, None, None))
        # error.line() starts with the CSV file and line, then the source's locator.
        case = Problem("source_error", f"{_where(file, line)} {error.rule} {error.figure_id}",
                       error.line(), file, line)
        (failing if error.fatal else passing).append(case)
    fatal_figures = {e.figure_id for e in result.errors if e.fatal}
    for rule, figure_id, observed, expected in con.execute("""
            SELECT rule, figure_id, observed, expected FROM validation.findings
            WHERE layer = 'series' AND NOT passed AND severity = 'error'
            ORDER BY rule, figure_id""").fetchall():
        file, line, locator = where.get(figure_id, (None, None, None))
        place = f" (source: {locator})" if locator else ""
        case = Problem("series", f"{_where(file, line)} series {rule} {figure_id}",
                       f"{_where(file, line)}: series · {rule} · {figure_id}: {observed}; "
                       f"expected {expected}{place}", file, line)
        # One that follows from a source error reported above is shown, not counted twice.
        (passing if figure_id in fatal_figures else failing).append(case)
    # Each erratum stands in its source's file of the register (errata/<source_id>.yml).
    for erratum_id, stale, detail, source_id in con.execute(
            "SELECT s.erratum_id, s.stale, s.stale_detail, e.source_id "
            "FROM validation.errata_status AS s LEFT JOIN raw.errata AS e USING (erratum_id) "
            "ORDER BY s.erratum_id").fetchall():
        errata_file = paths.shown(paths.ERRATA / f"{source_id}.yml")
        case = Problem("stale_erratum", f"{errata_file} {erratum_id}",
                       f"{errata_file}: {erratum_id}: "
                       + (f"stale: no longer fails on the printed figures ({detail}); "
                          "remove or update it" if stale else "still explains a failure"),
                       errata_file, None)
        (failing if stale else passing).append(case)
    return failing, passing


def _counts(con: duckdb.DuckDBPyConnection, result: Verdict) -> dict[str, Any]:
    layers = [dict(zip(("layer", "severity", "checks", "failed", "explained", "unexplained"),
                       (layer, severity, int(a), int(f), int(e), int(u)), strict=True))
              for layer, severity, a, f, e, u in con.execute("""
        SELECT layer, severity, sum(applicable), sum(failed), sum(explained), sum(unexplained)
        FROM validation_summary GROUP BY ALL ORDER BY layer, severity""").fetchall()]
    return {
        "checks": sum(row["checks"] for row in layers),
        "failed_checks": sum(row["failed"] for row in layers),
        "source_errors": len(result.errors),
        "explained": sum(1 for e in result.errors if e.status == "explained"),
        "unexplained": len(result.unexplained),
        "warnings": len(result.warnings),
        "stale_errata": len(result.stale),
        "by_layer": layers,
    }


def findings(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every failing check, with where the figure is and the arithmetic."""
    cursor = con.execute("""
        SELECT v.layer, v.rule, v.severity, v.figure_id, f.source_id, f.source_file AS file,
               f.source_line AS line, f.locator, f.printed, v.observed, v.expected,
               v.convention, v.erratum_id
        FROM validation.findings AS v
        LEFT JOIN staging.figures AS f USING (figure_id)
        WHERE NOT v.passed
        ORDER BY f.source_file, f.source_line, v.rule, v.layer""")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        # Same rule as the verdict: errors must be explained in raw and gone after errata.
        row["status"] = ("unexplained" if row["severity"] == "error"
                         and (row["layer"] != "raw" or not row["erratum_id"]) else
                         "explained" if row["erratum_id"] else "warning")
    return rows


def result_document(con: duckdb.DuckDBPyConnection, result: Verdict, validated_at: dt.datetime,
                    database: Path) -> dict[str, Any]:
    failing, _ = problems(con, result)
    return {
        "format_version": FORMAT_VERSION,
        "verdict": "passed" if result.ok else "failed",
        "validated_at": validated_at.isoformat(timespec="seconds"),
        "database": paths.shown(database),
        "counts": _counts(con, result),
        "problems": [{"kind": p.kind, "file": p.file, "line": p.line, "message": p.message}
                     for p in failing],
        "findings": findings(con),
    }


def junit_document(con: duckdb.DuckDBPyConnection, result: Verdict,
                   validated_at: dt.datetime) -> ET.ElementTree:
    failing, passing = problems(con, result)
    suite = ET.Element("testsuite", {
        "name": "de-an-06 validation", "tests": str(len(failing) + len(passing)),
        "failures": str(len(failing)), "errors": "0", "skipped": "0",
        "timestamp": validated_at.isoformat(timespec="seconds")})
    for case, failed in [(p, True) for p in failing] + [(p, False) for p in passing]:
        element = ET.SubElement(suite, "testcase", {
            "classname": f"validation.{case.kind}", "name": case.name,
            **({"file": case.file} if case.file else {}),
            **({"line": str(case.line)} if case.line else {})})
        if failed:
            ET.SubElement(element, "failure", {"message": case.message,
                                               "type": case.kind}).text = case.message
        else:
            ET.SubElement(element, "system-out").text = case.message
    root = ET.Element("testsuites", {"name": "de-an-06", "tests": suite.get("tests", "0"),
                                     "failures": suite.get("failures", "0")})
    root.append(suite)
    ET.indent(root)
    return ET.ElementTree(root)


def _replace(path: Path, write) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    write(partial)
    partial.replace(path)


def write_results(con: duckdb.DuckDBPyConnection, result: Verdict, folder: Path,
                  validated_at: dt.datetime, database: Path) -> tuple[Path, Path]:
    """Write validation.json and validation.junit.xml into `folder`; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    document = result_document(con, result, validated_at, database)
    json_path, junit_path = folder / JSON_NAME, folder / JUNIT_NAME
    _replace(json_path, lambda p: p.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8"))
    tree = junit_document(con, result, validated_at)
    _replace(junit_path, lambda p: tree.write(p, encoding="utf-8", xml_declaration=True))
    return json_path, junit_path


def annotations(con: duckdb.DuckDBPyConnection, result: Verdict) -> list[str]:
    """GitHub Actions workflow commands placing each problem on its file and line."""
    failing, _ = problems(con, result)

    def escaped(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    lines = []
    for problem in failing:
        where = f"file={problem.file}" + (f",line={problem.line}" if problem.line else "")
        lines.append(f"::error {where},title=validation {problem.kind}::"
                     f"{escaped(problem.message)}")
    return lines


# --- the verdict, kept in the database for export ------------------------------------------

VERDICT_TABLE = """
CREATE TABLE IF NOT EXISTS validation.verdict (
    passed BOOLEAN, validated_at TIMESTAMP, checks BIGINT, unexplained BIGINT,
    stale_errata BIGINT, warnings BIGINT
)"""


def forget_verdict(con: duckdb.DuckDBPyConnection) -> None:
    """Before findings change: a run killed from here on leaves the database unvalidated."""
    con.execute(VERDICT_TABLE)
    con.execute("DELETE FROM validation.verdict")


def record_verdict(con: duckdb.DuckDBPyConnection, result: Verdict,
                   validated_at: dt.datetime) -> None:
    counts = _counts(con, result)
    con.execute(VERDICT_TABLE)
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM validation.verdict")
    con.execute("INSERT INTO validation.verdict VALUES (?, ?, ?, ?, ?, ?)",
                [result.ok, validated_at.replace(tzinfo=None), counts["checks"],
                 counts["unexplained"], counts["stale_errata"], counts["warnings"]])
    con.execute("COMMIT")


def read_verdict(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The last validation's verdict in this database, or None if it was never validated."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = "
                         "'validation' AND table_name = 'verdict'").fetchone()[0]
    if not exists:
        return None
    cursor = con.execute("SELECT * FROM validation.verdict")
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


# --- what was published before a failed validation ------------------------------------------


def banner(since: dt.datetime) -> str:
    when = since.strftime("%Y-%m-%d %H:%M UTC")
    return (f'{BANNER_START}<div role="alert" style="background:#b42318;color:#fff;'
            'padding:0.8rem 1rem;font:600 1rem system-ui,sans-serif">'
            f"Chưa được kiểm định lại từ {when} · Not validated since {when}: the data "
            "changed and failed validation; this page shows the last validated data. See "
            '<a href="validation.html" style="color:#fff">the validation report</a>.'
            f"</div>{BANNER_END}")


def mark_not_validated(since: dt.datetime, reports: Path = paths.REPORTS,
                       package: Path | None = None) -> list[Path]:
    """Put a visible "not validated since …" mark on every page and on the package left from
    before; the next passing `render` and `export` write them anew, without it."""
    package = paths.PACKAGE if package is None else package
    marked = []
    pattern = re.compile(re.escape(BANNER_START) + ".*?" + re.escape(BANNER_END), re.S)
    for page in sorted(reports.glob("*.html")) if reports.is_dir() else []:
        if page.name == "validation.html":
            continue  # the report of the failed validation itself
        text = pattern.sub("", page.read_text(encoding="utf-8"))
        text, found = re.subn(r"(<body[^>]*>)", lambda m: m.group(1) + banner(since), text,
                              count=1)
        if found:
            _replace(page, lambda p, text=text: p.write_text(text, encoding="utf-8"))
            marked.append(page)
    if package.is_dir():
        note = package / NOT_VALIDATED_NAME
        when = since.strftime("%Y-%m-%d %H:%M UTC")
        _replace(note, lambda p: p.write_text(
            f"Not validated since {when}.\n\nThe data in data/raw failed validation then "
            "(see reports/validation.html and reports/validation.json). The files in this "
            "folder are from the last export, before that change. The next export after a "
            "passing validation removes this note.\n", encoding="utf-8"))
        marked.append(note)
    return marked


def publish(con: duckdb.DuckDBPyConnection, result: Verdict, database: Path,
            folder: Path | None) -> None:
    """After a validation: keep its verdict, write the JSON and JUnit results into `folder`
    (beside the HTML report), annotate a GitHub Actions log, and mark what was published
    before a failure."""
    validated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    record_verdict(con, result, validated_at)
    if folder is not None:
        for path in write_results(con, result, folder, validated_at, database):
            print(f"wrote {paths.shown(path)}")
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in annotations(con, result):
            print(line)
    if not result.ok and database == paths.DATABASE:
        marked = mark_not_validated(validated_at, reports=paths.REPORTS)
        if marked:
            print(f"marked {len(marked)} page(s) and file(s) left from before "
                  f"\"not validated since {validated_at:%Y-%m-%d %H:%M} UTC\"")
