"""Every bad input fails with an error naming file, line and field, and changes nothing."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from editing import apply_edit

from analysis.errors import InputError
from analysis.ingest import load_raw, locality_key
from analysis.warehouse.build import build

# <file>[:<line>]: <field>: <what is wrong>; the text is quoted in the explanation or last.
ERROR_LINE = re.compile(r"^[^\s:]+(?::[0-9]+)?: [^:]+: .+")
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
    line = apply_edit(raw_copy, case["edit"])
    where = case["where"].format(line=line)

    with pytest.raises(InputError) as raised:
        build(target, raw_dir=raw_copy, quiet=True)

    matching = [p for p in raised.value.problems if where + ":" in p or p.startswith(where)
                or f"/{where}" in p]
    assert matching, f"no problem names {where!r}: {raised.value.problems}"
    assert any(case["field"] in p and case["says"] in p for p in matching), matching
    for problem in raised.value.problems:  # error: <file>:<line>: <field>: <what> (<text>)
        assert ERROR_LINE.match(problem), problem
        assert "\n" not in problem
    assert digest(target) == before, "the previous database must be left untouched"
    assert not list(tmp_path.glob("*.tmp*")), "no temporary file may be left behind"


def test_corpus_covers_the_required_kinds_of_bad_input():
    names = " ".join(case["name"] for case in CASES).lower()
    for required in ("malformed number", "unknown locality", "unknown indicator",
                     "unknown source", "duplicate figure id", "missing column", "extra column",
                     "byte-order mark", "nfd", "hoà versus hòa", "empty file",
                     "upper-case", "no figures file", "compact date", "week date",
                     "fullwidth digits", "quoted newline", "stray quote", "duplicate key",
                     "alias", "plain string", "correction that is not a number", "list as id",
                     "part_of each other", "30-digit", "same name under one parent"):
        assert required in names, required


def test_same_name_under_different_parents_is_accepted(raw_copy):
    """Communes share names across provinces: a name is unique only within its parent."""

    localities = raw_copy / "localities.csv"
    rows = localities.read_text("utf-8").splitlines()[1:]
    parents = [row.split(",")[0] for row in rows if row.split(",")[6] != "district"]
    assert len(parents) >= 2, "needs two top-level localities to place the two districts in"
    with localities.open("a", encoding="utf-8") as handle:
        for number, parent in enumerate(parents[:2]):  # made up: no library lists them
            handle.write(f"dong-son-{number},legacy,9{number}9,Đông Sơn,Dong Son,Dong Son,"
                         f"district,{parent},a test unit\n")
    data = load_raw(raw_copy)  # no InputError
    table = data.tables["localities"]
    keys = [locality_key(name, parent) for name, parent
            in zip(table.columns["name_vi"], table.columns["parent_id"], strict=True)
            if name == "Đông Sơn"]
    assert len(keys) == 2 and keys[0] != keys[1]


def test_problems_in_many_figures_files_are_all_reported_in_file_order(raw_copy):
    """Problems found in several figures files (reading, text, numbers, rules) are all
    reported, each naming its file, in the order of the files."""
    files = sorted((raw_copy / "figures").glob("*.csv"))
    decomposed = unicodedata.normalize("NFD", "tăng trưởng")
    for path in (files[1], files[-2]):
        lines = path.read_text("utf-8").splitlines(keepends=True)
        cells = lines[1].split(",")
        cells[4] = "2024-13-01"  # not a date
        lines[1] = ",".join(cells)
        lines.append('x"y,' + ",".join(["a"] * 17) + "\n")  # stray quote
        lines.append("a,b\n")  # too few fields
        # A number no convention reads, decomposed accents, a lone numerator.
        lines.append(f"{path.stem}.extra,x,y,,2024-01-01,printed,,,1..2,,,,,{decomposed},l,,,\n")
        lines.append(f"{path.stem}.lone,x,y,,2024-01-01,printed,,,12,,,,,p,l,,,\n")
        path.write_text("".join(lines), "utf-8")
    with pytest.raises(InputError) as raised:
        load_raw(raw_copy)
    problems = raised.value.problems
    for says in ("not a date", "stray quote", "2 fields", "not NFC", "'1..2' is not a",
                 "numerator needs a denominator"):
        named = [p for p in problems if says in p]
        assert {files[1].name, files[-2].name} <= {p.split(":")[0].rsplit("/", 1)[-1]
                                                   for p in named}, says
        first = [i for i, p in enumerate(problems) if files[1].name in p and says in p]
        second = [i for i, p in enumerate(problems) if files[-2].name in p and says in p]
        assert max(first) < min(second), says


def test_signed_numbers_are_not_formulas(raw_copy):
    """A sign on a printed quantity is a number, not text a spreadsheet runs: '+5' in a
    value and '-' inside free text (not at its start) is accepted too."""
    path = raw_copy / "figures" / "gct-2024-06.csv"
    text = path.read_text("utf-8")
    assert ",,,,,29,,,\"điểm hướng dẫn" in text
    path.write_text(text.replace(",,,,,29,,,\"điểm hướng dẫn", ",,,,,+29,,,\"điểm-hướng dẫn"),
                    "utf-8")
    data = load_raw(raw_copy)
    assert "+29" in data.figures.columns["value"]
