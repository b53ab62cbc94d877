"""Read and check the hand-kept raw layer (data/raw) before anything is built from it.

Every problem is collected, not just the first, and each names the file, the line
and the column, so a reviewer can fix a whole batch of transcription at once. Nothing
here writes to data/raw: it is immutable input.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import multiprocessing
import operator
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from itertools import chain, compress, count, repeat
from pathlib import Path

import yaml

from analysis import paths
from analysis.errors import InputError
from analysis.ingest.numbers import (
    MAX_SIGNIFICANT_DIGITS,
    NumberFormatError,
    NumberValues,
    parse_number_values,
)

# Column lists are the contract of the raw layer; the README data dictionary explains them.
COLUMNS: dict[str, list[str]] = {
    "units": ["unit_id", "label_vi", "label_en", "countable", "compares_across_places",
              "description"],
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
    "units": {"unit_id", "label_en", "countable", "compares_across_places"},
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
    ("units", "compares_across_places"): {"true", "false"},
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
# At national scale (tens of thousands of figures files) they are read by this process and
# worker processes together, one process per core (the build machine has 2); the project's
# own few dozen files are read in this process alone.
PARALLEL_MIN_FILES = 2_000
WORKERS = 2  # processes reading figures files, this one included
FIRST_RUN_SHARE = 0.55  # of the files, read by this process itself (tuned at 1 M)


# Bounds on errata.yml: the register is small, hand-written text; anything far larger is
# a mistake or an attack (an alias bomb), refused before it reaches a report.
MAX_ERRATA_BYTES = 2_000_000
MAX_ERRATUM_TEXT = 4_000  # characters in evidence or explanation
MAX_ERRATUM_ITEMS = 1_000  # items under breaks, corrections or withhold
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# One CSV field: quoted (quotes inside doubled) or unquoted without any quote.
_CSV_FIELD = r'(?:"(?:[^"]|"")*"|[^",\r\n]*)'
_CSV_RECORD = re.compile(rf"{_CSV_FIELD}(?:,{_CSV_FIELD})*")
# A whole file of such records: one match per file instead of one per record.
_CSV_FILE = re.compile(rf"(?:{_CSV_FIELD}(?:,{_CSV_FIELD})*(?:\r?\n|\Z))*")


@dataclass
class Table:
    """One raw file as printed (text), column by column, with each row's physical line.

    Columns rather than row dicts: a million figures as dicts would take gigabytes.
    """

    name: str
    path: Path
    columns: dict[str, list[str]]
    lines: list[int]
    files: list[str] | None = None  # per row, when rows come from several files
    # Every value is known to be NFC: the file's text was NFC and each value is a piece of
    # it cut at ',', '"' or a line end, which compose with nothing, so the piece is NFC too.
    nfc: bool = False
    _rows: list[dict[str, str]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def rows(self) -> list[dict[str, str]]:
        """Rows as dicts with '_line' (and '_file'): convenient for the small registers."""
        if self._rows is None:
            names = list(self.columns)
            self._rows = [
                {**dict(zip(names, values, strict=True)), "_line": str(line),
                 **({"_file": self.files[index]} if self.files else {})}
                for index, (line, *values) in enumerate(
                    zip(self.lines, *self.columns.values(), strict=True))
            ]
        return self._rows

    def at(self, index: int, column: str) -> str:
        """Where row `index` stands: '<file>:<line>: column '<column>''."""
        file = self.files[index] if self.files else _rel(self.path)
        return f"{file}:{self.lines[index]}: column '{column}'"

    def where(self, row: dict[str, str], column: str) -> str:
        return f"{row.get('_file') or _rel(self.path)}:{row['_line']}: column '{column}'"


@dataclass
class RawData:
    tables: dict[str, Table]  # units, qualifiers, localities, sources, indicators
    figures: Table  # all figure files; column 'source_id' is taken from the file name
    numbers: dict[str, list]  # one entry per parsed quantity: figure_id, field, number, ...
    errata: list[dict[str, object]] = field(default_factory=list)
    figures_per_source: dict[str, int] = field(default_factory=dict)  # rows read per file


@lru_cache(maxsize=65536)  # thousands of figures files, each named in every row's problems
def _rel(path: Path) -> str:
    return paths.shown(path)


def _where(flags: Iterable[object]) -> list[int]:
    """Indices of the true flags. Checks find failing rows with this at C speed and only
    then visit them in Python: a million rows visited one by one took seconds per check."""
    return list(compress(count(), flags))


def _records(text: str, where: str, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on; a stray quote is an error.

    Python's csv module silently keeps a quote inside an unquoted field (`ab"c`), so every
    record holding a quote is matched against the CSV grammar too.
    """
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(lines, strict=True)
    # Records are matched one by one only in a file that does not match as a whole.
    check_each = '"' in text and not _CSV_FILE.fullmatch(text)
    end = 0
    while True:
        start = end + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(f"{where}:{start}: row: a quote is not closed or is followed by "
                            f"text ({error}); write a quote inside a field as \"\"")
            return
        end = reader.line_num
        if not values:
            continue
        record = "".join(lines[start - 1:end]) if check_each else ""
        if '"' in record and not _CSV_RECORD.fullmatch(record.rstrip("\r\n")):
            problems.append(f"{where}:{start}: row: stray quote in an unquoted field "
                            f"({record.strip()[:80]!r}); quote the whole field and double "
                            "the quote inside it")
            continue
        yield start, values


