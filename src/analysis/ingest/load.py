"""Read and check the whole raw layer (data/raw): the one entry point of the ingest stage.

The steps, in order: the registers (tables, registers), the figures files (figures), their
printed quantities (quantities), the errata register (errata). Every problem is collected
and raised together as one InputError.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis import paths
from analysis.errors import InputError
from analysis.ingest.errata import load_errata
from analysis.ingest.figures import check_dates, check_figures, figure_files, read_figures
from analysis.ingest.quantities import parse_quantities
from analysis.ingest.registers import check_reference, check_registers, check_unique
from analysis.ingest.tables import Table, check_columns, read_table, shown

# A problem with a whole file: "<file>[:<line>]: file: ..." or "...: header: ...".
_FILE_PROBLEM = re.compile(r"(.*?)(?::[0-9]+)?: (?:file|header): ")
REGISTERS = ("units", "indicator_kinds", "qualifiers", "localities", "sources", "indicators",
             "lineage", "baselines", "indicator_keywords")


@dataclass
class RawData:
    tables: dict[str, Table]  # the registers (REGISTERS)
    figures: Table  # all figure files; column 'source_id' is taken from the file name
    numbers: dict[str, list]  # one entry per parsed quantity: figure_id, field, number, ...
    errata: list[dict[str, object]] = field(default_factory=list)
    figures_per_source: dict[str, int] = field(default_factory=dict)  # rows read per file


def load_raw(raw_dir: Path = paths.RAW) -> RawData:
    """Read every raw file, check it, and parse every printed quantity. Raise InputError.

    The cyclic garbage collector is paused meanwhile: reading makes millions of small
    objects and no cycles, and at a million figures the collector's repeated passes over
    them took half the time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_raw(raw_dir)
    finally:
        if collecting:
            gc.enable()


def _load_raw(raw_dir: Path) -> RawData:
    problems: list[str] = []
    tables = {name: read_table(name, raw_dir / f"{name}.csv", problems, root=raw_dir)
              for name in REGISTERS}
    # A register that cannot be read at all (missing, a link, a folder, another header):
    # every later check would report its absence row by row, so stop here.
    files = {shown(table.path) for table in tables.values()}
    if any(match and match.group(1) in files
           for match in map(_FILE_PROBLEM.match, problems)):
        raise InputError(problems)
    known = check_registers(tables, problems)

    files = figure_files(raw_dir, tables["sources"], problems)
    figures, per_source = read_figures(raw_dir, files, problems)
    check_columns(figures, problems)
    # One set of a million ids, shared by the checks that need it.
    figure_ids = set(figures.columns["figure_id"])
    check_unique(figures, "figure_id", problems, figure_ids)
    check_reference(figures, "indicator_id", known["indicators"], "indicator", problems)
    check_reference(figures, "locality_id", known["localities"], "locality", problems)
    sources = {r["source_id"]: r for r in tables["sources"].rows}
    qualifiers = {(r["word"], r["language"]) for r in tables["qualifiers"].rows}
    check_figures(figures, figure_ids, known, sources, qualifiers, problems)
    baselines = tables["baselines"]
    check_unique(baselines, "figure_id", problems)
    check_reference(baselines, "figure_id", figure_ids, "figure", problems)
    check_dates(figures, sources, baselines, problems)
    language_of = {s: r["language"] for s, r in sources.items()}
    unit_of = {r["indicator_id"]: r["unit"] for r in tables["indicators"].rows}
    numbers = parse_quantities(
        figures, [language_of.get(s, "vi") for s in figures.columns["source_id"]],
        [unit_of.get(i, "") for i in figures.columns["indicator_id"]], problems)
    errata = load_errata(raw_dir / paths.ERRATA.relative_to(paths.RAW), figure_ids, problems,
                         known["sources"], root=raw_dir)
    if problems:
        raise InputError(problems)
    return RawData(tables=tables, figures=figures, numbers=numbers, errata=errata,
                   figures_per_source=per_source)
