"""How the pages present numbers, sentences, tables and charts to a reader.

One number format per page, the sources' own: Vietnamese (`.` groups thousands, `,` marks
decimals). Charts get it from Vega's locale (``chart_display.EMBED_OPTIONS["formatLocale"]``);
tables and prose get it from :func:`number`, which reads the same separators, so the two
cannot drift apart.

Every sentence and table header is Vietnamese with English beside it (:func:`bilingual`,
:func:`table`); every chart is shown with its sources and its data as a CSV download
(:class:`ChartBlock`), so a reader can trace each mark to a document and check it offline.
"""

from __future__ import annotations

import html
import math
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import altair as alt
import pandas as pd
from IPython.display import HTML, Markdown

from analysis.report.kit import chart_display

LOCALE: dict[str, Any] = chart_display.EMBED_OPTIONS["formatLocale"]
DATE_FORMAT = "%Y-%m-%d"  # as-of dates are written ISO, as in the raw files

# --- numbers and dates -----------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, decimals: int = 0, *, trim: bool = False) -> str:
    """``value`` in the page's number format (``1.234,5``); "" for a missing value.

    ``trim`` drops trailing zero decimals (``80,50`` → ``80,5``, ``25,00`` → ``25``).
    """
    if _missing(value):
        return ""
    text = f"{abs(float(value)):,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    # Python writes 1,234.5: swap to the locale's separators through a placeholder.
    text = text.replace(",", "\0").replace(".", LOCALE["decimal"]).replace(
        "\0", LOCALE["thousands"])
    negative = float(value) < 0 and text.strip("0" + LOCALE["decimal"]) != ""
    return (LOCALE.get("minus", "-") if negative else "") + text


def percent(value: Any, decimals: int = 1) -> str:
    """A percentage (already in percent units) with the locale's percent sign."""
    text = number(value, decimals, trim=True)
    return text + LOCALE.get("percent", "%") if text else ""


def day(value: Any) -> str:
    """A date as ``YYYY-MM-DD``; "" when missing."""
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value[:10]
    return pd.Timestamp(value).strftime(DATE_FORMAT)


# A number in machine-written text (the rules' arithmetic: "17281/18572 = 93.05 %"), not part
# of a date or an identifier.
_MACHINE_NUMBER = re.compile(r"(?<![\w.\-])(-?\d+)(?:\.(\d+))?(?![\w\-]|\.\d)")


def localise_numbers(text: Any) -> Any:
    """Machine-written English numbers in ``text`` in the page's format (``93.05`` →
    ``93,05``, ``153221`` → ``153.221``). Only for text the project writes itself: printed
    figures keep their own format, and a quoted ``153.221`` would be misread."""
    if not isinstance(text, str):
        return text

    def swap(match: re.Match[str]) -> str:
        whole, fraction = match.group(1), match.group(2) or ""
        return number(float(f"{whole}.{fraction or 0}"), len(fraction))

    return _MACHINE_NUMBER.sub(swap, text)


# --- sentences -------------------------------------------------------------------------------


def bilingual_text(vi: str, en: str) -> str:
    """Markdown: the Vietnamese sentence, the English one beside it in italics."""
    return f"{vi}\n\n*{en.strip()}*"


def bilingual(vi: str, en: str) -> Markdown:
    return Markdown(bilingual_text(vi, en))


# --- tables ----------------------------------------------------------------------------------

