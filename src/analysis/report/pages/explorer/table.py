"""The explorer's table of points: one block of text lines per point (the point, what was
printed, the population behind a per-person value, its source and where to open it)."""

from __future__ import annotations

import textwrap
import urllib.parse

import pandas as pd

from analysis.report.kit import charts, presentation

PER_PERSON_UNIT = "per_1000_residents"
TABLE_WIDTH = 46  # characters per line of the table (fits a 400 px page)


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])]
    return frame.astype(dict.fromkeys(text, object))


def _host(url: object) -> str:
    host = urllib.parse.urlsplit(url).hostname if isinstance(url, str) else None
    return host.removeprefix("www.") if host else ""


def display_columns(points: pd.DataFrame) -> pd.DataFrame:
    out = points.copy()
    per_person = out["unit"] == PER_PERSON_UNIT
    unit_word = out["unit_label_vi"].where(out["unit"] != "percent", "")
    out["value_line"] = (out["value_text"] + " " + unit_word.fillna("")).str.strip()
    # A kind best at its lowest number (a rank) is drawn on a reversed axis by plotting its
    # negative: rank 1 at the top.
    out["y"] = out["value"].where(~out["kind_lower_is_better"].astype(bool), -out["value"])
    base = [
        (f"dân số · population {presentation.number(v)} ({presentation.day(d)}, {s})"
         if pp else "")
        for pp, v, d, s in zip(per_person, out["base_value"], out["base_as_of"],
                               out["base_source_id"], strict=True)]
    out["base_line"] = base
    out["role"] = out["is_target"].map(charts.ROLE)
    out["host"] = out["reference"].map(_host)
    out["as_of"] = out["as_of"].dt.strftime("%Y-%m-%d")
    for column in ("published_on", "base_as_of", "period_start", "period_end"):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    out["table_text"] = [_table_text(row) for row in out.to_dict("records")]
    return _objects(out.sort_values(["option", "is_national", "locality_vi", "as_of"],
                                    ascending=[True, False, True, True]).reset_index(drop=True))


def _table_text(row: dict) -> list[str]:
    """One row of the table as lines: the point, its source, where to open it."""
    head = f"{row['locality_vi']} · {row['as_of']} · {row['value_line']}"
    if row["is_target"]:
        head += " (chỉ tiêu · target)"
    lines = textwrap.wrap(head, TABLE_WIDTH) or [""]
    lines += textwrap.wrap(f"số in · printed: {row['printed']}", TABLE_WIDTH)
    if row["base_line"]:
        lines += textwrap.wrap(row["base_line"], TABLE_WIDTH)
    lines += textwrap.wrap(f"{row['source_id']}: {row['title'] or ''}", TABLE_WIDTH)
    lines += textwrap.wrap(f"{row['publisher']}, {row['published_on']} · {row['host']} ↗",
                           TABLE_WIDTH)
    return lines


def table_lines(points: pd.DataFrame) -> pd.DataFrame:
    """The table as one row per text line (a point takes several), so that a table's height
    follows its number of lines: the table chart's rows are a band of fixed step. A line
    names its point (`point`, the row of `points`); option, colour and address are looked up
    from the points rather than repeated on every line."""
    rows = []
    for point, lines in enumerate(points["table_text"]):
        for number, text in enumerate([*lines, " "]):
            rows.append({"point": point, "line": len(rows), "text": text,
                         "first": number == 0})
    return pd.DataFrame(rows)
