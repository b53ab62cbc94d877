"""The pages' bilingual words and colours, read from ``data/labels.yml`` (the one place they
are defined; issue 18). Each group is a mapping from a code to its label, "Vietnamese ·
English" unless the file gives a pair."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from analysis import paths


@functools.cache
def _all() -> dict[str, Any]:
    with paths.LABELS.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def group(name: str) -> dict[str, Any]:
    """One group of labels (``admin_levels``, ``domains``, ``columns`` ...), as a copy."""
    try:
        return dict(_all()[name])
    except KeyError:
        raise KeyError(f"{paths.shown(paths.LABELS)} has no group {name!r}") from None


def pairs(name: str) -> dict[str, tuple[str, str]]:
    """A group of [Vietnamese, English] pairs (table headers), as tuples."""
    return {key: (str(vi), str(en)) for key, (vi, en) in group(name).items()}


def page_columns(page: str) -> dict[str, tuple[str, str]]:
    """The headers a page gives its own columns."""
    return {key: (str(vi), str(en)) for key, (vi, en) in group("page_columns")[page].items()}
