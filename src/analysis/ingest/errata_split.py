"""`python -m analysis errata-split`: move the single errata register (data/raw/errata.yml)
into one file per source (data/raw/errata/<source_id>.yml).

Each entry's text is moved as it stands (comments, folded text and all), in the register's
order; the new files are written only after they are shown to hold exactly the old file's
entries, and the old file is removed last. The schema and the checks are unchanged.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from analysis import paths
from analysis.errors import InputError
from analysis.ingest.errata import LEGACY_REGISTER

HEADER = ("# Errata of source {source_id}: the format and the rules are in docs/validation.md.\n"
          "errata:\n")


def split_errata(raw_dir: Path = paths.RAW, quiet: bool = False) -> dict[str, int]:
    """Split `raw_dir`/errata.yml into `raw_dir`/errata/<source_id>.yml; entries per file."""
    legacy = raw_dir / LEGACY_REGISTER
    folder = raw_dir / paths.ERRATA.relative_to(paths.RAW)
    where = paths.shown(legacy)
    if not legacy.is_file() or legacy.is_symlink():
        raise InputError([f"{where}: file: there is no single errata register to split "
                          f"(the errata are in {paths.shown(folder)}/ already?)"])
    text = legacy.read_text("utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InputError([f"{where}: file: not valid YAML ({str(error).splitlines()[0]}); "
                          "fix it before splitting"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("errata"), list) \
            or any(not isinstance(e, dict) or not isinstance(e.get("source_id"), str)
                   for e in document["errata"]):
        raise InputError([f"{where}: file: expected a top-level 'errata' list of entries, each "
                          "with a source_id; fix it before splitting"])
    lines = text.splitlines(keepends=True)
    entry_nodes = next(v for k, v in node.value if k.value == "errata").value
    # An entry's text runs from its '- id:' line to the next entry's; comments directly
    # above an entry belong to it (those above the first describe the whole register, which
    # docs/validation.md does now).
    starts = [n.start_mark.line for n in entry_nodes]
    for k in range(1, len(starts)):
        while starts[k] - 1 > starts[k - 1] and lines[starts[k] - 1].lstrip().startswith("#"):
            starts[k] -= 1
    ends = [*starts[1:], len(lines)]
    by_source: dict[str, list[str]] = {}
    for entry, start, end in zip(document["errata"], starts, ends, strict=True):
        block = "".join(lines[start:end]).rstrip() + "\n"
        by_source.setdefault(entry["source_id"], []).append(block)
    files = {source_id: HEADER.format(source_id=source_id) + "\n".join(blocks)
             for source_id, blocks in by_source.items()}
    split = [e for content in files.values() for e in yaml.safe_load(content)["errata"]]
    if sorted(map(repr, split)) != sorted(map(repr, document["errata"])):
        raise InputError([f"{where}: file: the split files would not hold exactly the "
                          "register's entries (an entry's text spans another's?); nothing "
                          "was written"])
    existing = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    clashing = [name for name in existing if name[:-4] in files]
    if clashing:
        raise InputError([f"{paths.shown(folder / clashing[0])}: file: exists already; merge "
                          "it by hand or remove it, then split again"])
    folder.mkdir(exist_ok=True)
    for source_id, content in files.items():
        target = folder / f"{source_id}.yml"
        temporary = target.with_suffix(".yml.tmp")
        temporary.write_text(content, "utf-8")
        temporary.replace(target)
    legacy.unlink()
    counts = {source_id: len(blocks) for source_id, blocks in by_source.items()}
    if not quiet:
        for source_id, count in sorted(counts.items()):
            print(f"  {paths.shown(folder / (source_id + '.yml'))}: {count} errata")
        print(f"moved {sum(counts.values())} errata from {where} into {len(counts)} files; "
              f"{where} removed")
    return counts
