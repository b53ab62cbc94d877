"""Raw layers at scale for tests: the national-scale generator (benchmarks/generate_raw.py),
loaded, and `replicate`, which copies the real raw layer side by side under new ids."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import yaml

from analysis import paths
from analysis.ingest import load_raw
from analysis.ingest.register_check import check_register


def load_generator() -> ModuleType:
    path = paths.ROOT / "benchmarks" / "generate_raw.py"
    spec = importlib.util.spec_from_file_location("generate_raw", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_raw"] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def replicate(raw_dir: Path, copies: int, out: Path) -> dict[str, int]:
    """Write `copies` copies of the raw layer at `raw_dir` side by side into `out`.

    Copy 0 is the layer itself; copy k renames every locality, source, figure and erratum
    id with the suffix `-r<k>` (and a locality's Vietnamese name with ` r<k>`, since names
    are unique within their parent), so the copies share nothing but the catalog files
    (indicators, units, qualifiers, keywords). A copied locality is no unit of the admin-unit
    library: it says so in `not_in_library`, with the name, level and parent the library
    gives the original. Each copy must then build and validate exactly
    like the original: the same findings, explained by the same errata, `copies` times over.
    """
    out.mkdir(parents=True)
    (out / "figures").mkdir()
    for path in raw_dir.iterdir():  # the catalog files
        if path.is_file() and path.name not in _REPLICATED:
            shutil.copy(path, out / path.name)
    registers = {name: _read_csv(raw_dir / name) for name in _REPLICATED if name.endswith(".csv")}
    tables = load_raw(raw_dir).tables
    resolved = check_register(tables["localities"], tables["lineage"]).units
    figures = {path.stem: _read_csv(path) for path in sorted((raw_dir / "figures").glob("*.csv"))}
    errata = [entry for path in sorted((raw_dir / "errata").glob("*.yml"))
              for entry in yaml.safe_load(path.read_text("utf-8"))["errata"]]
    written = {name: [] for name in registers}
    replicated_errata = []
    count = 0
    for copy in range(copies):
        suffix = f"-r{copy}" if copy else ""

        def figure(figure_id: str, suffix: str = suffix) -> str:
            source_id, _, slug = figure_id.partition(".")
            return f"{source_id}{suffix}.{slug}"

        def place(locality_id: str, suffix: str = suffix) -> str:
            return locality_id + suffix if locality_id else ""

        for index, row in enumerate(registers["localities.csv"][1]):
            if not copy:
                written["localities.csv"].append(row)
                continue
            written["localities.csv"].append({
                **row, "locality_id": place(row["locality_id"]),
                "parent_id": place(resolved["parent_id"][index]),
                "name_vi": f"{resolved['name_vi'][index]} r{copy}",
                "admin_level": resolved["admin_level"][index],
                "not_in_library": f"copy {copy} of {row['locality_id']} (tests/generator.py)"})
        for row in registers["sources.csv"][1]:
            written["sources.csv"].append({**row, "source_id": row["source_id"] + suffix,
                                           "locality_id": place(row["locality_id"])})
        for row in registers["baselines.csv"][1]:
            written["baselines.csv"].append({**row, "figure_id": figure(row["figure_id"])})
        for row in registers["lineage.csv"][1]:
            written["lineage.csv"].append({**row, "predecessor_id": place(row["predecessor_id"]),
                                           "successor_id": place(row["successor_id"])})
        for source_id, (header, rows) in figures.items():
            _write_csv(out / "figures" / f"{source_id}{suffix}.csv", header, [
                {**row, "figure_id": figure(row["figure_id"]),
                 "locality_id": place(row["locality_id"]),
                 "related_figure": ";".join(figure(r) for r in row["related_figure"].split(";")
                                            if r)}
                for row in rows])
            count += len(rows)
        for entry in errata:
            replicated_errata.append({
                **entry, "id": entry["id"] + suffix, "source_id": entry["source_id"] + suffix,
                **{key: [{**item, "figure": figure(item["figure"])} for item in entry[key]]
                   for key in ("breaks", "corrections", "withhold") if key in entry}})
    for name, rows in written.items():
        _write_csv(out / name, registers[name][0], rows)
    (out / "errata").mkdir()
    by_source: dict[str, list[dict]] = {}
    for entry in replicated_errata:
        by_source.setdefault(entry["source_id"], []).append(entry)
    for source_id, entries in by_source.items():
        (out / "errata" / f"{source_id}.yml").write_text(
            yaml.safe_dump({"errata": entries}, allow_unicode=True, sort_keys=False,
                           width=100), "utf-8")
    return {"figures": count, "sources": len(written["sources.csv"]),
            "errata": len(replicated_errata)}


# The registers renamed in every copy; the other files of data/raw are copied as they are.
_REPLICATED = ("localities.csv", "sources.csv", "lineage.csv", "baselines.csv")


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
