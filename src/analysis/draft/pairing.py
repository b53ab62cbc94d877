"""Group a line's printed quantities into figures, the way the sources print them.

- "X/Y" (also "X trên Y", "X sổ/Y dữ liệu", English "X of Y") is one ratio;
- a percent after a figure in the same clause ("…, đạt Z%", "(chiếm tỷ lệ Z%)") is its percent;
- "so với Y" and "trên tổng số Y" after a figure give its denominator; "so với" followed by
  words (no number) points back at the figure printed just before;
- "trong đó" lists parts of the total printed before it (a lone percent there is a share of
  that total; a single part with its own percent is read as part/total);
- figures in a parenthesis right after a figure are its parts; "còn" marks a remainder;
- English wording: "n … out of a total of N", "out of (the) N …, n …", "n of the N",
  "…, accounting for P%", "P% (n/d records)", "n …, P percent of …";
- "so với chỉ tiêu N" / "of the target N" after a percent: the target is the base;
- a line opening with "Of which" / "Trong đó" lists parts of the previous line's total;
  rates ("per month", "bình quân … mỗi ngày") are never parts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from analysis.draft.scan import Token

SENTENCE_END = re.compile(r"[.!?…](?:\*+)?\s+(?=[\"“(*]*[A-ZÀ-ỸĐ])")
# The same, capturing where its capital letter stands (a sentence end counts before a
# position only when that letter does).
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
# What links a percent to the figure before it: "…, đạt Z%", "(chiếm tỷ lệ Z%)", "25 of 25, 100%".
PERCENT_CUE = {"vi": r"đạt|t[ỷỉ] lệ|chiếm|bằng|\(|\blà\s*$",
               "en": r"\(|printed|representing|reaching|reached|accounting\s+for|"
                     r"equivalent\s+to|equal(?:ling)?\s+to|making\s+up|,\s*or\s*$|"
                     r"^[^\w]*$|^,\s*$"}
# "12,270 medical centres, 96 percent of the country's facilities": a count, then its share.
APPOSITIVE_SHARE = re.compile(r"^\s+[^\d,;.()%]{1,40}?,\s*$")
SHARE_OF_AFTER = re.compile(r"\s+of\b")
BASE_MARKER = r"(?P<words>[^\d;.,()%]{0,30}?)\(?\s*(?:\bso với|\btrên)\s+(?:tổng\s+số\s+)?"
_BASE_MARKER = re.compile(BASE_MARKER, re.IGNORECASE)
RATIO_GAP = {"vi": r"\s*/\s*|\s+trên\s+",
             "en": r"(?:st|nd|rd|th)?(?:\s*/\s*|\s+(?:out\s+)?of\s+(?:a\s+total\s+of\s+|"
                   r"the\s+(?:total\s+(?:number\s+)?of\s+)?)?)"}
# "43,535 online documents out of a total of 88,412": a few words, then "out of".
WORDS_OUT_OF = re.compile(r"\s+[^\d,;.()/:%]{1,40}?\s+out\s+of\s+(?:a\s+total\s+of\s+|"
                          r"the\s+(?:total\s+(?:number\s+)?of\s+)?)?")
# "out of the over 6.22 million accounts created, more than 4.22 million were activated":
# the base printed first.
BASE_FIRST = {"vi": re.compile(r"(?i:trong\s+(?:tổng\s+)?số|trên\s+tổng\s+số)\s*$"),
              "en": re.compile(r"(?i:\bout\s+of(?:\s+a\s+total\s+of|\s+the(?:\s+total)?)?|"
                               r"\bof\s+the\s+total(?:\s+of)?)\s*$")}
# "đạt 80% so với chỉ tiêu 6.250", "80% of the target of 6,250": the target is the base.
TARGET_BASE = {"vi": re.compile(r"\s*(?:\*+\s*)?(?:so\s+với|trên)\s+(?:chỉ\s+tiêu|kế\s+hoạch)"
                                r"(?:\s+(?:được\s+giao|giao|là|đề\s+ra))?\s*(?:\(|:)?\s*$",
                                re.IGNORECASE),
               "en": re.compile(r"\s*(?:of|against)\s+the\s+(?:assigned\s+|set\s+|annual\s+)?"
                                r"(?:target|plan)(?:\s+of)?\s*(?:\(|:)?\s*$", re.IGNORECASE)}
# "177,000 records per month", "8.000 hồ sơ mỗi ngày": a rate, never a part of a total.
RATE_AFTER = re.compile(r"[^\d,;.()%]{0,30}?(?:\bper\s+|\ba\s+|\beach\s+|\bevery\s+|mỗi\s+|"
                        r"/\s*)(?:day|month|week|year|ngày|tháng|tuần|năm)\b", re.IGNORECASE)
RATE_BEFORE = re.compile(r"(?:bình\s+quân|trung\s+bình|average(?:\s+of)?|on\s+average)"
                         r"[^\d,;.()%]{0,20}$", re.IGNORECASE)
# "so với" followed by one of these compares with a period or a plan, not with a base.
NOT_A_BASE = r"(?i:cùng\s+kỳ|năm|tháng|quý|kỳ|chỉ\s+tiêu|kế\s+hoạch|mục\s+tiêu|bình\s+quân|" \
             r"trung\s+bình|đầu\s+năm|target|plan|last|the\s+previous)"
_NOT_A_BASE = re.compile(NOT_A_BASE)
_NUMBER_NEXT = re.compile(r"\s*[0-9*]")
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


@dataclass
class Figure:
    tokens: list[Token]
    numerator: str = ""
    denominator: str = ""
    value: str = ""
    percent: str = ""
    qualifier: str = ""
    relation: str = ""
    related: Figure | None = None
    notes: list[str] = field(default_factory=list)
    consumed: bool = False
    is_rate: bool = False  # "… per month", "bình quân … mỗi ngày": never a part of a total

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @property
    def is_lone_percent(self) -> bool:
        return bool(self.percent) and not (self.numerator or self.value)

    @property
    def is_change(self) -> bool:
        return any(t.is_change for t in self.tokens)

    @property
    def main(self) -> str:
        """The count a later "so với" may point back to."""
        return self.numerator or self.value


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _crosses_clause(gap: str) -> bool:
    return ";" in gap or bool(SENTENCE_END.search(gap + " X"))


def _make_figures(line: str, tokens: list[Token], language: str) -> list[Figure]:
    figures: list[Figure] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        countable = not (token.is_percent or token.is_change)
        if nxt and countable and not (nxt.is_percent or nxt.is_change):
            gap = line[token.end:nxt.start].replace("*", "")
            word_ratio = language == "vi" and re.fullmatch(r"\s+[^\d,;.()/:%]{1,40}?/\s*", gap) \
                and _words(gap) <= 5
            words_out_of = language == "en" and WORDS_OUT_OF.fullmatch(gap) \
                and _words(gap) <= 8
            if re.fullmatch(RATIO_GAP[language], gap) or word_ratio or words_out_of:
                if "trên" in gap:
                    nxt.qualifier = ""
                after = tokens[index + 2:index + 4]
                parallel = word_ratio and len(after) == 2 and all(t.is_percent for t in after) \
                    and re.fullmatch(r"\s+[^\d,;.()/:%]{1,40}?/\s*",
                                     line[after[0].end:after[1].start].replace("*", ""))
                if parallel:  # "1.737 sổ/186.788 dữ liệu (đạt 97,31% sổ/91,80% dữ liệu)"
                    for count, share in zip((token, nxt), after, strict=True):
                        figures.append(Figure([count, share], value=count.text,
                                              percent=share.text, qualifier=count.qualifier))
                    index += 4
                    continue
                figures.append(Figure([token, nxt], numerator=token.text, denominator=nxt.text,
                                      qualifier=token.qualifier))
                index += 2
                continue
        if token.is_percent:
            figures.append(Figure([token], percent=token.text, qualifier=token.qualifier))
        else:
            figures.append(Figure([token], value=token.text, qualifier=token.qualifier))
        index += 1
    return figures


JOINED_COUNTS = {"vi": re.compile(r"\s+[^\d,;.()%]{0,40}?\s+và\s+(?:\*+)?$"),
                 "en": re.compile(r"\s+[^\d,;.()%]{0,40}?\s+and\s+(?:\*+)?$")}


def _after_two_counts(line: str, kept: list[Figure], language: str) -> bool:
    """ "3,315,544 online and 6,856,506 face-to-face applications, reaching 32.6%": the
    percent follows two counts printed as one statement."""
    if len(kept) < 2:
        return False
    first, second = kept[-2], kept[-1]
    if not (first.value and second.value) or first.percent or first.is_change:
        return False
    return bool(JOINED_COUNTS[language].fullmatch(line, first.end, second.start))


def _attach_percents(line: str, figures: list[Figure], language: str) -> list[Figure]:
    kept: list[Figure] = []
    for figure in figures:
        previous = kept[-1] if kept else None
        if figure.is_lone_percent and previous and not previous.percent \
                and not previous.is_lone_percent and not previous.is_change:
            gap = line[previous.end:figure.start]
            cued = not _crosses_clause(gap) and _words(gap) <= 20 and re.search(
                PERCENT_CUE[language], gap.replace("*", ""), re.IGNORECASE)
            appositive = language == "en" and APPOSITIVE_SHARE.match(gap) \
                and _words(gap) <= 4 and SHARE_OF_AFTER.match(line, figure.end)
            joint = _after_two_counts(line, kept, language)
            if (cued or appositive) and joint:
                figure.notes.append("a percent after two counts joined by 'and' / 'và': of "
                                    "their sum, or of one of them? check")
            elif cued or appositive:
                previous.percent = figure.percent
                previous.tokens.extend(figure.tokens)
                continue
        kept.append(figure)
    # "tỉ lệ … là 90%; đã quét 90/100 lượt": the rate first, then the ratio it comes from.
    for first, second in zip(kept, kept[1:], strict=False):
        if first.is_lone_percent and second.denominator and not second.percent:
            before = line[max(0, first.start - 120):first.start].lower()
            gap = line[first.end:second.start]
            if re.search(r"t[ỷỉ] lệ", before) and gap.count(";") == 1 \
                    and not SENTENCE_END.search(gap + " X") and _words(gap) <= 8:
                second.percent = first.percent
                second.tokens = first.tokens + second.tokens
                first.consumed = True
    return [f for f in kept if not f.consumed]


def _base_first(line: str, figures: list[Figure], language: str) -> None:
    """ "out of (the) N …, n …", "Trong tổng số N …, có n …": the base, then the count."""
    for first, second in zip(figures, figures[1:], strict=False):
        if first.consumed or not first.value or first.percent or first.is_change \
                or not second.value or second.denominator or second.is_change:
            continue
        before = line[max(0, first.start - 40):first.start]
        if first.qualifier:
            before = before.rstrip(" *")[:-len(first.qualifier)]
        gap = line[first.end:second.start]
        if BASE_FIRST[language].search(before.rstrip(" *")) and "," in gap \
                and not _crosses_clause(gap) and _words(gap) <= 15:
            second.numerator, second.value = second.value, ""
            second.denominator = first.value
            second.tokens = first.tokens + second.tokens
            first.consumed = True


def _percent_then_ratio(line: str, figures: list[Figure]) -> None:
    """ "reached 45.5% (online 1,234/2,345 records)": the percent of the ratio after it."""
    for first, second in zip(figures, figures[1:], strict=False):
        if not first.is_lone_percent or first.consumed or not second.denominator \
                or second.percent:
            continue
        gap = line[first.end:second.start]
        closing = line.find(")", second.end, second.end + 80)
        if re.fullmatch(r"\s*\*{0,2}\s*\([^()\d]{0,30}", gap) and closing >= 0 \
                and not re.search(r"[0-9]", line[second.end:closing]):
            second.percent = first.percent
            second.qualifier = second.qualifier or first.qualifier
            second.tokens = first.tokens + second.tokens
            first.consumed = True


def _target_bases(line: str, figures: list[Figure], language: str) -> None:
    """ "đạt 80% so với chỉ tiêu 6.250": one figure whose base is the target printed."""
    for first, second in zip(figures, figures[1:], strict=False):
        if first.consumed or not first.percent or first.denominator or first.is_change \
                or not second.value or second.percent or second.is_change:
            continue
        if TARGET_BASE[language].fullmatch(line[first.end:second.start]):
            if first.value:
                first.numerator, first.value = first.value, ""
            first.denominator = second.value
            first.tokens.extend(second.tokens)
            first.notes.append("base is the target printed (chỉ tiêu / target): pick an "
                               "indicator whose base is the target")
            second.consumed = True


def _mark_rates(line: str, figures: list[Figure]) -> None:
    for figure in figures:
        figure.is_rate = bool(RATE_AFTER.match(line, figure.end, figure.end + 60)) or \
            bool(RATE_BEFORE.search(line[max(0, figure.start - 40):figure.start]))


def _bases(line: str, figures: list[Figure], language: str) -> None:
    """ "so với Y", "trên tổng số Y": the denominator of the figure printed before."""
    if language != "vi":
        return
    earlier: Figure | None = None  # the last figure a "so với" may point back to
    for position, figure in enumerate(figures):
        _base(line, figures, position, earlier)
        if figure.main and not figure.consumed and not figure.is_change:
            earlier = figure


def _base(line: str, figures: list[Figure], position: int, earlier: Figure | None) -> None:
    figure = figures[position]
    if figure.denominator or figure.is_change or figure.consumed or not figure.main:
        return
    # "35, 86% so với 7.698", "9 thôn trên tổng số 12 thôn": a few words at most between.
    marker = _BASE_MARKER.match(line, figure.end)
    if not marker:
        return
    following = figures[position + 1] if position + 1 < len(figures) else None
    gap_to_next = line[marker.end():following.start] if following else None
    if following and following.value and not following.percent and not following.is_change \
            and not following.consumed \
            and gap_to_next is not None and not gap_to_next.strip(" *"):
        figure.numerator, figure.value = figure.main, ""
        figure.denominator = following.value
        figure.tokens.extend(following.tokens)
        following.consumed = True
        return
    back_reference = "so với" in marker.group().lower() and \
        not marker.group("words").strip(" *")
    if figure.percent and figure.value and earlier and back_reference and \
            not _NOT_A_BASE.match(line, marker.end()) and \
            not _NUMBER_NEXT.match(line, marker.end()):
        figure.numerator, figure.value = figure.value, ""
        figure.denominator = earlier.main
        figure.notes.append("base read from the figure printed before it (so với …): check")


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
    figures = _make_figures(line, tokens, language)
    _base_first(line, figures, language)
    figures = _attach_percents(line, [f for f in figures if not f.consumed], language)
    _percent_then_ratio(line, figures)
    _target_bases(line, figures, language)
    figures = [f for f in figures if not f.consumed]
    _mark_rates(line, figures)
    _bases(line, figures, language)
    figures = [f for f in figures if not f.consumed]
    _parts(line, figures, language, bounds)
    figures = [f for f in figures if not f.consumed]
    _parenthesised_parts(line, figures, bounds)
    _remainders(line, figures, language)
    return figures
