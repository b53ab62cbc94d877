"""A line's printed quantities grouped into figures: ratios, their percents and bases.

The first step of analysis.draft.pairing (which then links parts to their totals):

- "X/Y" (also "X trên Y", "X sổ/Y dữ liệu", English "X of Y") is one ratio;
- a percent after a figure in the same clause ("…, đạt Z%", "(chiếm tỷ lệ Z%)") is its percent;
- "so với Y" and "trên tổng số Y" after a figure give its denominator; "so với" followed by
  words (no number) points back at the figure printed just before;
- English wording: "n … out of a total of N", "out of (the) N …, n …", "n of the N",
  "…, accounting for P%", "P% (n/d records)", "n …, P percent of …";
- "so với chỉ tiêu N" / "of the target N" after a percent: the target is the base;
- rates ("per month", "bình quân … mỗi ngày") are marked, for they are never parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis.draft.scan import Token

SENTENCE_END = re.compile(r"[.!?…](?:\*+)?\s+(?=[\"“(*]*[A-ZÀ-ỸĐ])")
# What links a percent to the figure before it: "…, đạt Z%", "(chiếm tỷ lệ Z%)", "25 of 25, 100%".
PERCENT_CUE = {"vi": r"đạt|t[ỷỉ] lệ|chiếm|bằng|\(|\blà\s*$",
               "en": r"\(|printed|representing|reaching|reached|accounting\s+for|"
                     r"equivalent\s+to|equal(?:ling)?\s+to|making\s+up|,\s*or\s*$|"
                     r"^[^\w]*$|^,\s*$"}
_PERCENT_CUE = {language: re.compile(cue, re.IGNORECASE) for language, cue in PERCENT_CUE.items()}
# "12,270 medical centres, 96 percent of the country's facilities": a count, then its share.
APPOSITIVE_SHARE = re.compile(r"^\s+[^\d,;.()%]{1,40}?,\s*$")
SHARE_OF_AFTER = re.compile(r"\s+of\b")
BASE_MARKER = r"(?P<words>[^\d;.,()%]{0,30}?)\(?\s*(?:\bso với|\btrên)\s+(?:tổng\s+số\s+)?"
_BASE_MARKER = re.compile(BASE_MARKER, re.IGNORECASE)
RATIO_GAP = {"vi": r"\s*/\s*|\s+trên\s+",
             "en": r"(?:st|nd|rd|th)?(?:\s*/\s*|\s+(?:out\s+)?of\s+(?:a\s+total\s+of\s+|"
                   r"the\s+(?:total\s+(?:number\s+)?of\s+)?)?)"}
_RATIO_GAP = {language: re.compile(gap) for language, gap in RATIO_GAP.items()}
# "9 thôn/12 thôn" with words between: at most a few words, then "/".
_WORD_RATIO = re.compile(r"\s+[^\d,;.()/:%]{1,40}?/\s*")
_WORD = re.compile(r"\w+")
_RATE_WORD = re.compile(r"t[ỷỉ] lệ")
_OPEN_PARENTHESIS_GAP = re.compile(r"\s*\*{0,2}\s*\([^()\d]{0,30}")
_DIGIT = re.compile(r"[0-9]")
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
    return len(_WORD.findall(text))


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
            word_ratio = language == "vi" and _WORD_RATIO.fullmatch(gap) \
                and _words(gap) <= 5
            words_out_of = language == "en" and WORDS_OUT_OF.fullmatch(gap) \
                and _words(gap) <= 8
            if _RATIO_GAP[language].fullmatch(gap) or word_ratio or words_out_of:
                if "trên" in gap:
                    nxt.qualifier = ""
                after = tokens[index + 2:index + 4]
                parallel = word_ratio and len(after) == 2 and all(t.is_percent for t in after) \
                    and _WORD_RATIO.fullmatch(line[after[0].end:after[1].start].replace("*", ""))
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
            cued = not _crosses_clause(gap) and _words(gap) <= 20 and _PERCENT_CUE[language].search(
                gap.replace("*", ""))
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
            if _RATE_WORD.search(before) and gap.count(";") == 1 \
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
        if _OPEN_PARENTHESIS_GAP.fullmatch(gap) and closing >= 0 \
                and not _DIGIT.search(line, second.end, closing):
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



def group_figures(line: str, tokens: list[Token], language: str) -> list[Figure]:
    """The figures of one line, in printed order: ratios, percents and bases read."""
    figures = _make_figures(line, tokens, language)
    _base_first(line, figures, language)
    figures = _attach_percents(line, [f for f in figures if not f.consumed], language)
    _percent_then_ratio(line, figures)
    _target_bases(line, figures, language)
    figures = [f for f in figures if not f.consumed]
    _mark_rates(line, figures)
    _bases(line, figures, language)
    return [f for f in figures if not f.consumed]
