"""rules.yml → suite JSON / findings SQL / one-pass SQL, and the suite run by GX inside DuckDB.

Hand-made frame rows, one per failure mode, plus the real rules on the real database: GX's
counts must equal the one-pass SQL counts, rule by rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from analysis import paths
from analysis.validation import gx_run, suites

FIXTURE = Path(__file__).parent / "fixtures" / "rules_small.yml"

# figure_id, numerator, denominator, denominator_kind, reported_pct, pct_decimals,
# parts_n, parts_amount_sum; amount = numerator, pct_denominator = denominator.
FRAME_ROWS = [
    ("ok-1", 2, 3, "stock", 66.67, 2, 0, None),       # 66.666… rounded
    ("ok-2", 2, 3, "stock", 66.66, 2, 0, None),       # truncated
    ("ok-3", 1, 2, "stock", 50.0, 1, 2, 1),           # both conventions; parts add up
    ("ok-4", 12, 10, "target", 120.0, 0, 0, None),    # achievement may pass 100 %
    ("over-1", 30, 20, "stock", 150.0, 0, 0, None),   # numerator > stock
    ("pct-1", 1, 3, "pipeline_stage", 33.4, 1, 0, None),  # 33.3 either way, not 33.4
    ("parts-1", 5, 9, "stock", None, None, 3, 6),      # parts add to 6, not 5
    ("nulls-1", None, None, None, None, None, 0, None),  # nothing applies but the id rule
]
N_BAD_IDS = 30  # figure_id_format failures: more than the sample limit below
EXPECTED_FAILURES = {"numerator_le_denominator": 1, "percent_matches_ratio": 1,
                     "parts_sum_to_total": 1, "figure_id_format": N_BAD_IDS}


@pytest.fixture(scope="module")
def ruleset() -> suites.RuleSet:
    return suites.load_rules(FIXTURE)


@pytest.fixture(scope="module")
def frame_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """validation.frame_raw (a table) and validation.frame_marts (a view without bad ids)."""
    path = tmp_path_factory.mktemp("frame") / "frame.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA validation")
    con.execute("""CREATE TABLE validation.frame_raw (figure_id VARCHAR, numerator DOUBLE,
        denominator DOUBLE, denominator_kind VARCHAR, reported_pct DOUBLE, pct_decimals INTEGER,
        parts_n INTEGER, parts_amount_sum DOUBLE, amount DOUBLE, pct_denominator DOUBLE)""")
    con.executemany("INSERT INTO validation.frame_raw VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*row, row[1], row[2]) for row in FRAME_ROWS])
    con.execute(f"""INSERT INTO validation.frame_raw (figure_id, parts_n)
                    SELECT 'Bad id ' || i, 0 FROM range({N_BAD_IDS}) r(i)""")
    con.execute("""CREATE VIEW validation.frame_marts AS
                   SELECT * FROM validation.frame_raw WHERE figure_id NOT LIKE 'Bad id%'""")
    con.close()
    return path


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory: pytest.TempPathFactory, ruleset: suites.RuleSet) -> Path:
    out = tmp_path_factory.mktemp("expectations")
    assert suites.write_suites(rules_path=FIXTURE, out_dir=out) == 0
    return out


@pytest.fixture(scope="module")
def outcomes(frame_db: Path, suite_dir: Path, ruleset: suites.RuleSet) -> list[gx_run.Outcome]:
    return gx_run.run_suite(
        frame_db, ruleset.suite,
        {"raw": "validation.frame_raw", "marts": "validation.frame_marts"},
        expectations_dir=suite_dir, sample_limit=5,
    )


# --- rules.yml ------------------------------------------------------------------------------

def test_load_rules_reads_the_fixture(ruleset: suites.RuleSet) -> None:
    assert ruleset.suite == "figure_arithmetic_small"
    assert [r.id for r in ruleset.rules] == list(EXPECTED_FAILURES)
    assert ruleset.rule("figure_id_format").severity == "warning"
    assert ruleset.rule("numerator_le_denominator").convention is None
    assert ruleset.rule("percent_matches_ratio").convention.startswith("CASE")
    assert "\n" not in ruleset.rule("percent_matches_ratio").description


def _rule(**overrides: object) -> dict:
    rule = {"id": "r1", "severity": "error", "description": "d", "description_vi": "d",
            "applies": "true",
            "holds": "true", "observed": "'o'", "expected": "'e'"}
    rule.update(overrides)
    return {k: v for k, v in rule.items() if v is not None}


@pytest.mark.parametrize(("document", "message"), [
    ({"suite": "s", "rules": [_rule(), _rule()]}, "'r1' is defined more than once"),
    ({"suite": "s", "rules": [_rule(holds=None)]}, "rule 'r1' lacks required key(s): holds"),
    ({"suite": "s", "rules": [_rule(description_vi=None)]},
     "rule 'r1' lacks required key(s): description_vi"),
    ({"suite": "s", "rules": [_rule(severity="fatal")]}, "rule 'r1': severity 'fatal'"),
    ({"suite": "s", "rules": [_rule(id="Bad Id")]}, "id must be lower_snake_case"),
    ({"suite": "s", "rules": [_rule(extra="x")]}, "unknown key(s): extra"),
    ({"suite": "s", "rules": []}, "no rules"),
    ({"rules": [_rule()]}, "'suite' must be"),
    ({"suite": "s", "rules": [_rule(frame="series")]}, "frame 'series' is not named under"),
    ({"suite": "s", "frames": {"series": "s"}, "rules": [_rule()]}, "a suite name of its own"),
    ({"suite": "s", "frames": {"series": "t"}, "rules": [_rule()]}, "no rules for frame(s) series"),
    ({"suite": "s", "frames": {"figures": "t"}, "rules": [_rule()]}, "'frames' must map"),
])
def test_load_rules_names_the_problem(tmp_path: Path, document: dict, message: str) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    with pytest.raises(suites.RulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        suites.load_rules(path)


def test_each_frame_gets_a_suite_of_its_own(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps({"suite": "s", "frames": {"series": "t"}, "rules": [
        _rule(id="on_figures"), _rule(id="on_points", frame="series")]}), encoding="utf-8")
    ruleset = suites.load_rules(rules)
    assert [(r.suite, r.frame, [rule.id for rule in r.rules]) for r in ruleset.all_suites()] == [
        ("s", "figures", ["on_figures"]), ("t", "series", ["on_points"])]
    assert suites.write_suites(rules_path=rules, out_dir=tmp_path) == 0
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["s.json", "t.json"]
    (tmp_path / "t.json").unlink()
    capsys.readouterr()
    assert suites.write_suites(check=True, rules_path=rules, out_dir=tmp_path) == 1
    output = capsys.readouterr().out
    assert "t.json is missing" in output and "s.json is up to date" in output


# --- suite JSON -----------------------------------------------------------------------------

def test_suite_json_has_one_unexpected_rows_expectation_per_rule(ruleset: suites.RuleSet) -> None:
    suite = suites.suite_json(ruleset)
    assert suite["name"] == ruleset.suite
    assert len(suite["expectations"]) == len(ruleset.rules)
    for expectation, rule in zip(suite["expectations"], ruleset.rules, strict=True):
        assert expectation["type"] == "unexpected_rows_expectation"
        assert expectation["description"] == rule.description
        assert expectation["meta"] == {"rule_id": rule.id, "severity": rule.severity}
        query = expectation["kwargs"]["unexpected_rows_query"]
        assert "FROM (SELECT * FROM {batch}) AS f" in query
        # After GX's str.format the rule SQL must come back unchanged.
        formatted = query.format(batch="t")
        assert f"({rule.applies})" in formatted and f"({rule.holds}), false)" in formatted
    regex_query = suite["expectations"][3]["kwargs"]["unexpected_rows_query"]
    assert "{{2,}}" in regex_query and "{{1,7}}" in regex_query


def test_write_suites_is_deterministic_and_checks(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert suites.write_suites(rules_path=FIXTURE, out_dir=tmp_path) == 0
    target = tmp_path / "figure_arithmetic_small.json"
    first = target.read_bytes()
    assert suites.write_suites(rules_path=FIXTURE, out_dir=tmp_path) == 0
    assert target.read_bytes() == first
    assert suites.write_suites(check=True, rules_path=FIXTURE, out_dir=tmp_path) == 0
    target.write_text(first.decode().replace("Figure ids", "Ids"), encoding="utf-8")
    capsys.readouterr()
    assert suites.write_suites(check=True, rules_path=FIXTURE, out_dir=tmp_path) == 1
    assert "figure_arithmetic_small.json is stale" in capsys.readouterr().out
    target.unlink()
    assert suites.write_suites(check=True, rules_path=FIXTURE, out_dir=tmp_path) == 1
    assert not target.exists()  # check never writes


# --- SQL routes -----------------------------------------------------------------------------

def test_one_pass_sql_counts_failures(frame_db: Path, ruleset: suites.RuleSet) -> None:
    con = duckdb.connect(str(frame_db), read_only=True)
    try:
        cursor = con.execute(suites.one_pass_sql(ruleset, "validation.frame_raw"))
        counts = dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))
    finally:
        con.close()
    assert counts == EXPECTED_FAILURES


def test_findings_sql_lists_passing_rows_with_convention(frame_db: Path,
                                                         ruleset: suites.RuleSet) -> None:
    con = duckdb.connect(str(frame_db), read_only=True)
    try:
        rows = con.execute(
            f"SELECT * FROM ({suites.findings_sql(ruleset, 'validation.frame_raw', 'raw')})"
            " WHERE rule <> 'figure_id_format' ORDER BY rule, figure_id").fetchall()
    finally:
        con.close()
    columns = ("layer", "rule", "severity", "figure_id", "passed", "observed", "expected",
               "convention")
    found = {(r[1], r[3]): dict(zip(columns, r, strict=True)) for r in rows}
    assert found[("percent_matches_ratio", "ok-1")]["convention"] == "rounded"
    assert found[("percent_matches_ratio", "ok-2")]["convention"] == "truncated"
    assert found[("percent_matches_ratio", "ok-3")]["convention"] == "both"
    bad_pct = found[("percent_matches_ratio", "pct-1")]
    assert (bad_pct["passed"], bad_pct["convention"]) == (False, None)
    assert bad_pct["observed"] == "1/3 = 33.3333 %"
    assert bad_pct["expected"] == "printed 33.4 % (1 decimals)"
    over = found[("numerator_le_denominator", "over-1")]
    assert (over["layer"], over["severity"], over["passed"]) == ("raw", "error", False)
    assert over["observed"] == "30.0 > 20.0"
    assert found[("numerator_le_denominator", "ok-1")]["observed"] == "2.0 ≤ 3.0"
    assert ("numerator_le_denominator", "ok-4") not in found  # targets: rule does not apply
    assert found[("parts_sum_to_total", "parts-1")]["passed"] is False
    assert not any(key[1] == "nulls-1" for key in found)


# --- GX inside DuckDB -----------------------------------------------------------------------

def test_gx_outcomes_match_one_pass_sql(outcomes: list[gx_run.Outcome]) -> None:
    raw = {o.rule_id: o for o in outcomes if o.asset == "raw"}
    assert {rule: o.unexpected_count for rule, o in raw.items()} == EXPECTED_FAILURES
    assert all(not o.success for o in raw.values())
    assert raw["figure_id_format"].severity == "warning"
    assert raw["numerator_le_denominator"].sample == (
        gx_run.SampleRow("over-1", "30.0 > 20.0", "numerator ≤ denominator"),)


def test_gx_runs_views_and_bounds_samples(outcomes: list[gx_run.Outcome]) -> None:
    marts = {o.rule_id: o for o in outcomes if o.asset == "marts"}  # a view
    assert marts["figure_id_format"].success and marts["figure_id_format"].unexpected_count == 0
    assert marts["numerator_le_denominator"].unexpected_count == 1
    raw_ids = next(o for o in outcomes if o.asset == "raw" and o.rule_id == "figure_id_format")
    assert raw_ids.unexpected_count == N_BAD_IDS and len(raw_ids.sample) == 5


def test_gx_run_releases_the_database_and_leaves_no_files(outcomes: list[gx_run.Outcome],
                                                          frame_db: Path,
                                                          suite_dir: Path) -> None:
    duckdb.connect(str(frame_db)).close()  # read-write again: GX's engines are disposed
    assert sorted(p.name for p in suite_dir.iterdir()) == ["figure_arithmetic_small.json"]
    assert (paths.GX_ROOT / "great_expectations.yml").read_text(encoding="utf-8").startswith(
        "# Great Expectations project config")  # GX never rewrote it
    generated = [p for p in paths.GX_ROOT.rglob("*") if p.is_file()
                 and p.name not in ("great_expectations.yml", ".gitignore")
                 and "uncommitted" not in p.parts]
    assert generated == []


def test_gx_run_refuses_a_suite_gx_partly_drops(tmp_path: Path, frame_db: Path,
                                                ruleset: suites.RuleSet) -> None:
    suite = suites.suite_json(ruleset)
    suite["expectations"].append({"type": "expect_rule_from_an_unimported_plugin",
                                  "kwargs": {"column": "x"}, "meta": {"rule_id": "ghost"}})
    (tmp_path / f"{ruleset.suite}.json").write_text(json.dumps(suite), encoding="utf-8")
    with pytest.raises(gx_run.GxRunError, match="loaded 4 of 5 expectations"):
        gx_run.run_suite(frame_db, ruleset.suite, {"raw": "validation.frame_raw"},
                         expectations_dir=tmp_path)
    duckdb.connect(str(frame_db)).close()  # released on the error path too


def test_gx_run_reports_a_rule_that_cannot_execute(tmp_path: Path, frame_db: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps({"suite": "broken", "rules": [
        {"id": "no_such_column", "severity": "error", "description": "d",
         "description_vi": "d", "applies": "true",
         "holds": "no_such_column > 0", "observed": "'o'", "expected": "'e'"}]}),
        encoding="utf-8")
    suites.write_suites(rules_path=rules, out_dir=tmp_path)
    with pytest.raises(gx_run.GxRunError, match="no_such_column"):
        gx_run.run_suite(frame_db, "broken", {"raw": "validation.frame_raw"},
                         expectations_dir=tmp_path)


# --- the real rules -------------------------------------------------------------------------

@pytest.mark.skipif(not paths.RULES_YML.exists(), reason="expectations/rules.yml not written yet")
def test_real_rules_agree_between_gx_and_one_pass_sql(tmp_path: Path,
                                                      built_database: Path) -> None:
    from analysis.validation.validate import FRAME_LAYERS

    ruleset = suites.load_rules(paths.RULES_YML)
    suites.write_suites(out_dir=tmp_path)
    layers = FRAME_LAYERS["figures"]
    others = {other.suite: FRAME_LAYERS[other.frame] for other in ruleset.others}
    outcomes = gx_run.run_suite(built_database, ruleset.suite, layers, expectations_dir=tmp_path,
                                more_suites=others)
    assert len(outcomes) == sum(len(FRAME_LAYERS[r.frame]) * len(r.rules)
                                for r in ruleset.all_suites())
    con = duckdb.connect(str(built_database), read_only=True)
    try:
        for asset, relation, suite in [(asset, relation, r) for r in ruleset.all_suites()
                                       for asset, relation in FRAME_LAYERS[r.frame].items()]:
            cursor = con.execute(suites.one_pass_sql(suite, relation))
            sql_counts = dict(zip([d[0] for d in cursor.description], cursor.fetchone(),
                                  strict=True))
            gx_counts = {o.rule_id: o.unexpected_count for o in outcomes if o.asset == asset}
            assert gx_counts == sql_counts, asset
    finally:
        con.close()