# Column headers, Vietnamese first, English beside it. A table refuses a column missing here,
# so no snake_case name reaches a reader.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "locality_id": ("Mã địa phương", "locality id"),
    "locality_vi": ("Địa phương", "locality"),
    "name_vi": ("Tên", "name (Vietnamese)"),
    "name_en": ("Tên tiếng Anh", "name (English)"),
    "locality_en": ("Tên tiếng Anh", "locality (English)"),
    "admin_level": ("Cấp hành chính", "admin level"),
    "parent_id": ("Thuộc", "part of"),
    "gso_code": ("Mã GSO", "GSO code"),
    "successor_2025": ("Đơn vị kế thừa (2025)", "successor unit (2025)"),
    "population": ("Dân số", "population"),
    "population_basis": ("Cơ sở dân số", "population basis"),
    "population_as_of": ("Dân số tính đến", "population as of"),
    "population_source": ("Nguồn số dân", "population source"),
    "source_id": ("Nguồn", "source"),
    "kind": ("Loại", "kind"),
    "language": ("Ngôn ngữ", "language"),
    "publisher": ("Cơ quan đăng", "publisher"),
    "published_on": ("Ngày đăng", "published on"),
    "published_basis": ("Ngày đăng: in hay suy ra", "date printed or inferred"),
    "published_precision": ("Độ chính xác ngày", "date precision"),
    "first_as_of": ("Số liệu từ ngày", "earliest as-of date"),
    "last_as_of": ("Số liệu đến ngày", "latest as-of date"),
    "figures": ("Số liệu", "figures"),
    "dates": ("Số ngày số liệu", "as-of dates"),
    "as_of": ("Tính đến", "as of"),
    "indicator_vi": ("Chỉ tiêu", "indicator"),
    "indicator_en": ("Chỉ tiêu (tiếng Anh)", "indicator"),
    "breakdown": ("Phạm vi", "part covered"),
    "printed": ("Số in", "as printed"),
    "value": ("Giá trị", "value"),
    "value_text": ("Giá trị", "value"),
    "role": ("Kết quả hay chỉ tiêu", "result or target"),
    "unit": ("Đơn vị", "unit"),
    "base_vi": ("Cơ sở (mẫu số)", "base"),
    "base_en": ("Cơ sở (tiếng Anh)", "base"),
    "locator": ("Vị trí trong nguồn", "locator"),
    "figure_id": ("Mã số liệu", "figure id"),
    "series_id": ("Mã chuỗi", "series id"),
    "comparable": ("So sánh được", "comparable"),
    "not_comparable_because": ("Lý do không so sánh", "why not comparable"),
    "rule": ("Quy tắc", "rule"),
    "severity": ("Mức độ", "severity"),
    "observed": ("Quan sát", "observed"),
    "expected": ("Kỳ vọng", "expected"),
    "erratum_id": ("Đính chính", "erratum"),
    "erratum_ids": ("Đính chính", "errata"),
    "action": ("Xử lý", "action"),
    "rules": ("Quy tắc", "rules"),
    "evidence": ("Bằng chứng", "evidence"),
    "explanation": ("Giải thích", "explanation"),
    "layer": ("Lớp", "layer"),
    "applicable": ("Số kiểm tra", "checks"),
    "failed": ("Không đạt", "failed"),
    "explained": ("Đã giải thích", "explained"),
    "unexplained": ("Chưa giải thích", "unexplained"),
    "note": ("Ghi chú", "note"),
    "printed_numerator": ("Tử số in", "printed numerator"),
    "used_numerator": ("Tử số dùng", "numerator used"),
    "printed_denominator": ("Mẫu số in", "printed denominator"),
    "used_denominator": ("Mẫu số dùng", "denominator used"),
    "printed_value": ("Giá trị in", "printed value"),
    "used_value": ("Giá trị dùng", "value used"),
    "printed_pct": ("% in", "printed %"),
    "used_pct": ("% dùng", "% used"),
    "share_basis": ("% in hay tính", "% printed or computed"),
    "is_corrected": ("Đã sửa", "corrected"),
    "withheld_fields": ("Trường bị giữ lại", "withheld fields"),
    "indicator_id": ("Mã chỉ tiêu", "indicator id"),
    "source_a": ("Nguồn A", "source A"),
    "as_of_a": ("Ngày A", "as of A"),
    "printed_a": ("Số in A", "printed A"),
    "source_b": ("Nguồn B", "source B"),
    "as_of_b": ("Ngày B", "as of B"),
    "printed_b": ("Số in B", "printed B"),
    "days_apart": ("Cách nhau (ngày)", "days apart"),
    "agree": ("Khớp", "agree"),
    "preferred_figure": ("Số liệu được dùng", "preferred figure"),
    "preferred_because": ("Lý do", "why preferred"),
    "rounded": ("Làm tròn", "rounded"),
    "truncated": ("Cắt bớt", "truncated"),
    "either": ("Cả hai", "either"),
    "mismatched": ("Không khớp", "mismatched"),
}
YES_NO = ("có · yes", "không · no")
_TABLE_CSS = """<style>
.de-an-06-table { overflow-x: auto; max-width: 100%; margin: 0.4rem 0 1rem; }
.jp-RenderedHTMLCommon .de-an-06-table table { table-layout: auto; margin: 0;
  border-collapse: collapse; font-size: 0.85rem; }
.jp-RenderedHTMLCommon .de-an-06-table th, .jp-RenderedHTMLCommon .de-an-06-table td {
  text-align: left; vertical-align: top; white-space: normal; overflow-wrap: anywhere;
  max-width: 26em; padding: 0.3em 0.5em; }
.jp-RenderedHTMLCommon .de-an-06-table th { overflow-wrap: normal; hyphens: auto; }
/* ids break only at their hyphens and dots where the column is narrow */
.jp-RenderedHTMLCommon .de-an-06-table td.code { white-space: normal; overflow-wrap: normal;
  word-break: normal; }
.jp-RenderedHTMLCommon .de-an-06-table td.num { text-align: right; white-space: nowrap; }
.jp-RenderedHTMLCommon .de-an-06-table th .en, .de-an-06-en { font-weight: normal;
  color: #57606a; font-style: italic; }
.de-an-06-chart-notes { font-size: 0.85rem; color: #424a53; margin: -0.4rem 0 1.2rem; }
</style>"""


