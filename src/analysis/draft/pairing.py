"""Group a line's printed quantities into figures, the way the sources print them.

analysis.draft.ratios first reads each figure alone (ratios, percents, bases, targets,
rates); this module then links figures to each other:

- "trong đó" lists parts of the total printed before it (a lone percent there is a share of
  that total; a single part with its own percent is read as part/total);
- figures in a parenthesis right after a figure are its parts; "còn" marks a remainder;
- a line opening with "Of which" / "Trong đó" lists parts of the previous line's total;
  rates ("per month", "bình quân … mỗi ngày") are never parts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from analysis.draft.ratios import Figure, group_figures
from analysis.draft.scan import Token

__all__ = ["Figure", "LineBounds", "pair_line", "parts_of_previous_line"]

# A sentence end (ratios.SENTENCE_END), capturing where its capital letter stands (a
# sentence end counts before a position only when that letter does).
_SENTENCE_END_AT = re.compile(r"[.!?…](?:\*+)?\s+(?=[\"“(*]*([A-ZÀ-ỸĐ]))")
# How far a clause reaches either side of a figure at most: a real clause is far shorter,
# and the bound keeps drafting linear in a line with no punctuation at all.
MAX_CLAUSE = 600
PART_MARKERS = {"vi": r"trong\s+đó|trong\s+số\s+(?:này|đó)",
                "en": r"of\s+which|including|of\s+the\s+number|of\s+these|of\s+them|"
                      r"among\s+them"}
_PART_MARKERS = {language: re.compile(pattern, re.IGNORECASE)
                 for language, pattern in PART_MARKERS.items()}
REMAINDER_BEFORE = {"vi": r"(?:vẫn\s+)?còn(?:\s+lại)?(?:\s+là)?\s*$",
                    "en": r"(?:remaining|still|left)\s*$"}
_PARENTHESIS_AFTER = re.compile(r"[^()\d;.]{0,60}?\(")


class LineBounds:
    """A line's semicolons, sentence ends and closing parentheses, found once per line.

    Every question about "the clause around", "the next sentence end" or "a ';' between"
    is a binary search here, not a scan of the line, so a line costs time in proportion to
    its length however many figures it holds.
    """

    def __init__(self, line: str) -> None:
        self.length = len(line)
        self.semicolons = [m.start() for m in re.finditer(";", line)]
        self.closings = [m.start() for m in re.finditer(r"\)", line)]
        ends = list(_SENTENCE_END_AT.finditer(line))
        self.sentence_starts = [m.start() for m in ends]
        self.sentence_ends = [m.end() for m in ends]
        self.sentence_capitals = [m.start(1) for m in ends]

    @staticmethod
    def _next(positions: list[int], position: int) -> int:
        index = bisect_left(positions, position)
        return positions[index] if index < len(positions) else -1

    def next_sentence_end(self, position: int) -> int:
        """Where the first sentence end at or after `position` starts, or -1."""
        return self._next(self.sentence_starts, position)

    def next_closing(self, position: int) -> int:
        return self._next(self.closings, position)

    def semicolon_between(self, start: int, end: int) -> bool:
        index = bisect_left(self.semicolons, start)
        return index < len(self.semicolons) and self.semicolons[index] < end

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the sentence holding [start, end) (at most MAX_CLAUSE either side)."""
        index = bisect_left(self.sentence_capitals, start) - 1
        left = self.sentence_ends[index] if index >= 0 else 0
        right = self.next_sentence_end(end)
        right = right if right >= 0 else self.length
        return max(left, start - MAX_CLAUSE), min(right, end + MAX_CLAUSE)

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the clause holding [start, end): between ';' or sentence ends."""
        index = bisect_left(self.semicolons, start) - 1
        left = self.semicolons[index] if index >= 0 else 0
        # Sentence ends whose capital letter stands before `start` (their ends are sorted).
        index = bisect_left(self.sentence_capitals, start) - 1
        if index >= 0:
            left = max(left, self.sentence_ends[index])
        candidates = [x for x in (self._next(self.semicolons, end),
                                  self.next_sentence_end(end)) if x >= 0]
        right = min(candidates) if candidates else self.length
        return max(left, start - MAX_CLAUSE), min(right, end + MAX_CLAUSE)


class _InOrder:
    """Figures of a line looked up by position: those starting in a span, the last ending
    before a point. Positions are read once, before any figure is rewritten (a rewrite only
    moves a figure's start back before markers already passed)."""

    def __init__(self, figures: list[Figure]) -> None:
        self.figures = figures
        by_start = sorted(range(len(figures)), key=lambda i: figures[i].start)
        self.by_start = by_start
        self.starts = [figures[i].start for i in by_start]
        self.by_end = sorted(range(len(figures)), key=lambda i: figures[i].end)
        self._ended = 0  # how many of by_end end before the last point asked about
        self._last_ended = -1

    def starting_within(self, low: int, high: int, inclusive: bool = False) -> list[Figure]:
        """Figures with low < start < high (low <= start with `inclusive`), in list order."""
        first = (bisect_left if inclusive else bisect_right)(self.starts, low)
        last = bisect_left(self.starts, high)
        return [self.figures[i] for i in sorted(self.by_start[first:last])]

    def last_ending_by(self, position: int) -> Figure | None:
        """The last figure (in list order) ending at or before `position`; positions asked
        about must not decrease."""
        while self._ended < len(self.by_end) and \
                self.figures[self.by_end[self._ended]].end <= position:
            self._last_ended = max(self._last_ended, self.by_end[self._ended])
            self._ended += 1
        return self.figures[self._last_ended] if self._last_ended >= 0 else None


def _parts(line: str, figures: list[Figure], language: str, bounds: LineBounds) -> None:
    markers = [m.start() for m in _PART_MARKERS[language].finditer(line)]
    if not markers:
        return
    live = [f for f in figures if not f.consumed]
    in_order = _InOrder(live)
    for number, position in enumerate(markers):
        total = in_order.last_ending_by(position)
        if total is None:
            continue
        sentence_end = bounds.next_sentence_end(position)
        limit = sentence_end if sentence_end >= 0 else len(line)
        if number + 1 < len(markers) and markers[number + 1] < limit:
            # The last figure before the next marker is that marker's total.
            members = in_order.starting_within(position, markers[number + 1])[:-1]
        else:
            members = in_order.starting_within(position, limit)
        # A lone percent after a ";" starts a new statement, no longer a part; a rate ("per
        # month") is never a part of a total.
        members = [f for f in members if not f.is_rate
                   and not (f.is_lone_percent and bounds.semicolon_between(position, f.start))]
        if not members:
            continue
        share_of_total = len(members) == 1 and members[0].value and members[0].percent \
            and total.value and not total.percent and not total.is_change
        if share_of_total:  # "nhận 900 hồ sơ, trong đó trực tuyến 450 hồ sơ, đạt 50%"
            part = members[0]
            part.numerator, part.value, part.denominator = part.value, "", total.value
            part.tokens = total.tokens + part.tokens
            total.consumed = True
            continue
        _link_members(total, members)


def _link_members(total: Figure, members: list[Figure]) -> None:
    counts = [f for f in members if not f.is_lone_percent]
    for member in members:
        if member.is_lone_percent:
            member.relation, member.related = "percent_of", total
        else:
            member.relation = "part_of" if len(counts) > 1 else "subset_of"
            member.related = total


def parts_of_previous_line(line: str, figures: list[Figure], previous: list[Figure],
                           language: str, bounds: LineBounds) -> None:
    """A line opening with "Of which" / "Trong đó" lists parts of the previous line's total."""
    opening = re.match(r"[\s\-+*•]*(?:" + PART_MARKERS[language] + r")\b", line, re.IGNORECASE)
    totals = [f for f in previous if f.main and not f.is_change and not f.is_rate]
    if not opening or not totals:
        return
    sentence_end = bounds.next_sentence_end(opening.end())
    limit = sentence_end if sentence_end >= 0 else len(line)
    members = [f for f in figures if f.start < limit and not f.related and not f.is_rate]
    if members:
        _link_members(totals[-1], members)


def _parenthesised_parts(line: str, figures: list[Figure], bounds: LineBounds) -> None:
    if "(" not in line:
        return
    live = [f for f in figures if not f.consumed]
    in_order = _InOrder(live)
    for whole in live:
        opening = _PARENTHESIS_AFTER.match(line, whole.end)
        if not opening:
            continue
        start = opening.end()
        limits = [x for x in (bounds.next_closing(start), bounds.next_sentence_end(start))
                  if x >= 0]
        limit = min(limits) if limits else len(line)
        members = [f for f in in_order.starting_within(start, limit, inclusive=True)
                   if not f.related and not f.is_rate]
        if not members or any(f.is_lone_percent for f in members):
            continue
        for member in members:
            member.relation = "part_of" if len(members) > 1 else "subset_of"
            member.related = whole


# How far before a figure "còn" / "remaining" is looked for (words, stars, its qualifier).
REMAINDER_REACH = 120


def _remainders(line: str, figures: list[Figure], language: str) -> None:
    live = [f for f in figures if not f.consumed]
    anywhere = re.compile(r"\s" + REMAINDER_BEFORE[language], re.IGNORECASE)
    at_line_start = re.compile(r"(?:^|\s)" + REMAINDER_BEFORE[language], re.IGNORECASE)
    group_total: Figure | None = None  # the total of the last parts printed
    with_base: Figure | None = None  # the last figure with a denominator
    for position, figure in enumerate(live):
        window_start = max(0, figure.start - REMAINDER_REACH)
        before = line[window_start:figure.start].replace("*", "").rstrip()
        if figure.qualifier:
            before = before[:-len(figure.qualifier)].rstrip()
        marker = at_line_start if window_start == 0 else anywhere
        if position > 0 and marker.search(before):
            figure.relation = "remainder_of"
            figure.related = group_total or with_base or live[position - 1]
        if figure.relation in {"part_of", "subset_of"} and figure.related:
            group_total = figure.related
        if figure.denominator:
            with_base = figure


def pair_line(line: str, tokens: list[Token], language: str,
              bounds: LineBounds | None = None) -> list[Figure]:
    """The figures of one line, in printed order, with the relations the text marks."""
    bounds = bounds or LineBounds(line)
    figures = group_figures(line, tokens, language)
    _parts(line, figures, language, bounds)
    figures = [f for f in figures if not f.consumed]
    _parenthesised_parts(line, figures, bounds)
    _remainders(line, figures, language)
    return figures