def _records_at_once(text: str) -> tuple[list[int], list[list[str]]] | None:
    """All non-blank records and their lines in one C-level parse, or None when the file
    needs the careful path (_records).

    When csv gives one record per physical line (no quoted field spans lines), record i
    stands on line i + 1. Python's csv (strict) keeps a quote inside an unquoted field as
    a literal character and refuses text after a closing quote, so a stray quote always
    shows as '"' in some parsed value: a file with no '"' in any value needs no grammar
    check. Any other file (a csv error, a field over two lines, a '"' in a value) is read
    record by record, which reports each problem where it stands.
    """
    lines = list(io.StringIO(text, newline=""))
    try:
        records = list(csv.reader(lines, strict=True))
    except csv.Error:
        return None
    if len(records) != len(lines) or '"' in "\x00".join(chain.from_iterable(records)):
        return None
    if all(records):
        return list(range(1, len(records) + 1)), records
    numbered = [(number, values) for number, values in enumerate(records, 1) if values]
    return [number for number, _ in numbered], [values for _, values in numbered]


def read_table(name: str, path: Path, problems: list[str], check: bool = True) -> Table:
    """Read one CSV strictly: UTF-8 without BOM, NFC text, exactly the expected columns."""
    where = _rel(path)
    expected = COLUMNS[name]
    empty = Table(name, path, {c: [] for c in expected}, [])
    data = path.read_bytes()
    if not data.strip():
        problems.append(f"{where}: file: the file is empty (expected a header row: "
                        f"{','.join(expected)})")
        return empty
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(f"{where}:1: file: the file starts with a UTF-8 byte-order mark (BOM); "
                        "save it as UTF-8 without BOM")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        problems.append(f"{where}:{line}: file: not valid UTF-8 ({error})")
        return empty
    at_once = _records_at_once(text)
    records: Iterator[tuple[int, list[str]]]
    if at_once is None:  # parsed lazily: nothing after a wrong header is read or reported
        records = _records(text, where, problems)
        first = next(records, None)
        header = first[1] if first else []
    else:
        starts, parsed = at_once
        header = parsed[0] if parsed else []
        records = zip(starts[1:], parsed[1:], strict=True)
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        detail = "; ".join(part for part in (
            f"missing column(s) {', '.join(missing)}" if missing else "",
            f"unexpected column(s) {', '.join(extra)}" if extra else "",
        ) if part)
        problems.append(f"{where}:1: header: does not match the {name} schema: {detail}")
        return empty
    rows: list[list[str]] = []
    lines: list[int] = []
    if at_once is not None and set(map(len, at_once[1][1:])) <= {len(header)}:
        lines, rows = at_once[0][1:], at_once[1][1:]  # every row has the header's length
    else:
        for line, values in records:
            if len(values) != len(header):
                problems.append(f"{where}:{line}: row: row has {len(values)} fields, the "
                                f"header has {len(header)} (check quoting of numbers with "
                                "commas)")
                continue
            rows.append(values)
            lines.append(line)
    by_header = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    columns = {c: list(by_header[header.index(c)]) for c in expected}
    table = Table(name, path, columns, lines,
                  nfc=at_once is not None and unicodedata.is_normalized("NFC", text))
    if check:  # figures files are checked together, column by column, once merged
        _check_columns(table, problems)
    if not rows:
        problems.append(f"{where}: file: the file has a header but no rows")
    return table


