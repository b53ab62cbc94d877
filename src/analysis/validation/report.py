"""The validation report: one self-contained HTML page for reviewers (no script, no network).

Built only from the public views the validate step fills: ``rules``, ``findings``, ``errata``,
``validation_summary`` and ``rounding_conventions``. Sections: the verdict and why; per layer,
every rule with its counts and what it asserts; every failing check with its arithmetic and the
erratum that explains it (or UNEXPLAINED); the errata register; the rounding conventions per
source.

A failure is fatal exactly as in :func:`analysis.validation.validate.verdict`: an ``error`` that no
erratum explains, or any ``error`` left in the marts (errata should have corrected it).
Stale errata (no longer failing on the printed figures) are fatal too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from analysis.report.kit import labels
from analysis.report.kit.presentation import break_at_joints, number, number_en
from analysis.validation.suites import FRAME_LAYERS

# The page is Vietnamese first, as the notebooks' pages are: every text in Vietnamese, the
# English beside it in an element marked lang="en"; numbers in each language's own format
# (6.029 in the Vietnamese, 6,029 in the English).
LAYERS = {
    "raw": ("Raw: số liệu như bản in", "Raw: the figures as printed"),
    "marts": ("Marts: sau khi áp dụng đính chính", "Marts: after errata corrections"),
    "series": ("Series: khả năng so sánh của các điểm trên biểu đồ",
               "Series: comparability of the points charts draw"),
}
CONVENTIONS = ("rounded", "truncated", "both")


def _pair(label: str) -> tuple[str, str]:
    """A "Vietnamese · English" label of data/labels.yml as (vi, en)."""
    vi, _, en = label.partition(" · ")
    return vi, en or vi


SEVERITY = {code: _pair(label) for code, label in labels.group("severities").items()}
ACTIONS = {code: _pair(label) for code, label in labels.group("erratum_actions").items()}

CSS = """
:root { --fail: #b42318; --fail-bg: #fef3f2; --ok: #067647; --ok-bg: #ecfdf3;
        --warn: #93370d; --warn-bg: #fffaeb; --line: #d0d5dd; --muted: #475467; }
body { font-family: system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #101828;
       max-width: 1200px; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
nav a { margin-right: 1rem; } .muted { color: var(--muted); font-size: 0.9em; }
.verdict { padding: 1rem 1.2rem; border-radius: 8px; border: 2px solid; margin: 1rem 0; }
.verdict.pass { border-color: var(--ok); background: var(--ok-bg); }
.verdict.fail { border-color: var(--fail); background: var(--fail-bg); }
.verdict strong.word { font-size: 1.6rem; letter-spacing: 0.05em; }
table { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1.2rem; font-size: 0.92em; }
/* break-word, not anywhere: a narrow column never shrinks below its longest word ("mart/s"),
   and only a word longer than the whole column is broken. */
th, td { border: 1px solid var(--line); padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; overflow-wrap: break-word; }
/* A wide table scrolls inside its box; the page itself never scrolls sideways. */
.table-wrap { overflow-x: auto; max-width: 100%; }
/* Identifiers break only where <wbr> allows (after _ . -), never inside a word. */
.mono { overflow-wrap: normal; word-break: normal; }
th { background: #f2f4f7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.fatal td { background: var(--fail-bg); } tr.warning td { background: var(--warn-bg); }
tr.explained td { background: #f5f8ff; }
.badge { display: inline-block; padding: 0 0.45rem; border-radius: 4px; font-weight: 700;
         font-size: 0.85em; }
.badge.fatal { background: var(--fail); color: #fff; font-size: 1em; }
.badge.warning { background: var(--warn); color: #fff; }
.badge.explained { background: var(--ok); color: #fff; }
code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
dl.erratum { display: grid; grid-template-columns: 11rem 1fr; gap: 0.25rem 1rem;
  margin: 0 0 1rem; padding: 0.6rem 1rem; border: 1px solid var(--line); border-radius: 6px; }
dl.erratum dt { font-weight: 600; } dl.erratum dd { margin: 0; }
dl.erratum dt.head { grid-column: 1 / -1; font-size: 1.05em; }
th .en, .en { font-weight: normal; color: var(--muted); font-style: italic; }
.badge [lang="en"] { font-weight: normal; }
/* Headers break between words only: never "Sev/erit/y" in a narrow column. */
th { overflow-wrap: normal; word-break: normal; hyphens: manual; }
/* On a phone each table row becomes a card and each erratum one column. */
@media (max-width: 600px) {
  body { margin: 1rem auto; padding: 0 0.5rem; }
  table, thead, tbody, tr, td { display: block; width: auto; }
  thead { display: none; }
  tr { border-top: 2px solid var(--line); }
  td { border: none; } td.num { text-align: left; }
  td[data-label]::before { content: attr(data-label) ": "; font-weight: 600;
    color: var(--muted); }
  dl.erratum { grid-template-columns: 1fr; }
}
"""

def _bilingual(vi: str, en: str) -> str:
    """A header: Vietnamese, the English beneath it marked lang="en"."""
    return f'{escape(vi)}<br><span class="en" lang="en">{escape(en)}</span>'


def _both(vi: str, en: str) -> str:
    """Running text (already HTML): the Vietnamese, then the English marked lang="en"."""
    return f'{vi} · <span class="en" lang="en">{en}</span>'


def _badge(css: str, vi: str, en: str) -> str:
    return (f'<span class="badge {css}">{escape(vi)} · '
            f'<span lang="en">{escape(en)}</span></span>')


def _coded(pairs: dict[str, tuple[str, str]], code: Any) -> str:
    """A code (error, flag) in both languages; an unknown code as it is."""
    if code not in pairs:
        return _text(code)
    vi, en = pairs[code]
    return _both(escape(vi), escape(en))


# Headers, Vietnamese first (page 04 and the notebooks use the same words).
HEADERS = {
    "Rule": "Quy tắc", "Severity": "Mức độ", "What it asserts": "Nội dung kiểm tra",
    "Applicable": "Số kiểm tra", "Failed": "Không đạt", "Explained": "Đã giải thích",
    "Unexplained": "Chưa giải thích", "Status": "Trạng thái", "Layer": "Lớp",
    "Figure": "Số liệu", "Locator": "Vị trí trong nguồn", "As printed": "Số in",
    "Arithmetic": "Phép tính", "Erratum": "Đính chính", "Source": "Nguồn",
    "Rounded": "Làm tròn", "Truncated": "Cắt bớt", "Both": "Cả hai",
    "Percentages matched": "Số phần trăm khớp", "Action": "Xử lý",
    "Rules it explains": "Quy tắc được giải thích", "Figures": "Số liệu",
    "Evidence": "Bằng chứng (tiếng Anh)", "Explanation": "Giải thích",
    "Correction": "Nội dung sửa",
    "Stale detail": "Lý do lỗi thời", "State": "Tình trạng",
}


@dataclass(frozen=True)
class Failure:
    """One failing (layer, rule, figure) check, with the context a reviewer needs."""

    row: dict[str, Any]

    @property
    def fatal(self) -> bool:
        # Same rule as analysis.validation.validate.verdict: errors must be explained in raw
        # and must be gone in the marts and series.
        row = self.row
        return row["severity"] == "error" and (row["layer"] != "raw" or not row["erratum_id"])

    @property
    def status(self) -> tuple[str, str, str]:
        """(css class, Vietnamese label, English label) for the status badge."""
        row = self.row
        if self.fatal:
            if row["erratum_id"]:
                return "fatal", "VẪN SAI SAU KHI SỬA", "STILL FAILS AFTER CORRECTION"
            return "fatal", "CHƯA GIẢI THÍCH", "UNEXPLAINED"
        if not row["erratum_id"]:
            return "warning", "CẢNH BÁO CHƯA GIẢI THÍCH", "UNEXPLAINED WARNING"
        return "explained", "đã giải thích", "explained"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _text(value: Any) -> str:
    """Escaped text for any cell; NULL shows as a dash, not as 'None'."""
    if value is None:
        return '<span class="muted">—</span>'
    if isinstance(value, bool):
        return _both("có", "yes") if value else _both("không", "no")
    return escape(str(value))


def _wrappable(value: Any) -> str:
    """Text that may wrap after _ . / or - as well as at spaces, so a narrow column breaks an
    id or a printed ratio (153.221/152.275) at its joints, never inside a word or number."""
    if value is None:
        return _text(value)
    return break_at_joints(escape(str(value)))


def _ident(value: Any) -> str:
    """An identifier in monospace that may wrap after _ . or - (not inside a word)."""
    if value is None:
        return _text(value)
    return f'<span class="mono">{break_at_joints(escape(str(value)))}</span>'


def _table(headers: list[str], rows: list[list[str]], row_classes: list[str] | None = None,
           numeric: set[int] | None = None) -> str:
    """A table from already-escaped cell HTML, in a box that scrolls sideways when the table
    is wider than the page."""
    numeric = numeric or set()
    head = "".join(f"<th>{_bilingual(HEADERS.get(header, header), header)}</th>"
                   for header in headers)
    body = []
    for index, cells in enumerate(rows):
        css = f' class="{row_classes[index]}"' if row_classes and row_classes[index] else ""
        labels = [escape(f"{HEADERS.get(h, h)} · {h}") for h in headers]
        tds = "".join(f'<td class="num" data-label="{labels[i]}">{cell}</td>' if i in numeric
                      else f'<td data-label="{labels[i]}">{cell}</td>'
                      for i, cell in enumerate(cells))
        body.append(f"<tr{css}>{tds}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">'
                    f'{_both("không có", "none")}</td></tr>')
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _anchor(erratum_id: str) -> str:
    return "erratum-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in erratum_id)


def _erratum_link(erratum_id: str | None) -> str:
    if not erratum_id:
        return _badge("fatal", "CHƯA GIẢI THÍCH", "UNEXPLAINED")
    return f'<a href="#{_anchor(erratum_id)}">{_ident(erratum_id)}</a>'


# --- sections --------------------------------------------------------------------------------


def _verdict(failures: list[Failure], errata: list[dict[str, Any]],
             summary: list[dict[str, Any]]) -> str:
    # A source error fails on both layers; count and list it once (the raw row first).
    fatal, seen = [], set()
    for failure in sorted((f for f in failures if f.fatal), key=lambda f: f.row["layer"] != "raw"):
        key = (failure.row["rule"], failure.row["figure_id"])
        if key not in seen:
            seen.add(key)
            fatal.append(failure)
    stale = [erratum for erratum in errata if erratum.get("stale")]
    warnings = [f for f in failures if not f.fatal and not f.row["erratum_id"]]
    checks = sum(row["applicable"] for row in summary)
    explained = sum(1 for f in failures if f.row["erratum_id"] and not f.fatal)
    passed = not fatal and not stale
    reasons = []
    if fatal:
        unexplained = sum(1 for f in fatal if not f.row["erratum_id"])
        still = len(fatal) - unexplained
        reasons.append(_both(
            f"{number(len(fatal))} lượt kiểm tra lỗi không đạt mà không đính chính nào giải "
            f"quyết ({number(unexplained)} chưa giải thích, {number(still)} vẫn sai trong "
            "các mart sau khi sửa)",
            f"{number_en(len(fatal))} failing error check(s) that no erratum resolves "
            f"({number_en(unexplained)} unexplained, {number_en(still)} still failing "
            "after correction in the marts)"))
    if stale:
        names = ", ".join(escape(str(e["erratum_id"])) for e in stale)
        reasons.append(_both(
            f"{number(len(stale))} đính chính lỗi thời (không còn ứng với lỗi nào trên số "
            f"liệu in: hãy xóa hoặc cập nhật): {names}",
            f"{number_en(len(stale))} stale erratum/errata (no longer failing on the printed "
            f"figures: remove or update them): {names}"))
    if passed:
        reasons.append(_both(
            f"mọi lượt kiểm tra không đạt đều được một đính chính giải thích "
            f"({number(explained)} đã giải thích) và không đính chính nào lỗi thời",
            f"every failing check is explained by an erratum ({number_en(explained)} "
            "explained) and no erratum is stale"))
    if warnings:
        reasons.append(_both(
            f"{number(len(warnings))} cảnh báo chưa giải thích, liệt kê bên dưới, không làm "
            "dừng quá trình dựng",
            f"{number_en(len(warnings))} unexplained warning(s), shown below, not fatal"))
    items = "".join(f"<li>{reason}</li>" for reason in reasons)
    # The fatal items themselves, so the reason to act is visible without scrolling.
    details = "".join(
        f'<li>{_badge(f.status[0], f.status[1], f.status[2])} '
        f'{_text(f.row["layer"])} · <span class="mono">{_text(f.row["rule"])}</span> · '
        f'<span class="mono">{_text(f.row["figure_id"])}</span>: '
        f'<span lang="en">observed {_text(f.row["observed"])}, expected '
        f'{_text(f.row["expected"])}</span></li>'
        for f in fatal)
    details += "".join(
        f'<li>{_badge("fatal", "LỖI THỜI", "STALE")} {_erratum_link(str(e["erratum_id"]))}'
        f'{": " + _text(e["stale_detail"]) if e.get("stale_detail") else ""}</li>'
        for e in stale)
    details = f"<ul>{details}</ul>" if details else ""
    word, word_en = ("ĐẠT", "PASS") if passed else ("KHÔNG ĐẠT", "FAIL")
    layers = len({row["layer"] for row in summary})
    return (f'<section class="verdict {word_en.lower()}" id="verdict">'
            f'<strong class="word">{word}</strong> <strong class="word en" lang="en">'
            f"{word_en}</strong> — "
            f"{number(checks)} lượt kiểm tra trên {number(layers)} lớp, "
            f"{number(len(failures))} không đạt, {number(len(fatal))} lỗi nguồn nghiêm trọng · "
            f'<span class="en" lang="en">{number_en(checks)} checks on {number_en(layers)} '
            f"layer(s), {number_en(len(failures))} failing, {number_en(len(fatal))} fatal "
            "source error(s).</span>"
            f"<ul>{items}</ul>{details}</section>")


def _rules_by_layer(rules: list[dict[str, Any]], summary: list[dict[str, Any]]) -> str:
    counts = {(row["layer"], row["rule"]): row for row in summary}
    present = {row["layer"] for row in summary}
    layers = ([layer for layer in LAYERS if layer in present or layer in ("raw", "marts")]
              + sorted(present - set(LAYERS)))
    # Each layer lists the rules of its frame (rules.yml `frame`), which it is checked with.
    frame_of = {layer: frame for frame, members in FRAME_LAYERS.items() for layer in members}
    parts = [f'<h2 id="rules">{_both("Quy tắc theo lớp", "Rules by layer")}</h2>',
             '<p class="muted">' + _both(
                 "Mọi quy tắc, điều nó khẳng định và vì sao, số lần áp dụng và không đạt. Quy "
                 "tắc không áp dụng cho con số nào cũng được liệt kê: nó chưa kiểm tra gì.",
                 "Every rule, what it asserts and why, and how often it applied and failed. A "
                 "rule that applies to no figure is listed too: it checks nothing yet.")
             + "</p>"]
    for layer in layers:
        rows, classes = [], []
        for rule in rules:
            rule_frame = rule.get("frame") or "figures"
            if frame_of.get(layer, rule_frame) != rule_frame:
                continue
            count = counts.get((layer, rule["rule_id"]), {})
            failed, unexplained = count.get("failed", 0), count.get("unexplained", 0)
            description = _text(rule["description"])
            if rule.get("description_vi"):  # the Vietnamese first, the English beneath it
                description = (f'{_text(rule["description_vi"])}<br>'
                               f'<span class="en" lang="en">{description}</span>')
            rows.append([_ident(rule["rule_id"]), _coded(SEVERITY, rule["severity"]),
                         description, number(count.get("applicable", 0)), number(failed),
                         number(count.get("explained", 0)), number(unexplained)])
            classes.append("fatal" if unexplained and rule["severity"] == "error" else
                           "warning" if unexplained else "explained" if failed else "")
        vi, en = LAYERS.get(layer, (layer, layer))
        parts.append(f'<h3 id="layer-{escape(layer)}">{_both(escape(vi), escape(en))}</h3>')
        parts.append(_table(["Rule", "Severity", "What it asserts", "Applicable", "Failed",
                             "Explained", "Unexplained"], rows, classes, numeric={3, 4, 5, 6}))
    return "".join(parts)


def _arithmetic(row: dict[str, Any]) -> str:
    """The rule's arithmetic as it writes it: English words and digits, marked English."""
    return (f'<span class="arith" lang="en">observed {_text(row["observed"])}</span><br>'
            f'<span class="arith" lang="en">expected {_text(row["expected"])}</span>')


def _failures(failures: list[Failure]) -> str:
    ordered = sorted(failures, key=lambda f: (not f.fatal, f.row["layer"] != "raw",
                                              f.row["rule"], f.row["figure_id"] or ""))
    rows, classes = [], []
    for failure in ordered:
        row = failure.row
        css, label, label_en = failure.status
        rows.append([
            _badge(css, label, label_en), _text(row["layer"]),
            f'{_ident(row["rule"])}<br>{_coded(SEVERITY, row["severity"])}',
            f'{_ident(row["figure_id"])}<br>'
            f'<span class="muted">{_wrappable(row["source_id"])} · '
            f'{_wrappable(row["locality_id"])} · {_wrappable(row["indicator_id"])}</span>',
            _text(row["locator"]), _wrappable(row["printed"]), _arithmetic(row),
            _erratum_link(row["erratum_id"]),
        ])
        classes.append(css)
    return (f'<h2 id="failures">{_both("Các lượt kiểm tra không đạt", "Failing checks")}</h2>'
            '<p class="muted">' + _both(
                "Mỗi (lớp, quy tắc, con số) không đạt: nơi nó được in, phép tính, và đính "
                "chính giải thích nó.",
                "Each failing (layer, rule, figure): where it is printed, the arithmetic, and "
                "the erratum that explains it.") + "</p>"
            + _table(["Status", "Layer", "Rule", "Figure", "Locator", "As printed",
                      "Arithmetic", "Erratum"], rows, classes))


def _errata(errata: list[dict[str, Any]]) -> str:
    known = {"erratum_id", "source_id", "rules", "figure_ids", "action", "evidence",
             "explanation", "explanation_vi", "stale"}
    blocks = []
    for erratum in errata:
        state = (_badge("fatal", "LỖI THỜI", "STALE") if erratum.get("stale") else
                 _badge("explained", "còn hiệu lực", "current"))
        english = f'<span lang="en">{_text(erratum.get("evidence"))}</span>'
        fields = [("Source", _text(erratum.get("source_id"))),
                  ("Action", _coded(ACTIONS, erratum.get("action"))),
                  ("Rules it explains", _text(erratum.get("rules"))),
                  ("Figures", _text(erratum.get("figure_ids"))),
                  # The Vietnamese explanation, the English beneath it.
                  ("Explanation", f'{_text(erratum.get("explanation_vi"))}<br>'
                                  f'<span class="en" lang="en">'
                                  f'{_text(erratum.get("explanation"))}</span>'),
                  ("Evidence", english)]
        # Further columns the view may carry (the correction applied, why it is stale): text
        # the build writes in English, from the register's numbers.
        fields += [(name.replace("_", " ").capitalize(), f'<span lang="en">{_text(value)}</span>')
                   for name, value in erratum.items() if name not in known and value is not None]
        body = "".join(f"<dt>{_bilingual(HEADERS.get(name, name), name)}</dt><dd>{value}</dd>"
                       for name, value in fields)
        blocks.append(f'<dl class="erratum" id="{_anchor(str(erratum["erratum_id"]))}">'
                      f'<dt class="head"><span class="mono">{_text(erratum["erratum_id"])}'
                      f"</span> {state}</dt>{body}</dl>")
    if not blocks:
        blocks.append('<p class="muted">' + _both("Chưa có đính chính nào.",
                                                   "No errata are registered.") + "</p>")
    return (f'<h2 id="errata">{_both("Sổ đính chính", "Errata register")}</h2>'
            '<p class="muted">' + _both(
                "Các lỗi đã biết trong nguồn. <em>sửa</em>: các mart dùng giá trị đã nêu; "
                "<em>gắn cờ</em>: các mart giữ con số nhưng không dùng số sai.",
                "Known errors in the sources. <em>correct</em>: the marts use the stated "
                "values; <em>flag</em>: the marts keep the figure but withhold the wrong "
                "number.") + "</p>" + "".join(blocks))


def _conventions(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(con, """
        SELECT coalesce(source_id, '(unknown source)') AS source_id,
               coalesce(sum(checks) FILTER (WHERE convention = 'rounded'), 0) AS rounded,
               coalesce(sum(checks) FILTER (WHERE convention = 'truncated'), 0) AS truncated,
               coalesce(sum(checks) FILTER (WHERE convention = 'both'), 0) AS both_,
               sum(checks) AS matched
        FROM rounding_conventions
        WHERE convention IS NOT NULL
          AND layer = (SELECT CASE WHEN count(*) FILTER (WHERE layer = 'raw') > 0
                                   THEN 'raw' ELSE min(layer) END
                       FROM rounding_conventions WHERE convention IS NOT NULL)
        GROUP BY ALL ORDER BY source_id""")
    cells = [[f'<span class="mono">{_text(r["source_id"])}</span>', number(r["rounded"]),
              number(r["truncated"]), number(r["both_"]), number(r["matched"])] for r in rows]
    if rows:
        cells.append([f'<strong>{_both("mọi nguồn", "all sources")}</strong>']
                     + [f"<strong>{number(sum(r[k] for r in rows))}</strong>"
                        for k in ("rounded", "truncated", "both_", "matched")])
    return (f'<h2 id="conventions">{_both("Quy ước làm tròn", "Rounding conventions")}</h2>'
            '<p class="muted">' + _both(
                "Các phần trăm in của mỗi nguồn khớp với tỷ lệ của chúng ra sao, trên số liệu "
                "in: chỉ khi làm tròn, chỉ khi cắt bớt, hay cả hai (hai cách cho cùng kết quả "
                "ở độ chính xác đã in).",
                "How each source's printed percentages match their ratio, on the printed "
                "figures: only by rounding, only by truncation, or by both (the two agree at "
                "the printed precision).") + "</p>"
            + _table(["Source", "Rounded", "Truncated", "Both", "Percentages matched"],
                     cells, numeric={1, 2, 3, 4}))


# --- the page --------------------------------------------------------------------------------


def render_report(con: duckdb.DuckDBPyConnection) -> str:
    """The report as an HTML string."""
    rules = _rows(con, "SELECT * FROM rules ORDER BY rule_id")
    summary = _rows(con, "SELECT * FROM validation_summary ORDER BY layer, rule")
    errata = _rows(con, "SELECT * FROM errata ORDER BY erratum_id")
    failures = [Failure(row) for row in _rows(con, """
        SELECT layer, rule, severity, figure_id, observed, expected, convention, erratum_id,
               source_id, locality_id, indicator_id, locator, printed
        FROM findings WHERE NOT passed""")]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "".join([
        _verdict(failures, errata, summary),
        _rules_by_layer(rules, summary),
        _failures(failures),
        _errata(errata),
        _conventions(con),
    ])
    views = ("<code>rules</code>, <code>findings</code>, <code>errata</code>, "
             "<code>validation_summary</code>")
    nav = "".join(f'<a href="#{anchor}">{escape(vi)} · <span lang="en">{escape(en)}</span></a>'
                  for anchor, vi, en in (("verdict", "Kết luận", "Verdict"),
                                         ("rules", "Quy tắc", "Rules"),
                                         ("failures", "Không đạt", "Failing checks"),
                                         ("errata", "Đính chính", "Errata"),
                                         ("conventions", "Làm tròn", "Rounding conventions")))
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đề án 06 — báo cáo kiểm tra · validation report</title>
<style>{CSS}</style>
</head>
<body>
<p class="muted"><a href="index.html">&larr; Mọi báo cáo ·
<span lang="en">All reports</span></a></p>
<h1>Đề án 06 — báo cáo kiểm tra · <span lang="en">validation report</span></h1>
<p class="muted">{_both(f"Tạo lúc {generated} từ các view {views}.",
                        f"Generated {generated} from the {views} views.")}</p>
<nav>{nav}</nav>
{body}
</body>
</html>
"""


def write_report(con: duckdb.DuckDBPyConnection, out: Path) -> Path:
    """Write the report to ``out`` (through a temporary file) and return ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(render_report(con), encoding="utf-8")
    partial.replace(out)
    return out
