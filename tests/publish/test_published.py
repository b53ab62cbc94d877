"""What users get without building: the package committed under data/package/ equals a fresh
export of the validated database, and the database copy in the older storage format opens in
the current stable standalone DuckDB CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from analysis import paths
from analysis.publish.dictionary import load_dictionary
from analysis.publish.export import (
    COMPAT_STORAGE_VERSION,
    DESCRIPTOR_NAME,
    compat_path,
    export,
    write_compat_copy,
)
from analysis.validation.results import read_verdict

# The current stable DuckDB CLI (PyPI's duckdb-cli); docs/using-the-data.md names it.
DUCKDB_CLI = "duckdb-cli==1.5.6"


@pytest.fixture(scope="module")
def validated_database() -> Path:
    if not paths.DATABASE.exists():
        pytest.fail(f"{paths.shown(paths.DATABASE)} is missing: `make test` runs `make all` first")
    with duckdb.connect(str(paths.DATABASE), read_only=True) as con:
        verdict = read_verdict(con)
    assert verdict and verdict["passed"], "the database is not validated: run `make all`"
    return paths.DATABASE


def committed_files() -> dict[str, bytes]:
    """data/package/ as committed (git's HEAD); outside a git checkout, as it is on disk."""
    folder = paths.shown(paths.PACKAGE)
    if shutil.which("git") and (paths.ROOT / ".git").exists():
        names = subprocess.run(["git", "ls-tree", "--name-only", "HEAD", f"{folder}/"],
                               cwd=paths.ROOT, capture_output=True, text=True,
                               check=True).stdout.split()
        return {Path(name).name: subprocess.run(
            ["git", "cat-file", "blob", f"HEAD:{name}"], cwd=paths.ROOT, capture_output=True,
            check=True).stdout for name in names}
    return {path.name: path.read_bytes() for path in paths.PACKAGE.iterdir()
            if not path.name.startswith(".")}


def xlsx_members(data: bytes, tmp: Path) -> dict[str, bytes]:
    (tmp / "w.xlsx").write_bytes(data)
    with zipfile.ZipFile(tmp / "w.xlsx") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_committed_package_equals_a_fresh_export(validated_database, tmp_path):
    fresh = export(validated_database, tmp_path / "package", quiet=True, compat_copy=False)
    committed = committed_files()
    hint = ("data/package/ differs from a fresh export of data/raw: `make all` has rewritten "
            "it; commit data/package/ with the data change")
    assert sorted(committed) == sorted(path.name for path in fresh.iterdir()), hint
    for name, data in committed.items():
        new = (fresh / name).read_bytes()
        if name.endswith(".xlsx"):  # the zip's compression may differ; its content may not
            assert xlsx_members(data, tmp_path) == xlsx_members(new, tmp_path), (name, hint)
        elif name != DESCRIPTOR_NAME:
            assert data == new, (name, hint)
    descriptor = json.loads(committed[DESCRIPTOR_NAME])
    again = json.loads((fresh / DESCRIPTOR_NAME).read_bytes())
    for resources in (descriptor["resources"], again["resources"]):
        for resource in resources:
            if resource["path"].endswith(".xlsx"):
                del resource["bytes"], resource["hash"]
    assert descriptor == again, hint
    assert descriptor["validation"]["status"] == "passed"


def test_the_committed_package_is_frictionless_valid_and_lists_every_file():
    from frictionless import validate

    files = committed_files()
    descriptor = json.loads(files[DESCRIPTOR_NAME])
    assert {r["path"] for r in descriptor["resources"]} == set(files) - {DESCRIPTOR_NAME}
    report = validate(paths.PACKAGE / DESCRIPTOR_NAME)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    tables = [r["name"] for r in descriptor["resources"] if "schema" in r]
    assert tables == [view.name for view in load_dictionary().views]


@pytest.fixture(scope="module")
def duckdb_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standalone DuckDB CLI from PyPI, installed into a folder of its own (it must not
    meet the project's own duckdb)."""
    folder = tmp_path_factory.mktemp("duckdb-cli")
    uv = Path(sys.executable).with_name("uv")
    command = ([str(uv), "pip", "install", "-q", "--target", str(folder), DUCKDB_CLI]
               if uv.exists() else
               [sys.executable, "-m", "pip", "install", "-q", "--target", str(folder),
                DUCKDB_CLI])
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    (binary,) = folder.glob("duckdb_cli/duckdb")
    return binary


def test_the_database_copy_opens_in_the_standalone_duckdb_cli(validated_database, duckdb_cli,
                                                              tmp_path):
    copy = write_compat_copy(validated_database, tmp_path / compat_path(validated_database).name)
    assert COMPAT_STORAGE_VERSION in copy.name
    dictionary = load_dictionary()
    counts = " UNION ALL ".join(f"SELECT '{view.name}', count(*) FROM \"{view.name}\""
                                for view in dictionary.views)
    result = subprocess.run([str(duckdb_cli), "-readonly", "-csv", "-noheader", str(copy),
                             "-c", counts], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    got = dict(line.split(",") for line in result.stdout.split())
    with duckdb.connect(str(validated_database), read_only=True) as con:
        expected = {view.name: str(con.execute(f'SELECT count(*) FROM "{view.name}"')
                                   .fetchone()[0]) for view in dictionary.views}
    assert got == expected
    # The reason for the copy: the CLI refuses the file DuckDB 2 writes by default.
    refused = subprocess.run([str(duckdb_cli), "-readonly", str(validated_database), "-c",
                              "SELECT 1"], capture_output=True, text=True, timeout=120,
                             check=False)
    assert refused.returncode != 0 and "version" in refused.stderr


def test_headline_values_carry_no_more_decimals_than_printed(validated_database):
    """A computed share is rounded to 2 decimals; everything else is as printed (its value's
    or percentage's printed decimals): no float noise such as 24.197002141327623."""
    with duckdb.connect(str(validated_database), read_only=True) as con:
        noisy = con.execute("""
            SELECT c.figure_id, c.headline, c.share_pct
            FROM figures_corrected AS c JOIN staging.figures AS s USING (figure_id)
            WHERE c.headline <> round(c.headline, greatest(coalesce(s.pct_decimals, 0),
                                                             coalesce(s.value_decimals, 0), 2))
               OR c.share_pct <> round(c.share_pct, greatest(coalesce(s.pct_decimals, 0), 2))
            """).fetchall()
        computed = con.execute("SELECT count(*) FROM figures_corrected "
                               "WHERE share_basis = 'computed'").fetchone()[0]
    assert noisy == [] and computed > 0