def _check_columns(table: Table, problems: list[str]) -> None:
    """Text rules, one column at a time; rows are visited only where a column fails."""
    name = table.name
    for column, values in table.columns.items():
        if not table.nfc and not unicodedata.is_normalized("NFC", "\x00".join(values)):
            for index, value in enumerate(values):
                if not unicodedata.is_normalized("NFC", value):
                    problems.append(f"{table.at(index, column)}: text {value!r} is not "
                                    "NFC-normalised (decomposed accents); save it in NFC form")
        if column in REQUIRED[name] and not all(map(str.strip, values)):
            for index, value in enumerate(values):
                if not value.strip():
                    problems.append(f"{table.at(index, column)}: required value is empty "
                                    f"({value!r})")
        allowed = ALLOWED.get((name, column))
        if allowed is not None:
            wrong = set(values) - allowed - {""}
            for index in _where(map(wrong.__contains__, values)):
                problems.append(f"{table.at(index, column)}: {values[index]!r} is not one of "
                                f"{', '.join(sorted(a for a in allowed if a))}")
        if column in DATE_COLUMNS:
            wrong = {v for v in set(values) if v and not _is_iso_date(v)}
            for index in _where(map(wrong.__contains__, values)):
                problems.append(f"{table.at(index, column)}: {values[index]!r} is not a date "
                                "(YYYY-MM-DD)")


def _is_iso_date(text: str) -> bool:
    """YYYY-MM-DD only: date.fromisoformat also takes 20240531 and 2024-W22-5."""
    if not ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_unique(table: Table, column: str, problems: list[str],
                  distinct: set[str] | None = None) -> None:
    """`distinct`: the column's values as a set, when the caller has built it already."""
    values = table.columns[column]
    if len(set(values) if distinct is None else distinct) == len(values):
        return
    seen: dict[str, int] = {}
    for index, key in enumerate(values):
        if key in seen:
            first = seen[key]
            first_file = table.files[first] if table.files else _rel(table.path)
            problems.append(f"{table.at(index, column)}: duplicate id {key!r} "
                            f"(first at {first_file}:{table.lines[first]})")
        else:
            seen[key] = index


def _check_reference(table: Table, column: str, known: set[str], what: str,
                     problems: list[str]) -> None:
    values = table.columns[column]
    unknown = set(values) - known - {""}
    if unknown:
        for index, value in enumerate(values):
            if value in unknown:
                problems.append(f"{table.at(index, column)}: unknown {what} {value!r}")


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


def locality_key(name_vi: str, parent_id: str) -> tuple[str, str]:
    """What identifies a locality by name: its folded name within its parent.

    Communes share names across provinces (Bình Minh, Đông Sơn), so a printed name is
    matched to a locality together with its parent, never alone.
    """
    return parent_id, fold_tone_placement(name_vi)


def _check_locality_names(table: Table, problems: list[str]) -> None:
    seen: dict[tuple[str, str], int] = {}
    names, parents = table.columns["name_vi"], table.columns["parent_id"]
    for index, (name, parent) in enumerate(zip(names, parents, strict=True)):
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


NUMBER_KEYS = ("figure_id", "field", "number", "decimals", "scale", "direction")


