"""A copy of the project with a new source added as docs/adding-a-source.md says still passes.

The steps of docs/adding-a-source.md are followed on a copy: a new locality (a commune of
another province, by its era and code alone), source, indicator, figures file and erratum.
Then build and validate run on the copy, and so do the test suite's data checks (the tests
that read data/raw and the built database), so a valid new source can never break a test
that pins today's data.

The copy runs its own code and data: PYTHONPATH points at the copy's src/ (otherwise the
editable install would import, and build, the original), and the test asserts it.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths
from analysis.ingest import admin_units as au

IGNORED = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.duckdb*", "reports",
                                 "output", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints")
SOURCE = "thu-nghiem-2025-03"
LOCALITY = "thu-nghiem"
INDICATOR = "test_households_registered_share"
# The tests that read data/raw or the built database (not rendering or the browser).
DATA_CHECKS = ["tests/warehouse/test_build.py", "tests/ingest/test_bad_inputs.py",
               "tests/validation/test_validation_rules.py::test_real_data_fails_exactly_on_the_errata_and_marts_are_green",
               "tests/validation/test_validation_rules.py::test_percentages_show_the_printed_decimals_and_the_ratio_closely"]


def _a_commune_of_another_province() -> au.AdminUnit:
    """The first former commune of the first province the register does not hold."""
    with (paths.RAW / "localities.csv").open(encoding="utf-8", newline="") as handle:
        held = {row["gso_code"] for row in csv.DictReader(handle)}
    province = next(p for p in au.children("legacy", None) if p.code not in held)
    district = au.children("legacy", province.code)[0]
    return au.children("legacy", district.code)[0]


NEW_COMMUNE = _a_commune_of_another_province()


def append_row(path: Path, values: dict[str, str]) -> None:
    """Append a row under the file's own header (columns other helpers add stay empty)."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    text = path.read_text("utf-8")
    with path.open("a", encoding="utf-8", newline="") as handle:
        if not text.endswith("\n"):
            handle.write("\n")
        csv.DictWriter(handle, header, extrasaction="ignore", lineterminator="\n").writerow(
            {column: values.get(column, "") for column in header})


