"""`build`, `validate` and `all` skip what is up to date with its inputs, and only that."""

from __future__ import annotations

import shutil

from analysis import fingerprints
from analysis.warehouse.build import build, up_to_date


def test_the_content_key_follows_every_raw_file_and_nothing_else(raw_copy, tmp_path):
    before = fingerprints.build_key(raw_copy)
    assert fingerprints.build_key(raw_copy) == before
    copy = tmp_path / "elsewhere" / "raw"
    shutil.copytree(raw_copy, copy)
    assert fingerprints.build_key(copy) == before  # the place does not count
    figures = sorted((raw_copy / "figures").glob("*.csv"))[0]
    text = figures.read_text(encoding="utf-8")
    figures.write_text(text.replace("1", "2", 1), encoding="utf-8")  # one figure changed
    assert fingerprints.build_key(raw_copy) != before
    figures.write_text(text, encoding="utf-8")
    assert fingerprints.build_key(raw_copy) == before
    (raw_copy / "figures" / "new.csv").write_text("x", encoding="utf-8")
    assert fingerprints.build_key(raw_copy) != before


def test_a_build_stores_its_key_and_is_up_to_date_until_a_figure_changes(raw_copy, tmp_path):
    target = tmp_path / "de_an_06.duckdb"
    assert not up_to_date(target, raw_copy)
    build(target, raw_dir=raw_copy, quiet=True)
    assert fingerprints.stored_keys(target).build == fingerprints.build_key(raw_copy)
    assert up_to_date(target, raw_copy)
    figures = sorted((raw_copy / "figures").glob("*.csv"))[0]
    figures.write_text(figures.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not up_to_date(target, raw_copy)


def test_the_validation_key_follows_the_content_and_the_rules(tmp_path):
    rules = tmp_path / "expectations"
    rules.mkdir()
    (rules / "rules.yml").write_text("rules: []\n", encoding="utf-8")
    key = fingerprints.validation_key("content", rules)
    assert fingerprints.validation_key("content", rules) == key
    assert fingerprints.validation_key("other content", rules) != key
    (rules / "rules.yml").write_text("rules: [x]\n", encoding="utf-8")
    assert fingerprints.validation_key("content", rules) != key


def test_stored_keys_of_no_database_or_a_damaged_one_are_empty(tmp_path):
    assert fingerprints.stored_keys(tmp_path / "missing.duckdb") == fingerprints.StoredKeys()
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database")
    assert fingerprints.stored_keys(broken) == fingerprints.StoredKeys()


def test_validation_is_up_to_date_once_it_passed_until_the_database_is_built_again(
        raw_copy, built_database, tmp_path):
    from analysis.validation import validate

    database, report = tmp_path / "de_an_06.duckdb", tmp_path / "validation.html"
    shutil.copy(built_database, database)
    assert not validate.up_to_date(database, report=report)
    assert validate.validate(database, report=report) == 0
    assert validate.up_to_date(database, report=report)
    report.unlink()
    assert not validate.up_to_date(database, report=report)  # its report is part of it
    validate.validate(database, report=report)
    build(database, raw_dir=raw_copy, quiet=True)  # a new file, never validated
    assert not validate.up_to_date(database, report=report)