def header(column: str, labels: Mapping[str, tuple[str, str]] | None = None) -> str:
    vi, en = {**COLUMN_LABELS, **(labels or {})}.get(column, (None, None))
    if vi is None:
        raise KeyError(f"column {column!r} has no Vietnamese/English header: add it to "
                       "presentation.COLUMN_LABELS or pass labels=")
    return (f'{html.escape(vi)}<br><span class="en">{html.escape(en)}</span>')


def cell(value: Any, decimals: int | None = None) -> tuple[str, bool]:
    """(HTML text, is numeric) for one table cell in the page's formats."""
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist")
                                            and not isinstance(value, (str, bytes))
                                            and getattr(value, "ndim", 0) > 0):
        return html.escape(", ".join(str(v) for v in list(value))), False
    if _missing(value):
        return "", False
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return YES_NO[0] if value else YES_NO[1], False
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return day(value), False
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        number_value = float(value)
        if decimals is None:
            decimals = 0 if math.isclose(number_value, round(number_value)) else 2
        return number(number_value, decimals, trim=decimals > 0), True
    text = html.escape(str(value))
    # Identifiers (rule names, figure ids) may break after an underscore, not mid-word.
    return (text.replace("_", "_<wbr>") if " " not in text else text), False


def _td(text: str, numeric: bool) -> str:
    if numeric:
        return f'<td class="num">{text}</td>'
    # Short codes and dates (hn-2023-02-28) stay on one line; longer words may break.
    if text and len(text) <= 14 and " " not in text:
        return f'<td class="code">{text}</td>'
    return f"<td>{text}</td>"