def add_new_source(raw: Path) -> None:
    # Step 1: the locality (new), by its era and code alone: a former commune of a province
    # the register does not hold; the library gives its name, level and successors.
    append_row(raw / "localities.csv", {"locality_id": LOCALITY, "era": "legacy",
                                        "gso_code": NEW_COMMUNE.code})
    append_row(raw / "sources.csv", {
        "source_id": SOURCE, "locality_id": LOCALITY, "title": "A test report on households",
        "publisher": "Test publisher", "published_on": "2025-03-20",
        "published_precision": "day", "published_basis": "printed",
        "period_start": "2025-01-01", "period_end": "2025-03-15", "kind": "official_report",
        "language": "vi", "reference": "https://example.org/test-report"})
    # Step 3: a new indicator, since none measures this against this base.
    append_row(raw / "indicators.csv", {
        "indicator_id": INDICATOR, "topic": "test_households", "domain": "population_data",
        "label_vi": "Hộ gia đình đã đăng ký (thử nghiệm)",
        "label_en": "Households registered (test)", "unit": "households", "kind": "share",
        "denominator_kind": "stock", "denominator_en": "all households of the commune",
        "denominator_vi": "tổng số hộ gia đình của xã", "expected_direction": "up"})
    units = (raw / "units.csv").read_text("utf-8")
    if "\nhouseholds," not in units:
        append_row(raw / "units.csv", {"unit_id": "households", "label_vi": "hộ",
                                       "label_en": "households", "countable": "true"})
    # Step 2 and 4: the figures file, with the header of any other figures file; a total,
    # its two parts, and a percent the source got wrong (1.234/1.500 is 82,27 %, not 83,2 %).
    header = next(iter(sorted((raw / "figures").glob("*.csv")))).read_text("utf-8")
    (raw / "figures" / f"{SOURCE}.csv").write_text(header.splitlines()[0] + "\n", "utf-8")
    common = {"indicator_id": INDICATOR, "locality_id": LOCALITY, "as_of": "2025-03-15",
              "as_of_basis": "printed"}
    figures = raw / "figures" / f"{SOURCE}.csv"
    append_row(figures, {**common, "figure_id": f"{SOURCE}.households", "numerator": "3.456",
                         "denominator": "4.000", "percent": "86,40%",
                         "phrase": "hộ gia đình đã đăng ký", "locator": "§1, line 3"})
    append_row(figures, {**common, "figure_id": f"{SOURCE}.households-urban",
                         "breakdown": "urban", "numerator": "1.234", "denominator": "1.500",
                         "percent": "83,2%", "phrase": "hộ thành thị", "locator": "§1, line 4",
                         "relation": "part_of", "related_figure": f"{SOURCE}.households"})
    append_row(figures, {**common, "figure_id": f"{SOURCE}.households-rural",
                         "breakdown": "rural", "numerator": "2.222", "denominator": "2.500",
                         "phrase": "hộ nông thôn", "locator": "§1, line 5",
                         "relation": "part_of", "related_figure": f"{SOURCE}.households"})
    # Step 5: the source's error goes into its errata file (format: docs/validation.md).
    (raw / "errata").mkdir(exist_ok=True)
    (raw / "errata" / f"{SOURCE}.yml").write_text(f"""errata:
  - id: E90-test-urban-percent
    source_id: {SOURCE}
    breaks:
      - {{rule: percent_matches_ratio, figure: {SOURCE}.households-urban}}
    evidence: >-
      1234/1500 = 82.27 %, printed 83,2 %.
    explanation: >-
      The printed urban percent does not follow from its counts; the counts add up to the
      total, so the percent is withheld.
    explanation_vi: >-
      Tỷ lệ hộ thành thị được in không suy ra được từ các số đếm; các số đếm cộng lại đúng
      bằng tổng, nên tỷ lệ bị loại.
    action: flag
    withhold:
      - {{figure: {SOURCE}.households-urban, field: percent}}
""")


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("project") / "de-an-06"
    shutil.copytree(paths.ROOT, copy, ignore=IGNORED)
    add_new_source(copy / "data" / "raw")
    return copy


def run_in(copy: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_copy_runs_its_own_code(project_copy):
    result = run_in(project_copy, "-c", "from analysis import paths; print(paths.ROOT)")
    assert Path(result.stdout.strip()) == project_copy, result.stderr


def test_a_new_source_added_the_readme_way_builds_and_validates(project_copy):
    built = run_in(project_copy, "-m", "analysis", "build")
    assert built.returncode == 0, built.stderr
    # Up to 50 sources the build lists each one's figures read and loaded; beyond, one line.
    assert (f"  {SOURCE}" in built.stdout and "3 figures read,      3 loaded" in built.stdout) \
        or "sources: figures read = figures loaded for each" in built.stdout
    validated = run_in(project_copy, "-m", "analysis", "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "[E90-test-urban-percent]" in validated.stdout


def test_the_locality_added_by_code_alone_has_the_librarys_name_parent_and_successors(
        project_copy):
    import duckdb

    database = project_copy / "data" / "processed" / "de_an_06.duckdb"
    if not database.exists():
        assert run_in(project_copy, "-m", "analysis", "build").returncode == 0
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute("""SELECT name_vi, admin_level, era, parent_id, parent_gso_code,
                                    province_gso_code FROM localities WHERE locality_id = ?""",
                          [LOCALITY]).fetchone()
        successors = con.execute("""SELECT successor_gso_code, successor_vi FROM
                                    locality_lineage WHERE predecessor_id = ?""",
                                 [LOCALITY]).fetchall()
    assert row == (NEW_COMMUNE.name_vi, "commune", "legacy", None, NEW_COMMUNE.parent_code,
                   NEW_COMMUNE.province_code)
    expected = {(s.unit.code, s.unit.name_vi) for s in au.successors_2025(NEW_COMMUNE.code)}
    assert expected and set(successors) == expected


def test_the_data_checks_of_the_test_suite_pass_on_the_copy(project_copy):
    result = run_in(project_copy, "-m", "pytest", "-q", "-p", "no:cacheprovider", *DATA_CHECKS,
                    timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