@dataclass
class _Quantities:
    """The printed quantities of a run of figure rows, parsed, and the problems found.

    Rows are indices into that run; `problems` holds one list per field of NUMBER_FIELDS,
    then one for rows without a usable quantity, each in row order. Runs read in order
    merge into exactly what one pass over all rows gives (_merge_quantities).
    """

    rows: dict[str, list[int]]  # per field: the rows holding a quantity in it
    readings: dict[str, list[tuple]]  # per field: number, decimals, scale, direction
    problems: list[list[str]]


def _parse_figure_numbers(figures: Table, languages: list[str], units: list[str]) -> _Quantities:
    """Parse every printed quantity; `languages` and `units` are per figure row.

    Each distinct (text, language) is parsed once; rows are visited one by one only where
    a problem may stand.
    """
    rows: dict[str, list[int]] = {}
    readings_of: dict[str, list[tuple]] = {}
    sections: list[list[str]] = []
    columns = figures.columns
    present = {name: list(map(bool, map(str.strip, columns[name]))) for name in NUMBER_FIELDS}
    for name in NUMBER_FIELDS:
        problems: list[str] = []
        sections.append(problems)
        texts = columns[name]
        filled = _where(present[name])  # an empty cell holds no quantity
        keys = list(zip(map(texts.__getitem__, filled), map(languages.__getitem__, filled),
                        strict=True))
        readings: dict[tuple[str, str], NumberValues] = {}
        errors: dict[tuple[str, str], NumberFormatError] = {}
        for key in dict.fromkeys(keys):
            try:
                readings[key] = parse_number_values(*key)  # type: ignore[arg-type]
            except NumberFormatError as error:
                errors[key] = error
        failed = [i for i, key in zip(filled, keys, strict=True) if key in errors] \
            if errors else []
        if failed:
            filled = [i for i, key in zip(filled, keys, strict=True) if key not in errors]
            keys = [key for key in keys if key not in errors]
        number, decimals, is_percent, scale, direction = (
            zip(*map(readings.__getitem__, keys), strict=True) if keys else ((),) * 5)
        # Rows that may break a rule; the rules themselves are applied below, row by row.
        suspects = set(failed)
        suspects.update(filled[j] for j in _where(
            map(operator.not_, is_percent) if name == "percent" else is_percent))
        if name != "value":
            suspects.update(filled[j] for j in _where(direction))
        for index in sorted(suspects):
            text = texts[index]
            key = (text, languages[index])
            if key in errors:
                problems.append(f"{figures.at(index, name)}: {errors[key]}")
                continue
            _, _, percent_sign, _, direction_word = readings[key]
            if percent_sign and name != "percent" and not (
                    name == "value" and units[index] == "percentage_points"):
                problems.append(f"{figures.at(index, name)}: {text!r} is a percentage; "
                                "put it in the 'percent' column")
            if name == "percent" and not percent_sign:
                problems.append(f"{figures.at(index, name)}: {text!r} has no '%' sign")
            if direction_word and name != "value":
                problems.append(f"{figures.at(index, name)}: direction words belong in 'value' "
                                f"({text})")
        rows[name] = filled
        readings_of[name] = [number, decimals, scale, direction]
    problems = []
    sections.append(problems)
    numerators, denominators = columns["numerator"], columns["denominator"]
    values, percents = columns["value"], columns["percent"]
    # No quantity at all, or a numerator without a denominator or a percent.
    empty = _where(map(operator.not_, map(any, zip(*present.values(), strict=True))))
    lone = _where(map(operator.gt, present["numerator"],
                      map(operator.or_, present["denominator"], present["percent"])))
    for index in sorted({*empty, *lone}):
        if not (numerators[index].strip() or denominators[index].strip()
                or values[index].strip() or percents[index].strip()):
            problems.append(f"{figures.at(index, 'value')}: the figure has no quantity "
                            "(numerator, denominator, value or percent) ()")
        elif numerators[index].strip() and not denominators[index].strip() \
                and not percents[index].strip():
            problems.append(f"{figures.at(index, 'numerator')}: a numerator needs a denominator "
                            f"or a percent; a lone count goes in 'value' ({numerators[index]})")
    return _Quantities(rows, readings_of, sections)


