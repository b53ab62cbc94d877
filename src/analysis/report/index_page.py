"""``reports/index.html``: every rendered page, with its title and summary, and the
validation report; plain HTML, no scripts."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from analysis.report.html_export import write_file

VALIDATION_PAGE = "validation.html"
MISSING_VALIDATION = ("Chưa tạo: chạy <code>make validate</code>. · "
                      '<span lang="en">Not generated yet: run <code>make validate</code>.</span>')


@dataclass(frozen=True)
class RenderedPage:
    """One rendered notebook, as listed on the index page."""

    path: Path
    title: str
    summary: str
    charts: int
    size: int  # bytes
    seconds: float



_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _plain(markdown: str) -> str:
    """Markdown inline syntax reduced to text, for titles and summaries."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links and images
    text = text.replace("`", "")
    # Emphasis markers at word edges only: snake_case names keep their underscores.
    text = re.sub(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _shorten(text: str, limit: int = 220) -> str:
    """Whole sentences up to about `limit` characters, at least the first: a summary cut
    mid-sentence ("nothing is typed in by …") says something the page does not."""
    sentences = re.split(r"(?<=[.?!])\s+(?=[A-ZÀ-Ỹ(])", text)
    kept = [sentences[0]]
    for sentence in sentences[1:]:
        if len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)


def describe(nb: nbformat.NotebookNode, fallback: str) -> tuple[str, str]:
    """(title, summary): the first markdown heading and the paragraph after it; where the
    next paragraph is its English translation (in italics, as the pages write it), the summary
    holds both, Vietnamese then English, on two lines."""
    title = ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        paragraphs: list[list[str]] = []
        for line in cell.source.splitlines():
            heading = _HEADING.match(line)
            if heading and not title:
                title = _plain(heading.group(1))
            elif heading or not line.strip():
                if paragraphs and paragraphs[-1]:
                    paragraphs.append([])
            elif title:
                if not paragraphs:
                    paragraphs.append([])
                paragraphs[-1].append(line)
        paragraphs = [lines for lines in paragraphs if lines]
        if title and paragraphs:
            summary = [_shorten(_plain(" ".join(paragraphs[0])))]
            if len(paragraphs) > 1 and paragraphs[1][0].lstrip().startswith(("*", "_")):
                summary.append(_shorten(_plain(" ".join(paragraphs[1]))))
            return title, "\n".join(summary)
    return title or fallback, ""


_INDEX_CSS = """
body { font-family: system-ui, "DejaVu Sans", sans-serif; max-width: 860px; margin: 2rem auto;
       padding: 0 1rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.lead { color: #57606a; margin-top: 0; }
ol { padding-left: 0; list-style: none; }
li { margin: 0 0 1rem; padding: 0.8rem 1rem; border: 1px solid #d0d7de; border-radius: 6px; }
li a { font-weight: 600; font-size: 1.05rem; }
.summary { margin: 0.3rem 0 0; }
.meta { color: #57606a; font-size: 0.85rem; }
.missing { color: #9a6700; }
"""


LANG_EN = ' lang="en"'  # the second line of a summary is its English translation


def write_index(pages: list[RenderedPage], out_dir: Path) -> Path:
    """``index.html``: every rendered notebook and the validation report, no scripts."""
    validation = out_dir / VALIDATION_PAGE
    items = []
    for page in pages:
        charts = f"{page.charts} chart{'s' if page.charts != 1 else ''}"
        items.append(
            f'<li><a href="{html.escape(page.path.name)}">{html.escape(page.title)}</a>'
            + "".join(f'<p class="summary"{LANG_EN if number else ""}>{html.escape(line)}</p>'
                      for number, line in enumerate(page.summary.splitlines()))
            + f'<p class="meta">{html.escape(page.path.name)} · {charts}</p></li>'
        )
    status = "" if validation.exists() else (
        f'<p class="meta missing">{MISSING_VALIDATION}</p>')
    items.append(
        f'<li><a href="{VALIDATION_PAGE}">Báo cáo kiểm định · '
        '<span lang="en">Validation report</span></a>'
        '<p class="summary">Mọi quy tắc, mọi số liệu không đạt kèm phép tính, các đính chính '
        "giải thích chúng và quy ước làm tròn của từng nguồn.</p>"
        '<p class="summary" lang="en">Every rule, every failing figure with its arithmetic, '
        "the errata that explain them and the rounding conventions of each source.</p>"
        f"{status}</li>"
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đề án 06 — báo cáo · reports</title>
<style>{_INDEX_CSS}</style>
</head>
<body>
<h1>Đề án 06 — báo cáo · <span lang="en">reports</span></h1>
<p class="lead">Dựng từ các notebook trong <code>notebooks/</code>; xem được khi không có mạng.
<span lang="en">Rendered from the notebooks in <code>notebooks/</code>; they work offline.
</span></p>
<ol>
{chr(10).join(items)}
</ol>
<p class="meta">Tạo lúc · <span lang="en">generated</span> {generated}.</p>
</body>
</html>
"""
    target = out_dir / "index.html"
    write_file(target, page)
    return target
