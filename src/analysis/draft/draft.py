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
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from analysis import paths
from analysis.draft.lexicon import (
    Keyword,
    guess_indicator,
    load_indicator_ids,
    load_keywords,
    load_qualifiers,
)
from analysis.draft.pairing import SENTENCE_END, Figure, pair_line
from analysis.draft.scan import scan_line
from analysis.errors import ProjectError
from analysis.ingest import COLUMNS, MAX_PHRASE_WORDS, read_table

TARGET_WORDS = {
    "vi": r"phấn đấu|mục tiêu|chỉ tiêu",
    "en": r"\b(?:targets?|aims?|goal|strive|must|plans? to)\b",
}
DIRECTIVE_OPENING = r"^[\s\-+*•]*(?:chỉ đạo|yêu cầu|đề nghị|giao)\b"
ACHIEVED_BEFORE = r"(?:hoàn thành|đạt|vượt|so với|[0-9])[^;.]{0,12}$"
TASKS_AHEAD_HEADING = r"PHƯƠNG HƯỚNG|NHIỆM VỤ.*(?:TRỌNG TÂM|THỜI GIAN TỚI|TIẾP THEO)"
ROMAN_HEADING = r"^\s*\**[IVX]+\.\s"
FALLBACK_PHRASE = {"vi": "số liệu", "en": "figure"}


@dataclass(frozen=True)
class Skipped:
    line: int
    text: str
    reason: str


@dataclass
class Draft:
    rows: list[dict[str, str]]
    skipped: list[Skipped]


def _clean_words(text: str) -> list[str]:
    words = [w.strip("*“”\"'()[]:;,.…") for w in text.split()]
    return [w for w in words if w and not re.search(r"[0-9]", w)]


