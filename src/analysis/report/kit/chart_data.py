"""A faster Altair data transformer that writes exactly what Altair's default writes.

Altair turns every chart's DataFrame into JSON values with ``sanitize_pandas_dataframe``: a
copy of the frame, then two or three pandas operations per column, about 1 ms a column. The
pages draw ~90 frames of ~45 columns each, so that alone took seconds of every render. This
transformer reads each column once into Python values instead, by the same rules (missing
→ ``None``, infinite floats → ``None``, datetimes → ISO text, NaT → "", numpy scalars →
Python numbers; object columns take Altair's own steps). A frame with any other dtype, or
one Altair would reject, goes to Altair's own transformer. tests/report/test_chart_data.py checks
the output against Altair's for generated frames of every dtype handled here.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

NAME = "de_an_06_records"
MAX_ROWS = 5000  # Altair's default limit
# Columns Altair turns into objects with missing values as None (pandas' string, boolean,
# categorical and nullable number dtypes).
_AS_OBJECTS = {"str", "string", "category", "boolean", "Int8", "Int16", "Int32", "Int64",
               "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64"}


def _list_if_array(value: Any) -> Any:
    return value.tolist() if isinstance(value, np.ndarray) else value


def _native(value: Any) -> Any:
    """What ``DataFrame.to_dict`` makes of an object cell: Python numbers, never numpy's."""
    if isinstance(value, (np.datetime64, np.timedelta64)):
        raise TypeError("numpy date in an object column")  # left to Altair
    if isinstance(value, np.generic):
        return value.item()
    return value


def _missing_as_none(value: Any) -> Any:
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else value


def _column_values(column: pd.Series) -> list[Any] | None:
    """The column's JSON values as Altair would write them; None if this module cannot."""
    kind = str(column.dtype)
    if kind in _AS_OBJECTS:
        return [_missing_as_none(_native(value)) for value in column.array]
    if kind == "bool" or (column.dtype.kind in "iu" and isinstance(column.dtype, np.dtype)):
        return column.tolist()
    if column.dtype.kind == "f" and isinstance(column.dtype, np.dtype):
        return [value if math.isfinite(value) else None for value in column.tolist()]
    if kind.startswith("datetime64["):
        return ["" if value is pd.NaT else value.isoformat() for value in column]
    if kind == "object":
        # Altair's own steps: pandas re-infers the dtype in apply(), so a missing value can
        # come out as NaN rather than None; few columns are objects, so exactness wins.
        objects = column.astype(object).apply(_list_if_array)
        return [_native(value) for value in objects.where(objects.notnull(), None).tolist()]
    return None


def records(frame: pd.DataFrame) -> list[dict[str, Any]] | None:
    """The frame as Altair's ``{"values": ...}`` rows, or None where Altair must decide."""
    if isinstance(frame.index, pd.MultiIndex) or isinstance(frame.columns, pd.MultiIndex) \
            or not all(isinstance(name, str) for name in frame.columns) \
            or frame.columns.has_duplicates:
        return None
    columns = []
    try:
        for _, column in frame.items():
            values = _column_values(column)
            if values is None:
                return None
            columns.append(values)
    except TypeError:
        return None
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] \
        if columns else [{} for _ in range(len(frame))]


def transformer(data: Any, max_rows: int | None = MAX_ROWS) -> Any:
    """Altair data transformer: pandas frames here, anything else Altair's default."""
    if isinstance(data, pd.DataFrame) and (values := records(data)) is not None:
        if max_rows is not None and len(values) > max_rows:
            raise alt.MaxRowsError.from_limit_rows(len(values), max_rows)
        return {"values": values}
    return alt.default_data_transformer(data, max_rows=max_rows)


def enable() -> None:
    """Make this the active data transformer (idempotent)."""
    if NAME not in alt.data_transformers.names():
        alt.data_transformers.register(NAME, transformer)
    if alt.data_transformers.active != NAME:
        alt.data_transformers.enable(NAME)
