"""Find the printed quantities of one line, and set aside what only looks like one.

A report's line mixes quantities ("20.284/25.302 hồ sơ, đạt 80,17%") with numbers that
measure nothing: document numbers (Quyết định số 06/QĐ-TTg), dates (15/9/2023,
tháng 6/2024), ages (từ đủ 14 tuổi), level labels (mức độ 2, 3 cấp), section numbers and
slogans ("Công dân 3 có"). Those are masked first, each with the reason a reviewer reads;
whatever number is left is a token: its printed text exactly as the figures file stores
it (bold markers, direction word, scale and money words included), and the qualifier
word printed right before it. Every token's text goes through the project's own parser
(analysis.ingest.numbers.parse_number), so what is drafted is what the raw check accepts.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from analysis.ingest.numbers import NumberFormatError, parse_number

SECTION_MARKER = r"^[\s*\-+•]*\(?[0-9]+(?:\.[0-9]+)*[.)](?=\s|$)"
_DOC_VI = (r"quyết định|nghị quyết|nghị định|công văn|kế hoạch|chỉ thị|thông tư|điện mật|"
           r"phụ lục|đề án|QĐ|NQ")
_MONTHS_EN = (r"January|February|March|April|May|June|July|August|September|October|"
              r"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec")
_YEAR = r"(?:19|20)[0-9]{2}"

_DOCUMENT_CODE = r"(?<![\w.,])[0-9]+(?:/[0-9]{4})?[/-][A-ZĐ][A-Za-zĐđ0-9]*(?:[-/][A-Za-zĐđ0-9]+)*"
# A web address, or a query string left from one ("ID=5572&PageIndex=22").
_ADDRESS = r"(?i:\bhttps?://|\bwww\.)\S+|\b\w+=[\w%.-]*(?:&\w+=[\w%.-]*)*"
_DOC_VI_KEYS = tuple(_DOC_VI.lower().split("|"))
_MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# (pattern, reason, keys); earlier patterns win where two overlap. Every match contains one
# of its keys (lower-cased): a line without any of them skips the pattern, which is where
# most of the scanning time went.
MASKS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "vi": [
        (_ADDRESS, "web address or query string (page furniture)", ("http", "www.", "=")),
        (r"“[^“”]*[0-9][^“”]*”|\"[^\"\n]*[0-9][^\"\n]*\"", "slogan or name in quotation marks",
         ("“", "\"")),
        (SECTION_MARKER, "list or section number", ()),
        (r"(?<![0-9])[0-9]{1,2}:[0-9]{2}(?![0-9])", "time of day", (":",)),
        (rf"(?<![0-9.,/])[0-9]{{1,2}}[/.-][0-9]{{1,2}}[/.-]{_YEAR}(?![0-9])", "date", ()),
        (r"(?i:ngày|chiều|sáng|tối|trưa|đêm|hôm)\s+[0-9]{1,2}[/.][0-9]{1,2}(?![0-9./])", "date",
         ("ngày", "chiều", "sáng", "tối", "trưa", "đêm", "hôm")),
        (rf"(?i:tháng)\s+[0-9]{{1,2}}(?:\s*/\s*{_YEAR}|\s+năm\s+{_YEAR})?(?![0-9])",
         "month name", ("tháng",)),
        (rf"(?i:quý)\s+(?:[IV]+|[0-9])(?:\s*/\s*{_YEAR}|\s+năm\s+{_YEAR})?", "quarter name",
         ("quý",)),
        (rf"(?<![0-9]){_YEAR}\s*[-–]\s*{_YEAR}(?![0-9])", "year range", ("-", "–")),
        (rf"(?i:năm)\s+{_YEAR}(?![0-9])", "year", ("năm",)),
        (rf"(?i:{_DOC_VI})(?:\s+số)?\s+[0-9][0-9A-Za-zĐđ/.\-]*", "document number", _DOC_VI_KEYS),
        (_DOCUMENT_CODE, "document number", ("/", "-")),
        (r"(?<!tổng\s)\b(?i:số)\s+[0-9][0-9.]*(?![0-9,]*\s?%)", "document or item number",
         ("số",)),
        (r"(?i:(?:từ\s+)?(?:đủ\s+)?(?:dưới\s+|trên\s+)?)[0-9]+\s+tuổi", "age", ("tuổi",)),
        (r"(?i:mức\s+độ|mức|cấp\s+độ)\s+[0-9]+", "level label", ("mức", "cấp")),
        (r"(?<![0-9.,])[0-9]+\s+cấp(?!\s+(?:mới|đổi|lại|phát|thẻ|CCCD))\b",
         "names levels (province, district, commune), not a quantity", ("cấp",)),
        (r"(?i:CMND|CCCD|số định danh|điện thoại)\s+[0-9]+\s+số", "label (number of digits)",
         ("cmnd", "cccd", "số định danh", "điện thoại")),
        (r"(?<![0-9.,])[0-9]+\s+(?i:năm|tháng|tuần|quý)(?!\s*[0-9])\b", "length of a period",
         ("năm", "tháng", "tuần", "quý")),
        (r"(?i:công dân)\s+0?[0-9]\s+có", "slogan", ("công dân",)),
        (r"(?<![0-9.,])24/24\s*(?:giờ|h\b|/7)", "slogan (round the clock)", ("24/24",)),
    ],
    "en": [
        (_ADDRESS, "web address or query string (page furniture)", ("http", "www.", "=")),
        (r"(?i:\b(?:hundreds|thousands|tens|dozens|millions)\s+of)(?:\s+(?:thousands|millions)"
         r"\s+of)?", "vague amount (hundreds of …), not a printed figure",
         ("hundreds", "thousands", "tens", "dozens", "millions")),
        (r"(?i:\b(?:eleven|twelve|(?:thir|four|fif|six|seven|eigh|nine)teen|"
         r"(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred)\b)", "number in words beyond "
         "ten: transcribe it by hand if it is a figure",
         ("eleven", "twelve", "teen", "ty", "hundred")),
        (r"“[^“”]*[0-9][^“”]*”|\"[^\"\n]*[0-9][^\"\n]*\"", "slogan or name in quotation marks",
         ("“", "\"")),
        (SECTION_MARKER, "list or section number", ()),
        # "8.876,168" on an English page: a slip of the source, in neither format
        (r"(?<![0-9.,])[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+(?![0-9])", "a number in the "
         "Vietnamese format on an English page (or a slip): transcribe it by hand", (",",)),
        (r"(?<![0-9])[0-9]{1,2}:[0-9]{2}(?![0-9])|(?<![0-9.])[0-9]{1,2}\s*[ap]\.m\.",
         "time of day", (":", ".m.")),
        (rf"(?<![0-9]){_YEAR}-[0-9]{{2}}(?:-[0-9]{{2}})?(?:/[0-9]{{2}})?(?![0-9])", "date",
         ("-",)),
        (rf"(?<![0-9.,/])[0-9]{{1,2}}/[0-9]{{1,2}}/{_YEAR}(?![0-9])", "date", ("/",)),
        (rf"\b(?:{_MONTHS_EN})\.?\s+[0-9]{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?(?![0-9])"
         rf"|(?<![0-9.,])[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS_EN})\b(?:,?\s+{_YEAR})?"
         rf"|\b(?:{_MONTHS_EN})\.?,?\s+{_YEAR}(?![0-9])", "date or month name", _MONTH_KEYS),
        (r"\b(?:Q[1-4]|H[12])\b", "quarter or half-year name", ()),
        (rf"(?<![0-9]){_YEAR}\s*[-–/]\s*(?:{_YEAR}|[0-9]{{2}})(?![0-9])", "year range",
         ("-", "–", "/")),
        (r"(?i:đề án)\s+[0-9][0-9A-Za-z/.\-]*", "document number", ("đề án",)),
        (r"(?i:\b(?:decision|decree|resolution|directive|project|circular|dispatch|plan|"
         r"letter|article(?:\s+id)?|law|no\.))(?:\s+(?:no\.?|number))?(?:\s+|(?<=\.))"
         r"[0-9][0-9A-Za-z/.\-]*",
         "document number",
         ("decision", "decree", "resolution", "directive", "project",
          "circular", "dispatch", "plan", "letter", "article", "law", "no.")),
        (_DOCUMENT_CODE, "document number", ("/", "-")),
        # "the 25 essential services": the name of a list, unless "n of the 25 …" counts in it
        (r"(?<![Oo]f\s)(?<![Oo]f\sthe\s)\b[Tt]he\s+[0-9]+(?=\s+[A-Za-z])(?!\s+(?i:million|"
         r"billion|thousand|percent|per\s+cent|out\s+of|of\b))",
         "names a list (the N …), not a measurement", ("the",)),
        (r"(?i:\baged?s?)\s+(?i:(?:from|between|over|under|above)\s+)?[0-9]+"
         r"|(?<![0-9.,])[0-9]+\s*(?:-year-old|years?\s+old)",
         "age", ("age", "year")),
        (r"(?i:\blevels?)\s+[0-9]+(?:\s+(?:and|or)\s+[0-9]+)?", "level label", ("level",)),
        (r"(?<![0-9.,])[0-9]+(?:\s+|-)(?i:years?|months?|weeks?|days?)\b", "length of a period",
         ("year", "month", "week")),
    ],
}
# Masks whose matches hold no digit: listed as skipped all the same, so a reviewer sees them.
WORD_MASKS = {"vague amount (hundreds of …), not a printed figure",
              "number in words beyond ten: transcribe it by hand if it is a figure"}
_COMPILED = {lang: [(re.compile(p), r, frozenset(k)) for p, r, k in masks]
             for lang, masks in MASKS.items()}


def _key_search(keys: set[str]) -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """One search pattern for which mask keys a lowered line holds, instead of one `in` per
    key: it finds the longest key starting at a position (each search starts one character
    after the last find, so keys inside other keys are seen too); the keys that are its
    prefixes start there as well."""
    ordered = sorted(keys, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, ordered)))
    return pattern, {key: frozenset(k for k in keys if key.startswith(k)) for key in keys}


_KEYS = {lang: _key_search({key for _, _, keys in masks for key in keys})
         for lang, masks in MASKS.items()}


def _keys_in(lowered: str, language: str) -> set[str]:
    pattern, prefixes = _KEYS[language]
    present: set[str] = set()
    match = pattern.search(lowered)
    while match:
        present |= prefixes[match.group()]
        match = pattern.search(lowered, match.start() + 1)
    return present

_NUMBER = {
    "vi": re.compile(
        r"(?<![\w])(?<!\w-)"
        r"(?P<dir>(?i:tăng|giảm)\s+)?"
        r"(?P<core>[0-9]+,\s[0-9]+(?=\s?%)|[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"
        r"|[0-9]+(?:,[0-9]+)?)(?![0-9])"
        r"(?P<pct>\*{0,2}\s?%)?"
        r"(?P<scale>\s+(?:tỷ(?!\s+lệ)|tỉ(?!\s+lệ)|triệu|nghìn|ngàn)(?!\w))?"
        r"(?P<unit>\s*đ(?:ồng)?(?!\w)|\s+bậc(?!\w)|\s+điểm(?!\w))?"
        r"(?!\w)"),
    "en": re.compile(
        r"(?<![\w])(?<!\w-)"
        r"(?P<dir>(?i:up|down)\s+)?"
        r"(?P<vnd>VND\s?)?"
        r"(?P<core>(?i:one|two|three|four|five|six|seven|eight|nine|ten)"
        r"(?=\s+(?i:million|billion|thousand))"
        r"|[0-9]+\.\s[0-9]{1,2}(?=\s?%)"  # "3. 90%": a stray space inside a percent
        r"|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?![0-9])"
        r"(?P<ordinal>st|nd|rd|th)?"
        r"(?P<pct>\*{0,2}\s?%|\s(?i:percent|per\s+cent)(?!\w))?"
        r"(?P<scale>\s+(?i:million|billion|thousand)(?!\w))?"
        r"(?P<unit>\s+VND(?!\w)|\s+đồng(?!\w))?"  # "13.9 billion VND"
        r"(?!\w)"),
}
_DIGIT = re.compile(r"[0-9]")
# Words right before a number that make it a place in a ranking.
_RANK_BEFORE = re.compile(r"(?i:\brank(?:ed|s|ing)?(?:\s+(?:No\.?|number))?|\bNo\.|"
                          r"\bplace[ds]?\s+No\.?|xếp\s+thứ|đứng\s+thứ|xếp\s+hạng|hạng|"
                          r"vị\s+trí\s+thứ|thứ)\s*$")
_YEAR_LIKE = re.compile(r"(?:19[5-9][0-9]|20[0-4][0-9])")


@dataclass
class Token:
    """One printed quantity: where it stands in the line and its text for the figures file."""

    start: int
    end: int
    text: str
    is_percent: bool
    is_change: bool  # printed with a direction word (tăng, giảm, up, down)
    qualifier: str = ""
    is_ordinal: bool = False  # "11th", "thứ 11", "No. 11": a rank, not a count


@dataclass(frozen=True)
class Skip:
    text: str
    reason: str


class _BoldSpans:
    """The line's bold spans (between pairs of `**`), looked up by position."""

    def __init__(self, line: str) -> None:
        markers = [m.span() for m in re.finditer(r"\*{2,3}", line)]
        spans = [(markers[i][1], markers[i + 1][0]) for i in range(0, len(markers) - 1, 2)]
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]

    def holds(self, start: int, end: int) -> bool:
        """Whether [start, end) lies inside one bold span (spans do not overlap)."""
        index = bisect_right(self.starts, start) - 1
        return index >= 0 and end <= self.ends[index]


