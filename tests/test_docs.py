"""The README is a front door and every page it leads to exists: links are checked, not trusted."""

from __future__ import annotations

import re
from pathlib import Path

from analysis import paths

README_LIMIT = 12 * 1024  # bytes: what it is, the two commands, what you get, where to go
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _pages() -> list[Path]:
    return [paths.ROOT / "README.md", *sorted(paths.DOCS.glob("*.md"))]


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to -."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_the_readme_stays_short() -> None:
    size = (paths.ROOT / "README.md").stat().st_size
    assert size <= README_LIMIT, f"README.md is {size} bytes; move detail to docs/"


def test_every_relative_link_resolves() -> None:
    broken = []
    for page in _pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            file, _, anchor = target.partition("#")
            resolved = (page.parent / file).resolve() if file else page
            if not resolved.exists():
                broken.append(f"{paths.shown(page)}: {target} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{paths.shown(page)}: {target} (no such heading)")
    assert broken == []


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    linked = {paths.ROOT / "README.md"}
    queue = [paths.ROOT / "README.md"]
    while queue:
        page = queue.pop()
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            file = target.partition("#")[0]
            if file.endswith(".md") and not re.match(r"[a-z]+:", file):
                resolved = (page.parent / file).resolve()
                if resolved.exists() and resolved not in linked:
                    linked.add(resolved)
                    queue.append(resolved)
    unreachable = sorted(p.name for p in paths.DOCS.glob("*.md") if p.resolve() not in linked)
    assert unreachable == []
