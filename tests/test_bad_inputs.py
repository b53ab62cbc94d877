"""Every bad input fails with an error naming file, line and field, and changes nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from editing import apply_edit

from analysis.errors import InputError
from analysis.warehouse import build

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "cases.yml").read_text("utf-8"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("good") / "de_an_06.duckdb", quiet=True)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_reported_and_database_kept(case, raw_copy, good_database, tmp_path):
    target = tmp_path / "de_an_06.duckdb"
    shutil.copy(good_database, target)
    before = digest(target)
    apply_edit(raw_copy, case["edit"])

    with pytest.raises(InputError) as raised:
        build(target, raw_dir=raw_copy, quiet=True)

    matching = [p for p in raised.value.problems if case["where"] in p]
    assert matching, f"no problem names {case['where']!r}: {raised.value.problems}"
    assert any(case["field"] in p and case["says"] in p for p in matching), matching
    assert digest(target) == before, "the previous database must be left untouched"
    assert not list(tmp_path.glob("*.tmp*")), "no temporary file may be left behind"


def test_corpus_covers_the_required_kinds_of_bad_input():
    names = " ".join(case["name"] for case in CASES).lower()
    for required in ("malformed number", "unknown locality", "unknown indicator",
                     "unknown source", "duplicate figure id", "missing column", "extra column",
                     "byte-order mark", "nfd", "hoà versus hòa", "empty file"):
        assert required in names, required
