"""Every bad input fails with an error naming file, line and field, and changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from analysis.errors import InputError
from analysis.warehouse import build

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "cases.yml").read_text("utf-8"))


def apply_edit(raw: Path, edit: dict) -> None:
    (kind, spec), = edit.items()
    path = raw / spec["file"]
    if kind == "replace":
        lines = path.read_text("utf-8").splitlines(keepends=True)
        targets = [spec["line"] - 1] if "line" in spec else range(len(lines))
        for index in targets:
            if spec["old"] in lines[index]:
                lines[index] = lines[index].replace(spec["old"], spec["new"], 1)
                break
        else:
            raise AssertionError(f"case does not apply: {spec['old']!r} not found in {path}")
        path.write_text("".join(lines), "utf-8")
    elif kind == "write":
        path.write_text(spec["content"], "utf-8")
    elif kind == "prepend_bom":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif kind == "nfd":
        text = path.read_text("utf-8")
        assert spec["text"] in text
        path.write_text(text.replace(spec["text"], unicodedata.normalize("NFD", spec["text"])),
                        "utf-8")
    elif kind == "append":
        with path.open("a", encoding="utf-8") as handle:
            handle.write(spec["line"] + "\n")
    elif kind == "rename":
        path.rename(raw / spec["to"])
    else:
        raise AssertionError(f"unknown edit {kind}")


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
