"""The word lists drafting reads from data/raw: indicator keywords and qualifier words.

`indicator_keywords.csv` (indicator_id, language, keyword) sits beside the catalog it
points into and is checked on load: an unknown indicator, an unknown language, an empty or
non-NFC keyword or a repeated row stops with `<file>:<line>: <field>: <what> (<text>)`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from bisect import bisect_left
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


def load_indicator_kinds(raw_dir: Path) -> dict[str, str]:
    """Each indicator's kind (count, share, rank, change, …), as the catalog states it."""
    rows = _first_problem("indicators", raw_dir / "indicators.csv")
    return {row["indicator_id"]: row["kind"] for row in rows}


def kinds_that_fit(is_rank: bool, is_change: bool) -> set[str] | None:
    """Indicator kinds a figure of this shape may take, or None for any: a rank goes only
    on a rank indicator and a change only on a change, and neither kind on anything else."""
    if is_change:
        return {"change"}
    if is_rank:
        return {"rank"}
    return None


EXCLUSIVE_KINDS = {"rank", "change"}


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


class KeywordSearch:
    """One language's keywords, prepared once per draft: a single pass over a line finds
    every keyword in it, instead of one search per keyword.

    The pattern, longest keyword first, finds the longest keyword starting at a position;
    the next search starts one character later, so overlapping keywords are all seen. Every
    other keyword starting at that position is a prefix of the one found, so `also_here`
    maps each keyword to the indexes of all keywords that match where it does (itself and
    its prefixes).
    """

    def __init__(self, keywords: list[Keyword]) -> None:
        self.keywords = keywords
        self.texts = [k.keyword for k in keywords]
        distinct = sorted(set(self.texts), key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, distinct))) if distinct else None
        self.also_here = {text: [i for i, other in enumerate(self.texts)
                                 if text.startswith(other)] for text in distinct}
        # Phrases repeat across a report ("hồ sơ", "tài khoản"): which keywords a phrase
        # holds is kept for the whole text.
        self.in_phrases: dict[str, frozenset[int]] = {}

    def positions(self, lowered: str) -> dict[int, list[int]]:
        """Keyword index → where it starts in the (lower-cased) line, in order."""
        found: dict[int, list[int]] = {}
        if self.pattern is None:
            return found
        also_here, search = self.also_here, self.pattern.search
        match = search(lowered)
        while match:
            at = match.start()
            for index in also_here[match.group()]:
                found.setdefault(index, []).append(at)
            match = search(lowered, at + 1)
        return found


class KeywordsInLine:
    """Indicator guesses for the figures of one line, as `guess_indicator` makes them.

    Which keywords occur where is found once per line, so each figure's clause is asked
    about by binary search, not by searching every keyword in it (the cost of a long line
    stays in proportion to its length).
    """

    def __init__(self, line: str, search: KeywordSearch) -> None:
        self.keywords = search.keywords
        self.texts = search.texts
        self.in_phrases = search.in_phrases
        lowered = line.lower()
        # Lower-casing keeps positions for Vietnamese and English text; where it would not,
        # each clause is lower-cased on its own, as guess_indicator does.
        self.line = line if len(lowered) != len(line) else None
        # keyword's index: where it starts in the line
        self.found = search.positions(lowered) if self.line is None else {}

    def _in_clause(self, index: int, left: int, right: int) -> bool:
        positions = self.found[index]
        at = bisect_left(positions, left)
        return at < len(positions) and positions[at] + len(self.texts[index]) <= right

    def guess(self, phrase: str, left: int, right: int, kinds: dict[str, str] | None = None,
              fitting: set[str] | None = None) -> str:
        """The guess for a figure with this phrase whose clause is line[left:right]; with
        `kinds` (indicator → kind), only indicators whose kind fits the figure's shape
        (`fitting`, see kinds_that_fit; None: any kind but rank and change)."""
        if kinds is not None:
            def fits(indicator: str) -> bool:
                kind = kinds.get(indicator, "")
                return kind in fitting if fitting is not None else kind not in EXCLUSIVE_KINDS
        else:
            def fits(indicator: str) -> bool:
                return True
        if self.line is not None:
            language = self.keywords[0].language if self.keywords else ""
            usable = [k for k in self.keywords if fits(k.indicator_id)]
            return guess_indicator(phrase, self.line[left:right], usable, language)
        phrase = phrase.lower()
        in_phrase = self.in_phrases.get(phrase)
        if in_phrase is None:
            in_phrase = frozenset(i for i, text in enumerate(self.texts) if text in phrase)
            self.in_phrases[phrase] = in_phrase
        in_clause = {i for i in self.found if self._in_clause(i, left, right)}
        scores: dict[str, int] = {}
        for index in sorted(in_phrase | in_clause):  # catalog order, as guess_indicator
            indicator = self.keywords[index].indicator_id
            if not fits(indicator):
                continue
            length = len(self.texts[index])
            score = 2 * length * (index in in_phrase) + length * (index in in_clause)
            scores[indicator] = scores.get(indicator, 0) + score
        return max(scores, key=lambda k: scores[k]) if scores else ""
