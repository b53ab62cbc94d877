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
import mistune
import pandas as pd
from IPython.display import HTML

from analysis.report.kit import chart_display, labels

LOCALE: dict[str, Any] = chart_display.EMBED_OPTIONS["formatLocale"]
DATE_FORMAT = "%Y-%m-%d"  # as-of dates are written ISO, as in the raw files

# --- numbers and dates -----------------------------------------------------------------------


def missing(value: Any) -> bool:
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
    if missing(value):
        return ""
    text = f"{abs(float(value)):,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    # Python writes 1,234.5: swap to the locale's separators through a placeholder.
    text = text.replace(",", "\0").replace(".", LOCALE["decimal"]).replace(
        "\0", LOCALE["thousands"])
    negative = float(value) < 0 and text.strip("0" + LOCALE["decimal"]) != ""
    return (LOCALE.get("minus", "-") if negative else "") + text


def number_en(value: Any, decimals: int = 0, *, trim: bool = False) -> str:
    """``value`` in English format (``1,234.5``) for the English half of a bilingual text:
    :func:`number` with its separators swapped back (:func:`english_numbers`), so a figure
    reads 6.029 in Vietnamese and 6,029 in English, never the one format in both."""
    return english_numbers(number(value, decimals, trim=trim))


def percent(value: Any, decimals: int = 1) -> str:
    """A percentage (already in percent units) with the locale's percent sign."""
    text = number(value, decimals, trim=True)
    return text + LOCALE.get("percent", "%") if text else ""


def day(value: Any) -> str:
    """A date as ``YYYY-MM-DD``; "" when missing."""
    if missing(value):
        return ""
    if isinstance(value, str):
        return value[:10]
    return pd.Timestamp(value).strftime(DATE_FORMAT)


def date_span(first_day: Any, last_day: Any) -> str:
    """A span of days as its first and last ("2025-01-02 → 2025-04-30"), or one day when they
    agree: a publication known only to a month, a year or a range never reads as a day, and
    the as-of dates of a source read as one span."""
    first, last = day(first_day), day(last_day)
    return first if not last or last == first else f"{first} → {last}"


_PRINTED_WORDS = {**labels.group("qualifier_words")["vi"], **labels.group("printed_words_vi")}
_WORD = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _PRINTED_WORDS), key=len,
                                            reverse=True)) + r")\b", re.IGNORECASE)
# An English-format number: 13,183,991 or 52.7 (not part of a date or an id).
_ENGLISH_NUMBER = re.compile(r"(?<![\w.,\-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w\-])"
                             r"|(?<![\w.,\-])\d+\.\d+(?![\w\-])")


def printed_in_page_format(printed: Any, language: Any) -> str:
    """What the source printed, as the page writes it: a Vietnamese source's text as it is
    ("ít nhất 01", "tăng 4,15%"); an English one's with its numbers in the page's format and
    its words in Vietnamese ("over 52.7 million, 71.4%" → "trên 52,7 triệu, 71,4%"), so the
    qualifier stays with the number it bounds."""
    if missing(printed):
        return ""
    text = str(printed)
    if language != "en":
        return text

    def swap(match: re.Match[str]) -> str:
        return (match.group(0).replace(",", "\0").replace(".", LOCALE["decimal"])
                .replace("\0", LOCALE["thousands"]))

    text = _ENGLISH_NUMBER.sub(swap, text)
    text = _WORD.sub(lambda m: _PRINTED_WORDS[m.group(0).lower()], text)
    return re.sub(r"\s+%", "%", text)


# A number the project wrote in the page's (Vietnamese) format: 1.234.567,8 or 87,5.
_PAGE_NUMBER = re.compile(r"(?<![\w.,\-])(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)(?![\w\-]|[.,]\d)")


def english_numbers(text: str) -> str:
    """An English sentence the project wrote, its numbers in English format (87,5 → 87.5,
    1.234.567 → 1,234,567): one number format per language. Only for text without quoted
    printed figures, whose format is the source's."""
    def swap(match: re.Match[str]) -> str:
        return match.group(0).replace(".", "\0").replace(",", ".").replace("\0", ",")

    return _PAGE_NUMBER.sub(swap, text)


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


