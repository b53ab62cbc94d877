"""The figures files (data/raw/figures/<source_id>.csv): which files there are, read
together as one table, and the checks on each figure row against its source, its related
figures and the qualifier register."""

from __future__ import annotations

import operator
import os
from functools import partial
from itertools import repeat
from pathlib import Path

from analysis.ingest.contract import COLUMNS, MAX_PHRASE_WORDS, PROGRAMME_APPROVED
from analysis.ingest.tables import (
    Table,
    is_iso_date,
    outside,
    read_table,
    shown,
    true_indices,
)


def figure_files(raw_dir: Path, sources: Table, problems: list[str]) -> list[Path]:
    """Exactly one figures/<source_id>.csv per source, and a source for every file."""
    folder = raw_dir / "figures"
    if folder.exists() and outside(folder, raw_dir, problems):
        return []
    # Names sorted as strings give the order of their paths in one folder, without building
    # and comparing tens of thousands of Path objects first; scandir knows file from folder
    # and link from file without a stat per file. The folder is inside raw_dir, so only a
    # link can lead outside it: links are refused, the plain files are read.
    entries = list(os.scandir(folder)) if folder.is_dir() else []
    links = sorted(entry.name for entry in entries if entry.is_symlink())
    for name in links:
        outside(folder / name, raw_dir, problems)
    names = sorted(entry.name for entry in entries if entry.is_file(follow_symlinks=False))
    files = [folder / name for name in names]
    known = set(sources.columns["source_id"])
    by_lower: dict[str, list[Path]] = {}
    for path in files:
        by_lower.setdefault(path.name.lower(), []).append(path)
    chosen = []
    for path in files:
        if path.suffix == ".csv" and len(by_lower[path.name.lower()]) == 1 \
                and path.stem in known:
            chosen.append(path)  # the usual case, without naming the file in a problem
            continue
        where = shown(path)
        if path.suffix != ".csv":
            problems.append(f"{where}: file name: figures files end in '.csv' (lower case); "
                            f"rename it to {path.stem}.csv ({path.name})")
            continue
        if len(by_lower[path.name.lower()]) > 1:
            problems.append(f"{where}: file name: names differ only in upper/lower case from "
                            f"{', '.join(p.name for p in by_lower[path.name.lower()] if p != path)}"
                            f"; keep one file per source ({path.name})")
            continue
        if path.stem not in known:
            hint = next((s for s in known if s.lower() == path.stem.lower()), None)
            problems.append(f"{where}: file name: {path.stem!r} is not a source id in "
                            "sources.csv (name each figures file <source_id>.csv"
                            + (f"; did you mean {hint}.csv?" if hint else "") + f") ({path.name})")
            continue
        chosen.append(path)
    present = {p.stem for p in chosen} | {p.stem for p in files} | {Path(n).stem for n in links}
    for index, source_id in enumerate(sources.columns["source_id"]):
        if source_id not in present:
            problems.append(f"{sources.at(index, 'source_id')}: source {source_id!r} has no "
                            f"figures file {shown(folder / (source_id + '.csv'))}; add it or "
                            f"remove the source ({source_id})")
    return chosen


def read_figures(root: Path, files: list[Path],
                 problems: list[str]) -> tuple[Table, dict[str, int]]:
    """All figures files as one table (column 'source_id' from each file's name) and the
    rows read per source. Their columns are checked together, once merged."""
    columns: dict[str, list[str]] = {c: [] for c in ["source_id", *COLUMNS["figures"]]}
    lines: list[int] = []
    where: list[str] = []
    per_source: dict[str, int] = {}
    nfc = True  # every file's text was NFC (see Table.nfc)
    for path in files:
        table = read_table("figures", path, problems, check=False)  # links: figure_files
        per_source[path.stem] = len(table)
        columns["source_id"].extend([path.stem] * len(table))
        for column, values in table.columns.items():
            columns[column].extend(values)
        lines.extend(table.lines)
        where.extend([shown(path)] * len(table))
        nfc = nfc and table.nfc
    return Table("figures", root / "figures", columns, lines, where, nfc=nfc), per_source


