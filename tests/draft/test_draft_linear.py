"""`draft` does work in proportion to its input (issue 19, item 9), checked without a clock.

Speed itself is measured in benchmarks/draft_speed.py (old and new code in one run). Here the
work is counted: the Python and C calls drafting makes (sys.setprofile) grow by about the
factor the text grows, on texts built to hit each place that used to look at every other
figure of the line (clauses, neighbours, "trong đó", parentheses, "còn", "so với", keyword
guesses, repeated figure ids).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from analysis.draft.draft import FigureIds, draft_text

SENTENCE = ("Tiếp nhận {b} hồ sơ, trong đó trực tuyến {a} hồ sơ, đạt 50%; có {a} thôn trên "
            "tổng số {b} thôn có điểm hỗ trợ (cấp huyện 4 điểm, cấp xã 5 điểm), còn 3 thôn "
            "chưa có; kích hoạt {a} tài khoản (đạt 80% so với số đã cấp) ")


def _text(sentences: int, separator: str) -> str:
    return separator.join(SENTENCE.format(a=f"{100 + i % 800}", b=f"{1000 + i % 8000}")
                          for i in range(sentences))


def _calls(work: Callable[[], object]) -> int:
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("separator", [" ", "\n"], ids=["one long line", "many lines"])
def test_work_grows_with_the_text_not_with_its_square(separator: str) -> None:
    def draft(sentences: int) -> Callable[[], object]:
        return lambda: draft_text(_text(sentences, separator), "xx-2099-01", "binh-dinh", "vi")

    draft(5)()  # word lists loaded and regular expressions compiled before counting
    small, large = _calls(draft(60)), _calls(draft(240))
    # Linear work gives 4× (a little less: fixed costs); a scan of the line per figure, 16×.
    assert large / small < 4.5, (small, large)


def test_a_phrase_printed_thousands_of_times_gets_ids_from_a_counter() -> None:
    ids = FigureIds()
    made = [ids.new("xx-2099-01.the-can-cuoc") for _ in range(3000)]
    assert made[:3] == ["xx-2099-01.the-can-cuoc", "xx-2099-01.the-can-cuoc-2",
                        "xx-2099-01.the-can-cuoc-3"]
    assert made[-1] == "xx-2099-01.the-can-cuoc-3000"
    assert ids.tried == 3000, "each id found at the first try"


def test_an_id_taken_by_another_phrase_is_stepped_over() -> None:
    ids = FigureIds()
    made = [ids.new(base) for base in ("s.a-2", "s.a", "s.a", "s.a", "s.a-2")]
    assert made == ["s.a-2", "s.a", "s.a-3", "s.a-4", "s.a-2-2"]


def test_repeated_lines_draft_unique_ids_in_printed_order() -> None:
    rows = draft_text("Đã cấp 50 thẻ căn cước.\n" * 2000, "xx-2099-01", "binh-dinh", "vi").rows
    ids = [row["figure_id"] for row in rows]
    assert len(set(ids)) == len(ids) == 2000
    assert ids[1999] == f"{ids[0]}-2000"