# Markdown with raw HTML escaped (mistune's own escaping, and its refusal of javascript: and
# similar links): sentences carry names and labels from the data, and a `<script>` in a
# locality's name must show as text, never run.
_SAFE_MARKDOWN = mistune.create_markdown(escape=True)


def markdown_html(text: str) -> str:
    """``text`` (Markdown whose values come from the data) as HTML in which no markup from
    the data survives: ``<b>`` shows as ``<b>``."""
    return str(_SAFE_MARKDOWN(text))


def prose(text: str) -> HTML:
    """A paragraph (or list) of generated Markdown, shown safely (:func:`markdown_html`)."""
    return HTML(f'<div class="de-an-06-prose">{markdown_html(text)}</div>')


def _inline(text: str) -> str:
    """One sentence as inline HTML (escaped like :func:`markdown_html`, without its <p>)."""
    html_text = markdown_html(text).strip()
    if html_text.startswith("<p>") and html_text.endswith("</p>") \
            and html_text.count("<p>") == 1:
        html_text = html_text[3:-4]
    return html_text


def sentence_list(sentences: Iterable[tuple[str, str]]) -> HTML:
    """Sentences, one item each: the Vietnamese, then its English (``lang="en"``) beside it."""
    items = "".join(f'<li>{_inline(vi)} · <em lang="en">{_inline(en)}</em></li>'
                    for vi, en in sentences)
    return HTML(f'<div class="de-an-06-prose"><ul>{items}</ul></div>')


def bilingual(vi: str, en: str) -> HTML:
    """The Vietnamese sentence, the English one beneath it in italics, marked ``lang="en"``;
    both escaped (:func:`markdown_html`), since they carry text from the data."""
    return HTML(f'<div class="de-an-06-prose">{markdown_html(vi)}'
                f'<div lang="en" class="de-an-06-en">{markdown_html(en.strip())}</div></div>')


# --- tables ----------------------------------------------------------------------------------

# Column headers, Vietnamese first, English beside it. A table refuses a column missing here,
# so no snake_case name reaches a reader.
COLUMN_LABELS: dict[str, tuple[str, str]] = labels.pairs("columns")  # data/labels.yml
YES_NO = (labels.group("yes_no")["yes"], labels.group("yes_no")["no"])
_TABLE_CSS = """<style>
.de-an-06-table { overflow-x: auto; max-width: 100%; margin: 0.4rem 0 1rem; }
.jp-RenderedHTMLCommon .de-an-06-table table { table-layout: auto; margin: 0;
  border-collapse: collapse; font-size: 0.85rem; }
.jp-RenderedHTMLCommon .de-an-06-table th, .jp-RenderedHTMLCommon .de-an-06-table td {
  text-align: left; vertical-align: top; white-space: normal; overflow-wrap: break-word;
  max-width: 26em; padding: 0.3em 0.4em; }
/* break-word, not anywhere: a column never shrinks below its longest word, so a title is
   not cut mid-word ("transformat/ion") to make room; only a word wider than the whole
   column (a long address) breaks. */
.jp-RenderedHTMLCommon .de-an-06-table th { overflow-wrap: normal; word-break: normal;
  hyphens: manual; }
/* ids break only at their hyphens and dots where the column is narrow */
.jp-RenderedHTMLCommon .de-an-06-table td.code { white-space: normal; overflow-wrap: normal;
  word-break: normal; }
.jp-RenderedHTMLCommon .de-an-06-table td.num { text-align: right; white-space: nowrap; }
.jp-RenderedHTMLCommon .de-an-06-table th .en, .de-an-06-en { font-weight: normal;
  color: #57606a; font-style: italic; }
.de-an-06-chart-notes .mono { font-family: monospace; font-size: 0.95em; }
.de-an-06-chart-notes { font-size: 0.85rem; color: #424a53; margin: -0.4rem 0 1.2rem;
  overflow-wrap: anywhere; }
/* On a phone each row becomes a card: every cell on its own line under its header. */
@media (max-width: 600px) {
  .jp-RenderedHTMLCommon .de-an-06-table table, .de-an-06-table thead, .de-an-06-table tbody,
  .de-an-06-table tr, .jp-RenderedHTMLCommon .de-an-06-table td { display: block;
    width: auto; max-width: none; }
  .de-an-06-table thead { display: none; }
  .de-an-06-table tr { border-top: 1px solid #d0d7de; padding: 0.3em 0; }
  .jp-RenderedHTMLCommon .de-an-06-table td { text-align: left; white-space: normal;
    overflow-wrap: anywhere; padding: 0.1em 0.3em; }
  .jp-RenderedHTMLCommon .de-an-06-table td.num { text-align: left; }
  .de-an-06-table td[data-label]::before { content: attr(data-label) ": "; font-weight: 600;
    color: #57606a; }
}
</style>"""


