"""Checks of the registers (units, qualifiers, localities, sources, indicators, lineage):
unique ids, references between them, locality names, indicator bases.

`check_registers` is the one place where register checks run; a new check of the
registers (the administrative units' codes, say) is a function called from there.
"""

from __future__ import annotations

import re
import unicodedata

from analysis.ingest.contract import BASE_COLUMNS, ID_PATTERNS
from analysis.ingest.register_check import check_register
from analysis.ingest.tables import Table, is_iso_date, shown

# Each register's id column, checked for uniqueness and referred to by the others.
ID_COLUMNS = {"units": "unit_id", "indicator_kinds": "kind", "localities": "locality_id",
              "sources": "source_id", "indicators": "indicator_id"}


def check_registers(tables: dict[str, Table], problems: list[str]) -> dict[str, set[str]]:
    """Check the registers against each other; return each register's set of ids."""
    for name, id_column in ID_COLUMNS.items():
        check_unique(tables[name], id_column, problems)
    known = {name: set(tables[name].columns[column]) for name, column in ID_COLUMNS.items()}
    check_locality_names(tables["localities"], problems)
    check_reference(tables["localities"], "parent_id", known["localities"], "locality", problems)
    check_reference(tables["sources"], "locality_id", known["localities"], "locality", problems)
    check_reference(tables["indicators"], "unit", known["units"], "unit", problems)
    # The population a count is divided by to compare per person (marts/per_person.sql).
    check_reference(tables["indicators"], "per_person_base", known["indicators"], "indicator",
                    problems)
    check_per_person_columns(tables["indicators"], problems)
    check_reference(tables["indicator_keywords"], "indicator_id", known["indicators"],
                    "indicator", problems)
    check_reference(tables["indicators"], "kind", known["indicator_kinds"],
                    "indicator kind", problems)
    for column in ("predecessor_id", "successor_id"):
        check_reference(tables["lineage"], column, known["localities"], "locality", problems)
    check_indicator_bases(tables["indicators"], ratio_kinds(tables["indicator_kinds"]), problems)
    check_publication_ranges(tables["sources"], problems)
    if not problems:  # the library is asked about a register that reads cleanly
        problems.extend(check_register(tables["localities"], tables["lineage"]).problems)
    return known


def ratio_kinds(kinds: Table) -> set[str]:
    """The kinds that are a ratio of a stated base (indicator_kinds.csv: ratio)."""
    return {row["kind"] for row in kinds.rows if row["ratio"] == "true"}


def check_unique(table: Table, column: str, problems: list[str],
                  distinct: set[str] | None = None) -> None:
    """`distinct`: the column's values as a set, when the caller has built it already."""
    values = table.columns[column]
    if len(set(values) if distinct is None else distinct) == len(values):
        return
    seen: dict[str, int] = {}
    for index, key in enumerate(values):
        if key in seen:
            first = seen[key]
            first_file = table.files[first] if table.files else shown(table.path)
            problems.append(f"{table.at(index, column)}: duplicate id {key!r} "
                            f"(first at {first_file}:{table.lines[first]})")
        else:
            seen[key] = index


def check_reference(table: Table, column: str, known: set[str], what: str,
                     problems: list[str]) -> None:
    values = table.columns[column]
    unknown = set(values) - known - {""}
    pattern = ID_PATTERNS.get((table.name, column))
    if pattern is not None:  # a value of another form is refused as such (tables._check_ids)
        unknown = {value for value in unknown if re.fullmatch(pattern, value)}
    if unknown:
        for index, value in enumerate(values):
            if value in unknown:
                problems.append(f"{table.at(index, column)}: unknown {what} {value!r}")


def check_indicator_bases(table: Table, ratio: set[str], problems: list[str]) -> None:
    """A ratio indicator states its base in all of BASE_COLUMNS; any other states all or none."""
    for row in table.rows:
        stated = [column for column in BASE_COLUMNS if row[column].strip()]
        if row["kind"] in ratio and len(stated) < len(BASE_COLUMNS):
            missing = next(c for c in BASE_COLUMNS if c not in stated)
            problems.append(f"{table.where(row, missing)}: a {row['kind']} indicator must state "
                            f"its base ({', '.join(BASE_COLUMNS)})")
        elif stated and len(stated) < len(BASE_COLUMNS):
            missing = next(c for c in BASE_COLUMNS if c not in stated)
            problems.append(f"{table.where(row, missing)}: a base needs all of "
                            f"{', '.join(BASE_COLUMNS)} (only {', '.join(stated)} given)")


