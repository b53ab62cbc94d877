"""Every validation rule can fail: a small mutation of the real data is caught.

Each test edits a copy of data/raw (or, for integrity rules the raw-file checks already
refuse, the built database), rebuilds, runs the real validate command (GX inside DuckDB)
and checks the finding. The unmutated data passes with exactly the known errata. The
comparability rules (frame series) hold by construction of marts.series, so their mutations
change the built mart itself, the way a faulty change to series.sql would.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from editing import add_erratum, apply_edit, read_errata

from analysis import paths
from analysis.validation import suites
from analysis.validation.suites import load_rules
from analysis.validation.validate import validate
from analysis.warehouse.build import build, build_derived


def errata_breaks(raw: Path = paths.RAW) -> dict[tuple[str, str], str]:
    """(rule, figure) -> erratum id, for every failure the errata register explains."""
    register = read_errata(raw)
    return {(item["rule"], item["figure"]): entry["id"]
            for entry in register for item in entry["breaks"]}


def rule_severity() -> dict[str, str]:
    return {r["id"]: r["severity"] for r in yaml.safe_load(paths.RULES_YML.read_text())["rules"]}


# The printed figures fail exactly where the errata register says they do.
KNOWN_RAW_FAILURES = set(errata_breaks())


def failed(database: Path, layer: str = "raw") -> set[tuple[str, str]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return set(con.execute("SELECT rule, figure_id FROM findings WHERE layer = ? AND NOT "
                               "passed", [layer]).fetchall())
    finally:
        con.close()


def run(tmp_path: Path, raw: Path, edit: dict | None = None,
        sql: str | None = None, mart_change=None) -> tuple[int, Path]:
    if edit:
        apply_edit(raw, edit)
    database = build(tmp_path / "de_an_06.duckdb", raw_dir=raw, quiet=True)
    if sql:  # a state the raw-file checks refuse, made inside the database
        con = duckdb.connect(str(database))
        con.execute(sql)
        build_derived(con, [])
        con.close()
    if mart_change:  # a built mart changed in place, not rebuilt: mart_change(connection)
        con = duckdb.connect(str(database))
        mart_change(con)
        con.close()
    return validate(database, report=None), database


def test_real_data_fails_exactly_on_the_errata_and_marts_are_green(tmp_path, raw_copy, capsys):
    status, database = run(tmp_path, raw_copy)
    assert status == 0
    assert failed(database, "raw") == KNOWN_RAW_FAILURES
    # After the errata no error remains; warnings the register explains (genuine) may.
    severity = rule_severity()
    marts = failed(database, "marts")
    assert all(severity[rule] == "warning" for rule, _ in marts)
    assert marts <= KNOWN_RAW_FAILURES
    lines = capsys.readouterr().out.splitlines()
    for (rule, figure), erratum in errata_breaks(raw_copy).items():
        # once per source error, not once per layer, with its erratum and both layers
        shown = [line for line in lines if f"{rule} · {figure} " in line]
        assert len(shown) == 1, shown
        assert shown[0].lstrip().startswith("explained") and f"[{erratum}]" in shown[0]
        assert "as printed fails: " in shown[0] and "| after errata " in shown[0]
    assert failed(database, "series") == set()


def test_no_false_alarm_on_truncated_percentages(tmp_path, raw_copy):
    _, database = run(tmp_path, raw_copy)
    con = duckdb.connect(str(database), read_only=True)
    # Per figure, from the rule's own SQL (the findings keep failures; conventions per source).
    checks = suites.findings_sql(load_rules(), "validation.frame_raw", "raw")
    conventions = dict(con.execute(f"""
        SELECT figure_id, convention FROM ({checks})
        WHERE rule = 'percent_matches_ratio' AND passed""").fetchall())
    per_source = dict(con.execute("""
        SELECT source_id || ' ' || convention, checks FROM rounding_conventions
        WHERE layer = 'raw' AND rule = 'percent_matches_ratio'""").fetchall())
    con.close()
    for figure_id, convention in conventions.items():  # the counts per source agree
        source = figure_id.split(".")[0]
        assert per_source[f"{source} {convention}"] == sum(
            1 for f, c in conventions.items() if f.split(".")[0] == source and c == convention)
    # 2761/7698 = 35.866 %: printed 35,86 (truncated); 20284/25302 = 80.168 %: printed 80,17
    assert conventions["gct-2024-06.social-payments-cashless"] == "truncated"
    assert conventions["gct-2024-06.dossiers-online"] == "rounded"
    # ...so one article uses both conventions; Bình Sơn's report truncates (61,11 and 84,35).
    assert conventions["bs-2023-12.vneid-verified"] == "truncated"
    assert conventions["bs-2023-12.vneid-activated"] == "truncated"
    assert conventions["bd-2024-01.dossiers-online-police"] == "truncated"


LODGING = "lodging_online_notification_share,binh-son,,2023-12-10,inferred,,,,,,"
MUTATIONS = [
    # (rule, figure, edit of data/raw) — each turns a passing figure into a failing one.
    ("numerator_le_denominator", "gct-2024-06.cccd-issued",
     {"replace": {"file": "figures/gct-2024-06.csv", "old": "132.801,135.622",
                  "new": "135.622,132.801"}}),
    ("percent_matches_ratio", "gct-2024-06.dossiers-online",
     {"replace": {"file": "figures/gct-2024-06.csv", "old": "80,17%", "new": "80,18%"}}),
    ("percent_matches_ratio", "bd-2024-01.dossiers-online-police",  # truncation, one unit up
     {"replace": {"file": "figures/bd-2024-01.csv", "old": "42,67%", "new": "42,69%"}}),
    ("parts_sum_to_total", "hb-2024-04-22.tasks-assigned",
     {"replace": {"file": "figures/hb-2024-04-22.csv", "line": 4, "old": ",28,", "new": ",29,"}}),
    ("remainder_equals_total_minus_done", "gct-2024-06.cccd-not-issued",
     {"replace": {"file": "figures/gct-2024-06.csv", "old": "2.821", "new": "2.822"}}),
    ("subset_not_larger_than_whole", "bs-2023-12.meritorious-target-met",
     {"replace": {"file": "figures/bs-2023-12.csv", "old": "**3.944**", "new": "**5.944**"}}),
    ("change_equals_difference", "hb-2025.par-rank-change",
     {"replace": {"file": "figures/hb-2025.csv", "old": "down 2", "new": "down 3"}}),
    ("share_between_0_and_100", "bs-2023-12.lodging-online",
     {"replace": {"file": "figures/bs-2023-12.csv", "old": LODGING + "100%",
                  "new": LODGING + "101%"}}),
    ("pipeline_stages_in_order", "gct-2024-06.vneid-activated",
     {"replace": {"file": "figures/gct-2024-06.csv", "old": "80.220", "new": "95.220"}}),
    ("as_of_not_after_publication", "hn-2024-12.ihanoi-accounts",
     {"replace": {"file": "figures/hn-2024-12.csv", "line": 2, "old": "2024-11-27",
                  "new": "2025-01-15"}}),
    # Published in May 2023 (month precision, from 2023-05-01): an inferred end of May is a
    # reading of a month that had not ended when the page may have appeared; the date stays
    # within the publication month, so as_of_not_after_publication alone would pass it.
    ("inferred_date_not_after_earliest_publication", "hb-2023-05.health-facilities",
     {"replace": {"file": "figures/hb-2023-05.csv", "line": 2, "old": "2023-04-30,inferred",
                  "new": "2023-05-31,inferred"}}),
    ("whole_numbers_for_countable_units", "gct-2024-06.guidance-points",
     {"replace": {"file": "figures/gct-2024-06.csv", "line": 2, "old": ",29,",
                  "new": ",\"29,5\","}}),
]


@pytest.mark.parametrize(("rule", "figure", "edit"), MUTATIONS,
                         ids=[f"{m[0]}:{m[1]}" for m in MUTATIONS])
def test_mutation_is_caught_with_its_arithmetic(rule, figure, edit, tmp_path, raw_copy, capsys):
    status, database = run(tmp_path, raw_copy, edit=edit)
    assert (rule, figure) in failed(database, "raw") - KNOWN_RAW_FAILURES
    assert status == 1, "an unexplained failure must fail validation"
    failure_lines = [line for line in capsys.readouterr().out.splitlines()
                     if line.strip().startswith("FAIL") and figure in line]
    assert failure_lines and any(ch.isdigit() for ch in failure_lines[0].split(":", 2)[-1])


DATABASE_MUTATIONS = [
    ("references_known", "gct-2024-06.guidance-points",
     "DELETE FROM raw.localities WHERE locality_id = 'go-cong-tay'"),
    ("figure_id_unique", "hn-2024-12.ihanoi-to-reach",
     "INSERT INTO raw.figures SELECT * FROM raw.figures "
     "WHERE figure_id = 'hn-2024-12.ihanoi-to-reach'"),
    ("non_negative", "hn-2024-12.ihanoi-to-reach",
     "UPDATE staging.figure_numbers SET number = -number "
     "WHERE figure_id = 'hn-2024-12.ihanoi-to-reach'"),
]


@pytest.mark.parametrize(("rule", "figure", "sql"), DATABASE_MUTATIONS,
                         ids=[m[0] for m in DATABASE_MUTATIONS])
def test_integrity_rules_catch_states_the_loader_would_refuse(rule, figure, sql, tmp_path,
                                                               raw_copy):
    status, database = run(tmp_path, raw_copy, sql=sql)
    assert (rule, figure) in failed(database, "raw")
    assert status == 1


def test_a_printed_date_within_the_publication_month_is_no_false_alarm(tmp_path, raw_copy):
    """The same late date, printed by the page, is what a page dated to its month may say."""
    edit = {"replace": {"file": "figures/hb-2023-05.csv", "line": 2,
                        "old": "2023-04-30,inferred", "new": "2023-05-31,printed"}}
    status, database = run(tmp_path, raw_copy, edit=edit)
    rules = {rule for rule, figure in failed(database, "raw")
             if figure == "hb-2023-05.health-facilities"}
    assert not rules & {"inferred_date_not_after_earliest_publication",
                        "as_of_not_after_publication"}


def test_series_warning_is_reported_but_does_not_fail(tmp_path, raw_copy, capsys):
    edit = {"replace": {"file": "figures/gct-2024-06.csv", "old": "71.403", "new": "91.403"}}
    status, database = run(tmp_path, raw_copy, edit=edit)
    assert ("cumulative_series_non_decreasing", "gct-2024-06.vneid-activated") in failed(database)
    assert status == 0
    assert "WARNING" in capsys.readouterr().out


def test_erratum_that_no_longer_applies_is_stale(tmp_path, raw_copy, capsys):
    # 527/625 = 84.32 %: with this percent the whole-number-base check passes, so E03 is stale.
    edit = {"replace": {"file": "figures/hb-2024-04-22.csv", "old": "84,23%", "new": "84,32%"}}
    status, _ = run(tmp_path, raw_copy, edit=edit)
    assert status == 1
    assert "STALE      E03-hoa-binh-payment-share-base" in capsys.readouterr().out


def test_whole_number_base_rule_fails_on_an_unreachable_percent(tmp_path, raw_copy):
    # 84.30 % of 625 = 526.9: neither 526 (84.16 %) nor 527 (84.32 %) prints as 84,30 %.
    edit = {"replace": {"file": "figures/hb-2024-04-22.csv", "old": "84,23%", "new": "84,30%"}}
    _, database = run(tmp_path, raw_copy, edit=edit)
    assert ("percent_reachable_with_whole_base",
            "hb-2024-04-22.payment-procedures-used") in failed(database)


# A point of a comparison with two or more points: changing it alone mixes the comparison.
SHARED_POINT = """SELECT figure_id, measure, comparison_id FROM marts.series
                  QUALIFY count(*) OVER (PARTITION BY comparison_id) >= 2
                  ORDER BY comparison_id, figure_id, measure LIMIT 1"""
RESULT_POINT = """SELECT figure_id, measure, comparison_id FROM marts.series WHERE NOT is_target
                  ORDER BY comparison_id, figure_id, measure LIMIT 1"""
# A part's share of its total's count (708 of 934 registered)...
PART_OF_TOTAL_POINT = """SELECT figure_id, measure, comparison_id FROM marts.series
                         WHERE base_id LIKE 'count-of-%' ORDER BY figure_id LIMIT 1"""
# A per-person point of a count of residents (each at most once): at most 1,000 per 1,000.
RESIDENTS_PER_PERSON_POINT = """SELECT figure_id, measure, comparison_id FROM marts.series
                                WHERE measure = 'per_person' AND counts_residents
                                ORDER BY figure_id LIMIT 1"""
THE_POINT = "WHERE figure_id = $figure AND measure = $measure"
SERIES_MUTATIONS = [
    # (rule, which point, how it changes, what the failure shows)
    ("comparison_has_one_unit", SHARED_POINT,
     f"UPDATE marts.series SET unit = unit || '_per_day' {THE_POINT}", "holds 2 units"),
    ("comparison_has_one_base", SHARED_POINT,
     f"UPDATE marts.series SET base_en = coalesce(base_en, 'no base') || ', another' {THE_POINT}",
     "holds 2 bases"),
    ("comparison_has_one_indicator", SHARED_POINT,
     f"UPDATE marts.series SET indicator_id = indicator_id || '_other' {THE_POINT}",
     "holds 2 indicators"),
    ("targets_apart_from_results", RESULT_POINT,
     f"UPDATE marts.series SET is_target = true {THE_POINT}", "target point of a"),
    # ...drawn against the header's base (934 of 6.108) without recomputing the share.
    ("point_value_matches_its_figure", PART_OF_TOTAL_POINT,
     """UPDATE marts.series AS s SET base_value = t.denominator
        FROM marts.figures AS f, marts.figures AS t
        WHERE f.figure_id = s.figure_id AND t.figure_id = f.related_id
          AND s.figure_id = $figure AND s.measure = $measure""", "{amount}/{base_value} = "),
    # ...divided by a population smaller than the count, as an old base would give.
    ("per_person_of_residents_at_most_1000", RESIDENTS_PER_PERSON_POINT,
     f"""UPDATE marts.series SET base_value = round(amount * 0.9),
         value = 1000.0 * amount / round(amount * 0.9) {THE_POINT}""",
     "1000 × {amount} / {base_value} = "),
]


@pytest.mark.parametrize(("rule", "pick", "change", "shown"), SERIES_MUTATIONS,
                         ids=[m[0] for m in SERIES_MUTATIONS])
def test_series_mutation_is_caught_with_its_arithmetic(rule, pick, change, shown, tmp_path,
                                                       raw_copy, capsys):
    picked: dict[str, object] = {}

    def mart_change(con: duckdb.DuckDBPyConnection) -> None:
        found = con.execute(pick).fetchone()
        assert found, f"no point to mutate for {rule}"
        picked.update(figure=found[0], measure=found[1])
        picked["comparison"] = {row[0] for row in con.execute(
            "SELECT figure_id FROM marts.series WHERE comparison_id = ?", [found[2]]).fetchall()}
        con.execute(change, {"figure": found[0], "measure": found[1]})
        amount, base_value = con.execute(
            "SELECT amount, base_value FROM marts.series WHERE figure_id = ? AND measure = ?",
            found[:2]).fetchone()
        picked.update(amount=amount, base_value=base_value)

    status, database = run(tmp_path, raw_copy, mart_change=mart_change)
    series_failures = {figure for r, figure in failed(database, "series") if r == rule}
    assert picked["figure"] in series_failures
    if rule.startswith("comparison_"):  # the whole comparison is mixed, every point fails
        assert picked["comparison"] <= series_failures
    assert status == 1, "an unexplained series failure must fail validation"
    lines = [line for line in capsys.readouterr().out.splitlines()
             if line.strip().startswith("FAIL") and f"series · {rule} · {picked['figure']}" in line]
    whole = {k: f"{v:.0f}" for k, v in picked.items() if isinstance(v, float) and v == round(v)}
    assert lines and shown.format(**whole) in lines[0]


def test_series_share_over_100_is_caught(tmp_path, raw_copy, capsys):
    # A share point of a stock base (not a target) printed above 100 %.
    edit = {"replace": {"file": "figures/bs-2023-12.csv", "old": LODGING + "100%",
                        "new": LODGING + "101%"}}
    status, database = run(tmp_path, raw_copy, edit=edit)
    assert ("series_share_between_0_and_100", "bs-2023-12.lodging-online") in failed(
        database, "series")
    assert status == 1
    assert "101.00 % of lodging establishments" in capsys.readouterr().out


def test_every_rule_has_a_mutation_test():
    import yaml

    rules = {r["id"] for r in yaml.safe_load(paths.RULES_YML.read_text())["rules"]}
    tested = ({m[0] for m in MUTATIONS} | {m[0] for m in DATABASE_MUTATIONS}
              | {m[0] for m in SERIES_MUTATIONS} | {"series_share_between_0_and_100"}
              | {"cumulative_series_non_decreasing", "percent_reachable_with_whole_base"})
    assert rules == tested


def test_percentages_show_the_printed_decimals_and_the_ratio_closely(tmp_path, raw_copy):
    _, database = run(tmp_path, raw_copy)
    con = duckdb.connect(str(database), read_only=True)
    rows = con.execute("""
        SELECT f.figure_id, f.observed, f.expected, s.pct_decimals, s.numerator, s.denominator
        FROM findings AS f JOIN figures AS s USING (figure_id)
        WHERE f.layer = 'raw' AND f.rule = 'percent_matches_ratio'
          AND s.numerator IS NOT NULL""").fetchall()
    con.close()
    assert rows
    for figure, observed, expected, decimals, numerator, denominator in rows:
        printed = expected.split()[1]  # 'printed 80.17 % (...)'
        assert len(printed.partition(".")[2]) == decimals, (figure, expected)
        shown = observed.split(" = ")[1].removesuffix(" %")
        assert abs(float(shown) - 100 * numerator / denominator) <= 0.5 * 10 ** -(decimals + 3)


def fail_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith("FAIL")]


def test_an_unexplained_error_is_printed_once_with_the_erratum_to_add(tmp_path, raw_copy,
                                                                      capsys):
    """The FAIL line says what to do; the printed template, filled in, explains it."""
    figure = "gct-2024-06.dossiers-online"
    edit = {"replace": {"file": "figures/gct-2024-06.csv", "old": "80,17%", "new": "80,18%"}}
    status, _ = run(tmp_path, raw_copy, edit=edit)
    output = capsys.readouterr().out
    assert status == 1
    [line] = [line for line in fail_lines(output) if figure in line]
    assert f"percent_matches_ratio · {figure} " in line
    assert "printed 80.18 % (2 decimals; the ratio rounds to 80.17 %" in line
    assert "| after errata same" in line and "next: " in line
    assert "  source errors: " in output and "1 not explained" in output
    template = output.split("(fill in the <...>):\n", 1)[1].split("\nvalidation FAILED")[0]
    assert f"- {{rule: percent_matches_ratio, figure: {figure}}}" in template
    filled = (template.replace("<what-is-wrong>", "percent-one-unit-up")
              .replace("<what the source got wrong, in your own words>", "A test erratum.")
              .replace("<the same in Vietnamese>", "Một đính chính thử.")
              .replace("<numerator|denominator|value|percent>", "percent"))
    add_erratum(raw_copy, figure.split(".")[0], filled)
    status, database = run(tmp_path, raw_copy)
    assert status == 0, capsys.readouterr().out
    con = duckdb.connect(str(database), read_only=True)
    erratum_ids = con.execute("SELECT erratum_ids FROM figures_corrected WHERE figure_id = ?",
                              [figure]).fetchone()[0]
    con.close()
    assert erratum_ids and "percent-one-unit-up" in erratum_ids


def test_a_correction_that_breaks_a_rule_is_not_counted_as_explained(tmp_path, raw_copy, capsys):
    figure = "gct-2024-06.dossiers-online"
    apply_edit(raw_copy, {"replace": {"file": "figures/gct-2024-06.csv", "old": "80,17%",
                                      "new": "80,18%"}})
    add_erratum(raw_copy, "gct-2024-06", f"""
  - id: E99-test-wrong-correction
    source_id: gct-2024-06
    breaks:
      - {{rule: percent_matches_ratio, figure: {figure}}}
    evidence: test
    explanation: a correction whose numerator exceeds its base
    explanation_vi: một đính chính có tử số lớn hơn cơ sở của nó
    action: correct
    corrections:
      - {{figure: {figure}, numerator: 30000}}
