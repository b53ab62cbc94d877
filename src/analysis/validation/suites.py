"""expectations/rules.yml → Great Expectations suite JSON, findings SQL and one-pass SQL.

The rules are written once, in YAML a reviewer can read: each is a row-level check over one
relation, a *validation frame* (alias ``f``, one row per figure or per series point, every
piece of context already a column). A rule checks the figures frame unless its ``frame`` key
names another frame; each frame's rules form a suite of their own (the top-level ``frames``
mapping names it), since one GX suite runs on one kind of batch. From that one source this
module derives

* the GX suite ``expectations/<suite>.json`` (one ``UnexpectedRowsExpectation`` per rule),
  which ``analysis.validation.gx_run`` runs inside DuckDB;
* ``findings_sql``: checked rows with passed/observed/expected/convention (every one, or
  those of given (rule, figure) keys), from which the validate step keeps the failures;
* ``counts_sql``: per rule, the rows it applies to and the failures, in one scan;
* ``conventions_sql``: per rule with a convention and source, how many rows matched which;
* ``one_pass_sql``: all failure counts in one scan, the plain-SQL baseline of the benchmark.

No Great Expectations import here: generating suites must stay fast.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis import paths
from analysis.errors import ProjectError

# The relations each frame's rules run on, by layer (rules.yml: `frame`): the figures as
# printed (raw) and after the errata (marts), and the points of the series mart.
LAYERS = {"raw": "validation.frame_raw", "marts": "validation.frame_marts"}
FRAME_LAYERS = {"figures": LAYERS, "series": {"series": "validation.frame_series"}}

SEVERITIES = ("error", "warning")
# GX 1.x has its own expectation severity; "critical" is what fails a checkpoint for real.
GX_SEVERITY = {"error": "critical", "warning": "warning"}
# description_vi: the description in Vietnamese, read by the Vietnamese-first pages.
REQUIRED_KEYS = ("id", "severity", "description", "description_vi", "applies", "holds",
                 "observed", "expected")
OPTIONAL_KEYS = ("convention", "frame")
DEFAULT_FRAME = "figures"
RULE_ID = re.compile(r"[a-z][a-z0-9_]*\Z")
# Namespace for uuid5: the same suite/rule names always give the same ids, so reruns of
# `python -m analysis suites` produce identical bytes and `--check` can compare them.
_ID_NAMESPACE = uuid.UUID("0d5e6a06-0000-4000-8000-de4a06000006")


class RulesError(ProjectError):
    """rules.yml is malformed; the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    """One row-level check; every SQL field is a DuckDB expression over the frame row ``f``."""

    id: str
    severity: str
    description: str
    description_vi: str
    applies: str
    holds: str
    observed: str
    expected: str
    convention: str | None = None
    frame: str = DEFAULT_FRAME


@dataclass(frozen=True)
class RuleSet:
    """The rules of one suite (one frame), in file order; ``others``: the other frames' suites.

    ``load_rules`` returns the figures frame's RuleSet, so code that knows one frame keeps
    working; ``all_suites()`` gives every frame's.
    """

    suite: str
    rules: tuple[Rule, ...]
    path: Path | None = None
    frame: str = DEFAULT_FRAME
    others: tuple[RuleSet, ...] = ()

    def all_suites(self) -> tuple[RuleSet, ...]:
        return (self, *self.others)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _prose(value: Any) -> str:
    # Descriptions: one line, however the YAML wrapped them.
    return " ".join(str(value).split())


def _sql(value: Any) -> str:
    # SQL keeps its inner spacing (a literal '  ' must survive); folded YAML already joined lines.
    return str(value).strip()