def check_figures(figures: Table, ids: set[str], known: dict[str, set[str]],
                   sources: dict[str, dict[str, str]],
                   qualifiers: set[tuple[str, str]], problems: list[str]) -> None:
    c = figures.columns
    part_of: dict[str, tuple[str, int]] = {}
    # Rows where some rule below may fail (a superset, found at C speed); only they are
    # visited one by one.
    source_ids = c["source_id"]
    locality_of = {source_id: source["locality_id"] for source_id, source in sources.items()}
    suspects = {
        *true_indices(map(operator.not_, map(str.startswith, c["figure_id"],
                                       map(operator.add, source_ids, repeat("."))))),
        *true_indices(map(operator.ne, c["locality_id"], map(locality_of.get, source_ids))),
        *true_indices(map(operator.ge, map(str.count, c["phrase"], repeat(" ")),
                    repeat(MAX_PHRASE_WORDS))),
        *true_indices(c["qualifier"]),
        *true_indices(map(operator.gt, c["period_start"], c["period_end"])),
        *true_indices(c["relation"]),
        *true_indices(c["related_figure"]),
    }
    for index in sorted(suspects):
        figure_id = c["figure_id"][index]
        source_id = c["source_id"][index]
        at = partial(figures.at, index)
        if not figure_id.startswith(source_id + "."):
            problems.append(f"{at('figure_id')}: {figure_id!r} must start "
                            f"with the file's source id '{source_id}.'")
        source = sources.get(source_id)
        locality = c["locality_id"][index]
        if source and locality in known["localities"] and locality != source["locality_id"]:
            problems.append(f"{at('locality_id')}: {locality!r} differs "
                            f"from the source's locality {source['locality_id']!r}")
        phrase = c["phrase"][index]
        if phrase.count(" ") >= MAX_PHRASE_WORDS and len(phrase.split()) > MAX_PHRASE_WORDS:
            problems.append(f"{at('phrase')}: {len(phrase.split())} words; a figure phrase "
                            f"has at most {MAX_PHRASE_WORDS} (keep figures, not sentences) "
                            f"({phrase})")
        qualifier = c["qualifier"][index]
        if qualifier and source and (qualifier, source["language"]) not in qualifiers:
            problems.append(f"{at('qualifier')}: unknown qualifier "
                            f"{qualifier!r} for language {source['language']!r} "
                            "(see data/raw/qualifiers.csv)")
        start, end = c["period_start"][index], c["period_end"][index]
        if start and end and start > end:
            problems.append(f"{at('period_start')}: period starts after it ends ({start} > {end})")
        relation, related_text = c["relation"][index], c["related_figure"][index]
        if not relation and not related_text:
            continue
        related = [r for r in related_text.split(";") if r]
        if relation and not related:
            problems.append(f"{at('related_figure')}: relation {relation!r} "
                            "needs a related figure ()")
        if related and not relation:
            problems.append(f"{at('relation')}: a related figure needs a relation "
                            f"({related_text})")
        expected_count = 2 if relation == "change" else 1
        if relation and related and len(related) != expected_count:
            problems.append(f"{at('related_figure')}: relation {relation!r} takes "
                            f"{expected_count} figure id(s) separated by ';' ({related_text})")
        for other in related:
            if other not in ids:
                problems.append(f"{at('related_figure')}: unknown figure {other!r}")
            if other == figure_id:
                problems.append(f"{at('related_figure')}: a figure cannot relate "
                                f"to itself ({other})")
        if relation == "part_of" and len(related) == 1 and related[0] != figure_id:
            part_of[figure_id] = (related[0], index)
    _check_part_of_cycles(figures, part_of, problems)


def _check_part_of_cycles(figures: Table, part_of: dict[str, tuple[str, int]],
                          problems: list[str]) -> None:
    """A part cannot contain its own total: follow each chain of part_of links once."""
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = done
    for start in part_of:
        chain: list[str] = []
        node = start
        while node in part_of and state.get(node) is None:
            state[node] = 1
            chain.append(node)
            node = part_of[node][0]
        if state.get(node) == 1:  # came back to a figure of this chain: a cycle
            cycle = chain[chain.index(node):]
            index = part_of[chain[-1]][1]  # the link that closes the cycle
            problems.append(f"{figures.at(index, 'related_figure')}: figures are part_of each "
                            f"other in a cycle ({' -> '.join([*cycle, node])})")
        for visited in chain:
            state[visited] = 2


def check_dates(figures: Table, sources: dict[str, dict[str, str]], baselines: Table,
                problems: list[str]) -> None:
    """No figure is dated before the programme or before its source's own period unless
    baselines.csv lists it; and baselines.csv lists only such figures."""
    c = figures.columns
    period_of = {source_id: source["period_start"] for source_id, source in sources.items()}
    starts = list(map(period_of.get, c["source_id"], repeat("")))
    early = true_indices(map(operator.lt, c["as_of"], repeat(PROGRAMME_APPROVED)))
    before = true_indices(map(operator.lt, c["as_of"], starts))
    listed = set(baselines.columns["figure_id"])
    dated_early: set[str] = set()
    for index in sorted({*early, *before}):
        as_of, figure_id = c["as_of"][index], c["figure_id"][index]
        if not is_iso_date(as_of):
            continue  # reported as not a date
        dated_early.add(figure_id)
        if figure_id in listed:
            continue
        bound = (f"before Đề án 06 (approved {PROGRAMME_APPROVED})" if as_of < PROGRAMME_APPROVED
                 else f"before its source's period (from {starts[index]})")
        problems.append(f"{figures.at(index, 'as_of')}: {as_of!r} is {bound}; correct the "
                        "date, or if the source prints an earlier level for comparison, list "
                        f"{figure_id} in baselines.csv with the reason ({as_of})")
    ids = set(c["figure_id"])
    for index, figure_id in enumerate(baselines.columns["figure_id"]):
        if figure_id in ids and figure_id not in dated_early:
            problems.append(f"{baselines.at(index, 'figure_id')}: {figure_id} is dated neither "
                            f"before the programme ({PROGRAMME_APPROVED}) nor before its "
                            "source's period, so it is no baseline; remove the row "
                            f"({figure_id})")
