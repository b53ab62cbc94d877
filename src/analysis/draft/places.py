"""Which other places a figure's sentence names: its figure may be theirs, not the source's.

A national page prints Hà Nội's share beside the average; a provincial page quotes the
province that came first. The names are the 63 provinces before the 2025 merger and the 34
after it, from the administrative-unit libraries (analysis.ingest.admin_units), matched
without diacritics or case, so "Bac Kan", "Bắc Kạn" and "BẮC KẠN" are one name, and
"Hanoi" / "Danang" as English pages write them. A place is "other" unless it is the
source's own province (its locality or the province above it in localities.csv).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

from analysis.ingest import admin_units
from analysis.ingest.tables import read_table


def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    return "d" if char in "đĐ" else base.lower() if len(base.lower()) == 1 else char


# Latin letters with diacritics (Latin-1, Extended-A/B, Vietnamese block) to their base,
# one character for one, so positions in the folded line are positions in the line.
_FOLD = {code: _fold_char(chr(code)) for code in
         [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]}


def fold(text: str) -> str:
    """Lower case without diacritics, of the same length: "Bắc Kạn" → "bac kan"."""
    return text.translate(_FOLD).lower()


def _spellings(name: str) -> set[str]:
    folded = " ".join(fold(name).replace("-", " ").split())
    return {folded, folded.replace(" ", "")} if folded.count(" ") == 1 else {folded}


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    """Folded spelling → the province's printed name, both eras."""
    names: dict[str, str] = {}
    for era in ("legacy", "2025"):
        for unit in admin_units.children(era, None):  # type: ignore[arg-type]
            for spelling in _spellings(unit.short_name_vi):
                names.setdefault(spelling, unit.short_name_vi)
    return names


def own_names(raw_dir: Path, locality_id: str) -> set[str]:
    """Folded names of the source's locality and the localities above it."""
    problems: list[str] = []
    rows = {r["locality_id"]: r for r in read_table("localities", raw_dir / "localities.csv",
                                                      problems).rows}
    names: set[str] = set()
    current = rows.get(locality_id)
    while current is not None:
        for field in ("name_vi", "name_ascii"):
            # "Quảng Ngãi (từ 1/7/2025)": the name before the bracket
            names |= _spellings(re.sub(r"\s*\(.*", "", current[field]))
        current = rows.get(current["parent_id"]) if current["parent_id"] else None
    return names


class OtherPlaces:
    """Other provinces named in the lines of one source's text."""

    def __init__(self, own: set[str]) -> None:
        others = sorted((s for s in _province_names() if s not in own), key=len, reverse=True)
        self.names = _province_names()
        self.pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, others)) + r")\b") \
            if others else None

    def in_line(self, line: str) -> tuple[list[int], list[str]]:
        """Where other places are named in the line, and their names."""
        if self.pattern is None:
            return [], []
        folded = fold(line)
        if len(folded) != len(line):  # a letter whose lower case is two characters
            folded = "".join(c if len(c) == 1 else "?" for c in map(fold, line))
        found = list(self.pattern.finditer(folded))
        return [m.start() for m in found], [self.names[m.group()] for m in found]

    @staticmethod
    def named_between(found: tuple[list[int], list[str]], left: int, right: int) -> list[str]:
        positions, names = found
        index = bisect_left(positions, left)
        named: list[str] = []
        while index < len(positions) and positions[index] < right:
            if names[index] not in named:
                named.append(names[index])
            index += 1
        return named