def check_publication_ranges(table: Table, problems: list[str]) -> None:
    """A publication dated to a range states its last day (published_latest), on or after
    published_on; any other precision implies its last day, so it states none."""
    for row in table.rows:
        precision, on, latest = (row["published_precision"], row["published_on"],
                                 row["published_latest"])
        if precision == "range" and not latest:
            problems.append(f"{table.where(row, 'published_latest')}: a publication dated to "
                            f"a range needs its last possible day here (published_on {on} is "
                            "the first)")
        elif latest and precision != "range":
            problems.append(f"{table.where(row, 'published_latest')}: {latest!r} is stated, "
                            f"but published_precision is {precision!r}; published_latest is "
                            "only for precision 'range' (delete it or set the precision)")
        elif latest and is_iso_date(latest) and is_iso_date(on) and latest < on:
            problems.append(f"{table.where(row, 'published_latest')}: {latest!r} is before "
                            f"published_on {on!r}; a range ends on or after its first day")


def check_per_person_columns(table: Table, problems: list[str]) -> None:
    """What a per-person value is rests on two catalog facts, each stated exactly where it
    applies: `counts_residents` (how the value reads) on every indicator with a
    `per_person_base`, and `base_max_days_apart` (how far from a count's date a figure may
    serve as its base) on every indicator some per_person_base names."""
    bases = set(table.columns["per_person_base"]) - {""}
    for row in table.rows:
        has_base, stated = bool(row["per_person_base"]), bool(row["counts_residents"])
        if has_base and not stated:
            problems.append(
                f"{table.where(row, 'counts_residents')}: {row['indicator_id']!r} names a "
                f"per_person_base ({row['per_person_base']!r}) but does not say whether it "
                "counts residents (true: each resident at most once and only residents; "
                f"false: anything else) ({row['counts_residents']!r})")
        elif stated and not has_base:
            problems.append(
                f"{table.where(row, 'counts_residents')}: {row['indicator_id']!r} states "
                f"counts_residents ({row['counts_residents']!r}) but names no per_person_base; "
                "the flag says how a per-person value reads, so it needs a base")
        days, is_base = row["base_max_days_apart"], row["indicator_id"] in bases
        if is_base and not days:
            problems.append(
                f"{table.where(row, 'base_max_days_apart')}: {row['indicator_id']!r} is a "
                "per_person_base but does not say how many days from a count's date its "
                f"figures may serve as that count's base ({days!r})")
        elif days and not is_base:
            problems.append(
                f"{table.where(row, 'base_max_days_apart')}: {row['indicator_id']!r} is no "
                f"indicator's per_person_base, so it has no base age to state ({days!r})")
        elif days and not re.fullmatch(r"[1-9][0-9]*", days):
            problems.append(f"{table.where(row, 'base_max_days_apart')}: {days!r} is not a "
                            "whole number of days (1 or more)")


def fold_tone_placement(name: str) -> str:
    """Fold the two accepted tone-mark placements (Hoà/Hòa, Thuý/Thúy) to one key.

    Vietnamese officially allows the tone on either vowel of "oa", "oe", "uy"; both
    spellings name the same place, so names are compared after this folding.
    """
    decomposed = unicodedata.normalize("NFD", name.casefold())
    # Move a tone mark that sits on the second vowel of oa/oe/uy onto the first.
    tones = "\u0300\u0301\u0303\u0309\u0323"
    folded = re.sub(rf"([ou])([aey])([{tones}])", r"\1\3\2", decomposed)
    return unicodedata.normalize("NFC", folded)


def locality_key(name_vi: str, parent_id: str) -> tuple[str, str]:
    """What identifies a locality by name: its folded name within its parent.

    Communes share names across provinces (Bình Minh, Đông Sơn), so a printed name is
    matched to a locality together with its parent, never alone.
    """
    return parent_id, fold_tone_placement(name_vi)


def check_locality_names(table: Table, problems: list[str]) -> None:
    seen: dict[tuple[str, str], int] = {}
    names, parents = table.columns["name_vi"], table.columns["parent_id"]
    for index, (name, parent) in enumerate(zip(names, parents, strict=True)):
        if not name:
            continue  # taken from the admin-unit library (register_check)
        key = locality_key(name, parent)
        if key not in seen:
            seen[key] = index
            continue
        first = seen[key]
        under = f"under {parent!r}" if parent else "at the top level (no parent)"
        how = ("is the same name as" if names[first] == name else
               "is the same place name, with the tone mark placed differently, as")
        problems.append(
            f"{table.at(index, 'name_vi')}: {name!r} {how} {names[first]!r} (line "
            f"{table.lines[first]}), both {under}; names are unique within their parent, "
            f"so keep one row per locality ({name})")