def _parse_rule(raw: Any, index: int, where: str) -> Rule:
    label = f"{where}: rule #{index + 1}"
    if not isinstance(raw, dict):
        raise RulesError(f"{label} is not a mapping")
    if isinstance(raw.get("id"), str):
        label = f"{where}: rule {raw['id']!r}"
    missing = [key for key in REQUIRED_KEYS if raw.get(key) in (None, "")]
    if missing:
        raise RulesError(f"{label} lacks required key(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise RulesError(f"{label} has unknown key(s): {', '.join(unknown)}")
    if not isinstance(raw["id"], str) or not RULE_ID.match(raw["id"]):
        raise RulesError(f"{label}: id must be lower_snake_case (it becomes a SQL literal)")
    if raw["severity"] not in SEVERITIES:
        raise RulesError(
            f"{label}: severity {raw['severity']!r} is not one of {', '.join(SEVERITIES)}"
        )
    frame = raw.get("frame", DEFAULT_FRAME)
    if not isinstance(frame, str) or not RULE_ID.match(frame):
        raise RulesError(f"{label}: frame must be a lower_snake_case name")
    convention = raw.get("convention")
    convention = _sql(convention) if convention is not None else None
    # "NULL" is how the format spells "no convention"; store it as absent.
    if convention is not None and convention.upper() in ("", "NULL"):
        convention = None
    return Rule(
        id=raw["id"],
        severity=raw["severity"],
        description=_prose(raw["description"]),
        description_vi=_prose(raw["description_vi"]),
        applies=_sql(raw["applies"]),
        holds=_sql(raw["holds"]),
        observed=_sql(raw["observed"]),
        expected=_sql(raw["expected"]),
        convention=convention,
        frame=frame,
    )


def load_rules(path: Path = paths.RULES_YML) -> RuleSet:
    """Read and check a rules file: required keys, known severities, unique ids."""
    where = paths.shown(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RulesError(f"{where}: file not found") from error
    except yaml.YAMLError as error:
        raise RulesError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise RulesError(f"{where}: expected a mapping with 'suite' and a list 'rules'")
    suite = document.get("suite")
    if not isinstance(suite, str) or not RULE_ID.match(suite):
        raise RulesError(f"{where}: 'suite' must be a lower_snake_case name")
    if not document["rules"]:
        raise RulesError(f"{where}: no rules")
    frames = document.get("frames") or {}
    if not isinstance(frames, dict) or DEFAULT_FRAME in frames or not all(
            isinstance(name, str) and RULE_ID.match(name) for pair in frames.items()
            for name in pair):
        raise RulesError(f"{where}: 'frames' must map frame names (other than "
                         f"{DEFAULT_FRAME!r}) to lower_snake_case suite names")
    suite_names = {DEFAULT_FRAME: suite, **frames}
    if len(set(suite_names.values())) < len(suite_names):
        raise RulesError(f"{where}: each frame needs a suite name of its own")
    rules = tuple(_parse_rule(raw, i, where) for i, raw in enumerate(document["rules"]))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RulesError(f"{where}: rule {rule.id!r} is defined more than once")
        if rule.frame not in suite_names:
            raise RulesError(f"{where}: rule {rule.id!r}: frame {rule.frame!r} is not named "
                             "under 'frames'")
        seen.add(rule.id)
    by_frame = {frame: tuple(r for r in rules if r.frame == frame) for frame in suite_names}
    empty = [frame for frame, members in by_frame.items() if not members]
    if empty:
        raise RulesError(f"{where}: no rules for frame(s) {', '.join(empty)}")
    others = tuple(RuleSet(suite=suite_names[frame], rules=by_frame[frame], path=path, frame=frame)
                   for frame in frames)
    return RuleSet(suite=suite, rules=by_frame[DEFAULT_FRAME], path=path, others=others)


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _escape_braces(sql: str) -> str:
    # GX fills the query with str.format: literal braces (regex quantifiers, struct literals)
    # must be doubled, and only {batch} may stay single.
    return sql.replace("{", "{{").replace("}", "}}")


def unexpected_rows_query(rule: Rule) -> str:
    """The GX query for one rule: the failing rows, with the arithmetic that failed.

    GX replaces ``{batch}`` with ``(SELECT * FROM <table> WHERE true) AS subselect`` for a
    table asset, so ``{batch} AS f`` would alias twice (a syntax error); wrapping it in one
    more SELECT gives the frame the alias ``f`` whatever GX substitutes. DuckDB flattens the
    nesting, so this costs nothing.
    """
    e = _escape_braces
    return (
        f"SELECT f.figure_id, CAST(({e(rule.observed)}) AS VARCHAR) AS observed, "
        f"CAST(({e(rule.expected)}) AS VARCHAR) AS expected "
        "FROM (SELECT * FROM {batch}) AS f "
        f"WHERE ({e(rule.applies)}) AND NOT coalesce(({e(rule.holds)}), false)"
    )


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(parts)))


def suite_json(ruleset: RuleSet) -> dict[str, Any]:
    """A GX 1.x ExpectationSuite (as stored on disk) with one UnexpectedRowsExpectation a rule."""
    expectations = [
        {
            "type": "unexpected_rows_expectation",
            "id": _stable_id(ruleset.suite, rule.id),
            "description": rule.description,
            "kwargs": {"unexpected_rows_query": unexpected_rows_query(rule)},
            "meta": {"rule_id": rule.id, "severity": rule.severity},
            "severity": GX_SEVERITY[rule.severity],
        }
        for rule in ruleset.rules
    ]
    source = paths.shown(ruleset.path) if ruleset.path is not None else None
    return {
        "name": ruleset.suite,
        "id": _stable_id(ruleset.suite),
        "expectations": expectations,
        "meta": {"generated_from": str(source) if source else None},
        "notes": "Generated by `python -m analysis suites`; edit the rules file, not this one.",
    }