def _merge_quantities(runs: list[_Quantities], sizes: list[int], ids: list[str],
                      problems: list[str]) -> dict[str, list]:
    """One entry per parsed quantity (figure_id, field, number, ...), field by field and in
    row order, as if all rows were parsed at once; `sizes` are the runs' row counts."""
    numbers: dict[str, list] = {k: [] for k in NUMBER_KEYS}
    for name in NUMBER_FIELDS:
        offset = 0
        for run, size in zip(runs, sizes, strict=True):
            filled = run.rows[name]
            numbers["figure_id"].extend(map(ids.__getitem__, map(offset.__add__, filled))
                                        if offset else map(ids.__getitem__, filled))
            numbers["field"].extend([name] * len(filled))
            for key, values in zip(NUMBER_KEYS[2:], run.readings[name], strict=True):
                numbers[key].extend(values)
            offset += size
    for section in range(len(NUMBER_FIELDS) + 1):
        for run in runs:
            problems.extend(run.problems[section])
    return numbers


def _check_figures(figures: Table, ids: set[str], known: dict[str, set[str]],
                   sources: dict[str, dict[str, str]],
                   qualifiers: set[tuple[str, str]], problems: list[str]) -> None:
    c = figures.columns
    part_of: dict[str, tuple[str, int]] = {}
    # Rows where some rule below may fail (a superset, found at C speed); only they are
    # visited one by one.
    source_ids = c["source_id"]
    locality_of = {source_id: source["locality_id"] for source_id, source in sources.items()}
    suspects = {
        *_where(map(operator.not_, map(str.startswith, c["figure_id"],
                                       map(operator.add, source_ids, repeat("."))))),
        *_where(map(operator.ne, c["locality_id"], map(locality_of.get, source_ids))),
        *_where(map(operator.ge, map(str.count, c["phrase"], repeat(" ")),
                    repeat(MAX_PHRASE_WORDS))),
        *_where(c["qualifier"]),
        *_where(map(operator.gt, c["period_start"], c["period_end"])),
        *_where(c["relation"]),
        *_where(c["related_figure"]),
    }
    for index in sorted(suspects):
        figure_id = c["figure_id"][index]
        source_id = c["source_id"][index]
        at = partial(figures.at, index)
        if not figure_id.startswith(source_id + "."):
            problems.append(f"{at('figure_id')}: {figure_id!r} must start "
                            f"with the file's source id '{source_id}.'")
        source = sources.get(source_id)
        locality = c["locality_id"][index]
        if source and locality in known["localities"] and locality != source["locality_id"]:
            problems.append(f"{at('locality_id')}: {locality!r} differs "
                            f"from the source's locality {source['locality_id']!r}")
        phrase = c["phrase"][index]
        if phrase.count(" ") >= MAX_PHRASE_WORDS and len(phrase.split()) > MAX_PHRASE_WORDS:
            problems.append(f"{at('phrase')}: {len(phrase.split())} words; a figure phrase "
                            f"has at most {MAX_PHRASE_WORDS} (keep figures, not sentences) "
                            f"({phrase})")
        qualifier = c["qualifier"][index]
        if qualifier and source and (qualifier, source["language"]) not in qualifiers:
            problems.append(f"{at('qualifier')}: unknown qualifier "
                            f"{qualifier!r} for language {source['language']!r} "
                            "(see data/raw/qualifiers.csv)")
        start, end = c["period_start"][index], c["period_end"][index]
        if start and end and start > end:
            problems.append(f"{at('period_start')}: period starts after it ends ({start} > {end})")
        relation, related_text = c["relation"][index], c["related_figure"][index]
        if not relation and not related_text:
            continue
        related = [r for r in related_text.split(";") if r]
        if relation and not related:
            problems.append(f"{at('related_figure')}: relation {relation!r} "
                            "needs a related figure ()")
        if related and not relation:
            problems.append(f"{at('relation')}: a related figure needs a relation "
                            f"({related_text})")
        expected_count = 2 if relation == "change" else 1
        if relation and related and len(related) != expected_count:
            problems.append(f"{at('related_figure')}: relation {relation!r} takes "
                            f"{expected_count} figure id(s) separated by ';' ({related_text})")
        for other in related:
            if other not in ids:
                problems.append(f"{at('related_figure')}: unknown figure {other!r}")
            if other == figure_id:
                problems.append(f"{at('related_figure')}: a figure cannot relate "
                                f"to itself ({other})")
        if relation == "part_of" and len(related) == 1 and related[0] != figure_id:
            part_of[figure_id] = (related[0], index)
    _check_part_of_cycles(figures, part_of, problems)


