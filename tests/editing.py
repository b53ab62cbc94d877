"""Edits applied to a copy of data/raw by the bad-input and mutation tests."""

from __future__ import annotations

import unicodedata
from pathlib import Path


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