def render_suite(ruleset: RuleSet) -> str:
    """The exact bytes written to expectations/<suite>.json (sorted keys, trailing newline)."""
    return json.dumps(suite_json(ruleset), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_suites(check: bool = False, rules_path: Path = paths.RULES_YML,
                 out_dir: Path = paths.EXPECTATIONS) -> int:
    """Write expectations/<suite>.json for every frame's suite; with check=True only report.

    Returns 0 when every file is (now) current, 1 when check=True and one is missing or stale.
    """
    return max(_write_suite(ruleset, check, out_dir)
               for ruleset in load_rules(rules_path).all_suites())


def _write_suite(ruleset: RuleSet, check: bool, out_dir: Path) -> int:
    target = out_dir / f"{ruleset.suite}.json"
    text = render_suite(ruleset)
    current = target.read_text(encoding="utf-8") if target.exists() else None
    shown = paths.shown(target)
    if check:
        if current != text:
            state = "missing" if current is None else "stale"
            print(f"{shown} is {state}: run `python -m analysis suites`")
            return 1
        print(f"{shown} is up to date ({len(ruleset.rules)} rules)")
        return 0
    if current != text:
        out_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {shown} ({len(ruleset.rules)} rules)")
    else:
        print(f"{shown} unchanged ({len(ruleset.rules)} rules)")
    return 0


def findings_sql(ruleset: RuleSet, frame_relation: str, layer: str,
                 keys: str | None = None) -> str:
    """Every (rule, row) the rule applies to, passing or not, as one UNION ALL query.

    Columns: layer, rule, severity, figure_id, passed, observed, expected, convention.
    With ``keys`` (a relation with columns rule and figure_id), only the rows of those keys.
    """
    def only(rule: Rule) -> str:
        if keys is None:
            return ""
        return (f" AND f.figure_id IN (SELECT figure_id FROM {keys} "
                f"WHERE rule = {_sql_literal(rule.id)})")

    selects = [
        f"SELECT {_sql_literal(layer)} AS layer, {_sql_literal(rule.id)} AS rule, "
        f"{_sql_literal(rule.severity)} AS severity, f.figure_id, "
        f"coalesce(({rule.holds}), false) AS passed, "
        f"CAST(({rule.observed}) AS VARCHAR) AS observed, "
        f"CAST(({rule.expected}) AS VARCHAR) AS expected, "
        f"CAST(({rule.convention or 'NULL'}) AS VARCHAR) AS convention "
        f"FROM {frame_relation} AS f WHERE ({rule.applies}){only(rule)}"
        for rule in ruleset.rules
    ]
    return "\nUNION ALL\n".join(selects)


def counts_sql(ruleset: RuleSet, frame_relation: str) -> str:
    """One row: for every rule, the rows it applies to ("<id>:applicable") and the failures
    ("<id>:failed"), counted in a single scan of the frame."""
    counts = ",\n    ".join(
        f"count_if(({rule.applies})) AS \"{rule.id}:applicable\",\n    "
        f"count_if(({rule.applies}) AND NOT coalesce(({rule.holds}), false)) "
        f"AS \"{rule.id}:failed\""
        for rule in ruleset.rules
    )
    return f"SELECT\n    {counts}\nFROM {frame_relation} AS f"


def conventions_sql(ruleset: RuleSet, frame_relation: str, layer: str) -> str | None:
    """Per rule with a convention, source and convention matched (NULL: none matched), the
    number of rows; None when no rule of the suite records a convention."""
    selects = [
        f"SELECT {_sql_literal(layer)} AS layer, {_sql_literal(rule.id)} AS rule, f.source_id, "
        f"CAST(({rule.convention}) AS VARCHAR) AS convention, count(*) AS checks "
        f"FROM {frame_relation} AS f WHERE ({rule.applies}) GROUP BY ALL"
        for rule in ruleset.rules if rule.convention
    ]
    return "\nUNION ALL\n".join(selects) if selects else None


def one_pass_sql(ruleset: RuleSet, frame_relation: str) -> str:
    """All rules' failure counts in a single scan: one count_if column per rule id."""
    counts = ",\n    ".join(
        f"count_if(({rule.applies}) AND NOT coalesce(({rule.holds}), false)) AS \"{rule.id}\""
        for rule in ruleset.rules
    )
    return f"SELECT\n    {counts}\nFROM {frame_relation} AS f"