def _check_part_of_cycles(figures: Table, part_of: dict[str, tuple[str, int]],
                          problems: list[str]) -> None:
    """A part cannot contain its own total: follow each chain of part_of links once."""
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = done
    for start in part_of:
        chain: list[str] = []
        node = start
        while node in part_of and state.get(node) is None:
            state[node] = 1
            chain.append(node)
            node = part_of[node][0]
        if state.get(node) == 1:  # came back to a figure of this chain: a cycle
            cycle = chain[chain.index(node):]
            index = part_of[chain[-1]][1]  # the link that closes the cycle
            problems.append(f"{figures.at(index, 'related_figure')}: figures are part_of each "
                            f"other in a cycle ({' -> '.join([*cycle, node])})")
        for visited in chain:
            state[visited] = 2


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
    where = _rel(path)
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


def _figure_files(raw_dir: Path, sources: Table, problems: list[str]) -> list[Path]:
    """Exactly one figures/<source_id>.csv per source, and a source for every file."""
    folder = raw_dir / "figures"
    # Names sorted as strings give the order of their paths in one folder, without building
    # and comparing tens of thousands of Path objects first; scandir knows file from folder
    # without a stat per file.
    names = sorted(entry.name for entry in os.scandir(folder) if entry.is_file()) \
        if folder.is_dir() else []
    files = [folder / name for name in names]
    known = set(sources.columns["source_id"])
    by_lower: dict[str, list[Path]] = {}
    for path in files:
        by_lower.setdefault(path.name.lower(), []).append(path)
    chosen = []
    for path in files:
        if path.suffix == ".csv" and len(by_lower[path.name.lower()]) == 1 \
                and path.stem in known:
            chosen.append(path)  # the usual case, without naming the file in a problem
            continue
        where = _rel(path)
        if path.suffix != ".csv":
            problems.append(f"{where}: file name: figures files end in '.csv' (lower case); "
                            f"rename it to {path.stem}.csv ({path.name})")
            continue
        if len(by_lower[path.name.lower()]) > 1:
            problems.append(f"{where}: file name: names differ only in upper/lower case from "
                            f"{', '.join(p.name for p in by_lower[path.name.lower()] if p != path)}"
                            f"; keep one file per source ({path.name})")
            continue
        if path.stem not in known:
            hint = next((s for s in known if s.lower() == path.stem.lower()), None)
            problems.append(f"{where}: file name: {path.stem!r} is not a source id in "
                            "sources.csv (name each figures file <source_id>.csv"
                            + (f"; did you mean {hint}.csv?" if hint else "") + f") ({path.name})")
            continue
        chosen.append(path)
    present = {p.stem for p in chosen} | {p.stem for p in files}
    for index, source_id in enumerate(sources.columns["source_id"]):
        if source_id not in present:
            problems.append(f"{sources.at(index, 'source_id')}: source {source_id!r} has no "
                            f"figures file {_rel(folder / (source_id + '.csv'))}; add it or "
                            f"remove the source ({source_id})")
    return chosen