def header(column: str, labels: Mapping[str, tuple[str, str]] | None = None) -> str:
    vi, en = {**COLUMN_LABELS, **(labels or {})}.get(column, (None, None))
    if vi is None:
        raise KeyError(f"column {column!r} has no Vietnamese/English header: add it to "
                       "presentation.COLUMN_LABELS or pass labels=")
    return (f'{html.escape(vi)}<br><span class="en" lang="en">{html.escape(en)}</span>')


def cell(value: Any, decimals: int | None = None) -> tuple[str, bool]:
    """(HTML text, is numeric) for one table cell in the page's formats."""
    if isinstance(value, (list, tuple)) or (hasattr(value, "tolist")
                                            and not isinstance(value, (str, bytes))
                                            and getattr(value, "ndim", 0) > 0):
        return html.escape(", ".join(str(v) for v in list(value))), False
    if missing(value):
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
    return break_at_joints(html.escape(str(value))), False


def break_at_joints(text: str) -> str:
    """HTML text in which identifiers (rule names, figure ids such as
    hn-2025-10-03.received, also in a list of them) may break after an underscore, a hyphen
    or a dot that joins two names, and printed ratios (153.221/152.275) after the slash,
    never mid-word: a browser breaks neither between a hyphen and a digit nor after a dot by
    itself. A date standing alone (2025-04-22) is kept whole."""
    return "".join(part if _DATE.fullmatch(part) else _JOINT.sub("<wbr>", part)
                   for part in _DATE_SPLIT.split(text))