# How far before a number its qualifier is looked for: enough for the longest qualifier and
# the spaces, stars and quotes around it; a bounded look keeps the scan linear in the line.
QUALIFIER_REACH = 80


def _qualifier(line: str, position: int, qualifiers: list[str]) -> str:
    """The qualifier word printed right before `position` ("hơn", "more than"), or ''."""
    window_start = max(0, position - QUALIFIER_REACH)
    text = line[window_start:position].rstrip(" *\"“'(").lower()
    for word in qualifiers:  # longest first, so "more than" wins over a shorter word
        if not text.endswith(word):
            continue
        if len(text) > len(word):
            if not text[-len(word) - 1].isalnum():
                return word
        elif window_start == 0 or not line[window_start - 1].isalnum():
            return word
    return ""


def _is_heading(line: str) -> bool:
    """A numbered heading names a topic ("4.1. Đối với 25 dịch vụ công thiết yếu")."""
    match = re.match(SECTION_MARKER, line)
    if not match:
        return False
    rest = line[match.end():].strip().strip("*")
    return 0 < len(rest.split()) <= 12 and not rest.endswith((".", ";", ":", ",", ")"))


def _token_text(line: str, match: re.Match[str], bold: _BoldSpans,
                language: str) -> tuple[str, int]:
    """The printed text of a number and where it ends (unit words the sources keep)."""
    core_start = match.start("core")
    core_end = match.end("pct") if match.group("pct") else match.end("core")
    core = line[core_start:core_end]
    if bold.holds(core_start, core_end):
        core = "**" + core.replace("*", "") + "**"
    text, end = core, core_end
    if match.group("scale"):
        text, end = text + match.group("scale"), match.end("scale")
    unit = match.groupdict().get("unit") or ""
    if unit:
        # "43,55 điểm" (a score) keeps its unit; "10 điểm" (ten service points) does not.
        keep = unit.strip() != "điểm" or "," in match.group("core") or \
            line[max(0, match.start() - 40):match.start()].rstrip(" *").lower().endswith("đạt")
        if keep:
            text, end = text + unit, match.end("unit")
    if match.groupdict().get("vnd"):
        text = match.group("vnd") + text
    if match.group("dir"):
        text = match.group("dir") + text
    return text, end


