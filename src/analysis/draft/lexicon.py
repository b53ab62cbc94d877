"""The word lists drafting reads from data/raw: indicator keywords and qualifier words.

`indicator_keywords.csv` (indicator_id, language, keyword) sits beside the catalog it
points into and is checked on load: an unknown indicator, an unknown language, an empty or
non-NFC keyword or a repeated row stops with `<file>:<line>: <field>: <what> (<text>)`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from analysis import paths
from analysis.errors import ProjectError
from analysis.ingest import read_table

KEYWORD_COLUMNS = ["indicator_id", "language", "keyword"]
KEYWORDS_FILE = "indicator_keywords.csv"
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Keyword:
    indicator_id: str
    language: str
    keyword: str  # lower case


def _where(path: Path) -> str:
    return paths.shown(path)


def _first_problem(name: str, path: Path) -> list[dict[str, str]]:
    problems: list[str] = []
    table = read_table(name, path, problems)
    if problems:
        raise ProjectError(problems[0])
    return table.rows


def load_indicator_ids(raw_dir: Path) -> set[str]:
    return {row["indicator_id"] for row in _first_problem("indicators", raw_dir / "indicators.csv")}


def load_qualifiers(raw_dir: Path, language: str) -> list[str]:
    """Qualifier words of one language, longest first (so "more than" wins over "than")."""
    rows = _first_problem("qualifiers", raw_dir / "qualifiers.csv")
    return sorted((r["word"] for r in rows if r["language"] == language), key=len, reverse=True)


def load_keywords(raw_dir: Path, known_indicators: set[str]) -> list[Keyword]:
    path = raw_dir / KEYWORDS_FILE
    where = _where(path)
    if not path.exists():
        raise ProjectError(f"{where}:1: file: missing (the keyword lexicon of the catalog)")
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    if header != KEYWORD_COLUMNS:
        raise ProjectError(f"{where}:1: header: expected {','.join(KEYWORD_COLUMNS)} "
                           f"({','.join(header)})")
    keywords: list[Keyword] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(KEYWORD_COLUMNS):
            raise ProjectError(f"{where}:{line}: row: has {len(values)} fields, expected "
                               f"{len(KEYWORD_COLUMNS)} ({','.join(values)})")
        indicator_id, language, keyword = (v.strip() for v in values)
        if indicator_id not in known_indicators:
            raise ProjectError(f"{where}:{line}: indicator_id: unknown indicator, not in "
                               f"indicators.csv ({indicator_id})")
        if language not in LANGUAGES:
            raise ProjectError(f"{where}:{line}: language: expected vi or en ({language})")
        if not keyword:
            raise ProjectError(f"{where}:{line}: keyword: empty ({','.join(values)})")
        if unicodedata.normalize("NFC", keyword) != keyword:
            raise ProjectError(f"{where}:{line}: keyword: not NFC-normalised, save it in NFC "
                               f"form ({keyword})")
        key = (indicator_id, language, keyword.lower())
        if key in seen:
            raise ProjectError(f"{where}:{line}: keyword: repeats line {seen[key]} ({keyword})")
        seen[key] = line
        keywords.append(Keyword(indicator_id, language, keyword.lower()))
    return keywords


def guess_indicator(phrase: str, clause: str, keywords: list[Keyword], language: str) -> str:
    """The indicator whose keywords best match the figure's phrase, then its clause; or ''."""
    phrase, clause = phrase.lower(), clause.lower()
    scores: dict[str, int] = {}
    for keyword in keywords:
        if keyword.language != language:
            continue
        score = 2 * len(keyword.keyword) * (keyword.keyword in phrase) + \
            len(keyword.keyword) * (keyword.keyword in clause)
        if score:
            scores[keyword.indicator_id] = scores.get(keyword.indicator_id, 0) + score
    return max(scores, key=lambda k: scores[k]) if scores else ""