""")
    status, database = run(tmp_path, raw_copy)
    output = capsys.readouterr().out
    assert status == 1
    con = duckdb.connect(str(database), read_only=True)
    unexplained = con.execute("""SELECT sum(unexplained) FROM validation_summary
                                 WHERE layer = 'marts' AND severity = 'error'""").fetchone()[0]
    erratum_ids = con.execute("SELECT erratum_ids FROM figures_corrected WHERE figure_id = ?",
                              [figure]).fetchone()[0]
    con.close()
    assert unexplained == 2  # the listed rule still fails, and a new one does
    assert erratum_ids == "E99-test-wrong-correction"
    lines = [line for line in fail_lines(output) if figure in line]
    assert len(lines) == 2, lines
    assert any("numerator_le_denominator" in line and "as printed passes" in line
               and "the correction (E99-test-wrong-correction) breaks this rule" in line
               for line in lines)
    assert any("percent_matches_ratio" in line and "explains it but does not fix it" in line
               for line in lines)
    assert "0 unexplained" not in [line.split(",")[-1].strip() for line in output.splitlines()
                                   if line.startswith("  marts error")]


def test_which_kinds_are_goals_is_read_from_the_kinds_catalog(tmp_path, raw_copy):
    # Renaming the goal kind (target → directive) in both catalogs changes no verdict: the
    # rules ask the catalog's `goal` column, not the kind's name.
    import csv

    def rename(path: Path, column: str) -> int:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        changed = 0
        for row in rows:
            if row[column] == "target":
                row[column], changed = "directive", changed + 1
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        return changed

    assert rename(raw_copy / "indicator_kinds.csv", "kind") == 1
    assert rename(raw_copy / "indicators.csv", "kind") >= 1
    status, database = run(tmp_path, raw_copy)
    assert status == 0
    assert failed(database, "raw") == KNOWN_RAW_FAILURES
    assert not {r for r, _ in failed(database, "series")}
    con = duckdb.connect(str(database), read_only=True)
    try:
        targets = con.execute("SELECT count(*) FROM marts.series WHERE is_target").fetchone()[0]
    finally:
        con.close()
    assert targets > 0