@dataclass
class _FigureChunk:
    """A contiguous run of figures files, read together, rows and problems in file order."""

    columns: dict[str, list[str]]  # COLUMNS["figures"]: all rows of the run's files
    lines: list[int]
    counts: list[int]  # rows read per file
    nfc: bool  # every file's text was NFC
    problems: list[str]
    quantities: _Quantities


def _read_figure_chunk(files: list[Path], language_of: dict[str, str],
                       unit_of: dict[str, str]) -> _FigureChunk:
    """Read the files and parse their quantities; `language_of` each source's language,
    `unit_of` each indicator's unit (the numbers' conventions and rules depend on them)."""
    problems: list[str] = []
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS["figures"]}
    lines: list[int] = []
    counts: list[int] = []
    where: list[str] = []
    languages: list[str] = []
    nfc = True
    for path in files:
        table = read_table("figures", path, problems, check=False)
        counts.append(len(table))
        for column, values in table.columns.items():
            columns[column].extend(values)
        lines.extend(table.lines)
        where.extend([_rel(path)] * len(table))
        languages.extend([language_of.get(path.stem, "vi")] * len(table))
        nfc = nfc and table.nfc
    run = Table("figures", files[0].parent if files else Path(), columns, lines, where)
    quantities = _parse_figure_numbers(
        run, languages, [unit_of.get(i, "") for i in columns["indicator_id"]])
    return _FigureChunk(columns, lines, counts, nfc, problems, quantities)


# Joins a column's values for the trip from a worker: pickling one long string is a copy,
# pickling a million short ones is not. Any character may stand in a value, so a column
# holding it travels as a list.
_SEPARATOR = "\x1f"


def _read_figure_chunk_packed(files: list[Path], language_of: dict[str, str],
                              unit_of: dict[str, str]) -> _FigureChunk:
    """_read_figure_chunk in a worker, each column joined to one string where it can be."""
    chunk = _read_figure_chunk(files, language_of, unit_of)
    for column, values in chunk.columns.items():
        joined = _SEPARATOR.join(values)
        if values and joined.count(_SEPARATOR) == len(values) - 1:
            chunk.columns[column] = joined  # type: ignore[assignment]
    return chunk


def _unpack(chunk: _FigureChunk) -> _FigureChunk:
    for column, values in chunk.columns.items():
        if isinstance(values, str):
            chunk.columns[column] = values.split(_SEPARATOR)
    return chunk


