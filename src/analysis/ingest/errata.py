"""The errata register (data/raw/errata/<source_id>.yml, one file per source): read safely
and checked against its schema.

Its meaning (that each erratum still fails, that corrections pass) is checked by
validation; docs/validation.md documents the schema.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml

from analysis.ingest.contract import ERRATUM_ID, FORMULA_STARTS, INVISIBLE, NUMBER_FIELDS
from analysis.ingest.numbers import MAX_SIGNIFICANT_DIGITS
from analysis.ingest.tables import outside, shown, text_problem

# Bounds on each errata file: one source's errata are short, hand-written text; anything
# far larger is a mistake or an attack (an alias bomb), refused before it reaches a report.
MAX_ERRATA_BYTES = 2_000_000
MAX_ERRATUM_TEXT = 4_000  # characters in evidence or an explanation
MAX_ERRATUM_ITEMS = 1_000  # items under breaks, corrections or withhold


class _ErrataLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe loading (no tags run code), C-accelerated where libyaml is present."""


def _yaml_nodes(text: str, where: str, problems: list[str]) -> yaml.Node | None:
    """Compose an errata file into nodes, refusing aliases, tags, duplicate keys and text
    the text rules refuse (with lines)."""
    try:
        # Aliases need '*' and tags '!': only a file holding either is read event by event.
        events = yaml.parse(text, Loader=_ErrataLoader) if "*" in text or "!" in text else ()
        for event in events:
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                problems.append(f"{where}:{line}: file: YAML aliases (*{event.anchor}) are not "
                                "allowed in the errata register; write the text out")
                return None
            if getattr(event, "tag", None) is not None:
                # Nothing is constructed from a tag (safe loading), but no entry needs one and
                # a `!!python/...` tag is never meant for this file.
                line = event.start_mark.line + 1
                problems.append(f"{where}:{line}: file: YAML tags ({event.tag}) are not "
                                "allowed in the errata register; write plain values")
                return None
        node = yaml.compose(text, Loader=_ErrataLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problems.append(f"{where}{line}: file: not valid YAML ({str(error).splitlines()[0]})")
        return None
    # Text rules: a file whose whole text is NFC and free of invisible characters needs only
    # the cheap per-value checks (a formula start, spaces at the ends, the length).
    clean = unicodedata.is_normalized("NFC", text) \
        and not _INVISIBLE.search(text.replace("\n", " ").replace("\r", " "))
    stack: list[tuple[yaml.Node, str]] = [(node, "errata")] if node is not None else []
    texts: list[tuple[int, str]] = []  # (line, problem) of text values, reported in line order
    while stack:
        current, key = stack.pop()
        if isinstance(current, yaml.MappingNode):
            keys: dict[object, int] = {}
            for key_node, value_node in current.value:
                name = key_node.value
                if name in keys:
                    problems.append(f"{where}:{key_node.start_mark.line + 1}: key '{name}': "
                                    f"duplicate key (first at line {keys[name]}); a repeated "
                                    f"key would silently replace the first ({name})")
                keys.setdefault(name, key_node.start_mark.line + 1)
                stack.append((key_node, "key"))
                stack.append((value_node, str(name)))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, key) for item in current.value)
        elif isinstance(current, yaml.ScalarNode) and current.tag == _STR and (
                not clean or current.value.startswith(FORMULA_STARTS)
                or current.value != current.value.strip()):
            problem = _text_problem(current.value)
            if problem:
                line = current.start_mark.line + 1
                texts.append((line, f"{where}:{line}: field '{key}': {problem}"))
    problems.extend(problem for _, problem in sorted(texts))
    return node


_STR = "tag:yaml.org,2002:str"
_INVISIBLE = re.compile(INVISIBLE)


def _text_problem(value: str) -> str | None:
    """The CSV files' text rules (tables.text_problem) and NFC; a line break inside a
    multi-line YAML text is its own."""
    if not unicodedata.is_normalized("NFC", value):
        return (f"text {value[:80]!r} is not NFC-normalised (decomposed accents); save it in "
                "NFC form")
    return text_problem(value.replace("\n", " "))


