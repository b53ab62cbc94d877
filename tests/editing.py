"""Edits applied to a copy of data/raw by the bad-input and mutation tests.

`apply_edit` returns the physical line it changed (or None), so a case can name the line
without pinning how many rows a register has today.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import yaml


def apply_edit(raw: Path, edit: dict | list[dict]) -> int | None:
    if isinstance(edit, list):  # several edits; the last one's line is reported
        line = None
        for one in edit:
            line = apply_edit(raw, one)
        return line
    (kind, spec), = edit.items()
    path = raw / spec["file"]
    if kind == "replace":  # line ends are kept as they are (CRLF stays CRLF)
        lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
        targets = [spec["line"] - 1] if "line" in spec else range(len(lines))
        # `times`: the new text repeated (a field longer than any reader's default limit).
        new = spec["new"] * spec.get("times", 1)
        for index in targets:
            if spec["old"] in lines[index]:
                lines[index] = lines[index].replace(spec["old"], new, 1)
                break
        else:
            raise AssertionError(f"case does not apply: {spec['old']!r} not found in {path}")
        path.write_text("".join(lines), "utf-8")
        return index + 1
    if kind == "write":
        path.write_text(spec["content"], "utf-8")
    elif kind == "crlf":  # Windows line ends on every line
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    elif kind == "prepend_bom":
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        return 1
    elif kind == "nfd":
        text = path.read_text("utf-8")
        assert spec["text"] in text
        path.write_text(text.replace(spec["text"], unicodedata.normalize("NFD", spec["text"])),
                        "utf-8")
        return next(number for number, line in enumerate(text.splitlines(), start=1)
                    if spec["text"] in line)
    elif kind == "append":
        text = path.read_text("utf-8")
        if text and not text.endswith("\n"):
            text += "\n"
        path.write_text(text + spec["line"] + "\n", "utf-8")
        return len(text.splitlines()) + 1
    elif kind == "rename":
        path.rename(raw / spec["to"])
    elif kind == "copy":
        shutil.copy(path, raw / spec["to"])
    elif kind == "delete":
        path.unlink()
    elif kind == "link_outside":  # the file moved out of data/raw, a symbolic link left
        outside = raw.parent / f"outside-{path.name}"
        path.rename(outside)
        path.symlink_to(outside)
    elif kind == "encode":  # the same text saved in another encoding (latin-1, utf-16)
        path.write_bytes(path.read_text("utf-8").encode(spec["encoding"], errors="replace"))
    elif kind == "folder":  # a folder where the file should be
        path.unlink()
        path.mkdir()
    else:
        raise AssertionError(f"unknown edit {kind}")
    return None


def read_errata(raw: Path) -> list[dict]:
    """Every erratum of the register (errata/<source_id>.yml), file by file."""
    return [entry for path in sorted((raw / "errata").glob("*.yml"))
            for entry in yaml.safe_load(path.read_text("utf-8"))["errata"]]


def add_erratum(raw: Path, source_id: str, entry: str) -> Path:
    """Append an erratum's YAML text (an item of the `errata:` list) to its source's file,
    creating the file when the source has no errata yet."""
    path = raw / "errata" / f"{source_id}.yml"
    path.parent.mkdir(exist_ok=True)
    text = path.read_text("utf-8") if path.exists() else "errata:\n"
    path.write_text(text.rstrip("\n") + "\n\n" + entry.strip("\n") + "\n", "utf-8")
    return path
