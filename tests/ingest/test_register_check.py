"""The locality register checked against, and completed from, the admin-unit library.

Each mutation is made on a copy of data/raw, to a row found by its code and era (never by
today's line numbers); what the library says is asked of the adapter, not typed here.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from analysis import paths
from analysis.errors import InputError
from analysis.ingest import admin_units as au
from analysis.ingest import load_raw, register_check
from analysis.warehouse.build import build


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def edit_row(raw: Path, locality_id: str, **changes: str) -> int:
    """Change one register row; its physical line (header is line 1)."""
    header, rows = read_rows(raw / "localities.csv")
    [index] = [i for i, r in enumerate(rows) if r["locality_id"] == locality_id]
    rows[index].update(changes)
    write_rows(raw / "localities.csv", header, rows)
    return index + 2


def append_row(raw: Path, **values: str) -> int:
    header, rows = read_rows(raw / "localities.csv")
    rows.append({column: values.get(column, "") for column in header})
    write_rows(raw / "localities.csv", header, rows)
    return len(rows) + 1


def row_of(raw: Path, era: str, code: str) -> dict[str, str]:
    _, rows = read_rows(raw / "localities.csv")
    [row] = [r for r in rows if r["gso_code"] == code and r["era"] == era]
    return row


def problems_of(raw: Path) -> list[str]:
    with pytest.raises(InputError) as raised:
        load_raw(raw)
    return raised.value.problems


def move_tone_mark(name: str) -> str:
    """"Hòa Bình" -> "Hoà Bình": the tone of an oa/oe/uy syllable on the other vowel."""
    decomposed = unicodedata.normalize("NFD", name)
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in "\u0300\u0301\u0303\u0309\u0323":
            if first + tone + second in decomposed:
                moved = decomposed.replace(first + tone + second, first + second + tone, 1)
                return unicodedata.normalize("NFC", moved)
            if first + second + tone in decomposed:
                moved = decomposed.replace(first + second + tone, first + tone + second, 1)
                return unicodedata.normalize("NFC", moved)
    raise ValueError(f"no oa/oe/uy syllable with a tone in {name!r}")


LIBRARY = f"vietnamadminunits {au.library_versions()[au.VIETNAMADMINUNITS]}"


def test_the_real_register_agrees_with_the_library():
    data = load_raw()  # raises InputError on any contradiction
    _, rows = read_rows(paths.RAW / "localities.csv")
    assert all(r["era"] in register_check.ERAS for r in rows)
    assert data.tables["localities"]


def test_a_wrong_code_is_one_line_naming_the_row_and_the_library(raw_copy):
    # Gò Công Tây (legacy 823) given the code of another district of the province.
    tien_giang = au.match_name("legacy", None, "Tiền Giang")
    other = next(d for d in au.children("legacy", tien_giang.code) if d.code != "823")
    locality_id = row_of(raw_copy, "legacy", "823")["locality_id"]
    line = edit_row(raw_copy, locality_id, gso_code=other.code)
    [problem] = problems_of(raw_copy)
    assert f"localities.csv:{line}: column 'gso_code'" in problem
    assert other.name_vi in problem and "823" in problem  # what the code is; the name's code
    assert LIBRARY in problem and locality_id in problem


def test_a_name_with_its_tone_mark_moved_is_one_line_with_the_library_spelling(raw_copy):
    row = row_of(raw_copy, "legacy", "17")  # Hòa Bình
    moved = move_tone_mark(row["name_vi"])
    assert moved != row["name_vi"] and au.name_key(moved) == au.name_key(row["name_vi"])
    line = edit_row(raw_copy, row["locality_id"], name_vi=moved)
    [problem] = problems_of(raw_copy)
    library_unit = au.unit("legacy", "17")
    assert f"localities.csv:{line}: column 'name_vi'" in problem
    assert repr(moved) in problem and repr(library_unit.name_vi) in problem
    assert "tone mark" in problem and LIBRARY in problem


def test_a_wrong_parent_is_one_line_naming_the_library_parent(raw_copy):
    # Bình Sơn (legacy district 524) put under Tiền Giang (legacy 82).
    binh_son = row_of(raw_copy, "legacy", "524")
    tien_giang = row_of(raw_copy, "legacy", "82")
    line = edit_row(raw_copy, binh_son["locality_id"], parent_id=tien_giang["locality_id"])
    [problem] = problems_of(raw_copy)
    assert f"localities.csv:{line}: column 'parent_id'" in problem
    assert au.unit("legacy", "51").name_vi in problem and LIBRARY in problem


def test_the_build_fails_on_a_mutation_and_keeps_the_previous_database(raw_copy, tmp_path):
    row = row_of(raw_copy, "2025", "28651")
    edit_row(raw_copy, row["locality_id"], gso_code="28652")
    target = tmp_path / "db.duckdb"
    import duckdb  # a previous database (build refuses to overwrite a file that is not one)

    with duckdb.connect(str(target)) as con:
        con.execute("CREATE TABLE previous AS SELECT 1 AS x")
    before = target.read_bytes()
    with pytest.raises(InputError) as raised:
        build(target, raw_dir=raw_copy, quiet=True)
    assert len(raised.value.problems) == 1
    assert target.read_bytes() == before


def test_a_wrong_level_and_an_unknown_code_are_reported(raw_copy):
    line_level = edit_row(raw_copy, row_of(raw_copy, "legacy", "524")["locality_id"],
                          admin_level="commune")
    line_code = append_row(raw_copy, locality_id="nowhere", era="2025", gso_code="99999")
    problems = problems_of(raw_copy)
    assert len(problems) == 2
    assert any(f":{line_level}: column 'admin_level'" in p and "'district'" in p
               for p in problems)
    assert any(f":{line_code}: column 'gso_code'" in p and "not_in_library" in p
               for p in problems)


def test_a_unit_the_library_does_not_list_says_why_and_is_not_checked(raw_copy):
    append_row(raw_copy, locality_id="old-district", era="legacy", gso_code="999",
               name_vi="Huyện Cũ", name_ascii="Huyen Cu", name_en="Old district",
               admin_level="district", not_in_library="abolished before the library's tables")
    load_raw(raw_copy)  # no problem


def test_both_eras_must_be_the_unchanged_unit(raw_copy):
    row = row_of(raw_copy, "legacy", "51")  # Quảng Ngãi took in Kon Tum: not 'both'
    line = edit_row(raw_copy, row["locality_id"], era="both")
    problems = problems_of(raw_copy)  # also: the merged province's row is the same 2025 unit
    assert any(f":{line}: column 'era'" in p and "converter" in p for p in problems), problems


def test_a_locality_by_code_and_era_alone_is_completed_from_the_library(raw_copy):
    # A legacy commune of Hà Giang (not one of the five localities): only id, era and code.
    ha_giang = row_of(raw_copy, "legacy", "02")
    district = au.children("legacy", "02")[0]
    commune = au.children("legacy", district.code)[0]
    append_row(raw_copy, locality_id="added-commune", era="legacy", gso_code=commune.code)
    data = load_raw(raw_copy)
    register = register_check.check_register(data.tables["localities"], data.tables["lineage"])
    i = register.units["locality_id"].index("added-commune")
    got = {c: register.units[c][i] for c in register_check.UNIT_COLUMNS}
    assert got["name_vi"] == commune.name_vi and got["admin_level"] == "commune"
    assert got["parent_id"] == ha_giang["locality_id"]  # the district is not registered
    assert got["parent_gso_code"] == district.code and got["province_gso_code"] == "02"
    assert got["name_ascii"] == register_check.ascii_name(commune.name_vi)
    links = [j for j, p in enumerate(register.links["predecessor_id"]) if p == "added-commune"]
    assert {register.links["successor_gso_code"][j] for j in links} == {
        s.unit.code for s in au.successors_2025(commune.code)}


def test_a_typed_link_the_converter_knows_is_refused_and_others_need_a_reason(raw_copy):
    lineage = raw_copy / "lineage.csv"
    header = lineage.read_text("utf-8").splitlines()[0]
    lineage.write_text(
        header + "\nhoa-binh,phu-tho,2025-07-01,merged,Resolution 202/2025/QH15,ref,typed,\n",
        encoding="utf-8")
    [problem] = problems_of(raw_copy)
    assert "lineage.csv:2: column 'successor_id'" in problem and "already links" in problem
    lineage.write_text(header + "\nhoa-binh,gia-lai,2025-07-01,made up,basis,ref,,\n",
                       encoding="utf-8")
    [problem] = problems_of(raw_copy)
    assert "lineage.csv:2: column 'reason'" in problem


def test_a_warm_check_is_read_from_the_cache_without_importing_the_library(raw_copy):
    env = {**os.environ, "PYTHONPATH": str(paths.SOURCE_ROOT)}
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from analysis.ingest import load_raw\n"
        f"load_raw(Path({str(raw_copy)!r}))\n"
        "print('vietnamadminunits' in sys.modules)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[1].stdout.strip() == "False"
    # Any change to the register misses the cache: the library is asked again.
    edit_row(raw_copy, row_of(raw_copy, "legacy", "17")["locality_id"], name_en="Hoa Binh")
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env=env)
    assert again.stdout.strip() == "True", again.stderr