def scan_line(line: str, language: str, qualifiers: list[str]) -> tuple[list[Token], list[Skip]]:
    """Tokens (printed quantities) and skips (non-quantities with a reason) of one line."""
    masked: list[tuple[int, int, str]] = []
    # One byte per character, 1 where a mask covers it: overlap tests cost the mask's length.
    covered = bytearray(len(line))
    present = _keys_in(line.lower(), language)
    for pattern, reason, keys in _COMPILED[language]:
        if keys and keys.isdisjoint(present):
            continue
        for match in pattern.finditer(line):
            start, end = match.span()
            if start == end or (reason not in WORD_MASKS and not _DIGIT.search(match.group())):
                continue
            if covered.find(1, start, end) >= 0:
                continue
            masked.append((start, end, reason))
            covered[start:end] = b"\x01" * (end - start)
    skips = [Skip(line[a:b].strip(), reason) for a, b, reason in sorted(masked)]
    heading = _is_heading(line)
    bold = _BoldSpans(line)
    tokens: list[Token] = []
    for match in _NUMBER[language].finditer(line):
        start = match.start("core")
        if covered[start]:
            continue
        core = match.group("core")
        plain = not (match.group("pct") or match.group("scale") or match.group("dir"))
        if plain and _YEAR_LIKE.fullmatch(core):
            skips.append(Skip(core, "year"))
            continue
        if heading:
            skips.append(Skip(core, "in a section heading (names a list, not a measurement)"))
            continue
        text, end = _token_text(line, match, bold, language)
        try:
            parse_number(text, language)  # type: ignore[arg-type]
        except NumberFormatError as error:
            skips.append(Skip(text, f"not a number the parser accepts ({error})"))
            continue
        is_percent = bool(match.group("pct"))
        is_change = bool(match.group("dir"))
        ordinal = bool(match.groupdict().get("ordinal")) or \
            bool(_RANK_BEFORE.search(line, max(0, match.start() - 30), match.start()))
        tokens.append(Token(
            start=match.start(), end=end, text=text, is_percent=is_percent and not is_change,
            is_change=is_change,
            qualifier="" if is_change else _qualifier(line, match.start(), qualifiers),
            is_ordinal=ordinal and not is_percent))
    return tokens, skips


# Numbers only one of the two formats can print: "1.234.567", "80,17%", "1.234,5" are
# Vietnamese; "1,234,567", "80.17%", "1,234.5" English. "20.284" alone could be either.
_FORMAT_EVIDENCE = {
    "vi": re.compile(r"(?<![\d.,])(?:[0-9]{1,3}(?:\.[0-9]{3}){2,}|[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+"
                     r"|[0-9]+,[0-9]{1,2}\s?%)(?![\d.,]*[0-9])"),
    "en": re.compile(r"(?<![\d.,])(?:[0-9]{1,3}(?:,[0-9]{3}){2,}|[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+"
                     r"|[0-9]+\.[0-9]{1,2}\s?%)(?![\d.,]*[0-9])"),
}


def page_number_format(text: str, language: str) -> tuple[str, int, int]:
    """The number format the page prints, read once for the whole text: the declared
    language's unless the other format's unambiguous numbers outnumber its own (at least
    two of them); with the counts of each."""
    other = "en" if language == "vi" else "vi"
    own_count = len(_FORMAT_EVIDENCE[language].findall(text))
    other_count = len(_FORMAT_EVIDENCE[other].findall(text))
    found = other if other_count >= 2 and other_count > own_count else language
    return found, own_count, other_count