def _clause(line: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause holding [start, end): between ';' or sentence ends."""
    left = max(line.rfind(";", 0, start), 0)
    for match in SENTENCE_END.finditer(line, 0, start):
        left = max(left, match.end())
    right_candidates = [i for i in (line.find(";", end),) if i >= 0]
    sentence_end = SENTENCE_END.search(line, end)
    if sentence_end:
        right_candidates.append(sentence_end.start())
    return left, min(right_candidates) if right_candidates else len(line)


def _phrase(line: str, figure: Figure, others: list[Figure], language: str) -> str:
    """At most ten words around the number: the noun after it, else the words before."""
    left, right = _clause(line, figure.start, figure.end)
    following = [f.start for f in others if f.start >= figure.end]
    stop = min([right, *following]) if following else right
    after = re.split(r"[,;:()]", line[figure.end:stop])[0]
    words = _clean_words(after)[:8]
    if re.match(r"\s*\**\s*(?:so với|compared)", after, re.IGNORECASE):
        words = []  # "tăng 3,5% so với quý II": what rose is named before the number
    if len(words) < 3:
        previous = [f.end for f in others if f.end <= figure.start]
        start = max([left, *previous]) if previous else left
        before = re.split(r"[;:()]", line[start:figure.start])[-1]
        words = _clean_words(before)[-(MAX_PHRASE_WORDS - len(words)):] + words
    return " ".join(words[:MAX_PHRASE_WORDS]) or FALLBACK_PHRASE[language]


def _target_note(line: str, figure: Figure, language: str, tasks_ahead: bool) -> str:
    left, right = _clause(line, figure.start, figure.end)
    clause = line[left:right]
    if tasks_ahead:
        return "target or task for the coming period (section of tasks ahead), not a result"
    for match in re.finditer(TARGET_WORDS[language], clause, re.IGNORECASE):
        before = clause[:match.start()].lower()
        if not re.search(ACHIEVED_BEFORE, before):
            return f"target or directive ({match.group().lower()}), not a result"
    if language == "vi" and figure.percent:
        if re.match(DIRECTIVE_OPENING, line[left:], re.IGNORECASE):
            return "directive (chỉ đạo …), not a result"
        if figure.percent.strip("*") == "100%" and re.search(r"(?<!cần )\bphải\b", clause):
            return "directive (100% … phải), not a result"
    return ""


def _slug(phrase: str) -> str:
    folded = unicodedata.normalize("NFD", phrase.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:4]
    return "-".join(words) or "figure"


def _check_arguments(raw_dir: Path, source_id: str, locality_id: str, language: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", source_id):
        raise ProjectError(f"--source-id: lower-case letters, digits and '-' only ({source_id})")
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
    drafted: list[tuple[int, str, Figure, str, str]] = []  # line, text, figure, phrase, note
    skipped: list[Skipped] = []
    tasks_ahead = False
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFC", raw_line)
        if re.match(ROMAN_HEADING, line):
            tasks_ahead = bool(re.search(TASKS_AHEAD_HEADING, line.upper()))
        tokens, skips = scan_line(line, language, qualifiers)
        skipped.extend(Skipped(number, s.text, s.reason) for s in skips)
        figures = pair_line(line, tokens, language)
        for figure in figures:
            notes = list(figure.notes)
            target = _target_note(line, figure, language, tasks_ahead)
            if target:
                notes.append(target)
            if figure.is_change and "%" in figure.value:
                notes.append("a change in percentage points: pick an indicator whose unit is "
                             "percentage_points")
            drafted.append((number, line, figure, _phrase(line, figure, figures, language),
                            "; ".join(notes)))
    ids: dict[int, str] = {}
    used: set[str] = set()
    for _, _, figure, phrase, _ in drafted:
        base = f"{source_id}.{_slug(phrase)}"
        figure_id, suffix = base, 2
        while figure_id in used:
            figure_id, suffix = f"{base}-{suffix}", suffix + 1
        used.add(figure_id)
        ids[id(figure)] = figure_id
    rows = []
    for number, line, figure, phrase, note in drafted:
        left, right = _clause(line, figure.start, figure.end)
        row = dict.fromkeys(COLUMNS["figures"], "")
        row.update({
            "figure_id": ids[id(figure)],
            "indicator_id": guess_indicator(phrase, line[left:right], keywords, language),
            "locality_id": locality_id,
            "numerator": figure.numerator, "denominator": figure.denominator,
            "value": figure.value, "percent": figure.percent, "qualifier": figure.qualifier,
            "phrase": phrase, "locator": f"line {number}", "note": note,
        })
        if figure.related is not None and id(figure.related) in ids:
            row["relation"] = figure.relation
            row["related_figure"] = ids[id(figure.related)]
        rows.append(row)
    return Draft(rows=rows, skipped=skipped)


def write_rows(rows: list[dict[str, str]], stream: TextIO) -> None:
    writer = csv.DictWriter(stream, fieldnames=COLUMNS["figures"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def write_skipped(skipped: list[Skipped], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["line", "text", "reason"])
    writer.writerows((item.line, item.text, item.reason) for item in skipped)


def run(text_file: Path, source_id: str, locality_id: str, language: str,
        out: Path | None, skipped_file: Path | None, stdout: TextIO, stderr: TextIO,
        raw_dir: Path = paths.RAW) -> int:
    """The `draft` command: rows to --out or stdout, skipped items to --skipped or stderr."""
    if not text_file.is_file():
        raise ProjectError(f"{text_file}: no such text file")
    try:
        text = text_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProjectError(f"{text_file}: not UTF-8 text ({error.reason})") from error
    _check_arguments(raw_dir, source_id, locality_id, language)
    draft = draft_text(text, source_id, locality_id, language, raw_dir)
    if out is None:
        write_rows(draft.rows, stdout)
    else:
        with out.open("w", encoding="utf-8", newline="") as stream:
            write_rows(draft.rows, stream)
    if skipped_file is None:
        for item in draft.skipped:
            print(f"skipped: line {item.line}: {item.text!r}: {item.reason}", file=stderr)
    else:
        with skipped_file.open("w", encoding="utf-8", newline="") as stream:
            write_skipped(draft.skipped, stream)
    print(f"draft: {len(draft.rows)} figure(s) proposed, {len(draft.skipped)} non-quantities "
          "skipped; fill in as_of, as_of_basis and indicator_id, then review every row",
          file=stderr)
    return 0