def table(frame: pd.DataFrame, columns: Iterable[str] | None = None, *,
          labels: Mapping[str, tuple[str, str]] | None = None,
          decimals: Mapping[str, int] | None = None, summary: str | None = None) -> HTML:
    """An HTML table a reader can use: no index, empty cells for missing values, bilingual
    headers, numbers and dates in the page's format, long text wrapped, and a horizontal
    scroll bar instead of a table cut off on the right."""
    columns = list(columns if columns is not None else frame.columns)
    heads = "".join(f"<th>{header(c, labels)}</th>" for c in columns)
    rows = []
    for record in frame[columns].itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, record, strict=True):
            text, numeric = cell(value, (decimals or {}).get(column))
            cells.append(_td(text, numeric))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(columns)}">không có · none</td></tr>')
    body = (f'<div class="de-an-06-table"><table><thead><tr>{heads}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>")
    if summary:  # a long table folded away, opened on demand
        body = f"<details><summary>{html.escape(summary)}</summary>{body}</details>"
    return HTML(_TABLE_CSS + body)


# --- charts with their sources and data ------------------------------------------------------


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def sources_text(data: pd.DataFrame) -> str:
    """'id (publisher, published date); …' for every source behind the rows, in order."""
    if "source_id" not in data:
        return ""
    columns = [c for c in ("source_id", "publisher", "published_on") if c in data]
    unique = data[columns].dropna(subset=["source_id"]).drop_duplicates("source_id")
    if "published_on" in unique:
        unique = unique.sort_values(["published_on", "source_id"])
    parts = []
    for row in unique.itertuples(index=False):
        facts = [str(getattr(row, "publisher", "") or ""), day(getattr(row, "published_on", None))]
        facts = [fact for fact in facts if fact]
        parts.append(f"{row.source_id} ({', '.join(facts)})" if facts else str(row.source_id))
    return "; ".join(parts)


def csv_text(data: pd.DataFrame) -> str:
    """The rows behind a chart as CSV: machine-readable numbers and ISO dates; text that a
    spreadsheet would run as a formula gets a leading apostrophe (as in the package's CSV
    files: analysis.publish.spreadsheet_safe)."""
    from analysis.publish.spreadsheet_safe import neutralise

    out = data.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime(DATE_FORMAT)
        elif not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out.to_csv(index=False, lineterminator="\n")


def data_uri(text: str) -> str:
    # A byte-order mark so that spreadsheet programs read the Vietnamese text as UTF-8.
    return "data:text/csv;charset=utf-8," + urllib.parse.quote("\ufeff" + text)


@dataclass
class ChartBlock:
    """A chart shown with what it is drawn from: its sources beneath it, and its rows as a
    CSV download (a data: URI, so it works offline and needs no file beside the page)."""

    chart: Any
    data: pd.DataFrame
    name: str
    notes: list[str] = field(default_factory=list)  # extra lines beneath, already bilingual

    def footer_html(self) -> str:
        sources = sources_text(self.data)
        lines = []
        if sources:
            lines.append(f"<strong>Nguồn · Sources:</strong> {html.escape(sources)}")
        lines += [html.escape(note) for note in self.notes]
        rows = len(self.data)
        lines.append(
            f'<a class="de-an-06-csv" download="{html.escape(self.name)}.csv" '
            f'href="{data_uri(csv_text(self.data))}">Tải dữ liệu của biểu đồ (CSV, {rows} dòng) '
            f'· <span class="de-an-06-en">download the chart\'s data (CSV, {rows} rows)</span></a>')
        return (f'{_TABLE_CSS}<div class="de-an-06-chart-notes">'
                + "<br>".join(lines) + "</div>")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        # What Altair's own _repr_mimebundle_ does, without checking the whole spec against
        # the Vega-Lite schema (about a second a page). The charts' code, not the data,
        # decides whether a spec is valid: tests/report/test_reports_browser.py checks every spec
        # of the rendered pages against the schema, and the browser tests draw them.
        spec = self.chart.to_dict(validate=False, context={"pre_transform": False})
        bundle = alt.renderers.get()(spec)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        data["text/html"] = data.get("text/html", "") + "\n" + self.footer_html()
        return data, metadata

    def to_dict(self) -> dict[str, Any]:
        return self.chart.to_dict()
