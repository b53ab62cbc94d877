"""A new indicator kind needs only its row in the catalog (data/raw/indicator_kinds.csv).

On a copy of the project (as in test_new_source), a kind `coverage` (a ratio, not a goal)
is added to the catalog and given to a new indicator; the copy's code is left as it is. The
build and validation then treat its figures as every ratio's: the headline is the share,
the series has share points, the indicator must state its base. Without the catalog row
the build refuses the kind.
"""

from __future__ import annotations

import csv
import filecmp
import shutil
from pathlib import Path

import duckdb
import pytest
from test_new_source import IGNORED, INDICATOR, SOURCE, add_new_source, append_row, run_in

from analysis import paths

KIND = "coverage"


def _retype_indicator(raw: Path, kind: str) -> None:
    indicators = raw / "indicators.csv"
    lines = indicators.read_text("utf-8").splitlines(keepends=True)
    lines = [line.replace(",households,share,", f",households,{kind},", 1)
             if line.startswith(f"{INDICATOR},") else line for line in lines]
    assert any(f",households,{kind}," in line for line in lines)
    indicators.write_text("".join(lines), "utf-8")


@pytest.fixture(scope="module")
def kind_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("project") / "de-an-06"
    shutil.copytree(paths.ROOT, copy, ignore=IGNORED)
    raw = copy / "data" / "raw"
    add_new_source(raw)
    _retype_indicator(raw, KIND)
    return copy


def _same_tree(left: Path, right: Path) -> bool:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    return not (comparison.left_only or comparison.right_only or comparison.diff_files) \
        and all(_same_tree(left / name, right / name) for name in comparison.common_dirs)


def test_a_kind_missing_from_the_catalog_is_refused(kind_copy):
    built = run_in(kind_copy, "-m", "analysis", "build")
    assert built.returncode != 0
    assert f"column 'kind': unknown indicator kind '{KIND}'" in built.stderr, built.stderr


def test_a_new_ratio_kind_needs_only_its_catalog_row(kind_copy):
    append_row(kind_copy / "data" / "raw" / "indicator_kinds.csv", {
        "kind": KIND, "ratio": "true", "goal": "false", "lower_is_better": "false",
        "own_scale": "false", "description": "A share of the households a service reaches (test)"})
    assert _same_tree(kind_copy / "src", paths.ROOT / "src"), "no code file may change"
    built = run_in(kind_copy, "-m", "analysis", "build")
    assert built.returncode == 0, built.stderr
    validated = run_in(kind_copy, "-m", "analysis", "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    con = duckdb.connect(str(kind_copy / "data" / "processed" / "de_an_06.duckdb"),
                         read_only=True)
    try:
        assert con.execute("SELECT kind, kind_is_ratio, kind_is_goal FROM indicators "
                           "WHERE indicator_id = ?", [INDICATOR]).fetchall() \
            == [(KIND, True, False)]
        headlines = con.execute(
            "SELECT figure_id, headline_unit, round(headline, 2) FROM figures_corrected "
            "WHERE indicator_id = ? ORDER BY figure_id", [INDICATOR]).fetchall()
        # The rural part prints no percent: its share is computed from its own numbers.
        assert headlines == [(f"{SOURCE}.households", "percent", 86.4),
                             (f"{SOURCE}.households-rural", "percent", 88.88),
                             (f"{SOURCE}.households-urban", "percent", 82.27)]
        measures = con.execute("SELECT DISTINCT measure FROM series WHERE indicator_id = ? "
                               "ORDER BY 1", [INDICATOR]).fetchall()
        assert ("share",) in measures
    finally:
        con.close()
    # As a ratio, it must state its base.
    indicators = kind_copy / "data" / "raw" / "indicators.csv"
    with indicators.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["indicator_id"] == INDICATOR:
            row["denominator_vi"] = ""
    with indicators.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    built = run_in(kind_copy, "-m", "analysis", "build")
    assert f"a {KIND} indicator must state its base" in built.stderr, built.stderr
