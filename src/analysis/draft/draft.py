"""Draft rows of `data/raw/figures/<source_id>.csv` from a report's plain text.

The draft is a proposal for a person to review: numbers exactly as printed, paired as
printed, with a qualifier, a phrase of at most ten words, a `line N` locator, the relations
the text marks and a guessed indicator. The reviewer fills in `as_of`, `as_of_basis`, the
period and any missing indicator, corrects what is wrong and saves the file; `make all`
then checks it like any hand transcription. Non-quantities are listed with the reason they
were left out, so nothing disappears silently.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TextIO

from analysis import paths
from analysis.draft.lexicon import (
    Keyword,
    KeywordSearch,
    KeywordsInLine,
    kinds_that_fit,
    load_indicator_ids,
    load_indicator_kinds,
    load_keywords,
    load_qualifiers,
)
from analysis.draft.pairing import Figure, LineBounds, pair_line, parts_of_previous_line
from analysis.draft.places import OtherPlaces, own_names
from analysis.draft.scan import page_number_format, scan_line
from analysis.errors import ProjectError
from analysis.ingest import COLUMNS, ID_PATTERNS, MAX_PHRASE_WORDS, read_table

TARGET_WORDS = {
    "vi": r"phấn đấu|mục tiêu|chỉ tiêu",
    "en": r"\b(?:targets?|aims?|goal|strive|must|plans? to)\b",
}
DIRECTIVE_OPENING = re.compile(r"[\s\-+*•]*(?:chỉ đạo|yêu cầu|đề nghị|giao)\b", re.IGNORECASE)
ACHIEVED_BEFORE = r"(?:hoàn thành|đạt|vượt|so với|[0-9])[^;.]{0,12}$"
TASKS_AHEAD_HEADING = r"PHƯƠNG HƯỚNG|NHIỆM VỤ.*(?:TRỌNG TÂM|THỜI GIAN TỚI|TIẾP THEO)"
ROMAN_HEADING = r"^\s*\**[IVX]+\.\s"
FALLBACK_PHRASE = {"vi": "số liệu", "en": "figure"}
# Compiled once: drafting asks these of every line or figure of a text of any length.
_TARGET_WORDS = {language: re.compile(words, re.IGNORECASE)
                 for language, words in TARGET_WORDS.items()}
_ACHIEVED_BEFORE = re.compile(ACHIEVED_BEFORE)
_TASKS_AHEAD_HEADING = re.compile(TASKS_AHEAD_HEADING)
_ROMAN_HEADING = re.compile(ROMAN_HEADING)
_MUST = re.compile(r"(?<!cần )\bphải\b")
_DIGIT = re.compile(r"[0-9]")
_AFTER_STOP = re.compile(r"[,;:()]")
_BEFORE_STOP = re.compile(r"[;:()]")
_COMPARED = re.compile(r"\s*\**\s*(?:so với|compared)", re.IGNORECASE)
_SLUG_WORD = re.compile(r"[a-z0-9]+")
FORMAT_NAMES = {"vi": "Vietnamese (1.234,5)", "en": "English (1,234.5)"}


@dataclass(frozen=True)
class Skipped:
    line: int
    text: str
    reason: str


@dataclass
class Draft:
    rows: list[dict[str, str]]
    skipped: list[Skipped]
    format_warning: str = ""  # the page prints numbers in the other language's format


def _clean_words(text: str) -> list[str]:
    words = [w.strip("*“”\"'()[]:;,.…") for w in text.split()]
    return [w for w in words if w and not _DIGIT.search(w)]


class _Neighbours:
    """Where the figures of a line start and end, to find a figure's neighbours by bisection."""

    def __init__(self, figures: list[Figure]) -> None:
        self.starts = sorted(f.start for f in figures)
        self.ends = sorted(f.end for f in figures)

    def next_start(self, position: int) -> int | None:
        """The first start at or after `position`."""
        index = bisect_left(self.starts, position)
        return self.starts[index] if index < len(self.starts) else None

    def last_end(self, position: int) -> int | None:
        """The last end at or before `position`."""
        index = bisect_right(self.ends, position) - 1
        return self.ends[index] if index >= 0 else None


