"""`python -m analysis errata-split` moves a single errata register into per-source files."""

from __future__ import annotations

import pytest
import yaml
from editing import read_errata

from analysis.errors import InputError
from analysis.ingest import load_raw
from analysis.ingest.errata_split import split_errata


def _join(raw) -> list[dict]:
    """The register as the single file held it: every entry, in the files' order."""
    entries = read_errata(raw)
    folder = raw / "errata"
    lines = ["# The register before the split: one file.", "errata:"]
    for path in sorted(folder.glob("*.yml")):
        text = path.read_text("utf-8")
        lines.append(text.split("errata:\n", 1)[1].rstrip("\n"))
        path.unlink()
    folder.rmdir()
    (raw / "errata.yml").write_text("\n\n".join(lines) + "\n", "utf-8")
    return entries


def test_split_moves_every_entry_as_written_and_the_build_reads_them(raw_copy):
    before = load_raw(raw_copy).errata
    entries = _join(raw_copy)
    with pytest.raises(InputError) as raised:  # the single file is refused, with the hint
        load_raw(raw_copy)
    assert any("errata-split" in p for p in raised.value.problems)
    single_text = (raw_copy / "errata.yml").read_text("utf-8")

    counts = split_errata(raw_copy, quiet=True)

    assert not (raw_copy / "errata.yml").exists()
    assert sum(counts.values()) == len(entries)
    for path in (raw_copy / "errata").glob("*.yml"):
        for entry in yaml.safe_load(path.read_text("utf-8"))["errata"]:
            assert entry["source_id"] == path.stem
            # The entry's text is moved as written (folded evidence, flow lists).
            assert f"  - id: {entry['id']}\n" in single_text
    assert sorted(map(repr, read_errata(raw_copy))) == sorted(map(repr, entries))
    after = load_raw(raw_copy).errata
    strip = [{k: v for k, v in e.items() if not k.startswith("_")} for e in before]
    assert sorted(map(repr, strip)) == sorted(
        repr({k: v for k, v in e.items() if not k.startswith("_")}) for e in after)


def test_split_refuses_without_a_single_register_and_changes_nothing(raw_copy):
    files = {p.name: p.read_bytes() for p in (raw_copy / "errata").glob("*.yml")}
    with pytest.raises(InputError) as raised:
        split_errata(raw_copy, quiet=True)
    assert "there is no single errata register to split" in raised.value.problems[0]
    assert {p.name: p.read_bytes() for p in (raw_copy / "errata").glob("*.yml")} == files


def test_split_refuses_to_overwrite_a_source_file(raw_copy):
    _join(raw_copy)
    (raw_copy / "errata").mkdir()
    (raw_copy / "errata" / "bs-2023-12.yml").write_text("errata: []\n", "utf-8")
    with pytest.raises(InputError) as raised:
        split_errata(raw_copy, quiet=True)
    assert "exists already" in raised.value.problems[0]
    assert (raw_copy / "errata.yml").exists()
    assert (raw_copy / "errata" / "bs-2023-12.yml").read_text("utf-8") == "errata: []\n"
