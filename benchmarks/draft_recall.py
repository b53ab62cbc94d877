"""How much of the hand transcription `python -m analysis draft` recovers (not a test).

    .venv/bin/python benchmarks/draft_recall.py SEEDS_DIR [--further FILE ...] [--details]

SEEDS_DIR holds the seed documents; each is matched to its source through the `reference`
column of data/raw/sources.csv, drafted with the source's language and locality, and
compared with the hand transcription data/raw/figures/<source_id>.csv:

  recall     share of transcribed figures whose printed numbers (numerator, denominator,
             value, percent; exact text) all appear in one drafted row of the same line
  exact      share of transcribed figures with a drafted row on the same line whose four
             number fields are identical, field by field
  precision  share of drafted rows that contain every printed number of some transcribed
             figure of the same line
  indicator  share of recalled figures whose matching drafted row guessed the same
             indicator_id as the transcriber chose
  non-quantities drafted: drafted numbers that a separate context check reads as a
             document number, a date or an age (see _non_quantity)

--further takes the notes files of further sources (markdown: one "## <SOURCE-ID> · …"
block per page, the page's figures as "- …" bullets). Blocks whose id is a registered
source are drafted bullet by bullet (bullet N becomes line N) and compared with the
transcriptions' "bullet N" locators. The bullets are English paraphrases with our own
notes (computed values, comments), so precision there measures the notes as much as the
drafter.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis import paths  # noqa: E402
from analysis.draft.draft import draft_text  # noqa: E402
from analysis.ingest import NUMBER_FIELDS, read_table  # noqa: E402

NOTE_BULLETS = ("address", "published", "note:")


@dataclass
class Outcome:
    source_id: str
    language: str
    transcribed: int = 0
    drafted: int = 0
    recalled: int = 0
    exact: int = 0
    matching_rows: int = 0
    indicator_right: int = 0
    non_quantities: dict[str, int] = field(default_factory=lambda: {"document": 0, "date": 0,
                                                                     "age": 0})
    skipped: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def _numbers(row: dict[str, str]) -> list[str]:
    return [row[name] for name in NUMBER_FIELDS if row[name]]


def _non_quantity(number: str, line: str) -> str:
    """Read a drafted number's surroundings: is it a document number, a date or an age?"""
    bare = number.replace("*", "")
    core = re.sub(r"^(?:tăng|giảm|up|down|VND)\s*", "", bare).split()[0].rstrip("%")
    for match in re.finditer(rf"(?<![0-9.,]){re.escape(core)}(?![0-9])", line):
        before = line[max(0, match.start() - 30):match.start()].lower().replace("*", "")
        after = line[match.end():match.end() + 15].lower()
        if re.search(r"(?:\bsố|no\.?|quyết định|nghị quyết|nghị định|công văn|kế hoạch|chỉ thị|"
                     r"thông tư|đề án|decision|decree|resolution|directive|project)\s*$", before) \
                or re.match(r"[/-][a-zđ]", after):
            return "document"
        day_month = re.match(r"[/.-]([0-9]{1,2})(?:[/.-][0-9]{2,4})?(?![0-9.,])", after)
        if (day_month and core.isdigit() and 1 <= int(core) <= 31
                and 1 <= int(day_month.group(1)) <= 12) or \
                re.search(r"(?:ngày|tháng|năm|quý|\bon|\bin|since)\s*$", before) or \
                re.fullmatch(r"(?:19|20)[0-9]{2}", core):
            return "date"
        if re.match(r"\s*(?:tuổi|years? old|-year-old)", after) or re.search(r"aged?\s*$", before):
            return "age"
    return ""


def compare(source_id: str, language: str, text: str, transcribed: list[dict[str, str]],
            locate: str) -> Outcome:
    source_locality = transcribed[0]["locality_id"] if transcribed else ""
    draft = draft_text(text, source_id, source_locality, language)
    lines = text.splitlines()
    outcome = Outcome(source_id, language, transcribed=len(transcribed), drafted=len(draft.rows),
                      skipped=len(draft.skipped))
    rows_by_line: dict[int, list[dict[str, str]]] = {}
    for row in draft.rows:
        rows_by_line.setdefault(int(row["locator"].split()[-1]), []).append(row)
    matched_rows: set[int] = set()
    for figure in transcribed:
        wanted = _numbers(figure)
        figure_lines = {int(n) for n in re.findall(rf"{locate} ([0-9]+)", figure["locator"])}
        candidates = [row for n in figure_lines for row in rows_by_line.get(n, [])]
        hits = [row for row in candidates if all(w in _numbers(row) for w in wanted)]
        if hits:
            outcome.recalled += 1
            outcome.indicator_right += any(r["indicator_id"] == figure["indicator_id"]
                                           for r in hits)
            matched_rows.update(id(row) for row in hits)
        else:
            outcome.missed.append(f"{figure['figure_id']} {figure['locator']} {wanted}")
        if any(all(row[n] == figure[n] for n in NUMBER_FIELDS) for row in candidates):
            outcome.exact += 1
    outcome.matching_rows = len(matched_rows)
    for row in draft.rows:
        number = int(row["locator"].split()[-1])
        if id(row) not in matched_rows:
            outcome.extra.append(f"line {number}: {_numbers(row)} {row['phrase']!r}")
        for printed in _numbers(row):
            kind = _non_quantity(printed, lines[number - 1])
            if kind:
                outcome.non_quantities[kind] += 1
                outcome.flagged.append(f"line {number}: {printed} read as {kind}")
    return outcome


