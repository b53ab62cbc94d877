"""Printed number text -> exact value, with the precision it was printed to.

Vietnamese pages group thousands with "." and mark decimals with "," (20.284 is twenty
thousand, 80,17% is 80.17 %); English pages do the opposite. The source register's
language decides which convention applies. The parser is strict on purpose: anything it
does not recognise is an error, because a silently misread figure is worse than a stop.

Tolerated, because the sources print them: markdown bold markers (**89,48%**), stray
spaces around separators ("35, 86%"), leading zeros ("09"), numbers without grouping
("2461"), scale and unit words (tỷ, triệu, đồng, million, VND, points), English number
words ("one million") and a leading direction word for changes (tăng/giảm, up/down).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

Language = Literal["vi", "en"]

SEPARATORS: dict[str, tuple[str, str]] = {"vi": (".", ","), "en": (",", ".")}  # (group, decimal)

SCALE_WORDS: dict[str, int] = {
    "tỷ": 10**9, "tỉ": 10**9, "triệu": 10**6, "nghìn": 10**3, "ngàn": 10**3,
    "billion": 10**9, "million": 10**6, "thousand": 10**3,
}
# Unit words carry no scale; the unit itself is recorded in the indicator catalog.
UNIT_WORDS = {"đồng", "đ", "vnd", "điểm", "bậc", "points", "point", "places", "place"}
DIRECTION_WORDS: dict[str, int] = {"tăng": 1, "giảm": -1, "up": 1, "down": -1}
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
# English pages often spell the sign out: "91.5 per cent", "90 percent".
PERCENT_WORDS = re.compile(r"\s+(?:per\s*cent|percent)$", re.IGNORECASE)


# A DOUBLE holds 15 significant decimal digits exactly; longer numbers are refused, not rounded.
MAX_SIGNIFICANT_DIGITS = 15


class NumberFormatError(ValueError):
    """The text is not a number in the expected printed convention."""


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal  # sign and scale applied
    decimals: int  # digits printed after the decimal mark (91,80% -> 2)
    is_percent: bool
    scale: int = 1  # 10**9 for "tỷ", 1 when no scale word
    direction: int = 0  # +1 / -1 when a direction word was printed, else 0


def _digits_pattern(language: Language) -> re.Pattern[str]:
    group, decimal = (re.escape(s) for s in SEPARATORS[language])
    # Either grouped in threes after a 1-3 digit head, or plain digits; optional decimals.
    # ASCII digits only: "１.７７９" (fullwidth) or other scripts' digits are not figures here.
    return re.compile(rf"^([0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)(?:{decimal}([0-9]+))?$")


def _plain_pattern(language: Language) -> re.Pattern[str]:
    """The shape most printed numbers have ("20.284", "**80,17%**"): parsed without the
    general path's rewriting, which is the parser's cost at a million figures."""
    group, decimal = (re.escape(s) for s in SEPARATORS[language])
    return re.compile(
        rf"^\**([0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)(?:{decimal}([0-9]+))?(%?)\**$")


_PATTERNS = {lang: _digits_pattern(lang) for lang in SEPARATORS}
_PLAIN = {lang: _plain_pattern(lang) for lang in SEPARATORS}
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f]")


def _check_digits(text: str, integer: str, fraction: str) -> None:
    significant = (integer + fraction).lstrip("0")
    if len(significant) > MAX_SIGNIFICANT_DIGITS:
        raise NumberFormatError(
            f"{text!r} has {len(significant)} significant digits; at most "
            f"{MAX_SIGNIFICANT_DIGITS} are stored exactly, so it is refused rather than rounded")


def _plain_digits(text: str, language: Language) -> tuple[str, str, bool] | None:
    """(integer digits, fraction digits, is_percent) when the text has the plain shape."""
    plain = _PLAIN[language].match(text) if language in _PLAIN else None
    if not plain:
        return None
    group, _ = SEPARATORS[language]
    integer, fraction = plain.group(1).replace(group, ""), plain.group(2) or ""
    _check_digits(text, integer, fraction)
    return integer, fraction, bool(plain.group(3))


@lru_cache(maxsize=1 << 16)
def parse_number(text: str, language: Language) -> ParsedNumber:
    """Parse one printed quantity; raise NumberFormatError saying what is wrong."""
    plain = _plain_digits(text, language)
    if plain:
        integer, fraction, is_percent = plain
        return ParsedNumber(value=Decimal(f"{integer}.{fraction}" if fraction else integer),
                            decimals=len(fraction), is_percent=is_percent)
    return _parse_general(text, language)


# parse_number's reading as plain values: (value, decimals, is_percent, scale, direction).
NumberValues = tuple[float, int, bool, int, int]


def parse_number_values(text: str, language: Language) -> NumberValues:
    """parse_number(text, language) as a plain tuple, with the value as a float.

    The raw layer parses half a million distinct texts at a million figures; building a
    Decimal and a dataclass for each was most of that cost. float() of the plain digits
    equals float() of their Decimal: both are the correctly rounded double of one decimal
    number. Any other shape takes parse_number's general path.
    """
    plain = _plain_digits(text, language)
    if plain:
        integer, fraction, is_percent = plain
        return float(f"{integer}.{fraction}" if fraction else integer), len(fraction), \
            is_percent, 1, 0
    number = _parse_general(text, language)
    return float(number.value), number.decimals, number.is_percent, number.scale, number.direction


def _parse_general(text: str, language: Language) -> ParsedNumber:
    if language not in SEPARATORS:
        raise NumberFormatError(f"unknown language {language!r} (expected 'vi' or 'en')")
    cleaned = text.replace("*", "").strip()
    if not cleaned:
        raise NumberFormatError("empty number")
    if not text.isascii():
        foreign = [c for c in _NON_ASCII_DIGIT.findall(text) if c.isdigit() or c.isnumeric()]
        if foreign:
            raise NumberFormatError(f"{text!r} has non-ASCII digits ({''.join(foreign)}); "
                                    "type the digits 0-9")
    group, decimal = SEPARATORS[language]
    # "35, 86%" and "4.203.923/ 6.220.864": a space next to a separator between digits is a typo.
    cleaned = re.sub(r"(?<=[0-9])\s*([.,])\s*(?=[0-9])", r"\1", cleaned)
    if language == "en":
        cleaned = PERCENT_WORDS.sub("%", cleaned)
    is_percent = cleaned.endswith("%")
    if is_percent:
        cleaned = cleaned[:-1].rstrip()
    # "+1.61 points": a printed sign is a direction; "VND36.5 billion": currency glued on.
    cleaned = re.sub(r"^\+(?=[0-9])", "up ", cleaned)
    cleaned = re.sub(r"^(VND)(?=[0-9])", r"\1 ", cleaned, flags=re.IGNORECASE)
    # "31.200.000đ": a unit glued to the digits.
    cleaned = re.sub(r"(?<=[0-9])(đ)$", r" \1", cleaned)
    words = cleaned.split()

    direction = 0
    if words and words[0].lower() in DIRECTION_WORDS:
        direction = DIRECTION_WORDS[words.pop(0).lower()]
    if words and words[0].lower() == "vnd":  # "VND 6.8 billion"
        words.pop(0)
    if not words:
        raise NumberFormatError(f"no digits in {text!r}")

    head, *tail = words
    if head.lower() in NUMBER_WORDS and language == "en":
        digits, decimals = Decimal(NUMBER_WORDS[head.lower()]), 0
    else:
        match = _PATTERNS[language].match(head)
        if not match:
            hint = f"thousands are grouped with {group!r}, decimals marked with {decimal!r}"
            raise NumberFormatError(f"{head!r} is not a {language} number ({hint})")
        integer, fraction = match.group(1), match.group(2) or ""
        _check_digits(text, integer.replace(group, ""), fraction)
        digits = Decimal(integer.replace(group, "") + ("." + fraction if fraction else ""))
        decimals = len(fraction)
    scale = 1
    for word in tail:
        lowered = word.lower()
        if lowered in SCALE_WORDS and scale == 1:
            scale = SCALE_WORDS[lowered]
        elif lowered not in UNIT_WORDS:
            raise NumberFormatError(f"unexpected word {word!r} in {text!r}")
    sign = -1 if direction < 0 else 1
    return ParsedNumber(
        value=sign * digits * scale,
        decimals=decimals,
        is_percent=is_percent,
        scale=scale,
        direction=direction,
    )


def format_number(value: Decimal, decimals: int, language: Language) -> str:
    """Print a non-negative value the way a source in `language` would (inverse of parsing)."""
    group, decimal = SEPARATORS[language]
    quantised = value.quantize(Decimal(1).scaleb(-decimals)) if decimals else value.quantize(1)
    integer, _, fraction = f"{quantised:f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", group)
    return grouped + (decimal + fraction if decimals else "")