def _phrase(line: str, figure: Figure, clause: tuple[int, int], neighbours: _Neighbours,
            language: str) -> str:
    """At most ten words around the number: the noun after it, else the words before."""
    left, right = clause
    following = neighbours.next_start(figure.end)
    stop = min(right, following) if following is not None else right
    after = _AFTER_STOP.split(line[figure.end:stop], maxsplit=1)[0]
    words = _clean_words(after)[:8]
    if _COMPARED.match(after):
        words = []  # "tăng 3,5% so với quý II": what rose is named before the number
    if len(words) < 3:
        previous = neighbours.last_end(figure.start)
        start = max(left, previous) if previous is not None else left
        before = _BEFORE_STOP.split(line[start:figure.start])[-1]
        words = _clean_words(before)[-(MAX_PHRASE_WORDS - len(words)):] + words
    return " ".join(words[:MAX_PHRASE_WORDS]) or FALLBACK_PHRASE[language]


RANGE_OPENING = re.compile(r"(?i:\bfrom|\bbetween|\btừ|trong\s+khoảng)\s*$")
RANGE_GAP = re.compile(r"\s*(?i:to|and|-|–|đến|tới)\s*")


def _is_range(line: str, low: Figure, high: Figure) -> bool:
    if low.denominator or high.denominator or low.is_change or high.is_change:
        return False
    before = line[max(0, low.start - 30):low.start].rstrip(" *")
    if low.qualifier:
        before = before[:-len(low.qualifier)].rstrip(" *")
    return bool(RANGE_GAP.fullmatch(line, low.end, high.start) and RANGE_OPENING.search(before))


def _range_notes(line: str, previous: Figure | None, figure: Figure,
                 following: Figure | None) -> list[str]:
    """ "from 10 to 15", "between 43.44 and 47.88", "từ 10 đến 15": two bounds of one range."""
    if following is not None and _is_range(line, figure, following):
        low, high = figure, following
    elif previous is not None and _is_range(line, previous, figure):
        low, high = previous, figure
    else:
        return []
    printed = line[low.start:high.end]
    return [f"one bound of a range printed '{printed}': keep it as the text means it "
            "(a bound with its qualifier, or leave the range out)"]


def _target_note(line: str, figure: Figure, bounds: tuple[int, int], language: str,
                 tasks_ahead: bool) -> str:
    left, right = bounds
    clause = line[left:right]
    if tasks_ahead:
        return "target or task for the coming period (section of tasks ahead), not a result"
    for match in _TARGET_WORDS[language].finditer(clause):
        before = clause[:match.start()].lower()
        if not _ACHIEVED_BEFORE.search(before):
            return f"target or directive ({match.group().lower()}), not a result"
    if language == "vi" and figure.percent:
        if DIRECTIVE_OPENING.match(line, left):
            return "directive (chỉ đạo …), not a result"
        if figure.percent.strip("*") == "100%" and _MUST.search(clause):
            return "directive (100% … phải), not a result"
    return ""


