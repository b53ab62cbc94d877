"""Validation's results for CI: validation.json and validation.junit.xml beside the report,
located by CSV file and line first; a failed validation has one failing JUnit case per
unexplained finding; what was published before a failure is marked."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
from editing import apply_edit

from analysis.validation.results import (
    BANNER_START,
    JSON_NAME,
    JUNIT_NAME,
    NOT_VALIDATED_NAME,
    mark_not_validated,
    read_verdict,
)
from analysis.validation.validate import validate
from analysis.warehouse.build import build

PERCENT_EDIT = {"replace": {"file": "figures/gct-2024-06.csv", "old": "80,17%",
                            "new": "80,18%"}}
SWAP_EDIT = {"replace": {"file": "figures/bs-2023-12.csv", "old": "**3.944**",
                         "new": "**5.944**"}}


def validated(tmp_path: Path, raw: Path, *edits: dict) -> tuple[int, Path, Path]:
    for edit in edits:
        apply_edit(raw, edit)
    database = build(tmp_path / "de_an_06.duckdb", raw_dir=raw, quiet=True)
    reports = tmp_path / "reports"
    status = validate(database, report=reports / "validation.html")
    return status, database, reports


def line_of(path: Path, text: str) -> int:
    (number,) = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if text in line]
    return number


def junit_cases(reports: Path) -> list[ET.Element]:
    root = ET.parse(reports / JUNIT_NAME).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases)
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    return cases


def test_a_passing_validation_writes_json_and_junit_that_agree_with_the_database(
        tmp_path, raw_copy):
    status, database, reports = validated(tmp_path, raw_copy)
    assert status == 0
    result = json.loads((reports / JSON_NAME).read_text(encoding="utf-8"))
    assert result["verdict"] == "passed" and result["problems"] == []
    with duckdb.connect(str(database), read_only=True) as con:
        failing = con.execute("SELECT count(*) FROM findings WHERE NOT passed").fetchone()[0]
        checks = con.execute("SELECT sum(applicable) FROM validation_summary").fetchone()[0]
        verdict = read_verdict(con)
    assert verdict["passed"] and verdict["checks"] == checks == result["counts"]["checks"]
    assert len(result["findings"]) == failing == result["counts"]["failed_checks"]
    for finding in result["findings"]:  # each located and with its arithmetic
        assert Path(finding["file"]).name.endswith(".csv") and finding["line"] >= 2
        assert finding["observed"] and finding["expected"] and finding["rule"]
        assert finding["status"] in {"explained", "warning"}
    cases = junit_cases(reports)
    assert [c for c in cases if c.find("failure") is not None] == []
    assert len(cases) >= result["counts"]["source_errors"]


def test_a_failed_validation_has_one_failing_case_per_unexplained_finding_at_its_csv_line(
        tmp_path, raw_copy):
    status, database, reports = validated(tmp_path, raw_copy, PERCENT_EDIT, SWAP_EDIT)
    assert status == 1
    result = json.loads((reports / JSON_NAME).read_text(encoding="utf-8"))
    assert result["verdict"] == "failed"
    failing = [c for c in junit_cases(reports) if c.find("failure") is not None]
    assert len(failing) == result["counts"]["unexplained"] == len(result["problems"]) >= 2
    by_figure = {}
    for case in failing:
        message = case.find("failure").get("message")
        where = f"{case.get('file')}:{case.get('line')}"
        assert case.get("name").startswith(where) and message.startswith(where + ": ")
        assert Path(case.get("file")).suffix == ".csv"
        by_figure[message.split(" · ")[1].split(" ")[0]] = (case, message)
    csv_file = raw_copy / "figures" / "gct-2024-06.csv"
    case, message = by_figure["gct-2024-06.dossiers-online"]
    assert (Path(case.get("file")), int(case.get("line"))) == (csv_file,
                                                               line_of(csv_file, "80,18%"))
    # the source document's locator comes second, as such
    assert "(source: " in message and message.index("(source: ") > message.index(" · ")
    assert "80.18 %" in message
    case, _ = by_figure["bs-2023-12.meritorious-target-met"]
    assert int(case.get("line")) == line_of(raw_copy / "figures" / "bs-2023-12.csv",
                                            "**5.944**")
    with duckdb.connect(str(database), read_only=True) as con:
        verdict = read_verdict(con)
    assert verdict["passed"] is False and verdict["unexplained"] == len(failing)


def test_pages_and_package_from_before_a_failure_are_marked_not_validated_since(tmp_path):
    reports, package = tmp_path / "reports", tmp_path / "package"
    reports.mkdir()
    package.mkdir()
    (reports / "index.html").write_text("<html><body class='x'><h1>Pages</h1></body></html>",
                                        encoding="utf-8")
    (reports / "validation.html").write_text("<html><body>report</body></html>",
                                             encoding="utf-8")
    (package / "figures.csv").write_text("a\r\n", encoding="utf-8")
    since = dt.datetime(2026, 5, 6, 7, 8, tzinfo=dt.UTC)
    for _ in range(2):  # marking twice leaves one mark, with the later date
        marked = mark_not_validated(since, reports=reports, package=package)
        since += dt.timedelta(hours=1)
    page = (reports / "index.html").read_text(encoding="utf-8")
    assert page.count(BANNER_START) == 1
    assert "Not validated since 2026-05-06 08:08 UTC" in page
    assert page.index("<body class='x'>") < page.index(BANNER_START) < page.index("<h1>")
    assert BANNER_START not in (reports / "validation.html").read_text(encoding="utf-8")
    note = (package / NOT_VALIDATED_NAME).read_text(encoding="utf-8")
    assert note.startswith("Not validated since 2026-05-06 08:08 UTC.")
    assert sorted(p.name for p in marked) == ["NOT-VALIDATED.txt", "index.html"]
