"""The errata register (data/raw/errata.yml): read safely and checked against its schema.

Its meaning (that each erratum still fails, that corrections pass) is checked by
validation; docs/validation.md documents the schema.
"""

from __future__ import annotations

import math
from functools import partial
from pathlib import Path

import yaml

from analysis.ingest.contract import NUMBER_FIELDS
from analysis.ingest.numbers import MAX_SIGNIFICANT_DIGITS
from analysis.ingest.tables import shown

# Bounds on errata.yml: the register is small, hand-written text; anything far larger is
# a mistake or an attack (an alias bomb), refused before it reaches a report.
MAX_ERRATA_BYTES = 2_000_000
MAX_ERRATUM_TEXT = 4_000  # characters in evidence or explanation
MAX_ERRATUM_ITEMS = 1_000  # items under breaks, corrections or withhold


class _ErrataLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe loading (no tags run code), C-accelerated where libyaml is present."""


def _yaml_nodes(text: str, where: str, problems: list[str]) -> yaml.Node | None:
    """Compose errata.yml into nodes, refusing aliases and duplicate keys (with lines)."""
    try:
        for event in yaml.parse(text, Loader=_ErrataLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                problems.append(f"{where}:{line}: file: YAML aliases (*{event.anchor}) are not "
                                "allowed in the errata register; write the text out")
                return None
        node = yaml.compose(text, Loader=_ErrataLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problems.append(f"{where}{line}: file: not valid YAML ({str(error).splitlines()[0]})")
        return None
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            keys: dict[object, int] = {}
            for key_node, value_node in current.value:
                key = key_node.value
                if key in keys:
                    problems.append(f"{where}:{key_node.start_mark.line + 1}: key '{key}': "
                                    f"duplicate key (first at line {keys[key]}); a repeated "
                                    f"key would silently replace the first ({key})")
                keys.setdefault(key, key_node.start_mark.line + 1)
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return node


def _number_like(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_errata(path: Path, figure_ids: set[str], problems: list[str],
                source_ids: set[str] | None = None) -> list[dict[str, object]]:
    """Read the errata register and check its shape against the documented schema.

    Its meaning (that each erratum still fails, that corrections pass) is checked by
    validation. Each entry gets '_line', the line its '- id:' stands on.
    """
    where = shown(path)
    if not path.exists():
        return []
    if path.stat().st_size > MAX_ERRATA_BYTES:
        problems.append(f"{where}: file: larger than {MAX_ERRATA_BYTES} bytes; the register "
                        "holds short hand-written entries")
        return []
    text = path.read_text(encoding="utf-8")
    problems_before = len(problems)
    node = _yaml_nodes(text, where, problems)
    if node is None or len(problems) > problems_before:
        if node is None and len(problems) == problems_before:
            problems.append(f"{where}:1: file: expected a top-level 'errata:' list (empty file)")
        return []
    document = yaml.load(text, Loader=_ErrataLoader)  # noqa: S506 - a safe loader
    if not isinstance(document, dict) or set(document) != {"errata"} \
            or not isinstance(document["errata"], list):
        keys = sorted(map(str, document)) if isinstance(document, dict) else type(document).__name__
        problems.append(f"{where}:1: file: expected exactly one top-level key 'errata' holding "
                        f"a list ({keys})")
        return []
    entry_nodes = next(v for k, v in node.value if k.value == "errata").value
    entries = document["errata"]
    seen: dict[str, int] = {}
    checked = []
    for entry, entry_node in zip(entries, entry_nodes, strict=True):
        line = entry_node.start_mark.line + 1
        if not isinstance(entry, dict):
            problems.append(f"{where}:{line}: erratum: expected a mapping of id, source_id, "
                            f"breaks, evidence, explanation, action ({entry!r:.80})")
            continue
        lines = {k.value: k.start_mark.line + 1 for k, _ in entry_node.value}
        item_lines = {k.value: [item.start_mark.line + 1 for item in v.value]
                      for k, v in entry_node.value if isinstance(v, yaml.SequenceNode)}
        before = len(problems)
        _check_erratum(entry, lines, item_lines, line, where, figure_ids, source_ids, problems)
        erratum_id = entry.get("id")
        if isinstance(erratum_id, str):
            if erratum_id in seen:
                problems.append(f"{where}:{lines['id']}: field 'id': duplicate erratum id "
                                f"(first at line {seen[erratum_id]}) ({erratum_id})")
            seen.setdefault(erratum_id, lines["id"])
        if len(problems) == before:
            checked.append({**entry, "_line": line})
    return checked


ERRATUM_FIELDS = {"id", "source_id", "breaks", "evidence", "explanation", "action",
                  "corrections", "withhold"}
ERRATUM_REQUIRED = ERRATUM_FIELDS - {"corrections", "withhold"}
ERRATUM_ITEM_FIELDS = {
    "breaks": ({"rule", "figure"}, {"rule", "figure"}),
    "corrections": ({"figure"}, {"figure", *NUMBER_FIELDS}),
    "withhold": ({"figure", "field"}, {"figure", "field"}),
}


def _check_erratum(entry: dict, lines: dict[str, int], item_lines: dict[str, list[int]],
                   line: int, where: str, figure_ids: set[str], source_ids: set[str] | None,
                   problems: list[str]) -> None:
    def report(key: str, what: str, text: object, item: int | None = None) -> None:
        at = item_lines[key][item] if item is not None else lines.get(key, line)
        problems.append(f"{where}:{at}: field '{key}': {what} ({text!s:.120})")

    for key in sorted(ERRATUM_REQUIRED - entry.keys()):
        report(key, f"is missing in erratum {entry.get('id', '?')}", "")
    for key in sorted(set(map(str, entry)) - ERRATUM_FIELDS):
        report(key, f"is not a field of an erratum (allowed: {', '.join(sorted(ERRATUM_FIELDS))})",
               entry[key])
    for key in ("id", "source_id", "evidence", "explanation", "action"):
        value = entry.get(key)
        if key in entry and (not isinstance(value, str) or not value.strip()):
            report(key, "must be non-empty text", value)
        elif isinstance(value, str) and len(value) > MAX_ERRATUM_TEXT:
            report(key, f"has {len(value)} characters; at most {MAX_ERRATUM_TEXT}", value[:40])
    if "action" in entry and entry["action"] not in {"correct", "flag"}:
        report("action", "must be 'correct' or 'flag'", entry["action"])
    if source_ids is not None and isinstance(entry.get("source_id"), str) \
            and entry["source_id"] not in source_ids:
        report("source_id", "unknown source", entry["source_id"])
    for key, (required, allowed) in ERRATUM_ITEM_FIELDS.items():
        items = entry.get(key)
        if items is None and key not in entry:
            continue
        if not isinstance(items, list) or (key == "breaks" and not items):
            report(key, "must be a list of mappings like "
                   + "{" + ", ".join(f"{k}: ..." for k in sorted(required)) + "}", items)
            continue
        if len(items) > MAX_ERRATUM_ITEMS:
            report(key, f"has {len(items)} items; at most {MAX_ERRATUM_ITEMS}", "")
            continue
        for position, item in enumerate(items):
            at_item = partial(report, key, item=position)
            if not isinstance(item, dict) or not required <= item.keys() \
                    or not set(item) <= allowed:
                at_item("each item must be a mapping with "
                        + ", ".join(sorted(required))
                        + (f" (and any of {', '.join(sorted(allowed - required))})"
                           if allowed - required else ""), item)
                continue
            if not isinstance(item["figure"], str) or item["figure"] not in figure_ids:
                at_item(f"names unknown figure {item['figure']!r}", item["figure"])
            if key == "breaks" and not isinstance(item["rule"], str):
                at_item("'rule' must be a rule id", item["rule"])
            if key == "withhold" and item["field"] not in NUMBER_FIELDS:
                at_item(f"'field' must be one of {', '.join(NUMBER_FIELDS)}", item["field"])
            if key == "corrections":
                values = {k: v for k, v in item.items() if k != "figure"}
                if not values:
                    at_item("a correction sets at least one of "
                            + ", ".join(NUMBER_FIELDS), item)
                for field_name, value in values.items():
                    if not _number_like(value) or len(str(abs(value)).replace(".", "")
                                                      .lstrip("0")) > MAX_SIGNIFICANT_DIGITS + 2:
                        at_item(f"'{field_name}' must be a number as the source should "
                                "have printed it (152275, 99.38)", value)
    if entry.get("action") == "correct" and not entry.get("corrections"):
        report("action", "action 'correct' needs 'corrections'", entry.get("id"))