def _read_figure_chunks(files: list[Path], language_of: dict[str, str],
                        unit_of: dict[str, str], parallel_min_files: int) -> list[_FigureChunk]:
    """All figures files read and their quantities parsed, as chunks in file order.

    At national scale (tens of thousands of files) reading, decoding and parsing them is
    most of load_raw's time and needs nothing but the file, so the files are split into
    contiguous runs, one per core: this process reads the first, worker processes the
    others. Fewer files are read here alone: a fork costs more than it saves, and the
    project's own layer keeps one simple path.
    """
    workers = min(WORKERS, os.cpu_count() or 1)
    if len(files) < max(parallel_min_files, 2) or workers < 2 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return [_read_figure_chunk(files, language_of, unit_of)]
    # This process takes a larger first run: a worker's rows still have to travel back and
    # be split into values here, about a tenth of the time of reading them.
    own = max(1, round(len(files) * FIRST_RUN_SHARE))
    size = -(-(len(files) - own) // (workers - 1))
    first = files[:own]
    rest = [files[start:start + size] for start in range(own, len(files), size)]
    # fork: the workers start at once with this process's modules; nothing to re-import.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(rest), mp_context=context) as pool:
        later = pool.map(partial(_read_figure_chunk_packed, language_of=language_of,
                                 unit_of=unit_of), rest)
        # This process reads the first run meanwhile: one core less idle, one run less to
        # send back.
        return [_read_figure_chunk(first, language_of, unit_of), *map(_unpack, later)]


def load_raw(raw_dir: Path = paths.RAW, *,
             parallel_min_files: int = PARALLEL_MIN_FILES) -> RawData:
    """Read every raw file, check it, and parse every printed quantity. Raise InputError.

    The cyclic garbage collector is paused meanwhile: reading makes millions of small
    objects and no cycles, and at a million figures the collector's repeated passes over
    them took half the time. With `parallel_min_files` figures files or more, they are
    read in worker processes (see _read_figure_chunks); the result is the same.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_raw(raw_dir, parallel_min_files)
    finally:
        if collecting:
            gc.enable()


def _load_raw(raw_dir: Path, parallel_min_files: int) -> RawData:
    problems: list[str] = []
    tables = {
        name: read_table(name, raw_dir / f"{name}.csv", problems)
        for name in ("units", "qualifiers", "localities", "sources", "indicators", "lineage")
    }
    for name, id_column in (("units", "unit_id"), ("localities", "locality_id"),
                            ("sources", "source_id"), ("indicators", "indicator_id")):
        _check_unique(tables[name], id_column, problems)
    known = {
        "units": set(tables["units"].columns["unit_id"]),
        "localities": set(tables["localities"].columns["locality_id"]),
        "sources": set(tables["sources"].columns["source_id"]),
        "indicators": set(tables["indicators"].columns["indicator_id"]),
    }
    _check_locality_names(tables["localities"], problems)
    _check_reference(tables["localities"], "parent_id", known["localities"], "locality", problems)
    _check_reference(tables["sources"], "locality_id", known["localities"], "locality", problems)
    _check_reference(tables["indicators"], "unit", known["units"], "unit", problems)
    for column in ("predecessor_id", "successor_id"):
        _check_reference(tables["lineage"], column, known["localities"], "locality", problems)
    _check_indicator_bases(tables["indicators"], problems)

    figure_columns: dict[str, list[str]] = {c: [] for c in ["source_id", *COLUMNS["figures"]]}
    figure_lines: list[int] = []
    figure_files: list[str] = []
    per_source: dict[str, int] = {}
    nfc = True  # every figures file's values are known NFC (checked in each file's text)
    files = _figure_files(raw_dir, tables["sources"], problems)
    sources = {r["source_id"]: r for r in tables["sources"].rows}
    language_of = {s: r["language"] for s, r in sources.items()}
    unit_of = {r["indicator_id"]: r["unit"] for r in tables["indicators"].rows}
    chunks = _read_figure_chunks(files, language_of, unit_of, parallel_min_files)
    for path, rows in zip(files, chain.from_iterable(c.counts for c in chunks), strict=True):
        per_source[path.stem] = rows
        figure_columns["source_id"].extend([path.stem] * rows)
        figure_files.extend([_rel(path)] * rows)
    for chunk in chunks:  # in file order, so rows and problems stand as if read one by one
        problems.extend(chunk.problems)
        # Each chunk's lists are dropped once copied: at a million rows they are 150 MB.
        for column in list(chunk.columns):
            figure_columns[column].extend(chunk.columns.pop(column))
        figure_lines.extend(chunk.lines)
        chunk.lines = []
        nfc = nfc and chunk.nfc
    figures = Table("figures", raw_dir / "figures", figure_columns, figure_lines, figure_files,
                    nfc=nfc)
    _check_columns(figures, problems)
    # One set of a million ids, shared by the checks that need it.
    figure_ids = set(figure_columns["figure_id"])
    _check_unique(figures, "figure_id", problems, figure_ids)
    _check_reference(figures, "indicator_id", known["indicators"], "indicator", problems)
    _check_reference(figures, "locality_id", known["localities"], "locality", problems)
    qualifiers = {(r["word"], r["language"]) for r in tables["qualifiers"].rows}
    _check_figures(figures, figure_ids, known, sources, qualifiers, problems)
    numbers = _merge_quantities([c.quantities for c in chunks], [sum(c.counts) for c in chunks],
                                figure_columns["figure_id"], problems)
    errata = load_errata(raw_dir / "errata.yml", figure_ids, problems,
                         known["sources"])
    if problems:
        raise InputError(problems)
    return RawData(tables=tables, figures=figures, numbers=numbers, errata=errata,
                   figures_per_source=per_source)
