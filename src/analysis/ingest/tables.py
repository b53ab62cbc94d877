"""The strict CSV reader of the raw layer: one file in, its columns as text out.

Every problem is collected, not just the first, and each names the file, the line and the
column, so a reviewer can fix a whole batch of transcription at once. Nothing here writes
to data/raw: it is immutable input.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain, compress, count, repeat
from pathlib import Path

from analysis import paths
from analysis.ingest.contract import (
    ALLOWED,
    COLUMNS,
    DATE_COLUMNS,
    FORMULA_STARTS,
    ID_PATTERNS,
    INVISIBLE,
    MAX_FIELD_CHARS,
    MAY_BE_EMPTY,
    NUMERIC_COLUMNS,
    REQUIRED,
)

# Python's csv module refuses a field over 131,072 characters with an error that reads like
# a broken quote; it reads any length here, and check_columns refuses long ones by length.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
_INVISIBLE = re.compile(INVISIBLE)
# White space (other than the line breaks joining a column's values) at a value's end.
_SPACE_AT_AN_END = re.compile(r"(?:^|\n)[^\S\n]|[^\S\n](?:\n|$)")

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
        file = self.files[index] if self.files else shown(self.path)
        return f"{file}:{self.lines[index]}: column '{column}'"

    def where(self, row: dict[str, str], column: str) -> str:
        return f"{row.get('_file') or shown(self.path)}:{row['_line']}: column '{column}'"




@lru_cache(maxsize=65536)  # thousands of figures files, each named in every row's problems
def shown(path: Path) -> str:
    """A path as problems print it (paths.shown), cached."""
    return paths.shown(path)


def true_indices(flags: Iterable[object]) -> list[int]:
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


def outside(path: Path, root: Path, problems: list[str]) -> bool:
    """Whether `path` is a symbolic link or resolves outside `root` (data/raw), which is
    refused: the raw layer is plain files in the repository, and a link could make the
    build read anything the user can read."""
    if path.is_symlink():
        problems.append(f"{shown(path)}: file: is a symbolic link (to {os.readlink(path)}); "
                        "data/raw holds plain files only: copy the file in instead")
        return True
    if not path.resolve().is_relative_to(root.resolve()):
        problems.append(f"{shown(path)}: file: resolves outside {shown(root)} (to "
                        f"{path.resolve()}); data/raw holds plain files only")
        return True
    return False


def read_table(name: str, path: Path, problems: list[str], check: bool = True,
               root: Path | None = None) -> Table:
    """Read one CSV strictly: UTF-8 without BOM, NFC text, exactly the expected columns.

    With `root` (data/raw), a path that is a link or leads outside it is refused unread."""
    where = shown(path)
    expected = COLUMNS[name]
    empty = Table(name, path, {c: [] for c in expected}, [])
    if root is not None and outside(path, root, problems):
        return empty
    if name in MAY_BE_EMPTY and not path.exists():
        return empty
    if not path.is_file():
        problems.append(f"{where}: file: " + ("is a folder, not a file" if path.is_dir() else
                        f"is missing (expected a CSV file with the header {','.join(expected)})"))
        return empty
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
        check_columns(table, problems)
    if not rows and name not in MAY_BE_EMPTY:
        problems.append(f"{where}: file: the file has a header but no rows")
    return table


def check_columns(table: Table, problems: list[str]) -> None:
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
        _check_text(table, column, values, problems)
        allowed = ALLOWED.get((name, column))
        if allowed is not None:
            wrong = set(values) - allowed - {""}
            for index in true_indices(map(wrong.__contains__, values)):
                problems.append(f"{table.at(index, column)}: {values[index]!r} is not one of "
                                f"{', '.join(sorted(a for a in allowed if a))}")
        if column in DATE_COLUMNS:
            wrong = {v for v in set(values) if v and not is_iso_date(v)}
            for index in true_indices(map(wrong.__contains__, values)):
                problems.append(f"{table.at(index, column)}: {values[index]!r} is not a date "
                                "(YYYY-MM-DD)")
        pattern = ID_PATTERNS.get((name, column))
        if pattern is not None:
            _check_ids(table, column, values, pattern, problems)


def text_problem(value: str, free_text: bool = True) -> str | None:
    """What is wrong with one text value (invisible characters, spaces at its ends, a
    formula start in free text, its length), or None. Shared by the CSV and YAML files."""
    if len(value) > MAX_FIELD_CHARS:
        return (f"has {len(value):,} characters; a field holds at most {MAX_FIELD_CHARS:,} "
                f"(figures, short phrases and notes, never whole pages) ({value[:40]!r}...)")
    invisible = _INVISIBLE.search(value)
    if invisible:
        return (f"holds the invisible character U+{ord(invisible.group()):04X} "
                f"({unicodedata.name(invisible.group(), 'a control character')}) at "
                f"position {invisible.start() + 1}; delete it ({value[:80]!r})")
    if value != value.strip():
        return f"starts or ends with a space; delete it ({value[:80]!r})"
    if free_text and value.startswith(FORMULA_STARTS):
        return (f"text starts with {value[0]!r}, which a spreadsheet runs as a formula; "
                f"reword it so that it starts otherwise ({value[:80]!r})")
    return None


def _check_text(table: Table, column: str, values: list[str], problems: list[str]) -> None:
    if (table.name, column) in ID_PATTERNS:
        return  # an id's pattern admits none of these (_check_ids)
    free_text = (table.name, column) not in NUMERIC_COLUMNS
    # One C-level pass over the column finds whether any value may fail; only then are the
    # values visited one by one.
    joined = "\n".join(values)
    suspect = (_INVISIBLE.search(joined.replace("\n", " ")) is not None
               or (values and max(map(len, values)) > MAX_FIELD_CHARS)
               or _SPACE_AT_AN_END.search(joined) is not None
               or (free_text and any(map(str.startswith, values, repeat(FORMULA_STARTS)))))
    if not suspect:
        return
    for index, value in enumerate(values):
        problem = text_problem(value, free_text)
        if problem:
            problems.append(f"{table.at(index, column)}: {problem}")


def _check_ids(table: Table, column: str, values: list[str], pattern: str,
               problems: list[str]) -> None:
    """Every id in the column has the documented pattern (empty cells are the required
    check's)."""
    filled = "\n".join(v for v in values if v)
    if re.fullmatch(rf"(?:(?:{pattern})(?:\n(?:{pattern}))*)?", filled):
        return
    compiled = re.compile(pattern)
    for index, value in enumerate(values):
        if value and not compiled.fullmatch(value):
            problems.append(f"{table.at(index, column)}: {value!r} is not an id of the "
                            f"documented form (lower-case ASCII letters and digits joined "
                            f"by {'_' if '_' in pattern else '-'}; see docs/raw-layer.md)")


def is_iso_date(text: str) -> bool:
    """YYYY-MM-DD only: date.fromisoformat also takes 20240531 and 2024-W22-5."""
    if not ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True

