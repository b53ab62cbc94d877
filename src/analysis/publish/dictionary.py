"""Read data/dictionary.yml (the public views' data dictionary) and check it against the database.

Problems are reported as `<file>:<line>: <field>: <what> (<text>)`, the line being where the
view or column stands in the dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from analysis import paths
from analysis.errors import ProjectError

# libyaml's parser where PyYAML has it: the same documents and line marks, ~10x faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Table Schema types and the DuckDB column types each one covers.
FIELD_TYPES: dict[str, tuple[str, ...]] = {
    "string": ("VARCHAR",),
    "number": ("DOUBLE", "FLOAT", "DECIMAL"),
    "integer": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT"),
    "boolean": ("BOOLEAN",),
    "date": ("DATE",),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type
    en: str
    vi: str


@dataclass(frozen=True)
class View:
    name: str
    title: str
    en: str
    vi: str
    primary_key: tuple[str, ...]  # may be empty: a view without a key
    foreign_keys: dict[str, str]  # column -> view whose (single-column) primary key it references
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def order_by(self) -> str:
        """Row order of every exported file: the key, else all columns (fully deterministic)."""
        if not self.primary_key:
            return "ALL"
        return ", ".join('"' + key.replace('"', '""') + '"' for key in self.primary_key)


@dataclass(frozen=True)
class Dictionary:
    package: dict[str, Any]  # name, title, description, licenses, contributors
    views: tuple[View, ...]
    path: Path
    lines: dict[tuple[str, ...], int]  # (view,) or (view, column) -> line in the file

    def view(self, name: str) -> View:
        return next(view for view in self.views if view.name == name)

    def where(self, *key: str) -> str:
        """`file:line` of a view or column, for messages."""
        shown = paths.shown(self.path)
        line = self.lines.get(key) or self.lines.get(key[:1]) or 1
        return f"{shown}:{line}"


def _key_lines(path: Path, text: str) -> dict[tuple[str, ...], int]:
    """Line of every view and column key, read from the YAML node tree (1-based)."""
    root = yaml.compose(text, Loader=_LOADER)
    lines: dict[tuple[str, ...], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value != "views" or not isinstance(value, yaml.MappingNode):
            continue
        for view_key, view_node in value.value:
            lines[(view_key.value,)] = view_key.start_mark.line + 1
            if not isinstance(view_node, yaml.MappingNode):
                continue
            for field_key, field_node in view_node.value:
                if field_key.value == "columns" and isinstance(field_node, yaml.MappingNode):
                    for column_key, _ in field_node.value:
                        lines[(view_key.value, column_key.value)] = column_key.start_mark.line + 1
    return lines


def _text(entry: dict, field: str, where: str, problems: list[str]) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {field}: must be a non-empty text ({value!r})")
        return ""
    return " ".join(value.split())


def load_dictionary(path: Path = paths.DICTIONARY) -> Dictionary:
    """Parse and check the dictionary's own consistency (keys, types, key references)."""
    text = path.read_text(encoding="utf-8")
    try:
        spec = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ProjectError(f"{path.name}:{line}: yaml: {getattr(error, 'problem', error)}") \
            from None
    dictionary = Dictionary(package=(spec or {}).get("package") or {}, views=(), path=path,
                            lines=_key_lines(path, text))
    problems: list[str] = []
    views: list[View] = []
    for name, entry in ((spec or {}).get("views") or {}).items():
        where = dictionary.where(name)
        if not isinstance(entry, dict):
            problems.append(f"{where}: {name}: must be a mapping ({entry!r})")
            continue
        columns = []
        for column_name, column in (entry.get("columns") or {}).items():
            at = dictionary.where(name, column_name)
            column = column if isinstance(column, dict) else {}
            if column.get("type") not in FIELD_TYPES:
                problems.append(f"{at}: {name}.{column_name}.type: not one of "
                                f"{', '.join(FIELD_TYPES)} ({column.get('type')!r})")
            columns.append(Column(column_name, str(column.get("type")),
                                  _text(column, "en", f"{at}: {name}.{column_name}", problems),
                                  _text(column, "vi", f"{at}: {name}.{column_name}", problems)))
        if not columns:
            problems.append(f"{where}: {name}.columns: a view needs at least one column (none)")
        view = View(name=name, title=_text(entry, "title", f"{where}: {name}", problems),
                    en=_text(entry, "en", f"{where}: {name}", problems),
                    vi=_text(entry, "vi", f"{where}: {name}", problems),
                    primary_key=tuple(entry.get("primary_key") or ()),
                    foreign_keys=dict(entry.get("foreign_keys") or {}), columns=tuple(columns))
        for key in view.primary_key:
            if key not in view.column_names:
                problems.append(f"{where}: {name}.primary_key: not a column of the view ({key!r})")
        views.append(view)
    by_name = {view.name: view for view in views}
    for view in views:
        for column, target in view.foreign_keys.items():
            where = dictionary.where(view.name)
            if column not in view.column_names:
                problems.append(f"{where}: {view.name}.foreign_keys: not a column ({column!r})")
            if target not in by_name or len(by_name[target].primary_key) != 1:
                problems.append(f"{where}: {view.name}.foreign_keys.{column}: must name a view "
                                f"of this file with a one-column primary key ({target!r})")
    if not views:
        problems.append(f"{path.name}:1: views: no view is described (none)")
    if problems:
        raise ProjectError("\n".join(problems))
    return Dictionary(package=dictionary.package, views=tuple(views), path=path,
                      lines=dictionary.lines)


def public_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of the main schema: the public contract."""
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' "
                       "AND database_name = current_database() AND NOT internal "
                       "ORDER BY view_name").fetchall()
    return [name for (name,) in rows]


def database_columns(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    rows = con.execute("SELECT column_name, data_type FROM duckdb_columns() "
                       "WHERE schema_name = 'main' AND database_name = current_database() "
                       "AND table_name = ? ORDER BY column_index", [view]).fetchall()
    return [(name, data_type.split("(")[0]) for name, data_type in rows]


def check_against_database(dictionary: Dictionary, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Problems where a described view is missing or its columns or types differ."""
    problems = []
    existing = set(public_views(con))
    for view in dictionary.views:
        if view.name not in existing:
            problems.append(f"{dictionary.where(view.name)}: {view.name}: no such public view "
                            f"in the database ({view.name})")
            continue
        actual = database_columns(con, view.name)
        if [name for name, _ in actual] != view.column_names:
            problems.append(f"{dictionary.where(view.name)}: {view.name}.columns: differ from the "
                            f"view's columns, in order ({', '.join(name for name, _ in actual)})")
            continue
        for column, (_, data_type) in zip(view.columns, actual, strict=True):
            if data_type not in FIELD_TYPES.get(column.type, ()):
                problems.append(f"{dictionary.where(view.name, column.name)}: "
                                f"{view.name}.{column.name}.type: {column.type} does not hold "
                                f"the view's {data_type} ({column.type})")
    return problems