@lru_cache(maxsize=4096)  # phrases repeat across a report
def _slug(phrase: str) -> str:
    folded = unicodedata.normalize("NFD", phrase.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = _SLUG_WORD.findall(ascii_text)[:4]
    return "-".join(words) or "figure"


class FigureIds:
    """Unique figure ids: a phrase's slug, then `-2`, `-3` … when it repeats.

    Each slug keeps the next suffix to try, so a slug printed a thousand times costs a
    thousand steps, not half a million; `tried` counts the candidates looked at.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next_suffix: dict[str, int] = {}
        self.tried = 0

    def new(self, base: str) -> str:
        suffix = self.next_suffix.get(base)
        if suffix is None:
            figure_id, suffix = base, 2
        else:
            figure_id, suffix = f"{base}-{suffix}", suffix + 1
        self.tried += 1
        while figure_id in self.used:  # taken by another slug's suffix ("a-2" printed as such)
            figure_id, suffix = f"{base}-{suffix}", suffix + 1
            self.tried += 1
        self.next_suffix[base] = suffix
        self.used.add(figure_id)
        return figure_id


def _check_arguments(raw_dir: Path, source_id: str, locality_id: str, language: str) -> None:
    # The raw layer's own pattern (analysis.ingest.contract): a draft the build would
    # refuse is refused here, before any work.
    if not re.fullmatch(ID_PATTERNS[("sources", "source_id")], source_id):
        raise ProjectError(f"--source-id: lower-case letters and digits, words joined by "
                           f"single '-' ({source_id})")
    problems: list[str] = []
    localities = read_table("localities", raw_dir / "localities.csv", problems).rows
    sources = read_table("sources", raw_dir / "sources.csv", problems).rows
    if problems:
        raise ProjectError(problems[0])
    if locality_id not in {row["locality_id"] for row in localities}:
        raise ProjectError(f"--locality: unknown locality, not in localities.csv ({locality_id})")
    source = next((row for row in sources if row["source_id"] == source_id), None)
    if source and (source["locality_id"], source["language"]) != (locality_id, language):
        raise ProjectError(
            f"--source-id: sources.csv registers {source_id} for locality "
            f"{source['locality_id']} in language {source['language']} "
            f"({locality_id}, {language})")


def draft_text(text: str, source_id: str, locality_id: str, language: str,
               raw_dir: Path = paths.RAW, keywords: list[Keyword] | None = None) -> Draft:
    """Draft figure rows (the figures columns, as text) and the skipped non-quantities."""
    if language not in ("vi", "en"):
        raise ProjectError(f"--language: expected vi or en ({language})")
    qualifiers = load_qualifiers(raw_dir, language)
    if keywords is None:
        keywords = load_keywords(raw_dir, load_indicator_ids(raw_dir))
    keyword_search = KeywordSearch([k for k in keywords if k.language == language])
    kinds = load_indicator_kinds(raw_dir)
    places = OtherPlaces(own_names(raw_dir, locality_id))
    number_format, own_count, other_count = page_number_format(text, language)
    format_warning = "" if number_format == language else (
        f"the page prints numbers in {FORMAT_NAMES[number_format]} format ({other_count} "
        f"numbers only that format writes, {own_count} of {FORMAT_NAMES[language]}): the "
        f"raw check reads this source's numbers as {FORMAT_NAMES[language]} (--language "
        f"{language}); check every number, or register the source as {number_format}")
    drafted: list[tuple[int, Figure, str, str, str]] = []  # line, figure, phrase, note, indicator
    skipped: list[Skipped] = []
    tasks_ahead = False
    previous: list[Figure] = []  # the figures of the last line that was not blank
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFC", raw_line)
        if _ROMAN_HEADING.match(line):
            tasks_ahead = bool(_TASKS_AHEAD_HEADING.search(line.upper()))
        tokens, skips = scan_line(line, language, qualifiers)
        skipped.extend(Skipped(number, s.text, s.reason) for s in skips)
        if not tokens:
            if line.strip():
                previous = []
            continue
        bounds = LineBounds(line)
        figures = pair_line(line, tokens, language, bounds)
        parts_of_previous_line(line, figures, previous, language, bounds)
        previous = figures
        neighbours = _Neighbours(figures)
        in_line = KeywordsInLine(line, keyword_search)
        named = places.in_line(line)
        for position, figure in enumerate(figures):
            clause = bounds.clause(figure.start, figure.end)
            notes = list(figure.notes)
            others = places.named_between(named, *bounds.sentence(figure.start, figure.end))
            if others:
                notes.append(f"the sentence names another place ({', '.join(others)}): a "
                             f"figure of that place, not of {locality_id}? check")
            following = figures[position + 1] if position + 1 < len(figures) else None
            previous_figure = figures[position - 1] if position else None
            notes.extend(_range_notes(line, previous_figure, figure, following))
            if format_warning:
                notes.append(f"page in {FORMAT_NAMES[number_format]} number format: check")
            target = _target_note(line, figure, clause, language, tasks_ahead)
            if target:
                notes.append(target)
            if figure.is_change and "%" in figure.value:
                notes.append("a change in percentage points: pick an indicator whose unit is "
                             "percentage_points")
            phrase = _phrase(line, figure, clause, neighbours, language)
            fitting = kinds_that_fit(any(t.is_ordinal for t in figure.tokens), figure.is_change)
            drafted.append((number, figure, phrase, "; ".join(notes),
                            in_line.guess(phrase, *clause, kinds, fitting)))
    ids: dict[int, str] = {}
    figure_ids = FigureIds()
    for _, figure, phrase, _, _ in drafted:
        ids[id(figure)] = figure_ids.new(f"{source_id}.{_slug(phrase)}")
    rows = []
    for number, figure, phrase, note, indicator in drafted:
        row = dict.fromkeys(COLUMNS["figures"], "")
        row.update({
            "figure_id": ids[id(figure)],
            "indicator_id": indicator,
            "locality_id": locality_id,
            "numerator": figure.numerator, "denominator": figure.denominator,
            "value": figure.value, "percent": figure.percent, "qualifier": figure.qualifier,
            "phrase": phrase, "locator": f"line {number}", "note": note,
        })
        if figure.related is not None and id(figure.related) in ids:
            row["relation"] = figure.relation
            row["related_figure"] = ids[id(figure.related)]
        rows.append(row)
    return Draft(rows=rows, skipped=skipped, format_warning=format_warning)


def write_rows(rows: list[dict[str, str]], stream: TextIO) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS["figures"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def write_skipped(skipped: list[Skipped], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["line", "text", "reason"])
    writer.writerows((item.line, item.text, item.reason) for item in skipped)


def _check_output(option: str, path: Path | None, text_file: Path) -> None:
    """Refuse, before any work, an output path that cannot be written as a file."""
    if path is None:
        return
    if path.is_dir():
        raise ProjectError(f"{option}: {path} is a folder; give a file name in it "
                           f"(e.g. {path / 'draft.csv'})")
    if not path.parent.is_dir():
        raise ProjectError(f"{option}: the folder {path.parent} does not exist; create it or "
                           f"choose another path ({path})")
    if path.exists() and text_file.exists() and path.samefile(text_file):
        raise ProjectError(f"{option}: {path} is the text being drafted; choose another file")


def _write_file(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write beside the target and rename: a failed write leaves the old file as it was."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def run(text_file: Path, source_id: str, locality_id: str, language: str,
        out: Path | None, skipped_file: Path | None, stdout: TextIO, stderr: TextIO,
        raw_dir: Path = paths.RAW) -> int:
    """The `draft` command: rows to --out or stdout, skipped items to --skipped or stderr."""
    if text_file.is_dir():
        raise ProjectError(f"{text_file}: a folder, not a text file; give the report's text file")
    if not text_file.is_file():
        raise ProjectError(f"{text_file}: no such text file")
    try:
        text = text_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectError(f"{text_file}: not UTF-8 text ({error.reason})") from error
    _check_arguments(raw_dir, source_id, locality_id, language)
    _check_output("--out", out, text_file)
    _check_output("--skipped", skipped_file, text_file)
    if out is not None and skipped_file is not None and out.absolute() == skipped_file.absolute():
        raise ProjectError(f"--skipped: the same file as --out ({out}); choose two files")
    draft = draft_text(text, source_id, locality_id, language, raw_dir)
    if out is None:
        write_rows(draft.rows, stdout)
    else:
        _write_file(out, lambda stream: write_rows(draft.rows, stream))
    if skipped_file is None:
        for item in draft.skipped:
            print(f"skipped: line {item.line}: {item.text!r}: {item.reason}", file=stderr)
    else:
        _write_file(skipped_file, lambda stream: write_skipped(draft.skipped, stream))
    if draft.format_warning:
        print(f"warning: {text_file}: {draft.format_warning}", file=stderr)
    print(f"draft: {len(draft.rows)} figure(s) proposed, {len(draft.skipped)} non-quantities "
          "skipped; fill in as_of, as_of_basis and indicator_id, then review every row",
          file=stderr)
    return 0
