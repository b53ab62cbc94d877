"""Read and check the hand-kept raw layer (data/raw) before anything is built from it.

Every problem is collected, not just the first, and each names the file, the line
and the column, so a reviewer can fix a whole batch of transcription at once. Nothing
here writes to data/raw: it is immutable input.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from analysis import paths
from analysis.errors import InputError
from analysis.numbers import NumberFormatError, ParsedNumber, parse_number

# Column lists are the contract of the raw layer; the README data dictionary explains them.
COLUMNS: dict[str, list[str]] = {
    "units": ["unit_id", "label_vi", "label_en", "countable", "description"],
    "qualifiers": ["word", "language", "qualifier_kind", "meaning"],
    "localities": [
        "locality_id", "name_vi", "name_ascii", "name_en", "admin_level", "parent_id", "gso_code",
        "successor_2025", "successor_codes_2025", "population", "population_basis",
        "population_source", "population_status",
    ],
    "sources": [
        "source_id", "locality_id", "title", "publisher", "author", "published_on",
        "published_precision", "published_basis", "period_start", "period_end", "kind",
        "language", "reference", "note",
    ],
    "indicators": [
        "indicator_id", "topic", "domain", "label_vi", "label_en", "unit", "kind",
        "denominator_kind", "denominator_en", "denominator_vi", "pipeline", "stage",
        "expected_direction",
    ],
    "figures": [
        "figure_id", "indicator_id", "locality_id", "breakdown", "as_of", "as_of_basis",
        "period_start", "period_end", "numerator", "denominator", "value", "percent",
        "qualifier", "phrase", "locator", "relation", "related_figure", "note",
    ],
    # Predecessor -> successor links of the 2025 reorganisation (one row per link).
    "lineage": [
        "predecessor_id", "successor_id", "effective_on", "change_en", "legal_basis",
        "reference", "note",
    ],
}
REQUIRED: dict[str, set[str]] = {
    "units": {"unit_id", "label_en", "countable"},
    "qualifiers": {"word", "language", "qualifier_kind"},
    "localities": {"locality_id", "name_vi", "name_ascii", "name_en", "admin_level", "gso_code"},
    "sources": {
        "source_id", "locality_id", "title", "publisher", "published_on",
        "published_precision", "published_basis", "kind", "language", "reference",
    },
    "indicators": {"indicator_id", "topic", "domain", "label_vi", "label_en", "unit", "kind"},
    "figures": {"figure_id", "indicator_id", "locality_id", "as_of", "as_of_basis", "phrase",
                "locator"},
    "lineage": {"predecessor_id", "successor_id", "effective_on", "change_en", "legal_basis",
                "reference"},
}
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("units", "countable"): {"true", "false"},
    ("qualifiers", "language"): {"vi", "en"},
    ("qualifiers", "qualifier_kind"): {"approximate", "lower_bound", "upper_bound"},
    ("localities", "admin_level"): {"country", "centrally_run_city", "province", "district",
                                    "commune"},
    ("sources", "published_precision"): {"day", "month", "year"},
    ("sources", "published_basis"): {"printed", "inferred"},
    ("sources", "kind"): {"news_article", "official_report"},
    ("sources", "language"): {"vi", "en"},
    ("indicators", "kind"): {"share", "achievement", "count", "money", "score", "rank", "change",
                              "target"},
    ("indicators", "denominator_kind"): {"", "stock", "target", "pipeline_stage"},
    ("indicators", "expected_direction"): {"", "up"},
    ("figures", "as_of_basis"): {"printed", "inferred"},
    ("figures", "relation"): {"", "part_of", "remainder_of", "percent_of", "subset_of", "change"},
}
# Kinds that are a ratio of a base: each must say what the base is, in both languages, so
# that figures with one indicator, unit and base are comparable (README, registers).
RATIO_KINDS = {"share", "achievement", "target"}
BASE_COLUMNS = ("denominator_kind", "denominator_en", "denominator_vi")
DATE_COLUMNS = {"published_on", "period_start", "period_end", "as_of", "effective_on"}
NUMBER_FIELDS = ("numerator", "denominator", "value", "percent")
MAX_PHRASE_WORDS = 10


@dataclass
class Table:
    """Rows of one raw file as printed (text), each with the line it came from."""

    name: str
    path: Path
    rows: list[dict[str, str]]

    def where(self, row: dict[str, str], column: str) -> str:
        # Figure rows come from many files; each remembers its own.
        return f"{row.get('_file') or _rel(self.path)}:{row['_line']}: column '{column}'"


@dataclass
class RawData:
    tables: dict[str, Table]  # units, qualifiers, localities, sources, indicators
    figures: Table  # all figure files, with a '_source_id' taken from the file name
    numbers: list[dict[str, object]]  # one row per parsed quantity (figure_id, field, ...)
    errata: list[dict[str, object]] = field(default_factory=list)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def read_table(name: str, path: Path, problems: list[str]) -> Table:
    """Read one CSV strictly: UTF-8 without BOM, NFC text, exactly the expected columns."""
    where = _rel(path)
    data = path.read_bytes()
    if not data.strip():
        problems.append(f"{where}: the file is empty (expected a header row: "
                        f"{','.join(COLUMNS[name])})")
        return Table(name, path, [])
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(f"{where}:1: the file starts with a UTF-8 byte-order mark (BOM); "
                        "save it as UTF-8 without BOM")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"{where}: not valid UTF-8 ({error})")
        return Table(name, path, [])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    expected = COLUMNS[name]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        detail = "; ".join(part for part in (
            f"missing column(s) {', '.join(missing)}" if missing else "",
            f"unexpected column(s) {', '.join(extra)}" if extra else "",
        ) if part)
        problems.append(f"{where}:1: header does not match the {name} schema: {detail}")
        return Table(name, path, [])
    rows = []
    for line, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(header):
            problems.append(f"{where}:{line}: row has {len(values)} fields, the header has "
                            f"{len(header)} (check quoting of numbers with commas)")
            continue
        row = dict(zip(header, values, strict=True))
        row["_line"] = str(line)
        rows.append(row)
    table = Table(name, path, rows)
    for row in rows:
        for column in expected:
            value = row[column]
            if unicodedata.normalize("NFC", value) != value:
                problems.append(f"{table.where(row, column)}: text {value!r} is not NFC-normalised "
                                "(decomposed accents); save it in NFC form")
            if column in REQUIRED[name] and not value.strip():
                problems.append(f"{table.where(row, column)}: required value is empty")
            allowed = ALLOWED.get((name, column))
            if allowed is not None and value not in allowed and value:
                problems.append(f"{table.where(row, column)}: {value!r} is not one of "
                                f"{', '.join(sorted(a for a in allowed if a))}")
            if column in DATE_COLUMNS and value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    problems.append(f"{table.where(row, column)}: {value!r} is not a date "
                                    "(YYYY-MM-DD)")
    if not rows:
        problems.append(f"{where}: the file has a header but no rows")
    return table


def _check_unique(table: Table, column: str, problems: list[str], seen: dict | None = None) -> None:
    seen = {} if seen is None else seen
    for row in table.rows:
        key = row[column]
        if key in seen:
            problems.append(f"{table.where(row, column)}: duplicate id {key!r} "
                            f"(first at {seen[key]})")
        else:
            seen[key] = f"{_rel(table.path)}:{row['_line']}"


def _check_reference(table: Table, column: str, known: set[str], what: str,
                     problems: list[str]) -> None:
    for row in table.rows:
        value = row[column]
        if value and value not in known:
            problems.append(f"{table.where(row, column)}: unknown {what} {value!r}")


def _check_indicator_bases(table: Table, problems: list[str]) -> None:
    for row in table.rows:
        stated = [column for column in BASE_COLUMNS if row[column].strip()]
        if row["kind"] in RATIO_KINDS and len(stated) < len(BASE_COLUMNS):
            missing = next(c for c in BASE_COLUMNS if c not in stated)
            problems.append(f"{table.where(row, missing)}: a {row['kind']} indicator must state "
                            f"its base ({', '.join(BASE_COLUMNS)})")
        elif stated and len(stated) < len(BASE_COLUMNS):
            missing = next(c for c in BASE_COLUMNS if c not in stated)
            problems.append(f"{table.where(row, missing)}: a base needs all of "
                            f"{', '.join(BASE_COLUMNS)} (only {', '.join(stated)} given)")


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


def _check_locality_names(table: Table, problems: list[str]) -> None:
    seen: dict[str, dict[str, str]] = {}
    for row in table.rows:
        key = fold_tone_placement(row["name_vi"])
        if key in seen:
            first = seen[key]
            problems.append(
                f"{table.where(row, 'name_vi')}: {row['name_vi']!r} is the same place name as "
                f"{first['name_vi']!r} (line {first['_line']}) with the tone mark placed "
                "differently; keep one row per locality")
        else:
            seen[key] = row


def _parse_figure_numbers(figures: Table, sources: dict[str, dict[str, str]],
                          units: dict[str, dict[str, str]], indicators: dict[str, dict[str, str]],
                          problems: list[str]) -> list[dict[str, object]]:
    parsed_rows: list[dict[str, object]] = []
    for row in figures.rows:
        source = sources.get(row["_source_id"])
        language = source["language"] if source else "vi"
        indicator = indicators.get(row["indicator_id"])
        unit = indicator["unit"] if indicator else ""
        present = [name for name in NUMBER_FIELDS if row[name].strip()]
        if not present:
            problems.append(f"{figures.where(row, 'value')}: the figure has no quantity "
                            "(numerator, denominator, value or percent)")
        for name in present:
            text = row[name]
            try:
                number: ParsedNumber = parse_number(text, language)  # type: ignore[arg-type]
            except NumberFormatError as error:
                problems.append(f"{figures.where(row, name)}: {error}")
                continue
            percent_allowed = name == "percent" or (name == "value" and unit == "percentage_points")
            if number.is_percent and not percent_allowed:
                problems.append(f"{figures.where(row, name)}: {text!r} is a percentage; "
                                "put it in the 'percent' column")
            if name == "percent" and not number.is_percent:
                problems.append(f"{figures.where(row, name)}: {text!r} has no '%' sign")
            if number.direction and name != "value":
                problems.append(f"{figures.where(row, name)}: direction words belong in 'value'")
            parsed_rows.append({
                "figure_id": row["figure_id"], "field": name, "number": float(number.value),
                "decimals": number.decimals, "scale": number.scale,
                "direction": number.direction,
            })
        lone_numerator = row["numerator"].strip() and not row["denominator"].strip()
        if lone_numerator and not row["percent"].strip():
            problems.append(f"{figures.where(row, 'numerator')}: a numerator needs a denominator "
                            "or a percent; a lone count goes in 'value'")
    return parsed_rows


def _check_figures(figures: Table, known: dict[str, set[str]], sources: dict[str, dict[str, str]],
                   qualifiers: set[tuple[str, str]], problems: list[str]) -> None:
    ids = {row["figure_id"] for row in figures.rows}
    for row in figures.rows:
        source_id = row["_source_id"]
        if not row["figure_id"].startswith(source_id + "."):
            problems.append(f"{figures.where(row, 'figure_id')}: {row['figure_id']!r} must start "
                            f"with the file's source id '{source_id}.'")
        source = sources.get(source_id)
        if source and row["locality_id"] in known["localities"] and \
                row["locality_id"] != source["locality_id"]:
            problems.append(f"{figures.where(row, 'locality_id')}: {row['locality_id']!r} differs "
                            f"from the source's locality {source['locality_id']!r}")
        words = row["phrase"].split()
        if len(words) > MAX_PHRASE_WORDS:
            problems.append(f"{figures.where(row, 'phrase')}: {len(words)} words; a figure phrase "
                            f"has at most {MAX_PHRASE_WORDS} (keep figures, not sentences)")
        if row["qualifier"] and source and (row["qualifier"], source["language"]) not in qualifiers:
            problems.append(f"{figures.where(row, 'qualifier')}: unknown qualifier "
                            f"{row['qualifier']!r} for language {source['language']!r} "
                            "(see data/raw/qualifiers.csv)")
        if row["period_start"] and row["period_end"] and row["period_start"] > row["period_end"]:
            problems.append(f"{figures.where(row, 'period_start')}: period starts after it ends")
        related = [r for r in row["related_figure"].split(";") if r]
        relation = row["relation"]
        if relation and not related:
            problems.append(f"{figures.where(row, 'related_figure')}: relation {relation!r} "
                            "needs a related figure")
        if related and not relation:
            problems.append(f"{figures.where(row, 'relation')}: a related figure needs a relation")
        expected_count = 2 if relation == "change" else 1
        if relation and related and len(related) != expected_count:
            problems.append(f"{figures.where(row, 'related_figure')}: relation {relation!r} takes "
                            f"{expected_count} figure id(s) separated by ';'")
        for other in related:
            if other not in ids:
                problems.append(f"{figures.where(row, 'related_figure')}: unknown figure {other!r}")
            if other == row["figure_id"]:
                problems.append(f"{figures.where(row, 'related_figure')}: a figure cannot relate "
                                "to itself")


def load_errata(path: Path, figure_ids: set[str], problems: list[str]) -> list[dict[str, object]]:
    """Read the errata register; its meaning is checked by validation, its shape here."""
    where = _rel(path)
    if not path.exists():
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        problems.append(f"{where}: not valid YAML ({error})")
        return []
    entries = document.get("errata", []) if isinstance(document, dict) else None
    if not isinstance(entries, list):
        problems.append(f"{where}: expected a top-level 'errata:' list")
        return []
    seen: set[str] = set()
    required = {"id", "source_id", "breaks", "evidence", "explanation", "action"}
    for position, entry in enumerate(entries, start=1):
        name = entry.get("id", "?") if isinstance(entry, dict) else "?"
        label = f"{where}: erratum #{position} ({name})"
        if not isinstance(entry, dict):
            problems.append(f"{label}: expected a mapping")
            continue
        for key in sorted(required - entry.keys()):
            problems.append(f"{label}: field '{key}' is missing")
        if entry.get("id") in seen:
            problems.append(f"{label}: duplicate erratum id")
        seen.add(entry.get("id"))
        if entry.get("action") not in {"correct", "flag"}:
            problems.append(f"{label}: field 'action' must be 'correct' or 'flag'")
        for item in entry.get("breaks", []) or []:
            if item.get("figure") not in figure_ids:
                problems.append(f"{label}: field 'breaks' names unknown figure "
                                f"{item.get('figure')!r}")
        for item in entry.get("corrections", []) or []:
            if item.get("figure") not in figure_ids:
                problems.append(f"{label}: field 'corrections' names unknown figure "
                                f"{item.get('figure')!r}")
            for key in set(item) - {"figure", "numerator", "denominator", "value", "percent"}:
                problems.append(f"{label}: field 'corrections' cannot set {key!r}")
        for item in entry.get("withhold", []) or []:
            if item.get("figure") not in figure_ids:
                problems.append(f"{label}: field 'withhold' names unknown figure "
                                f"{item.get('figure')!r}")
            if item.get("field") not in NUMBER_FIELDS:
                problems.append(f"{label}: field 'withhold' must name one of "
                                f"{', '.join(NUMBER_FIELDS)}")
        if entry.get("action") == "correct" and not entry.get("corrections"):
            problems.append(f"{label}: action 'correct' needs 'corrections'")
    return entries


def load_raw(raw_dir: Path = paths.RAW) -> RawData:
    """Read every raw file, check it, and parse every printed quantity. Raise InputError."""
    problems: list[str] = []
    tables = {
        name: read_table(name, raw_dir / f"{name}.csv", problems)
        for name in ("units", "qualifiers", "localities", "sources", "indicators", "lineage")
    }
    for name, id_column in (("units", "unit_id"), ("localities", "locality_id"),
                            ("sources", "source_id"), ("indicators", "indicator_id")):
        _check_unique(tables[name], id_column, problems)
    known = {
        "units": {r["unit_id"] for r in tables["units"].rows},
        "localities": {r["locality_id"] for r in tables["localities"].rows},
        "sources": {r["source_id"] for r in tables["sources"].rows},
        "indicators": {r["indicator_id"] for r in tables["indicators"].rows},
    }
    _check_locality_names(tables["localities"], problems)
    _check_reference(tables["localities"], "parent_id", known["localities"], "locality", problems)
    _check_reference(tables["sources"], "locality_id", known["localities"], "locality", problems)
    _check_reference(tables["indicators"], "unit", known["units"], "unit", problems)
    for column in ("predecessor_id", "successor_id"):
        _check_reference(tables["lineage"], column, known["localities"], "locality", problems)
    _check_indicator_bases(tables["indicators"], problems)

    figure_rows: list[dict[str, str]] = []
    figure_files = sorted((raw_dir / "figures").glob("*.csv"))
    if not figure_files:
        problems.append(f"{_rel(raw_dir / 'figures')}: no figure files")
    for path in figure_files:
        table = read_table("figures", path, problems)
        source_id = path.stem
        if source_id not in known["sources"]:
            problems.append(f"{_rel(path)}: file name {source_id!r} is not a source id in "
                            "sources.csv (name each figures file <source_id>.csv)")
        for row in table.rows:
            row["_source_id"] = source_id
            row["_file"] = _rel(path)
        figure_rows.extend(table.rows)
    figures = Table("figures", raw_dir / "figures", figure_rows)
    _check_unique(figures, "figure_id", problems)
    _check_reference(figures, "indicator_id", known["indicators"], "indicator", problems)
    _check_reference(figures, "locality_id", known["localities"], "locality", problems)
    sources = {r["source_id"]: r for r in tables["sources"].rows}
    qualifiers = {(r["word"], r["language"]) for r in tables["qualifiers"].rows}
    _check_figures(figures, known, sources, qualifiers, problems)
    numbers = _parse_figure_numbers(
        figures, sources, {r["unit_id"]: r for r in tables["units"].rows},
        {r["indicator_id"]: r for r in tables["indicators"].rows}, problems)
    errata = load_errata(raw_dir / "errata.yml", {r["figure_id"] for r in figure_rows}, problems)
    if problems:
        raise InputError(problems)
    return RawData(tables=tables, figures=figures, numbers=numbers, errata=errata)
