"""Group a line's printed quantities into figures, the way the sources print them.

- "X/Y" (also "X trên Y", "X sổ/Y dữ liệu", English "X of Y") is one ratio;
- a percent after a figure in the same clause ("…, đạt Z%", "(chiếm tỷ lệ Z%)") is its percent;
- "so với Y" and "trên tổng số Y" after a figure give its denominator; "so với" followed by
  words (no number) points back at the figure printed just before;
- "trong đó" lists parts of the total printed before it (a lone percent there is a share of
  that total; a single part with its own percent is read as part/total);
- figures in a parenthesis right after a figure are its parts; "còn" marks a remainder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.draft.scan import Token

SENTENCE_END = re.compile(r"[.!?…](?:\*+)?\s+(?=[\"“(*]*[A-ZÀ-ỸĐ])")
PART_MARKERS = {"vi": r"trong\s+đó", "en": r"of\s+which|including"}
REMAINDER_BEFORE = {"vi": r"(?:vẫn\s+)?còn(?:\s+lại)?(?:\s+là)?\s*$",
                    "en": r"(?:remaining|still|left)\s*$"}
# What links a percent to the figure before it: "…, đạt Z%", "(chiếm tỷ lệ Z%)", "25 of 25, 100%".
PERCENT_CUE = {"vi": r"đạt|t[ỷỉ] lệ|chiếm|bằng|\(|\blà\s*$",
               "en": r"\(|printed|representing|reaching|^[^\w]*$|^,\s*$"}
BASE_MARKER = r"(?P<words>[^\d;.,()%]{0,30}?)\(?\s*(?:\bso với|\btrên)\s+(?:tổng\s+số\s+)?"
RATIO_GAP = {"vi": r"\s*/\s*|\s+trên\s+", "en": r"\s*/\s*|\s+(?:out\s+)?of\s+"}
# "so với" followed by one of these compares with a period or a plan, not with a base.
NOT_A_BASE = r"(?i:cùng\s+kỳ|năm|tháng|quý|kỳ|chỉ\s+tiêu|kế\s+hoạch|mục\s+tiêu|bình\s+quân|" \
             r"trung\s+bình|đầu\s+năm|target|plan|last|the\s+previous)"


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
            if re.fullmatch(RATIO_GAP[language], gap) or word_ratio:
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


def _attach_percents(line: str, figures: list[Figure], language: str) -> list[Figure]:
    kept: list[Figure] = []
    for figure in figures:
        previous = kept[-1] if kept else None
        if figure.is_lone_percent and previous and not previous.percent \
                and not previous.is_lone_percent and not previous.is_change:
            gap = line[previous.end:figure.start]
            if not _crosses_clause(gap) and _words(gap) <= 20 and re.search(
                    PERCENT_CUE[language], gap.replace("*", ""), re.IGNORECASE):
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


def _bases(line: str, figures: list[Figure], language: str) -> None:
    """ "so với Y", "trên tổng số Y": the denominator of the figure printed before."""
    if language != "vi":
        return
    for position, figure in enumerate(figures):
        if figure.denominator or figure.is_change or figure.consumed or not figure.main:
            continue
        rest = line[figure.end:]
        # "35, 86% so với 7.698", "9 thôn trên tổng số 12 thôn": a few words at most between.
        marker = re.match(BASE_MARKER, rest, re.IGNORECASE)
        if not marker:
            continue
        following = figures[position + 1] if position + 1 < len(figures) else None
        gap_to_next = line[figure.end + marker.end():following.start] if following else None
        if following and following.value and not following.percent and not following.is_change \
                and not following.consumed \
                and gap_to_next is not None and not gap_to_next.strip(" *"):
            figure.numerator, figure.value = figure.main, ""
            figure.denominator = following.value
            figure.tokens.extend(following.tokens)
            following.consumed = True
            continue
        words_after = rest[marker.end():]
        earlier = [f for f in figures[:position] if f.main and not f.consumed and not f.is_change]
        back_reference = "so với" in marker.group().lower() and \
            not marker.group("words").strip(" *")
        if figure.percent and figure.value and earlier and back_reference and \
                not re.match(NOT_A_BASE, words_after) and not re.match(r"\s*[0-9*]", words_after):
            figure.numerator, figure.value = figure.value, ""
            figure.denominator = earlier[-1].main
            figure.notes.append("base read from the figure printed before it (so với …): check")


def _parts(line: str, figures: list[Figure], language: str) -> None:
    live = [f for f in figures if not f.consumed]
    markers = [m.start() for m in re.finditer(PART_MARKERS[language], line, re.IGNORECASE)]
    for number, position in enumerate(markers):
        totals = [f for f in live if f.end <= position]
        if not totals:
            continue
        total = totals[-1]
        sentence_end = SENTENCE_END.search(line, position)
        limit = sentence_end.start() if sentence_end else len(line)
        members = [f for f in live if position < f.start < limit]
        if number + 1 < len(markers) and markers[number + 1] < limit:
            members = [f for f in members if f.start < markers[number + 1]][:-1]
        # A lone percent after a ";" starts a new statement, no longer a part.
        members = [f for f in members
                   if not (f.is_lone_percent and ";" in line[position:f.start])]
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
        counts = [f for f in members if not f.is_lone_percent]
        for member in members:
            if member.is_lone_percent:
                member.relation, member.related = "percent_of", total
            else:
                member.relation = "part_of" if len(counts) > 1 else "subset_of"
                member.related = total


def _parenthesised_parts(line: str, figures: list[Figure]) -> None:
    live = [f for f in figures if not f.consumed]
    for whole in live:
        opening = re.match(r"[^()\d;.]{0,60}?\(", line[whole.end:])
        if not opening:
            continue
        start = whole.end + opening.end()
        close = line.find(")", start)
        sentence_end = SENTENCE_END.search(line, start)
        limits = [x for x in (close, sentence_end.start() if sentence_end else -1) if x >= 0]
        limit = min(limits) if limits else len(line)
        members = [f for f in live if start <= f.start < limit and not f.related]
        if not members or any(f.is_lone_percent for f in members):
            continue
        for member in members:
            member.relation = "part_of" if len(members) > 1 else "subset_of"
            member.related = whole


def _remainders(line: str, figures: list[Figure], language: str) -> None:
    live = [f for f in figures if not f.consumed]
    for position, figure in enumerate(live):
        before = line[:figure.start].replace("*", "").rstrip()
        if figure.qualifier:
            before = before[:-len(figure.qualifier)].rstrip()
        if position == 0 or not re.search(r"(?:^|\s)" + REMAINDER_BEFORE[language], before,
                                          re.IGNORECASE):
            continue
        earlier = live[:position]
        group_total = next((f.related for f in reversed(earlier)
                            if f.relation in {"part_of", "subset_of"} and f.related), None)
        with_base = [f for f in earlier if f.denominator]
        figure.relation = "remainder_of"
        figure.related = group_total or (with_base[-1] if with_base else earlier[-1])


def pair_line(line: str, tokens: list[Token], language: str) -> list[Figure]:
    """The figures of one line, in printed order, with the relations the text marks."""
    figures = _attach_percents(line, _make_figures(line, tokens, language), language)
    _bases(line, figures, language)
    figures = [f for f in figures if not f.consumed]
    _parts(line, figures, language)
    figures = [f for f in figures if not f.consumed]
    _parenthesised_parts(line, figures)
    _remainders(line, figures, language)
    return figures
