"""The national-scale generator writes a raw layer the project accepts, the same every time."""

from __future__ import annotations

import csv
from pathlib import Path

from editing import read_errata
from generator import load_generator

from analysis import paths
from analysis.ingest import COLUMNS, load_raw


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_generated_layer_passes_the_raw_checks_and_is_seeded(tmp_path):
    generator = load_generator()
    counts = generator.generate(3000, tmp_path / "a", seed=3)
    data = load_raw(tmp_path / "a")  # raises InputError on any problem
    assert len(data.figures.rows) == counts["figures"]
    assert abs(counts["figures"] - 3000) < 1000
    assert counts["errata"] == len(data.errata) > 0
    generator.generate(3000, tmp_path / "b", seed=3)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    generator.generate(3000, tmp_path / "c", seed=4)
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_generated_layer_has_the_national_shapes(tmp_path):
    generator = load_generator()
    generator.generate(3000, tmp_path, seed=5)
    with (tmp_path / "sources.csv").open(encoding="utf-8", newline="") as handle:
        sources = list(csv.DictReader(handle))
    assert list(sources[0]) == COLUMNS["sources"]
    assert {s["kind"] for s in sources} == {"official_report", "news_article"}
    assert {s["language"] for s in sources} == {"vi", "en"}
    rows = []
    for path in (tmp_path / "figures").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    relations = {row["relation"] for row in rows}
    assert {"part_of", "remainder_of", "subset_of", "change", "percent_of"} <= relations
    months = {row["as_of"][:7] for row in rows}
    assert len(months) >= 12
    errata = read_errata(tmp_path)
    assert errata and {e["action"] for e in errata} <= {"correct", "flag"}
    # Catalog files are the project's own.
    for name in generator.CATALOG_FILES:
        assert (tmp_path / name).read_bytes() == (paths.RAW / name).read_bytes()