def _figures(source_id: str) -> list[dict[str, str]]:
    path = paths.RAW / "figures" / f"{source_id}.csv"
    problems: list[str] = []
    return read_table("figures", path, problems).rows if path.exists() else []


def _sources() -> list[dict[str, str]]:
    problems: list[str] = []
    return read_table("sources", paths.RAW / "sources.csv", problems).rows


def seeds(folder: Path) -> list[Outcome]:
    sources = _sources()
    outcomes = []
    for path in sorted(folder.glob("*.txt")):
        source = next((s for s in sources if s["reference"] == path.name
                       or s["reference"].endswith("/" + path.name)), None)
        if source is None:
            print(f"{path.name}: no source in sources.csv refers to it; skipped", file=sys.stderr)
            continue
        outcomes.append(compare(source["source_id"], source["language"],
                                path.read_text(encoding="utf-8"), _figures(source["source_id"]),
                                "line"))
    return outcomes


def further(files: list[Path]) -> list[Outcome]:
    sources = {s["source_id"]: s for s in _sources()}
    outcomes = []
    for path in files:
        blocks = re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
        for block in blocks:
            block_id = block.split("·")[0].strip().lower()
            source = sources.get(block_id)
            if source is None:
                continue
            bullets = [line[2:] for line in block.splitlines() if line.startswith("- ")
                       and not line[2:].lower().startswith(NOTE_BULLETS)]
            outcomes.append(compare(block_id, source["language"], "\n".join(bullets),
                                    _figures(block_id), "bullet"))
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    head = ("| source | lang | transcribed | drafted | recall | exact fields | precision | "
            "indicator | documents / dates / ages drafted | skipped |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    body = []
    for o in outcomes:
        recall = 100 * o.recalled / o.transcribed if o.transcribed else 0
        exact = 100 * o.exact / o.transcribed if o.transcribed else 0
        precision = 100 * o.matching_rows / o.drafted if o.drafted else 0
        indicator = 100 * o.indicator_right / o.recalled if o.recalled else 0
        nq = o.non_quantities
        body.append(f"| {o.source_id} | {o.language} | {o.transcribed} | {o.drafted} | "
                    f"{recall:.1f} % ({o.recalled}) | {exact:.1f} % | {precision:.1f} % | "
                    f"{indicator:.0f} % | "
                    f"{nq['document']} / {nq['date']} / {nq['age']} | {o.skipped} |")
    return "\n".join([head, *body])


@dataclass
class PageOutcome:
    source_id: str
    language: str
    transcribed: int = 0
    printed: int = 0  # transcribed figures whose every number stands in the text at hand
    recalled: int = 0
    drafted: int = 0
    ratio_rows: int = 0
    ratio_right: int = 0
    unmatched: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def _bare(number: str) -> str:
    return number.replace("*", "").strip()


def _four(row: dict[str, str]) -> tuple[str, ...]:
    """The four numbers as printed; a count with only a percent is one figure whether it was
    put in `numerator` or `value` (the raw format takes both)."""
    numerator, denominator, value, percent = (_bare(row[name]) for name in NUMBER_FIELDS)
    if numerator and not denominator and not value:
        numerator, value = "", numerator
    return numerator, denominator, value, percent


def compare_page(source_id: str, language: str, locality_id: str, text: str,
                 transcribed: list[dict[str, str]]) -> PageOutcome:
    """A page's draft against its transcription, matched by the printed numbers (a page's
    text at hand and the transcriber's copy need not share line numbers)."""
    draft = draft_text(text, source_id, locality_id, language)
    outcome = PageOutcome(source_id, language, transcribed=len(transcribed),
                          drafted=len(draft.rows))
    wanted = {_four(figure) for figure in transcribed}
    numbers_wanted = {n for figure in transcribed for n in _four(figure) if n}
    drafted = [_four(row) for row in draft.rows]
    for figure in transcribed:
        numbers = [n for n in _four(figure) if n]
        if not all(n in text for n in numbers):
            continue
        outcome.printed += 1
        if any(all(n in row for n in numbers) for row in drafted):
            outcome.recalled += 1
        else:
            outcome.missed.append(f"{figure['figure_id']} {numbers}")
    for row, four in zip(draft.rows, drafted, strict=True):
        shown = f"{row['locator']}: {[n for n in four if n]} {row['phrase']!r}"
        numerator, denominator, _, percent = four
        # Ratio rows are judged where the transcription has an answer: rows sharing no
        # number with any transcribed figure are listed apart (furniture, or figures the
        # transcriber left out: a person tells which).
        shares = any(n in numbers_wanted for n in four if n)
        if (numerator or denominator or percent) and shares:
            outcome.ratio_rows += 1
            if four in wanted:
                outcome.ratio_right += 1
            else:
                outcome.wrong.append(shown)
        if not any(n in numbers_wanted for n in four if n):
            outcome.unmatched.append(shown)
    return outcome


def pages(folder: Path) -> list[PageOutcome]:
    """Every `<source_id>.txt` of the folder (or a file a source's `reference` names, as the
    seed documents) whose source is registered and transcribed."""
    sources = {s["source_id"]: s for s in _sources()}
    outcomes = []
    for path in sorted(folder.glob("*.txt")):
        source = sources.get(path.stem) or next(
            (s for s in sources.values() if s["reference"] == path.name
             or s["reference"].endswith("/" + path.name)), None)
        # One page can be registered as several sources (one per place it reports on):
        # the page's figures are all of theirs.
        same_page = [s["source_id"] for s in sources.values()
                     if source and s["reference"] == source["reference"]]
        figures = [f for source_id in same_page for f in _figures(source_id)]
        if source is None or not figures:
            print(f"{path.name}: no registered, transcribed source {path.stem}; skipped",
                  file=sys.stderr)
            continue
        outcomes.append(compare_page(source["source_id"], source["language"],
                                     source["locality_id"],
                                     path.read_text(encoding="utf-8"), figures))
    return outcomes


def page_table(outcomes: list[PageOutcome]) -> str:
    head = ("| source | lang | transcribed | printed in the text | recalled | drafted | "
            "ratio rows | ratio rows right | rows matching no figure |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|")
    body = [f"| {o.source_id} | {o.language} | {o.transcribed} | {o.printed} | {o.recalled} | "
            f"{o.drafted} | {o.ratio_rows} | {o.ratio_right} | {len(o.unmatched)} |"
            for o in outcomes]
    total = PageOutcome("**all**", "")
    for o in outcomes:
        for name in ("transcribed", "printed", "recalled", "drafted", "ratio_rows",
                     "ratio_right"):
            setattr(total, name, getattr(total, name) + getattr(o, name))
        total.unmatched += o.unmatched
    share = 100 * total.ratio_right / total.ratio_rows if total.ratio_rows else 0
    body.append(f"| **all** | | {total.transcribed} | {total.printed} | {total.recalled} | "
                f"{total.drafted} | {total.ratio_rows} | {total.ratio_right} ({share:.0f} %) | "
                f"{len(total.unmatched)} |")
    return "\n".join([head, *body])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("seeds", type=Path, nargs="?", help="folder of the seed documents")
    parser.add_argument("--pages", type=Path,
                        help="folder of pages' texts named <source_id>.txt (kept outside "
                        "the repository)")
    parser.add_argument("--further", type=Path, nargs="*", default=[],
                        help="notes files of further sources (markdown blocks of bullets)")
    parser.add_argument("--details", action="store_true",
                        help="list missed figures and drafted rows that match none")
    args = parser.parse_args()
    outcomes = (seeds(args.seeds) if args.seeds else []) + further(args.further)
    if outcomes:
        print(table(outcomes))
    page_outcomes = pages(args.pages) if args.pages else []
    if page_outcomes:
        print(page_table(page_outcomes))
        if args.details:
            for page in page_outcomes:
                for item in page.missed:
                    print(f"missed    {page.source_id}: {item}")
                for item in page.wrong:
                    print(f"wrong     {page.source_id}: {item}")
                for item in page.unmatched:
                    print(f"unmatched {page.source_id}: {item}")
    if args.details:
        for o in outcomes:
            for item in o.missed:
                print(f"missed  {o.source_id}: {item}")
            for item in o.extra:
                print(f"extra   {o.source_id}: {item}")
            for item in o.flagged:
                print(f"flagged {o.source_id}: {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