def _register_text(path: Path, where: str, problems: list[str]) -> str | None:
    """The register's text, or None (and a problem) when it is not one readable UTF-8 file;
    an absent register is an empty one."""
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_dir():
        problems.append(f"{where}: file: is a folder, not a YAML file ({path.name})")
        return None
    if path.stat().st_size > MAX_ERRATA_BYTES:
        problems.append(f"{where}: file: larger than {MAX_ERRATA_BYTES} bytes; the register "
                        "holds short hand-written entries")
        return None
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 10:
        problems.append(f"{where}:1: file: is UTF-16 text; save it as UTF-8 without BOM")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(f"{where}:1: file: the file starts with a UTF-8 byte-order mark "
                        "(BOM); save it as UTF-8 without BOM")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(f"{where}:{line}: file: not valid UTF-8 (byte {data[error.start]:#04x} "
                        f"at offset {error.start}; Latin-1 or another legacy encoding?); save "
                        "it as UTF-8")
        return None


def _number_like(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_errata(folder: Path, figure_ids: set[str], problems: list[str],
                source_ids: set[str], root: Path) -> list[dict[str, object]]:
    """Read the errata register, one file per source (`<folder>/<source_id>.yml`), and
    check its shape against the documented schema.

    Its meaning (that each erratum still fails, that corrections pass) is checked by
    validation. Each entry gets '_file' and '_line', where its '- id:' stands. Erratum ids
    and (rule, figure) pairs are unique across all files.
    """
    legacy = root / LEGACY_REGISTER
    if legacy.exists() or legacy.is_symlink():
        problems.append(f"{shown(legacy)}: file: the errata register is one file per source "
                        f"now ({shown(folder)}/<source_id>.yml); run `python -m analysis "
                        "errata-split` to move its entries there")
        return []
    if not folder.exists() and not folder.is_symlink():
        return []  # no errata
    if outside(folder, root, problems):
        return []
    if not folder.is_dir():
        problems.append(f"{shown(folder)}: file: is a file; the errata register is a folder "
                        "of <source_id>.yml files")
        return []
    register = _Register()
    checked = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".yml" or path.stem not in source_ids:
            problems.append(f"{shown(path)}: file name: each errata file is <source_id>.yml for "
                            f"a source in sources.csv ({path.name})")
            continue
        if outside(path, root, problems):
            continue
        checked += _load_file(path, figure_ids, source_ids, register, problems)
    return checked


LEGACY_REGISTER = "errata.yml"  # the single file before the register was split by source


@dataclass
class _Register:
    """What the files read so far hold, for the checks across files."""

    ids: dict[str, str] = field(default_factory=dict)  # erratum id: where it first stands
    # (rule, figure): the erratum explaining it and where
    explained: dict[tuple[object, object], tuple[str, str]] = field(default_factory=dict)


def _load_file(path: Path, figure_ids: set[str], source_ids: set[str], register: _Register,
               problems: list[str]) -> list[dict[str, object]]:
    where = shown(path)
    text = _register_text(path, where, problems)
    if text is None:
        return []
    problems_before = len(problems)
    node = _yaml_nodes(text, where, problems)
    if node is None or len(problems) > problems_before:
        if node is None and len(problems) == problems_before:
            problems.append(f"{where}:1: file: expected a top-level 'errata:' list (empty file)")
        return []
    try:
        document = _ErrataLoader(text).construct_document(node)  # from the nodes: no reparse
    except (yaml.YAMLError, ValueError) as error:  # a date like 2024-13-01 is a ValueError
        mark = getattr(error, "problem_mark", None)
        problems.append(f"{where}{f':{mark.line + 1}' if mark else ''}: file: a value cannot "
                        f"be read ({str(error).splitlines()[0]})")
        return []
    if not isinstance(document, dict) or set(document) != {"errata"} \
            or not isinstance(document["errata"], list):
        keys = sorted(map(str, document)) if isinstance(document, dict) else type(document).__name__
        problems.append(f"{where}:1: file: expected exactly one top-level key 'errata' holding "
                        f"a list ({keys})")
        return []
    entry_nodes = next(v for k, v in node.value if k.value == "errata").value
    checked = []
    for entry, entry_node in zip(document["errata"], entry_nodes, strict=True):
        line = entry_node.start_mark.line + 1
        if not isinstance(entry, dict):
            problems.append(f"{where}:{line}: erratum: expected a mapping of id, source_id, "
                            f"breaks, evidence, explanation, explanation_vi, action "
                            f"({entry!r:.80})")
            continue
        lines = {k.value: k.start_mark.line + 1 for k, _ in entry_node.value}
        item_lines = {k.value: [item.start_mark.line + 1 for item in v.value]
                      for k, v in entry_node.value if isinstance(v, yaml.SequenceNode)}
        before = len(problems)
        _check_erratum(entry, lines, item_lines, line, where, figure_ids, source_ids, problems)
        if isinstance(entry.get("source_id"), str) and entry["source_id"] in source_ids \
                and entry["source_id"] != path.stem:
            problems.append(f"{where}:{lines['source_id']}: field 'source_id': differs from "
                            f"the file's source {path.stem!r}; an erratum goes into the file of "
                            f"its source, errata/<source_id>.yml ({entry['source_id']})")
        erratum_id = entry.get("id")
        if isinstance(erratum_id, str):
            if erratum_id in register.ids:
                problems.append(f"{where}:{lines['id']}: field 'id': duplicate erratum id "
                                f"(first at {register.ids[erratum_id]}) ({erratum_id})")
            register.ids.setdefault(erratum_id, f"{where}:{lines['id']}")
        if len(problems) == before:
            _check_explained_once(entry, item_lines["breaks"], register.explained, where,
                                  problems)
        if len(problems) == before:
            checked.append({**entry, "_file": where, "_line": line})
    return checked


def _check_explained_once(entry: dict, lines: list[int],
                          explained: dict[tuple[object, object], tuple[str, str]], where: str,
                          problems: list[str]) -> None:
    """One erratum per (rule, figure): validation matches each failure to one erratum."""
    for item, line in zip(entry["breaks"], lines, strict=True):
        key = (item["rule"], item["figure"])
        if key in explained:
            first, first_line = explained[key]
            problems.append(f"{where}:{line}: field 'breaks': rule {item['rule']} on figure "
                            f"{item['figure']} is explained twice, by {first} ({first_line}) "
                            f"and by {entry['id']}; keep one erratum per rule and figure "
                            f"({item['figure']})")
        else:
            explained[key] = (entry["id"], f"{where}:{line}")


# explanation_vi: the explanation in Vietnamese, for the Vietnamese-first pages (page 04,
# the validation report); required like the English, so no erratum reaches a reader in one
# language only.
ERRATUM_FIELDS = {"id", "source_id", "breaks", "evidence", "explanation", "explanation_vi",
                  "action", "corrections", "withhold"}
ERRATUM_REQUIRED = ERRATUM_FIELDS - {"corrections", "withhold"}
_MISSING_HINT = {"explanation_vi": "the explanation in Vietnamese, shown first on the pages"}
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
        report(key, f"is missing in erratum {entry.get('id', '?')}", _MISSING_HINT.get(key, ""))
    for key in sorted(set(map(str, entry)) - ERRATUM_FIELDS):
        report(key, f"is not a field of an erratum (allowed: {', '.join(sorted(ERRATUM_FIELDS))})",
               entry[key])
    for key in ("id", "source_id", "evidence", "explanation", "explanation_vi", "action"):
        value = entry.get(key)
        if key in entry and (not isinstance(value, str) or not value.strip()):
            report(key, "must be non-empty text", value)
        elif isinstance(value, str) and len(value) > MAX_ERRATUM_TEXT:
            report(key, f"has {len(value)} characters; at most {MAX_ERRATUM_TEXT}", value[:40])
    if isinstance(entry.get("id"), str) and entry["id"].strip() \
            and not re.fullmatch(ERRATUM_ID, entry["id"]):
        report("id", "is not an erratum id of the documented form E<number>-<source>-<what is "
               "wrong> (lower-case ASCII letters and digits joined by -)", entry["id"])
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