_JOINT = re.compile(r"(?<=[_/-])|(?<=[a-z0-9]\.)(?=[a-z])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_SPLIT = re.compile(r"((?<![\w.-])\d{4}-\d{2}-\d{2}(?![\w.-]))")


def _td(text: str, numeric: bool, label: str = "", lang: str = "") -> str:
    """A cell; ``label`` (its column's header, plain text) heads it where a phone shows each
    row as a card; ``lang`` marks a cell in another language than the page's (English text
    on a Vietnamese page)."""
    attribute = f' data-label="{html.escape(label)}"' if label else ""
    attribute += f' lang="{html.escape(lang)}"' if lang and text else ""
    if numeric:
        return f'<td class="num"{attribute}>{text}</td>'
    # Short codes and dates (hn-2023-02-28) stay on one line; longer words may break.
    if text and len(text) <= 14 and " " not in text:
        return f'<td class="code"{attribute}>{text}</td>'
    return f"<td{attribute}>{text}</td>"


def table(frame: pd.DataFrame, columns: Iterable[str] | None = None, *,
          labels: Mapping[str, tuple[str, str]] | None = None,
          decimals: Mapping[str, int] | None = None, summary: str | None = None,
          links: Mapping[str, str] | None = None,
          languages: Mapping[str, str] | None = None) -> HTML:
    """An HTML table a reader can use: no index, empty cells for missing values, bilingual
    headers, numbers and dates in the page's format, long text wrapped, and a horizontal
    scroll bar instead of a table cut off on the right. ``links`` maps a column to the column
    holding its web address: the cell becomes a link where the address is one. ``languages``
    maps a column to the language of its text where it is not the page's (``{"explanation":
    "en"}``), so a reader's browser and screen reader know it."""
    columns = list(columns if columns is not None else frame.columns)
    heads = "".join(f"<th>{header(c, labels)}</th>" for c in columns)
    plain = {c: " · ".join({**COLUMN_LABELS, **(labels or {})}[c]) for c in columns}
    rows = []
    links = dict(links or {})
    addresses = frame[list(links.values())] if links else None
    for position, record in enumerate(frame[columns].itertuples(index=False, name=None)):
        cells = []
        for column, value in zip(columns, record, strict=True):
            text, numeric = cell(value, (decimals or {}).get(column))
            if column in links and (address := web_address(
                    addresses[links[column]].iat[position])):
                text = f'<a href="{html.escape(address, quote=True)}">{text}</a>'
            cells.append(_td(text, numeric, plain[column], (languages or {}).get(column, "")))
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
    """A file name from a title: letters (Vietnamese ones too, so "Đề án" stays readable)
    and digits, the rest as single hyphens."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:60].strip("-") or "chart"


# A web address standing on its own (at the start, or after a space, ";" or "|").
_ADDRESS = re.compile(r"(?:^|(?<=[\s;|]))https?://[^\s;|<>\"']+", re.IGNORECASE)


def web_address(value: Any) -> str | None:
    """The first web address (http or https) in ``value``, else None: a register may hold a
    file name instead, or list two addresses, and a ``javascript:`` address must never be a
    link."""
    found = _ADDRESS.search(value.strip()) if isinstance(value, str) else None
    return found.group(0) if found else None


def source_html(source_id: str, title: Any = None, publisher: Any = None,
                published_on: Any = None, reference: Any = None) -> str:
    """One source as a reader can open it: its title (a link to its address where it has
    one), publisher, date and id; every part escaped."""
    label = html.escape(str(title)) if isinstance(title, str) and title else html.escape(
        str(source_id))
    address = web_address(reference)
    if address:
        label = f'<a href="{html.escape(address, quote=True)}">{label}</a>'
    facts = [html.escape(str(publisher)) if isinstance(publisher, str) and publisher else "",
             day(published_on), f'<span class="mono">{html.escape(str(source_id))}</span>']
    return f"{label} ({', '.join(fact for fact in facts if fact)})"


SOURCE_COLUMNS = {"source_id": "source_id", "title": "source_title",
                  "publisher": "publisher", "published_on": "published_on",
                  "reference": "source_reference"}


def sources_html(data: pd.DataFrame) -> str:
    """Every source behind the rows, in order of publication: title (linked), publisher,
    date, id; "; " between them."""
    if "source_id" not in data:
        return ""
    present = {key: column for key, column in SOURCE_COLUMNS.items() if column in data}
    unique = data[list(present.values())].dropna(subset=["source_id"]).drop_duplicates(
        "source_id")
    if "published_on" in unique:
        unique = unique.sort_values(["published_on", "source_id"])
    return "; ".join(source_html(**{key: row[column] for key, column in present.items()})
                     for _, row in unique.iterrows())


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


FOLDED_SOURCES = 8  # a chart with more sources lists them folded


@dataclass
class ChartBlock:
    """A chart shown with what it is drawn from: its sources beneath it, and its rows as a
    CSV download (a data: URI, so it works offline and needs no file beside the page)."""

    chart: Any
    data: pd.DataFrame
    name: str
    notes: list[str] = field(default_factory=list)  # extra lines beneath, already bilingual

    def footer_html(self) -> str:
        sources = sources_html(self.data)
        lines = []
        count = self.data["source_id"].nunique() if "source_id" in self.data else 0
        if sources and count > FOLDED_SOURCES:  # a long list folded away, opened on demand
            lines.append(f"<details><summary><strong>Nguồn · Sources:</strong> {count} nguồn "
                         f"(bấm để mở) · {count} sources (click to open)</summary>{sources}"
                         "</details>")
        elif sources:
            lines.append(f"<strong>Nguồn · Sources:</strong> {sources}")
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
