import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.numbers import (
    NumberFormatError,
    format_number,
    parse_number,
    parse_number_values,
)


@pytest.mark.parametrize(("text", "language", "value", "decimals", "percent"), [
    ("20.284", "vi", "20284", 0, False),
    ("80,17%", "vi", "80.17", 2, True),
    ("35, 86%", "vi", "35.86", 2, True),          # stray space after the decimal comma
    (" 6.220.864", "vi", "6220864", 0, False),     # stray space after a slash
    ("**89,48%**", "vi", "89.48", 2, True),        # markdown bold markers
    ("09", "vi", "9", 0, False),                   # leading zero
    ("2461", "vi", "2461", 0, False),              # no thousands separator
    ("91,80%", "vi", "91.80", 2, True),            # trailing zero keeps its precision
    ("12 tỷ đồng", "vi", "12000000000", 0, False),
    ("1,5 tỷ đồng", "vi", "1500000000", 1, False),
    ("350 triệu đồng", "vi", "350000000", 0, False),
    ("31.200.000đ", "vi", "31200000", 0, False),
    ("43,55 điểm", "vi", "43.55", 2, False),
    ("tăng 23 bậc", "vi", "23", 0, False),
    ("1,633,840", "en", "1633840", 0, False),
    ("70.12%", "en", "70.12", 2, True),
    ("VND 6.8 billion", "en", "6800000000", 1, False),
    ("one million", "en", "1000000", 0, False),
    ("down 2", "en", "-2", 0, False),
    ("91.5 per cent", "en", "91.5", 1, True),      # the sign spelled out, as English pages do
    ("90 percent", "en", "90", 0, True),
    ("+1.61 points", "en", "1.61", 2, False),      # a printed plus sign reads as "up"
    ("VND36.5 billion", "en", "36500000000", 1, False),  # currency glued to the digits
    ("eleven", "en", "11", 0, False),
])
def test_printed_forms(text, language, value, decimals, percent):
    number = parse_number(text, language)
    assert number.value == Decimal(value)
    assert number.decimals == decimals
    assert number.is_percent is percent


@pytest.mark.parametrize(("text", "language", "message"), [
    ("6.8", "vi", "not a vi number"),        # an English decimal on a Vietnamese page
    ("1,234,5", "vi", "not a vi number"),
    ("6.220.864", "en", "not a en number"),  # a Vietnamese grouping on an English page
    ("tỷ lệ 5", "vi", "'tỷ' is not a vi number"),  # "tỷ lệ" (rate) is not a unit
    ("12 cái", "vi", "unexpected word"),
    ("5 percent", "vi", "unexpected word 'percent'"),  # the spelled-out sign is English only
    ("", "vi", "empty"),
    ("**", "vi", "empty"),
    ("1..2", "vi", "not a vi number"),
    ("nine", "vi", "not a vi number"),       # number words only on English pages
])
def test_rejects_malformed_text(text, language, message):
    with pytest.raises(NumberFormatError, match=message):
        parse_number(text, language)


@given(
    value=st.decimals(min_value=0, max_value=Decimal(10**12) - Decimal("0.001"), places=3,
                      allow_nan=False),  # 15 significant digits at most: more are refused
    decimals=st.integers(min_value=0, max_value=3),
    language=st.sampled_from(["vi", "en"]),
    percent=st.booleans(),
)
def test_format_then_parse_round_trips(value, decimals, language, percent):
    text = format_number(value, decimals, language) + ("%" if percent else "")
    number = parse_number(text, language)
    assert number.value == value.quantize(Decimal(1).scaleb(-decimals))
    assert number.decimals == decimals
    assert number.is_percent is percent


@given(value=st.integers(min_value=10**6, max_value=10**12), language=st.sampled_from(["vi", "en"]))
def test_numbers_with_two_groups_are_rejected_in_the_other_convention(value, language):
    """"20.284" is a valid English decimal, but "6.220.864" can only be Vietnamese.

    So a source registered with the wrong language fails loudly as soon as it prints a
    number of a million or more, instead of being read a thousand times too small.
    """
    text = format_number(Decimal(value), 0, language)
    with pytest.raises(NumberFormatError):
        parse_number(text, "en" if language == "vi" else "vi")


def _agree(text: str, language: str) -> None:
    """parse_number_values is parse_number's reading: same value as a float, same fields."""
    number = parse_number(text, language)
    assert parse_number_values(text, language) == (
        float(number.value), number.decimals, number.is_percent, number.scale, number.direction)


@pytest.mark.parametrize(("text", "language"), [
    ("20.284", "vi"), ("**89,48%**", "vi"), ("09", "vi"), ("0,1", "vi"), ("91,80%", "vi"),
    ("12 tỷ đồng", "vi"), ("1,5 tỷ đồng", "vi"), ("tăng 23 bậc", "vi"), ("35, 86%", "vi"),
    ("1,633,840", "en"), ("down 2", "en"), ("VND 6.8 billion", "en"), ("91.5 per cent", "en"),
    ("999.999.999.999.999", "vi"), ("0,000000000000001", "vi"), ("900.719.925.474,099", "vi"),
])
def test_plain_values_agree_with_the_parser(text, language):
    _agree(text, language)


@given(digits=st.text("0123456789", min_size=1, max_size=15),
       fraction=st.text("0123456789", max_size=15), language=st.sampled_from(["vi", "en"]))
def test_plain_values_agree_with_the_parser_on_any_digits(digits, fraction, language):
    """The float of the plain digits is the float of their Decimal, to the last bit."""
    decimal_mark = "," if language == "vi" else "."
    text = digits + (decimal_mark + fraction if fraction else "")
    try:
        parse_number(text, language)
    except NumberFormatError:
        with pytest.raises(NumberFormatError):
            parse_number_values(text, language)
        return
    _agree(text, language)


@pytest.mark.parametrize(("text", "language"), [("20.28", "vi"), ("6.8", "vi"), ("", "vi"),
                                                ("1" * 16, "en"), ("5", "fr")])
def test_plain_values_refuse_what_the_parser_refuses(text, language):
    with pytest.raises(NumberFormatError) as expected:
        parse_number(text, language)
    with pytest.raises(NumberFormatError, match=re.escape(str(expected.value))):
        parse_number_values(text, language)
