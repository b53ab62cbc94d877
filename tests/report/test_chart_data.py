"""The project's data transformer writes exactly the values Altair's default writes.

Compared by ``repr``, so 1, 1.0 and True, or a numpy float and a Python float, differ.
"""

from __future__ import annotations

import math
from datetime import datetime

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.report.kit import chart_data

ROWS = 6
texts = st.one_of(st.none(), st.text(max_size=8))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6))
times = st.one_of(st.none(), st.datetimes(min_value=datetime(1900, 1, 1),
                                          max_value=datetime(2100, 1, 1)))
objects = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), st.text(max_size=4),
                    st.integers(-5, 5), st.booleans(), st.just(np.float64(2.5)),
                    st.just(np.int64(7)), st.just(np.array([1, 2])), st.just([3, None]))


def _column(kind: str, draw: st.DrawFn) -> pd.Series:
    if kind == "str":
        return pd.Series(draw(st.lists(texts, min_size=ROWS, max_size=ROWS)), dtype="str")
    if kind == "float64":
        return pd.Series(draw(st.lists(floats, min_size=ROWS, max_size=ROWS)), dtype="float64")
    if kind == "int64":
        return pd.Series(draw(st.lists(st.integers(-2**40, 2**40), min_size=ROWS,
                                       max_size=ROWS)), dtype="int64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=ROWS, max_size=ROWS)))
    if kind == "datetime64[us]":
        return pd.Series(draw(st.lists(times, min_size=ROWS, max_size=ROWS)),
                         dtype="datetime64[us]")
    if kind == "object":
        return pd.Series(draw(st.lists(objects, min_size=ROWS, max_size=ROWS)), dtype=object)
    values = draw(st.lists(st.one_of(st.none(), st.integers(-100, 100)), min_size=ROWS,
                           max_size=ROWS))
    if kind == "boolean":
        return pd.Series([None if v is None else v > 0 for v in values], dtype="boolean")
    if kind == "category":
        return pd.Series([None if v is None else f"c{v % 3}" for v in values],
                         dtype="category")
    return pd.Series(values, dtype=kind)  # Int32, Int64, Float64


KINDS = ["str", "float64", "int64", "bool", "datetime64[us]", "object", "boolean", "category",
         "Int32", "Int64", "Float64"]


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    return pd.DataFrame({f"{kind}_{i}": _column(kind, draw) for i, kind in enumerate(kinds)})


@settings(max_examples=300, deadline=None)
@given(frames())
def test_values_are_altairs(frame: pd.DataFrame) -> None:
    assert repr(chart_data.transformer(frame)) == repr(alt.default_data_transformer(frame))


def test_frames_it_cannot_write_go_to_altair() -> None:
    timedeltas = pd.DataFrame({"gap": pd.to_timedelta([1, 2], unit="D")})
    assert chart_data.records(timedeltas) is None
    with pytest.raises(ValueError, match="not supported by Altair"):
        chart_data.transformer(timedeltas)
    assert chart_data.records(pd.DataFrame({0: [1]})) is None  # Altair names columns itself
    assert chart_data.transformer({"values": [{"a": 1}]}) == {"values": [{"a": 1}]}


def test_row_limit_is_altairs() -> None:
    frame = pd.DataFrame({"a": range(chart_data.MAX_ROWS + 1)})
    with pytest.raises(alt.MaxRowsError):
        chart_data.transformer(frame)
    assert len(chart_data.transformer(frame, max_rows=None)["values"]) == len(frame)


def test_charts_use_it() -> None:
    from analysis.report.kit import charts  # noqa: F401 - activates the renderer and the transformer

    assert alt.data_transformers.active == chart_data.NAME
    chart = alt.Chart(pd.DataFrame({"x": [1.5, math.inf]})).mark_point().encode(x="x:Q")
    spec = chart.to_dict()
    assert list(spec["datasets"].values()) == [[{"x": 1.5}, {"x": None}]]
